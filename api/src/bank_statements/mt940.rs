//! SWIFT MT940 customer statements and MT942 interim transaction reports.
//!
//! A file is a sequence of messages. Each message starts with a `:20:` field
//! and ends at a line "-" (also "-}" or "-" followed by control characters),
//! at the next `:20:`, or at the end of the input. Text outside messages, such
//! as bank headers ("ABNANL2A", "940", "{1:...}") and ":940:" lines, is
//! skipped, but a field tag outside a message is an error.
//!
//! Rules that the SWIFT standard leaves open or that banks break:
//! - Years: YY 00-68 is 2000-2068 and 69-99 is 1969-1999, the POSIX
//!   `strptime` `%y` rule. The optional MMDD entry date of `:61:` gets the
//!   year, out of the value date's year and the years before and after it,
//!   that puts it closest to the value date.
//! - Unknown tags are kept in `Statement::unknown_fields`, not rejected,
//!   because banks add fields such as `:NS:` that carry real data.
//! - `:86:` may have more than the 6 lines that SWIFT allows, and several
//!   `:86:` fields may follow one `:61:`. Nothing is cut off.
//! - Input that is not valid UTF-8 is decoded as Windows-1252, unless the
//!   caller names another encoding. A UTF-8 byte order mark is removed.
//!   NOTE: banks in Central Europe also use code page 852, which
//!   `encoding_rs` does not offer, so such text decodes to wrong letters.
//! - Required fields are `:20:`, `:25:` and, for MT940, `:60F:`/`:60M:` and
//!   `:62F:`/`:62M:`, or for MT942, `:34F:`. `:28C:` and `:13D:` are checked
//!   when present.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::error::StatementError;
use super::model::{
    Balance, BalanceKind, Entry, EntryTotal, Format, SourceEncoding, Statement, StatementFile,
    UnknownField,
};
use super::mt940_fields::{
    mt_error, multi_line_value, parse_balance, parse_entry_total, parse_floor_limit,
    parse_statement_line, single_line_value, validate_report_time, validate_statement_number,
    Field,
};
use super::mt940_info::parse_information;

/// Parses MT940 statements and MT942 interim reports. The file format is
/// taken from the first message, and every message must be of that format.
pub fn parse_mt9xx(bytes: &[u8]) -> Result<StatementFile, StatementError> {
    let (text, encoding) = decode(bytes, None);
    parse_text(&text, encoding, None)
}

/// Parses MT940/MT942 input in a known encoding, such as
/// `encoding_rs::ISO_8859_2`. A UTF-8 byte order mark still selects UTF-8.
pub fn parse_mt9xx_with_encoding(
    bytes: &[u8],
    encoding: &'static Encoding,
) -> Result<StatementFile, StatementError> {
    let (text, source_encoding) = decode(bytes, Some(encoding));
    parse_text(&text, source_encoding, None)
}

/// Parses a file of MT940 statements and rejects MT942 messages.
pub fn parse_mt940(bytes: &[u8]) -> Result<StatementFile, StatementError> {
    let (text, encoding) = decode(bytes, None);
    parse_text(&text, encoding, Some(Format::Mt940))
}

/// Parses a file of MT942 interim reports and rejects MT940 messages.
pub fn parse_mt942(bytes: &[u8]) -> Result<StatementFile, StatementError> {
    let (text, encoding) = decode(bytes, None);
    parse_text(&text, encoding, Some(Format::Mt942))
}

/// Returns whether the text has a line that starts with `:20:`, which every
/// MT940/MT942 message has.
pub(super) fn looks_like_mt9xx(bytes: &[u8]) -> bool {
    let (text, _) = decode(bytes, None);
    split_lines(&text)
        .iter()
        .any(|line| line.starts_with(":20:"))
}

fn decode<'a>(
    bytes: &'a [u8],
    encoding: Option<&'static Encoding>,
) -> (Cow<'a, str>, SourceEncoding) {
    // A UTF-8 byte order mark overrides the encoding that the caller named.
    let (bytes, encoding) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, None),
        None => (bytes, encoding),
    };

    if let Some(encoding) = encoding {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        let source = if encoding == encoding_rs::UTF_8 {
            SourceEncoding::Utf8
        } else if encoding == encoding_rs::WINDOWS_1252 {
            SourceEncoding::Windows1252
        } else {
            SourceEncoding::Other(encoding.name())
        };
        return (text, source);
    }

    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), SourceEncoding::Utf8),
        Err(_) => {
            // In the WHATWG Encoding Standard, which encoding_rs implements,
            // Windows-1252 maps every byte to a character, so no byte is replaced.
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, SourceEncoding::Windows1252)
        }
    }
}

