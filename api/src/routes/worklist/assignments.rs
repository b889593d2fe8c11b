use actix_web::web;
use shared::worklist::{BulkAssignReport, BulkAssignRequest};
use shared::FieldError;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::accounts::list::filter_from_map;
use crate::routes::with_conn;
use crate::services::worklist::assign::{self, Selection};

fn selection(request: &BulkAssignRequest) -> Result<Selection, Vec<FieldError>> {
    if let Some(ids) = &request.account_ids {
        return Ok(Selection::Ids(ids.clone()));
    }
    filter_from_map(&request.filter.clone().unwrap_or_default()).map(Selection::Filter)
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
