use actix_web::web;
use serde::Deserialize;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use shared::users::{Role, UserDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_limit, with_conn};
use crate::services::users;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Only users of this role.
    role: Option<String>,
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists users by email; managers and admins only.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<UserDto>), (status = 403, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_users(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<UserQuery>) -> ApiResult<web::Json<Page<UserDto>>> {
    user.require(Role::sees_all_accounts, "list users")?;
    let query = query.into_inner();
    let limit = parse_limit(query.limit.as_deref())?;
    let role = query.role.as_deref().map(str::parse::<Role>).transpose().map_err(|m| ApiError::invalid_field("role", m))?;
    // The cursor is the last email of the previous page, encoded so it stays opaque to clients.
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(
            URL_SAFE_NO_PAD
                .decode(cursor)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    ApiError::invalid_field("cursor", "cursor is not one this server issued; start again from the first page")
                })?,
        ),
        None => None,
    };
    with_conn(&pool, move |conn| {
        let (items, more) = users::list_users(conn, role, after.as_deref(), limit)?;
        let next_cursor = if more { items.last().map(|u| URL_SAFE_NO_PAD.encode(u.email.as_bytes())) } else { None };
        Ok(Page { items, next_cursor })
    })
    .await
    .map(web::Json)
}
