//! The promise form's inputs and their conversion to a `PromiseRequest`.

use chrono::NaiveDate;
use shared::plans::{PromiseChannel, PromiseRequest};
use shared::{Currency, FieldError};

use crate::components::{describe_amount_error, minor_units_to_input, parse_major_units};

/// Field names as the API names them in its field errors.
pub mod field {
    pub const AMOUNT: &str = "amount";
    pub const PROMISED_ON: &str = "promised_on";
    pub const CHANNEL: &str = "channel";
    pub const NOTE: &str = "note";
}

/// The promise form's inputs as the user typed them.
#[derive(Clone, Debug, PartialEq)]
pub struct PromiseDraft {
    /// In the currency's major unit, such as `150.00`.
    pub amount: String,
    /// `YYYY-MM-DD` from the date input.
    pub promised_on: String,
    pub channel: PromiseChannel,
    pub note: String,
}

impl Default for PromiseDraft {
    fn default() -> Self {
        PromiseDraft {
            amount: String::new(),
            promised_on: String::new(),
            channel: PromiseChannel::Call,
            note: String::new(),
        }
    }
}

impl PromiseDraft {
    /// Builds the request in `currency`, or returns every input that cannot be read.
    pub fn to_request(&self, currency: Currency) -> Result<PromiseRequest, Vec<FieldError>> {
        let mut problems = Vec::new();
        let amount = self.parse_amount(currency, &mut problems);
        let promised_on = self.parse_promised_on(&mut problems);
        let note = self.note.trim();
        match (amount, promised_on) {
            (Some(amount), Some(promised_on)) => Ok(PromiseRequest {
                amount,
                promised_on,
                channel: self.channel,
                note: (!note.is_empty()).then(|| note.to_string()),
            }),
            _ => Err(problems),
        }
    }

    fn parse_amount(&self, currency: Currency, problems: &mut Vec<FieldError>) -> Option<i64> {
        let text = self.amount.trim();
        if text.is_empty() {
            let example = minor_units_to_input(150 * 10i64.pow(currency.minor_unit_digits()), currency);
            problems.push(FieldError::new(
                field::AMOUNT,
                "required",
                format!("Amount is missing; type the amount promised in {}, such as {example}.", currency.code()),
            ));
            return None;
        }
        match parse_major_units(text, currency) {
            Ok(amount) if amount > 0 => Some(amount),
            Ok(_) => {
                problems.push(FieldError::new(
                    field::AMOUNT,
                    "invalid",
                    format!("Amount {text} is not more than zero; type the amount promised."),
                ));
                None
            }
            Err(error) => {
                problems.push(FieldError::new(field::AMOUNT, "invalid", describe_amount_error(&error, currency)));
                None
            }
        }
    }

    fn parse_promised_on(&self, problems: &mut Vec<FieldError>) -> Option<NaiveDate> {
        let parsed = NaiveDate::parse_from_str(self.promised_on.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            problems.push(FieldError::new(
                field::PROMISED_ON,
                "required",
                "Promised date is missing; pick the day the debtor promised to pay by.",
            ));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PromiseDraft {
        PromiseDraft {
            amount: "1,150.25".to_string(),
            promised_on: "2026-12-18".to_string(),
            channel: PromiseChannel::Sms,
            note: "  will pay after payday ".to_string(),
        }
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    #[test]
    fn request_has_exact_minor_units() {
        let request = draft().to_request(Currency::usd()).unwrap();
        assert_eq!(request.amount, 115_025);
        assert_eq!(request.promised_on, NaiveDate::from_ymd_opt(2026, 12, 18).unwrap());
        assert_eq!(request.channel, PromiseChannel::Sms);
        assert_eq!(request.note.as_deref(), Some("will pay after payday"));
    }

    #[test]
    fn blank_note_is_not_sent() {
        let mut draft = draft();
        draft.note = "   ".to_string();
        assert_eq!(draft.to_request(Currency::usd()).unwrap().note, None);
    }

    #[test]
    fn empty_form_lists_amount_and_date() {
        let problems = PromiseDraft::default().to_request(Currency::usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::AMOUNT, field::PROMISED_ON]);
        assert_eq!(problems[0].message, "Amount is missing; type the amount promised in USD, such as 150.00.");
    }

    #[test]
    fn zero_amount_is_rejected() {
        let mut draft = draft();
        draft.amount = "0".to_string();
        assert_eq!(fields(&draft.to_request(Currency::usd()).unwrap_err()), [field::AMOUNT]);
    }

    #[test]
    fn amount_with_extra_decimals_is_rejected() {
        let mut draft = draft();
        draft.amount = "1.999".to_string();
        let problems = draft.to_request(Currency::usd()).unwrap_err();
        assert_eq!(problems[0].message, "'1.999' has too many decimal places; USD amounts have at most 2.");
    }
}
