//! The form that reverses one payment: reason, optional note and confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::payments::{PaymentDto, PaymentStatus, ReversalReason, ReversalRequest};
use shared::Currency;
use uuid::Uuid;

use super::display::reversal_reason_label;
use crate::pages::account::keys::PendingKeys;
use crate::api::{self, ApiError, PaymentOutcome};
use crate::components::{ErrorBanner, FieldMessage, MoneyAmount};

/// Maximum length of a note that the API accepts, in characters.
const NOTE_MAX_CHARS: usize = 1000;

/// The state of the one reversal form that may be open. It lives with the
/// payment table, so that redrawing the rows keeps what the user chose and typed.
#[derive(Clone, Copy)]
pub struct ReversalState {
    /// The payment whose form is open.
    pub open: RwSignal<Option<Uuid>>,
    reason: RwSignal<Option<ReversalReason>>,
    note: RwSignal<String>,
    reason_missing: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    submitting: RwSignal<bool>,
}

impl ReversalState {
    pub fn new() -> Self {
        ReversalState {
            open: RwSignal::new(None),
            reason: RwSignal::new(None),
            note: RwSignal::new(String::new()),
            reason_missing: RwSignal::new(false),
            error: RwSignal::new(None),
            submitting: RwSignal::new(false),
        }
    }

    /// Opens the form for `payment_id`, or closes it when it is already open
    /// for that payment. Another payment's form starts empty.
    pub fn toggle(self, payment_id: Uuid) {
        if self.submitting.get_untracked() {
            return;
        }
        if self.open.get_untracked() == Some(payment_id) {
            self.open.set(None);
            return;
        }
        self.reason.set(None);
        self.note.set(String::new());
        self.reason_missing.set(false);
        self.error.set(None);
        self.open.set(Some(payment_id));
    }
}

#[component]
pub fn ReversalForm(
    payment: PaymentDto,
    currency: Currency,
    state: ReversalState,
    /// Keys of reversals with an unknown outcome, by payment id.
    keys: PendingKeys,
    /// Called with the reversed payment, including a replay of a reversal done before.
    on_reversed: Callback<PaymentOutcome>,
    /// Called when the server reports the payment as already reversed, so the list is out of date.
    on_list_stale: Callback<()>,
) -> impl IntoView {
    let payment_id = payment.id;
    let ReversalState { reason, note, reason_missing, error, submitting, .. } = state;

    let reason_message = Signal::derive(move || {
        if reason_missing.get() {
            return Some("Reason is missing; choose why the payment is reversed.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message("reason")))
    });
    let note_message =
        Signal::derive(move || error.with(|error| error.as_ref().and_then(|error| error.field_message("note"))));
    let banner_message = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            if error.outcome_unknown() {
                return Some(format!(
                    "{} The reversal may or may not have been recorded. Press \u{201C}Retry reversal\u{201D} to send it again: \
                     the server recognises the repeat and reverses the payment only once.",
                    error.message()
                ));
            }
            let shown_at_field = error.field_message("reason").is_some() || error.field_message("note").is_some();
            (!shown_at_field).then(|| format!("The payment was not reversed. {}", error.message()))
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        error.set(None);
        let Some(chosen) = reason.get_untracked() else {
            reason_missing.set(true);
            return;
        };
        reason_missing.set(false);
        let note_text = note.get_untracked().trim().to_string();
        let request = ReversalRequest { reason: chosen, note: (!note_text.is_empty()).then_some(note_text) };

        let key = keys.key_for(payment_id);
        submitting.set(true);
        spawn_local(async move {
            let response = api::reverse_payment(payment_id, &request, &key).await;
            keys.settle(payment_id, response.as_ref().err());
            match response {
                Ok(outcome) => {
                    state.open.try_set(None);
                    on_reversed.run(outcome);
                }
                Err(failure) => {
                    if failure.code() == Some("already_reversed") {
                        on_list_stale.run(());
                    }
                    error.try_set(Some(failure));
                }
            }
            submitting.try_set(false);
        });
    };

    let consequence = if payment.status == PaymentStatus::Held {
        "The cheque is still held, so nothing was applied to the balance and no fee is charged."
    } else {
        "What the payment paid is owed again. A returned-payment fee is added only where the creditor's policy allows one."
    };
    let submit_label = move || {
        if submitting.get() {
            "Reversing\u{2026}"
        } else if keys.is_pending(payment_id) {
            "Retry reversal"
        } else {
            "Reverse payment"
        }
    };

    view! {
        <form class="reversal-form" on:submit=on_submit novalidate=true aria-labelledby="reversal-heading">
            <h3 id="reversal-heading">
                "Reverse receipt " <span class="ref">{payment.receipt_number.clone()}</span> " ("
                <MoneyAmount amount=payment.amount currency=currency /> ")"
            </h3>
            <p class="hint">{consequence}</p>
            {move || banner_message().map(|message| view! { <ErrorBanner message=message id="reversal-error" /> })}
            <div class="field-row">
                <div class="field">
                    <label for="reversal-reason">"Reason"</label>
                    <select
                        id="reversal-reason"
                        aria-describedby="reversal-reason-error"
                        aria-invalid=move || reason_message.get().is_some().to_string()
                        on:change=move |event| reason.set(ReversalReason::parse(&event_target_value(&event)))
                    >
                        <option value="" prop:selected=move || reason.get().is_none()>
                            "Choose a reason"
                        </option>
                        {ReversalReason::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.as_str() prop:selected=move || reason.get() == Some(choice)>
                                        {reversal_reason_label(choice)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldMessage id="reversal-reason-error" message=reason_message />
                </div>
                <div class="field field-wide">
                    <label for="reversal-note">"Note (optional)"</label>
                    <textarea
                        id="reversal-note"
                        rows="2"
                        maxlength=NOTE_MAX_CHARS.to_string()
                        placeholder="Such as the bank's return advice number"
                        aria-describedby="reversal-note-error"
                        aria-invalid=move || note_message.get().is_some().to_string()
                        prop:value=move || note.get()
                        on:input=move |event| note.set(event_target_value(&event))
                    ></textarea>
                    <FieldMessage id="reversal-note-error" message=note_message />
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" id="reversal-submit" class="danger" disabled=move || submitting.get()>
                    {submit_label}
                </button>
                <button
                    type="button"
                    id="reversal-cancel"
                    class="secondary"
                    disabled=move || submitting.get()
                    on:click=move |_| state.open.set(None)
                >
                    "Keep payment"
                </button>
            </div>
        </form>
    }
}
