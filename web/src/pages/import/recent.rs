//! The list of recent imports.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::imports::ImportSummary;
use uuid::Uuid;

use super::import_status_word;
use crate::api::{self, ApiError};
use crate::components::{format_count, format_datetime, ErrorBanner, TableMessageRow};

#[component]
pub fn RecentImports(
    /// Notified when the list may have changed.
    reload: Trigger,
    /// The import shown in the report, highlighted in the list.
    selected: Memo<Option<Uuid>>,
    on_select: Callback<Uuid>,
) -> impl IntoView {
    let imports = RwSignal::new(None::<Result<Vec<ImportSummary>, ApiError>>);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        reload.track();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        spawn_local(async move {
            let response = api::list_recent_imports().await;
            if generation.try_get_value() == Some(this_request) {
                imports.try_set(Some(response));
            }
        });
    });

    let row = move |summary: ImportSummary| {
        let id = summary.id;
        let word = import_status_word(summary.status);
        let open = move || on_select.run(id);
        view! {
            <tr
                tabindex="0"
                class="row-link"
                class:selected=move || selected.get() == Some(id)
                data-import-id=id.to_string()
                on:click=move |_| open()
                on:keydown=move |event| {
                    if event.key() == "Enter" {
                        event.prevent_default();
                        open();
                    }
                }
            >
                <td class="nowrap">{format_datetime(summary.started_at)}</td>
                <td>{summary.file_name}</td>
                <td>{summary.creditor_name}</td>
                <td>
                    <code>{summary.profile}</code>
                </td>
                <td>
                    <span class=format!("badge import-{word}")>{word}</span>
                </td>
                <td class="numeric">{format_count(summary.rows)}</td>
                <td class="numeric">{format_count(summary.imported)}</td>
                <td class="numeric">{format_count(summary.updated)}</td>
                <td class="numeric">{format_count(summary.rejected)}</td>
            </tr>
        }
    };

    view! {
        <div class="table-wrap">
            <table class="data-table" id="recent-imports">
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"File"</th>
                        <th scope="col">"Creditor"</th>
                        <th scope="col">"Profile"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="numeric">"Rows"</th>
                        <th scope="col" class="numeric">"Imported"</th>
                        <th scope="col" class="numeric">"Updated"</th>
                        <th scope="col" class="numeric">"Rejected"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || match imports.get() {
                        None => view! { <TableMessageRow colspan=9>"Loading imports\u{2026}"</TableMessageRow> }.into_any(),
                        Some(Err(error)) => view! {
                            <TableMessageRow colspan=9>
                                <ErrorBanner message=error.message() />
                            </TableMessageRow>
                        }
                        .into_any(),
                        Some(Ok(list)) if list.is_empty() => view! {
                            <TableMessageRow colspan=9>"No imports yet."</TableMessageRow>
                        }
                        .into_any(),
                        Some(Ok(list)) => list.into_iter().map(row).collect_view().into_any(),
                    }}
                </tbody>
            </table>
        </div>
    }
}
