//! One SMTP session of the sink, from the greeting to QUIT.

use std::io;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use super::{Fault, ReceivedMail, Shared, Stage, SERVER_NAME};

/// Maximum command line length in octets, CRLF included (RFC 5321, 4.5.3.1.4).
const MAX_COMMAND_LINE: usize = 512;
/// Maximum message data line length in octets, CRLF included (RFC 5321, 4.5.3.1.6).
const MAX_TEXT_LINE: usize = 1000;
/// Maximum AUTH response line length in octets (RFC 4954, section 4).
const MAX_AUTH_LINE: usize = 12288;
/// Maximum recipients per message, the minimum that RFC 5321 (4.5.3.1.8)
/// requires a server to accept.
const MAX_RECIPIENTS: usize = 100;
/// Maximum message size in octets that the sink stores.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Serves one client connection until QUIT, a fault or end of input.
pub(super) async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    let (read_half, write_half) = stream.into_split();
    let mut session = Session {
        shared,
        reader: BufReader::new(read_half),
        writer: write_half,
        client_name: None,
        auth_user: None,
        transaction: None,
        no_service: false,
    };
    session.run().await
}

/// Whether the session goes on after a command.
enum Next {
    Continue,
    Close,
}

enum Line {
    /// A line that ends with LF, which is included.
    Complete(Vec<u8>),
    /// A line longer than the limit. Its remainder was read and dropped.
    TooLong,
    /// The client closed the connection, possibly in the middle of a line.
    Eof,
}

struct Transaction {
    mail_from: String,
    mail_parameters: Vec<String>,
    rcpt_to: Vec<String>,
}

struct Session {
    shared: Arc<Shared>,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    /// Argument of the last EHLO or HELO.
    client_name: Option<String>,
    auth_user: Option<String>,
    transaction: Option<Transaction>,
    /// Set after a negative greeting. RFC 5321 (3.1) then has the server
    /// reply 503 to every command except QUIT.
    no_service: bool,
}

impl Session {
    async fn run(&mut self) -> io::Result<()> {
        match self.apply_fault(Stage::Greeting).await? {
            Some(Next::Close) => return Ok(()),
            Some(Next::Continue) => self.no_service = true,
            None => self.reply(220, &format!("{SERVER_NAME} ESMTP test sink ready")).await?,
        }

        loop {
            let line = match self.read_line(MAX_COMMAND_LINE).await? {
                Line::Complete(line) => line,
                Line::TooLong => {
                    self.reply(500, "5.5.6 Line too long").await?;
                    continue;
                }
                Line::Eof => return Ok(()),
            };
            let Ok(line) = String::from_utf8(line) else {
                self.reply(500, "5.5.2 Command is not valid UTF-8").await?;
                continue;
            };
            let line = line.trim_end_matches(['\r', '\n']);
            let (verb, argument) = line.split_once(' ').unwrap_or((line, ""));
            let verb = verb.to_ascii_uppercase();
            let argument = argument.trim();

            if let Next::Close = self.dispatch(&verb, argument).await? {
                return Ok(());
            }
        }
    }

    async fn dispatch(&mut self, verb: &str, argument: &str) -> io::Result<Next> {
        if self.no_service && verb != "QUIT" {
            self.reply(503, "5.5.1 No service, send QUIT").await?;
            return Ok(Next::Continue);
        }
        match verb {
            "EHLO" => self.hello(argument, true).await,
            "HELO" => self.hello(argument, false).await,
            "MAIL" => self.mail(argument).await,
            "RCPT" => self.rcpt(argument).await,
            "DATA" => self.data(argument).await,
            "AUTH" => self.auth(argument).await,
            "RSET" => self.rset(argument).await,
            "NOOP" => self.reply_and_continue(250, "2.0.0 OK").await,
            "VRFY" => {
                self.reply_and_continue(252, "2.1.5 Cannot verify the user, but will accept the message")
                    .await
            }
            "QUIT" => {
                if let Some(next) = self.apply_fault(Stage::Quit).await? {
                    return Ok(next);
                }
                self.reply(221, "2.0.0 Bye").await?;
                Ok(Next::Close)
            }
            "STARTTLS" | "EXPN" | "HELP" | "TURN" | "ETRN" | "BDAT" => {
                self.reply_and_continue(502, "5.5.1 Command not implemented").await
            }
            _ => self.reply_and_continue(500, "5.5.2 Command not recognized").await,
        }
    }

