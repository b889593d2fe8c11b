//! Values of single MT940/MT942 fields: balances, `:61:` statement lines,
//! MT942 floor limits and totals, and YYMMDD dates.

use chrono::{Datelike, NaiveDate};

use super::amount::{is_currency_code, parse_minor_units, Notation};
use super::error::StatementError;
use super::model::{Balance, BalanceKind, Entry, EntryTotal};

pub(super) fn mt_error(line: u32, message: impl Into<String>) -> StatementError {
    StatementError::Mt {
        line,
        message: message.into(),
    }
}

/// One field: its tag, the line of the tag and its text lines. The first line
/// is the text after the tag.
pub(super) struct Field<'a> {
    pub tag: &'a str,
    pub line: u32,
    pub lines: Vec<&'a str>,
}

/// Returns the first line of a one-line field without trailing whitespace,
/// and rejects non-blank continuation lines.
pub(super) fn single_line_value<'a>(field: &Field<'a>) -> Result<&'a str, StatementError> {
    for (offset, extra) in field.lines.iter().enumerate().skip(1) {
        if !extra.trim().is_empty() {
            return Err(mt_error(
                field.line.saturating_add(offset as u32),
                format!(
                    "unexpected text {extra:?} after the one-line field :{}: on line {}; expected \
                     the next field tag or the end of the message",
                    field.tag, field.line
                ),
            ));
        }
    }
    Ok(field.lines[0].trim_end())
}

/// Joins the lines of a field with '\n' and removes leading and trailing
/// whitespace.
pub(super) fn multi_line_value(field: &Field) -> String {
    field.lines.join("\n").trim().to_string()
}

pub(super) fn validate_statement_number(value: &str, field: &Field) -> Result<(), StatementError> {
    let (number, sequence) = match value.split_once('/') {
        Some((number, sequence)) => (number, Some(sequence)),
        None => (value, None),
    };
    let is_number = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    if is_number(number) && sequence.is_none_or(is_number) {
        Ok(())
    } else {
        Err(mt_error(
            field.line,
            format!(
                "invalid :{}: statement number {value:?}; expected digits, optionally followed \
                 by '/' and a sequence number, such as \"00123/001\"",
                field.tag
            ),
        ))
    }
}

/// Checks `:13D:` "YYMMDDhhmm+hhmm".
pub(super) fn validate_report_time(value: &str, field: &Field) -> Result<(), StatementError> {
    let invalid = || {
        mt_error(
            field.line,
            format!(
                "invalid :{}: date/time indication {value:?}; expected YYMMDDhhmm followed by \
                 '+' or '-' and the UTC offset hhmm",
                field.tag
            ),
        )
    };
    let date_text = value.get(0..6).ok_or_else(invalid)?;
    parse_yymmdd(date_text).map_err(|reason| mt_error(field.line, reason))?;
    let hour = parse_two_digits(value.get(6..8)).ok_or_else(invalid)?;
    let minute = parse_two_digits(value.get(8..10)).ok_or_else(invalid)?;
    if hour > 23 || minute > 59 {
        return Err(invalid());
    }
    if field.tag == "13" && value.len() == 10 {
        return Ok(());
    }
    let sign = value.get(10..11).ok_or_else(invalid)?;
    let offset_hours = parse_two_digits(value.get(11..13)).ok_or_else(invalid)?;
    let offset_minutes = parse_two_digits(value.get(13..15)).ok_or_else(invalid)?;
    if !matches!(sign, "+" | "-") || offset_hours > 14 || offset_minutes > 59 || value.len() != 15 {
        return Err(invalid());
    }
    Ok(())
}

fn parse_two_digits(text: Option<&str>) -> Option<u32> {
    let text = text?;
    if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Parses YYMMDD with the POSIX `%y` century rule (00-68 is 2000-2068).
fn parse_yymmdd(text: &str) -> Result<NaiveDate, String> {
    let digits_only = text.len() == 6 && text.bytes().all(|byte| byte.is_ascii_digit());
    if !digits_only {
        return Err(format!("invalid date {text:?}; expected six digits YYMMDD"));
    }
    let two_digit_year: i32 = text[0..2].parse().unwrap_or(0);
    let month: u32 = text[2..4].parse().unwrap_or(0);
    let day: u32 = text[4..6].parse().unwrap_or(0);
    let year = if two_digit_year <= 68 {
        2000 + two_digit_year
    } else {
        1900 + two_digit_year
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        format!(
            "invalid date {text:?}: {year:04}-{month:02}-{day:02} does not exist; expected YYMMDD"
        )
    })
}

/// Returns the MMDD entry date in the year that puts it closest to the value
/// date, because banks write no year for it.
fn resolve_entry_date(value_date: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = value_date.year();
    [year - 1, year, year + 1]
        .into_iter()
        .filter_map(|candidate| NaiveDate::from_ymd_opt(candidate, month, day))
        .min_by_key(|candidate| (*candidate - value_date).num_days().abs())
}

