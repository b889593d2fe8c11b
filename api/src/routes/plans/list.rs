use actix_web::web;
use serde::Deserialize;
use shared::plans::{PlanDto, PlanStatus};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::plans::read;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PlanQuery {
    /// A plan status such as `pending_approval` (the approval queue).
    #[param(required = true)]
    status: Option<String>,
}

/// Plans in one status over all accounts, oldest first (up to 200); managers and administrators only.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(PlanQuery),
    responses((status = 200, body = Page<PlanDto>), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_plans(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<PlanQuery>) -> ApiResult<web::Json<Page<PlanDto>>> {
    let names = || PlanStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(ApiError::invalid_field("status", format!("status is required; use one of {}", names()))),
        Some(text) => PlanStatus::parse(text)
            .ok_or_else(|| ApiError::invalid_field("status", format!("status '{text}' is not a plan status; use one of {}", names())))?,
    };
    let items = with_conn(&pool, move |conn| read::list_by_status(conn, &user, status)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}
