use actix_web::web;
use shared::accounts::CreditorDto;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::creditors;

/// Lists every creditor with its account count, by name. The list is short, so it comes in one page.
#[utoipa::path(get, path = "/api/v1/creditors", tag = "creditors",
    responses((status = 200, body = Page<CreditorDto>)), security(("bearer" = [])))]
pub async fn list_creditors(pool: web::Data<PgPool>, _user: CurrentUser) -> ApiResult<web::Json<Page<CreditorDto>>> {
    with_conn(&pool, creditors::list).await.map(|items| web::Json(Page { items, next_cursor: None }))
}