/// Parses a balance field such as `:60F:C110522EUR3236,28`.
pub(super) fn parse_balance(field: &Field, kind: BalanceKind) -> Result<Balance, StatementError> {
    let value = single_line_value(field)?;
    let expected = "expected D or C, the date YYMMDD, the currency and the amount, such as \
                    \"C110522EUR3236,28\"";

    let mark = value.get(0..1).unwrap_or("");
    let sign = match mark {
        "C" => 1,
        "D" => -1,
        _ => {
            return Err(mt_error(
                field.line,
                format!("invalid :{}: balance {value:?}: {expected}", field.tag),
            ));
        }
    };

    let date_text = value.get(1..7).unwrap_or("");
    let date = parse_yymmdd(date_text).map_err(|reason| {
        mt_error(
            field.line,
            format!("invalid :{}: balance {value:?}: {reason}", field.tag),
        )
    })?;

    let currency = value.get(7..10).unwrap_or("");
    if !is_currency_code(currency) {
        return Err(mt_error(
            field.line,
            format!(
                "invalid :{}: balance {value:?}: {currency:?} after the date is not a currency \
                 code; {expected}",
                field.tag
            ),
        ));
    }

    let amount_text = value.get(10..).unwrap_or("");
    let amount = parse_minor_units(amount_text, Notation::Swift, currency).map_err(|reason| {
        mt_error(
            field.line,
            format!(
                "invalid amount {amount_text:?} in :{}: balance for {currency}: {reason}",
                field.tag
            ),
        )
    })?;

    Ok(Balance {
        kind,
        amount_minor: sign * amount,
        currency: currency.to_string(),
        date,
    })
}

/// Parses `:34F:` "EURD0,00" (currency, optional D or C, amount) and returns
/// its currency.
pub(super) fn parse_floor_limit(value: &str, field: &Field) -> Result<String, StatementError> {
    let currency = value.get(0..3).unwrap_or("");
    if !is_currency_code(currency) {
        return Err(mt_error(
            field.line,
            format!(
                "invalid :34F: floor limit {value:?}; expected a currency code, optionally D or \
                 C, and an amount, such as \"EURD0,00\""
            ),
        ));
    }
    let rest = value.get(3..).unwrap_or("");
    let amount_text = rest
        .strip_prefix('D')
        .or_else(|| rest.strip_prefix('C'))
        .unwrap_or(rest);
    parse_minor_units(amount_text, Notation::Swift, currency).map_err(|reason| {
        mt_error(
            field.line,
            format!("invalid amount {amount_text:?} in :34F: floor limit for {currency}: {reason}"),
        )
    })?;
    Ok(currency.to_string())
}

/// Parses `:90D:`/`:90C:` "1EUR2,30": number of entries, currency, sum.
pub(super) fn parse_entry_total(value: &str, field: &Field) -> Result<EntryTotal, StatementError> {
    let digits = value
        .bytes()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let invalid = |reason: String| {
        mt_error(
            field.line,
            format!(
                "invalid :{}: total {value:?}: {reason}; expected the number of entries, the \
                 currency and the sum, such as \"3EUR125,00\"",
                field.tag
            ),
        )
    };
    let count: u32 = value[..digits]
        .parse()
        .map_err(|_| invalid("missing or too large number of entries".to_string()))?;
    let currency = value.get(digits..digits + 3).unwrap_or("");
    if !is_currency_code(currency) {
        return Err(invalid(format!("{currency:?} is not a currency code")));
    }
    let amount_text = value.get(digits + 3..).unwrap_or("");
    let amount_minor = parse_minor_units(amount_text, Notation::Swift, currency)
        .map_err(|reason| invalid(reason.to_string()))?;
    Ok(EntryTotal {
        count,
        amount_minor,
        currency: currency.to_string(),
    })
}

