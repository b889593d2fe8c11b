use actix_web::web;
use shared::payments::PaymentDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::payments;

/// One payment with its current allocation, reversal and receipt deliveries.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PaymentDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_payment(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<PaymentDto>> {
    let id = parse_id(&path, "payment")?;
    with_conn(&pool, move |conn| payments::get(conn, &user, id)).await.map(web::Json)
}
