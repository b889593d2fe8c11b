//! The one JSON error envelope every API failure uses, and its stable codes.

use serde::{Deserialize, Serialize};

/// `{"error": {...}}`, the body of every non-2xx response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable snake_case code that clients can branch on; see `ErrorCode`.
    pub code: String,
    /// A sentence for people, naming the problem and the fix.
    pub message: String,
    /// Problems with individual input fields, empty when the error is not about one field.
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The input field's name as sent, such as `email` or `limit`.
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.to_string(), code: code.to_string(), message: message.into() }
    }
}

/// The documented error codes. The HTTP status each maps to is in `http_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    MalformedJson,
    InvalidQuery,
    InvalidPath,
    Unauthenticated,
    InvalidCredentials,
    TokenExpired,
    InvalidToken,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    InvalidStatusTransition,
    /// A money-moving request came without an `Idempotency-Key` header.
    IdempotencyKeyMissing,
    /// The `Idempotency-Key` header is malformed or sent more than once.
    IdempotencyKeyInvalid,
    /// The `Idempotency-Key` was used before with a different request body.
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still running.
    RequestInProgress,
    /// The payment has been reversed already.
    AlreadyReversed,
    /// The operation does not apply to the record in its present state.
    UnprocessableState,
    /// The contact rules block the contact; the message lists the reasons.
    ContactNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InternalError,
    ServiceUnavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InvalidStatusTransition => "invalid_status_transition",
            ErrorCode::IdempotencyKeyMissing => "idempotency_key_missing",
            ErrorCode::IdempotencyKeyInvalid => "idempotency_key_invalid",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RequestInProgress => "request_in_progress",
            ErrorCode::AlreadyReversed => "already_reversed",
            ErrorCode::UnprocessableState => "unprocessable_state",
            ErrorCode::ContactNotAllowed => "contact_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ServiceUnavailable => "service_unavailable",
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed
            | ErrorCode::MalformedJson
            | ErrorCode::InvalidQuery
            | ErrorCode::InvalidPath
            | ErrorCode::IdempotencyKeyMissing
            | ErrorCode::IdempotencyKeyInvalid => 400,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::TokenExpired
            | ErrorCode::InvalidToken => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict
            | ErrorCode::InvalidStatusTransition
            | ErrorCode::RequestInProgress
            | ErrorCode::AlreadyReversed => 409,
            ErrorCode::IdempotencyKeyReused | ErrorCode::UnprocessableState | ErrorCode::ContactNotAllowed => 422,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::InternalError => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }
}
