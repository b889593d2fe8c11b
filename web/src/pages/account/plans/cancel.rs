//! The form that cancels an open plan with a reason.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::{PlanCancellationRequest, PlanDto};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, FieldMessage};

/// Maximum length of a reason that the form sends, in characters.
const REASON_MAX_CHARS: usize = 1000;

#[component]
pub fn CancelPlanForm(
    plan_id: Uuid,
    /// Called with the plan as the server returns it after cancelling.
    on_cancelled: Callback<PlanDto>,
    /// Called when the user keeps the plan.
    on_close: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let reason_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let reason_message = Signal::derive(move || {
        if reason_missing.get() {
            return Some("Reason is missing; say why the plan ends, as it goes into the audit trail.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message("reason")))
    });
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            error.field_message("reason").is_none().then(|| format!("The plan was not cancelled. {}", error.message()))
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let text = reason.get_untracked().trim().to_string();
        reason_missing.set(text.is_empty());
        error.set(None);
        if text.is_empty() {
            return;
        }
        saving.set(true);
        spawn_local(async move {
            match api::cancel_plan(plan_id, &PlanCancellationRequest { reason: text }).await {
                Ok(plan) => on_cancelled.run(plan),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    view! {
        <form class="plan-cancel-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="plan-cancel-error" /> })}
            <div class="field">
                <label for="plan-cancel-reason">"Why is the plan cancelled?"</label>
                <textarea
                    id="plan-cancel-reason"
                    rows="2"
                    maxlength=REASON_MAX_CHARS.to_string()
                    aria-describedby="plan-cancel-reason-error"
                    aria-invalid=move || reason_message.get().is_some().to_string()
                    prop:value=move || reason.get()
                    on:input=move |event| reason.set(event_target_value(&event))
                ></textarea>
                <FieldMessage id="plan-cancel-reason-error" message=reason_message />
            </div>
            <div class="form-actions">
                <button type="submit" id="plan-cancel-submit" class="danger" disabled=move || saving.get()>
                    {move || if saving.get() { "Cancelling\u{2026}" } else { "Cancel plan" }}
                </button>
                <button
                    type="button"
                    id="plan-cancel-keep"
                    class="secondary"
                    disabled=move || saving.get()
                    on:click=move |_| on_close.run(())
                >
                    "Keep plan"
                </button>
            </div>
        </form>
    }
}
