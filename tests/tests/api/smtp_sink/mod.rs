//! SMTP server on 127.0.0.1 for tests. It accepts mail, keeps every message
//! in memory for assertions and injects failures on request.
//!
//! The server implements the RFC 5321 commands EHLO, HELO, MAIL, RCPT, DATA
//! (with dot-unstuffing), RSET, NOOP, VRFY and QUIT, plus AUTH PLAIN
//! (RFC 4954) when `require_auth` was called. It advertises 8BITMIME,
//! SMTPUTF8 and ENHANCEDSTATUSCODES. STARTTLS is not offered.

mod session;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Host name that the sink gives in its greeting and EHLO reply.
const SERVER_NAME: &str = "sink.localhost";

/// A message that the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// Argument of the client's EHLO or HELO.
    pub client_name: String,
    /// Envelope sender from MAIL FROM, without angle brackets. It is empty for
    /// the null reverse-path `<>`.
    pub mail_from: String,
    /// Parameters of MAIL FROM as sent, for example `BODY=8BITMIME` or
    /// `SMTPUTF8`.
    pub mail_parameters: Vec<String>,
    /// Envelope recipients from the accepted RCPT TO commands, in order.
    pub rcpt_to: Vec<String>,
    /// User name of a successful AUTH PLAIN in this session.
    pub auth_user: Option<String>,
    /// Message data after dot-unstuffing, without the final `.` line. Lines
    /// end with CRLF as sent.
    pub data: Vec<u8>,
}

/// Point in an SMTP session where a `Fault` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The server greeting after the TCP connection is accepted.
    Greeting,
    /// The reply to EHLO or HELO.
    Hello,
    /// The reply to MAIL FROM.
    MailFrom,
    /// The reply to each RCPT TO.
    RcptTo,
    /// The reply to the DATA command, before any message data.
    Data,
    /// The reply after the final `.` line of the message data.
    EndOfData,
    /// The reply to QUIT.
    Quit,
}

/// Failure that the sink produces at one `Stage` of every session until it
/// is cleared with `SmtpSink::set_fault(None)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Send this reply instead of the normal one, for example
    /// `451 4.3.0 Try again later`. The session state stays as it was,
    /// except that a reply at `EndOfData` ends the transaction, as any reply
    /// to the end of data does (RFC 5321, 4.1.1.4). A 421 reply also closes
    /// the connection.
    Reply { stage: Stage, code: u16, text: String },
    /// Close the TCP connection without a reply.
    Disconnect { stage: Stage },
    /// Send nothing more and ignore further input until the client closes the
    /// connection, so that client timeouts can be tested.
    Stall { stage: Stage },
}

impl Fault {
    fn stage(&self) -> Stage {
        match self {
            Fault::Reply { stage, .. } | Fault::Disconnect { stage } | Fault::Stall { stage } => *stage,
        }
    }
}

/// Error of `SmtpSink::wait_for_messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitTimedOut {
    pub expected: usize,
    pub received: usize,
    pub timeout: Duration,
}

impl fmt::Display for WaitTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SMTP sink received {} of {} expected messages within {} ms",
            self.received,
            self.expected,
            self.timeout.as_millis()
        )
    }
}

impl std::error::Error for WaitTimedOut {}

/// Running SMTP server. Dropping it stops the server and closes every open
/// connection.
pub struct SmtpSink {
    address: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

/// State shared by the sink handle and its connection tasks.
struct Shared {
    settings: Mutex<Settings>,
    received: watch::Sender<Vec<ReceivedMail>>,
    connection_count: AtomicUsize,
}

#[derive(Default)]
struct Settings {
    fault: Option<Fault>,
    /// Lower-cased recipient addresses that get a 550 reply.
    rejected_recipients: HashSet<String>,
    /// User name and password that AUTH PLAIN accepts. When set, MAIL FROM
    /// needs a successful AUTH first.
    credentials: Option<(String, String)>,
}

impl Shared {
    fn settings(&self) -> MutexGuard<'_, Settings> {
        // A test that panicked while holding the lock leaves valid settings.
        self.settings.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn fault_at(&self, stage: Stage) -> Option<Fault> {
        self.settings().fault.clone().filter(|fault| fault.stage() == stage)
    }
}

impl SmtpSink {
    /// Binds 127.0.0.1 on a free port and starts accepting connections on
    /// the current tokio runtime.
    pub async fn start() -> io::Result<SmtpSink> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            settings: Mutex::new(Settings::default()),
            received: watch::Sender::new(Vec::new()),
            connection_count: AtomicUsize::new(0),
        });
        let accept_task = tokio::spawn(accept_connections(listener, Arc::clone(&shared)));
        Ok(SmtpSink { address, shared, accept_task })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Sets the failure for new and open sessions, or clears it with `None`.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.shared.settings().fault = fault;
    }

    /// Makes RCPT TO for `address` (compared case-insensitively) fail with
    /// `550 5.1.1`. The reply repeats the address, as many real servers do,
    /// so tests can check that a client keeps it out of its errors.
    pub fn reject_recipient(&self, address: &str) {
        self.shared.settings().rejected_recipients.insert(address.to_lowercase());
    }

    /// Advertises AUTH PLAIN, accepts only these credentials and rejects
    /// MAIL FROM with `530 5.7.0` before a successful AUTH.
    pub fn require_auth(&self, username: &str, password: &str) {
        self.shared.settings().credentials = Some((username.to_owned(), password.to_owned()));
    }

    /// Returns the messages accepted so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.received.borrow().clone()
    }

    /// Returns the number of TCP connections accepted so far.
    pub fn connection_count(&self) -> usize {
        self.shared.connection_count.load(Ordering::SeqCst)
    }

    /// Waits until at least `count` messages were accepted and returns all of
    /// them, or fails after `timeout`.
    pub async fn wait_for_messages(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedMail>, WaitTimedOut> {
        let mut receiver = self.shared.received.subscribe();
        let waited =
            tokio::time::timeout(timeout, receiver.wait_for(|messages| messages.len() >= count)).await;
        match waited {
            Ok(Ok(messages)) => Ok(messages.clone()),
            // The sender lives in `self.shared`, so the channel cannot close
            // while `self` exists. Treat it as a timeout all the same.
            Ok(Err(_)) | Err(_) => {
                Err(WaitTimedOut { expected: count, received: self.messages().len(), timeout })
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every
        // connection task.
        self.accept_task.abort();
    }
}

async fn accept_connections(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    shared.connection_count.fetch_add(1, Ordering::SeqCst);
                    connections.spawn(session::serve_connection(stream, Arc::clone(&shared)));
                }
                Err(error) => eprintln!("smtp_sink: accepting a connection failed: {error}"),
            },
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                match finished {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => eprintln!("smtp_sink: connection failed: {error}"),
                    Err(error) => eprintln!("smtp_sink: connection task failed: {error}"),
                }
            }
        }
    }
}
