use actix_web::{web, HttpRequest, HttpResponse};
use shared::payments::{PaymentDto, PaymentRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::jobs::MailWaker;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::idempotency::IdempotencyKey;
use crate::services::payments;

/// Posts a payment to the account: allocation, receipt number, journal entries
/// and audit row in one transaction. A retry with the same `Idempotency-Key`
/// and body returns the first response.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/payments", tag = "payments",
    params(("id" = uuid::Uuid, Path), ("Idempotency-Key" = String, Header, description = "A new random value per payment; the same value on a retry")),
    request_body = PaymentRequest,
    responses(
        (status = 201, body = PaymentDto),
        (status = 400, description = "Invalid body or missing Idempotency-Key", body = shared::ErrorEnvelope),
        (status = 409, description = "The first request with this key is still running", body = shared::ErrorEnvelope),
        (status = 422, description = "The key was used for another request, or the account takes no payments", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_payment(
    pool: web::Data<PgPool>,
    waker: web::Data<MailWaker>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<PaymentRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let key = IdempotencyKey::from_request(req.headers())?;
    let request = body.into_inner();
    let outcome = with_conn(&pool, move |conn| payments::post(conn, &user, account_id, &key, request)).await?;
    if !outcome.replayed {
        waker.wake();
    }
    Ok(super::respond(outcome))
}
