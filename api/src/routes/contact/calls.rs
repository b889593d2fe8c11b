use actix_web::{web, HttpRequest, HttpResponse};
use shared::contact::{CallDto, CallRequest};
use shared::{ErrorCode, Page};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::payments::respond;
use crate::routes::{parse_id, with_conn};
use crate::services::contact::calls;
use crate::services::idempotency::{self, IdempotencyKey};

/// Logs a call on the account. An outbound call must be allowed by the
/// contact rules at `started_at`, unless a manager or administrator gives
/// `override_reason`. The outcome's effects are stored with the call: an
/// invalid number, or a dispute, bankruptcy or deceased hold. An optional
/// `Idempotency-Key` makes a retry return the first response.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/calls", tag = "contact", params(("id" = uuid::Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: a new random value per call; the same value on a retry")),
    request_body = CallRequest,
    responses((status = 201, body = CallDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope), (status = 422, description = "contact_not_allowed: the contact rules block the call", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_call(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<CallRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let key = match req.headers().get(idempotency::HEADER) {
        None => None,
        Some(value) if value.as_bytes().iter().all(u8::is_ascii_whitespace) => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInvalid,
                format!("the {} header is empty; leave it out, or send a new random value (such as a UUID) per call", idempotency::HEADER),
            ))
        }
        Some(_) => Some(IdempotencyKey::from_request(req.headers())?),
    };
    let request = body.into_inner();
    let outcome = with_conn(&pool, move |conn| calls::create(conn, &user, account_id, &request, key.as_ref())).await?;
    Ok(respond(outcome))
}

/// The account's calls, newest first (up to 200).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/calls", tag = "contact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<CallDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_calls(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<CallDto>>> {
    let account_id = parse_id(&path, "account")?;
    let items = with_conn(&pool, move |conn| calls::list(conn, &user, account_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}
