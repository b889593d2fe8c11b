//! The payment form's inputs and their checks before sending.

use chrono::NaiveDate;
use shared::payments::{Instrument, PaymentMethod, PaymentRequest, ReceiptDelivery};
use shared::{Currency, FieldError};

use crate::components::{describe_amount_error, minor_units_to_input, parse_major_units};

/// Field names as the API names them in `fields` of its error envelope. The
/// form's own checks use the same names, so both kinds of message show at the same field.
pub mod field {
    pub const METHOD: &str = "method";
    pub const AMOUNT: &str = "amount";
    pub const CURRENCY: &str = "currency";
    pub const RECEIVED_ON: &str = "received_on";
    pub const CHEQUE_NUMBER: &str = "instrument.cheque_number";
    pub const DRAWEE_BANK: &str = "instrument.drawee_bank";
    pub const CHEQUE_DATE: &str = "instrument.cheque_date";
    pub const CARD_LAST4: &str = "instrument.card_last4";
    pub const GATEWAY_REFERENCE: &str = "instrument.gateway_reference";
    pub const REFERENCE: &str = "instrument.reference";
    pub const RECEIPT_DELIVERY: &str = "receipt_delivery";
}

/// Labels the reference field of the methods that have one: the transfer's
/// reference, the direct debit mandate or the money order's number.
pub fn reference_label(method: PaymentMethod) -> Option<&'static str> {
    match method {
        PaymentMethod::BankTransfer => Some("Transfer reference"),
        PaymentMethod::DirectDebit => Some("Mandate reference"),
        PaymentMethod::MoneyOrder => Some("Money order number"),
        PaymentMethod::Cash | PaymentMethod::Cheque | PaymentMethod::Card => None,
    }
}

fn reference_missing_message(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::DirectDebit => "Mandate reference is missing; copy the reference of the direct debit mandate.",
        PaymentMethod::MoneyOrder => "Money order number is missing; type the number printed on the money order.",
        _ => "Transfer reference is missing; copy the reference from the bank statement.",
    }
}

/// The payment form's inputs as the user typed them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaymentDraft {
    pub method: Option<PaymentMethod>,
    /// Amount in the currency's major unit, such as `125.50`.
    pub amount: String,
    /// `YYYY-MM-DD` from the date input, or `None` while the input still shows
    /// its default, today. The server then uses today in the creditor's time
    /// zone, which can differ from the browser's date near midnight.
    pub received_on: Option<String>,
    pub cheque_number: String,
    pub drawee_bank: String,
    /// `YYYY-MM-DD` from the date input.
    pub cheque_date: String,
    pub card_last4: String,
    pub gateway_reference: String,
    pub reference: String,
    pub receipt_delivery: ReceiptDelivery,
}

/// Trims `text` and records `missing` against `field` when nothing is left.
fn required_text(text: &str, field: &str, missing: &str, problems: &mut Vec<FieldError>) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        problems.push(FieldError::new(field, "required", missing));
        None
    } else {
        Some(trimmed.to_string())
    }
}

