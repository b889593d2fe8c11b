//! The form that adds the next version of a template, starting from the
//! text of the newest one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::correspondence::{check_template_text, CreateVersionRequest, TemplateDto, TemplateVersionDto};
use shared::FieldError;

use super::text_fields::TemplateTextFields;
use super::{field_message, rejection_banner};
use crate::api::{self, ApiError};
use crate::components::ErrorBanner;

#[component]
pub fn NewVersionForm(
    template: TemplateDto,
    /// Called with the version the server saved.
    on_saved: Callback<TemplateVersionDto>,
) -> impl IntoView {
    let template_id = template.id;
    let mentions_legal_action = template.mentions_legal_action;
    let subject = RwSignal::new(template.current.subject.clone());
    let body = RwSignal::new(template.current.body.clone());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let subject_message = field_message(problems, error, "subject");
    let body_message = field_message(problems, error, "body");
    let banner = move || error.with(|error| error.as_ref().map(|error| rejection_banner(error, "version", &["subject", "body"])));

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let request = CreateVersionRequest { subject: subject.get_untracked(), body: body.get_untracked() };
        let found = check_template_text(&request.subject, &request.body, mentions_legal_action);
        if !found.is_empty() {
            problems.set(found);
            return;
        }
        problems.set(Vec::new());
        saving.set(true);
        spawn_local(async move {
            match api::create_template_version(template_id, &request).await {
                Ok(version) => on_saved.run(version),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    let legal_hint = if mentions_legal_action {
        "This template is marked as speaking of legal action, so time-barred debts never receive it."
    } else {
        "This template is not marked as speaking of legal action, so its text may not mention court, lawsuits or the like."
    };
    view! {
        <form class="template-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="version-error" /> })}
            <p class="hint">{legal_hint}</p>
            <TemplateTextFields
                prefix="version"
                subject=subject
                body=body
                subject_message=subject_message
                body_message=body_message
            />
            <button type="submit" id="version-save" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Save as new version" }}
            </button>
        </form>
    }
}