/// Splits text at "\r\n", "\n" or a lone "\r".
fn split_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => {
                lines.push(&text[start..index]);
                start = index + 1;
            }
            b'\r' => {
                lines.push(&text[start..index]);
                if bytes.get(index + 1) == Some(&b'\n') {
                    index += 1;
                }
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Splits ":28C:rest" into ("28C", "rest"). A tag is 2 or 3 digits or
/// uppercase ASCII letters between colons at the start of a line.
fn split_tag(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let valid = (2..=3).contains(&tag.len())
        && tag
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
    if valid {
        Some((tag, &rest[end + 1..]))
    } else {
        None
    }
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// The fields of one message, starting with `:20:`.
struct RawMessage<'a> {
    line: u32,
    fields: Vec<Field<'a>>,
}

impl RawMessage<'_> {
    fn has_closing_fields(&self) -> bool {
        self.fields
            .iter()
            .any(|field| matches!(field.tag, "62F" | "62M" | "64" | "65" | "90D" | "90C"))
    }
}

fn parse_text(
    text: &str,
    encoding: SourceEncoding,
    expected_format: Option<Format>,
) -> Result<StatementFile, StatementError> {
    let lines = split_lines(text);
    if lines.iter().all(|line| line.trim().is_empty()) {
        return Err(StatementError::Empty);
    }

    let messages = split_messages(&lines)?;
    if messages.is_empty() {
        return Err(mt_error(
            1,
            format!(
                "no :20: transaction reference field found in {} lines; expected MT940/MT942 \
                 messages that each start with a line \":20:<reference>\"",
                lines.len()
            ),
        ));
    }

    let mut file_format = None;
    let mut statements = Vec::with_capacity(messages.len());
    for message in &messages {
        let (statement, format) = interpret_message(message)?;
        match (expected_format, file_format) {
            (Some(requested), _) if requested != format => {
                return Err(mt_error(
                    message.line,
                    format!(
                        "the message starting here is {}, but {} were requested",
                        format_name(format),
                        plural_format_name(requested)
                    ),
                ));
            }
            (None, Some(first)) if first != format => {
                return Err(mt_error(
                    message.line,
                    format!(
                        "the message starting here is {}, but the first message of the file is \
                         {}; a file must contain only MT940 statements or only MT942 interim \
                         reports",
                        format_name(format),
                        format_name(first)
                    ),
                ));
            }
            (_, None) => file_format = Some(format),
            _ => {}
        }
        statements.push(statement);
    }

    Ok(StatementFile {
        format: file_format.unwrap_or(Format::Mt940),
        message_id: None,
        camt_version: None,
        encoding,
        statements,
    })
}

fn short_format_name(format: Format) -> &'static str {
    match format {
        Format::Mt942 => "MT942",
        _ => "MT940",
    }
}

fn plural_format_name(format: Format) -> &'static str {
    match format {
        Format::Mt942 => "MT942 interim reports",
        _ => "MT940 statements",
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Mt942 => "an MT942 interim report (it has :34F:/:13D: and no balances)",
        _ => "an MT940 statement (it has :60F:/:60M: and :62F:/:62M: balances)",
    }
}

/// Groups lines into messages of fields.
fn split_messages<'a>(lines: &[&'a str]) -> Result<Vec<RawMessage<'a>>, StatementError> {
    let mut messages = Vec::new();
    let mut current: Option<RawMessage<'a>> = None;

    for (index, &line) in lines.iter().enumerate() {
        let line_no = line_number(index);

        if let Some((tag, rest)) = split_tag(line) {
            if tag == "20" {
                if let Some(finished) = current.take() {
                    messages.push(finished);
                }
                current = Some(RawMessage {
                    line: line_no,
                    fields: Vec::new(),
                });
            }
            match current.as_mut() {
                Some(message) => message.fields.push(Field {
                    tag,
                    line: line_no,
                    lines: vec![rest],
                }),
                // Rabobank writes ":940:" as a header line before ":20:".
                None if matches!(tag, "940" | "942") && rest.trim().is_empty() => {}
                None => {
                    return Err(mt_error(
                        line_no,
                        format!(
                            "field :{tag}: comes before a :20: transaction reference field; \
                             every MT940/MT942 message must start with :20:"
                        ),
                    ));
                }
            }
            continue;
        }

        let ends_message = match current.as_ref() {
            Some(message) => is_message_end(line, message),
            None => false,
        };
        if ends_message {
            if let Some(finished) = current.take() {
                messages.push(finished);
            }
            continue;
        }

        // A continuation line of the last field. Text outside any message is
        // a bank header or separator and is skipped.
        if let Some(message) = current.as_mut() {
            if let Some(field) = message.fields.last_mut() {
                field.lines.push(line);
            }
        }
    }

    if let Some(finished) = current.take() {
        messages.push(finished);
    }
    Ok(messages)
}

