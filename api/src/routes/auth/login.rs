use actix_web::web;
use shared::auth::{LoginRequest, TokenResponse};

use crate::auth::JwtKeys;
use crate::config::AuthSettings;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::sessions;

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = shared::ErrorEnvelope)))]
pub async fn login(
    pool: web::Data<PgPool>,
    keys: web::Data<JwtKeys>,
    settings: web::Data<AuthSettings>,
    body: web::Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let request = body.into_inner();
    if request.email.trim().is_empty() || request.password.is_empty() {
        let mut fields = Vec::new();
        if request.email.trim().is_empty() {
            fields.push(shared::FieldError::new("email", "missing", "email is missing; enter the address you sign in with"));
        }
        if request.password.is_empty() {
            fields.push(shared::FieldError::new("password", "missing", "password is missing; enter your password"));
        }
        return Err(ApiError::validation(fields));
    }
    let keys = keys.into_inner();
    let settings = settings.into_inner();
    with_conn(&pool, move |conn| sessions::login(conn, &keys, &settings, &request.email, &request.password))
        .await
        .map(web::Json)
}
