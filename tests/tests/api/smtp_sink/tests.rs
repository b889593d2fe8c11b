//! Protocol tests of the sink with a raw TCP client.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use super::*;

/// Deadline for every read. A test that reaches it fails.
const WAIT: Duration = Duration::from_secs(10);

/// SMTP client that writes raw lines and returns raw replies.
struct RawClient {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl RawClient {
    async fn connect(sink: &SmtpSink) -> RawClient {
        let stream = TcpStream::connect(sink.address()).await.expect("connect to sink");
        let (read_half, write_half) = stream.into_split();
        RawClient { reader: BufReader::new(read_half), writer: write_half }
    }

    /// Connects, checks the 220 greeting and sends EHLO.
    async fn connect_and_greet(sink: &SmtpSink) -> RawClient {
        let mut client = RawClient::connect(sink).await;
        let greeting = client.read_reply().await;
        assert!(greeting.starts_with("220 "), "greeting {greeting:?}");
        let ehlo = client.command("EHLO client.test").await;
        assert!(ehlo.starts_with("250"), "EHLO reply {ehlo:?}");
        client
    }

    /// Reads one reply, possibly of several lines, and returns its lines
    /// without CRLF, joined with `\n`.
    async fn read_reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("reply within deadline")
                .expect("read reply");
            assert!(read > 0, "connection closed after reply lines {lines:?}");
            let line = line.trim_end_matches(['\r', '\n']).to_owned();
            let is_last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if is_last {
                return lines.join("\n");
            }
        }
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write to sink");
    }

    /// Sends `line` with CRLF and returns the reply.
    async fn command(&mut self, line: &str) -> String {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
        self.read_reply().await
    }

    /// Returns true when the server closed the connection with no more data.
    async fn is_closed(&mut self) -> bool {
        let mut buffer = [0u8; 64];
        match tokio::time::timeout(WAIT, self.reader.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(_)) => false,
            Err(_) => panic!("connection neither closed nor sent data within {WAIT:?}"),
        }
    }
}

fn reply_code(reply: &str) -> &str {
    reply.get(..3).unwrap_or(reply)
}

#[tokio::test]
async fn greeting_and_ehlo_extensions() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect(&sink).await;

    let greeting = client.read_reply().await;
    let ehlo = client.command("EHLO client.test").await;

    assert_eq!(greeting, "220 sink.localhost ESMTP test sink ready");
    let lines: Vec<&str> = ehlo.lines().collect();
    assert_eq!(lines, ["250-sink.localhost", "250-8BITMIME", "250-SMTPUTF8", "250 ENHANCEDSTATUSCODES"]);
    assert_eq!(sink.connection_count(), 1);
}

#[tokio::test]
async fn transaction_stores_envelope_and_unstuffed_data() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;

    assert_eq!(client.command("MAIL FROM:<sender@example.org> BODY=8BITMIME").await, "250 2.1.0 OK");
    assert_eq!(client.command("RCPT TO:<one@example.net>").await, "250 2.1.5 OK");
    assert_eq!(client.command("rcpt to:<two@example.net>").await, "250 2.1.5 OK");
    assert_eq!(reply_code(&client.command("DATA").await), "354");
    client.send_raw(b"Subject: dots\r\n\r\n..leading dot\r\n....\r\nmiddle . dot\r\n.\r\n").await;
    let queued = client.read_reply().await;
    let quit = client.command("QUIT").await;

    assert_eq!(queued, "250 2.0.0 OK: queued as 1");
    assert_eq!(quit, "221 2.0.0 Bye");
    assert!(client.is_closed().await);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    assert_eq!(mail.client_name, "client.test");
    assert_eq!(mail.mail_from, "sender@example.org");
    assert_eq!(mail.mail_parameters, ["BODY=8BITMIME"]);
    assert_eq!(mail.rcpt_to, ["one@example.net", "two@example.net"]);
    assert_eq!(mail.auth_user, None);
    assert_eq!(mail.data, b"Subject: dots\r\n\r\n.leading dot\r\n...\r\nmiddle . dot\r\n");
}

#[tokio::test]
async fn dot_with_bare_lf_does_not_end_data() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<>").await;
    client.command("RCPT TO:<one@example.net>").await;
    client.command("DATA").await;

    client.send_raw(b"first\r\n.\nsecond\r\n.\r\n").await;
    let queued = client.read_reply().await;

    assert_eq!(reply_code(&queued), "250");
    let messages = sink.messages();
    assert_eq!(messages[0].mail_from, "");
    assert_eq!(messages[0].data, b"first\r\n\nsecond\r\n");
}

