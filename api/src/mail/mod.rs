//! Outgoing email over SMTP: one message per call, with a plain-text body and
//! an optional attachment such as a PDF receipt.
//!
//! `Mailer` drives lettre's tokio SMTP connection. Each `send` opens a new
//! connection, because lettre's connection pool is not built in.
//! Errors never contain a recipient address, message content or the text of
//! a server reply, because servers often repeat the recipient address in
//! their replies and the product's logs carry only ids.

mod error;
mod message;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::transport::smtp::Error as SmtpError;
use lettre::Message;

pub use error::{AddressProblem, MailError};

/// Encryption of the connection to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP. Use it only for a relay on loopback or a trusted network,
    /// because message and credentials travel unencrypted.
    None,
    /// Plain connection upgraded with STARTTLS, usually on port 587. Sending
    /// fails, without falling back to plain text, if the server does not
    /// offer STARTTLS.
    StartTls,
    /// TLS from the first byte ("implicit TLS"), usually on port 465.
    Implicit,
}

/// Settings for `Mailer::new`.
#[derive(Clone)]
pub struct MailConfig {
    /// SMTP server host name or IP address.
    pub host: String,
    pub port: u16,
    /// Sender mailbox, for example `Recovery Desk <receipts@example.org>`.
    /// It is the `From` header and the envelope sender.
    pub from: String,
    /// SMTP AUTH user name. Set it together with `password`, or neither.
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: TlsMode,
    /// Maximum time from connecting to the server's reply to the message
    /// data. The reply to the QUIT that follows gets at most the same time
    /// again, so one `send` can take up to twice this.
    pub timeout: Duration,
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A file attached to an `OutgoingMail`. The bytes are sent base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown to the recipient, for example `receipt-1042.pdf`.
    /// Non-ASCII characters are allowed, but control characters are not.
    pub filename: String,
    /// MIME type, for example `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient mailbox: `jane@example.net` or `Jane Doe <jane@example.net>`.
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub attachment: Option<Attachment>,
}

/// Result of a message that the SMTP server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// The `Message-ID` header with its angle brackets, for example
    /// `<01936b1c7d6e7c3f9a2b4c5d6e7f8091@example.org>`.
    pub message_id: String,
    /// Reply code of the server to the message data, normally 250.
    pub reply_code: u16,
    /// Reply text of the server, lines joined with `\n`. It often carries the
    /// server's queue id.
    /// NOTE: the server writes this text, so it may contain the recipient
    /// address. Do not log it unreviewed.
    pub reply_text: String,
}

/// SMTP client built once from a `MailConfig`. Clones share its settings.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<MailerInner>,
}

struct MailerInner {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    from: Mailbox,
    /// `host:port`, for error messages.
    server: String,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.inner.server)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Validates `config` and prepares the TLS settings. Connects to nothing.
    pub fn new(config: MailConfig) -> Result<Self, MailError> {
        let MailConfig { host, port, from, username, password, tls, timeout } = config;

        if host.trim().is_empty() {
            return Err(MailError::invalid_config("host is empty"));
        }
        if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(MailError::invalid_config(format!("host {host:?} contains whitespace")));
        }
        if port == 0 {
            return Err(MailError::invalid_config("port is 0"));
        }
        if timeout.is_zero() {
            return Err(MailError::invalid_config("timeout is zero"));
        }
        let from: Mailbox = from.parse().map_err(|problem| {
            MailError::invalid_config(format!(
                "from is not a valid mailbox ({}); expected a form like \
                 `Recovery Desk <receipts@example.org>`",
                AddressProblem::from_lettre(&problem)
            ))
        })?;

        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some(Credentials::new(username, password)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(MailError::invalid_config("username is set but password is missing"))
            }
            (None, Some(_)) => {
                return Err(MailError::invalid_config("password is set but username is missing"))
            }
        };
        let tls = build_tls(tls, &host)?;

        let server = format!("{host}:{port}");
        let inner = MailerInner { host, port, tls, credentials, from, server, timeout };
        Ok(Mailer { inner: Arc::new(inner) })
    }

    /// Sends `mail` in one SMTP session and returns the server's acceptance.
    ///
    /// Address and attachment errors are returned before any connection is
    /// made. Retry only errors for which `MailError::is_transient` is true.
    /// NOTE: when the timeout ends the session after the message data was
    /// sent but before the server replied, the server may still deliver the
    /// message, so a retry can send it twice.
    pub async fn send(&self, mail: OutgoingMail) -> Result<SentMail, MailError> {
        let inner = &self.inner;
        let (message, message_id) = message::build_message(&inner.from, mail)?;

        let delivery = self.deliver(&message);
        let (response, mut connection) = match tokio::time::timeout(inner.timeout, delivery).await {
            Ok(Ok(delivered)) => delivered,
            Ok(Err(error)) => return Err(MailError::from_smtp(&error, &inner.server, inner.timeout)),
            Err(_elapsed) => {
                return Err(MailError::Timeout { server: inner.server.clone(), after: inner.timeout })
            }
        };

        // The server has accepted the message, so nothing after this point
        // may fail the send. QUIT gets at most `timeout` for its reply, and
        // its outcome is ignored.
        let _ = tokio::time::timeout(inner.timeout, connection.quit()).await;

        Ok(SentMail {
            message_id,
            reply_code: u16::from(response.code()),
            reply_text: response.message().collect::<Vec<_>>().join("\n"),
        })
    }

    /// Runs one SMTP session up to the server's reply to the message data
    /// and returns that reply with the still open connection.
    async fn deliver(&self, message: &Message) -> Result<(Response, AsyncSmtpConnection), SmtpError> {
        let inner = &self.inner;
        // Without lettre's `hostname` feature this is the address literal
        // `[127.0.0.1]`.
        let hello_name = ClientId::default();
        let implicit_tls = match &inner.tls {
            Tls::Wrapper(parameters) => Some(parameters.clone()),
            _ => None,
        };

        let server = (inner.host.as_str(), inner.port);
        let mut connection =
            AsyncSmtpConnection::connect_tokio1(server, Some(inner.timeout), &hello_name, implicit_tls, None)
                .await?;
        if let Tls::Required(parameters) = &inner.tls {
            connection.starttls(parameters.clone(), &hello_name).await?;
        }
        if let Some(credentials) = &inner.credentials {
            connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await?;
        }
        let response = connection.send(message.envelope(), &message.formatted()).await?;
        Ok((response, connection))
    }
}

fn build_tls(mode: TlsMode, host: &str) -> Result<Tls, MailError> {
    let parameters = || {
        TlsParameters::new(host.to_owned())
            .map_err(|error| MailError::invalid_config(format!("TLS setup for host {host} failed: {error}")))
    };
    Ok(match mode {
        TlsMode::None => Tls::None,
        TlsMode::StartTls => Tls::Required(parameters()?),
        TlsMode::Implicit => Tls::Wrapper(parameters()?),
    })
}
