use actix_web::web;
use shared::plans::RepaymentPolicy;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::plans::policy;

/// The creditor's repayment policy (the default one until a manager sets it).
#[utoipa::path(get, path = "/api/v1/creditors/{id}/repayment-policy", tag = "creditors", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = RepaymentPolicy), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_repayment_policy(pool: web::Data<PgPool>, _user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<RepaymentPolicy>> {
    let id = parse_id(&path, "creditor")?;
    with_conn(&pool, move |conn| policy::load(conn, id)).await.map(web::Json)
}

/// Replaces the creditor's repayment policy; managers and administrators only.
/// Plans already saved keep the terms they were made under.
#[utoipa::path(put, path = "/api/v1/creditors/{id}/repayment-policy", tag = "creditors", params(("id" = uuid::Uuid, Path)),
    request_body = RepaymentPolicy,
    responses((status = 200, body = RepaymentPolicy), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn put_repayment_policy(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<RepaymentPolicy>,
) -> ApiResult<web::Json<RepaymentPolicy>> {
    let id = parse_id(&path, "creditor")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| policy::set(conn, &user, id, &request)).await.map(web::Json)
}
