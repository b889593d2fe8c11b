//! Error and notice boxes, and the message shown beside a form field.

use leptos::prelude::*;

/// Renders a red box with the error sentence, announced to screen readers.
#[component]
pub fn ErrorBanner(
    #[prop(into)] message: String,
    /// Optional `id`, for tests and for `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert" id=id>
            {message}
        </div>
    }
}

/// Renders a neutral box for confirmations and hints.
#[component]
pub fn Notice(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="banner banner-info" role="status">
            {message}
        </div>
    }
}

/// Renders the error text under one form field, or nothing while `message` is `None`.
#[component]
pub fn FieldMessage(#[prop(into)] id: String, #[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id hidden=move || message.get().is_none()>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}
