//! Exactly-once requests: the first response to an `Idempotency-Key` is
//! stored in the transaction of the request's effect, and a retry gets it back.
//!
//! Inside that transaction a transaction-scoped advisory lock on
//! (user, key) marks the first request as running, so a concurrent
//! duplicate fails fast with 409 instead of waiting. The lock is released when
//! the transaction ends, so a crashed request leaves nothing behind.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use serde::Serialize;
use sha2::{Digest, Sha256};
use shared::ErrorCode;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::schema::idempotency_keys;
use crate::error::{ApiError, ApiResult};

pub const HEADER: &str = "Idempotency-Key";
const MAX_KEY_CHARS: usize = 255;

/// A checked `Idempotency-Key` header value.
#[derive(Clone, Debug)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Reads the request's header: required once, 1 to 255 visible ASCII characters.
    pub fn from_request(headers: &actix_web::http::header::HeaderMap) -> ApiResult<Self> {
        if headers.get_all(HEADER).count() > 1 {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInvalid,
                format!("the {HEADER} header is sent more than once; send it once per request"),
            ));
        }
        Self::from_header(headers.get(HEADER))
    }

    /// Reads the header value: required, 1 to 255 visible ASCII characters.
    pub fn from_header(value: Option<&actix_web::http::header::HeaderValue>) -> ApiResult<Self> {
        let missing = || {
            ApiError::new(
                ErrorCode::IdempotencyKeyMissing,
                format!("this request moves money or sends a message and needs an {HEADER} header; send a new random value (such as a UUID) per request and the same value when retrying it"),
            )
        };
        let text = value.ok_or_else(missing)?.to_str().map_err(|_| {
            ApiError::new(ErrorCode::IdempotencyKeyInvalid, format!("the {HEADER} header must be visible ASCII characters, such as a UUID"))
        })?;
        let text = text.trim();
        if text.is_empty() {
            return Err(missing());
        }
        if text.len() > MAX_KEY_CHARS || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInvalid,
                format!("the {HEADER} header must be 1 to {MAX_KEY_CHARS} visible ASCII characters without spaces, such as a UUID"),
            ));
        }
        Ok(IdempotencyKey(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored first response.
pub struct StoredResponse {
    pub status: u16,
    pub body: serde_json::Value,
}

/// Computes the fingerprint of a request: what it acts on and its parsed body, so
/// the same JSON with other spacing or key order counts as the same request.
pub fn fingerprint<T: Serialize>(target: &str, body: &T) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(target.as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(body).expect("request bodies serialise"));
    hasher.finalize().to_vec()
}

/// Claims the key for this transaction. Returns the stored response when
/// the request was already done; fails with 409 while another transaction
/// has claimed the key and with 422 when the key was used for another request.
pub fn claim(conn: &mut PgConnection, user_id: Uuid, key: &IdempotencyKey, fingerprint: &[u8]) -> ApiResult<Option<StoredResponse>> {
    let mut hasher = Sha256::new();
    hasher.update(user_id.as_bytes());
    hasher.update(key.as_str().as_bytes());
    let digest = hasher.finalize();
    let lock_id = i64::from_be_bytes(digest[..8].try_into().expect("eight bytes"));

    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let locked: Locked =
        diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked").bind::<BigInt, _>(lock_id).get_result(conn)?;
    if !locked.locked {
        return Err(ApiError::new(
            ErrorCode::RequestInProgress,
            "a request with this Idempotency-Key is still being processed; retry in a moment to get its result",
        ));
    }
    let stored: Option<(Vec<u8>, i16, serde_json::Value)> = idempotency_keys::table
        .find((user_id, key.as_str()))
        .select((idempotency_keys::request_hash, idempotency_keys::response_status, idempotency_keys::response_body))
        .first(conn)
        .optional()?;
    match stored {
        None => Ok(None),
        Some((hash, _, _)) if hash != fingerprint => Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was already used for a different request; send a new key for a new request",
        )),
        Some((_, status, body)) => Ok(Some(StoredResponse { status: status as u16, body })),
    }
}

/// Stores the response of a request done under `key`; call it in the same transaction.
pub fn store(
    conn: &mut PgConnection,
    user_id: Uuid,
    key: &IdempotencyKey,
    fingerprint: &[u8],
    status: u16,
    body: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key.as_str()),
            idempotency_keys::request_hash.eq(fingerprint),
            idempotency_keys::response_status.eq(status as i16),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// The response to an idempotent request, first-time or replayed.
pub struct Outcome {
    pub status: u16,
    pub body: serde_json::Value,
    pub replayed: bool,
}

/// Runs `work` in one transaction with the idempotency record of `key`:
/// a retry of a finished request returns its stored response instead.
pub fn once<B: Serialize, T: Serialize>(
    conn: &mut PgConnection,
    user: &CurrentUser,
    key: &IdempotencyKey,
    target: &str,
    request: &B,
    status: u16,
    work: impl FnOnce(&mut PgConnection) -> ApiResult<T>,
) -> ApiResult<Outcome> {
    let fingerprint = fingerprint(target, request);
    conn.transaction(|conn| {
        if let Some(stored) = claim(conn, user.id, key, &fingerprint)? {
            return Ok(Outcome { status: stored.status, body: stored.body, replayed: true });
        }
        let dto = work(conn)?;
        let body = serde_json::to_value(&dto).map_err(anyhow::Error::from)?;
        store(conn, user.id, key, &fingerprint, status, &body)?;
        Ok(Outcome { status, body, replayed: false })
    })
}
