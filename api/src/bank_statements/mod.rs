//! Bank statement parsers: ISO 20022 camt.052/053/054 XML and SWIFT
//! MT940/MT942 text, read into one model (`StatementFile`).
//!
//! `parse` detects the format from the content. Every entry of the file is
//! kept, and input that cannot be read is rejected with a `StatementError`
//! that names the line or element and the offending value. The parsers must
//! not panic on any input, and the tests feed them every fixture cut short and
//! corrupted at many byte offsets.
//!
//! Amounts are integer minor units of their currency, converted from the
//! decimal text without floating point. An amount with more decimals than
//! its currency has (ISO 4217) is rejected unless the extra digits are zeros.
//! Details of each format are in the `camt` and `mt940` module documentation.

mod amount;
mod balance;
mod camt;
mod camt_details;
mod error;
mod model;
mod mt940;
mod mt940_fields;
mod mt940_info;

pub use amount::currency_decimals;
pub use balance::{check_balances, check_entry_totals, BalanceMismatch, TotalMismatch};
pub use camt::parse_camt;
pub use error::StatementError;
pub use model::{
    Balance, BalanceKind, Entry, EntryStatus, EntryTotal, Format, Party, SourceEncoding, Statement,
    StatementFile, TransactionDetail, UnknownField,
};
pub use mt940::{parse_mt940, parse_mt942, parse_mt9xx, parse_mt9xx_with_encoding};

/// Parses a bank statement file of any supported format.
///
/// Input whose first non-blank character is '<' is read as camt XML, and the
/// root namespace selects camt.052, camt.053 or camt.054. Other input with a
/// line that starts with ":20:" is read as MT940/MT942.
pub fn parse(bytes: &[u8]) -> Result<StatementFile, StatementError> {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_visible = without_bom
        .iter()
        .position(|byte| !byte.is_ascii_whitespace());
    let Some(start) = first_visible else {
        return Err(StatementError::Empty);
    };

    if without_bom[start] == b'<' {
        return parse_camt(bytes);
    }
    if mt940::looks_like_mt9xx(bytes) {
        return parse_mt9xx(bytes);
    }

    let preview: String = String::from_utf8_lossy(&without_bom[start..])
        .chars()
        .take(40)
        .collect();
    Err(StatementError::UnrecognizedFormat { start: preview })
}
