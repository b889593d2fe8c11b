//! The plan designer's inputs as typed, and their conversion to `PlanTerms`.

use chrono::NaiveDate;
use shared::plans::policy::MAX_INSTALMENTS;
use shared::plans::{Frequency, PlanKind, PlanTerms};
use shared::{Currency, FieldError};

use crate::components::{describe_amount_error, minor_units_to_input, parse_major_units};

/// Field names: the `PlanTerms` field names, which policy findings and the
/// API's field errors use too, and `note` of the create request.
pub mod field {
    pub const KIND: &str = "kind";
    pub const FREQUENCY: &str = "frequency";
    pub const START_DATE: &str = "start_date";
    pub const INSTALMENT_COUNT: &str = "instalment_count";
    pub const DOWN_PAYMENT: &str = "down_payment";
    pub const SETTLEMENT_AMOUNT: &str = "settlement_amount";
    pub const NOTE: &str = "note";

    /// The fields that show their messages beside their input.
    pub const ALL: [&str; 7] = [KIND, FREQUENCY, START_DATE, INSTALMENT_COUNT, DOWN_PAYMENT, SETTLEMENT_AMOUNT, NOTE];
}

/// Code of a problem with an empty input. The designer shows these only
/// after the first save, so a new form does not open covered in messages.
pub const MISSING: &str = "required";

/// The plan designer's inputs as the user typed them.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDraft {
    pub kind: PlanKind,
    pub frequency: Frequency,
    /// `YYYY-MM-DD` from the date input.
    pub start_date: String,
    pub instalment_count: String,
    /// In the currency's major unit, such as `100.00`; empty for none.
    pub down_payment: String,
    /// In the currency's major unit; read only for a settlement.
    pub settlement_amount: String,
}

impl PlanDraft {
    /// Returns an empty monthly instalment plan starting on `start_date`.
    pub fn starting(start_date: NaiveDate) -> Self {
        PlanDraft {
            kind: PlanKind::Instalment,
            frequency: Frequency::Monthly,
            start_date: start_date.format("%Y-%m-%d").to_string(),
            instalment_count: String::new(),
            down_payment: String::new(),
            settlement_amount: String::new(),
        }
    }

    /// Fills the inputs from saved terms, for renegotiating a plan.
    pub fn from_terms(terms: &PlanTerms, currency: Currency) -> Self {
        PlanDraft {
            kind: terms.kind,
            frequency: terms.frequency,
            start_date: terms.start_date.format("%Y-%m-%d").to_string(),
            instalment_count: terms.instalment_count.to_string(),
            down_payment: if terms.down_payment == 0 {
                String::new()
            } else {
                minor_units_to_input(terms.down_payment, currency)
            },
            settlement_amount: terms.settlement_amount.map(|amount| minor_units_to_input(amount, currency)).unwrap_or_default(),
        }
    }

    /// Builds the terms in `currency`, or returns every input that cannot be
    /// read. `policy::evaluate` checks whether the terms fit the policy.
    /// The settlement amount of an instalment plan is not read, so text left
    /// in the hidden input does not reach the server.
    pub fn to_terms(&self, currency: Currency) -> Result<PlanTerms, Vec<FieldError>> {
        let mut problems = Vec::new();
        let start_date = self.parse_start_date(&mut problems);
        let instalment_count = self.parse_instalment_count(&mut problems);
        let down_payment = self.parse_down_payment(currency, &mut problems);
        let settlement_amount = match self.kind {
            PlanKind::Instalment => Some(None),
            PlanKind::Settlement => self.parse_settlement_amount(currency, &mut problems).map(Some),
        };

        match (start_date, instalment_count, down_payment, settlement_amount) {
            (Some(start_date), Some(instalment_count), Some(down_payment), Some(settlement_amount)) => Ok(PlanTerms {
                kind: self.kind,
                frequency: self.frequency,
                start_date,
                instalment_count,
                down_payment,
                settlement_amount,
            }),
            _ => Err(problems),
        }
    }

    fn parse_start_date(&self, problems: &mut Vec<FieldError>) -> Option<NaiveDate> {
        let text = self.start_date.trim();
        if text.is_empty() {
            problems.push(FieldError::new(
                field::START_DATE,
                MISSING,
                "Start date is missing; pick the day the plan starts. The first instalment is due one period later.",
            ));
            return None;
        }
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        if parsed.is_none() {
            problems.push(FieldError::new(
                field::START_DATE,
                "invalid",
                format!("Start date '{text}' is not a date; pick one in the date picker."),
            ));
        }
        parsed
    }

