use actix_web::web;
use shared::payments::PaymentPolicy;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::payment_settings;

/// The creditor's allocation order and returned-payment fee policy.
#[utoipa::path(get, path = "/api/v1/creditors/{id}/payment-policy", tag = "creditors", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PaymentPolicy), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_payment_policy(pool: web::Data<PgPool>, _user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<PaymentPolicy>> {
    let id = parse_id(&path, "creditor")?;
    with_conn(&pool, move |conn| payment_settings::get_policy(conn, id)).await.map(web::Json)
}

/// Replaces the creditor's payment policy; managers and administrators only.
#[utoipa::path(put, path = "/api/v1/creditors/{id}/payment-policy", tag = "creditors", params(("id" = uuid::Uuid, Path)),
    request_body = PaymentPolicy,
    responses((status = 200, body = PaymentPolicy), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn put_payment_policy(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<PaymentPolicy>,
) -> ApiResult<web::Json<PaymentPolicy>> {
    let id = parse_id(&path, "creditor")?;
    let policy = body.into_inner();
    with_conn(&pool, move |conn| payment_settings::set_policy(conn, &user, id, &policy)).await.map(web::Json)
}
