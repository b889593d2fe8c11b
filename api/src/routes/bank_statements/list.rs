use actix_web::web;
use serde::Deserialize;
use shared::bank_statements::StatementImportSummary;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_limit, with_conn};
use crate::services::bank_statements;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Only this creditor's imports.
    creditor_id: Option<String>,
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

/// Bank statement imports, newest first.
#[utoipa::path(get, path = "/api/v1/bank-statements", tag = "bank statements", params(ImportQuery),
    responses((status = 200, body = Page<StatementImportSummary>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_bank_statement_imports(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
) -> ApiResult<web::Json<Page<StatementImportSummary>>> {
    let limit = parse_limit(query.limit.as_deref())?;
    let creditor_id = match query.creditor_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(text.parse().map_err(|_| ApiError::invalid_field("creditor_id", "creditor_id is not a UUID"))?),
    };
    let cursor = query.cursor.clone().filter(|c| !c.trim().is_empty());
    let (items, next_cursor) =
        with_conn(&pool, move |conn| bank_statements::list_imports(conn, &user, creditor_id, limit, cursor.as_deref())).await?;
    Ok(web::Json(Page { items, next_cursor }))
}
