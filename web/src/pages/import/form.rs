//! The upload form: creditor by name, import profile and file.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::imports::{ImportProfileDto, ImportReport};

use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, FieldMessage};

/// Problems found before upload, one per field.
#[derive(Clone, Debug, Default, PartialEq)]
struct MissingFields {
    creditor: bool,
    profile: bool,
    file: bool,
}

#[component]
pub fn ImportForm(
    /// Called with the report of the import the server has started.
    on_started: Callback<ImportReport>,
) -> impl IntoView {
    let creditor_names = RwSignal::new(Vec::<String>::new());
    let profiles = RwSignal::new(None::<Result<Vec<ImportProfileDto>, ApiError>>);
    spawn_local(async move {
        // Name suggestions only; the form works without them.
        if let Ok(creditors) = api::list_creditors().await {
            creditor_names.try_set(creditors.into_iter().map(|creditor| creditor.name).collect());
        }
    });
    spawn_local(async move {
        let loaded = api::list_import_profiles().await;
        profiles.try_set(Some(loaded));
    });

    let creditor = RwSignal::new(String::new());
    let profile = RwSignal::new(String::new());
    let file_input = NodeRef::<html::Input>::new();
    let missing = RwSignal::new(MissingFields::default());
    let error = RwSignal::new(None::<ApiError>);
    let uploading = RwSignal::new(false);

    // With a single profile there is nothing to choose.
    Effect::new(move |_| {
        profiles.with(|profiles| {
            if let Some(Ok(list)) = profiles {
                if list.len() == 1 && profile.get_untracked().is_empty() {
                    profile.set(list[0].name.clone());
                }
            }
        })
    });

    let server_message = move |field: &'static str| {
        Signal::derive(move || error.with(|error| error.as_ref().and_then(|error| error.field_message(field))))
    };
    let creditor_server = server_message("creditor");
    let profile_server = server_message("profile");
    let file_server = server_message("file");
    let creditor_message = Signal::derive(move || {
        if missing.with(|missing| missing.creditor) {
            return Some("Creditor is missing; type the creditor's name. A new name creates the creditor.".to_string());
        }
        creditor_server.get()
    });
    let profile_message = Signal::derive(move || {
        if missing.with(|missing| missing.profile) {
            return Some("Profile is missing; choose how the file is read.".to_string());
        }
        profile_server.get()
    });
    let file_message = Signal::derive(move || {
        if missing.with(|missing| missing.file) {
            return Some("File is missing; choose the placement file to upload.".to_string());
        }
        file_server.get()
    });
    let profile_description = move || {
        let chosen = profile.get();
        profiles.with(|profiles| match profiles {
            Some(Ok(list)) => list.iter().find(|p| p.name == chosen).map(|p| p.description.clone()),
            _ => None,
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        let creditor_name = creditor.get_untracked().trim().to_string();
        let profile_name = profile.get_untracked();
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        let found = MissingFields {
            creditor: creditor_name.is_empty(),
            profile: profile_name.is_empty(),
            file: file.is_none(),
        };
        error.set(None);
        missing.set(found.clone());
        let Some(file) = file.filter(|_| found == MissingFields::default()) else {
            return;
        };

        uploading.set(true);
        spawn_local(async move {
            match api::start_import(&profile_name, &creditor_name, &file).await {
                Ok(report) => {
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                    on_started.run(report);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            uploading.try_set(false);
        });
    };

    view! {
        <form class="import-form" on:submit=on_submit novalidate=true>
            {move || error.get().map(|error| view! { <ErrorBanner message=error.message() id="upload-error" /> })}
            <div class="field">
                <label for="import-creditor">"Creditor"</label>
                <input
                    id="import-creditor"
                    type="text"
                    list="import-creditor-names"
                    autocomplete="off"
                    placeholder="Type a creditor's name"
                    aria-describedby="import-creditor-error"
                    aria-invalid=move || creditor_message.get().is_some().to_string()
                    prop:value=move || creditor.get()
                    on:input=move |event| creditor.set(event_target_value(&event))
                />
                <datalist id="import-creditor-names">
                    {move || {
                        creditor_names
                            .get()
                            .into_iter()
                            .map(|name| view! { <option value=name></option> })
                            .collect_view()
                    }}
                </datalist>
                <FieldMessage id="import-creditor-error" message=creditor_message />
            </div>
            <div class="field">
                <label for="import-profile">"Import profile"</label>
                <select
                    id="import-profile"
                    aria-describedby="import-profile-error"
                    aria-invalid=move || profile_message.get().is_some().to_string()
                    on:change=move |event| profile.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || profile.with(String::is_empty)>
                        "Choose a profile"
                    </option>
                    {move || match profiles.get() {
                        Some(Ok(list)) => list
                            .into_iter()
                            .map(|option| {
                                let name = option.name.clone();
                                let selected = {
                                    let name = name.clone();
                                    move || profile.with(|chosen| *chosen == name)
                                };
                                view! { <option value=name.clone() prop:selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()
                            .into_any(),
                        _ => ().into_any(),
                    }}
                </select>
                <p class="hint">{profile_description}</p>
                {move || match profiles.get() {
                    Some(Err(error)) => Some(view! {
                        <ErrorBanner message=format!("Import profiles could not be loaded: {}", error.message()) />
                    }),
                    _ => None,
                }}
                <FieldMessage id="import-profile-error" message=profile_message />
            </div>
            <div class="field">
                <label for="import-file">"Placement file"</label>
                <input
                    id="import-file"
                    type="file"
                    accept=".csv,.txt,.tsv,text/csv,text/plain"
                    node_ref=file_input
                    aria-describedby="import-file-error"
                    aria-invalid=move || file_message.get().is_some().to_string()
                />
                <FieldMessage id="import-file-error" message=file_message />
            </div>
            <button type="submit" id="import-submit" class="primary" disabled=move || uploading.get()>
                {move || if uploading.get() { "Uploading\u{2026}" } else { "Upload and import" }}
            </button>
        </form>
    }
}
