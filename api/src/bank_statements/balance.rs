//! Consistency checks of a statement against the totals that the bank states.

use std::fmt;

use serde::Serialize;

use super::model::{EntryStatus, Statement};

/// A statement whose opening balance plus entries is not its closing balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BalanceMismatch {
    /// The sums differ. All amounts are signed minor units.
    Amount {
        statement_id: String,
        currency: String,
        opening_minor: i128,
        entries_total_minor: i128,
        /// Number of entries in `entries_total_minor`.
        entries_counted: usize,
        /// Opening plus entries.
        expected_closing_minor: i128,
        /// The closing balance that the bank states.
        stated_closing_minor: i128,
    },
    /// A balance or a counted entry is in another currency than the opening
    /// balance, so no sum can be checked.
    Currency {
        statement_id: String,
        opening_currency: String,
        /// "closing balance" or "entry on line N".
        item: String,
        item_currency: String,
    },
}

impl fmt::Display for BalanceMismatch {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BalanceMismatch::Amount {
                statement_id,
                currency,
                opening_minor,
                entries_total_minor,
                entries_counted,
                expected_closing_minor,
                stated_closing_minor,
            } => write!(
                formatter,
                "statement {statement_id:?}: opening {opening_minor} + {entries_counted} entries \
                 {entries_total_minor} = {expected_closing_minor} {currency} minor units, but the \
                 closing balance is {stated_closing_minor} (difference {})",
                stated_closing_minor - expected_closing_minor
            ),
            BalanceMismatch::Currency {
                statement_id,
                opening_currency,
                item,
                item_currency,
            } => write!(
                formatter,
                "statement {statement_id:?}: the opening balance is in {opening_currency} but the \
                 {item} is in {item_currency}, so the balances cannot be checked"
            ),
        }
    }
}

/// Checks that the opening balance plus the entries gives the closing
/// balance. Returns None when they agree or when the statement lacks either
/// balance (MT942, camt.054, most camt.052).
///
/// Entries whose camt status is pending, information or future are not
/// posted, so they are left out of the sum. Every other entry counts,
/// including MT entries, which carry no status.
pub fn check_balances(statement: &Statement) -> Option<BalanceMismatch> {
    let opening = statement.opening_balance.as_ref()?;
    let closing = statement.closing_balance.as_ref()?;

    let currency_mismatch = |item: String, item_currency: &str| BalanceMismatch::Currency {
        statement_id: statement.id.clone(),
        opening_currency: opening.currency.clone(),
        item,
        item_currency: item_currency.to_string(),
    };
    if closing.currency != opening.currency {
        return Some(currency_mismatch(
            "closing balance".to_string(),
            &closing.currency,
        ));
    }

    let mut entries_total_minor: i128 = 0;
    let mut entries_counted = 0;
    for entry in statement
        .entries
        .iter()
        .filter(|entry| is_posted(&entry.status))
    {
        if entry.currency != opening.currency {
            return Some(currency_mismatch(
                format!("entry on line {}", entry.line),
                &entry.currency,
            ));
        }
        entries_total_minor += i128::from(entry.amount_minor);
        entries_counted += 1;
    }

    let opening_minor = i128::from(opening.amount_minor);
    let expected_closing_minor = opening_minor + entries_total_minor;
    let stated_closing_minor = i128::from(closing.amount_minor);
    if expected_closing_minor == stated_closing_minor {
        return None;
    }
    Some(BalanceMismatch::Amount {
        statement_id: statement.id.clone(),
        currency: opening.currency.clone(),
        opening_minor,
        entries_total_minor,
        entries_counted,
        expected_closing_minor,
        stated_closing_minor,
    })
}

fn is_posted(status: &Option<EntryStatus>) -> bool {
    !matches!(
        status,
        Some(EntryStatus::Pending | EntryStatus::Information | EntryStatus::Future)
    )
}

/// A stated MT942 total (`:90D:` or `:90C:`) that the entries do not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalMismatch {
    pub statement_id: String,
    /// "debit" or "credit".
    pub direction: &'static str,
    pub stated_count: u32,
    pub counted: usize,
    /// Unsigned minor units.
    pub stated_amount_minor: i64,
    /// Unsigned minor units of the entries of that direction.
    pub counted_amount_minor: i128,
    pub currency: String,
}

impl fmt::Display for TotalMismatch {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "statement {:?}: the stated {} total is {} entries of {} {} minor units, but the \
             report has {} {} entries of {}",
            self.statement_id,
            self.direction,
            self.stated_count,
            self.stated_amount_minor,
            self.currency,
            self.counted,
            self.direction,
            self.counted_amount_minor
        )
    }
}

/// Checks the MT942 `:90D:` and `:90C:` totals against the entries. A debit
/// entry is one with a negative amount, so a reversed credit (`RC`) counts as
/// a debit, and an entry of zero counts as a credit. Returns an empty list
/// when there are no stated totals or they agree.
pub fn check_entry_totals(statement: &Statement) -> Vec<TotalMismatch> {
    let mut mismatches = Vec::new();
    let stated_totals = [
        ("debit", &statement.debit_total),
        ("credit", &statement.credit_total),
    ];
    for (direction, stated) in stated_totals {
        let Some(stated) = stated else {
            continue;
        };
        let matching = statement.entries.iter().filter(|entry| {
            if direction == "debit" {
                entry.amount_minor < 0
            } else {
                entry.amount_minor >= 0
            }
        });
        let mut counted = 0;
        let mut counted_amount_minor: i128 = 0;
        for entry in matching {
            counted += 1;
            counted_amount_minor += i128::from(entry.amount_minor).abs();
        }
        let agrees = u32::try_from(counted) == Ok(stated.count)
            && counted_amount_minor == i128::from(stated.amount_minor);
        if !agrees {
            mismatches.push(TotalMismatch {
                statement_id: statement.id.clone(),
                direction,
                stated_count: stated.count,
                counted,
                stated_amount_minor: stated.amount_minor,
                counted_amount_minor,
                currency: stated.currency.clone(),
            });
        }
    }
    mismatches
}
