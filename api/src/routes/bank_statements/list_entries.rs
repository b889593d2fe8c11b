use actix_web::web;
use serde::Deserialize;
use shared::bank_statements::{EntryStatus, StatementEntryDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_limit, with_conn};
use crate::services::bank_statements::{self, EntryFilter};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EntryQuery {
    /// Comma-separated statuses, such as `needs_review,unmatched_reversal`; default every status.
    status: Option<String>,
    /// Only entries stored by this import.
    import_id: Option<String>,
    /// Only this creditor's entries.
    creditor_id: Option<String>,
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

/// Bank statement entries, oldest first: with `status=needs_review`, the queue of credits to match by hand.
#[utoipa::path(get, path = "/api/v1/bank-statement-entries", tag = "bank statements", params(EntryQuery),
    responses((status = 200, body = Page<StatementEntryDto>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_bank_statement_entries(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    query: web::Query<EntryQuery>,
) -> ApiResult<web::Json<Page<StatementEntryDto>>> {
    let limit = parse_limit(query.limit.as_deref())?;
    let mut filter = EntryFilter::default();
    for text in query.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let status = EntryStatus::parse(text).ok_or_else(|| {
            let known: Vec<&str> = EntryStatus::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::invalid_field("status", format!("status '{text}' is not an entry status; use one of {}", known.join(", ")))
        })?;
        filter.statuses.push(status);
    }
    filter.import_id = parse_uuid(query.import_id.as_deref(), "import_id")?;
    filter.creditor_id = parse_uuid(query.creditor_id.as_deref(), "creditor_id")?;
    let cursor = query.cursor.clone().filter(|c| !c.trim().is_empty());
    let (items, next_cursor) =
        with_conn(&pool, move |conn| bank_statements::list_entries(conn, &user, &filter, limit, cursor.as_deref())).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

fn parse_uuid(value: Option<&str>, field: &str) -> ApiResult<Option<uuid::Uuid>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| ApiError::invalid_field(field, format!("{field} is not a UUID"))),
    }
}
