use actix_web::web;
use serde::Deserialize;
use shared::payments::PaymentDto;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, parse_limit, with_conn};
use crate::services::payments;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PaymentQuery {
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

/// The account's payments, newest first, including those spread over it from another account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/payments", tag = "payments", params(("id" = uuid::Uuid, Path), PaymentQuery),
    responses((status = 200, body = Page<PaymentDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_payments(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<PaymentQuery>,
) -> ApiResult<web::Json<Page<PaymentDto>>> {
    let account_id = parse_id(&path, "account")?;
    let limit = parse_limit(query.limit.as_deref())?;
    let cursor = query.cursor.clone().filter(|c| !c.trim().is_empty());
    let (items, next_cursor) =
        with_conn(&pool, move |conn| payments::list_for_account(conn, &user, account_id, limit, cursor.as_deref())).await?;
    Ok(web::Json(Page { items, next_cursor }))
}
