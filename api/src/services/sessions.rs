//! Login, token refresh with rotation, and logout.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::auth::TokenResponse;
use shared::ErrorCode;
use uuid::Uuid;

use crate::auth::password::{dummy_hash, verify_password};
use crate::auth::JwtKeys;
use crate::config::AuthSettings;
use crate::db::schema::{refresh_tokens, server_secrets, users};
use crate::db::users::{NewRefreshToken, RefreshToken, User};
use crate::error::{ApiError, ApiResult};

const JWT_SECRET_NAME: &str = "jwt_hs256";

/// Loads the JWT signing key, creating it on first use. Every instance sharing
/// the database reads the same key.
pub fn load_jwt_keys(conn: &mut PgConnection) -> anyhow::Result<JwtKeys> {
    let mut secret = vec![0u8; 64];
    rand::thread_rng().fill_bytes(&mut secret);
    diesel::insert_into(server_secrets::table)
        .values((server_secrets::name.eq(JWT_SECRET_NAME), server_secrets::value.eq(&secret)))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let stored: Vec<u8> = server_secrets::table
        .find(JWT_SECRET_NAME)
        .select(server_secrets::value)
        .first(conn)?;
    Ok(JwtKeys::from_secret(&stored))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "the email or password is wrong; check both and try again")
}

pub fn login(
    conn: &mut PgConnection,
    keys: &JwtKeys,
    settings: &AuthSettings,
    email: &str,
    password: &str,
) -> ApiResult<TokenResponse> {
    let user: Option<User> = users::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(").bind::<diesel::sql_types::Text, _>(email.trim()).sql(")"))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    let Some(user) = user else {
        // Spend the same time as a real check so response times do not reveal which emails exist.
        verify_password(password, dummy_hash());
        return Err(invalid_credentials());
    };
    if !verify_password(password, &user.password_hash) {
        tracing::info!(user.id = %user.id, "login failed: wrong password");
        return Err(invalid_credentials());
    }
    if !user.active {
        return Err(ApiError::forbidden("this user is deactivated; ask an administrator to reactivate it"));
    }
    tracing::info!(user.id = %user.id, "user signed in");
    issue_pair(conn, keys, settings, &user, Uuid::now_v7())
}

pub fn refresh(conn: &mut PgConnection, keys: &JwtKeys, settings: &AuthSettings, token: &str) -> ApiResult<TokenResponse> {
    let hash = hash_token(token);
    let outcome = conn.transaction(|conn| {
        let stored: Option<RefreshToken> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select(RefreshToken::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        let Some(stored) = stored else {
            return Ok(Err(ApiError::new(ErrorCode::InvalidToken, "the refresh token is not valid; sign in again")));
        };
        if stored.revoked_at.is_some() {
            // A used token came back: someone may have copied it, so end the whole session.
            // The revocation must commit, so this branch returns its error inside `Ok`.
            revoke_family(conn, stored.family_id)?;
            tracing::warn!(user.id = %stored.user_id, "a used refresh token was presented again; revoked its session");
            return Ok(Err(ApiError::new(ErrorCode::InvalidToken, "the refresh token was already used; sign in again")));
        }
        if stored.expires_at < Utc::now() {
            return Ok(Err(ApiError::new(ErrorCode::TokenExpired, "the refresh token has expired; sign in again")));
        }
        diesel::update(refresh_tokens::table.find(stored.id))
            .set(refresh_tokens::revoked_at.eq(Utc::now()))
            .execute(conn)?;
        let user: User = users::table.find(stored.user_id).select(User::as_select()).first(conn)?;
        if !user.active {
            return Ok(Err(ApiError::forbidden("this user is deactivated; ask an administrator to reactivate it")));
        }
        issue_pair(conn, keys, settings, &user, stored.family_id).map(Ok)
    });
    outcome?
}

/// Revokes the session the refresh token belongs to. Unknown tokens are ignored so logout always succeeds.
pub fn logout(conn: &mut PgConnection, token: &str) -> ApiResult<()> {
    let family: Option<Uuid> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash_token(token)))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, family)?;
    }
    Ok(())
}

fn revoke_family(conn: &mut PgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
}

fn issue_pair(conn: &mut PgConnection, keys: &JwtKeys, settings: &AuthSettings, user: &User, family: Uuid) -> ApiResult<TokenResponse> {
    let access_token = keys.issue(user.id, user.role(), settings.access_ttl_seconds)?;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let refresh_token = URL_SAFE_NO_PAD.encode(raw);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: Uuid::now_v7(),
            user_id: user.id,
            family_id: family,
            token_hash: &hash_token(&refresh_token),
            expires_at: Utc::now() + Duration::seconds(settings.refresh_ttl_seconds as i64),
        })
        .execute(conn)?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".to_string(),
        expires_in: settings.access_ttl_seconds,
        user: user.to_dto(),
    })
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
