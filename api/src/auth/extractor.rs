//! `CurrentUser`: the signed-in user, taken from the `Authorization: Bearer` header.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use shared::users::Role;
use shared::ErrorCode;
use uuid::Uuid;

use super::jwt::{JwtKeys, TokenError};
use crate::error::ApiError;

#[derive(Clone, Copy, Debug)]
pub struct CurrentUser {
    pub id: Uuid,
    pub role: Role,
}

impl CurrentUser {
    /// Fails with 403 unless the user's role passes `allowed`.
    pub fn require(&self, allowed: fn(Role) -> bool, action: &str) -> Result<(), ApiError> {
        if allowed(self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("the {} role may not {action}", self.role)))
        }
    }
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<CurrentUser, ApiError> {
    let keys = req
        .app_data::<web::Data<JwtKeys>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("JwtKeys missing from app data")))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "this request needs an access token; sign in and send it as `Authorization: Bearer <token>`",
            )
        })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidToken, "the Authorization header must be `Bearer <access token>`")
        })?;
    match keys.verify(token) {
        Ok(claims) => Ok(CurrentUser { id: claims.sub, role: claims.role }),
        Err(TokenError::Expired) => Err(ApiError::new(
            ErrorCode::TokenExpired,
            "the access token has expired; get a new one from POST /api/v1/auth/refresh",
        )),
        Err(TokenError::Invalid) => {
            Err(ApiError::new(ErrorCode::InvalidToken, "the access token is invalid; sign in again"))
        }
    }
}
