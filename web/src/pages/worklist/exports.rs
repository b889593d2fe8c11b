//! Buttons that download the call and mailing lists of the accounts that
//! match the worklist's filters, as CSV or XLSX.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::url_state::WorklistState;
use crate::api::{self, ExportFile, ExportFormat, ExportList};
use crate::components::{format_count, save_bytes_file, ErrorBanner, Notice};

/// The four exports, in the order the buttons show them.
const EXPORTS: [(ExportList, ExportFormat, &str, &str); 4] = [
    (ExportList::Call, ExportFormat::Csv, "export-call-csv", "Call list (CSV)"),
    (ExportList::Call, ExportFormat::Xlsx, "export-call-xlsx", "Call list (XLSX)"),
    (ExportList::Mailing, ExportFormat::Csv, "export-mailing-csv", "Mailing list (CSV)"),
    (ExportList::Mailing, ExportFormat::Xlsx, "export-mailing-xlsx", "Mailing list (XLSX)"),
];

/// Describes a saved export: its rows, and the accounts the rules left out.
fn describe_export(file: &ExportFile, label: &str) -> String {
    let mut message = match file.rows {
        Some(1) => format!("{label} saved as {} with 1 row.", file.file_name),
        Some(rows) => format!("{label} saved as {} with {} rows.", file.file_name, format_count(rows)),
        None => format!("{label} saved as {}.", file.file_name),
    };
    match file.blocked_accounts {
        Some(0) => message.push_str(" No account was left out."),
        Some(1) => message.push_str(" 1 account left out because it cannot be contacted."),
        Some(count) => {
            message.push_str(&format!(" {} accounts left out because they cannot be contacted.", format_count(count)));
        }
        None => message.push_str(" The server did not say how many accounts were left out."),
    }
    message
}

#[component]
pub fn ExportButtons(state: Memo<WorklistState>) -> impl IntoView {
    let busy = RwSignal::new(None::<&'static str>);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);

    let start = move |list: ExportList, format: ExportFormat, id: &'static str, label: &'static str| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(id));
        notice.set(None);
        error.set(None);
        let query = state.with_untracked(|state| state.query.clone());
        spawn_local(async move {
            match api::download_export(list, format, &query).await {
                Ok(file) => match save_bytes_file(&file.file_name, &file.bytes, format.media_type()) {
                    Ok(()) => {
                        notice.try_set(Some(describe_export(&file, label)));
                    }
                    Err(reason) => {
                        error.try_set(Some(format!("The {label} could not be saved: {reason}.")));
                    }
                },
                Err(failure) => {
                    let detail = failure.field_message("filter").unwrap_or_else(|| failure.message());
                    error.try_set(Some(format!("The {label} could not be exported. {detail}")));
                }
            }
            busy.try_set(None);
        });
    };

    view! {
        <div class="export-actions" role="group" aria-label="Export the accounts that match the filters">
            {EXPORTS
                .into_iter()
                .map(|(list, format, id, label)| {
                    view! {
                        <button
                            type="button"
                            class="secondary"
                            id=id
                            disabled=move || busy.get().is_some()
                            on:click=move |_| start(list, format, id, label)
                        >
                            {move || if busy.get() == Some(id) { "Exporting\u{2026}" } else { label }}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        {move || notice.get().map(|message| view! { <div id="export-notice"><Notice message=message /></div> })}
        {move || error.get().map(|message| view! { <ErrorBanner message=message id="export-error" /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rows: Option<u64>, blocked: Option<u64>) -> ExportFile {
        ExportFile { bytes: Vec::new(), file_name: "call-list.csv".to_string(), rows, blocked_accounts: blocked }
    }

    #[test]
    fn blocked_accounts_counted() {
        let message = describe_export(&file(Some(12), Some(3)), "Call list (CSV)");
        assert_eq!(
            message,
            "Call list (CSV) saved as call-list.csv with 12 rows. 3 accounts left out because they cannot be contacted."
        );
    }

    #[test]
    fn one_blocked_account_singular() {
        let message = describe_export(&file(Some(1), Some(1)), "Call list (CSV)");
        assert_eq!(
            message,
            "Call list (CSV) saved as call-list.csv with 1 row. 1 account left out because it cannot be contacted."
        );
    }

    #[test]
    fn nothing_blocked_said() {
        let message = describe_export(&file(None, Some(0)), "Call list (CSV)");
        assert_eq!(message, "Call list (CSV) saved as call-list.csv. No account was left out.");
    }
}
