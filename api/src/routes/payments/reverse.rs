use actix_web::{web, HttpRequest, HttpResponse};
use shared::payments::{PaymentDto, ReversalRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::idempotency::IdempotencyKey;
use crate::services::payments;

/// Reverses a payment (bounced cheque, returned direct debit, chargeback):
/// restores what it paid, charges a returned-payment fee only where the
/// creditor's policy allows one in the debtor's jurisdiction, and annotates the receipt.
#[utoipa::path(post, path = "/api/v1/payments/{id}/reversal", tag = "payments",
    params(("id" = uuid::Uuid, Path), ("Idempotency-Key" = String, Header, description = "A new random value per reversal; the same value on a retry")),
    request_body = ReversalRequest,
    responses(
        (status = 200, body = PaymentDto),
        (status = 409, description = "Already reversed, or the first request with this key is still running", body = shared::ErrorEnvelope),
        (status = 422, description = "The key was used for another request", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reverse_payment(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<ReversalRequest>,
) -> ApiResult<HttpResponse> {
    let payment_id = parse_id(&path, "payment")?;
    let key = IdempotencyKey::from_request(req.headers())?;
    let request = body.into_inner();
    let outcome = with_conn(&pool, move |conn| payments::reverse(conn, &user, payment_id, &key, request)).await?;
    Ok(super::respond(outcome))
}
