use actix_web::{web, HttpResponse};
use shared::contact::{DisputeDto, DisputeRequest, LimitationDto, VerificationRequest};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::contact::{disputes, limitation};

/// Records the debtor's dispute, which pauses contact on the debt until it is verified.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disputes", tag = "contact", params(("id" = uuid::Uuid, Path)),
    request_body = DisputeRequest,
    responses((status = 201, body = DisputeDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn raise_dispute(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<DisputeRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let request = body.into_inner();
    let dispute = with_conn(&pool, move |conn| disputes::raise(conn, &user, account_id, &request)).await?;
    Ok(HttpResponse::Created().json(dispute))
}

/// The account's disputes, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/disputes", tag = "contact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<DisputeDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_disputes(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<DisputeDto>>> {
    let account_id = parse_id(&path, "account")?;
    let items = with_conn(&pool, move |conn| disputes::list(conn, &user, account_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Records the verification sent to the debtor; once no dispute on the
/// account is open, contact may resume. Managers and administrators only.
#[utoipa::path(post, path = "/api/v1/disputes/{id}/verification", tag = "contact", params(("id" = uuid::Uuid, Path)),
    request_body = VerificationRequest,
    responses((status = 200, body = DisputeDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope), (status = 422, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn verify_dispute(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<VerificationRequest>,
) -> ApiResult<web::Json<DisputeDto>> {
    let dispute_id = parse_id(&path, "dispute")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| disputes::verify(conn, &user, dispute_id, &request)).await.map(web::Json)
}

/// Whether the debt is past its statute of limitations, and by which rule.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/limitation", tag = "contact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = LimitationDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_limitation(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<LimitationDto>> {
    let account_id = parse_id(&path, "account")?;
    with_conn(&pool, move |conn| limitation::get(conn, &user, account_id)).await.map(web::Json)
}
