//! The form that records the verification sent for an open dispute
//! (managers and administrators).

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contact::{Channel, DisputeDto, VerificationRequest, DISPUTE_NOTE_MAX_CHARS};
use uuid::Uuid;

use super::check_note;
use crate::api::{self, ApiError};
use crate::components::{browser_today, ErrorBanner, FieldMessage};

/// Reads the day the verification was sent: a `YYYY-MM-DD` date no later than today.
fn read_sent_on(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Pick the day the verification was sent.".to_string());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("Sent on {text} is not a date; pick one from the calendar."))?;
    if day > today {
        return Err(format!("Sent on {text} is after today; pick the day the verification went out."));
    }
    Ok(day)
}

#[component]
pub fn VerifyDisputeForm(
    dispute_id: Uuid,
    /// Called with the dispute as it is after the verification.
    on_verified: Callback<DisputeDto>,
) -> impl IntoView {
    let today = browser_today();
    let note = RwSignal::new(String::new());
    let sent_via = RwSignal::new(Channel::Letter);
    let sent_on = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let note_problem = RwSignal::new(None::<String>);
    let sent_on_problem = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let server_message = move |name: &'static str| error.with(|error| error.as_ref()?.field_message(name));
    let note_message = Signal::derive(move || note_problem.get().or_else(|| server_message("note")));
    let sent_via_message = Signal::derive(move || server_message("sent_via"));
    let sent_on_message = Signal::derive(move || sent_on_problem.get().or_else(|| server_message("sent_on")));
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            let at_field = error.field_errors().iter().any(|problem| ["note", "sent_via", "sent_on"].contains(&problem.field.as_str()));
            Some(if at_field {
                "The verification was not recorded. Correct the fields marked below and save it again.".to_string()
            } else {
                format!("The verification was not recorded. {}", error.message())
            })
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let checked_note = check_note(&note.get_untracked(), true);
        let checked_day = read_sent_on(&sent_on.get_untracked(), browser_today());
        note_problem.set(checked_note.as_ref().err().cloned());
        sent_on_problem.set(checked_day.as_ref().err().cloned());
        let (Ok(text), Ok(day)) = (checked_note, checked_day) else {
            return;
        };
        let request = VerificationRequest { note: text, sent_via: sent_via.get_untracked(), sent_on: day };
        saving.set(true);
        spawn_local(async move {
            match api::verify_dispute(dispute_id, &request).await {
                Ok(dispute) => on_verified.run(dispute),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    let id = |name: &str| format!("verify-{name}-{dispute_id}");
    view! {
        <form class="verify-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id=format!("verify-error-{dispute_id}") /> })}
            <div class="field">
                <label for=id("note")>"How the debt was verified and what was sent"</label>
                <textarea
                    id=id("note")
                    rows="2"
                    maxlength=DISPUTE_NOTE_MAX_CHARS.to_string()
                    aria-describedby=id("note-error")
                    aria-invalid=move || note_message.get().is_some().to_string()
                    prop:value=move || note.get()
                    on:input=move |event| note.set(event_target_value(&event))
                ></textarea>
                <FieldMessage id=id("note-error") message=note_message />
            </div>
            <div class="field-row">
                <div class="field">
                    <label for=id("sent-via")>"Sent by"</label>
                    <select
                        id=id("sent-via")
                        aria-describedby=id("sent-via-error")
                        on:change=move |event| {
                            let chosen = if event_target_value(&event) == "email" { Channel::Email } else { Channel::Letter };
                            sent_via.set(chosen);
                        }
                    >
                        <option value="letter" prop:selected=move || sent_via.get() == Channel::Letter>
                            "Letter"
                        </option>
                        <option value="email" prop:selected=move || sent_via.get() == Channel::Email>
                            "Email"
                        </option>
                    </select>
                    <FieldMessage id=id("sent-via-error") message=sent_via_message />
                </div>
                <div class="field">
                    <label for=id("sent-on")>"Sent on"</label>
                    <input
                        id=id("sent-on")
                        type="date"
                        max=today.format("%Y-%m-%d").to_string()
                        aria-describedby=id("sent-on-error")
                        aria-invalid=move || sent_on_message.get().is_some().to_string()
                        prop:value=move || sent_on.get()
                        on:input=move |event| sent_on.set(event_target_value(&event))
                    />
                    <FieldMessage id=id("sent-on-error") message=sent_on_message />
                </div>
            </div>
            <button type="submit" id=id("submit") class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Record verification" }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn sent_on_today_accepted() {
        assert_eq!(read_sent_on("2026-12-05", today()), Ok(today()));
    }

    #[test]
    fn sent_on_future_rejected() {
        let problem = read_sent_on("2026-12-06", today()).unwrap_err();
        assert!(problem.contains("after today"), "{problem}");
    }

    #[test]
    fn sent_on_missing_or_invalid_rejected() {
        assert!(read_sent_on(" ", today()).unwrap_err().starts_with("Pick the day"));
        assert!(read_sent_on("soon", today()).unwrap_err().contains("not a date"));
    }
}
