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
    Network(String),
    /// The server returned a success status but a body this app cannot read.
    InvalidResponse(String),
    /// The browser could not build the request.
    Browser(String),
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

    /// Returns the sentence to show to the user.
    pub fn message(&self) -> String {
        match self {
            ApiError::Server { error, .. } => error.message.clone(),
            ApiError::SessionEnded => "Your session has ended. Sign in again to continue.".to_string(),
            ApiError::Network(detail) => format!(
                "The Recovery Desk server could not be reached ({detail}). Check your connection and try again."
            ),
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

    /// Returns the messages for one input field joined into one sentence, if the server sent any.
    pub fn field_message(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .field_errors()
            .iter()
            .filter(|error| error.field == field)
            .map(|error| error.message.as_str())
            .collect();
        if messages.is_empty() {
            None
        } else {
            Some(messages.join("; "))
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}
