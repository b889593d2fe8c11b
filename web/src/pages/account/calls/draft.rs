//! The call form's inputs and their conversion to a `CallRequest`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use shared::contact::{CallDirection, CallOutcome, CallPromise, CallRequest};
use shared::{Currency, FieldError};

use crate::components::{describe_amount_error, parse_major_units};

/// Field names as the API names them in its field errors.
pub mod field {
    pub const PHONE: &str = "phone_e164";
    pub const NOTES: &str = "notes";
    pub const FOLLOW_UP_ON: &str = "follow_up_on";
    pub const STARTED_AT: &str = "started_at";
    pub const OVERRIDE_REASON: &str = "override_reason";
    pub const PROMISE_AMOUNT: &str = "promise.amount";
    pub const PROMISE_ON: &str = "promise.promised_on";
}

/// The call form's inputs as the user typed them.
#[derive(Clone, Debug, PartialEq)]
pub struct CallDraft {
    /// The number in E.164 form, or empty for an inbound call from an unknown number.
    pub phone: String,
    pub direction: CallDirection,
    pub outcome: CallOutcome,
    pub notes: String,
    /// `YYYY-MM-DD` from the date input, or empty.
    pub follow_up_on: String,
    /// `YYYY-MM-DDTHH:MM` in UTC from the date-and-time input, or empty for now.
    pub started_at: String,
    /// In the currency's major unit; read only with the outcome `promise_taken`.
    pub promise_amount: String,
    pub promise_on: String,
    pub override_reason: String,
}

impl CallDraft {
    pub fn new(phone: String) -> Self {
        CallDraft {
            phone,
            direction: CallDirection::Outbound,
            outcome: CallOutcome::NoAnswer,
            notes: String::new(),
            follow_up_on: String::new(),
            started_at: String::new(),
            promise_amount: String::new(),
            promise_on: String::new(),
            override_reason: String::new(),
        }
    }

    /// Reads the start time; `Ok(None)` means now.
    pub fn started_at(&self) -> Result<Option<DateTime<Utc>>, FieldError> {
        let text = self.started_at.trim();
        if text.is_empty() {
            return Ok(None);
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
            .map(|local| Some(local.and_utc()))
            .map_err(|_| {
                FieldError::new(field::STARTED_AT, "invalid", format!("Start time {text} is not a date and time; pick one, or leave it empty for now."))
            })
    }

    /// Builds the request in `currency`, or returns every input that cannot be read.
    pub fn to_request(&self, currency: Currency) -> Result<CallRequest, Vec<FieldError>> {
        let mut problems = Vec::new();
        let started_at = self.started_at().unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        let follow_up_on = read_date(&self.follow_up_on, field::FOLLOW_UP_ON, "Follow-up date", &mut problems);
        let phone = self.phone.trim();
        if phone.is_empty() && self.direction == CallDirection::Outbound {
            problems.push(FieldError::new(field::PHONE, "required", "Choose the number you called."));
        }
        let promise = if self.outcome == CallOutcome::PromiseTaken { self.read_promise(currency, &mut problems) } else { None };
        if !problems.is_empty() {
            return Err(problems);
        }
        let optional = |text: &str| Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(CallRequest {
            phone_e164: optional(phone),
            direction: self.direction,
            outcome: self.outcome,
            notes: optional(&self.notes),
            follow_up_on,
            started_at,
            override_reason: optional(&self.override_reason),
            promise,
        })
    }

    fn read_promise(&self, currency: Currency, problems: &mut Vec<FieldError>) -> Option<CallPromise> {
        let text = self.promise_amount.trim();
        let amount = match parse_major_units(text, currency) {
            _ if text.is_empty() => {
                problems.push(FieldError::new(field::PROMISE_AMOUNT, "required", "Type the amount the debtor promised."));
                None
            }
            Ok(amount) if amount > 0 => Some(amount),
            Ok(_) => {
                problems.push(FieldError::new(field::PROMISE_AMOUNT, "invalid", format!("Amount {text} is not more than zero.")));
                None
            }
            Err(error) => {
                problems.push(FieldError::new(field::PROMISE_AMOUNT, "invalid", describe_amount_error(&error, currency)));
                None
            }
        };
        let promised_on = read_date(&self.promise_on, field::PROMISE_ON, "Promise date", problems);
        if promised_on.is_none() && self.promise_on.trim().is_empty() {
            problems.push(FieldError::new(field::PROMISE_ON, "required", "Pick the day the debtor promised to pay by."));
        }
        Some(CallPromise { amount: amount?, promised_on: promised_on? })
    }
}

/// Reads an optional `YYYY-MM-DD` date, recording a problem when it is not one.
fn read_date(text: &str, field: &str, label: &str, problems: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            problems.push(FieldError::new(field, "invalid", format!("{label} {text} is not a date; pick one from the calendar.")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    #[test]
    fn outbound_needs_a_number() {
        let draft = CallDraft::new(String::new());
        let problems = draft.to_request(usd()).unwrap_err();
        assert_eq!(problems[0].field, field::PHONE);
    }

    #[test]
    fn start_time_read_as_utc() {
        let mut draft = CallDraft::new("+12175550143".to_string());
        draft.started_at = "2026-12-03T04:00".to_string();
        let request = draft.to_request(usd()).unwrap();
        assert_eq!(request.started_at.unwrap().to_rfc3339(), "2026-12-03T04:00:00+00:00");
        assert_eq!(request.phone_e164.as_deref(), Some("+12175550143"));
        assert!(request.promise.is_none());
    }

    #[test]
    fn promise_read_only_with_its_outcome() {
        let mut draft = CallDraft::new("+12175550143".to_string());
        draft.promise_amount = "125.00".to_string();
        draft.promise_on = "2026-12-10".to_string();
        assert!(draft.to_request(usd()).unwrap().promise.is_none(), "ignored for no answer");

        draft.outcome = CallOutcome::PromiseTaken;
        let promise = draft.to_request(usd()).unwrap().promise.unwrap();
        assert_eq!(promise.amount, 12_500);
        assert_eq!(promise.promised_on.to_string(), "2026-12-10");
    }

    #[test]
    fn promise_fields_each_reported() {
        let mut draft = CallDraft::new("+12175550143".to_string());
        draft.outcome = CallOutcome::PromiseTaken;
        let problems = draft.to_request(usd()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec![field::PROMISE_AMOUNT, field::PROMISE_ON]);
    }

    #[test]
    fn bad_dates_named() {
        let mut draft = CallDraft::new("+12175550143".to_string());
        draft.started_at = "yesterday".to_string();
        draft.follow_up_on = "soon".to_string();
        let problems = draft.to_request(usd()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec![field::STARTED_AT, field::FOLLOW_UP_ON]);
    }
}
