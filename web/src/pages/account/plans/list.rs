//! The account's plans, newest first: status, terms, amounts, instalments,
//! and the Cancel and Renegotiate actions of open plans.

use leptos::prelude::*;
use shared::plans::{InstalmentDto, PlanDto, PlanStatus};
use shared::Currency;
use uuid::Uuid;

use super::cancel::CancelPlanForm;
use super::display::{approver_phrase, share_text, terms_summary, InstalmentStatusBadge, PlanStatusBadge};
use super::schedule_table::instalment_label;
use crate::components::{format_date, MoneyAmount, TableMessageRow};

/// Column count of the plan table, for rows that span all columns.
pub const COLUMN_COUNT: u32 = 5;

/// Says what happened to a plan beyond its status, such as who must approve
/// it or why it was rejected.
fn status_detail(plan: &PlanDto) -> Option<String> {
    match plan.status {
        PlanStatus::PendingApproval => {
            plan.required_approver.map(|role| format!("Waits for {}.", approver_phrase(role)))
        }
        PlanStatus::Rejected => Some(match &plan.decision_note {
            Some(note) => format!("Rejected: {note}"),
            None => "Rejected.".to_string(),
        }),
        PlanStatus::Renegotiated => Some("Replaced by a renegotiated plan.".to_string()),
        PlanStatus::InArrears | PlanStatus::Broken => Some(match plan.missed_count {
            1 => "1 instalment missed.".to_string(),
            count => format!("{count} instalments missed."),
        }),
        PlanStatus::Cancelled => Some(match (&plan.close_reason, plan.closed_on) {
            (Some(reason), Some(on)) => format!("Cancelled on {}: {reason}", format_date(on)),
            (Some(reason), None) => format!("Cancelled: {reason}"),
            _ => "Cancelled.".to_string(),
        }),
        PlanStatus::OnTrack | PlanStatus::Completed => None,
    }
}

fn instalment_row(instalment: InstalmentDto, currency: Currency) -> impl IntoView {
    view! {
        <tr data-instalment-number=instalment.number.to_string() data-instalment-status=instalment.status.as_str()>
            <td>{instalment_label(instalment.number)}</td>
            <td class="nowrap">{format_date(instalment.due_on)}</td>
            <td class="numeric">
                <MoneyAmount amount=instalment.amount currency=currency />
            </td>
            <td class="numeric">
                <MoneyAmount amount=instalment.paid currency=currency />
            </td>
            <td>
                <InstalmentStatusBadge instalment=instalment.clone() />
            </td>
        </tr>
    }
}

#[component]
fn InstalmentTable(instalments: Vec<InstalmentDto>, currency: Currency) -> impl IntoView {
    let count = instalments.len();
    view! {
        <details class="plan-instalments">
            <summary>{format!("Instalments ({count})")}</summary>
            <table class="data-table compact">
                <thead>
                    <tr>
                        <th scope="col">"No."</th>
                        <th scope="col">"Due"</th>
                        <th scope="col" class="numeric">"Amount"</th>
                        <th scope="col" class="numeric">"Paid"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {instalments.into_iter().map(|instalment| instalment_row(instalment, currency)).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// Renders the amounts of a plan, one per line, leaving out zero interest and discount.
fn amounts(plan: &PlanDto) -> impl IntoView {
    let currency = plan.currency;
    let interest = (plan.total_interest != 0).then(|| {
        view! {
            <span class="payment-note">
                "Interest " <MoneyAmount amount=plan.total_interest currency=currency />
            </span>
        }
    });
    let discount = (plan.discount != 0).then(|| {
        let share = share_text(plan.discount, plan.balance_at_creation).map(|share| format!(" ({share})")).unwrap_or_default();
        view! {
            <span class="payment-note">
                "Discount " <MoneyAmount amount=plan.discount currency=currency /> {share}
            </span>
        }
    });
    view! {
        <span class="payment-note">
            "To pay " <MoneyAmount amount=plan.total_to_pay currency=currency />
        </span>
        <span class="payment-note">
            "Paid " <MoneyAmount amount=plan.paid_to_date currency=currency />
        </span>
        {interest}
        {discount}
    }
}

/// Renders one plan as a table body: its row, the cancel form while open, and its instalments.
#[component]
pub fn PlanRows(
    plan: PlanDto,
    /// The plan whose cancel form is open.
    cancelling: RwSignal<Option<Uuid>>,
    on_renegotiate: Callback<PlanDto>,
    /// Called with the plan after the server changed it.
    on_changed: Callback<PlanDto>,
) -> impl IntoView {
    let plan_id = plan.id;
    let currency = plan.currency;
    let is_open = plan.status.is_open();
    let cancel_open = move || cancelling.get() == Some(plan_id);
    let renegotiated_plan = plan.clone();
    let actions = is_open.then(|| {
        view! {
            <button
                type="button"
                class="secondary"
                id=format!("renegotiate-{plan_id}")
                on:click=move |_| on_renegotiate.run(renegotiated_plan.clone())
            >
                "Renegotiate"
            </button>
            <button
                type="button"
                class="secondary"
                id=format!("cancel-plan-{plan_id}")
                aria-expanded=move || cancel_open().to_string()
                on:click=move |_| cancelling.update(|open| *open = if *open == Some(plan_id) { None } else { Some(plan_id) })
            >
                "Cancel"
            </button>
        }
    });
    let cancel_row = move || {
        cancel_open().then(|| {
            view! {
                <tr class="reversal-row">
                    <td colspan=COLUMN_COUNT.to_string()>
                        <CancelPlanForm
                            plan_id=plan_id
                            on_cancelled=Callback::new(move |plan: PlanDto| {
                                cancelling.set(None);
                                on_changed.run(plan);
                            })
                            on_close=Callback::new(move |_| cancelling.set(None))
                        />
                    </td>
                </tr>
            }
        })
    };

    view! {
        <tbody data-plan-id=plan_id.to_string() data-plan-status=plan.status.as_str()>
            <tr>
                <td>
                    <PlanStatusBadge status=plan.status />
                    {status_detail(&plan).map(|text| view! { <span class="payment-note">{text}</span> })}
                </td>
                <td>
                    {terms_summary(&plan.terms, currency)}
                    {plan.note.clone().map(|note| view! { <span class="payment-note muted">{format!("Note: {note}")}</span> })}
                </td>
                <td class="nowrap">{amounts(&plan)}</td>
                <td class="nowrap">{format_date(plan.created_at.date_naive())}</td>
                <td class="payment-actions">{actions}</td>
            </tr>
            {cancel_row}
            <tr class="plan-instalments-row">
                <td colspan=COLUMN_COUNT.to_string()>
                    <InstalmentTable instalments=plan.instalments.clone() currency=currency />
                </td>
            </tr>
        </tbody>
    }
}

/// Renders the table around the plans, with its header; `children` are table bodies.
#[component]
pub fn PlansTable(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" id="plans-table">
                <caption class="visually-hidden">"Repayment plans of this account, newest first."</caption>
                <thead>
                    <tr>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Terms"</th>
                        <th scope="col">"Amounts"</th>
                        <th scope="col">"Made"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                {children()}
            </table>
        </div>
    }
}

/// Renders a message in place of the plans, such as while they load.
#[component]
pub fn PlansMessage(children: Children) -> impl IntoView {
    view! {
        <tbody>
            <TableMessageRow colspan=COLUMN_COUNT>{children()}</TableMessageRow>
        </tbody>
    }
}
