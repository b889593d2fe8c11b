use actix_web::web;
use shared::contact::ContactHoldsDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::contact::holds;

/// The holds on the account that stop contact with the debtor.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/contact-holds", tag = "contact", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ContactHoldsDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_contact_holds(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<ContactHoldsDto>> {
    let account_id = parse_id(&path, "account")?;
    let holds = with_conn(&pool, move |conn| holds::get(conn, &user, account_id)).await?;
    Ok(web::Json(holds))
}

/// Replaces every contact hold on the account; managers and administrators only.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/contact-holds", tag = "contact", params(("id" = uuid::Uuid, Path)),
    request_body = ContactHoldsDto,
    responses((status = 200, body = ContactHoldsDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn put_contact_holds(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<ContactHoldsDto>,
) -> ApiResult<web::Json<ContactHoldsDto>> {
    let account_id = parse_id(&path, "account")?;
    let request = body.into_inner();
    let holds = with_conn(&pool, move |conn| holds::put(conn, &user, account_id, &request)).await?;
    Ok(web::Json(holds))
}
