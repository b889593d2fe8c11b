//! The sign-in page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::app::{use_session, SessionState};
use crate::components::{ErrorBanner, FieldMessage};

/// Returns the page to open after sign-in: the `next` query value when it is
/// a path on this site, otherwise the worklist.
fn safe_next_path(next: Option<String>) -> String {
    match next {
        // "//host" and "/\host" would leave the site.
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") => path,
        _ => "/".to_string(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let next_path = move || safe_next_path(query.with_untracked(|query| query.get("next")));

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_missing = RwSignal::new(false);
    let password_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submitting = RwSignal::new(false);

    // Someone already signed in has nothing to do here.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if matches!(session.state.get(), SessionState::SignedIn(_)) {
            go_on(&next_path(), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let email_message = Signal::derive(move || {
        if email_missing.get() {
            return Some("Email is missing; enter the address you sign in with.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message("email")))
    });
    let password_message = Signal::derive(move || {
        if password_missing.get() {
            return Some("Password is missing; enter your password.".to_string());
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message("password")))
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        let email_text = email.get_untracked().trim().to_string();
        let password_text = password.get_untracked();
        email_missing.set(email_text.is_empty());
        password_missing.set(password_text.is_empty());
        error.set(None);
        if email_text.is_empty() || password_text.is_empty() {
            return;
        }

        submitting.set(true);
        spawn_local(async move {
            match api::login(email_text, password_text).await {
                Ok(user) => {
                    password.try_set(String::new());
                    // The effect above opens the next page.
                    session.state.set(SessionState::SignedIn(user));
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            submitting.try_set(false);
        });
    };

    view! {
        <main class="login-page">
            <form class="login-card" on:submit=on_submit novalidate=true>
                <h1>"Recovery Desk"</h1>
                <p class="muted">"Sign in to work your accounts."</p>
                {move || {
                    error.get().map(|error| view! { <ErrorBanner message=error.message() id="login-error" /> })
                }}
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required=true
                        autofocus=true
                        aria-describedby="login-email-error"
                        aria-invalid=move || email_message.get().is_some().to_string()
                        prop:value=move || email.get()
                        on:input=move |event| email.set(event_target_value(&event))
                    />
                    <FieldMessage id="login-email-error" message=email_message />
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required=true
                        aria-describedby="login-password-error"
                        aria-invalid=move || password_message.get().is_some().to_string()
                        prop:value=move || password.get()
                        on:input=move |event| password.set(event_target_value(&event))
                    />
                    <FieldMessage id="login-password-error" message=password_message />
                </div>
                <button type="submit" id="login-submit" class="primary" disabled=move || submitting.get()>
                    {move || if submitting.get() { "Signing in\u{2026}" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next_path;

    #[test]
    fn next_path_stays_on_site() {
        assert_eq!(safe_next_path(Some("/accounts/1?x=2".to_string())), "/accounts/1?x=2");
        assert_eq!(safe_next_path(Some("//evil.example".to_string())), "/");
        assert_eq!(safe_next_path(Some("/\\evil.example".to_string())), "/");
        assert_eq!(safe_next_path(Some("https://evil.example".to_string())), "/");
        assert_eq!(safe_next_path(None), "/");
    }
}
