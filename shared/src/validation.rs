//! Validation rules with the messages that both the web form and the API show.

use std::str::FromStr;

pub const PASSWORD_MIN_CHARS: usize = 12;

/// Checks an email address's syntax (RFC 5322 address, as the `email_address` crate reads it).
pub fn check_email(email: &str) -> Result<(), String> {
    let trimmed = email.trim();
    if trimmed.is_empty() {
        return Err("email is missing; enter an address such as name@example.com".to_string());
    }
    if email_address::EmailAddress::from_str(trimmed).is_err() || !trimmed.contains('.') {
        return Err("email is not a valid address; enter one such as name@example.com".to_string());
    }
    Ok(())
}

/// Checks a new password: at least 12 characters.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.is_empty() {
        return Err("password is missing; give a password of at least 12 characters".to_string());
    }
    if password.trim().is_empty() {
        return Err("password is only spaces; use at least 12 characters that include letters, digits or symbols".to_string());
    }
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(format!("password is too short; use at least {PASSWORD_MIN_CHARS} characters"));
    }
    Ok(())
}

/// Largest payment accepted, in minor units: ten to the fifteenth keeps
/// every sum of balances far from the 64-bit limit.
pub const PAYMENT_MAX_MINOR_UNITS: i64 = 1_000_000_000_000_000;

/// Earliest day a payment may be dated: older dates are typing mistakes.
pub const EARLIEST_PAYMENT_DATE: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("2000-01-01 is a date"),
};

/// Age after which banks treat a cheque as stale (six months, as in the
/// US Uniform Commercial Code section 4-404).
pub const CHEQUE_STALE_DAYS: i64 = 180;

/// Maximum days a post-dated cheque is held.
pub const CHEQUE_MAX_HOLD_DAYS: i64 = 366;

/// Maximum length of a free-text instrument field (cheque number, bank, references).
pub const INSTRUMENT_TEXT_MAX_CHARS: usize = 64;

