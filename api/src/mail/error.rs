//! `MailError` and its mapping from lettre's SMTP errors.

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use lettre::address::AddressError;
use lettre::transport::smtp;

/// Failure of `Mailer::new` or `Mailer::send`.
///
/// No variant contains an email address, message content or server reply
/// text, so the error is safe to log next to the ids of the affected records.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `MailConfig` is unusable. Permanent.
    #[error("invalid mail configuration: {reason}")]
    InvalidConfig { reason: String },

    /// lettre's address parser rejected the recipient. Permanent.
    #[error(
        "recipient address is invalid: {problem} (checked with lettre's address parser; \
         the address is left out of this message)"
    )]
    InvalidRecipient { problem: AddressProblem },

    /// Permanent.
    #[error("attachment is invalid: {reason}")]
    InvalidAttachment { reason: &'static str },

    /// lettre could not assemble the message. Permanent.
    #[error("message could not be built: {reason}")]
    InvalidMessage { reason: String },

    /// The server sent a 5xx reply. Permanent.
    #[error(
        "SMTP server {server} rejected the message with reply code {}; \
         sending it again unchanged will fail again",
        describe_reply_code(*.code, .enhanced_code.as_deref())
    )]
    Rejected { server: String, code: u16, enhanced_code: Option<String> },

    /// The server sent a 4xx reply. Transient.
    #[error(
        "SMTP server {server} deferred the message with reply code {}; retry later",
        describe_reply_code(*.code, .enhanced_code.as_deref())
    )]
    Deferred { server: String, code: u16, enhanced_code: Option<String> },

    /// Connecting failed (refused, unreachable, name not resolved), the TLS
    /// handshake failed, or the connection broke during the session.
    /// Transient.
    #[error("connection to SMTP server {server} failed: {detail}; retry later")]
    Connection { server: String, detail: String },

    /// The whole exchange took longer than `MailConfig::timeout`. Transient.
    #[error("SMTP exchange with {server} timed out after {} ms; retry later", .after.as_millis())]
    Timeout { server: String, after: Duration },

    /// The server sent a reply that could not be parsed, or lacks a feature
    /// that the message or configuration needs, such as STARTTLS. Transient,
    /// because an operator can fix the server or the configuration without
    /// any change to the message.
    #[error("SMTP exchange with {server} failed: {detail}")]
    Protocol { server: String, detail: String },
}

impl MailError {
    /// Returns true when sending the same message again cannot succeed: an
    /// invalid address, attachment or configuration, or a 5xx reply.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::InvalidConfig { .. }
            | MailError::InvalidRecipient { .. }
            | MailError::InvalidAttachment { .. }
            | MailError::InvalidMessage { .. }
            | MailError::Rejected { .. } => true,
            MailError::Deferred { .. }
            | MailError::Connection { .. }
            | MailError::Timeout { .. }
            | MailError::Protocol { .. } => false,
        }
    }

    /// Returns true when a later retry may succeed. Always the opposite of
    /// `is_permanent`.
    pub fn is_transient(&self) -> bool {
        !self.is_permanent()
    }

    /// SMTP reply code of a `Rejected` or `Deferred` error.
    pub fn reply_code(&self) -> Option<u16> {
        match self {
            MailError::Rejected { code, .. } | MailError::Deferred { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub(super) fn invalid_config(reason: impl Into<String>) -> Self {
        MailError::InvalidConfig { reason: reason.into() }
    }

    /// Maps an error of lettre's SMTP transport (lettre 0.11.23).
    pub(super) fn from_smtp(error: &smtp::Error, server: &str, timeout: Duration) -> Self {
        let server = server.to_owned();

        if let Some(code) = error.status() {
            // The source of a reply error is the server's reply text. Only its
            // enhanced status code is kept, because the text may quote the
            // recipient address.
            let enhanced_code = error.source().and_then(|text| enhanced_status_code(&text.to_string()));
            let code = u16::from(code);
            return if error.is_permanent() {
                MailError::Rejected { server, code, enhanced_code }
            } else {
                MailError::Deferred { server, code, enhanced_code }
            };
        }
        if error.is_timeout() {
            return MailError::Timeout { server, after: timeout };
        }
        if error.is_response() {
            // lettre reports a connection closed in the middle of a reply
            // here too. The source can quote the reply, so it is dropped.
            let detail = "the server closed the connection or sent an invalid reply".to_owned();
            return MailError::Protocol { server, detail };
        }
        if error.is_client() {
            // Client errors carry fixed texts in lettre 0.11.23, such as
            // "STARTTLS is not supported on this server".
            return MailError::Protocol { server, detail: source_text(error) };
        }
        // Connection, network and TLS errors. Their sources are I/O or TLS
        // errors, or fixed texts in lettre 0.11.23.
        MailError::Connection { server, detail: source_text(error) }
    }
}

/// Reason for which lettre's address parser rejected an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressProblem {
    MissingParts,
    UnbalancedAngleBracket,
    InvalidUser,
    InvalidDomain,
    InvalidInput,
}

impl AddressProblem {
    pub(super) fn from_lettre(error: &AddressError) -> Self {
        match error {
            AddressError::MissingParts => AddressProblem::MissingParts,
            AddressError::Unbalanced => AddressProblem::UnbalancedAngleBracket,
            AddressError::InvalidUser => AddressProblem::InvalidUser,
            AddressError::InvalidDomain => AddressProblem::InvalidDomain,
            // `AddressError` is non-exhaustive, so a future variant maps to
            // `InvalidInput`, the most general description.
            _ => AddressProblem::InvalidInput,
        }
    }
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressProblem::MissingParts => "the user or domain part is missing",
            AddressProblem::UnbalancedAngleBracket => "an angle bracket is unbalanced",
            AddressProblem::InvalidUser => "the user part is invalid",
            AddressProblem::InvalidDomain => "the domain part is invalid",
            AddressProblem::InvalidInput => "it does not parse as a single mailbox",
        })
    }
}