    async fn hello(&mut self, argument: &str, extended: bool) -> io::Result<Next> {
        if let Some(next) = self.apply_fault(Stage::Hello).await? {
            return Ok(next);
        }
        if argument.is_empty() {
            let usage = if extended { "5.5.4 Syntax: EHLO domain" } else { "5.5.4 Syntax: HELO domain" };
            return self.reply_and_continue(501, usage).await;
        }

        // EHLO and HELO end any open transaction (RFC 5321, 4.1.4).
        self.transaction = None;
        self.client_name = Some(argument.to_owned());
        if !extended {
            return self.reply_and_continue(250, SERVER_NAME).await;
        }
        let mut lines = vec![SERVER_NAME, "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"];
        if self.shared.settings().credentials.is_some() {
            lines.push("AUTH PLAIN");
        }
        self.reply_lines(250, &lines).await?;
        Ok(Next::Continue)
    }

    async fn mail(&mut self, argument: &str) -> io::Result<Next> {
        if let Some(next) = self.apply_fault(Stage::MailFrom).await? {
            return Ok(next);
        }
        if self.client_name.is_none() {
            return self.reply_and_continue(503, "5.5.1 Send EHLO or HELO first").await;
        }
        if self.transaction.is_some() {
            return self.reply_and_continue(503, "5.5.1 Nested MAIL command").await;
        }
        if self.shared.settings().credentials.is_some() && self.auth_user.is_none() {
            return self.reply_and_continue(530, "5.7.0 Authentication required").await;
        }
        let Some((reverse_path, parameters)) =
            strip_prefix_ignore_case(argument, "FROM:").and_then(parse_path)
        else {
            return self.reply_and_continue(501, "5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        let mail_parameters: Vec<String> = parameters.split_whitespace().map(str::to_owned).collect();
        for parameter in &mail_parameters {
            let parameter = parameter.to_ascii_uppercase();
            if !matches!(parameter.as_str(), "BODY=7BIT" | "BODY=8BITMIME" | "SMTPUTF8") {
                return self.reply_and_continue(555, "5.5.4 Unsupported MAIL parameter").await;
            }
        }

        self.transaction =
            Some(Transaction { mail_from: reverse_path, mail_parameters, rcpt_to: Vec::new() });
        self.reply_and_continue(250, "2.1.0 OK").await
    }

    async fn rcpt(&mut self, argument: &str) -> io::Result<Next> {
        if let Some(next) = self.apply_fault(Stage::RcptTo).await? {
            return Ok(next);
        }
        let Some(recipient_count) = self.transaction.as_ref().map(|transaction| transaction.rcpt_to.len())
        else {
            return self.reply_and_continue(503, "5.5.1 Need MAIL command first").await;
        };
        let Some((forward_path, parameters)) = strip_prefix_ignore_case(argument, "TO:").and_then(parse_path)
        else {
            return self.reply_and_continue(501, "5.5.4 Syntax: RCPT TO:<address>").await;
        };
        if !parameters.is_empty() {
            return self.reply_and_continue(555, "5.5.4 Unsupported RCPT parameter").await;
        }
        if !forward_path.contains('@') && !forward_path.eq_ignore_ascii_case("postmaster") {
            return self.reply_and_continue(501, "5.1.3 Bad recipient address syntax").await;
        }
        if self.shared.settings().rejected_recipients.contains(&forward_path.to_lowercase()) {
            let text = format!("5.1.1 <{forward_path}>: Recipient address rejected: mailbox unavailable");
            return self.reply_and_continue(550, &text).await;
        }
        if recipient_count >= MAX_RECIPIENTS {
            return self.reply_and_continue(452, "4.5.3 Too many recipients").await;
        }

        if let Some(transaction) = self.transaction.as_mut() {
            transaction.rcpt_to.push(forward_path);
        }
        self.reply_and_continue(250, "2.1.5 OK").await
    }

    async fn data(&mut self, argument: &str) -> io::Result<Next> {
        if let Some(next) = self.apply_fault(Stage::Data).await? {
            return Ok(next);
        }
        if !argument.is_empty() {
            return self.reply_and_continue(501, "5.5.4 Syntax: DATA").await;
        }
        let Some(recipient_count) = self.transaction.as_ref().map(|transaction| transaction.rcpt_to.len())
        else {
            return self.reply_and_continue(503, "5.5.1 Need MAIL command first").await;
        };
        if recipient_count == 0 {
            return self.reply_and_continue(554, "5.5.1 No valid recipients").await;
        }
        self.reply(354, "End data with <CR><LF>.<CR><LF>").await?;

        let mut data = Vec::new();
        let mut line_too_long = false;
        let mut too_big = false;
        loop {
            let line = match self.read_line(MAX_TEXT_LINE).await? {
                Line::Complete(line) => line,
                Line::TooLong => {
                    line_too_long = true;
                    continue;
                }
                // The message is incomplete, so it is dropped.
                Line::Eof => return Ok(Next::Close),
            };
            // Only CRLF.CRLF ends the data, so a "." line that ends in a bare
            // LF is data (RFC 5321, 4.1.1.4).
            if line == b".\r\n" {
                break;
            }
            // Dot-unstuffing (RFC 5321, 4.5.2).
            let content = line.strip_prefix(b".").unwrap_or(&line);
            if data.len() + content.len() > MAX_MESSAGE_BYTES {
                too_big = true;
            } else {
                data.extend_from_slice(content);
            }
        }

        // The reply after the data ends the transaction, whatever it is.
        let transaction = self.transaction.take();
        if let Some(next) = self.apply_fault(Stage::EndOfData).await? {
            return Ok(next);
        }
        if line_too_long {
            return self.reply_and_continue(500, "5.5.6 Message data line too long").await;
        }
        if too_big {
            return self.reply_and_continue(552, "5.3.4 Message too big").await;
        }
        let Some(Transaction { mail_from, mail_parameters, rcpt_to }) = transaction else {
            return self.reply_and_continue(503, "5.5.1 Need MAIL command first").await;
        };

        let mail = ReceivedMail {
            client_name: self.client_name.clone().unwrap_or_default(),
            mail_from,
            mail_parameters,
            rcpt_to,
            auth_user: self.auth_user.clone(),
            data,
        };
        let mut queue_id = 0;
        self.shared.received.send_modify(|messages| {
            messages.push(mail);
            queue_id = messages.len();
        });
        self.reply_and_continue(250, &format!("2.0.0 OK: queued as {queue_id}")).await
    }

    /// Handles AUTH PLAIN (RFC 4954 and RFC 4616).
    async fn auth(&mut self, argument: &str) -> io::Result<Next> {
        let credentials = self.shared.settings().credentials.clone();
        let Some((username, password)) = credentials else {
            return self.reply_and_continue(502, "5.5.1 Command not implemented").await;
        };
        if self.client_name.is_none() {
            return self.reply_and_continue(503, "5.5.1 Send EHLO first").await;
        }
        if self.auth_user.is_some() {
            return self.reply_and_continue(503, "5.5.1 Already authenticated").await;
        }
        if self.transaction.is_some() {
            return self.reply_and_continue(503, "5.5.1 AUTH is not allowed during a mail transaction").await;
        }
        let (mechanism, initial_response) = argument.split_once(' ').unwrap_or((argument, ""));
        if !mechanism.eq_ignore_ascii_case("PLAIN") {
            return self.reply_and_continue(504, "5.5.4 Unrecognized authentication type").await;
        }

        let response = if initial_response.is_empty() {
            self.reply(334, "").await?;
            match self.read_line(MAX_AUTH_LINE).await? {
                Line::Complete(line) => String::from_utf8_lossy(&line).trim_end().to_owned(),
                Line::TooLong => return self.reply_and_continue(500, "5.5.6 Line too long").await,
                Line::Eof => return Ok(Next::Close),
            }
        } else {
            initial_response.trim().to_owned()
        };
        if response == "*" {
            return self.reply_and_continue(501, "5.0.0 Authentication cancelled").await;
        }
        // "=" stands for an empty initial response (RFC 4954, section 4).
        let encoded = if response == "=" { "" } else { response.as_str() };
        let Ok(decoded) = BASE64.decode(encoded) else {
            return self.reply_and_continue(501, "5.5.2 Invalid base64 data").await;
        };
        // PLAIN message: authzid NUL authcid NUL passwd (RFC 4616, section 2).
        let fields: Vec<&[u8]> = decoded.split(|byte| *byte == 0).collect();
        let [_authorization_id, authentication_id, given_password] = fields.as_slice() else {
            return self.reply_and_continue(501, "5.5.2 Invalid PLAIN message").await;
        };

        if *authentication_id == username.as_bytes() && *given_password == password.as_bytes() {
            self.auth_user = Some(username);
            self.reply_and_continue(235, "2.7.0 Authentication successful").await
        } else {
            self.reply_and_continue(535, "5.7.8 Authentication credentials invalid").await
        }
    }

    async fn rset(&mut self, argument: &str) -> io::Result<Next> {
        if !argument.is_empty() {
            return self.reply_and_continue(501, "5.5.4 Syntax: RSET").await;
        }
        self.transaction = None;
        self.reply_and_continue(250, "2.0.0 OK").await
    }

    /// Produces the configured fault at `stage`. Returns `None` when there is
    /// no fault there and the normal reply must follow.
    async fn apply_fault(&mut self, stage: Stage) -> io::Result<Option<Next>> {
        let Some(fault) = self.shared.fault_at(stage) else {
            return Ok(None);
        };
        match fault {
            Fault::Reply { code, text, .. } => {
                self.reply(code, &text).await?;
                // A server that sends 421 closes the connection (RFC 5321, 3.8).
                Ok(Some(if code == 421 { Next::Close } else { Next::Continue }))
            }
            Fault::Disconnect { .. } => Ok(Some(Next::Close)),
            Fault::Stall { .. } => {
                tokio::io::copy(&mut self.reader, &mut tokio::io::sink()).await?;
                Ok(Some(Next::Close))
            }
        }
    }

    /// Reads one line of at most `max_len` octets, LF included.
    async fn read_line(&mut self, max_len: usize) -> io::Result<Line> {
        let mut line = Vec::new();
        let read = (&mut self.reader).take(max_len as u64).read_until(b'\n', &mut line).await?;
        if read == 0 {
            return Ok(Line::Eof);
        }
        if line.ends_with(b"\n") {
            return Ok(Line::Complete(line));
        }
        if line.len() < max_len {
            return Ok(Line::Eof);
        }

        loop {
            let mut rest = Vec::new();
            let read = (&mut self.reader).take(max_len as u64).read_until(b'\n', &mut rest).await?;
            if read == 0 {
                return Ok(Line::Eof);
            }
            if rest.ends_with(b"\n") {
                return Ok(Line::TooLong);
            }
        }
    }

    async fn reply(&mut self, code: u16, text: &str) -> io::Result<()> {
        self.reply_lines(code, &[text]).await
    }

    async fn reply_and_continue(&mut self, code: u16, text: &str) -> io::Result<Next> {
        self.reply(code, text).await?;
        Ok(Next::Continue)
    }

    /// Writes a reply in which every line but the last has a hyphen after
    /// the code.
    async fn reply_lines(&mut self, code: u16, lines: &[&str]) -> io::Result<()> {
        let mut reply = String::new();
        for (index, text) in lines.iter().enumerate() {
            let separator = if index + 1 == lines.len() { ' ' } else { '-' };
            reply.push_str(&format!("{code}{separator}{text}\r\n"));
        }
        self.writer.write_all(reply.as_bytes()).await
    }
}

/// Splits `<address> PARAMETERS` into the address and the parameter text.
/// A source route (`<@relay.example:user@example.org>`) is dropped, as RFC
/// 5321 (4.1.1.3) allows. Returns `None` without angle brackets.
fn parse_path(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start().strip_prefix('<')?;
    let (path, rest) = text.split_once('>')?;
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    let address = match path.strip_prefix('@') {
        Some(route_and_address) => route_and_address.split_once(':')?.1,
        None => path,
    };
    Some((address.to_owned(), rest.trim()))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}