/// Checks a payment request's amount and the instrument fields its method
/// needs; `today` is the creditor's date. Returns every problem found.
pub fn check_payment(request: &crate::payments::PaymentRequest, today: chrono::NaiveDate) -> Vec<crate::FieldError> {
    use crate::payments::PaymentMethod;
    use crate::FieldError;

    let mut errors = Vec::new();
    let instrument = &request.instrument;
    if request.amount > PAYMENT_MAX_MINOR_UNITS {
        errors.push(FieldError::new(
            "amount",
            "too_large",
            format!("amount {} is above the largest accepted payment ({PAYMENT_MAX_MINOR_UNITS} minor units); check the amount", request.amount),
        ));
    }
    if request.amount <= 0 {
        errors.push(FieldError::new(
            "amount",
            "invalid",
            format!("amount {} is not positive; send the amount received in minor units, such as 1050 for 10.50", request.amount),
        ));
    }
    if let Some(day) = request.received_on {
        if day < EARLIEST_PAYMENT_DATE {
            errors.push(FieldError::new(
                "received_on",
                "invalid",
                format!("received_on {day} is before {EARLIEST_PAYMENT_DATE}; check the year"),
            ));
        }
        if day > today {
            errors.push(FieldError::new(
                "received_on",
                "invalid",
                format!("received_on {day} is after today ({today}); a post-dated cheque keeps today's date here and its own date in instrument.cheque_date"),
            ));
        }
    }
    let texts = [
        ("instrument.cheque_number", &instrument.cheque_number),
        ("instrument.drawee_bank", &instrument.drawee_bank),
        ("instrument.card_last4", &instrument.card_last4),
        ("instrument.gateway_reference", &instrument.gateway_reference),
        ("instrument.reference", &instrument.reference),
    ];
    for (field, value) in texts {
        let Some(value) = value else { continue };
        if value.contains('\0') {
            errors.push(FieldError::new(field, "invalid", format!("{field} contains a NUL character (\\u0000), which cannot be stored; remove it")));
        } else if value.trim().is_empty() {
            errors.push(FieldError::new(field, "invalid", format!("{field} is empty; leave it out or fill it in")));
        } else if value.chars().count() > INSTRUMENT_TEXT_MAX_CHARS {
            errors.push(FieldError::new(field, "invalid", format!("{field} is longer than {INSTRUMENT_TEXT_MAX_CHARS} characters; shorten it")));
        } else if looks_like_card_number(value) {
            errors.push(FieldError::new(
                field,
                "card_number",
                format!("{field} looks like a full card number; card numbers are never stored, send only the last four digits in instrument.card_last4"),
            ));
        }
    }
    let needs = |errors: &mut Vec<FieldError>, field: &str, value: &Option<String>, what: &str| {
        if value.is_none() {
            errors.push(FieldError::new(field, "required", format!("{field} is required for this method; give {what}")));
        }
    };
    let forbids = |errors: &mut Vec<FieldError>, field: &str, present: bool| {
        if present {
            errors.push(FieldError::new(
                field,
                "not_allowed",
                format!("{field} does not apply to the method {}; remove it", request.method.as_str()),
            ));
        }
    };
    if let Some(cheque_date) = instrument.cheque_date {
        if cheque_date < today - chrono::Duration::days(CHEQUE_STALE_DAYS) {
            errors.push(FieldError::new(
                "instrument.cheque_date",
                "stale",
                format!("instrument.cheque_date {cheque_date} is more than {CHEQUE_STALE_DAYS} days old, so banks treat the cheque as stale; ask the payer for a new cheque"),
            ));
        }
        if cheque_date > today + chrono::Duration::days(CHEQUE_MAX_HOLD_DAYS) {
            errors.push(FieldError::new(
                "instrument.cheque_date",
                "too_far",
                format!("instrument.cheque_date {cheque_date} is more than {CHEQUE_MAX_HOLD_DAYS} days ahead; a post-dated cheque is held for at most a year"),
            ));
        }
    }
    let is_cheque = request.method == PaymentMethod::Cheque;
    let is_card = request.method == PaymentMethod::Card;
    forbids(&mut errors, "instrument.cheque_number", !is_cheque && instrument.cheque_number.is_some());
    forbids(&mut errors, "instrument.drawee_bank", !is_cheque && instrument.drawee_bank.is_some());
    forbids(&mut errors, "instrument.cheque_date", !is_cheque && instrument.cheque_date.is_some());
    forbids(&mut errors, "instrument.card_last4", !is_card && instrument.card_last4.is_some());
    forbids(&mut errors, "instrument.gateway_reference", !is_card && instrument.gateway_reference.is_some());
    match request.method {
        PaymentMethod::Cash => forbids(&mut errors, "instrument.reference", instrument.reference.is_some()),
        PaymentMethod::Cheque => {
            needs(&mut errors, "instrument.cheque_number", &instrument.cheque_number, "the number printed on the cheque");
            needs(&mut errors, "instrument.drawee_bank", &instrument.drawee_bank, "the bank the cheque is drawn on");
            if instrument.cheque_date.is_none() {
                errors.push(FieldError::new(
                    "instrument.cheque_date",
                    "required",
                    "instrument.cheque_date is required for a cheque; give the date written on it (YYYY-MM-DD)",
                ));
            }
            forbids(&mut errors, "instrument.reference", instrument.reference.is_some());
        }
        PaymentMethod::Card => {
            needs(&mut errors, "instrument.card_last4", &instrument.card_last4, "the last four digits of the card");
            needs(&mut errors, "instrument.gateway_reference", &instrument.gateway_reference, "the payment gateway's reference");
            if let Some(last4) = &instrument.card_last4 {
                if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
                    errors.push(FieldError::new(
                        "instrument.card_last4",
                        "invalid",
                        "instrument.card_last4 must be exactly four digits, such as 4242",
                    ));
                }
            }
            forbids(&mut errors, "instrument.reference", instrument.reference.is_some());
        }
        PaymentMethod::BankTransfer => needs(&mut errors, "instrument.reference", &instrument.reference, "the transfer's reference"),
        PaymentMethod::DirectDebit => needs(&mut errors, "instrument.reference", &instrument.reference, "the mandate reference"),
        PaymentMethod::MoneyOrder => needs(&mut errors, "instrument.reference", &instrument.reference, "the money order's number"),
    }
    errors
}

