use actix_web::web;
use shared::accounts::{AccountDetail, AssignRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::accounts;

/// Assigns the account to an agent, or unassigns it; managers and admins only.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/assignment", tag = "accounts", params(("id" = uuid::Uuid, Path)),
    request_body = AssignRequest,
    responses((status = 200, body = AccountDetail), (status = 403, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn assign_account(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<AssignRequest>,
) -> ApiResult<web::Json<AccountDetail>> {
    let id = parse_id(&path, "account")?;
    let agent = body.into_inner().agent_id;
    with_conn(&pool, move |conn| accounts::assign(conn, &user, id, agent)).await.map(web::Json)
}
