//! The Lending Club loan export (`lending_club` profile).
//!
//! Rules:
//! - `loan_status` decides: `Charged Off`, `Default`, `Late (31-120 days)`,
//!   `Late (16-30 days)` and `In Grace Period` become accounts; `Fully Paid`
//!   and `Current` are skipped; a charged-off loan whose debt settlement is
//!   complete (`settlement_status` = `COMPLETE`) is skipped. The prefix
//!   "Does not meet the credit policy. Status:" is read past. Any other
//!   status is rejected rather than guessed.
//! - Charged-off loans show zero `out_prncp`, so what is owed is
//!   `funded_amnt - total_rec_prncp - recoveries`. `collection_recovery_fee`
//!   is the agency's fee and does not reduce the debt. Other loans owe `out_prncp`.
//! - The file contains no accrued interest or fees owed, so both are zero.
//! - `delinquent_since` is the first due date after the last payment:
//!   `last_pymnt_d` plus one month, or `issue_d` plus one month when no payment was made.
//! - Every loan is a `personal_loan` debt, as Lending Club lent only
//!   unsecured personal loans.
//! - Each loan is its own debtor, keyed by the loan id. The file has no names
//!   or contact data, only the state and the first three ZIP digits, kept as
//!   an incomplete address flagged invalid.

use super::fields::{self, add_months, LineTally};
use super::mapping::{Line, Mapper};
use super::row::{AddressInput, PlacementRow, Rejection, RowOutcome};

pub const REQUIRED_COLUMNS: &[&str] = &[
    "id",
    "loan_status",
    "funded_amnt",
    "out_prncp",
    "total_rec_prncp",
    "recoveries",
    "issue_d",
    "last_pymnt_d",
];

/// Every column the profile reads, required or not.
pub const USED_COLUMNS: &[&str] = &[
    "id",
    "loan_status",
    "funded_amnt",
    "out_prncp",
    "total_rec_prncp",
    "recoveries",
    "issue_d",
    "last_pymnt_d",
    "settlement_status",
    "addr_state",
    "zip_code",
];

const POLICY_PREFIX: &str = "Does not meet the credit policy. Status:";

enum LoanState {
    ChargedOff,
    Delinquent,
    Skip(&'static str),
}

fn classify(status: &str) -> Option<LoanState> {
    let base = status.trim().strip_prefix(POLICY_PREFIX).unwrap_or(status.trim()).trim();
    match base {
        "Charged Off" | "Default" => Some(LoanState::ChargedOff),
        "Late (31-120 days)" | "Late (16-30 days)" | "In Grace Period" => Some(LoanState::Delinquent),
        "Fully Paid" => Some(LoanState::Skip("loan fully paid")),
        "Current" => Some(LoanState::Skip("loan current")),
        _ => None,
    }
}

pub fn map(mapper: &Mapper, line: &Line<'_>, tally: &mut LineTally) -> RowOutcome {
    let status = line.get("loan_status").unwrap_or("").trim();
    let state = match classify(status) {
        Some(LoanState::Skip(reason)) => return RowOutcome::Skip(reason.to_string()),
        Some(state) => state,
        None => {
            return RowOutcome::Reject(vec![Rejection::at(
                "loan_status",
                "unknown_status",
                format!("loan_status '{status}' is not one the lending_club profile knows; it cannot tell whether the loan is delinquent"),
            )])
        }
    };
    if matches!(state, LoanState::ChargedOff)
        && line.get("settlement_status").is_some_and(|s| s.trim().eq_ignore_ascii_case("COMPLETE"))
    {
        return RowOutcome::Skip("charged off, debt settlement complete".to_string());
    }

    let mut problems = Vec::new();
    let currency = mapper.default_currency;
    let mut amount = |column: &str| match fields::amount(column, line.get(column), currency, &mapper.rules, tally) {
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            0
        }
    };
    let principal = match state {
        LoanState::ChargedOff => amount("funded_amnt") - amount("total_rec_prncp") - amount("recoveries"),
        _ => amount("out_prncp"),
    };

    let mut date = |column: &str| match fields::date(column, line.get(column), &mapper.rules) {
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let opened_on = date("issue_d");
    let last_payment_on = date("last_pymnt_d");

    let account_ref = fields::text(line.get("id"));
    if account_ref.is_none() {
        problems.push(Rejection::at("id", "missing", "the loan id is empty; every loan needs its id"));
    }
    if principal <= 0 && problems.is_empty() {
        let column = if matches!(state, LoanState::ChargedOff) { "funded_amnt" } else { "out_prncp" };
        problems.push(Rejection::at(
            column,
            "zero_balance",
            format!(
                "the loan owes {} by the profile's rule ({}); a delinquent account must owe something",
                shared::Money::new(principal, currency).display(),
                if matches!(state, LoanState::ChargedOff) {
                    "funded_amnt - total_rec_prncp - recoveries"
                } else {
                    "out_prncp"
                }
            ),
        ));
    }
    if !problems.is_empty() {
        return RowOutcome::Reject(problems);
    }
    let account_ref = account_ref.unwrap_or_default();

    let region = fields::text(line.get("addr_state"));
    let postal_code = fields::text(line.get("zip_code"));
    let address = (region.is_some() || postal_code.is_some()).then(|| AddressInput {
        region,
        postal_code,
        country: Some("US".to_string()),
        is_valid: false,
        invalid_reason: Some("only the state and a partial ZIP code are known".to_string()),
        ..AddressInput::default()
    });

    RowOutcome::Row(Box::new(PlacementRow {
        debtor_ref: account_ref.clone(),
        account_ref,
        debtor_kind: "person",
        debtor_name: None,
        currency,
        principal,
        interest: 0,
        fees: 0,
        opened_on,
        last_payment_on,
        delinquent_since: last_payment_on.or(opened_on).map(|d| add_months(d, 1)),
        // NOTE: the export has no charge-off date, so it stays empty rather than guessed.
        charged_off_on: None,
        // Lending Club's notes are unsecured personal loans.
        debt_type: Some("personal_loan"),
        address,
        phones: Vec::new(),
        emails: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classify_with_and_without_policy_prefix() {
        assert!(matches!(classify("Charged Off"), Some(LoanState::ChargedOff)));
        assert!(matches!(classify("Does not meet the credit policy. Status:Charged Off"), Some(LoanState::ChargedOff)));
        assert!(matches!(classify("Does not meet the credit policy. Status:Fully Paid"), Some(LoanState::Skip(_))));
        assert!(matches!(classify("Late (16-30 days)"), Some(LoanState::Delinquent)));
        assert!(matches!(classify("In Grace Period"), Some(LoanState::Delinquent)));
        assert!(classify("Something new").is_none());
    }
}
