//! The mapped form of one placement line, and what can happen to a line.

use chrono::NaiveDate;
use serde::Serialize;
use shared::Currency;

/// One account as a placement file describes it, after mapping and checking.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementRow {
    pub account_ref: String,
    pub debtor_ref: String,
    /// `person` or `company`.
    pub debtor_kind: &'static str,
    pub debtor_name: Option<String>,
    pub currency: Currency,
    /// Placed balance components in minor units of `currency`.
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
    pub opened_on: Option<NaiveDate>,
    pub last_payment_on: Option<NaiveDate>,
    pub delinquent_since: Option<NaiveDate>,
    pub charged_off_on: Option<NaiveDate>,
    /// One of `shared::accounts::DEBT_TYPES`. Left out of the row's hash when
    /// absent, so standard files without the column hash as before. Lending
    /// Club rows now carry `personal_loan`, so their first re-import
    /// updates every loan once to store it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debt_type: Option<&'static str>,
    pub address: Option<AddressInput>,
    pub phones: Vec<PhoneInput>,
    pub emails: Vec<EmailInput>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AddressInput {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub is_valid: bool,
    pub invalid_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhoneInput {
    pub raw: String,
    pub e164: Option<String>,
    pub phone_type: &'static str,
    pub is_valid: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmailInput {
    pub address: String,
    pub is_valid: bool,
}

/// A problem with one line; `column` is `None` when the whole line is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub column: Option<String>,
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    pub fn at(column: &str, code: &'static str, message: impl Into<String>) -> Self {
        Rejection { column: Some(column.to_string()), code, message: message.into() }
    }

    pub fn whole_row(code: &'static str, message: impl Into<String>) -> Self {
        Rejection { column: None, code, message: message.into() }
    }
}

/// What the profile decided about a line.
#[derive(Debug)]
pub enum RowOutcome {
    Row(Box<PlacementRow>),
    /// Left out on purpose by the profile's rule, with the reason counted in the report.
    Skip(String),
    /// Rejected; every problem found on the line is listed.
    Reject(Vec<Rejection>),
}

impl PlacementRow {
    /// Checks rules that apply whatever the profile: a positive balance, no negative component.
    pub fn check(&self) -> Vec<Rejection> {
        let mut problems = Vec::new();
        for (column, value) in [("principal", self.principal), ("interest", self.interest), ("fees", self.fees)] {
            if value < 0 {
                problems.push(Rejection::at(
                    column,
                    "negative_amount",
                    format!("{column} is negative; a placement must not carry a credit balance"),
                ));
            }
        }
        let total = self.principal.checked_add(self.interest).and_then(|t| t.checked_add(self.fees));
        match total {
            None => problems.push(Rejection::whole_row("amount_too_large", "the balance is too large to store")),
            Some(0) if problems.is_empty() => problems.push(Rejection::whole_row(
                "zero_balance",
                "the placed balance is zero; a delinquent account must owe something, so check the amount columns",
            )),
            _ => {}
        }
        let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap_or(chrono::NaiveDate::MAX);
        for (column, date) in [
            ("opened_on", self.opened_on),
            ("last_payment_on", self.last_payment_on),
            ("delinquent_since", self.delinquent_since),
            ("charged_off_on", self.charged_off_on),
        ] {
            // A day of slack covers creditors in time zones ahead of UTC.
            if date.is_some_and(|d| d > tomorrow) {
                problems.push(Rejection::at(column, "future_date", format!("{column} is in the future; check the date")));
            }
        }
        if self.account_ref.chars().count() > 100 {
            problems.push(Rejection::at("account_ref", "too_long", "the account reference is longer than 100 characters"));
        }
        problems
    }
}
