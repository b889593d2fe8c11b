//! The approval queue: plans waiting for a manager's or an administrator's
//! decision, each approved, or rejected with a note.

mod row;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::{PlanDto, PlanStatus};
use shared::users::Role;

use self::row::{ApprovalRow, COLUMN_COUNT};
use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{ErrorBanner, Notice, TableMessageRow};

/// Returns whether the role may open the approval queue.
pub fn may_see_approvals(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let role = use_session().user().map(|user| user.role);
    let Some(role) = role.filter(|role| may_see_approvals(*role)) else {
        return view! {
            <h1>"Approvals"</h1>
            <ErrorBanner message="Your role may not decide on plans; a manager or an administrator does." />
        }
        .into_any();
    };

    let plans = RwSignal::new(None::<Result<Vec<PlanDto>, ApiError>>);
    let notice = RwSignal::new(None::<String>);
    let load = move || {
        plans.set(None);
        spawn_local(async move {
            let response = api::list_plans(PlanStatus::PendingApproval).await;
            plans.try_set(Some(response));
        });
    };
    load();

    let on_decided = Callback::new(move |decided: PlanDto| {
        let verdict = if decided.status == PlanStatus::Rejected { "rejected" } else { "approved" };
        notice.set(Some(format!("The plan for account {} is {verdict}.", decided.account_ref)));
        plans.update(|loaded| {
            if let Some(Ok(items)) = loaded {
                items.retain(|plan| plan.id != decided.id);
            }
        });
    });

    let rows = move || match plans.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading plans\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The approval queue could not be loaded. {}", error.message()) id="approvals-error" />
                <button type="button" on:click=move |_| load()>
                    "Load again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No plans wait for approval."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => items
            .into_iter()
            .map(|plan| view! { <ApprovalRow plan=plan role=role on_decided=on_decided /> })
            .collect_view()
            .into_any(),
    };

    view! {
        <div class="page-header">
            <h1>"Approvals"</h1>
        </div>
        {move || notice.get().map(|message| view! { <div id="approvals-notice"><Notice message=message /></div> })}
        <section class="card">
            <div class="table-wrap">
                <table class="data-table" id="approvals-table">
                    <caption class="visually-hidden">
                        "Plans outside the creditor's policy or the agent's limit, waiting for a decision."
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Account"</th>
                            <th scope="col">"Terms"</th>
                            <th scope="col">"Amounts"</th>
                            <th scope="col">"Findings"</th>
                            <th scope="col">"Who approves"</th>
                            <th scope="col">"Decision"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
