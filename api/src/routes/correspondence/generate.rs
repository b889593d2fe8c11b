use actix_web::{web, HttpRequest, HttpResponse};
use shared::correspondence::{CorrespondenceDto, CorrespondenceStatus, GenerateRequest};
use shared::Page;

use super::pdf_response;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::jobs::CorrespondenceWaker;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::correspondence::{generate, read};
use crate::routes::payments::respond;
use crate::services::idempotency::IdempotencyKey;
use crate::startup::PublicUrl;

/// Generates a letter or queues an email from a template for the account.
/// The contact rules must allow the template's channel and content now; an
/// email outside the debtor's contact window is queued until it opens.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/correspondence", tag = "correspondence",
    params(("id" = uuid::Uuid, Path), ("Idempotency-Key" = String, Header, description = "A new random value per letter; the same value on a retry")),
    request_body = GenerateRequest,
    responses((status = 201, body = CorrespondenceDto),
        (status = 400, description = "a merge field has no value, the text cannot be printed, or the Idempotency-Key is missing", body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope),
        (status = 422, description = "contact_not_allowed: the contact rules block it", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_correspondence(
    pool: web::Data<PgPool>,
    waker: web::Data<CorrespondenceWaker>,
    public_url: web::Data<PublicUrl>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<GenerateRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let key = IdempotencyKey::from_request(req.headers())?;
    let request = body.into_inner();
    let base = public_url.0.clone();
    let outcome = with_conn(&pool, move |conn| generate::create(conn, &user, account_id, &request, &key, &base)).await?;
    if !outcome.replayed && outcome.body["status"] == CorrespondenceStatus::Queued.as_str() {
        waker.wake();
    }
    Ok(respond(outcome))
}

/// The account's letters and emails, newest first (up to 200), each with
/// its template version and status.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/correspondence", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<CorrespondenceDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_correspondence(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<CorrespondenceDto>>> {
    let account_id = parse_id(&path, "account")?;
    let items = with_conn(&pool, move |conn| read::list(conn, &user, account_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// A generated letter as a PDF file.
#[utoipa::path(get, path = "/api/v1/correspondence/{id}/pdf", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "the letter"), (status = 404, body = shared::ErrorEnvelope),
        (status = 422, description = "an email, or a letter that was blocked", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_letter_pdf(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id(&path, "correspondence")?;
    let bytes = with_conn(&pool, move |conn| read::pdf(conn, &user, id)).await?;
    Ok(pdf_response(bytes, &format!("letter-{id}.pdf")))
}