#[tokio::test]
async fn commands_out_of_sequence() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect(&sink).await;
    client.read_reply().await;

    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org>").await), "503");
    client.command("HELO client.test").await;
    assert_eq!(reply_code(&client.command("RCPT TO:<b@example.net>").await), "503");
    assert_eq!(reply_code(&client.command("DATA").await), "503");
    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org>").await), "250");
    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org>").await), "503");
    assert_eq!(reply_code(&client.command("DATA").await), "554");
}

#[tokio::test]
async fn rset_and_ehlo_end_transaction() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;

    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    assert_eq!(client.command("RSET").await, "250 2.0.0 OK");
    assert_eq!(reply_code(&client.command("DATA").await), "503");

    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("EHLO client.test").await;
    assert_eq!(reply_code(&client.command("DATA").await), "503");
    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org>").await), "250");
}

#[tokio::test]
async fn noop_vrfy_and_unknown_commands() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;

    assert_eq!(client.command("NOOP").await, "250 2.0.0 OK");
    assert_eq!(reply_code(&client.command("VRFY someone").await), "252");
    assert_eq!(reply_code(&client.command("STARTTLS").await), "502");
    assert_eq!(reply_code(&client.command("AUTH PLAIN AGEAYg==").await), "502");
    assert_eq!(reply_code(&client.command("FROB").await), "500");
    assert_eq!(reply_code(&client.command("").await), "500");
}

#[tokio::test]
async fn syntax_errors_get_501_or_555() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect(&sink).await;
    client.read_reply().await;

    assert_eq!(reply_code(&client.command("EHLO").await), "501");
    client.command("EHLO client.test").await;
    assert_eq!(reply_code(&client.command("MAIL FROM:a@example.org").await), "501");
    assert_eq!(reply_code(&client.command("MAIL TO:<a@example.org>").await), "501");
    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org> SIZE=10").await), "555");
    assert_eq!(reply_code(&client.command("MAIL FROM:<a@example.org>").await), "250");
    assert_eq!(reply_code(&client.command("RCPT TO:<nobody>").await), "501");
    assert_eq!(reply_code(&client.command("RCPT TO:<b@example.net> NOTIFY=NEVER").await), "555");
    assert_eq!(reply_code(&client.command("RCPT TO:<Postmaster>").await), "250");
    assert_eq!(reply_code(&client.command("RSET now").await), "501");
}

#[tokio::test]
async fn source_route_is_dropped() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<@relay.example:b@example.net>").await;
    client.command("DATA").await;

    client.send_raw(b"x\r\n.\r\n").await;
    client.read_reply().await;

    assert_eq!(sink.messages()[0].rcpt_to, ["b@example.net"]);
}

#[tokio::test]
async fn rejected_recipient_gets_550_with_address() {
    let sink = SmtpSink::start().await.unwrap();
    sink.reject_recipient("Gone@Example.net");
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<a@example.org>").await;

    let rejected = client.command("RCPT TO:<gone@example.net>").await;
    let accepted = client.command("RCPT TO:<here@example.net>").await;

    assert_eq!(rejected, "550 5.1.1 <gone@example.net>: Recipient address rejected: mailbox unavailable");
    assert_eq!(accepted, "250 2.1.5 OK");
}

#[tokio::test]
async fn reply_fault_at_end_of_data_resets_transaction() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_fault(Some(Fault::Reply {
        stage: Stage::EndOfData,
        code: 451,
        text: "4.3.0 Try again later".into(),
    }));
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("DATA").await;

    client.send_raw(b"first try\r\n.\r\n").await;
    let deferred = client.read_reply().await;
    let rset = client.command("RSET").await;
    let data_without_transaction = client.command("DATA").await;

    assert_eq!(deferred, "451 4.3.0 Try again later");
    assert_eq!(rset, "250 2.0.0 OK");
    assert_eq!(reply_code(&data_without_transaction), "503");
    assert!(sink.messages().is_empty());

    sink.set_fault(None);
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("DATA").await;
    client.send_raw(b"second try\r\n.\r\n").await;
    assert_eq!(reply_code(&client.read_reply().await), "250");
    assert_eq!(sink.messages()[0].data, b"second try\r\n");
}

#[tokio::test]
async fn reply_fault_421_closes_connection() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_fault(Some(Fault::Reply {
        stage: Stage::MailFrom,
        code: 421,
        text: "4.3.2 Shutting down".into(),
    }));
    let mut client = RawClient::connect_and_greet(&sink).await;

    let reply = client.command("MAIL FROM:<a@example.org>").await;

    assert_eq!(reply, "421 4.3.2 Shutting down");
    assert!(client.is_closed().await);
}

