use actix_web::{web, HttpRequest, HttpResponse};
use shared::correspondence::{BatchDto, BatchRequest};

use super::pdf_response;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::jobs::CorrespondenceWaker;
use crate::postgres::PgPool;
use crate::routes::accounts::list::filter_from_map;
use crate::routes::payments::respond;
use crate::routes::{parse_id, with_conn};
use crate::services::correspondence::batches;
use crate::services::idempotency::IdempotencyKey;
use crate::startup::PublicUrl;

/// Generates one template for up to 10,000 accounts, named by id or by the
/// account-list filters, in one transaction (managers and administrators). Each account goes through the contact
/// rules; a blocked account is reported with its reason codes and gets nothing.
#[utoipa::path(post, path = "/api/v1/correspondence-batches", tag = "correspondence",
    params(("Idempotency-Key" = String, Header, description = "A new random value per batch; the same value on a retry")),
    request_body = BatchRequest,
    responses((status = 201, body = BatchDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_batch(
    pool: web::Data<PgPool>,
    waker: web::Data<CorrespondenceWaker>,
    public_url: web::Data<PublicUrl>,
    user: CurrentUser,
    req: HttpRequest,
    body: web::Json<BatchRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(req.headers())?;
    let request = body.into_inner();
    let accounts = batches::check_shape(&request, filter_from_map)?;
    let base = public_url.0.clone();
    let outcome = with_conn(&pool, move |conn| batches::create(conn, &user, &request, &accounts, &key, &base)).await?;
    if !outcome.replayed && outcome.body["queued"].as_i64().unwrap_or(0) > 0 {
        waker.wake();
    }
    Ok(respond(outcome))
}

/// A batch's report: counts and one line per account.
#[utoipa::path(get, path = "/api/v1/correspondence-batches/{id}", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = BatchDto), (status = 403, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_batch(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<BatchDto>> {
    let id = parse_id(&path, "correspondence batch")?;
    let batch = with_conn(&pool, move |conn| batches::get(conn, &user, id)).await?;
    Ok(web::Json(batch))
}

/// The post room's print file: every generated letter of the batch in one
/// PDF, each starting on a new page.
#[utoipa::path(get, path = "/api/v1/correspondence-batches/{id}/print-file", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "the letters"), (status = 404, body = shared::ErrorEnvelope),
        (status = 422, description = "the batch has no generated letters", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_print_file(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id(&path, "correspondence batch")?;
    let bytes = with_conn(&pool, move |conn| batches::print_file(conn, &user, id)).await?;
    Ok(pdf_response(bytes, &format!("print-file-{id}.pdf")))
}
