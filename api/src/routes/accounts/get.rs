use actix_web::web;
use shared::accounts::AccountDetail;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::accounts;

/// One account with its debtor's contact data and its ledger entries.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = AccountDetail), (status = 404, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_account(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<AccountDetail>> {
    let id = parse_id(&path, "account")?;
    with_conn(&pool, move |conn| accounts::get(conn, &user, id)).await.map(web::Json)
}