#[tokio::test]
async fn disconnect_fault_closes_without_reply() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_fault(Some(Fault::Disconnect { stage: Stage::RcptTo }));
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<a@example.org>").await;

    client.send_raw(b"RCPT TO:<b@example.net>\r\n").await;

    assert!(client.is_closed().await);
}

#[tokio::test]
async fn negative_greeting_allows_only_quit() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_fault(Some(Fault::Reply { stage: Stage::Greeting, code: 554, text: "5.3.2 No service".into() }));
    let mut client = RawClient::connect(&sink).await;

    let greeting = client.read_reply().await;
    let ehlo = client.command("EHLO client.test").await;
    let quit = client.command("QUIT").await;

    assert_eq!(greeting, "554 5.3.2 No service");
    assert_eq!(reply_code(&ehlo), "503");
    assert_eq!(reply_code(&quit), "221");
}

#[tokio::test]
async fn stall_fault_sends_nothing() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_fault(Some(Fault::Stall { stage: Stage::Greeting }));
    let mut client = RawClient::connect(&sink).await;

    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_millis(300), client.reader.read(&mut buffer)).await;

    assert!(read.is_err(), "expected no greeting, read {read:?}");
}

#[tokio::test]
async fn auth_plain_required_and_checked() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_auth("mailer", "s3cret");
    let mut client = RawClient::connect(&sink).await;
    client.read_reply().await;
    let ehlo = client.command("EHLO client.test").await;
    let wrong = BASE64.encode(b"\0mailer\0wrong");
    let right = BASE64.encode(b"\0mailer\0s3cret");

    let mail_before_auth = client.command("MAIL FROM:<a@example.org>").await;
    let wrong_password = client.command(&format!("AUTH PLAIN {wrong}")).await;
    let challenge = client.command("AUTH PLAIN").await;
    let accepted = client.command(&right).await;
    let second_auth = client.command(&format!("AUTH PLAIN {right}")).await;

    assert!(ehlo.ends_with("\n250 AUTH PLAIN"), "EHLO reply {ehlo:?}");
    assert_eq!(reply_code(&mail_before_auth), "530");
    assert_eq!(wrong_password, "535 5.7.8 Authentication credentials invalid");
    assert_eq!(challenge, "334 ");
    assert_eq!(accepted, "235 2.7.0 Authentication successful");
    assert_eq!(reply_code(&second_auth), "503");

    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("DATA").await;
    client.send_raw(b"x\r\n.\r\n").await;
    assert_eq!(reply_code(&client.read_reply().await), "250");
    assert_eq!(sink.messages()[0].auth_user.as_deref(), Some("mailer"));
}

#[tokio::test]
async fn auth_cancel_and_bad_base64() {
    let sink = SmtpSink::start().await.unwrap();
    sink.require_auth("mailer", "s3cret");
    let mut client = RawClient::connect_and_greet(&sink).await;

    client.command("AUTH PLAIN").await;
    let cancelled = client.command("*").await;
    let bad_base64 = client.command("AUTH PLAIN %%%").await;
    let unknown_mechanism = client.command("AUTH CRAM-MD5").await;

    assert_eq!(reply_code(&cancelled), "501");
    assert_eq!(reply_code(&bad_base64), "501");
    assert_eq!(reply_code(&unknown_mechanism), "504");
}

#[tokio::test]
async fn long_command_line_rejected_session_continues() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;

    let long_line = format!("NOOP {}", "x".repeat(600));
    let too_long = client.command(&long_line).await;
    let noop = client.command("NOOP").await;

    assert_eq!(too_long, "500 5.5.6 Line too long");
    assert_eq!(noop, "250 2.0.0 OK");
}

#[tokio::test]
async fn long_data_line_rejects_message() {
    let sink = SmtpSink::start().await.unwrap();
    let mut client = RawClient::connect_and_greet(&sink).await;
    client.command("MAIL FROM:<a@example.org>").await;
    client.command("RCPT TO:<b@example.net>").await;
    client.command("DATA").await;

    client.send_raw(format!("{}\r\nshort\r\n.\r\n", "y".repeat(1200)).as_bytes()).await;
    let reply = client.read_reply().await;
    let noop = client.command("NOOP").await;

    assert_eq!(reply, "500 5.5.6 Message data line too long");
    assert_eq!(noop, "250 2.0.0 OK");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn wait_for_messages_times_out() {
    let sink = SmtpSink::start().await.unwrap();

    let result = sink.wait_for_messages(1, Duration::from_millis(100)).await;

    let error = result.expect_err("no message was sent");
    assert_eq!(error.expected, 1);
    assert_eq!(error.received, 0);
    assert_eq!(error.to_string(), "SMTP sink received 0 of 1 expected messages within 100 ms");
}
