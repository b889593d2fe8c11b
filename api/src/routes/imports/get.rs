use actix_web::web;
use shared::imports::ImportReport;
use shared::users::Role;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::imports;

/// The import's report: progress while running, then every count and every rejected line.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ImportReport), (status = 404, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_import(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<ImportReport>> {
    user.require(Role::may_import, "read import reports")?;
    let id = parse_id(&path, "import")?;
    with_conn(&pool, move |conn| imports::report(conn, id)).await.map(web::Json)
}
