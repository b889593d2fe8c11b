//! The link that opens a payment's receipt PDF.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::components::PendingTab;

/// Renders a link that fetches the receipt PDF with the session's token and
/// shows it in a new tab. The endpoint needs the bearer token, which a plain
/// link does not send, so the click opens an empty tab at once and gives it
/// the PDF as an object URL when it arrives. A blocked tab gets the PDF as a download instead.
#[component]
pub fn ReceiptLink(
    payment_id: Uuid,
    receipt_number: String,
    #[prop(into)] label: String,
    /// Optional `id`, for tests.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let fetching = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let file_name = format!("receipt-{receipt_number}.pdf");
    let on_click = move |event: leptos::ev::MouseEvent| {
        event.prevent_default();
        if fetching.get_untracked() {
            return;
        }
        let tab = PendingTab::open();
        fetching.set(true);
        failure.set(None);
        let file_name = file_name.clone();
        spawn_local(async move {
            let outcome = match api::download_receipt_pdf(payment_id).await {
                Ok(bytes) => tab
                    .show(&bytes, "application/pdf", &file_name)
                    .map_err(|reason| format!("The receipt could not be opened: {reason}.")),
                Err(error) => {
                    tab.close();
                    Err(format!("The receipt could not be loaded. {}", error.message()))
                }
            };
            failure.try_set(outcome.err());
            fetching.try_set(false);
        });
    };
    view! {
        <span class="receipt-link">
            <a id=id href=api::receipt_pdf_path(payment_id) on:click=on_click>
                {label}
            </a>
            {move || fetching.get().then_some(" Loading\u{2026}")}
            {move || failure.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </span>
    }
}
