use actix_web::web;
use serde::Deserialize;
use shared::imports::ImportSummary;
use shared::users::Role;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_limit, with_conn};
use crate::services::imports;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

/// Imports, newest first.
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", params(ImportQuery),
    responses((status = 200, body = Page<ImportSummary>)), security(("bearer" = [])))]
pub async fn list_imports(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<ImportQuery>) -> ApiResult<web::Json<Page<ImportSummary>>> {
    user.require(Role::may_import, "list imports")?;
    let query = query.into_inner();
    let limit = parse_limit(query.limit.as_deref())?;
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(text) => Some(text.parse().map_err(|_| {
            ApiError::invalid_field("cursor", "cursor is not one this server issued; start again from the first page")
        })?),
        None => None,
    };
    with_conn(&pool, move |conn| {
        let (items, more) = imports::list(conn, before, limit)?;
        let next_cursor = if more { items.last().map(|i| i.id.to_string()) } else { None };
        Ok(Page { items, next_cursor })
    })
    .await
    .map(web::Json)
}