/// Returns whether a line ends the message: "-" alone (also "-}" or "-"
/// followed by control characters such as ETX), or, once the closing balance
/// has been read, any line that starts with "-" (ING writes "-XXX").
fn is_message_end(line: &str, message: &RawMessage) -> bool {
    let trimmed =
        line.trim_matches(|character: char| character.is_whitespace() || character.is_control());
    if trimmed == "-" || trimmed == "-}" {
        return true;
    }
    trimmed.starts_with('-') && message.has_closing_fields()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// `:20:` to `:28C:`, `:34F:` and `:13D:`.
    Header,
    /// After the opening balance or, in MT942, from the first `:61:`.
    Entries,
    /// After the closing balance (MT940) or the `:90D:`/`:90C:` totals (MT942).
    Trailer,
}

/// Builds a statement from one message and returns it with its format.
fn interpret_message(message: &RawMessage) -> Result<(Statement, Format), StatementError> {
    let mut builder = MessageBuilder::new(message.line);
    for field in &message.fields {
        builder.add_field(field)?;
    }
    builder.finish()
}

struct MessageBuilder {
    start_line: u32,
    format: Option<(Format, u32)>,
    section: Section,
    id: Option<String>,
    account: Option<(String, u32)>,
    sequence_number: Option<(String, u32)>,
    related_reference_line: Option<u32>,
    report_time_line: Option<u32>,
    currency: Option<String>,
    opening_balance: Option<Balance>,
    closing_balance: Option<Balance>,
    other_balances: Vec<Balance>,
    entries: Vec<Entry>,
    information: Vec<String>,
    debit_total: Option<EntryTotal>,
    credit_total: Option<EntryTotal>,
    unknown_fields: Vec<UnknownField>,
}

impl MessageBuilder {
    fn new(start_line: u32) -> Self {
        MessageBuilder {
            start_line,
            format: None,
            section: Section::Header,
            id: None,
            account: None,
            sequence_number: None,
            related_reference_line: None,
            report_time_line: None,
            currency: None,
            opening_balance: None,
            closing_balance: None,
            other_balances: Vec::new(),
            entries: Vec::new(),
            information: Vec::new(),
            debit_total: None,
            credit_total: None,
            unknown_fields: Vec::new(),
        }
    }

