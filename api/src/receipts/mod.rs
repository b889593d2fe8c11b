//! Payment receipts as PDF files.
//!
//! [`render_pdf`] turns a [`ReceiptDocument`] into a one-page US Letter PDF,
//! or several pages when the values are long. Amounts are integer minor
//! units throughout: figures come from [`format_amount`] and words from
//! [`amount_in_words`], both without floating point.
//!
//! # Fonts
//!
//! The PDF embeds subsets of three TrueType fonts compiled into the binary
//! (files and licences in `fonts/`):
//!
//! - DejaVu Sans and DejaVu Sans Bold for Latin, Greek, Cyrillic and most
//!   symbols;
//! - WenQuanYi Micro Hei for Chinese, Japanese and Korean characters that
//!   DejaVu Sans lacks.
//!
//! Each character is drawn with the first font that has a glyph for it, and
//! every glyph maps back to its character in the PDF's text layer, so the
//! text can be searched and copied.
//!
//! Text that cannot be drawn correctly is never dropped or replaced.
//! Instead, [`render_pdf`] returns an error that names the field and the
//! characters. This covers characters that none of the fonts have (emoji,
//! for example) and control characters other than whitespace. It also
//! covers right-to-left scripts such as Hebrew and Arabic, because they need
//! bidi reordering and shaping that this module does not do.

mod amount;
pub(crate) mod fonts;
pub(crate) mod layout;
pub(crate) mod pdf;
mod validate;
mod words;

#[cfg(test)]
mod tests;

pub use amount::{format_amount, format_figures, MAX_MINOR_DIGITS};
pub use words::amount_in_words;

/// Maximum length of a receipt number in characters. The number appears in
/// the duplicate banner and in every page footer, which must stay short.
pub const MAX_RECEIPT_NUMBER_CHARS: usize = 64;

/// Everything printed on a receipt, prepared by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDocument {
    /// Receipt number, such as "MAIN-000123". At most
    /// [`MAX_RECEIPT_NUMBER_CHARS`] characters.
    pub receipt_number: String,
    /// Whether this is a reprint. A duplicate carries a banner and a footer
    /// on every page that read "DUPLICATE — reprint of receipt …".
    pub duplicate: bool,
    /// Issue time already formatted in the creditor's time zone, such as
    /// "4 Dec 2026, 14:03 EST".
    pub issued_at_local: String,
    /// Creditor or agency name.
    pub organisation: String,
    pub payer_name: String,
    pub account_ref: String,
    /// ISO 4217 code: three upper-case letters.
    pub currency: String,
    /// Amount received in minor units. Must be greater than zero.
    pub amount_minor: i64,
    /// Number of minor-unit digits of the currency: 2 for USD, 0 for JPY,
    /// 3 for KWD. At most [`MAX_MINOR_DIGITS`].
    pub minor_digits: u32,
    /// Payment method as shown to the payer, such as "Cash" or
    /// "Cheque no. 001234, First Bank, dated 2026-12-01".
    pub method: String,
    /// Allocation lines: what the payment was applied to, in minor units.
    /// When there are lines, they must add up to `amount_minor`.
    pub allocation: Vec<(String, i64)>,
    /// Account balance after this payment, in minor units.
    pub balance_after_minor: i64,
    /// Display name of the collector or assistant who took the payment.
    pub received_by: String,
    /// Notes printed at the end, such as
    /// "Reversed on 2026-12-10: cheque returned unpaid (nsf)".
    pub annotations: Vec<String>,
}

/// Reasons why a receipt could not be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReceiptError {
    #[error("receipt field {field} is empty; it must contain text")]
    MissingField { field: &'static str },

    #[error(
        "receipt number is {chars} characters long; the maximum is {MAX_RECEIPT_NUMBER_CHARS}"
    )]
    ReceiptNumberTooLong { chars: usize },

    #[error(
        "receipt amount {amount_minor} (minor units) is invalid; it must be greater than zero"
    )]
    InvalidAmount { amount_minor: i64 },

    #[error(
        "minor_digits {minor_digits} is invalid; ISO 4217 currencies use 0 to 4 and the maximum \
         supported is {MAX_MINOR_DIGITS}"
    )]
    InvalidMinorDigits { minor_digits: u32 },

    #[error("currency {currency:?} is invalid; expected a three-letter upper-case ISO 4217 code such as USD")]
    InvalidCurrency { currency: String },

    #[error(
        "allocation lines add up to {allocated} minor units but the amount received is \
         {amount_minor}; the lines must add up to the amount"
    )]
    AllocationMismatch { allocated: i128, amount_minor: i64 },

    #[error("receipt field {field} contains control characters ({characters}); remove them")]
    ControlCharacters { field: String, characters: String },

    #[error(
        "receipt field {field} contains right-to-left text ({characters}), which receipts \
         cannot lay out yet"
    )]
    RightToLeftText { field: String, characters: String },

    #[error(
        "receipt field {field} contains characters that the embedded fonts do not cover \
         ({characters}); remove or replace them"
    )]
    UnsupportedCharacters { field: String, characters: String },

    #[error("embedded font {font} could not be used: {message}")]
    Font { font: &'static str, message: String },
}

/// Renders a receipt as a PDF file and returns its bytes.
///
/// The output is deterministic: the same document gives the same bytes,
/// because the file records no creation time or random file id.
///
/// # Errors
///
/// Returns an error, and no PDF, when:
///
/// - a required field is empty: receipt number, issue time, organisation
///   or payer name;
/// - the receipt number is too long, or the amount, `minor_digits` or
///   currency code is invalid;
/// - the allocation lines do not add up to the amount;
/// - a field contains text that cannot be drawn (see the module
///   documentation).
pub fn render_pdf(doc: &ReceiptDocument) -> Result<Vec<u8>, ReceiptError> {
    let mut fonts = fonts::FontSet::load()?;
    validate::validate_document(doc, &fonts)?;

    let page_contents = layout::lay_out_receipt(doc, &mut fonts)?;
    let title = if doc.duplicate {
        layout::duplicate_notice(doc)
    } else {
        format!("Receipt {}", doc.receipt_number)
    };
    let info = pdf::DocumentInfo { title: &title, author: &doc.organisation, subject: "Payment receipt" };
    pdf::write_pdf(&info, &fonts, &page_contents)
}
