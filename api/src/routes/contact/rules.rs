use actix_web::web;
use shared::contact::{ContactLimits, ContactRuleDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::contact::rules;

/// Every contact rule: window, call cap and quiet days per jurisdiction and channel.
#[utoipa::path(get, path = "/api/v1/contact-rules", tag = "contact",
    responses((status = 200, body = Page<ContactRuleDto>)), security(("bearer" = [])))]
pub async fn list_contact_rules(pool: web::Data<PgPool>, _user: CurrentUser) -> ApiResult<web::Json<Page<ContactRuleDto>>> {
    let items = with_conn(&pool, rules::list).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Sets the limits on one channel in one jurisdiction (`default` for every
/// country without rows of its own); administrators only.
#[utoipa::path(put, path = "/api/v1/contact-rules/{jurisdiction}/{channel}", tag = "contact",
    params(("jurisdiction" = String, Path), ("channel" = String, Path)),
    request_body = ContactLimits,
    responses((status = 200, body = ContactRuleDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn put_contact_rule(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    body: web::Json<ContactLimits>,
) -> ApiResult<web::Json<ContactRuleDto>> {
    let (jurisdiction, channel) = path.into_inner();
    let limits = body.into_inner();
    with_conn(&pool, move |conn| rules::put(conn, &user, &jurisdiction, &channel, &limits)).await.map(web::Json)
}
