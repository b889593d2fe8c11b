use actix_web::web;
use shared::plans::{PlanCancellationRequest, PlanDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::plans::decide;

/// Cancels a plan that is waiting for approval, on track or in arrears.
#[utoipa::path(post, path = "/api/v1/plans/{id}/cancellation", tag = "plans", params(("id" = uuid::Uuid, Path)),
    request_body = PlanCancellationRequest,
    responses((status = 200, body = PlanDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope),
        (status = 422, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn cancel_plan(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<PlanCancellationRequest>,
) -> ApiResult<web::Json<PlanDto>> {
    let id = parse_id(&path, "plan")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| decide::cancel(conn, &user, id, &request)).await.map(web::Json)
}