    fn parse_instalment_count(&self, problems: &mut Vec<FieldError>) -> Option<u32> {
        let text = self.instalment_count.trim();
        if text.is_empty() {
            problems.push(FieldError::new(
                field::INSTALMENT_COUNT,
                MISSING,
                format!("Number of instalments is missing; type a whole number from 1 to {MAX_INSTALMENTS}."),
            ));
            return None;
        }
        if !text.bytes().all(|byte| byte.is_ascii_digit()) {
            problems.push(FieldError::new(
                field::INSTALMENT_COUNT,
                "invalid",
                format!("Number of instalments '{text}' is not a whole number; type one from 1 to {MAX_INSTALMENTS}."),
            ));
            return None;
        }
        // Digits that overflow u32 are far above the maximum, so they get the range message.
        match text.parse::<u32>() {
            Ok(count) => Some(count),
            Err(_) => {
                problems.push(FieldError::new(
                    field::INSTALMENT_COUNT,
                    "invalid",
                    format!("Number of instalments {text} is too large; type at most {MAX_INSTALMENTS}."),
                ));
                None
            }
        }
    }

    fn parse_down_payment(&self, currency: Currency, problems: &mut Vec<FieldError>) -> Option<i64> {
        let text = self.down_payment.trim();
        if text.is_empty() {
            return Some(0);
        }
        match parse_major_units(text, currency) {
            Ok(amount) if amount >= 0 => Some(amount),
            Ok(_) => {
                problems.push(FieldError::new(
                    field::DOWN_PAYMENT,
                    "invalid",
                    format!("Down payment {text} is below zero; type 0, or leave it empty for no down payment."),
                ));
                None
            }
            Err(error) => {
                problems.push(FieldError::new(field::DOWN_PAYMENT, "invalid", describe_amount_error(&error, currency)));
                None
            }
        }
    }

    fn parse_settlement_amount(&self, currency: Currency, problems: &mut Vec<FieldError>) -> Option<i64> {
        let text = self.settlement_amount.trim();
        if text.is_empty() {
            problems.push(FieldError::new(
                field::SETTLEMENT_AMOUNT,
                MISSING,
                format!(
                    "Settlement amount is missing; type the total in {} the debtor pays, down payment included.",
                    currency.code()
                ),
            ));
            return None;
        }
        match parse_major_units(text, currency) {
            Ok(amount) if amount > 0 => Some(amount),
            Ok(_) => {
                problems.push(FieldError::new(
                    field::SETTLEMENT_AMOUNT,
                    "invalid",
                    format!("Settlement amount {text} is not more than zero; type the total the debtor pays."),
                ));
                None
            }
            Err(error) => {
                problems.push(FieldError::new(
                    field::SETTLEMENT_AMOUNT,
                    "invalid",
                    describe_amount_error(&error, currency),
                ));
                None
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

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn settlement_draft() -> PlanDraft {
        PlanDraft {
            kind: PlanKind::Settlement,
            frequency: Frequency::Weekly,
            start_date: "2026-12-04".to_string(),
            instalment_count: "6".to_string(),
            down_payment: "100.00".to_string(),
            settlement_amount: "1,200.50".to_string(),
        }
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field.as_str()).collect()
    }

    #[test]
    fn settlement_terms_have_exact_minor_units() {
        let terms = settlement_draft().to_terms(usd()).unwrap();
        assert_eq!(terms.kind, PlanKind::Settlement);
        assert_eq!(terms.frequency, Frequency::Weekly);
        assert_eq!(terms.start_date, date("2026-12-04"));
        assert_eq!(terms.instalment_count, 6);
        assert_eq!(terms.down_payment, 10_000);
        assert_eq!(terms.settlement_amount, Some(120_050));
    }

    #[test]
    fn instalment_plan_ignores_settlement_input() {
        let mut draft = settlement_draft();
        draft.kind = PlanKind::Instalment;
        draft.settlement_amount = "not read".to_string();
        let terms = draft.to_terms(usd()).unwrap();
        assert_eq!(terms.settlement_amount, None);
    }

    #[test]
    fn empty_down_payment_is_zero() {
        let mut draft = settlement_draft();
        draft.down_payment = "  ".to_string();
        assert_eq!(draft.to_terms(usd()).unwrap().down_payment, 0);
    }

    #[test]
    fn empty_settlement_lists_every_missing_field() {
        let draft = PlanDraft {
            kind: PlanKind::Settlement,
            frequency: Frequency::Monthly,
            start_date: String::new(),
            instalment_count: String::new(),
            down_payment: String::new(),
            settlement_amount: String::new(),
        };
        let problems = draft.to_terms(usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::START_DATE, field::INSTALMENT_COUNT, field::SETTLEMENT_AMOUNT]);
        assert!(problems.iter().all(|problem| problem.code == MISSING), "{problems:?}");
    }

    #[test]
    fn count_that_is_not_number_is_named() {
        let mut draft = settlement_draft();
        draft.instalment_count = "six".to_string();
        let problems = draft.to_terms(usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::INSTALMENT_COUNT]);
        assert_eq!(problems[0].message, "Number of instalments 'six' is not a whole number; type one from 1 to 520.");
    }

