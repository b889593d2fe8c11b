use actix_web::web;
use shared::plans::{PlanPreview, PlanPreviewRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::plans::create;

/// The schedule and the policy findings for proposed terms on an account; nothing is saved.
#[utoipa::path(post, path = "/api/v1/plans/preview", tag = "plans", request_body = PlanPreviewRequest,
    responses((status = 200, body = PlanPreview), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn preview_plan(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<PlanPreviewRequest>) -> ApiResult<web::Json<PlanPreview>> {
    let request = body.into_inner();
    with_conn(&pool, move |conn| create::preview(conn, &user, &request)).await.map(web::Json)
}
