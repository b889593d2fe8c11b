//! Payments: posting (under an account), listing, reading, reversing, and the receipt.

pub mod create;
pub mod get;
pub mod list;
pub mod receipt;
pub mod reverse;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::services::payments::Outcome;

/// The stored or fresh response of a money-moving request; a replay says so in a header.
pub(crate) fn respond(outcome: Outcome) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK));
    if outcome.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.json(outcome.body)
}
