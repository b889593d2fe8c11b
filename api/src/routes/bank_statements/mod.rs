//! Bank statements: uploading a file, listing and reading imports, and the
//! review queue of entries with its match and dismiss actions.

pub mod create;
pub mod dismiss_entry;
pub mod get;
pub mod list;
pub mod list_entries;
pub mod match_entry;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::services::payments::Outcome;

/// Builds the stored or fresh response of a money-moving request. A replay
/// carries the header `Idempotent-Replayed: true`.
fn respond(outcome: Outcome) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK));
    if outcome.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.json(outcome.body)
}