/// Returns true when `text` contains a full card number anywhere. That is a
/// run of 13 to 19 digits that starts like a card network's number (2 to 6)
/// and passes the Luhn check. Single spaces, dashes or dots may separate the
/// digits, and full-width digits count as digits.
pub fn looks_like_card_number(text: &str) -> bool {
    // Digits of the current run, and where each digit group in it starts.
    let mut run: Vec<u32> = Vec::new();
    let mut group_starts: Vec<usize> = Vec::new();
    let mut after_separator = false;
    for c in text.chars().chain(std::iter::once('\u{1}')) {
        let digit = match c {
            '0'..='9' => c.to_digit(10),
            '\u{FF10}'..='\u{FF19}' => Some(c as u32 - 0xFF10),
            _ => None,
        };
        match digit {
            Some(d) => {
                if run.is_empty() || after_separator {
                    group_starts.push(run.len());
                }
                run.push(d);
                after_separator = false;
            }
            // Any run of spaces (no-break and thin ones too), tabs, dashes, dots,
            // slashes or underscores may separate the groups of a pasted number.
            None if is_group_separator(c) && !run.is_empty() => after_separator = true,
            None => {
                // A card number may sit beside other digits ("4111… 12/27"),
                // so every stretch that starts and ends on a group boundary is tried.
                let mut group_ends: Vec<usize> = group_starts.iter().skip(1).copied().collect();
                group_ends.push(run.len());
                for start in &group_starts {
                    for end in group_ends.iter().filter(|end| *end > start) {
                        if is_card_number(&run[*start..*end]) {
                            return true;
                        }
                    }
                }
                run.clear();
                group_starts.clear();
                after_separator = false;
            }
        }
    }
    false
}

fn is_group_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '/' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

