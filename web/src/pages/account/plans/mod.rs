//! Repayment plans on the account page: the plan designer and the plan
//! list with cancellation and renegotiation.

mod cancel;
mod designer;
pub mod display;
mod draft;
pub mod findings;
mod list;
mod schedule_table;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::{PlanDto, PlanStatus};
use shared::users::Role;
use shared::Currency;
use uuid::Uuid;

use self::designer::{PlanDesigner, PolicyState};
use self::display::approver_phrase;
use self::list::{PlanRows, PlansMessage, PlansTable};
use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{ErrorBanner, Notice};

type PlanList = RwSignal<Option<Result<Vec<PlanDto>, ApiError>>>;

/// Confirms a saved plan in a sentence: active at once, or waiting for an approver.
fn saved_message(plan: &PlanDto) -> String {
    match (plan.status, plan.required_approver) {
        (PlanStatus::PendingApproval, Some(role)) => {
            format!("Plan saved. It waits for approval by {} before it starts.", approver_phrase(role))
        }
        (PlanStatus::PendingApproval, None) => "Plan saved. It waits for approval before it starts.".to_string(),
        (status, _) => format!("Plan saved. Its status is {}.", status.label().to_lowercase()),
    }
}

#[component]
pub fn PlansSection(
    account_id: Uuid,
    creditor_id: Uuid,
    currency: Currency,
    /// The account's current balance in minor units.
    #[prop(into)]
    balance: Signal<i64>,
    /// Called after a plan was saved or cancelled, which can change the account's status.
    on_account_changed: Callback<()>,
) -> impl IntoView {
    let role = use_session().user().map_or(Role::Collector, |user| user.role);
    let policy: PolicyState = RwSignal::new(None);
    let plans: PlanList = RwSignal::new(None);
    let replacing = RwSignal::new(None::<PlanDto>);
    let cancelling = RwSignal::new(None::<Uuid>);
    let notice = RwSignal::new(None::<String>);

    let load_policy = move || {
        policy.set(None);
        spawn_local(async move {
            let response = api::get_repayment_policy(creditor_id).await;
            policy.try_set(Some(response));
        });
    };
    load_policy();

    // Responses to a superseded load are dropped, so the newest load wins.
    let generation = StoredValue::new(0u64);
    let load_plans = move |keep_rows: bool| {
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        if !keep_rows {
            plans.set(None);
        }
        spawn_local(async move {
            let response = api::list_account_plans(account_id).await;
            if generation.try_get_value() == Some(this_request) {
                plans.try_set(Some(response));
            }
        });
    };
    load_plans(false);

    let on_saved = Callback::new(move |plan: PlanDto| {
        notice.set(Some(saved_message(&plan)));
        load_plans(true);
        on_account_changed.run(());
    });
    let on_changed = Callback::new(move |plan: PlanDto| {
        notice.set(Some(format!("Plan {}.", plan.status.label().to_lowercase())));
        if replacing.with_untracked(|open| open.as_ref().is_some_and(|open| open.id == plan.id)) {
            replacing.set(None);
        }
        load_plans(true);
        on_account_changed.run(());
    });
    let on_renegotiate = Callback::new(move |plan: PlanDto| {
        notice.set(None);
        replacing.set(Some(plan));
    });

    let bodies = move || match plans.get() {
        None => view! { <PlansMessage>"Loading plans\u{2026}"</PlansMessage> }.into_any(),
        Some(Err(error)) => view! {
            <PlansMessage>
                <ErrorBanner message=format!("The plans could not be loaded. {}", error.message()) id="plans-error" />
                <button type="button" on:click=move |_| load_plans(false)>
                    "Load plans again"
                </button>
            </PlansMessage>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <PlansMessage>"No plans on this account yet."</PlansMessage> }.into_any()
        }
        Some(Ok(items)) => items
            .into_iter()
            .map(|plan| {
                view! {
                    <PlanRows
                        plan=plan
                        cancelling=cancelling
                        on_renegotiate=on_renegotiate
                        on_changed=on_changed
                    />
                }
            })
            .collect_view()
            .into_any(),
    };

    view! {
        <section class="card" aria-labelledby="plan-designer-heading">
            <h2 id="plan-designer-heading">"Repayment plan"</h2>
            {move || notice.get().map(|message| view! { <div id="plan-notice"><Notice message=message /></div> })}
            <PlanDesigner
                account_id=account_id
                currency=currency
                balance=balance
                policy=policy
                role=role
                replacing=replacing
                on_saved=on_saved
            />
            {move || {
                policy
                    .with(|policy| matches!(policy, Some(Err(_))))
                    .then(|| {
                        view! {
                            <button type="button" class="secondary" on:click=move |_| load_policy()>
                                "Load the policy again"
                            </button>
                        }
                    })
            }}
        </section>
        <section class="card" aria-labelledby="plans-heading">
            <h2 id="plans-heading">"Plans"</h2>
            <PlansTable>{bodies}</PlansTable>
        </section>
    }
}