    fn add_field(&mut self, field: &Field) -> Result<(), StatementError> {
        match field.tag {
            "20" => {
                let value = single_line_value(field)?;
                if value.is_empty() {
                    return Err(mt_error(
                        field.line,
                        "the :20: transaction reference is empty; expected the statement reference",
                    ));
                }
                self.id = Some(value.to_string());
            }
            "21" => {
                self.require_header(field)?;
                set_once(&mut self.related_reference_line, field, "related reference")?;
                single_line_value(field)?;
            }
            "25" | "25P" => {
                self.require_header(field)?;
                let value = single_line_value(field)?;
                if value.is_empty() {
                    return Err(mt_error(
                        field.line,
                        format!("the :{}: account identification is empty", field.tag),
                    ));
                }
                if let Some((_, first_line)) = &self.account {
                    return Err(duplicate_field_error(
                        field,
                        *first_line,
                        "account identification",
                    ));
                }
                self.account = Some((value.to_string(), field.line));
            }
            "28" | "28C" => {
                self.require_header(field)?;
                let value = single_line_value(field)?;
                validate_statement_number(value, field)?;
                if let Some((_, first_line)) = &self.sequence_number {
                    return Err(duplicate_field_error(
                        field,
                        *first_line,
                        "statement number",
                    ));
                }
                self.sequence_number = Some((value.to_string(), field.line));
            }
            "13" | "13D" => {
                self.require_header(field)?;
                self.set_format(Format::Mt942, field)?;
                set_once(&mut self.report_time_line, field, "date/time indication")?;
                validate_report_time(single_line_value(field)?, field)?;
            }
            "34F" => {
                self.require_header(field)?;
                self.set_format(Format::Mt942, field)?;
                let currency = parse_floor_limit(single_line_value(field)?, field)?;
                match &self.currency {
                    Some(first) if *first != currency => {
                        return Err(mt_error(
                            field.line,
                            format!(
                                "the :34F: floor limit is in {currency} but an earlier :34F: is \
                                 in {first}; expected one currency per report"
                            ),
                        ));
                    }
                    _ => self.currency = Some(currency),
                }
            }
            "60F" | "60M" => {
                self.require_header(field)?;
                self.set_format(Format::Mt940, field)?;
                let kind = if field.tag == "60F" {
                    BalanceKind::OpeningBooked
                } else {
                    BalanceKind::IntermediateOpening
                };
                let balance = parse_balance(field, kind)?;
                self.currency = Some(balance.currency.clone());
                self.opening_balance = Some(balance);
                self.section = Section::Entries;
            }
            "61" => self.add_statement_line(field)?,
            "86" => self.add_information(field),
            "62F" | "62M" => {
                self.set_format(Format::Mt940, field)?;
                if self.section != Section::Entries {
                    return Err(
                        self.misplaced_error(field, "after the opening balance :60F:/:60M:")
                    );
                }
                let kind = if field.tag == "62F" {
                    BalanceKind::ClosingBooked
                } else {
                    BalanceKind::IntermediateClosing
                };
                self.closing_balance = Some(parse_balance(field, kind)?);
                self.section = Section::Trailer;
            }
            "64" | "65" => {
                if self.section != Section::Trailer || self.closing_balance.is_none() {
                    return Err(
                        self.misplaced_error(field, "after the closing balance :62F:/:62M:")
                    );
                }
                let kind = if field.tag == "64" {
                    BalanceKind::ClosingAvailable
                } else {
                    BalanceKind::ForwardAvailable
                };
                self.other_balances.push(parse_balance(field, kind)?);
            }
            "90D" | "90C" => {
                self.set_format(Format::Mt942, field)?;
                self.section = Section::Trailer;
                let total = parse_entry_total(single_line_value(field)?, field)?;
                let slot = if field.tag == "90D" {
                    &mut self.debit_total
                } else {
                    &mut self.credit_total
                };
                if slot.is_some() {
                    return Err(mt_error(
                        field.line,
                        format!(
                            "second :{}: field in this message; expected at most one",
                            field.tag
                        ),
                    ));
                }
                *slot = Some(total);
            }
            _ => {
                let entry_index = if self.section == Section::Entries && !self.entries.is_empty() {
                    Some(self.entries.len() - 1)
                } else {
                    None
                };
                self.unknown_fields.push(UnknownField {
                    line: field.line,
                    tag: field.tag.to_string(),
                    value: multi_line_value(field),
                    entry_index,
                });
            }
        }
        Ok(())
    }

    fn add_statement_line(&mut self, field: &Field) -> Result<(), StatementError> {
        if self.section == Section::Header {
            match self.format {
                Some((Format::Mt942, _)) => self.section = Section::Entries,
                _ => {
                    return Err(mt_error(
                        field.line,
                        "the :61: statement line comes before the opening balance; expected \
                         :60F:/:60M: (MT940) or :34F: (MT942) first",
                    ));
                }
            }
        }
        if self.section == Section::Trailer {
            return Err(self.misplaced_error(field, "before the closing balance or totals"));
        }

        let currency = self.currency.clone().ok_or_else(|| {
            mt_error(
                field.line,
                "the :61: statement line has no currency from a preceding balance",
            )
        })?;
        let entry = parse_statement_line(field, &currency)?;
        self.entries.push(entry);
        Ok(())
    }

    /// Attaches `:86:` to the last entry while entries are being read, and to
    /// the statement otherwise (before the first entry or after the closing
    /// balance).
    fn add_information(&mut self, field: &Field) {
        let text = multi_line_value(field);
        let last_entry = if self.section == Section::Entries {
            self.entries.last_mut()
        } else {
            None
        };
        match last_entry {
            Some(entry) => {
                let combined = match entry.information.take() {
                    Some(previous) => format!("{previous}\n{text}"),
                    None => text,
                };
                let fields = parse_information(&combined);
                entry.information = Some(combined);
                entry.remittance_info = fields.remittance_info;
                entry.end_to_end_id = fields.end_to_end_id;
                entry.mandate_id = fields.mandate_id;
                entry.creditor_reference = fields.creditor_reference;
                entry.counterparty_name = fields.counterparty_name;
                entry.counterparty_account = fields.counterparty_account;
                entry.counterparty_bank = fields.counterparty_bank;
                entry.proprietary_transaction_code = fields.transaction_code;
                entry.booking_text = fields.booking_text;
                entry.return_reason = fields.return_reason;
            }
            None => self.information.push(text),
        }
    }

