//! Turns an `OutgoingMail` into a lettre `Message`.

use lettre::message::header::ContentType;
use lettre::message::{self as lettre_message, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use uuid::Uuid;

use super::{AddressProblem, Attachment, MailError, OutgoingMail};

/// Builds the message and returns it with its `Message-ID` header value.
pub(super) fn build_message(from: &Mailbox, mail: OutgoingMail) -> Result<(Message, String), MailError> {
    let OutgoingMail { to, subject, text_body, attachment } = mail;

    let to = parse_recipient(&to)?;
    let message_id = format!("<{}@{}>", Uuid::now_v7().simple(), from.email.domain());
    let builder =
        Message::builder().from(from.clone()).to(to).subject(subject).message_id(Some(message_id.clone()));

    let text = SinglePart::plain(text_body);
    let built = match attachment {
        None => builder.singlepart(text),
        Some(attachment) => {
            let attachment_part = build_attachment(attachment)?;
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment_part))
        }
    };
    let message = built.map_err(|error| MailError::InvalidMessage { reason: error.to_string() })?;
    Ok((message, message_id))
}

/// Parses one mailbox with lettre's parser. Surrounding whitespace is ignored.
fn parse_recipient(to: &str) -> Result<Mailbox, MailError> {
    to.trim()
        .parse::<Mailbox>()
        .map_err(|error| MailError::InvalidRecipient { problem: AddressProblem::from_lettre(&error) })
}

fn build_attachment(attachment: Attachment) -> Result<SinglePart, MailError> {
    let Attachment { filename, content_type, bytes } = attachment;

    if filename.trim().is_empty() {
        return Err(MailError::InvalidAttachment { reason: "file name is empty" });
    }
    if filename.chars().any(char::is_control) {
        return Err(MailError::InvalidAttachment { reason: "file name contains a control character" });
    }
    let content_type = ContentType::parse(&content_type).map_err(|_| MailError::InvalidAttachment {
        reason: "content type is not a valid MIME type such as application/pdf",
    })?;

    Ok(lettre_message::Attachment::new(filename).body(bytes, content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_single_mailbox_forms() {
        let cases = [
            ("jane@example.net", "jane@example.net"),
            ("  jane@example.net  ", "jane@example.net"),
            ("<jane@example.net>", "jane@example.net"),
            ("\"Doe, Jane\" <jane@example.net>", "jane@example.net"),
            ("jäne@bücher.example", "jäne@bücher.example"),
        ];
        for (input, expected) in cases {
            let mailbox = parse_recipient(input).unwrap_or_else(|error| panic!("{input:?}: {error}"));
            assert_eq!(mailbox.email.to_string(), expected, "input {input:?}");
        }
    }

    #[test]
    fn recipient_lists_and_junk_rejected() {
        let cases = [
            "",
            "jane@",
            "@example.net",
            "not an address",
            "jane@example.net, john@example.net",
            "jane@example.net john@example.net",
            "Jane <jane@example.net> trailing",
            "<jane@example.net",
            "jane@example.net\r\nBcc: mallory@example.com",
        ];
        for input in cases {
            let error = parse_recipient(input).expect_err(input);
            assert!(error.is_permanent(), "{input:?}: {error}");
            assert!(matches!(error, MailError::InvalidRecipient { .. }), "{input:?}: {error}");
        }
    }
}
