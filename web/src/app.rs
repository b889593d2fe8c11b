//! The root component: session state, router and the page frame.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, NavigateOptions};
use shared::users::UserDto;

use crate::api::{self, ApiError};
use crate::components::ErrorBanner;
use crate::pages::{
    may_edit_templates, may_see_approvals, AccountPage, ApprovalsPage, ImportPage, LoginPage, PriorityPage, TasksPage,
    TemplatesPage, WorklistPage,
};

/// The state of the user's session.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Stored tokens are being checked with `GET /me`.
    Checking,
    SignedIn(UserDto),
    SignedOut,
    /// `GET /me` failed for a reason other than the session, such as the server being down.
    Unavailable(String),
}

/// The session, provided as context to every page.
#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
}

impl Session {
    pub fn user(&self) -> Option<UserDto> {
        self.state.with(|state| match state {
            SessionState::SignedIn(user) => Some(user.clone()),
            _ => None,
        })
    }

    /// Checks the stored tokens and loads the user.
    fn check(self) {
        self.state.set(SessionState::Checking);
        spawn_local(async move {
            match api::me().await {
                Ok(user) => self.state.set(SessionState::SignedIn(user)),
                // The session-end handler has already set `SignedOut`.
                Err(ApiError::SessionEnded) => {}
                Err(error) => self.state.set(SessionState::Unavailable(error.message())),
            }
        });
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The worklist URL (path and query) the user last saw, so that pages can link back to it.
#[derive(Clone, Copy)]
pub struct LastWorklistUrl(pub RwSignal<String>);

#[component]
pub fn App() -> impl IntoView {
    let session = Session { state: RwSignal::new(SessionState::SignedOut) };
    provide_context(session);
    provide_context(LastWorklistUrl(RwSignal::new("/".to_string())));

    api::set_session_end_handler(move || session.state.set(SessionState::SignedOut));
    if api::has_session() {
        session.check();
    }

    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=WorklistPage />
                    <Route path=path!("accounts/:id") view=AccountPage />
                    <Route path=path!("imports") view=ImportPage />
                    <Route path=path!("bank-statements") view=crate::pages::bank_statements::BankStatementsPage />
                    <Route path=path!("approvals") view=ApprovalsPage />
                    <Route path=path!("tasks") view=TasksPage />
                    <Route path=path!("call-next") view=PriorityPage />
                    <Route path=path!("templates") view=TemplatesPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Renders the frame of every signed-in page: the top bar and the page below it.
/// Signed-out visitors go to the login page and return to the same page afterwards.
#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    // Set while the user signs out, so the redirect below does not ask to come back.
    let signing_out = StoredValue::new(false);

    let signed_in_user = Memo::new(move |_| session.user());
    let checking = Memo::new(move |_| session.state.with(|state| matches!(state, SessionState::Checking)));
    let unavailable = Memo::new(move |_| {
        session.state.with(|state| match state {
            SessionState::Unavailable(message) => Some(message.clone()),
            _ => None,
        })
    });

    let redirect = navigate.clone();
    Effect::new(move |_| {
        if session.state.with(|state| *state != SessionState::SignedOut) {
            return;
        }
        let target = if signing_out.get_value() {
            "/login".to_string()
        } else {
            let current_path = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
            format!("/login?next={}", js_sys::encode_uri_component(&current_path))
        };
        redirect(&target, NavigateOptions { replace: true, ..Default::default() });
    });

    let sign_out = move || {
        signing_out.set_value(true);
        spawn_local(async move {
            // The local tokens are gone even when the server call fails, so the user is signed out.
            let _ = api::logout().await;
            session.state.set(SessionState::SignedOut);
        });
    };

    view! {
        <Show when=move || checking.get()>
            <p class="page-status">"Checking your session\u{2026}"</p>
        </Show>
        {move || {
            unavailable
                .get()
                .map(|message| {
                    view! {
                        <main class="page narrow">
                            <h1>"Recovery Desk is unavailable"</h1>
                            <ErrorBanner message=message />
                            <button type="button" on:click=move |_| session.check()>
                                "Try again"
                            </button>
                        </main>
                    }
                })
        }}
        {move || {
            signed_in_user
                .get()
                .map(|user| {
                    view! {
                        <TopBar user=user on_sign_out=sign_out />
                        <main id="main" class="page">
                            <Outlet />
                        </main>
                    }
                })
        }}
    }
}

#[component]
fn TopBar(user: UserDto, on_sign_out: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let may_import = user.role.may_import();
    let may_review_statements = user.role != shared::users::Role::Collector;
    let may_approve_plans = may_see_approvals(user.role);
    let may_change_templates = may_edit_templates(user.role);
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <span class="product">"Recovery Desk"</span>
            <nav class="mainnav" aria-label="Main">
                <A href="/" exact=true {..} id="nav-worklist">
                    "Worklist"
                </A>
                <Show when=move || may_import>
                    <A href="/imports" {..} id="nav-imports">
                        "Imports"
                    </A>
                </Show>
                <Show when=move || may_review_statements>
                    <A href="/bank-statements" {..} id="nav-bank-statements">
                        "Bank statements"
                    </A>
                </Show>
                <A href="/call-next" {..} id="nav-call-next">
                    "Call next"
                </A>
                <A href="/tasks" {..} id="nav-tasks">
                    "Tasks"
                </A>
                <Show when=move || may_approve_plans>
                    <A href="/approvals" {..} id="nav-approvals">
                        "Approvals"
                    </A>
                </Show>
                <Show when=move || may_change_templates>
                    <A href="/templates" {..} id="nav-templates">
                        "Templates"
                    </A>
                </Show>
            </nav>
            <span class="user" title=user.email.clone()>
                <span class="user-name">{user.display_name.clone()}</span>
                <span class="user-role">{user.role.as_str()}</span>
            </span>
            <button type="button" id="signout" class="secondary" on:click=move |_| on_sign_out()>
                "Sign out"
            </button>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p>"No page has this address. " <a href="/">"Go to the worklist"</a> "."</p>
        </main>
    }
}
