use actix_web::{web, HttpResponse};
use shared::plans::{PromiseDto, PromiseRequest};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::promises;

/// Records a promise to pay on the account. Payments posted after it and
/// dated up to its date plus the creditor's grace days count towards it.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/promises", tag = "promises", params(("id" = uuid::Uuid, Path)),
    request_body = PromiseRequest,
    responses((status = 201, body = PromiseDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_promise(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<PromiseRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let request = body.into_inner();
    let promise = with_conn(&pool, move |conn| promises::create(conn, &user, account_id, &request)).await?;
    Ok(HttpResponse::Created().json(promise))
}

/// The account's promises, newest first (up to 200).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/promises", tag = "promises", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<PromiseDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_promises(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<PromiseDto>>> {
    let account_id = parse_id(&path, "account")?;
    let items = with_conn(&pool, move |conn| promises::list(conn, &user, account_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}
