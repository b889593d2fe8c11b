//! `ApiError`: every failure a handler returns, mapped to a status and the
//! one JSON error envelope. Causes of 5xx errors go to the log once, here,
//! and never into the response body.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use shared::{ErrorBody, ErrorCode, ErrorEnvelope, FieldError};

pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), fields: Vec::new(), cause: None }
    }

    /// 400 `validation_failed` listing the fields at fault.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [only] => only.message.clone(),
            _ => format!("{} fields are invalid; see `fields` for each problem", fields.len()),
        };
        ApiError { code: ErrorCode::ValidationFailed, message, fields, cause: None }
    }

    /// 400 `validation_failed` for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, "invalid", message)])
    }

    /// Names each field as nested under `parent`, so `amount` becomes
    /// `promise.amount`. Messages that start with the field's name get the
    /// same prefix, so they name the field as it was sent.
    pub fn with_field_prefix(mut self, parent: &str) -> Self {
        for field in &mut self.fields {
            if field.message.starts_with(&field.field) {
                field.message = format!("{parent}.{}", field.message);
            }
            field.field = format!("{parent}.{}", field.field);
        }
        if self.fields.len() == 1 {
            self.message = self.fields[0].message.clone();
        }
        self
    }

    /// Returns the cause of a 5xx error with the code as context, or the
    /// code and field names for other errors, for a job's log line.
    pub fn into_cause(self) -> anyhow::Error {
        let code = self.code.as_str();
        match self.cause {
            Some(cause) => cause.context(code),
            None => anyhow::anyhow!("{}", self),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 409 `conflict` because `field`'s value is already taken by another record.
    pub fn taken(field: &str, message: &str) -> Self {
        ApiError {
            code: ErrorCode::Conflict,
            message: message.to_string(),
            fields: vec![FieldError::new(field, "taken", message)],
            cause: None,
        }
    }

    /// 500 with a generic body; `cause` is logged when the response is built.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        ApiError {
            code: ErrorCode::InternalError,
            message: "the server failed to handle the request; try again, and report it if it persists".to_string(),
            fields: Vec::new(),
            cause: Some(cause.into()),
        }
    }

    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorBody { code: self.code.as_str().to_string(), message: self.message.clone(), fields: self.fields.clone() },
        }
    }
}

/// Names the code and the fields at fault, like `Display`. The request log
/// records this form too (`exception.details`), so the messages, which quote
/// the request's values, and the cause, logged once in `error_response`, are
/// left out.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.fields.iter().map(|e| e.field.as_str()).collect();
        f.debug_struct("ApiError").field("code", &self.code).field("fields", &fields).finish()
    }
}

/// The request log records this (`exception.message`), so it names the code
/// and the fields at fault but not the message, which quotes the request's
/// values: they may carry personal data or forged log lines.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())?;
        if !self.fields.is_empty() {
            let fields: Vec<String> = self.fields.iter().map(|e| e.field.escape_debug().to_string()).collect();
            write!(f, " (fields: {})", fields.join(", "))?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error.code = self.code.as_str(), error.cause = format!("{cause:#}"), "request failed");
        }
        HttpResponse::build(self.status_code()).json(self.envelope())
    }
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::NotFound => ApiError::not_found("record"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let constraint = info.constraint_name().unwrap_or("");
                match constraint {
                    "users_email_key" => {
                        ApiError::taken("email", "a user with this email already exists; sign in or choose another address")
                    }
                    "creditors_name_key" => ApiError::taken("name", "a creditor with this name already exists"),
                    "import_profiles_name_key" => {
                        ApiError::taken("name", "an import profile with this name already exists; choose another name")
                    }
                    "teams_name_key" => ApiError::taken("name", "a team with this name already exists; choose another name"),
                    "templates_creditor_key_idx" => {
                        ApiError::taken("key", "a template with this key already exists for the creditor; add a version to it instead")
                    }
                    "template_versions_template_version_key" => {
                        ApiError::conflict("another version of this template was saved at the same time; load it and try again")
                    }
                    _ => ApiError::internal(error),
                }
            }
            // PostgreSQL text cannot hold U+0000; reject it like any other invalid input.
            DieselError::DatabaseError(_, info) if info.message().contains("0x00") => ApiError::new(
                ErrorCode::ValidationFailed,
                "a text value contains a NUL character (\\u0000), which cannot be stored; remove it",
            ),
            // A deadlock (40P01) rolls the whole transaction back, so retrying is safe.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) if info.message().contains("deadlock detected") => {
                tracing::warn!("transaction rolled back after a deadlock");
                ApiError::new(ErrorCode::ServiceUnavailable, "the request collided with another change; retry it")
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::new(ErrorCode::ServiceUnavailable, "the request collided with another change; retry it")
            }
            _ => ApiError::internal(error),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error.cause = %error, "no database connection available");
        ApiError::new(ErrorCode::ServiceUnavailable, "the database is unavailable; try again shortly")
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::internal(error)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_codes() {
        assert_eq!(ApiError::not_found("account").status_code(), StatusCode::NOT_FOUND);
        assert_eq!(ApiError::invalid_field("limit", "bad").status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(ApiError::forbidden("no").status_code(), StatusCode::FORBIDDEN);
        assert_eq!(ApiError::conflict("dup").status_code(), StatusCode::CONFLICT);
        assert_eq!(ApiError::internal(anyhow::anyhow!("x")).status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn internal_error_body_hides_cause() {
        let error = ApiError::internal(anyhow::anyhow!("password=hunter2 relation users missing"));
        let body = serde_json::to_string(&error.envelope()).unwrap();
        assert!(!body.contains("hunter2"));
        assert!(body.contains("internal_error"));
    }

    #[test]
    fn log_forms_leave_out_messages() {
        let error = ApiError::invalid_field("email", "email 'ana@example.com' is not valid");
        for logged in [format!("{error}"), format!("{error:?}")] {
            assert!(!logged.contains("ana@example.com"), "{logged}");
            assert!(logged.contains("email"), "{logged}");
        }
    }

    #[test]
    fn field_prefix_names_nested_fields() {
        let error = ApiError::invalid_field("amount", "amount 0 is not positive").with_field_prefix("promise");
        assert_eq!(error.fields[0].field, "promise.amount");
        assert_eq!(error.message, "promise.amount 0 is not positive");
    }
}
