use actix_web::web;
use shared::worklist::{BulkAssignReport, BulkAssignRequest};
use shared::FieldError;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::accounts::list::{parse_filter, AccountQuery};
use crate::routes::with_conn;
use crate::services::worklist::assign::{self, Selection};

/// The keys a bulk reassignment's `filter` may hold: the filters of `GET /accounts`.
const FILTER_KEYS: [&str; 8] = ["status", "dpd", "min_balance", "max_balance", "creditor_id", "assigned_agent_id", "no_valid_contact", "q"];

fn selection(request: &BulkAssignRequest) -> Result<Selection, Vec<FieldError>> {
    if let Some(ids) = &request.account_ids {
        return Ok(Selection::Ids(ids.clone()));
    }
    let map = request.filter.clone().unwrap_or_default();
    let unknown: Vec<&String> = map.keys().filter(|key| !FILTER_KEYS.contains(&key.as_str())).collect();
    if !unknown.is_empty() {
        return Err(vec![FieldError::new(
            "filter",
            "unknown_key",
            format!(
                "filter has keys that are not account-list filters: {}; use {}",
                unknown.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
                FILTER_KEYS.join(", ")
            ),
        )]);
    }
    let query: AccountQuery = serde_json::from_value(serde_json::json!(map))
        .map_err(|e| vec![FieldError::new("filter", "invalid", format!("filter cannot be read: {e}"))])?;
    let (filter, _) = parse_filter(&query).map_err(|problems| {
        problems.into_iter().map(|p| FieldError::new(&format!("filter.{}", p.field), &p.code, p.message)).collect::<Vec<_>>()
    })?;
    Ok(Selection::Filter(filter))
}

/// Moves accounts, named by id or by the account-list filters, to one agent
/// or round-robin to a team's active agents, in one transaction; managers
/// and administrators only.
#[utoipa::path(post, path = "/api/v1/accounts/assignments", tag = "worklist", request_body = BulkAssignRequest,
    responses((status = 200, body = BulkAssignReport), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 422, description = "The team has no active members", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn bulk_assign(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    body: web::Json<BulkAssignRequest>,
) -> ApiResult<web::Json<BulkAssignReport>> {
    user.require(shared::users::Role::sees_all_accounts, "reassign accounts")?;
    let request = body.into_inner();
    let target = assign::check_shape(&request).map_err(ApiError::validation)?;
    let selection = selection(&request).map_err(ApiError::validation)?;
    with_conn(&pool, move |conn| assign::bulk_assign(conn, &user, &selection, &target)).await.map(web::Json)
}
