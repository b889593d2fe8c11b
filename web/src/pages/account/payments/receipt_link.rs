//! The link that opens a payment's receipt PDF.

use futures::FutureExt;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::PdfLink;

/// Renders a link that fetches the receipt PDF with the session's token and
/// shows it in a new tab, as `PdfLink` describes.
#[component]
pub fn ReceiptLink(
    payment_id: Uuid,
    receipt_number: String,
    #[prop(into)] label: String,
    /// Optional `id`, for tests.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let fetch = Callback::new(move |_: ()| api::download_receipt_pdf(payment_id).boxed_local());
    view! {
        <PdfLink
            href=api::receipt_pdf_path(payment_id)
            file_name=format!("receipt-{receipt_number}.pdf")
            label=label
            document="receipt"
            class="receipt-link"
            fetch=fetch
            id=id
        />
    }
}
