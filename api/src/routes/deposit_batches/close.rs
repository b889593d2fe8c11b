use actix_web::web;
use shared::deposits::{CloseBatchRequest, DepositBatchDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::deposit_batches;

/// Closes the batch with the bank's deposit reference and compares its payments with the control totals.
#[utoipa::path(post, path = "/api/v1/deposit-batches/{id}/close", tag = "deposit batches", params(("id" = uuid::Uuid, Path)),
    request_body = CloseBatchRequest,
    responses((status = 200, body = DepositBatchDto), (status = 422, description = "The batch is already closed", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn close_batch(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<CloseBatchRequest>,
) -> ApiResult<web::Json<DepositBatchDto>> {
    let id = parse_id(&path, "deposit batch")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| deposit_batches::close(conn, &user, id, &request)).await.map(web::Json)
}
