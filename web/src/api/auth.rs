//! Sign-in, sign-out and the current user.

use shared::auth::{LoginRequest, RefreshRequest, TokenResponse};
use shared::users::UserDto;

use super::client::{read_empty, read_json, Call};
use super::error::ApiError;
use super::tokens;

/// Signs in and stores the tokens.
pub async fn login(email: String, password: String) -> Result<UserDto, ApiError> {
    let call = Call::post("/auth/login").json(&LoginRequest { email, password })?;
    let response: TokenResponse = read_json(call.send_public().await?).await?;
    tokens::store(&response);
    Ok(response.user)
}

/// Revokes the refresh token on the server and forgets both tokens.
///
/// The local tokens are cleared even when the server cannot be reached,
/// so the user is signed out of this browser in every case.
pub async fn logout() -> Result<(), ApiError> {
    let refresh_token = tokens::refresh_token();
    let has_access_token = tokens::access_token().is_some();
    let result = match refresh_token {
        Some(refresh_token) if has_access_token => {
            let call = Call::post("/auth/logout").json(&RefreshRequest { refresh_token })?;
            match call.send().await {
                Ok(response) => read_empty(response).await,
                Err(error) => Err(error),
            }
        }
        _ => Ok(()),
    };
    tokens::clear();
    result
}

pub async fn me() -> Result<UserDto, ApiError> {
    read_json(Call::get("/me").send().await?).await
}
