//! A link that fetches a PDF with the session's token and shows it in a new tab.

use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::PendingTab;
use crate::api::ApiError;

/// Fetches the PDF bytes when the link is clicked.
pub type PdfFetch = Callback<(), LocalBoxFuture<'static, Result<Vec<u8>, ApiError>>>;

/// Renders a link to a PDF that an API endpoint returns. The endpoint needs
/// the bearer token, which a plain link does not send, so the click opens an
/// empty tab at once and gives it the PDF as an object URL when it arrives.
/// A blocked tab gets the PDF as a download instead.
#[component]
pub fn PdfLink(
    /// The endpoint's path, shown as the link target.
    #[prop(into)]
    href: String,
    /// The name of the download when the browser blocks the tab.
    #[prop(into)]
    file_name: String,
    #[prop(into)] label: String,
    /// What the PDF is, such as `receipt`, for the failure messages.
    document: &'static str,
    /// Class of the element around the link and its messages.
    class: &'static str,
    fetch: PdfFetch,
    /// The link's `id`, for tests.
    id: Option<String>,
) -> impl IntoView {
    let fetching = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let on_click = move |event: leptos::ev::MouseEvent| {
        event.prevent_default();
        if fetching.get_untracked() {
            return;
        }
        let tab = PendingTab::open();
        fetching.set(true);
        failure.set(None);
        let file_name = file_name.clone();
        let download = fetch.run(());
        spawn_local(async move {
            let outcome = match download.await {
                Ok(bytes) => tab
                    .show(&bytes, "application/pdf", &file_name)
                    .map_err(|reason| format!("The {document} could not be opened: {reason}.")),
                Err(error) => {
                    tab.close();
                    Err(format!("The {document} could not be loaded. {}", error.message()))
                }
            };
            failure.try_set(outcome.err());
            fetching.try_set(false);
        });
    };
    view! {
        <span class=class>
            <a id=id href=href on:click=on_click>
                {label}
            </a>
            {move || fetching.get().then_some(" Loading\u{2026}")}
            {move || failure.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </span>
    }
}