/// Returns the text of the innermost cause, which names the actual problem
/// (for example "Connection refused (os error 111)") without the prefixes
/// that lettre adds at each level.
fn source_text(error: &smtp::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

fn describe_reply_code(code: u16, enhanced_code: Option<&str>) -> String {
    match enhanced_code {
        Some(enhanced) => format!("{code} ({enhanced})"),
        None => code.to_string(),
    }
}

/// Returns the enhanced status code (RFC 3463, such as `5.1.1`) that starts
/// `reply_text`, if any.
fn enhanced_status_code(reply_text: &str) -> Option<String> {
    let first_word = reply_text.split_whitespace().next()?;
    let mut parts = first_word.split('.');
    let (class, subject, detail) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let is_number = |part: &str| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let valid = matches!(class, "2" | "4" | "5") && is_number(subject) && is_number(detail);
    valid.then(|| first_word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_code_found_at_start() {
        assert_eq!(enhanced_status_code("5.1.1 <jane@example.net>: rejected"), Some("5.1.1".to_owned()));
        assert_eq!(enhanced_status_code("4.7.100 greylisted"), Some("4.7.100".to_owned()));
    }

    #[test]
    fn enhanced_code_absent_or_malformed() {
        let cases = [
            "",
            "Mailbox unavailable",
            "3.1.1 wrong class",
            "5.1 too short",
            "5.1.1.1 too long",
            "5.1234.1 x",
            "5.a.1 x",
        ];
        for text in cases {
            assert_eq!(enhanced_status_code(text), None, "reply text {text:?}");
        }
    }

    #[test]
    fn reply_code_text_with_and_without_enhanced() {
        assert_eq!(describe_reply_code(550, Some("5.1.1")), "550 (5.1.1)");
        assert_eq!(describe_reply_code(451, None), "451");
    }

    #[test]
    fn permanence_by_variant() {
        let server = || "smtp.example.org:587".to_owned();
        let permanent = [
            MailError::invalid_config("host is empty"),
            MailError::InvalidRecipient { problem: AddressProblem::InvalidDomain },
            MailError::InvalidAttachment { reason: "file name is empty" },
            MailError::InvalidMessage { reason: "missing destination address".to_owned() },
            MailError::Rejected { server: server(), code: 550, enhanced_code: None },
        ];
        let transient = [
            MailError::Deferred { server: server(), code: 451, enhanced_code: None },
            MailError::Connection { server: server(), detail: "Connection refused".to_owned() },
            MailError::Timeout { server: server(), after: Duration::from_secs(1) },
            MailError::Protocol { server: server(), detail: "STARTTLS is not supported".to_owned() },
        ];
        for error in &permanent {
            assert!(error.is_permanent(), "{error}");
            assert!(!error.is_transient(), "{error}");
        }
        for error in &transient {
            assert!(error.is_transient(), "{error}");
            assert!(!error.is_permanent(), "{error}");
        }
    }
}
