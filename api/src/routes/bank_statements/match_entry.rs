use actix_web::{web, HttpRequest, HttpResponse};
use shared::bank_statements::{MatchEntryRequest, StatementEntryDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::bank_statements;
use crate::services::idempotency::IdempotencyKey;

/// Matches an entry in `needs_review` to an account by hand: posts the
/// entry's amount to it as a bank transfer, with the bank reference and the
/// booking date. A retry with the same `Idempotency-Key` and body returns the first response.
#[utoipa::path(post, path = "/api/v1/bank-statement-entries/{id}/match", tag = "bank statements",
    params(("id" = uuid::Uuid, Path), ("Idempotency-Key" = String, Header, description = "A new random value per match; the same value on a retry")),
    request_body = MatchEntryRequest,
    responses(
        (status = 200, body = StatementEntryDto),
        (status = 400, description = "Invalid body, missing Idempotency-Key, or a payment the account does not take", body = shared::ErrorEnvelope),
        (status = 404, description = "No such entry, or an account that is not the creditor's or not visible to the user", body = shared::ErrorEnvelope),
        (status = 409, description = "The entry is not in needs_review, or the first request with this key is still running", body = shared::ErrorEnvelope),
        (status = 422, description = "The entry is a debit, a batch or not booked; or the key was used for another request", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn match_bank_statement_entry(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<MatchEntryRequest>,
) -> ApiResult<HttpResponse> {
    let entry_id = parse_id(&path, "bank statement entry")?;
    let key = IdempotencyKey::from_request(req.headers())?;
    let request = body.into_inner();
    let outcome = with_conn(&pool, move |conn| bank_statements::match_entry(conn, &user, entry_id, &key, request)).await?;
    Ok(super::respond(outcome))
}
