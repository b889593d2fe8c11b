use actix_web::web;
use serde::Deserialize;
use shared::deposits::{BatchStatus, DepositBatchDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::deposit_batches;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BatchQuery {
    /// `open`, `balanced` or `difference`.
    status: Option<String>,
}

/// The user's deposit batches (every batch for managers), newest first.
#[utoipa::path(get, path = "/api/v1/deposit-batches", tag = "deposit batches", params(BatchQuery),
    responses((status = 200, body = Page<DepositBatchDto>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_batches(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<BatchQuery>) -> ApiResult<web::Json<Page<DepositBatchDto>>> {
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(BatchStatus::parse(text).ok_or_else(|| {
            ApiError::invalid_field("status", format!("status '{text}' is not a batch status; use open, balanced or difference"))
        })?),
    };
    let items = with_conn(&pool, move |conn| deposit_batches::list(conn, &user, status)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}