    #[test]
    fn negative_count_is_not_whole_number() {
        let mut draft = settlement_draft();
        draft.instalment_count = "-3".to_string();
        assert_eq!(fields(&draft.to_terms(usd()).unwrap_err()), [field::INSTALMENT_COUNT]);
    }

    #[test]
    fn huge_count_gets_range_message() {
        let mut draft = settlement_draft();
        draft.instalment_count = "99999999999".to_string();
        let problems = draft.to_terms(usd()).unwrap_err();
        assert_eq!(problems[0].message, "Number of instalments 99999999999 is too large; type at most 520.");
    }

    #[test]
    fn count_above_maximum_is_left_to_policy() {
        let mut draft = settlement_draft();
        draft.instalment_count = "600".to_string();
        assert_eq!(draft.to_terms(usd()).unwrap().instalment_count, 600);
    }

    #[test]
    fn down_payment_with_extra_decimals_is_rejected() {
        let mut draft = settlement_draft();
        draft.down_payment = "10.005".to_string();
        let problems = draft.to_terms(usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::DOWN_PAYMENT]);
        assert_eq!(problems[0].message, "'10.005' has too many decimal places; USD amounts have at most 2.");
    }

    #[test]
    fn negative_down_payment_is_rejected() {
        let mut draft = settlement_draft();
        draft.down_payment = "-5".to_string();
        let problems = draft.to_terms(usd()).unwrap_err();
        assert_eq!(fields(&problems), [field::DOWN_PAYMENT]);
    }

    #[test]
    fn zero_settlement_is_rejected() {
        let mut draft = settlement_draft();
        draft.settlement_amount = "0".to_string();
        assert_eq!(fields(&draft.to_terms(usd()).unwrap_err()), [field::SETTLEMENT_AMOUNT]);
    }

    #[test]
    fn missing_settlement_names_currency() {
        let jpy: Currency = "JPY".parse().unwrap();
        let mut draft = settlement_draft();
        draft.down_payment = String::new();
        draft.settlement_amount = String::new();
        let problems = draft.to_terms(jpy).unwrap_err();
        assert_eq!(
            problems[0].message,
            "Settlement amount is missing; type the total in JPY the debtor pays, down payment included."
        );
    }

    #[test]
    fn saved_terms_fill_same_draft_back() {
        let terms = settlement_draft().to_terms(usd()).unwrap();
        let draft = PlanDraft::from_terms(&terms, usd());
        assert_eq!(draft.to_terms(usd()), Ok(terms));
    }

    #[test]
    fn saved_terms_without_down_payment_leave_input_empty() {
        let mut draft = settlement_draft();
        draft.down_payment = String::new();
        let terms = draft.to_terms(usd()).unwrap();
        assert_eq!(PlanDraft::from_terms(&terms, usd()).down_payment, "");
    }

    #[test]
    fn new_draft_starts_on_given_day() {
        let draft = PlanDraft::starting(date("2027-01-31"));
        assert_eq!(draft.start_date, "2027-01-31");
        assert_eq!(draft.kind, PlanKind::Instalment);
    }
}
