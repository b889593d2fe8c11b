use actix_web::{web, HttpResponse};
use shared::users::{CreateUserRequest, Role, UserDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::users;

/// Creates a user; admins only.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_user(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<CreateUserRequest>) -> ApiResult<HttpResponse> {
    user.require(Role::may_manage_users, "create users")?;
    let request = body.into_inner();
    let created = with_conn(&pool, move |conn| users::create_user(conn, Some(user.id), &request)).await?;
    Ok(HttpResponse::Created().json(created))
}
