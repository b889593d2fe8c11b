//! Signed access tokens (HS256). The key is shared by every server instance
//! through the `server_secrets` table.

use chrono::Utc;
use jsonwebtoken::{decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::users::Role;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    pub role: Role,
    /// Issued-at and expiry, seconds since the Unix epoch.
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        JwtKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    pub fn issue(&self, user_id: Uuid, role: Role, ttl_seconds: u64) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims { sub: user_id, role, iat: now, exp: now + ttl_seconds as i64 };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_token_verifies() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let id = Uuid::now_v7();
        let token = keys.issue(id, Role::Manager, 60).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.role, Role::Manager);
    }

    #[test]
    fn token_signed_with_other_key_is_invalid() {
        let token = JwtKeys::from_secret(b"key one key one key one key one!").issue(Uuid::now_v7(), Role::Admin, 60).unwrap();
        let other = JwtKeys::from_secret(b"key two key two key two key two!");
        assert_eq!(other.verify(&token).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn expired_token_is_reported_as_expired() {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let now = Utc::now().timestamp();
        let claims = Claims { sub: Uuid::now_v7(), role: Role::Assistant, iat: now - 120, exp: now - 60 };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert_eq!(keys.verify(&token).unwrap_err(), TokenError::Expired);
    }
}
