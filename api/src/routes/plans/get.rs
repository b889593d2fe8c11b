use actix_web::web;
use shared::plans::PlanDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::plans::read;

/// One plan with its instalments.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PlanDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_plan(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<PlanDto>> {
    let id = parse_id(&path, "plan")?;
    with_conn(&pool, move |conn| read::load(conn, &user, id)).await.map(web::Json)
}
