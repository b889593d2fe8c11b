use actix_web::{web, HttpResponse};
use shared::users::Role;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::imports;

/// The import report as a CSV download: counts, skip reasons and one line per problem.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.csv", tag = "imports", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String)), security(("bearer" = [])))]
pub async fn get_import_report_csv(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<HttpResponse> {
    user.require(Role::may_import, "read import reports")?;
    let id = parse_id(&path, "import")?;
    let report = with_conn(&pool, move |conn| imports::report(conn, id)).await?;
    let body = imports::report_csv(&report).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"import-{id}-report.csv\"")))
        .body(body))
}
