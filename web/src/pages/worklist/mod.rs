//! The worklist: delinquent accounts with filters, sort and cursor pages,
//! and the call and mailing list exports of the filtered accounts.

mod exports;
mod filters;
mod table;
mod url_state;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::accounts::{AccountSort, AccountSummary, CreditorDto};
use shared::users::{Role, UserDto};
use shared::Page;
use wasm_bindgen::JsCast;

use self::exports::ExportButtons;
use self::filters::FilterForm;
use self::table::{account_rows, AccountsTable, COLUMN_COUNT};
use self::url_state::WorklistState;
use crate::api::{self, ApiError};
use crate::app::{use_session, LastWorklistUrl};
use crate::components::{ErrorBanner, Notice, Pagination, TableMessageRow};

type AccountsResult = Result<Page<AccountSummary>, ApiError>;

/// Whether keyboard focus is in a text field, where `/` must type a slash.
fn focus_is_in_form_field() -> bool {
    let Some(active) = web_sys::window().and_then(|window| window.document()).and_then(|doc| doc.active_element())
    else {
        return false;
    };
    let editable = active.dyn_ref::<web_sys::HtmlElement>().is_some_and(|element| element.is_content_editable());
    editable || matches!(active.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

#[component]
pub fn WorklistPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query_map = use_query_map();
    let last_worklist_url = expect_context::<LastWorklistUrl>();

    let state = Memo::new(move |_| query_map.with(WorklistState::from_params));
    Effect::new(move |_| last_worklist_url.0.set(state.with(WorklistState::to_url)));

    // The newest request wins, because `generation` drops responses to superseded requests.
    let result = RwSignal::new(None::<AccountsResult>);
    let loading = RwSignal::new(false);
    let generation = StoredValue::new(0u64);
    let reload = Trigger::new();
    Effect::new(move |_| {
        reload.track();
        let query = state.with(|state| state.query.clone());
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        loading.set(true);
        spawn_local(async move {
            let response = api::list_accounts(&query).await;
            if generation.try_get_value() == Some(this_request) {
                result.try_set(Some(response));
                loading.try_set(false);
            }
        });
    });

    let creditors = RwSignal::new(Vec::<CreditorDto>::new());
    let agents = RwSignal::new(None::<Vec<UserDto>>);
    let lookup_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::list_creditors().await {
            Ok(list) => {
                creditors.try_set(list);
            }
            Err(ApiError::SessionEnded) => {}
            Err(error) => {
                lookup_error.try_set(Some(format!("The creditor filter is unavailable. {}", error.message())));
            }
        }
    });
    if session.user().is_some_and(|user| user.role.sees_all_accounts()) {
        spawn_local(async move {
            match api::list_agents().await {
                Ok(list) => {
                    agents.try_set(Some(list));
                }
                // Users who may not list users get no agent filter.
                Err(error) if error.status() == Some(403) => {}
                Err(ApiError::SessionEnded) => {}
                Err(error) => {
                    lookup_error.try_set(Some(format!("The agent filter is unavailable. {}", error.message())));
                }
            }
        });
    }

    let search_input = NodeRef::<html::Input>::new();
    let shortcut = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() != "/" || event.ctrl_key() || event.meta_key() || event.alt_key() || focus_is_in_form_field() {
            return;
        }
        if let Some(input) = search_input.get_untracked() {
            event.prevent_default();
            let _ = input.focus();
            input.select();
        }
    });
    on_cleanup(move || shortcut.remove());

    let go = navigate.clone();
    let on_apply = Callback::new(move |url: String| go(&url, Default::default()));
    let on_sort = Callback::new(move |sort: AccountSort| on_apply.run(state.with_untracked(|state| state.with_sort(sort)).to_url()));
    let open = navigate.clone();
    let on_open = Callback::new(move |href: String| open(&href, Default::default()));

    let next_cursor = Memo::new(move |_| {
        result.with(|result| match result {
            Some(Ok(page)) => page.next_cursor.clone(),
            _ => None,
        })
    });
    let on_next = Callback::new(move |_: ()| {
        if let Some(cursor) = next_cursor.get_untracked() {
            on_apply.run(state.with_untracked(|state| state.next_page(cursor)).to_url());
        }
    });
    let on_previous = Callback::new(move |_: ()| on_apply.run(state.with_untracked(WorklistState::previous_page).to_url()));

    let user_role = session.user().map(|user| user.role);

    let rows = move || match result.get() {
        None => view! {
            <TableMessageRow colspan=COLUMN_COUNT>"Loading accounts\u{2026}"</TableMessageRow>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=error.message() id="worklist-error" />
                <button type="button" on:click=move |_| reload.notify()>
                    "Try again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(page)) if page.items.is_empty() => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <EmptyWorklist state=state role=user_role on_apply=on_apply />
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(page)) => account_rows(page.items, on_open).into_any(),
    };

    let summary = move || {
        let page_number = state.with(WorklistState::page_number);
        let row_count = result.with(|result| match result {
            Some(Ok(page)) => Some(page.items.len()),
            _ => None,
        });
        match row_count {
            Some(count) => format!("Page {page_number}, {count} accounts"),
            None => format!("Page {page_number}"),
        }
    };

    view! {
        <div class="page-header">
            <h1>"Worklist"</h1>
            <span class="loading-indicator" aria-live="polite">
                {move || if loading.get() { "Loading\u{2026}" } else { "" }}
            </span>
        </div>
        {move || {
            let ignored = state.with(|state| state.ignored.clone());
            (!ignored.is_empty())
                .then(|| {
                    view! {
                        <Notice message=format!(
                            "These parts of the address were ignored: {}.",
                            ignored.join("; "),
                        ) />
                    }
                })
        }}
        {move || lookup_error.get().map(|message| view! { <Notice message=message /> })}
        <FilterForm
            state=state
            creditors=creditors.into()
            agents=agents.into()
            search_input=search_input
            on_apply=on_apply
        />
        <ExportButtons state=state />
        <AccountsTable sort=Signal::derive(move || state.with(|state| state.query.sort)) on_sort=on_sort>
            {rows}
        </AccountsTable>
        <Pagination
            has_previous=Signal::derive(move || state.with(WorklistState::has_previous_page))
            has_next=Signal::derive(move || next_cursor.with(Option::is_some))
            label=Signal::derive(summary)
            on_previous=on_previous
            on_next=on_next
        />
    }
}

