//! One plan in the approval queue, with its Approve and Reject actions.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::policy::may_approve;
use shared::plans::{PlanDecisionRequest, PlanDto};
use shared::users::Role;

use crate::api::{self, ApiError};
use crate::components::{format_date, ErrorBanner, FieldMessage, MoneyAmount};
use crate::pages::account::plans::display::{approver_phrase, share_text, terms_summary};
use crate::pages::account::plans::findings::FindingList;

/// Column count of the approval table.
pub const COLUMN_COUNT: u32 = 6;

/// Maximum length of a decision note that the form sends, in characters.
const NOTE_MAX_CHARS: usize = 1000;

#[component]
pub fn ApprovalRow(
    plan: PlanDto,
    /// The signed-in user's role, compared with the plan's least approver.
    role: Role,
    /// Called with the plan as the server returns it after the decision.
    on_decided: Callback<PlanDto>,
) -> impl IntoView {
    let plan_id = plan.id;
    let currency = plan.currency;
    let may_decide = may_approve(role, plan.required_approver);
    let note = RwSignal::new(String::new());
    let note_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let note_id = format!("decision-note-{plan_id}");
    let error_id = format!("decision-note-{plan_id}-error");

    let note_message = Signal::derive(move || {
        if note_missing.get() {
            return Some("Note is missing; say why the plan is rejected, so the agent can offer other terms.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message("note")))
    });
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            error.field_message("note").is_none().then(|| format!("The decision was not saved. {}", error.message()))
        })
    };

    let decide = move |approve: bool| {
        if saving.get_untracked() {
            return;
        }
        let text = note.get_untracked().trim().to_string();
        note_missing.set(!approve && text.is_empty());
        error.set(None);
        if note_missing.get_untracked() {
            return;
        }
        let request = PlanDecisionRequest { approve, note: (!text.is_empty()).then_some(text) };
        saving.set(true);
        spawn_local(async move {
            match api::decide_plan(plan_id, &request).await {
                Ok(decided) => on_decided.run(decided),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    let discount = (plan.discount != 0).then(|| {
        let share = share_text(plan.discount, plan.balance_at_creation).map(|share| format!(" ({share})")).unwrap_or_default();
        view! {
            <span class="payment-note">
                "Discount " <MoneyAmount amount=plan.discount currency=currency /> {share}
            </span>
        }
    });
    let approver = plan.required_approver.map(approver_phrase).unwrap_or("any user");
    let not_allowed = (!may_decide).then(|| {
        view! { <p class="hint">{format!("Only {approver} may decide on this plan.")}</p> }
    });

    view! {
        <tr data-plan-id=plan_id.to_string()>
            <td class="ref nowrap">
                <a href=format!("/accounts/{}", plan.account_id)>{plan.account_ref.clone()}</a>
            </td>
            <td>
                {terms_summary(&plan.terms, currency)}
                {plan.note.clone().map(|text| view! { <span class="payment-note muted">{format!("Note: {text}")}</span> })}
                <span class="payment-note muted">{format!("Made {}", format_date(plan.created_at.date_naive()))}</span>
            </td>
            <td class="nowrap">
                <span class="payment-note">
                    "Balance " <MoneyAmount amount=plan.balance_at_creation currency=currency />
                </span>
                <span class="payment-note">
                    "To pay " <MoneyAmount amount=plan.total_to_pay currency=currency />
                </span>
                {discount}
            </td>
            <td>
                <FindingList findings=Signal::stored(plan.findings.clone()) />
            </td>
            <td>{approver}</td>
            <td class="decision">
                {move || banner().map(|message| view! { <ErrorBanner message=message /> })}
                <label for=note_id.clone()>"Note (required to reject)"</label>
                <textarea
                    id=note_id.clone()
                    rows="2"
                    maxlength=NOTE_MAX_CHARS.to_string()
                    aria-describedby=error_id.clone()
                    aria-invalid=move || note_message.get().is_some().to_string()
                    prop:value=move || note.get()
                    on:input=move |event| {
                        note.set(event_target_value(&event));
                        note_missing.set(false);
                    }
                ></textarea>
                <FieldMessage id=error_id.clone() message=note_message />
                {not_allowed}
                <div class="form-actions">
                    <button
                        type="button"
                        class="primary"
                        id=format!("approve-{plan_id}")
                        disabled=move || saving.get() || !may_decide
                        on:click=move |_| decide(true)
                    >
                        "Approve"
                    </button>
                    <button
                        type="button"
                        class="danger"
                        id=format!("reject-{plan_id}")
                        disabled=move || saving.get() || !may_decide
                        on:click=move |_| decide(false)
                    >
                        "Reject"
                    </button>
                </div>
            </td>
        </tr>
    }
}
