use actix_web::web;
use shared::accounts::{AccountDetail, StatusChangeRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::accounts;

/// Moves the account to another status, if the transition is allowed; the reason goes to the audit trail.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/status", tag = "accounts", params(("id" = uuid::Uuid, Path)),
    request_body = StatusChangeRequest,
    responses((status = 200, body = AccountDetail), (status = 409, description = "Transition not allowed", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn change_account_status(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<StatusChangeRequest>,
) -> ApiResult<web::Json<AccountDetail>> {
    let id = parse_id(&path, "account")?;
    let request = body.into_inner();
    with_conn(&pool, move |conn| accounts::change_status(conn, &user, id, request.status, &request.reason)).await.map(web::Json)
}
