//! The session's access and refresh tokens, kept in `localStorage` so that a
//! reload or a second tab stays signed in.

use shared::auth::TokenResponse;

const ACCESS_TOKEN_KEY: &str = "recovery_desk.access_token";
const REFRESH_TOKEN_KEY: &str = "recovery_desk.refresh_token";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten().filter(|value| !value.is_empty())
}

pub fn access_token() -> Option<String> {
    read(ACCESS_TOKEN_KEY)
}

pub fn refresh_token() -> Option<String> {
    read(REFRESH_TOKEN_KEY)
}

/// Whether a session was stored by an earlier sign-in; the tokens may have expired since.
pub fn has_session() -> bool {
    access_token().is_some() || refresh_token().is_some()
}

/// Stores the tokens from a login or refresh response.
///
/// NOTE: a browser that blocks storage (some private modes) keeps nothing,
/// and every later request then ends the session.
pub fn store(tokens: &TokenResponse) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(ACCESS_TOKEN_KEY, &tokens.access_token);
        let _ = storage.set_item(REFRESH_TOKEN_KEY, &tokens.refresh_token);
    }
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(ACCESS_TOKEN_KEY);
        let _ = storage.remove_item(REFRESH_TOKEN_KEY);
    }
}