/// Parses a `:61:` statement line. Its subfields are, in order:
/// - value date YYMMDD and optional entry date MMDD,
/// - mark C, D, RC or RD, and an optional funds code letter,
/// - amount and transaction type (a letter and three characters, "NTRF"),
/// - reference for the account owner, optionally "//" and the bank reference,
/// - supplementary details on the following lines, if any.
pub(super) fn parse_statement_line(field: &Field, currency: &str) -> Result<Entry, StatementError> {
    let text = field.lines[0].trim_end();
    let line = field.line;
    let invalid = |reason: &str| {
        mt_error(
            line,
            format!(
                "invalid :61: statement line {text:?}: {reason}; expected value date YYMMDD, \
                 optional entry date MMDD, C/D/RC/RD, optional funds code, amount, transaction \
                 type such as NTRF, and reference"
            ),
        )
    };

    let value_date_text = text.get(0..6).unwrap_or("");
    let value_date = parse_yymmdd(value_date_text).map_err(|reason| {
        mt_error(
            line,
            format!("invalid value date in :61: statement line {text:?}: {reason}"),
        )
    })?;
    let mut position = 6;

    let mut booking_date = None;
    if let Some(entry_date_text) = text.get(6..10) {
        if entry_date_text.bytes().all(|byte| byte.is_ascii_digit()) {
            let month: u32 = entry_date_text[0..2].parse().unwrap_or(0);
            let day: u32 = entry_date_text[2..4].parse().unwrap_or(0);
            let date = resolve_entry_date(value_date, month, day).ok_or_else(|| {
                mt_error(
                    line,
                    format!(
                        "invalid entry date {entry_date_text:?} in :61: statement line {text:?}: \
                         month {month:02} day {day:02} does not exist near the value date \
                         {value_date}; expected MMDD"
                    ),
                )
            })?;
            booking_date = Some(date);
            position = 10;
        }
    }

    let rest = text.get(position..).unwrap_or("");
    let (sign, reversal, mark_length) = if rest.starts_with("RC") {
        (-1, true, 2)
    } else if rest.starts_with("RD") {
        (1, true, 2)
    } else if rest.starts_with('C') {
        (1, false, 1)
    } else if rest.starts_with('D') {
        (-1, false, 1)
    } else {
        return Err(invalid(
            "missing debit/credit mark C, D, RC or RD after the dates",
        ));
    };
    position += mark_length;

    // The funds code is the third letter of the currency code ("R" for EUR).
    if text
        .as_bytes()
        .get(position)
        .is_some_and(|byte| byte.is_ascii_uppercase())
    {
        position += 1;
    }

    let amount_length = text.as_bytes()[position..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit() || **byte == b',')
        .count();
    let amount_text = &text[position..position + amount_length];
    if amount_text.is_empty() {
        return Err(invalid("missing amount after the debit/credit mark"));
    }
    let amount = parse_minor_units(amount_text, Notation::Swift, currency).map_err(|reason| {
        mt_error(
            line,
            format!("invalid amount {amount_text:?} for {currency} in :61: statement line {text:?}: {reason}"),
        )
    })?;
    position += amount_length;

    let transaction_type = text.get(position..position + 4).unwrap_or("");
    let type_bytes = transaction_type.as_bytes();
    let valid_type = type_bytes.len() == 4
        && type_bytes[0].is_ascii_uppercase()
        && type_bytes[1..]
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || *byte == b' ');
    if !valid_type {
        return Err(invalid(
            "missing transaction type (a letter and three characters) after the amount",
        ));
    }
    position += 4;

    let references = text.get(position..).unwrap_or("");
    let (customer_reference, bank_reference) = match references.split_once("//") {
        Some((customer, bank)) => (customer, Some(bank)),
        None => (references, None),
    };

    let supplementary = field.lines[1..].join("\n");
    let supplementary = supplementary.trim_end();

    Ok(Entry {
        line,
        booking_date,
        value_date: Some(value_date),
        amount_minor: sign * amount,
        currency: currency.to_string(),
        reversal,
        status: None,
        bank_reference: bank_reference.and_then(reference_or_none),
        customer_reference: reference_or_none(customer_reference),
        end_to_end_id: None,
        mandate_id: None,
        creditor_reference: None,
        remittance_info: None,
        counterparty_name: None,
        counterparty_account: None,
        counterparty_bank: None,
        bank_transaction_code: Some(transaction_type.trim_end().to_string()),
        proprietary_transaction_code: None,
        booking_text: None,
        supplementary_details: if supplementary.is_empty() {
            None
        } else {
            Some(supplementary.to_string())
        },
        information: None,
        return_reason: None,
        batch_payment_id: None,
        details: Vec::new(),
    })
}

/// Trims a reference and maps "NONREF" (MT940 for "no reference") and empty
/// text to None.
fn reference_or_none(reference: &str) -> Option<String> {
    let trimmed = reference.trim();
    if trimmed.is_empty() || trimmed == "NONREF" {
        None
    } else {
        Some(trimmed.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn century_follows_posix_rule() {
        assert_eq!(
            parse_yymmdd("680101"),
            Ok(NaiveDate::from_ymd_opt(2068, 1, 1).unwrap())
        );
        assert_eq!(
            parse_yymmdd("690101"),
            Ok(NaiveDate::from_ymd_opt(1969, 1, 1).unwrap())
        );
        assert_eq!(
            parse_yymmdd("990101"),
            Ok(NaiveDate::from_ymd_opt(1999, 1, 1).unwrap())
        );
        assert_eq!(
            parse_yymmdd("000229"),
            Ok(NaiveDate::from_ymd_opt(2000, 2, 29).unwrap())
        );
    }

    #[test]
    fn impossible_date_is_rejected() {
        let error = parse_yymmdd("160230").unwrap_err();
        assert!(error.contains("2016-02-30 does not exist"), "{error}");
        assert!(parse_yymmdd("16023").is_err());
        assert!(parse_yymmdd("16ab30").is_err());
    }

    #[test]
    fn entry_date_crosses_year_end() {
        let value_date = NaiveDate::from_ymd_opt(2009, 12, 31).unwrap();
        assert_eq!(
            resolve_entry_date(value_date, 1, 2),
            NaiveDate::from_ymd_opt(2010, 1, 2)
        );
        let value_date = NaiveDate::from_ymd_opt(2010, 1, 2).unwrap();
        assert_eq!(
            resolve_entry_date(value_date, 12, 30),
            NaiveDate::from_ymd_opt(2009, 12, 30)
        );
        assert_eq!(resolve_entry_date(value_date, 2, 30), None);
    }
}
