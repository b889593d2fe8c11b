//! The "New template" form: key, name, channel, creditor, whether the text
//! speaks of legal action, and the subject and body of version 1.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::CreditorDto;
use shared::correspondence::{check_template_text, CreateTemplateRequest, TemplateChannel, TemplateDto, NAME_MAX_CHARS};
use shared::FieldError;
use uuid::Uuid;

use super::text_fields::TemplateTextFields;
use super::{field_message, rejection_banner};
use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, FieldMessage};

/// Maximum length of a template key, in characters, as the API accepts it.
const KEY_MAX_CHARS: usize = 64;

const FORM_FIELDS: [&str; 6] = ["key", "name", "channel", "creditor_id", "subject", "body"];

/// Checks the request as the API will, so that mistakes show before sending.
fn check_request(request: &CreateTemplateRequest) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let key = request.key.as_str();
    let starts_with_letter = key.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let valid_chars = key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts_with_letter || !valid_chars || key.len() > KEY_MAX_CHARS {
        problems.push(FieldError::new(
            "key",
            "invalid",
            format!(
                "Key '{key}' is invalid; use 1 to {KEY_MAX_CHARS} lower-case letters, digits and _, starting with a letter, such as final_demand."
            ),
        ));
    }
    let name = request.name.trim();
    let name_chars = name.chars().count();
    if name.is_empty() || name_chars > NAME_MAX_CHARS || name.contains('\0') {
        problems.push(FieldError::new(
            "name",
            "invalid",
            format!("Write a name of 1 to {NAME_MAX_CHARS} characters, such as Payment reminder."),
        ));
    }
    problems.extend(check_template_text(&request.subject, &request.body, request.mentions_legal_action));
    problems
}

#[component]
pub fn CreateTemplateForm(
    creditors: Signal<Vec<CreditorDto>>,
    /// Called with the template the server created.
    on_created: Callback<TemplateDto>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let channel = RwSignal::new(TemplateChannel::Letter);
    let creditor = RwSignal::new(None::<Uuid>);
    let legal = RwSignal::new(false);
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let key_message = field_message(problems, error, "key");
    let name_message = field_message(problems, error, "name");
    let channel_message = field_message(problems, error, "channel");
    let creditor_message = field_message(problems, error, "creditor_id");
    let subject_message = field_message(problems, error, "subject");
    let body_message = field_message(problems, error, "body");
    let banner = move || error.with(|error| error.as_ref().map(|error| rejection_banner(error, "template", &FORM_FIELDS)));

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let request = CreateTemplateRequest {
            creditor_id: creditor.get_untracked(),
            key: key.get_untracked().trim().to_string(),
            name: name.get_untracked().trim().to_string(),
            channel: channel.get_untracked(),
            mentions_legal_action: legal.get_untracked(),
            subject: subject.get_untracked(),
            body: body.get_untracked(),
        };
        let found = check_request(&request);
        if !found.is_empty() {
            problems.set(found);
            return;
        }
        problems.set(Vec::new());
        saving.set(true);
        spawn_local(async move {
            match api::create_template(&request).await {
                Ok(template) => {
                    for text in [key, name, subject, body] {
                        text.try_set(String::new());
                    }
                    legal.try_set(false);
                    on_created.run(template);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    view! {
        <form class="template-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="template-create-error" /> })}
            <div class="field-row">
                <div class="field">
                    <label for="template-key">"Key"</label>
                    <input
                        id="template-key"
                        type="text"
                        autocomplete="off"
                        maxlength=KEY_MAX_CHARS.to_string()
                        aria-describedby="template-key-hint template-key-error"
                        aria-invalid=move || key_message.get().is_some().to_string()
                        prop:value=move || key.get()
                        on:input=move |event| key.set(event_target_value(&event))
                    />
                    <p class="hint" id="template-key-hint">"Lower-case letters, digits and _, such as final_demand."</p>
                    <FieldMessage id="template-key-error" message=key_message />
                </div>
                <div class="field field-wide">
                    <label for="template-name">"Name"</label>
                    <input
                        id="template-name"
                        type="text"
                        maxlength=NAME_MAX_CHARS.to_string()
                        aria-describedby="template-name-error"
                        aria-invalid=move || name_message.get().is_some().to_string()
                        prop:value=move || name.get()
                        on:input=move |event| name.set(event_target_value(&event))
                    />
                    <FieldMessage id="template-name-error" message=name_message />
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="template-channel">"Channel"</label>
                    <select
                        id="template-channel"
                        aria-describedby="template-channel-error"
                        on:change=move |event| {
                            channel.set(TemplateChannel::parse(&event_target_value(&event)).unwrap_or(TemplateChannel::Letter));
                        }
                    >
                        {TemplateChannel::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.as_str() prop:selected=move || channel.get() == choice>
                                        {if choice == TemplateChannel::Letter { "Letter" } else { "Email" }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldMessage id="template-channel-error" message=channel_message />
                </div>
                <div class="field">
                    <label for="template-creditor">"Creditor"</label>
                    <select
                        id="template-creditor"
                        aria-describedby="template-creditor-error"
                        on:change=move |event| creditor.set(event_target_value(&event).parse::<Uuid>().ok())
                    >
                        <option value="" prop:selected=move || creditor.get().is_none()>
                            "All creditors"
                        </option>
                        {move || {
                            creditors
                                .get()
                                .into_iter()
                                .map(|choice| {
                                    let id = choice.id;
                                    view! {
                                        <option value=id.to_string() prop:selected=move || creditor.get() == Some(id)>
                                            {choice.name}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                    <FieldMessage id="template-creditor-error" message=creditor_message />
                </div>
            </div>
            <label class="checkbox">
                <input
                    id="template-legal"
                    type="checkbox"
                    prop:checked=move || legal.get()
                    on:change=move |event| legal.set(event_target_checked(&event))
                />
                " The text speaks of legal action (court, lawsuit, attorney\u{2026}). Time-barred debts never receive it."
            </label>
            <TemplateTextFields
                prefix="template"
                subject=subject
                body=body
                subject_message=subject_message
                body_message=body_message
            />
            <button type="submit" id="template-create" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Create template" }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &str, name: &str, body: &str, legal: bool) -> CreateTemplateRequest {
        CreateTemplateRequest {
            creditor_id: None,
            key: key.to_string(),
            name: name.to_string(),
            channel: TemplateChannel::Letter,
            mentions_legal_action: legal,
            subject: "Account {{account.reference}}".to_string(),
            body: body.to_string(),
        }
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    #[test]
    fn valid_request_passes() {
        assert!(check_request(&request("reminder_2", "Reminder", "Dear {{debtor.name}}", false)).is_empty());
    }

    #[test]
    fn bad_key_and_empty_name_reported() {
        let problems = check_request(&request("2nd-Reminder", " ", "Dear {{debtor.name}}", false));
        assert_eq!(fields(&problems), ["key", "name"]);
    }

    #[test]
    fn legal_words_need_the_mark() {
        let unmarked = check_request(&request("demand", "Demand", "We may take you to court.", false));
        assert_eq!(fields(&unmarked), ["body"]);
        assert!(check_request(&request("demand", "Demand", "We may take you to court.", true)).is_empty());
    }

    #[test]
    fn unknown_merge_field_reported() {
        let problems = check_request(&request("note", "Note", "Dear {{debtor.nmae}}", false));
        assert_eq!(problems[0].code, "unknown_field");
    }
}
