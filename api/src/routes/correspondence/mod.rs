//! Letter and email templates, generated correspondence, batches and
//! opt-out links.

pub mod batches;
pub mod generate;
pub mod opt_outs;
pub mod templates;

use actix_web::HttpResponse;

/// Builds a PDF response shown in the browser, with a file name for saving.
fn pdf_response(bytes: Vec<u8>, file_name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Content-Disposition", format!("inline; filename=\"{file_name}\"")))
        .body(bytes)
}
