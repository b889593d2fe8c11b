//! The error type of every API call.

use shared::{ErrorBody, FieldError};

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server rejected the request and sent the standard error envelope.
    Server { status: u16, error: ErrorBody },
    /// The session ended: no stored tokens, or the server rejected them and a
    /// refresh did not help. The app has already been sent to the login page.
    SessionEnded,
    /// The request did not complete, for example because the server is down.
    /// The browser's description (such as `TypeError: Failed to fetch`) is
    /// kept for the console log, not for the user.
    Network(String),
    /// The server returned a success status but a body this app cannot read.
    InvalidResponse(String),
    /// The browser could not build the request.
    Browser(String),
}

/// Rewrites a server message such as `account not found` as the sentence
/// `Account not found.`: the first letter becomes a capital and a full stop
/// is added when the text ends without one.
///
/// A first word that contains `_` or a digit, such as `agent_id`, names a
/// field or value and keeps its spelling.
pub fn as_sentence(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let is_identifier = first_word.chars().any(|c| c == '_' || c.is_ascii_digit());

    let mut sentence = String::with_capacity(text.len() + 1);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !is_identifier => sentence.extend(first.to_uppercase()),
        Some(first) => sentence.push(first),
        None => {}
    }
    sentence.push_str(chars.as_str());
    if !sentence.ends_with(['.', '!', '?', '\u{2026}']) {
        sentence.push('.');
    }
    sentence
}

impl ApiError {
    /// Returns the stable error code from the server, such as `invalid_credentials`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Server { error, .. } => Some(&error.code),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Returns whether sending the same request again may succeed: the network
    /// failed, the server failed (5xx), asked to slow down (429) or sent an
    /// unreadable body. Another 4xx, such as 404, returns the same error every time.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
            ApiError::Network(_) | ApiError::InvalidResponse(_) => true,
            ApiError::SessionEnded | ApiError::Browser(_) => false,
        }
    }

    /// Returns whether a request that changes data may have taken effect on the
    /// server although it failed here. That is the case when the response was
    /// lost (network), the server failed (5xx) or sent a success status with an
    /// unreadable body, or the first request with the same `Idempotency-Key` is
    /// still running (409 `request_in_progress`). A retry must then reuse that key.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Server { status, error } => *status >= 500 || error.code == "request_in_progress",
            ApiError::Network(_) | ApiError::InvalidResponse(_) => true,
            ApiError::SessionEnded | ApiError::Browser(_) => false,
        }
    }

    /// Returns the sentence to show to the user.
    pub fn message(&self) -> String {
        match self {
            ApiError::Server { error, .. } => as_sentence(&error.message),
            ApiError::SessionEnded => "Your session has ended. Sign in again to continue.".to_string(),
            ApiError::Network(_) => "The server cannot be reached. Check your connection and try again.".to_string(),
            ApiError::InvalidResponse(detail) => format!(
                "The server sent a response this page cannot read ({detail}). Reload the page; if it happens again, report it."
            ),
            ApiError::Browser(detail) => {
                format!("The browser could not send the request ({detail}). Reload the page and try again.")
            }
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Server { error, .. } => &error.fields,
            _ => &[],
        }
    }

    /// Returns the server's messages for one input field as sentences, if it sent any.
    pub fn field_message(&self, field: &str) -> Option<String> {
        let messages: Vec<String> = self
            .field_errors()
            .iter()
            .filter(|error| error.field == field)
            .map(|error| as_sentence(&error.message))
            .collect();
        if messages.is_empty() {
            None
        } else {
            Some(messages.join(" "))
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(status: u16, message: &str, fields: Vec<FieldError>) -> ApiError {
        ApiError::Server {
            status,
            error: ErrorBody { code: "some_code".to_string(), message: message.to_string(), fields },
        }
    }

    #[test]
    fn sentence_gets_capital_and_full_stop() {
        assert_eq!(as_sentence("account not found"), "Account not found.");
        assert_eq!(as_sentence("  cursor is stale; start again  "), "Cursor is stale; start again.");
    }

    #[test]
    fn sentence_keeps_finished_text() {
        assert_eq!(as_sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(as_sentence("is it?"), "Is it?");
        assert_eq!(as_sentence(""), "");
    }

    #[test]
    fn sentence_keeps_identifier_spelling() {
        assert_eq!(as_sentence("agent_id names no user"), "agent_id names no user.");
        assert_eq!(as_sentence("'abc' is not a number"), "'abc' is not a number.");
    }

    #[test]
    fn sentence_capitalises_non_ascii() {
        assert_eq!(as_sentence("échec"), "Échec.");
    }

    #[test]
    fn server_message_is_sentence() {
        let error = server_error(404, "account not found", Vec::new());
        assert_eq!(error.message(), "Account not found.");
        assert!(!error.is_retryable());
    }

    #[test]
    fn field_messages_are_sentences() {
        let fields = vec![
            FieldError::new("limit", "invalid", "limit is too large"),
            FieldError::new("limit", "invalid", "use at most 500"),
            FieldError::new("cursor", "invalid", "cursor is unknown"),
        ];
        let error = server_error(400, "2 fields are invalid", fields);
        assert_eq!(error.field_message("limit").as_deref(), Some("Limit is too large. Use at most 500."));
        assert_eq!(error.field_message("q"), None);
    }

    #[test]
    fn outcome_unknown_after_lost_response_or_running_request() {
        let running = ApiError::Server {
            status: 409,
            error: ErrorBody { code: "request_in_progress".to_string(), message: "still running".to_string(), fields: Vec::new() },
        };
        assert!(running.outcome_unknown());
        assert!(ApiError::Network("TypeError: Failed to fetch".to_string()).outcome_unknown());
        assert!(ApiError::InvalidResponse("expected value".to_string()).outcome_unknown());
        assert!(server_error(502, "bad gateway", Vec::new()).outcome_unknown());
    }

    #[test]
    fn outcome_known_after_rejection() {
        assert!(!server_error(400, "amount is not positive", Vec::new()).outcome_unknown());
        assert!(!server_error(409, "already reversed", Vec::new()).outcome_unknown());
        assert!(!server_error(422, "key reused", Vec::new()).outcome_unknown());
        assert!(!ApiError::SessionEnded.outcome_unknown());
    }

    #[test]
    fn network_failure_hides_browser_text() {
        let error = ApiError::Network("TypeError: Failed to fetch".to_string());
        assert_eq!(error.message(), "The server cannot be reached. Check your connection and try again.");
        assert!(error.is_retryable());
    }
}
