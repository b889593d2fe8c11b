//! The "Record a promise" form: amount, date, channel and note.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::{PromiseChannel, PromiseDto};
use shared::{Currency, FieldError};
use uuid::Uuid;

use super::draft::{field, PromiseDraft};
use crate::api::{self, ApiError};
use crate::components::{browser_today, ErrorBanner, FieldMessage};

/// Maximum length of a note that the form sends, in characters.
const NOTE_MAX_CHARS: usize = 1000;

const FORM_FIELDS: [&str; 4] = [field::AMOUNT, field::PROMISED_ON, field::CHANNEL, field::NOTE];

#[component]
pub fn PromiseForm(
    account_id: Uuid,
    currency: Currency,
    /// Called with the promise the server recorded.
    on_saved: Callback<PromiseDto>,
) -> impl IntoView {
    let today = browser_today().format("%Y-%m-%d").to_string();
    let draft = RwSignal::new(PromiseDraft::default());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    // The form's own problems come first, because the server's are from the previous save.
    let message_for = move |name: &'static str| {
        Signal::derive(move || {
            let own: Vec<String> = problems.with(|problems| {
                problems.iter().filter(|problem| problem.field == name).map(|problem| problem.message.clone()).collect()
            });
            if !own.is_empty() {
                return Some(own.join(" "));
            }
            error.with(|error| error.as_ref().and_then(|error| error.field_message(name)))
        })
    };
    let amount_message = message_for(field::AMOUNT);
    let date_message = message_for(field::PROMISED_ON);
    let channel_message = message_for(field::CHANNEL);
    let note_message = message_for(field::NOTE);
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            let shown_at_field = error.field_errors().iter().any(|problem| FORM_FIELDS.contains(&problem.field.as_str()));
            Some(if shown_at_field {
                "The promise was not recorded. Correct the fields marked below and save it again.".to_string()
            } else {
                format!("The promise was not recorded. {}", error.message())
            })
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let request = match draft.with_untracked(|draft| draft.to_request(currency)) {
            Ok(request) => request,
            Err(found) => {
                problems.set(found);
                return;
            }
        };
        problems.set(Vec::new());
        saving.set(true);
        spawn_local(async move {
            match api::create_promise(account_id, &request).await {
                Ok(promise) => {
                    draft.try_set(PromiseDraft::default());
                    on_saved.run(promise);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    view! {
        <form class="promise-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="promise-error" /> })}
            <div class="field-row">
                <div class="field field-amount">
                    <label for="promise-amount">{format!("Amount ({})", currency.code())}</label>
                    <input
                        id="promise-amount"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        aria-describedby="promise-amount-error"
                        aria-invalid=move || amount_message.get().is_some().to_string()
                        prop:value=move || draft.with(|draft| draft.amount.clone())
                        on:input=move |event| draft.update(|draft| draft.amount = event_target_value(&event))
                    />
                    <FieldMessage id="promise-amount-error" message=amount_message />
                </div>
                <div class="field">
                    <label for="promise-date">"Promised to pay by"</label>
                    <input
                        id="promise-date"
                        type="date"
                        min=today
                        aria-describedby="promise-date-error"
                        aria-invalid=move || date_message.get().is_some().to_string()
                        prop:value=move || draft.with(|draft| draft.promised_on.clone())
                        on:input=move |event| draft.update(|draft| draft.promised_on = event_target_value(&event))
                    />
                    <FieldMessage id="promise-date-error" message=date_message />
                </div>
                <div class="field">
                    <label for="promise-channel">"Given by"</label>
                    <select
                        id="promise-channel"
                        aria-describedby="promise-channel-error"
                        on:change=move |event| {
                            let chosen = PromiseChannel::parse(&event_target_value(&event)).unwrap_or(PromiseChannel::Call);
                            draft.update(|draft| draft.channel = chosen);
                        }
                    >
                        {PromiseChannel::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option
                                        value=choice.as_str()
                                        prop:selected=move || draft.with(|draft| draft.channel == choice)
                                    >
                                        {choice.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldMessage id="promise-channel-error" message=channel_message />
                </div>
            </div>
            <div class="field">
                <label for="promise-note">"Note (optional)"</label>
                <textarea
                    id="promise-note"
                    rows="2"
                    maxlength=NOTE_MAX_CHARS.to_string()
                    aria-describedby="promise-note-error"
                    prop:value=move || draft.with(|draft| draft.note.clone())
                    on:input=move |event| draft.update(|draft| draft.note = event_target_value(&event))
                ></textarea>
                <FieldMessage id="promise-note-error" message=note_message />
            </div>
            <button type="submit" id="promise-save" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Record promise" }}
            </button>
        </form>
    }
}
