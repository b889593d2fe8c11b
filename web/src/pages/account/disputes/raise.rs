//! The "Raise a dispute" form: what the debtor disputes, as a note.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contact::{DisputeDto, DisputeRequest, DISPUTE_NOTE_MAX_CHARS};
use uuid::Uuid;

use super::check_note;
use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, FieldMessage};

#[component]
pub fn RaiseDisputeForm(
    account_id: Uuid,
    /// Called with the dispute the server recorded.
    on_raised: Callback<DisputeDto>,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let note_message =
        Signal::derive(move || problem.get().or_else(|| error.with(|error| error.as_ref()?.field_message("note"))));
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            Some(if error.field_message("note").is_some() {
                "The dispute was not recorded. Correct the note and save it again.".to_string()
            } else {
                format!("The dispute was not recorded. {}", error.message())
            })
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let text = note.get_untracked();
        if let Err(found) = check_note(&text, false) {
            problem.set(Some(found));
            return;
        }
        problem.set(None);
        let trimmed = text.trim();
        let request = DisputeRequest { note: (!trimmed.is_empty()).then(|| trimmed.to_string()) };
        saving.set(true);
        spawn_local(async move {
            match api::raise_dispute(account_id, &request).await {
                Ok(dispute) => {
                    note.try_set(String::new());
                    on_raised.run(dispute);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    view! {
        <form class="dispute-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="dispute-error" /> })}
            <p class="hint">"A dispute stops calls, letters and emails, promises and plans until a manager records its verification."</p>
            <div class="field">
                <label for="dispute-note">"What the debtor disputes (optional)"</label>
                <textarea
                    id="dispute-note"
                    rows="2"
                    maxlength=DISPUTE_NOTE_MAX_CHARS.to_string()
                    aria-describedby="dispute-note-error"
                    aria-invalid=move || note_message.get().is_some().to_string()
                    prop:value=move || note.get()
                    on:input=move |event| note.set(event_target_value(&event))
                ></textarea>
                <FieldMessage id="dispute-note-error" message=note_message />
            </div>
            <button type="submit" id="dispute-raise" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Raise dispute" }}
            </button>
        </form>
    }
}
