//! The form that sends a letter or email: pick a template, read its preview
//! for the account with the contact rules' decision, then generate it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::correspondence::{CorrespondenceDto, GenerateRequest, PreviewDto, PreviewRequest, TemplateDto};
use uuid::Uuid;

use crate::api::{self, as_sentence, ApiError};
use crate::components::{ErrorBanner, FieldMessage, PreviewView};
use crate::pages::account::keys::PendingKeys;

/// Field names as the API names them in its field errors.
mod field {
    pub const TEMPLATE: &str = "template_id";
    pub const SUBJECT: &str = "subject";
    pub const BODY: &str = "body";
}

type Templates = Signal<Option<Result<Vec<TemplateDto>, ApiError>>>;

/// Lists the field errors of `error` whose field is one of `fields`, as sentences.
fn field_sentences(error: &ApiError, fields: &[&str]) -> Vec<String> {
    error
        .field_errors()
        .iter()
        .filter(|problem| fields.contains(&problem.field.as_str()))
        .map(|problem| format!("{}: {}", problem.field, as_sentence(&problem.message)))
        .collect()
}

#[component]
pub fn SendForm(
    account_id: Uuid,
    /// The templates this account may use.
    templates: Templates,
    /// Keys of letters with an unknown outcome, by account id.
    keys: PendingKeys,
    /// Counts the changes made on the account page; the preview loads again
    /// on each, because a dispute or a call changes what the rules allow.
    activity: RwSignal<u64>,
    /// Called with the letter or email the server made, including a replay.
    on_generated: Callback<CorrespondenceDto>,
) -> impl IntoView {
    let selected = RwSignal::new(None::<Uuid>);
    let preview = RwSignal::new(None::<Result<PreviewDto, ApiError>>);
    let previewing = RwSignal::new(false);
    let choice_problem = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let generating = RwSignal::new(false);
    // Bumped to render the preview again, such as after the rules refused a letter.
    let preview_version = RwSignal::new(0u64);

    let selected_template = Memo::new(move |_| {
        let id = selected.get()?;
        templates.with(|loaded| match loaded {
            Some(Ok(items)) => items.iter().find(|template| template.id == id).cloned(),
            _ => None,
        })
    });

    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        activity.track();
        preview_version.track();
        let chosen = selected.get();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        preview.set(None);
        let Some(template_id) = chosen else {
            previewing.set(false);
            return;
        };
        previewing.set(true);
        spawn_local(async move {
            let request = PreviewRequest { account_id, version: None };
            let response = api::preview_template(template_id, &request).await;
            if generation.try_get_value() == Some(this_request) {
                preview.try_set(Some(response));
                previewing.try_set(false);
            }
        });
    });

    let template_message = Signal::derive(move || {
        choice_problem.get().or_else(|| error.with(|error| error.as_ref().and_then(|error| error.field_message(field::TEMPLATE))))
    });
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            let noun = selected_template.with(|template| template.as_ref().map_or("letter", |t| t.channel.as_str()));
            if error.outcome_unknown() {
                return Some(format!(
                    "{} The {noun} may or may not have been made. Press \u{201C}Retry\u{201D} to send the request again: \
                     the server recognises the repeat and makes the {noun} only once.",
                    error.message()
                ));
            }
            if error.code() == Some("contact_not_allowed") {
                return Some(format!("The {noun} was not made. {}", error.message()));
            }
            if error.code() == Some("idempotency_key_reused") {
                return Some(format!(
                    "An earlier attempt already made a {noun} from another template or version. \
                     It is in the list; check it there before you send again."
                ));
            }
            let text_problems = field_sentences(error, &[field::SUBJECT, field::BODY]);
            if !text_problems.is_empty() {
                return Some(format!("The {noun} was not made. {}", text_problems.join(" ")));
            }
            Some(format!("The {noun} was not made. {}", error.message()))
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if generating.get_untracked() {
            return;
        }
        error.set(None);
        let Some(template_id) = selected.get_untracked() else {
            choice_problem.set(Some("Choose a template.".to_string()));
            return;
        };
        choice_problem.set(None);
        // The version previewed is the version generated, even when someone adds a newer one meanwhile.
        let version = preview.with_untracked(|loaded| match loaded {
            Some(Ok(shown)) => Some(shown.version),
            _ => None,
        });
        let request = GenerateRequest { template_id, version };
        let key = keys.key_for(account_id);
        generating.set(true);
        spawn_local(async move {
            let response = api::generate_correspondence(account_id, &request, &key).await;
            keys.settle(account_id, response.as_ref().err());
            match response {
                Ok(made) => {
                    selected.try_set(None);
                    on_generated.run(made);
                }
                Err(failure) => {
                    let refused = failure.code() == Some("contact_not_allowed");
                    error.try_set(Some(failure));
                    if refused {
                        preview_version.try_update(|count| *count += 1);
                    }
                }
            }
            generating.try_set(false);
        });
    };

    let template_options = move || {
        templates.with(|loaded| match loaded {
            Some(Ok(items)) => items
                .iter()
                .map(|template| {
                    let id = template.id;
                    let label = format!(
                        "{} ({}, version {})",
                        template.name,
                        template.channel.as_str(),
                        template.current.version
                    );
                    view! {
                        <option value=id.to_string() prop:selected=move || selected.get() == Some(id)>
                            {label}
                        </option>
                    }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let templates_state = move || {
        templates.with(|loaded| match loaded {
            None => Some(view! { <p class="hint">"Loading templates\u{2026}"</p> }.into_any()),
            Some(Err(failure)) => Some(
                view! {
                    <ErrorBanner
                        message=format!("The templates could not be loaded. {}", failure.message())
                        id="letter-templates-error"
                    />
                }
                .into_any(),
            ),
            Some(Ok(items)) if items.is_empty() => Some(
                view! { <p class="hint">"No template is available for this account's creditor. A manager adds them on the Templates page."</p> }
                    .into_any(),
            ),
            Some(Ok(_)) => None,
        })
    };

    let preview_view = move || {
        selected.get()?;
        Some(match preview.get() {
            None => view! { <p class="hint">"Filling in the template\u{2026}"</p> }.into_any(),
            Some(Err(failure)) => {
                let problems = field_sentences(&failure, &[field::SUBJECT, field::BODY]);
                let message = if problems.is_empty() {
                    format!("The preview could not be made. {}", failure.message())
                } else {
                    format!("This template cannot be filled in for this account. {}", problems.join(" "))
                };
                view! { <ErrorBanner message=message id="letter-preview-error" /> }.into_any()
            }
            Some(Ok(shown)) => view! { <PreviewView preview=shown id="letter-preview" /> }.into_any(),
        })
    };

    let submit_label = move || {
        let noun = selected_template.with(|template| template.as_ref().map(|t| t.channel));
        if generating.get() {
            "Sending\u{2026}"
        } else if keys.is_pending(account_id) {
            "Retry"
        } else if noun == Some(shared::correspondence::TemplateChannel::Email) {
            "Queue email"
        } else {
            "Generate letter"
        }
    };

    view! {
        <form class="letter-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="letter-error" /> })}
            {templates_state}
            <div class="field">
                <label for="letter-template">"Template"</label>
                <select
                    id="letter-template"
                    aria-describedby="letter-template-error"
                    aria-invalid=move || template_message.get().is_some().to_string()
                    on:change=move |event| {
                        choice_problem.set(None);
                        error.set(None);
                        selected.set(event_target_value(&event).parse::<Uuid>().ok());
                    }
                >
                    <option value="" prop:selected=move || selected.get().is_none()>
                        "Choose a template"
                    </option>
                    {template_options}
                </select>
                <FieldMessage id="letter-template-error" message=template_message />
            </div>
            {preview_view}
            <button type="submit" id="letter-generate" class="primary" disabled=move || generating.get() || previewing.get()>
                {submit_label}
            </button>
        </form>
    }
}
