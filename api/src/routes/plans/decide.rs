use actix_web::web;
use shared::plans::{PlanDecisionRequest, PlanDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::plans::decide;

/// Approves or rejects a plan waiting for approval. The caller's role must
/// reach the plan's `required_approver`; a rejection needs a note.
#[utoipa::path(post, path = "/api/v1/plans/{id}/decision", tag = "plans", params(("id" = uuid::Uuid, Path)),
    request_body = PlanDecisionRequest,
    responses((status = 200, body = PlanDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope), (status = 422, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn decide_plan(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<PlanDecisionRequest>,
) -> ApiResult<web::Json<PlanDto>> {
    let id = parse_id(&path, "plan")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| decide::decide(conn, &user, id, &request)).await.map(web::Json)
}
