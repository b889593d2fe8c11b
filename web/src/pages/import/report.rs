//! One import's report: status, progress, counts and rejected rows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::imports::{ImportReport, ImportStatus, RejectedRow};
use shared::money::Rounding;
use uuid::Uuid;

use super::import_status_word;
use crate::api;
use crate::components::{format_bytes, format_count, format_datetime, save_text_file, ErrorBanner, TableMessageRow};

/// Rejected rows drawn in the table; the CSV report has all of them.
const MAX_REJECTED_ROWS_SHOWN: usize = 1000;

fn rounding_label(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::HalfEven => "half to even",
        Rounding::HalfUp => "half up",
        Rounding::Reject => "reject",
    }
}

/// Renders the progress bar and its text, with an indeterminate bar while the size is unknown.
#[component]
fn ImportProgress(bytes_read: u64, bytes_total: u64, status: ImportStatus) -> impl IntoView {
    let done = status != ImportStatus::Running;
    let (value, max, text) = if bytes_total == 0 {
        if done {
            (Some(1), 1, "Finished".to_string())
        } else {
            (None, 1, format!("{} read", format_bytes(bytes_read)))
        }
    } else {
        let read_so_far = bytes_read.min(bytes_total);
        let percent = read_so_far * 100 / bytes_total;
        let text = format!("{} of {} ({percent}%)", format_bytes(read_so_far), format_bytes(bytes_total));
        (Some(read_so_far), bytes_total, text)
    };
    view! {
        <div class="progress">
            <progress
                id="import-progress"
                max=max.to_string()
                value=value.map(|value| value.to_string())
                aria-label="Import progress"
            ></progress>
            <span class="progress-text">{text}</span>
        </div>
    }
}

fn count_item(label: &'static str, value: u64) -> impl IntoView {
    view! {
        <dt>{label}</dt>
        <dd class="numeric">{format_count(value)}</dd>
    }
}

/// Renders the link that downloads the CSV report with the session's token.
#[component]
fn ReportCsvLink(import_id: Uuid, file_name: String) -> impl IntoView {
    let download_error = RwSignal::new(None::<String>);
    let downloading = RwSignal::new(false);
    let report_name = format!("import-report-{}.csv", file_name.trim_end_matches(".csv"));
    let on_click = move |event: leptos::ev::MouseEvent| {
        // The endpoint needs the bearer token, which a plain link does not send.
        event.prevent_default();
        if downloading.get_untracked() {
            return;
        }
        downloading.set(true);
        download_error.set(None);
        let report_name = report_name.clone();
        spawn_local(async move {
            let outcome = match api::download_report_csv(import_id).await {
                Ok(text) => save_text_file(&report_name, &text, "text/csv")
                    .map_err(|reason| format!("The report could not be saved: {reason}.")),
                Err(error) => Err(error.message()),
            };
            download_error.try_set(outcome.err());
            downloading.try_set(false);
        });
    };
    view! {
        <p>
            <a id="import-report-csv" href=api::report_csv_path(import_id) on:click=on_click>
                "Download the full report (CSV)"
            </a>
            {move || downloading.get().then_some(" Downloading\u{2026}")}
        </p>
        {move || download_error.get().map(|message| view! { <ErrorBanner message=message /> })}
    }
}

fn rejected_row(row: RejectedRow) -> impl IntoView {
    view! {
        <tr>
            <td class="numeric">{row.line}</td>
            <td>{row.column.unwrap_or_else(|| "(whole row)".to_string())}</td>
            <td class="code">{row.code}</td>
            <td>{row.message}</td>
        </tr>
    }
}

#[component]
pub fn ImportReportView(report: ImportReport) -> impl IntoView {
    let status_word = import_status_word(report.status);
    let rejected_total = report.rejected_rows.len();
    let rejected_rows: Vec<RejectedRow> = report.rejected_rows.iter().take(MAX_REJECTED_ROWS_SHOWN).cloned().collect();
    let finished = report.finished_at.map(format_datetime);
    let skipped_reasons = report.skipped_reasons.clone();

    view! {
        <p class="import-title">
            <strong>{report.file_name.clone()}</strong>
            " for " {report.creditor_name.clone()} " with profile " <code>{report.profile.clone()}</code>
        </p>
        <p id="import-status" class="import-status" aria-live="polite">
            "Status: " <span class=format!("badge import-{status_word}")>{status_word}</span>
            <span class="muted">
                " \u{00B7} started " {format_datetime(report.started_at)}
                {finished.map(|time| format!(" \u{00B7} finished {time}"))}
            </span>
        </p>
        <ImportProgress bytes_read=report.bytes_read bytes_total=report.bytes_total status=report.status />
        {report
            .failure
            .clone()
            .map(|failure| view! { <ErrorBanner message=format!("The import failed. {}", api::as_sentence(&failure)) /> })}
        <div id="import-counts" class="counts">
            <dl class="facts">
                {count_item("Rows", report.rows)}
                {count_item("Imported", report.imported)}
                {count_item("Updated", report.updated)}
                {count_item("Unchanged", report.unchanged)}
                {count_item("Skipped", report.skipped)}
                {count_item("Rejected", report.rejected)}
            </dl>
            <dl class="facts">
                {count_item("Empty lines (skipped)", report.empty_lines)}
                {count_item("Debtor name missing", report.missing_name)}
                {count_item("No valid contact", report.no_valid_contact)}
                {count_item("Invalid phone numbers", report.invalid_phones)}
                {count_item("Invalid email addresses", report.invalid_emails)}
                <dt>"Rounded amounts"</dt>
                <dd class="numeric">
                    {format_count(report.rounded_amounts)}
                    <span class="muted">{format!(" ({})", rounding_label(report.rounding))}</span>
                </dd>
            </dl>
            <dl class="facts">
                <dt>"Duration"</dt>
                <dd class="numeric">{format!("{:.1} s", report.duration_ms as f64 / 1000.0)}</dd>
                {count_item("Rows per second", report.rows_per_second)}
            </dl>
        </div>
        {(!skipped_reasons.is_empty())
            .then(|| {
                view! {
                    <h3>"Why rows were skipped"</h3>
                    <ul class="reasons">
                        {skipped_reasons
                            .into_iter()
                            .map(|reason| view! { <li>{reason.reason} ": " {format_count(reason.count)}</li> })
                            .collect_view()}
                    </ul>
                }
            })}
        <ReportCsvLink import_id=report.id file_name=report.file_name.clone() />
        <h3>"Rejected rows"</h3>
        {(rejected_total > MAX_REJECTED_ROWS_SHOWN)
            .then(|| {
                view! {
                    <p class="hint">
                        {format!(
                            "Showing the first {} of {} rejected rows; the CSV report has all of them.",
                            format_count(MAX_REJECTED_ROWS_SHOWN as u64),
                            format_count(rejected_total as u64),
                        )}
                    </p>
                }
            })}
        <div class="table-wrap short">
            <table class="data-table compact" id="import-rejected">
                <thead>
                    <tr>
                        <th scope="col" class="numeric">"Line"</th>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Code"</th>
                        <th scope="col">"Problem"</th>
                    </tr>
                </thead>
                <tbody>
                    {if rejected_rows.is_empty() {
                        view! { <TableMessageRow colspan=4>"No rejected rows."</TableMessageRow> }.into_any()
                    } else {
                        rejected_rows.into_iter().map(rejected_row).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </div>
    }
}