fn parse_date_input(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

impl PaymentDraft {
    /// Builds the request for the API in `currency`, or returns every problem
    /// found. Only the instrument fields of the chosen method are sent, so
    /// text left in another method's hidden fields does not reach the server.
    pub fn to_request(&self, currency: Currency) -> Result<PaymentRequest, Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.method.is_none() {
            problems.push(FieldError::new(field::METHOD, "required", "Method is missing; choose how the money was paid."));
        }
        let amount = self.parse_amount(currency, &mut problems);
        let received_on = match &self.received_on {
            None => None,
            Some(text) => match parse_date_input(text) {
                Some(date) => Some(date),
                None => {
                    problems.push(FieldError::new(
                        field::RECEIVED_ON,
                        "required",
                        "Received on is missing; enter the day the money was received.",
                    ));
                    None
                }
            },
        };
        let instrument = match self.method {
            Some(method) => self.instrument(method, &mut problems),
            None => Instrument::default(),
        };

        match (self.method, amount) {
            (Some(method), Some(amount)) if problems.is_empty() => Ok(PaymentRequest {
                amount,
                currency,
                method,
                received_on,
                instrument,
                spread: None,
                receipt_book: None,
                receipt_delivery: self.receipt_delivery,
            }),
            _ => Err(problems),
        }
    }

    fn parse_amount(&self, currency: Currency, problems: &mut Vec<FieldError>) -> Option<i64> {
        let text = self.amount.trim();
        if text.is_empty() {
            let example = minor_units_to_input(125 * 10i64.pow(currency.minor_unit_digits()), currency);
            problems.push(FieldError::new(
                field::AMOUNT,
                "required",
                format!("Amount is missing; type the amount received in {}, such as {example}.", currency.code()),
            ));
            return None;
        }
        match parse_major_units(text, currency) {
            Ok(amount) if amount > 0 => Some(amount),
            Ok(_) => {
                problems.push(FieldError::new(
                    field::AMOUNT,
                    "invalid",
                    format!("Amount {text} is not more than zero; type the amount received."),
                ));
                None
            }
            Err(error) => {
                problems.push(FieldError::new(field::AMOUNT, "invalid", describe_amount_error(&error, currency)));
                None
            }
        }
    }

    fn instrument(&self, method: PaymentMethod, problems: &mut Vec<FieldError>) -> Instrument {
        match method {
            PaymentMethod::Cash => Instrument::default(),
            PaymentMethod::Cheque => {
                let cheque_number = required_text(
                    &self.cheque_number,
                    field::CHEQUE_NUMBER,
                    "Cheque number is missing; type the number printed on the cheque.",
                    problems,
                );
                let drawee_bank = required_text(
                    &self.drawee_bank,
                    field::DRAWEE_BANK,
                    "Drawee bank is missing; type the bank the cheque is drawn on.",
                    problems,
                );
                let cheque_date = parse_date_input(&self.cheque_date);
                if cheque_date.is_none() {
                    problems.push(FieldError::new(
                        field::CHEQUE_DATE,
                        "required",
                        "Cheque date is missing; enter the date written on the cheque.",
                    ));
                }
                Instrument { cheque_number, drawee_bank, cheque_date, ..Instrument::default() }
            }
            PaymentMethod::Card => {
                let card_last4 = required_text(
                    &self.card_last4,
                    field::CARD_LAST4,
                    "Last four digits are missing; type the last four digits of the card.",
                    problems,
                );
                if let Some(digits) = &card_last4 {
                    if digits.len() != 4 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                        problems.push(FieldError::new(
                            field::CARD_LAST4,
                            "invalid",
                            format!("'{digits}' is not four digits; type only the last four digits of the card, such as 4242."),
                        ));
                    }
                }
                let gateway_reference = required_text(
                    &self.gateway_reference,
                    field::GATEWAY_REFERENCE,
                    "Gateway reference is missing; copy the payment gateway's reference for the charge.",
                    problems,
                );
                Instrument { card_last4, gateway_reference, ..Instrument::default() }
            }
            PaymentMethod::BankTransfer | PaymentMethod::DirectDebit | PaymentMethod::MoneyOrder => {
                let reference =
                    required_text(&self.reference, field::REFERENCE, reference_missing_message(method), problems);
                Instrument { reference, ..Instrument::default() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::usd()
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    fn cheque_draft() -> PaymentDraft {
        PaymentDraft {
            method: Some(PaymentMethod::Cheque),
            amount: "1,250.50".to_string(),
            cheque_number: " 001234 ".to_string(),
            drawee_bank: "First Bank".to_string(),
            cheque_date: "2026-12-04".to_string(),
            ..PaymentDraft::default()
        }
    }

    #[test]
    fn cheque_request_has_exact_minor_units() {
        let request = cheque_draft().to_request(usd()).unwrap();
        assert_eq!(request.amount, 125_050);
        assert_eq!(request.currency, usd());
        assert_eq!(request.method, PaymentMethod::Cheque);
        assert_eq!(request.instrument.cheque_number.as_deref(), Some("001234"));
        assert_eq!(request.instrument.cheque_date, NaiveDate::from_ymd_opt(2026, 12, 4));
        assert_eq!(request.received_on, None);
    }

    #[test]
    fn hidden_fields_of_other_methods_are_not_sent() {
        let mut draft = cheque_draft();
        draft.card_last4 = "4242".to_string();
        draft.reference = "left over".to_string();
        let request = draft.to_request(usd()).unwrap();
        assert_eq!(request.instrument.card_last4, None);
        assert_eq!(request.instrument.reference, None);
    }

    #[test]
    fn empty_cheque_lists_every_missing_field() {
        let draft = PaymentDraft { method: Some(PaymentMethod::Cheque), ..PaymentDraft::default() };
        let problems = draft.to_request(usd()).unwrap_err();
        assert_eq!(
            fields(&problems),
            [field::AMOUNT, field::CHEQUE_NUMBER, field::DRAWEE_BANK, field::CHEQUE_DATE]
        );
    }

    #[test]
    fn missing_method_is_reported() {
        let draft = PaymentDraft { amount: "10".to_string(), ..PaymentDraft::default() };
        assert_eq!(fields(&draft.to_request(usd()).unwrap_err()), [field::METHOD]);
    }

    #[test]
    fn amount_with_extra_decimals_is_rejected() {
        let mut draft = cheque_draft();
        draft.amount = "10.005".to_string();
        let problems = draft.to_request(usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::AMOUNT]);
        assert_eq!(problems[0].message, "'10.005' has too many decimal places; USD amounts have at most 2.");
    }

    #[test]
    fn zero_amount_is_rejected() {
        let mut draft = cheque_draft();
        draft.amount = "0.00".to_string();
        assert_eq!(fields(&draft.to_request(usd()).unwrap_err()), [field::AMOUNT]);
    }

    #[test]
    fn missing_amount_example_follows_currency() {
        let jpy: Currency = "JPY".parse().unwrap();
        let draft = PaymentDraft { method: Some(PaymentMethod::Cash), ..PaymentDraft::default() };
        let problems = draft.to_request(jpy).unwrap_err();
        assert_eq!(problems[0].message, "Amount is missing; type the amount received in JPY, such as 125.");
    }

    #[test]
    fn card_needs_four_digits() {
        let draft = PaymentDraft {
            method: Some(PaymentMethod::Card),
            amount: "5".to_string(),
            card_last4: "42a2".to_string(),
            gateway_reference: "ch_1".to_string(),
            ..PaymentDraft::default()
        };
        assert_eq!(fields(&draft.to_request(usd()).unwrap_err()), [field::CARD_LAST4]);
    }

    #[test]
    fn edited_received_on_is_sent() {
        let draft = PaymentDraft {
            method: Some(PaymentMethod::Cash),
            amount: "5".to_string(),
            received_on: Some("2026-11-30".to_string()),
            ..PaymentDraft::default()
        };
        let request = draft.to_request(usd()).unwrap();
        assert_eq!(request.received_on, NaiveDate::from_ymd_opt(2026, 11, 30));
    }

    #[test]
    fn cleared_received_on_is_reported() {
        let draft = PaymentDraft {
            method: Some(PaymentMethod::Cash),
            amount: "5".to_string(),
            received_on: Some(String::new()),
            ..PaymentDraft::default()
        };
        assert_eq!(fields(&draft.to_request(usd()).unwrap_err()), [field::RECEIVED_ON]);
    }

    #[test]
    fn reference_methods_need_reference() {
        for method in [PaymentMethod::BankTransfer, PaymentMethod::DirectDebit, PaymentMethod::MoneyOrder] {
            let draft = PaymentDraft { method: Some(method), amount: "5".to_string(), ..PaymentDraft::default() };
            assert_eq!(fields(&draft.to_request(usd()).unwrap_err()), [field::REFERENCE], "{method:?}");
        }
    }
}
