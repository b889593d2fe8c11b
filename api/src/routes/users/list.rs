use actix_web::web;
use serde::Deserialize;
use shared::pagination::check_limit;
use shared::users::{Role, UserDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::users;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Only users of this role.
    role: Option<String>,
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists users by email; managers and admins only.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<UserDto>), (status = 403, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_users(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<UserQuery>) -> ApiResult<web::Json<Page<UserDto>>> {
    user.require(Role::sees_all_accounts, "list users")?;
    let query = query.into_inner();
    let limit = check_limit(query.limit).map_err(|m| ApiError::invalid_field("limit", m))?;
    let role = query.role.as_deref().map(str::parse::<Role>).transpose().map_err(|m| ApiError::invalid_field("role", m))?;
    with_conn(&pool, move |conn| {
        let (items, more) = users::list_users(conn, role, query.cursor.as_deref(), limit)?;
        let next_cursor = if more { items.last().map(|u| u.email.clone()) } else { None };
        Ok(Page { items, next_cursor })
    })
    .await
    .map(web::Json)
}
