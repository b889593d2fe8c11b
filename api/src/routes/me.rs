use actix_web::web;
use shared::users::UserDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::users;

#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = UserDto), (status = 401, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_me(pool: web::Data<PgPool>, user: CurrentUser) -> ApiResult<web::Json<UserDto>> {
    with_conn(&pool, move |conn| users::find_user(conn, user.id)).await.map(web::Json)
}
