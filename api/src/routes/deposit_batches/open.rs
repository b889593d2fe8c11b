use actix_web::{web, HttpResponse};
use shared::deposits::{DepositBatchDto, OpenBatchRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::deposit_batches;

/// Opens a deposit batch for the signed-in user with the control totals they counted.
#[utoipa::path(post, path = "/api/v1/deposit-batches", tag = "deposit batches", request_body = OpenBatchRequest,
    responses((status = 201, body = DepositBatchDto), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn open_batch(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<OpenBatchRequest>) -> ApiResult<HttpResponse> {
    let request = body.into_inner();
    let batch = with_conn(&pool, move |conn| deposit_batches::open(conn, &user, &request)).await?;
    Ok(HttpResponse::Created().json(batch))
}
