use actix_web::{web, HttpResponse};
use shared::plans::{CreatePlanRequest, PlanDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::plans::{create, read};

/// Saves a plan on the account: active at once when it is within policy and
/// the caller's limit, otherwise `pending_approval`. With `replaces_plan_id`
/// the open plan it names is closed as `renegotiated` in the same transaction.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/plans", tag = "plans", params(("id" = uuid::Uuid, Path)),
    request_body = CreatePlanRequest,
    responses((status = 201, body = PlanDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope),
        (status = 409, body = shared::ErrorEnvelope), (status = 422, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_plan(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<CreatePlanRequest>,
) -> ApiResult<HttpResponse> {
    let account_id = parse_id(&path, "account")?;
    let request = body.into_inner();
    let plan = with_conn(&pool, move |conn| create::create(conn, &user, account_id, &request)).await?;
    Ok(HttpResponse::Created().json(plan))
}

/// The account's plans with their instalments, newest first (up to 200).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/plans", tag = "plans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<PlanDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_account_plans(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<PlanDto>>> {
    let account_id = parse_id(&path, "account")?;
    let items = with_conn(&pool, move |conn| read::list_for_account(conn, &user, account_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}
