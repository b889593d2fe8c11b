use actix_web::web;
use shared::deposits::{AddToBatchRequest, DepositBatchDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::deposit_batches;

/// Puts cash, cheque and money-order payments the collector took into the open batch.
#[utoipa::path(post, path = "/api/v1/deposit-batches/{id}/payments", tag = "deposit batches", params(("id" = uuid::Uuid, Path)),
    request_body = AddToBatchRequest,
    responses((status = 200, body = DepositBatchDto), (status = 400, body = shared::ErrorEnvelope), (status = 422, description = "The batch is closed", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn add_batch_payments(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<AddToBatchRequest>,
) -> ApiResult<web::Json<DepositBatchDto>> {
    let id = parse_id(&path, "deposit batch")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| deposit_batches::add_payments(conn, &user, id, &request.payment_ids)).await.map(web::Json)
}
