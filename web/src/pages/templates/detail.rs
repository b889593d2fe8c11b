//! One template: its versions and their text, the form for the next
//! version, and a preview against an account.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::correspondence::{TemplateDto, TemplateVersionDto};

use super::preview::TemplatePreview;
use super::version_form::NewVersionForm;
use crate::api::{self, ApiError};
use crate::components::{format_datetime, ErrorBanner, RenderedText};

#[component]
pub fn TemplateDetail(
    template: TemplateDto,
    /// Called with each version saved here.
    on_version_added: Callback<TemplateVersionDto>,
) -> impl IntoView {
    let template_id = template.id;
    let versions = RwSignal::new(None::<Result<Vec<TemplateVersionDto>, ApiError>>);
    let shown = RwSignal::new(Some(template.current.version));
    // Bumped to build the version form again from the newest text.
    let form_version = RwSignal::new(0u64);
    let current = StoredValue::new(template.clone());

    let load = move || {
        versions.set(None);
        spawn_local(async move {
            let response = api::list_template_versions(template_id).await;
            versions.try_set(Some(response));
        });
    };
    load();

    let on_saved = Callback::new(move |version: TemplateVersionDto| {
        current.update_value(|template| template.current = version.clone());
        shown.set(Some(version.version));
        versions.update(|loaded| match loaded {
            Some(Ok(items)) => items.insert(0, version.clone()),
            _ => *loaded = Some(Ok(vec![version.clone()])),
        });
        form_version.update(|count| *count += 1);
        on_version_added.run(version);
    });

    let shown_version = Memo::new(move |_| {
        let number = shown.get()?;
        versions.with(|loaded| match loaded {
            Some(Ok(items)) => items.iter().find(|version| version.version == number).cloned(),
            _ => None,
        })
    });

    let version_list = move || match versions.get() {
        None => view! { <p class="hint">"Loading versions\u{2026}"</p> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorBanner message=format!("The versions could not be loaded. {}", error.message()) id="versions-error" />
            <button type="button" on:click=move |_| load()>
                "Load versions again"
            </button>
        }
        .into_any(),
        Some(Ok(items)) => view! {
            <div class="field">
                <label for="template-version">"Version"</label>
                <select
                    id="template-version"
                    on:change=move |event| shown.set(event_target_value(&event).parse::<i32>().ok())
                >
                    {items
                        .into_iter()
                        .map(|version| {
                            let number = version.version;
                            view! {
                                <option value=number.to_string() prop:selected=move || shown.get() == Some(number)>
                                    {format!("Version {number}, saved {}", format_datetime(version.created_at))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        }
        .into_any(),
    };
    let version_text = move || {
        shown_version.get().map(|version| {
            view! {
                <RenderedText
                    subject=version.subject
                    body=version.body
                    version=version.version
                    id="template-version-text"
                />
            }
        })
    };

    view! {
        <div class="plan-layout" id="template-detail" data-template-id=template_id.to_string()>
            <section class="card" aria-labelledby="template-versions-heading">
                <h2 id="template-versions-heading">{format!("{} ({})", template.name, template.key)}</h2>
                {version_list}
                {version_text}
                <h3>"Preview"</h3>
                <TemplatePreview template_id=template_id version=shown />
            </section>
            <section class="card" aria-labelledby="template-version-form-heading">
                <h2 id="template-version-form-heading">"New version"</h2>
                {move || {
                    form_version.track();
                    view! { <NewVersionForm template=current.get_value() on_saved=on_saved /> }
                }}
            </section>
        </div>
    }
}
