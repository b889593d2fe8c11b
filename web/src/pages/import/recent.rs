//! The list of imports, newest first, one page at a time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::imports::ImportSummary;
use shared::Page;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::import_status_word;
use crate::api::{self, ApiError};
use crate::components::{format_count, format_datetime, ErrorBanner, TableMessageRow};

/// Column count of the import list, for rows that span all columns.
const COLUMN_COUNT: u32 = 11;

/// Returns the URL of the import page showing the report of import `id`.
pub fn import_report_url(id: Uuid) -> String {
    format!("/imports?import={id}")
}

#[component]
pub fn RecentImports(
    /// Notified when the imports on the current page may have changed.
    reload: Trigger,
    /// Notified to go back to the first page, where a new import appears.
    show_newest: Trigger,
    /// The import shown in the report, highlighted in the list.
    selected: Memo<Option<Uuid>>,
    on_select: Callback<Uuid>,
) -> impl IntoView {
    // The cursor of the page shown (`None` for the newest imports), and the
    // cursors of the newer pages before it, newest page first.
    let cursor = RwSignal::new(None::<String>);
    let newer_cursors = RwSignal::new(Vec::<Option<String>>::new());

    let page = RwSignal::new(None::<Result<Page<ImportSummary>, ApiError>>);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        reload.track();
        let page_cursor = cursor.get();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        spawn_local(async move {
            let response = api::list_imports(page_cursor).await;
            if generation.try_get_value() == Some(this_request) {
                page.try_set(Some(response));
            }
        });
    });
    // The first run only subscribes: the page starts on the newest imports anyway.
    Effect::new(move |previous: Option<()>| {
        show_newest.track();
        if previous.is_some() {
            newer_cursors.set(Vec::new());
            cursor.set(None);
        }
    });

    let older_cursor = Memo::new(move |_| {
        page.with(|page| match page {
            Some(Ok(page)) => page.next_cursor.clone(),
            _ => None,
        })
    });
    let show_older = move |_| {
        if let Some(next) = older_cursor.get_untracked() {
            newer_cursors.update(|stack| stack.push(cursor.get_untracked()));
            cursor.set(Some(next));
        }
    };
    let show_newer = move |_| {
        if let Some(previous) = newer_cursors.try_update(Vec::pop).flatten() {
            cursor.set(previous);
        }
    };
    let page_label = move || format!("Page {}", newer_cursors.with(Vec::len) + 1);

    let row = move |summary: ImportSummary| {
        let id = summary.id;
        let word = import_status_word(summary.status);
        let row_label = format!("Import of {}", summary.file_name);
        let open_on_click = move |event: leptos::ev::MouseEvent| {
            // A click on the file link is left to the link, so the page does not navigate twice.
            let on_link = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest("a").ok().flatten())
                .is_some();
            if !on_link {
                on_select.run(id);
            }
        };
        view! {
            <tr
                tabindex="0"
                class="row-link"
                class:selected=move || selected.get() == Some(id)
                data-import-id=id.to_string()
                aria-label=row_label
                on:click=open_on_click
                on:keydown=move |event| {
                    if event.key() == "Enter" {
                        event.prevent_default();
                        on_select.run(id);
                    }
                }
            >
                <td class="nowrap">{format_datetime(summary.started_at)}</td>
                <td>
                    // The row is the keyboard target, so the link stays out of the tab order.
                    <a href=import_report_url(id) tabindex="-1">
                        {summary.file_name}
                    </a>
                </td>
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
                <td class="numeric">{format_count(summary.unchanged)}</td>
                <td class="numeric">{format_count(summary.skipped)}</td>
                <td class="numeric">{format_count(summary.rejected)}</td>
            </tr>
        }
    };

    view! {
        <div class="table-wrap">
            <table class="data-table" id="recent-imports">
                <caption class="visually-hidden">
                    "Imports, newest first. Rows is the sum of Imported, Updated, Unchanged, Skipped and Rejected. Select a row to show its report."
                </caption>
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
                        <th scope="col" class="numeric">"Unchanged"</th>
                        <th scope="col" class="numeric">"Skipped"</th>
                        <th scope="col" class="numeric">"Rejected"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || match page.get() {
                        None => {
                            view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading imports\u{2026}"</TableMessageRow> }
                                .into_any()
                        }
                        Some(Err(error)) => view! {
                            <TableMessageRow colspan=COLUMN_COUNT>
                                <ErrorBanner message=error.message() />
                                <button type="button" on:click=move |_| reload.notify()>
                                    "Try again"
                                </button>
                            </TableMessageRow>
                        }
                        .into_any(),
                        Some(Ok(page)) if page.items.is_empty() && newer_cursors.with(Vec::is_empty) => view! {
                            <TableMessageRow colspan=COLUMN_COUNT>"No imports yet."</TableMessageRow>
                        }
                        .into_any(),
                        Some(Ok(page)) if page.items.is_empty() => view! {
                            <TableMessageRow colspan=COLUMN_COUNT>"No older imports."</TableMessageRow>
                        }
                        .into_any(),
                        Some(Ok(page)) => page.items.into_iter().map(row).collect_view().into_any(),
                    }}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Import pages">
            <button
                type="button"
                id="imports-newer"
                disabled=move || newer_cursors.with(Vec::is_empty)
                on:click=show_newer
            >
                "Newer imports"
            </button>
            <span class="page-label">{page_label}</span>
            <button
                type="button"
                id="imports-older"
                disabled=move || older_cursor.with(Option::is_none)
                on:click=show_older
            >
                "Older imports"
            </button>
        </nav>
    }
}
