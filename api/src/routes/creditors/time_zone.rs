use actix_web::web;
use shared::accounts::{CreditorDto, TimeZoneRequest};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::creditors;

/// Sets the time zone the creditor's days follow; managers and administrators only.
#[utoipa::path(put, path = "/api/v1/creditors/{id}/time-zone", tag = "creditors", params(("id" = uuid::Uuid, Path)),
    request_body = TimeZoneRequest,
    responses((status = 200, body = CreditorDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn put_time_zone(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<TimeZoneRequest>,
) -> ApiResult<web::Json<CreditorDto>> {
    let id = parse_id(&path, "creditor")?;
    let zone = body.into_inner().time_zone;
    with_conn(&pool, move |conn| creditors::set_time_zone(conn, &user, id, &zone)).await.map(web::Json)
}