    fn set_format(&mut self, format: Format, field: &Field) -> Result<(), StatementError> {
        match self.format {
            None => {
                self.format = Some((format, field.line));
                Ok(())
            }
            Some((existing, _)) if existing == format => Ok(()),
            Some((existing, first_line)) => Err(mt_error(
                field.line,
                format!(
                    "field :{}: is an {} field, but the {} field on line {first_line} makes this \
                     message an {}; a message is either an MT940 statement (:60F:/:62F: \
                     balances) or an MT942 interim report (:34F:, :13D:, :90D:/:90C:)",
                    field.tag,
                    short_format_name(format),
                    short_format_name(existing),
                    short_format_name(existing),
                ),
            )),
        }
    }

    fn require_header(&self, field: &Field) -> Result<(), StatementError> {
        if self.section == Section::Header {
            Ok(())
        } else {
            Err(self.misplaced_error(
                field,
                "in the message header, before the opening balance and the first :61:",
            ))
        }
    }

    fn misplaced_error(&self, field: &Field, expected_place: &str) -> StatementError {
        let position = match self.section {
            Section::Header => "in the message header",
            Section::Entries if self.entries.is_empty() => "after the opening balance",
            Section::Entries => "after a :61: statement line",
            Section::Trailer => "after the closing balance",
        };
        mt_error(
            field.line,
            format!(
                "unexpected field :{}: {position} of the message that starts at line {}; \
                 expected it {expected_place}",
                field.tag, self.start_line
            ),
        )
    }

    fn finish(self) -> Result<(Statement, Format), StatementError> {
        let start_line = self.start_line;
        let (account, _) = self.account.ok_or_else(|| {
            mt_error(
                start_line,
                "the message starting here has no :25: account identification field",
            )
        })?;
        let (format, _) = self.format.ok_or_else(|| {
            mt_error(
                start_line,
                "the message starting here has neither an opening balance :60F:/:60M: \
                 (MT940) nor a floor limit :34F: (MT942)",
            )
        })?;
        if format == Format::Mt940 && self.closing_balance.is_none() {
            return Err(mt_error(
                start_line,
                "the MT940 statement starting here has no closing balance :62F:/:62M:; the \
                 file may be truncated",
            ));
        }

        let information = if self.information.is_empty() {
            None
        } else {
            Some(self.information.join("\n"))
        };

        let statement = Statement {
            id: self.id.unwrap_or_default(),
            sequence_number: self.sequence_number.map(|(value, _)| value),
            line: start_line,
            account,
            currency: self.currency,
            opening_balance: self.opening_balance,
            closing_balance: self.closing_balance,
            other_balances: self.other_balances,
            entries: self.entries,
            information,
            debit_total: self.debit_total,
            credit_total: self.credit_total,
            unknown_fields: self.unknown_fields,
        };
        Ok((statement, format))
    }
}

fn set_once(slot: &mut Option<u32>, field: &Field, name: &str) -> Result<(), StatementError> {
    match slot {
        Some(first_line) => Err(duplicate_field_error(field, *first_line, name)),
        None => {
            *slot = Some(field.line);
            Ok(())
        }
    }
}

fn duplicate_field_error(field: &Field, first_line: u32, name: &str) -> StatementError {
    mt_error(
        field.line,
        format!(
            "second :{}: {name} field in one message (the first is on line {first_line}); \
             expected one",
            field.tag
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_any_line_break() {
        assert_eq!(split_lines("a\r\nb\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(split_lines("a\n\nb\n"), vec!["a", "", "b"]);
    }

    #[test]
    fn tags_are_recognized() {
        assert_eq!(split_tag(":28C:00001/001"), Some(("28C", "00001/001")));
        assert_eq!(split_tag(":NS:22Name"), Some(("NS", "22Name")));
        assert_eq!(split_tag(":940:"), Some(("940", "")));
        assert_eq!(split_tag("::"), None);
        assert_eq!(split_tag(":2:x"), None);
        assert_eq!(split_tag(":abc:x"), None);
        assert_eq!(split_tag("20:x"), None);
    }
}
