//! The control that moves an account to one of its allowed next statuses.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::{AccountDetail, StatusChangeRequest};
use shared::status::AccountStatus;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, FieldMessage, StatusBadge};

#[component]
pub fn StatusChange(
    account_id: Uuid,
    current: AccountStatus,
    /// Statuses the server allows next; empty for final statuses.
    allowed: Vec<AccountStatus>,
    /// Called with the account as the server returns it after the change;
    /// the caller replaces the page, and with it this form.
    on_changed: Callback<AccountDetail>,
) -> impl IntoView {
    let chosen = RwSignal::new(allowed.first().map(|status| status.as_str().to_string()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let reason_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let status_message = Signal::derive(move || error.with(|error| error.as_ref().and_then(|e| e.field_message("status"))));
    let reason_message = Signal::derive(move || {
        if reason_missing.get() {
            return Some("Reason is missing; say why the status changes, as it goes into the audit trail.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|e| e.field_message("reason")))
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let Ok(status) = chosen.get_untracked().parse::<AccountStatus>() else {
            return;
        };
        let reason_text = reason.get_untracked().trim().to_string();
        reason_missing.set(reason_text.is_empty());
        error.set(None);
        if reason_text.is_empty() {
            return;
        }

        saving.set(true);
        spawn_local(async move {
            let request = StatusChangeRequest { status, reason: reason_text };
            match api::change_status(account_id, &request).await {
                Ok(updated) => on_changed.run(updated),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    if allowed.is_empty() {
        return view! {
            <p>
                <StatusBadge status=current />
                " is a final status; the account cannot move to another status."
            </p>
        }
        .into_any();
    }

    view! {
        <form class="status-form" on:submit=on_submit>
            <p>"Current status: " <StatusBadge status=current /></p>
            {move || error.get().map(|error| view! { <ErrorBanner message=error.message() id="status-error" /> })}
            <div class="field">
                <label for="status-next">"New status"</label>
                <select
                    id="status-next"
                    aria-describedby="status-next-error"
                    on:change=move |event| chosen.set(event_target_value(&event))
                >
                    {allowed
                        .iter()
                        .map(|status| {
                            let value = status.as_str();
                            view! {
                                <option value=value prop:selected=move || chosen.with(|chosen| chosen == value)>
                                    {status.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldMessage id="status-next-error" message=status_message />
            </div>
            <div class="field">
                <label for="status-reason">"Reason"</label>
                <textarea
                    id="status-reason"
                    rows="2"
                    aria-describedby="status-reason-error"
                    aria-invalid=move || reason_message.get().is_some().to_string()
                    prop:value=move || reason.get()
                    on:input=move |event| reason.set(event_target_value(&event))
                ></textarea>
                <FieldMessage id="status-reason-error" message=reason_message />
            </div>
            <button type="submit" id="status-submit" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Change status" }}
            </button>
        </form>
    }
    .into_any()
}
