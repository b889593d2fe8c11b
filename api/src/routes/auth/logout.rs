use actix_web::{web, HttpResponse};
use shared::auth::RefreshRequest;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::sessions;

/// Revokes the session of the given refresh token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")), security(("bearer" = [])))]
pub async fn logout(pool: web::Data<PgPool>, _user: CurrentUser, body: web::Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let token = body.into_inner().refresh_token;
    with_conn(&pool, move |conn| sessions::logout(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}
