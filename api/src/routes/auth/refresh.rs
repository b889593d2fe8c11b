use actix_web::web;
use shared::auth::{RefreshRequest, TokenResponse};

use crate::auth::JwtKeys;
use crate::config::AuthSettings;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::sessions;

/// Exchanges a refresh token for a new pair; the old refresh token stops working.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = shared::ErrorEnvelope)))]
pub async fn refresh(
    pool: web::Data<PgPool>,
    keys: web::Data<JwtKeys>,
    settings: web::Data<AuthSettings>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let token = body.into_inner().refresh_token;
    let keys = keys.into_inner();
    let settings = settings.into_inner();
    with_conn(&pool, move |conn| sessions::refresh(conn, &keys, &settings, &token)).await.map(web::Json)
}
