//! Input checks that run before layout, so that a receipt is either
//! complete and correct or not produced at all.

use super::amount::MAX_MINOR_DIGITS;
use super::fonts::{describe_characters, is_right_to_left, FontSet};
use super::{ReceiptDocument, ReceiptError, MAX_RECEIPT_NUMBER_CHARS};

/// Checks every field of `doc` and returns the first problem found.
pub(super) fn validate_document(
    doc: &ReceiptDocument,
    fonts: &FontSet,
) -> Result<(), ReceiptError> {
    require_text("receipt_number", &doc.receipt_number)?;
    require_text("issued_at_local", &doc.issued_at_local)?;
    require_text("organisation", &doc.organisation)?;
    require_text("payer_name", &doc.payer_name)?;

    let receipt_number_chars = doc.receipt_number.chars().count();
    if receipt_number_chars > MAX_RECEIPT_NUMBER_CHARS {
        return Err(ReceiptError::ReceiptNumberTooLong {
            chars: receipt_number_chars,
        });
    }

    validate_currency(&doc.currency)?;
    if doc.amount_minor <= 0 {
        return Err(ReceiptError::InvalidAmount {
            amount_minor: doc.amount_minor,
        });
    }
    if doc.minor_digits > MAX_MINOR_DIGITS {
        return Err(ReceiptError::InvalidMinorDigits {
            minor_digits: doc.minor_digits,
        });
    }
    validate_allocation(doc)?;

    let fields = [
        ("receipt_number", &doc.receipt_number),
        ("issued_at_local", &doc.issued_at_local),
        ("organisation", &doc.organisation),
        ("payer_name", &doc.payer_name),
        ("account_ref", &doc.account_ref),
        ("method", &doc.method),
        ("received_by", &doc.received_by),
    ];
    for (field, text) in fields {
        validate_drawable(field, text, fonts)?;
    }
    for (index, (label, _)) in doc.allocation.iter().enumerate() {
        validate_drawable(&format!("allocation[{index}] label"), label, fonts)?;
    }
    for (index, annotation) in doc.annotations.iter().enumerate() {
        validate_drawable(&format!("annotations[{index}]"), annotation, fonts)?;
    }

    Ok(())
}

fn require_text(field: &'static str, text: &str) -> Result<(), ReceiptError> {
    if text.trim().is_empty() {
        return Err(ReceiptError::MissingField { field });
    }
    Ok(())
}

/// Accepts three upper-case ASCII letters, the shape of an ISO 4217 code.
/// Whether the code is assigned is not checked.
fn validate_currency(currency: &str) -> Result<(), ReceiptError> {
    let well_formed = currency.len() == 3 && currency.bytes().all(|byte| byte.is_ascii_uppercase());
    if !well_formed {
        return Err(ReceiptError::InvalidCurrency {
            currency: currency.to_string(),
        });
    }
    Ok(())
}

/// Requires the allocation lines, when there are any, to add up to the
/// amount received. The sum is taken in `i128`, so it cannot overflow.
fn validate_allocation(doc: &ReceiptDocument) -> Result<(), ReceiptError> {
    if doc.allocation.is_empty() {
        return Ok(());
    }

    let allocated: i128 = doc
        .allocation
        .iter()
        .map(|(_, amount)| i128::from(*amount))
        .sum();
    if allocated != i128::from(doc.amount_minor) {
        return Err(ReceiptError::AllocationMismatch {
            allocated,
            amount_minor: doc.amount_minor,
        });
    }
    Ok(())
}

/// Rejects text that the receipt would draw wrongly or not at all: control
/// characters other than whitespace, right-to-left scripts, and characters
/// that no embedded font covers.
fn validate_drawable(field: &str, text: &str, fonts: &FontSet) -> Result<(), ReceiptError> {
    let controls = distinct(
        text.chars()
            .filter(|c| c.is_control() && !c.is_whitespace()),
    );
    if !controls.is_empty() {
        return Err(ReceiptError::ControlCharacters {
            field: field.to_string(),
            characters: describe_characters(&controls),
        });
    }

    let right_to_left = distinct(text.chars().filter(|c| is_right_to_left(*c)));
    if !right_to_left.is_empty() {
        return Err(ReceiptError::RightToLeftText {
            field: field.to_string(),
            characters: describe_characters(&right_to_left),
        });
    }

    let uncovered = fonts.uncovered_characters(text);
    if !uncovered.is_empty() {
        return Err(ReceiptError::UnsupportedCharacters {
            field: field.to_string(),
            characters: describe_characters(&uncovered),
        });
    }

    Ok(())
}

/// Collects characters in order of first appearance, without repeats.
fn distinct(characters: impl Iterator<Item = char>) -> Vec<char> {
    let mut seen = Vec::new();
    for character in characters {
        if !seen.contains(&character) {
            seen.push(character);
        }
    }
    seen
}
