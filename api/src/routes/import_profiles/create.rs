use actix_web::{web, HttpResponse};
use shared::imports::{CreateImportProfileRequest, ImportProfileDto};
use shared::users::Role;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::import_profiles;

/// Stores a new column-mapping profile; managers and admins only.
#[utoipa::path(post, path = "/api/v1/import-profiles", tag = "imports", request_body = CreateImportProfileRequest,
    responses((status = 201, body = ImportProfileDto), (status = 400, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn create_import_profile(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    body: web::Json<CreateImportProfileRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Role::may_import, "create import profiles")?;
    let request = body.into_inner();
    let created = with_conn(&pool, move |conn| import_profiles::create(conn, user.id, &request)).await?;
    Ok(HttpResponse::Created().json(created))
}
