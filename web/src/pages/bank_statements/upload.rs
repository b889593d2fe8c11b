//! The upload form (creditor and file) and the result of the import.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::CreditorDto;
use shared::bank_statements::{BalanceCheck, StatementImportDto};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{format_count, ErrorBanner, FieldMessage};

#[component]
pub fn StatementUpload(
    /// Called with the import once the server has stored and matched the file.
    on_imported: Callback<StatementImportDto>,
) -> impl IntoView {
    let creditors = RwSignal::new(Vec::<CreditorDto>::new());
    spawn_local(async move {
        if let Ok(list) = api::list_creditors().await {
            creditors.try_set(list);
        }
    });

    let creditor = RwSignal::new(String::new());
    let file_input = NodeRef::<html::Input>::new();
    let missing = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<ApiError>);
    let uploading = RwSignal::new(false);
    let result = RwSignal::new(None::<StatementImportDto>);

    let creditor_message = Signal::derive(move || match missing.get() {
        Some("creditor") => Some("Creditor is missing; choose whose bank account the statement is for.".to_string()),
        _ => error.with(|error| error.as_ref().and_then(|error| error.field_message("creditor_id"))),
    });
    let file_message = Signal::derive(move || match missing.get() {
        Some("file") => Some("File is missing; choose a camt.053, camt.054 or MT940 file.".to_string()),
        _ => error.with(|error| error.as_ref().and_then(|error| error.field_message("file"))),
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        let creditor_id = creditor.get_untracked().parse::<Uuid>().ok();
        let file = file_input.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        error.set(None);
        result.set(None);
        let (Some(creditor_id), Some(file)) = (creditor_id, file.clone()) else {
            missing.set(Some(if creditor_id.is_none() { "creditor" } else { "file" }));
            return;
        };
        missing.set(None);

        uploading.set(true);
        spawn_local(async move {
            match api::bank_statements::upload_statement(creditor_id, &file).await {
                Ok(import) => {
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                    result.try_set(Some(import.clone()));
                    on_imported.run(import);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            uploading.try_set(false);
        });
    };

    view! {
        <form class="statement-upload" id="statement-upload-form" on:submit=on_submit novalidate=true>
            {move || {
                error
                    .get()
                    .filter(|error| error.field_errors().is_empty())
                    .map(|error| view! { <ErrorBanner message=error.message() id="statement-upload-error" /> })
            }}
            <div class="field">
                <label for="statement-creditor">"Creditor"</label>
                <select
                    id="statement-creditor"
                    aria-describedby="statement-creditor-error"
                    aria-invalid=move || creditor_message.get().is_some().to_string()
                    on:change=move |event| creditor.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || creditor.with(String::is_empty)>
                        "Choose a creditor"
                    </option>
                    {move || {
                        creditors
                            .get()
                            .into_iter()
                            .map(|option| {
                                let id = option.id.to_string();
                                let selected = {
                                    let id = id.clone();
                                    move || creditor.with(|chosen| *chosen == id)
                                };
                                view! { <option value=id prop:selected=selected>{option.name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
                <FieldMessage id="statement-creditor-error" message=creditor_message />
            </div>
            <div class="field">
                <label for="statement-file">"Statement file"</label>
                <input
                    id="statement-file"
                    type="file"
                    accept=".xml,.sta,.txt,.940,.mt940,application/xml,text/xml,text/plain"
                    node_ref=file_input
                    aria-describedby="statement-file-error"
                    aria-invalid=move || file_message.get().is_some().to_string()
                />
                <p class="hint">"camt.053 or camt.054 XML, or MT940 text. The same file is imported only once."</p>
                <FieldMessage id="statement-file-error" message=file_message />
            </div>
            <button type="submit" id="statement-submit" class="primary" disabled=move || uploading.get()>
                {move || if uploading.get() { "Importing\u{2026}" } else { "Upload and match" }}
            </button>
        </form>
        {move || result.get().map(|import| view! { <ImportResult import=import /> })}
    }
}

/// Shows the counts of a finished import and each statement's balance check.
#[component]
fn ImportResult(import: StatementImportDto) -> impl IntoView {
    let counts = import
        .status_counts
        .iter()
        .map(|count| format!("{} {}", count.status.label(), format_count(count.count.unsigned_abs())))
        .collect::<Vec<_>>()
        .join(" \u{b7} ");
    let repeated = (import.repeated_entry_count > 0).then(|| {
        format!(
            "{} entries were already imported from an earlier file and were not posted again.",
            format_count(u64::from(import.repeated_entry_count.unsigned_abs()))
        )
    });
    let statements = import
        .statements
        .into_iter()
        .map(|statement| {
            let (class, text) = match statement.balance_check {
                BalanceCheck::Balanced => ("balance-ok", "balances add up".to_string()),
                BalanceCheck::NotChecked => ("balance-unchecked", "no opening or closing balance to check".to_string()),
                BalanceCheck::Mismatch => {
                    ("balance-mismatch", format!("balances do not add up: {}", statement.balance_check_message.unwrap_or_default()))
                }
            };
            view! {
                <li class=class>
                    {format!("Statement {} ({} entries): {text}", statement.statement_ref, statement.entry_count)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="banner banner-info" role="status" id="statement-import-result">
            <p>{format!("Imported {} entries from {}. {counts}", format_count(u64::from(import.entry_count.unsigned_abs())), import.file_name)}</p>
            {repeated.map(|text| view! { <p>{text}</p> })}
            <ul>{statements}</ul>
        </div>
    }
}
