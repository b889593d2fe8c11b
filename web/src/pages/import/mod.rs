//! Placement file import: upload, progress, report and the list of recent imports.

mod form;
mod recent;
mod report;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::imports::{ImportReport, ImportStatus};
use uuid::Uuid;

use self::form::ImportForm;
use self::recent::{import_report_url, RecentImports};
use self::report::ImportReportView;
use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::ErrorBanner;

/// Time between two progress requests while an import runs.
const POLL_INTERVAL_MS: u32 = 700;

/// Returns the lowercase word for an import status, as the API spells it.
pub fn import_status_word(status: ImportStatus) -> &'static str {
    match status {
        ImportStatus::Running => "running",
        ImportStatus::Completed => "completed",
        ImportStatus::Failed => "failed",
    }
}

/// Scrolls the element with `id` to the top of the window unless its top
/// edge already shows in the upper part of the window.
fn scroll_into_view(id: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(element) = window.document().and_then(|doc| doc.get_element_by_id(id)) else {
        return;
    };
    let window_height = window.inner_height().ok().and_then(|height| height.as_f64()).unwrap_or(0.0);
    let top = element.get_bounding_client_rect().top();
    if top < 0.0 || top > window_height * 0.6 {
        element.scroll_into_view_with_bool(true);
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let session = use_session();
    if !session.user().is_some_and(|user| user.role.may_import()) {
        return view! {
            <h1>"Imports"</h1>
            <ErrorBanner message="Your role may not import placement files; ask a manager or an admin." />
        }
        .into_any();
    }

    let navigate = use_navigate();
    let query = use_query_map();
    // The import on show lives in the URL (`?import=<id>`), so a reload keeps following it.
    let import_id = Memo::new(move |_| query.with(|query| query.get("import")).and_then(|id| id.parse::<Uuid>().ok()));

    let report = RwSignal::new(None::<Result<ImportReport, ApiError>>);
    let generation = StoredValue::new(0u64);
    let recheck = Trigger::new();
    let recent_reload = Trigger::new();
    let recent_show_newest = Trigger::new();

    // Polls the shown import until it stops running. A new id, a recheck or
    // leaving the page ends the loop, because `generation` changes or is disposed.
    Effect::new(move |_| {
        recheck.track();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        let Some(id) = import_id.get() else {
            report.set(None);
            return;
        };
        let showing_this_import = report.with_untracked(|report| matches!(report, Some(Ok(current)) if current.id == id));
        if !showing_this_import {
            report.set(None);
        }
        spawn_local(async move {
            loop {
                let response = api::get_import(id).await;
                if generation.try_get_value() != Some(this_request) {
                    return;
                }
                let running = matches!(&response, Ok(current) if current.status == ImportStatus::Running);
                report.try_set(Some(response));
                if !running {
                    recent_reload.notify();
                    return;
                }
                TimeoutFuture::new(POLL_INTERVAL_MS).await;
                if generation.try_get_value() != Some(this_request) {
                    return;
                }
            }
        });
    });

    // The list sits below the report, and on a narrow screen the report sits
    // below the form, so bring the report into view whenever an import is chosen.
    Effect::new(move |_| {
        if import_id.get().is_some() {
            scroll_into_view("import-report");
        }
    });

    let show_import = {
        let navigate = navigate.clone();
        Callback::new(move |id: Uuid| navigate(&import_report_url(id), Default::default()))
    };
    let on_started = Callback::new(move |started: ImportReport| {
        let id = started.id;
        report.set(Some(Ok(started)));
        recent_show_newest.notify();
        show_import.run(id);
    });

    view! {
        <div class="page-header">
            <h1>"Imports"</h1>
        </div>
        <div class="import-layout">
            <section class="card" aria-labelledby="upload-heading">
                <h2 id="upload-heading">"Import a placement file"</h2>
                <ImportForm on_started=on_started />
            </section>
            <section class="card" aria-labelledby="report-heading" id="import-report">
                <h2 id="report-heading">"Import report"</h2>
                {move || match report.get() {
                    None if import_id.get().is_some() => {
                        view! { <p class="page-status">"Loading the import report\u{2026}"</p> }.into_any()
                    }
                    None => {
                        view! { <p class="muted">"Upload a file, or choose an import from the list below."</p> }
                            .into_any()
                    }
                    Some(Err(error)) => view! {
                        <ErrorBanner message=error.message() id="import-error" />
                        <button type="button" on:click=move |_| recheck.notify()>
                            "Check again"
                        </button>
                    }
                    .into_any(),
                    Some(Ok(current)) => view! { <ImportReportView report=current /> }.into_any(),
                }}
            </section>
        </div>
        <section class="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Import history"</h2>
            <RecentImports
                reload=recent_reload
                show_newest=recent_show_newest
                selected=import_id
                on_select=show_import
            />
        </section>
    }
    .into_any()
}