fn is_card_number(digits: &[u32]) -> bool {
    if !(13..=19).contains(&digits.len()) || !(2..=6).contains(&digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { *d })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks free text that is stored and shown (notes, reasons): no NUL
/// character and no full card number.
pub fn check_free_text(field: &str, text: &str) -> Result<(), crate::FieldError> {
    if text.contains('\0') {
        return Err(crate::FieldError::new(field, "invalid", format!("{field} contains a NUL character (\\u0000), which cannot be stored; remove it")));
    }
    if looks_like_card_number(text) {
        return Err(crate::FieldError::new(
            field,
            "card_number",
            format!("{field} contains what looks like a full card number; card numbers are never stored, so remove it"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert!(check_email("ana@example.com").is_ok());
        assert!(check_email("").is_err());
        assert!(check_email("ana@").is_err());
        assert!(check_email("ana example.com").is_err());
        assert!(check_email("ana@localhost").is_err());
    }

    #[test]
    fn password_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
    }

    fn payment(method: crate::payments::PaymentMethod, instrument: crate::payments::Instrument) -> crate::payments::PaymentRequest {
        crate::payments::PaymentRequest {
            amount: 1_000,
            currency: crate::Currency::usd(),
            method,
            received_on: None,
            instrument,
            spread: None,
            receipt_book: None,
            receipt_delivery: Default::default(),
        }
    }

    fn fields(errors: &[crate::FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_cheque_needs_its_number_bank_and_date() {
        use crate::payments::{Instrument, PaymentMethod};
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let errors = check_payment(&payment(PaymentMethod::Cheque, Instrument::default()), today);
        assert_eq!(fields(&errors), ["instrument.cheque_number", "instrument.drawee_bank", "instrument.cheque_date"]);
        let cheque = Instrument {
            cheque_number: Some("001234".into()),
            drawee_bank: Some("First Bank".into()),
            cheque_date: Some(today),
            ..Default::default()
        };
        assert!(check_payment(&payment(PaymentMethod::Cheque, cheque.clone()), today).is_empty());
        let stale = Instrument { cheque_date: Some(today - chrono::Duration::days(181)), ..cheque.clone() };
        assert_eq!(check_payment(&payment(PaymentMethod::Cheque, stale), today)[0].code, "stale");
        let far = Instrument { cheque_date: Some(today + chrono::Duration::days(367)), ..cheque };
        assert_eq!(check_payment(&payment(PaymentMethod::Cheque, far), today)[0].code, "too_far");
    }

    #[test]
    fn a_full_card_number_is_refused_wherever_it_is_sent() {
        use crate::payments::{Instrument, PaymentMethod};
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert!(looks_like_card_number("4242 4242 4242 4242"));
        assert!(looks_like_card_number("paid with 4111111111111111 thanks"));
        assert!(looks_like_card_number("card 4111-1111-1111-1111 paid"));
        assert!(looks_like_card_number("4111.1111.1111.1111"));
        assert!(looks_like_card_number("\u{FF14}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}\u{FF11}"));
        assert!(looks_like_card_number("pan:4111111111111111"));
        assert!(looks_like_card_number("4242424242424242 123"));
        assert!(looks_like_card_number("4111111111111111 12/27"));
        assert!(looks_like_card_number("order 12 4111111111111111"));
        assert!(looks_like_card_number("cheque 0042 4111-1111-1111-1111"));
        assert!(looks_like_card_number("4111 1111 1111 1111 1"));
        // Pasted from documents: no-break and thin spaces, tabs, doubled spaces, slashes, underscores.
        for separator in ["\u{00A0}", "\u{2009}", "\t", "  ", "/", "_", " - ", "\u{2013}"] {
            let text = ["4111", "1111", "1111", "1111"].join(separator);
            assert!(looks_like_card_number(&text), "{text:?}");
        }
        for text in ["", "-", " ", "1", "1 ", " 1", "1--2", "1 - 2", ". 4", "４", "\u{FF10}-"] {
            // None of these is a card number, and none may panic.
            assert!(!looks_like_card_number(text), "{text:?}");
        }
        assert!(!looks_like_card_number("TRF-2026-000123"));
        assert!(!looks_like_card_number("1111111111111117"), "no card network starts with 1");
        assert!(!looks_like_card_number("4242 4242 4242 4241"));
        assert!(!looks_like_card_number("4242"));
        let card = Instrument {
            card_last4: Some("4242".into()),
            gateway_reference: Some("4242-4242-4242-4242".into()),
            ..Default::default()
        };
        let errors = check_payment(&payment(PaymentMethod::Card, card), today);
        assert_eq!(fields(&errors), ["instrument.gateway_reference"]);
        assert_eq!(errors[0].code, "card_number");
        assert!(!errors[0].message.contains("4242-4242"), "the message must not echo the number");
    }

    #[test]
    fn a_payment_cannot_be_dated_in_the_future_or_be_zero() {
        use crate::payments::{Instrument, PaymentMethod};
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let mut request = payment(PaymentMethod::Cash, Instrument::default());
        request.amount = 0;
        request.received_on = today.succ_opt();
        assert_eq!(fields(&check_payment(&request, today)), ["amount", "received_on"]);
        request.amount = 100;
        request.received_on = chrono::NaiveDate::from_ymd_opt(1900, 1, 1);
        assert_eq!(fields(&check_payment(&request, today)), ["received_on"]);
    }
}
