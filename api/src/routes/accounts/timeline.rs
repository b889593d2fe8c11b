use actix_web::web;
use serde::Deserialize;
use shared::timeline::{TimelineDto, TIMELINE_MAX_LIMIT};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::timeline;

const DEFAULT_LIMIT: i64 = 100;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TimelineQuery {
    /// How many entries to return, 1 to 500; 100 when absent.
    limit: Option<String>,
}

/// Everything that happened on the account, newest first: calls, promises,
/// plans, payments, status changes, holds and tasks.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/timeline", tag = "accounts",
    params(("id" = uuid::Uuid, Path), TimelineQuery),
    responses((status = 200, body = TimelineDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_timeline(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<TimelineQuery>,
) -> ApiResult<web::Json<TimelineDto>> {
    let account_id = parse_id(&path, "account")?;
    let limit = parse_limit(query.limit.as_deref())?;
    with_conn(&pool, move |conn| timeline::list(conn, &user, account_id, limit)).await.map(web::Json)
}

fn parse_limit(value: Option<&str>) -> ApiResult<i64> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<i64>() {
        Ok(limit) if (1..=TIMELINE_MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => {
            let shown: String = text.chars().take(20).collect();
            Err(ApiError::invalid_field("limit", format!("limit '{shown}' is not a whole number from 1 to {TIMELINE_MAX_LIMIT}; send, for example, 100")))
        }
    }
}
