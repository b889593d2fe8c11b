use actix_web::web;
use shared::imports::ImportProfileDto;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::import_profiles;

/// Every stored import profile, by name, in one page.
#[utoipa::path(get, path = "/api/v1/import-profiles", tag = "imports",
    responses((status = 200, body = Page<ImportProfileDto>)), security(("bearer" = [])))]
pub async fn list_import_profiles(pool: web::Data<PgPool>, _user: CurrentUser) -> ApiResult<web::Json<Page<ImportProfileDto>>> {
    with_conn(&pool, import_profiles::list).await.map(|items| web::Json(Page { items, next_cursor: None }))
}
