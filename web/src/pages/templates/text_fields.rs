//! The subject and body inputs that both template forms use.

use leptos::prelude::*;
use shared::correspondence::{field_names, BODY_MAX_CHARS, SUBJECT_MAX_CHARS};

use crate::components::FieldMessage;

/// Renders the subject input and the body text area, each with its error
/// message; the body lists the merge fields below it. Element ids start with
/// `prefix`, such as `template-subject` and `template-body`.
#[component]
pub fn TemplateTextFields(
    prefix: &'static str,
    subject: RwSignal<String>,
    body: RwSignal<String>,
    subject_message: Signal<Option<String>>,
    body_message: Signal<Option<String>>,
) -> impl IntoView {
    let id = move |name: &str| format!("{prefix}-{name}");
    view! {
        <div class="field">
            <label for=id("subject")>"Subject"</label>
            <input
                id=id("subject")
                type="text"
                maxlength=SUBJECT_MAX_CHARS.to_string()
                aria-describedby=id("subject-error")
                aria-invalid=move || subject_message.get().is_some().to_string()
                prop:value=move || subject.get()
                on:input=move |event| subject.set(event_target_value(&event))
            />
            <FieldMessage id=id("subject-error") message=subject_message />
        </div>
        <div class="field">
            <label for=id("body")>"Body"</label>
            <textarea
                id=id("body")
                rows="8"
                maxlength=BODY_MAX_CHARS.to_string()
                aria-describedby=format!("{} {}", id("body-hint"), id("body-error"))
                aria-invalid=move || body_message.get().is_some().to_string()
                prop:value=move || body.get()
                on:input=move |event| body.set(event_target_value(&event))
            ></textarea>
            <p class="hint" id=id("body-hint")>{format!("Merge fields: {}.", field_names())}</p>
            <FieldMessage id=id("body-error") message=body_message />
        </div>
    }
}