/// Explains an empty page: no account matches the filters, or, with no
/// filter set, there is no account yet for this user to see.
#[component]
fn EmptyWorklist(state: Memo<WorklistState>, role: Option<Role>, on_apply: Callback<String>) -> impl IntoView {
    let unfiltered_first_page = state.with_untracked(|state| !state.is_filtered() && state.page_number() == 1);
    if !unfiltered_first_page {
        return view! {
            <p class="empty-state" id="worklist-empty">
                "No accounts match these filters."
            </p>
            <button
                type="button"
                class="secondary"
                on:click=move |_| on_apply.run(WorklistState::default().to_url())
            >
                "Clear filters"
            </button>
        }
        .into_any();
    }

    let sees_all_accounts = role.is_some_and(Role::sees_all_accounts);
    let may_import = role.is_some_and(Role::may_import);
    match (sees_all_accounts, may_import) {
        (true, true) => view! {
            <p class="empty-state" id="worklist-empty">
                "There are no accounts yet."
            </p>
            <p>"To fill the worklist, import a placement file on the " <A href="/imports">"Imports page"</A> "."</p>
        }
        .into_any(),
        (true, false) => view! {
            <p class="empty-state" id="worklist-empty">
                "There are no accounts yet."
            </p>
            <p>"Accounts appear here once a manager or an admin imports a placement file."</p>
        }
        .into_any(),
        (false, _) => view! {
            <p class="empty-state" id="worklist-empty">
                "No accounts are assigned to you yet."
            </p>
            <p>"Accounts appear here once a manager or an admin assigns them to you."</p>
        }
        .into_any(),
    }
}
