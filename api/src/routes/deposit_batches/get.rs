use actix_web::web;
use shared::deposits::DepositBatchDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::deposit_batches;

/// The batch with its payments, who took and batched each, and its totals against the control totals.
#[utoipa::path(get, path = "/api/v1/deposit-batches/{id}", tag = "deposit batches", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = DepositBatchDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_batch(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<DepositBatchDto>> {
    let id = parse_id(&path, "deposit batch")?;
    with_conn(&pool, move |conn| deposit_batches::get(conn, &user, id)).await.map(web::Json)
}
