//! Bank statement imports (camt.053, camt.054, MT940) and the entries that
//! an assistant matches to accounts by hand, as the API takes and returns them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The file formats that are imported. camt.052 and MT942 are intraday
/// reports whose entries come again in the day's statement, so they are rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatementFormat {
    /// ISO 20022 camt.053, bank to customer statement.
    Camt053,
    /// ISO 20022 camt.054, bank to customer debit/credit notification.
    Camt054,
    /// SWIFT MT940, customer statement message.
    Mt940,
}

impl StatementFormat {
    pub const ALL: [StatementFormat; 3] = [StatementFormat::Camt053, StatementFormat::Camt054, StatementFormat::Mt940];

    pub fn as_str(self) -> &'static str {
        match self {
            StatementFormat::Camt053 => "camt053",
            StatementFormat::Camt054 => "camt054",
            StatementFormat::Mt940 => "mt940",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        StatementFormat::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// Outcome of the import for an entry, or of a person's review later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// A credit matched with enough confidence and posted as a payment.
    MatchedPosted,
    /// A credit (or a pending entry) waiting for an assistant to match or dismiss it.
    NeedsReview,
    /// A debit that is not the return of a debtor's payment; recorded only.
    IgnoredDebit,
    /// A return of an earlier matched credit; its payment was reversed.
    ReversedPayment,
    /// A reversal whose original payment was not found; waits for review.
    UnmatchedReversal,
    /// Matched to an account by an assistant and posted as a payment.
    ManuallyMatched,
    /// Set aside by an assistant with a reason; nothing was posted.
    Dismissed,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 7] = [
        EntryStatus::MatchedPosted,
        EntryStatus::NeedsReview,
        EntryStatus::IgnoredDebit,
        EntryStatus::ReversedPayment,
        EntryStatus::UnmatchedReversal,
        EntryStatus::ManuallyMatched,
        EntryStatus::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::MatchedPosted => "matched_posted",
            EntryStatus::NeedsReview => "needs_review",
            EntryStatus::IgnoredDebit => "ignored_debit",
            EntryStatus::ReversedPayment => "reversed_payment",
            EntryStatus::UnmatchedReversal => "unmatched_reversal",
            EntryStatus::ManuallyMatched => "manually_matched",
            EntryStatus::Dismissed => "dismissed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryStatus::MatchedPosted => "Matched and posted",
            EntryStatus::NeedsReview => "Needs review",
            EntryStatus::IgnoredDebit => "Debit (ignored)",
            EntryStatus::ReversedPayment => "Payment reversed",
            EntryStatus::UnmatchedReversal => "Reversal not matched",
            EntryStatus::ManuallyMatched => "Matched by hand",
            EntryStatus::Dismissed => "Dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        EntryStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Whether the opening balance plus the booked entries equals the closing balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BalanceCheck {
    Balanced,
    /// The sums differ; the statement and its entries are imported all the same.
    Mismatch,
    /// The statement lacks an opening or closing balance (every camt.054).
    NotChecked,
}

impl BalanceCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            BalanceCheck::Balanced => "balanced",
            BalanceCheck::Mismatch => "mismatch",
            BalanceCheck::NotChecked => "not_checked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [BalanceCheck::Balanced, BalanceCheck::Mismatch, BalanceCheck::NotChecked].into_iter().find(|c| c.as_str() == text)
    }
}

/// One statement of an imported file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementDto {
    pub id: Uuid,
    /// camt `Stmt/Id` or `Ntfctn/Id`, or the MT940 `:20:` reference.
    pub statement_ref: String,
    /// camt electronic or legal sequence number, or the MT940 `:28C:` value.
    pub sequence_number: Option<String>,
    /// 1-based line of the statement in the file.
    pub line: i32,
    /// The bank account (IBAN or the bank's account number) the statement is for.
    pub bank_account: String,
    pub currency: Option<String>,
    /// Signed minor units; a debit (overdrawn) balance is negative.
    pub opening_balance: Option<i64>,
    pub opening_date: Option<NaiveDate>,
    pub closing_balance: Option<i64>,
    pub closing_date: Option<NaiveDate>,
    pub balance_check: BalanceCheck,
    /// The sums that differ, when `balance_check` is `mismatch`.
    pub balance_check_message: Option<String>,
    pub entry_count: i32,
}

/// How many entries of an import are in one status now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: EntryStatus,
    pub count: i64,
}

/// An entry of the file that an earlier import had already stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepeatedEntry {
    /// `statement_ref` of the statement in this file.
    pub statement: String,
    /// 1-based line of the entry in this file.
    pub line: u32,
    /// The stored entry it repeats.
    pub entry_id: Uuid,
}

/// `POST /api/v1/bank-statements` and `GET /api/v1/bank-statements/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementImportDto {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub creditor_name: String,
    pub file_name: String,
    /// Hex SHA-256 of the uploaded bytes.
    pub file_sha256: String,
    pub format: StatementFormat,
    /// camt `GrpHdr/MsgId`; MT940 files have none.
    pub message_id: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Entries in the file. Each is either stored by this import (and counted
    /// in `status_counts`) or listed in `repeated_entries`.
    pub entry_count: i32,
    pub repeated_entry_count: i32,
    /// Statements whose balances do not add up.
    pub unbalanced_statement_count: i32,
    /// Entries stored by this import, per status now (a status with none is left out).
    pub status_counts: Vec<StatusCount>,
    pub statements: Vec<StatementDto>,
    pub repeated_entries: Vec<RepeatedEntry>,
}

/// A row of `GET /api/v1/bank-statements`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementImportSummary {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub creditor_name: String,
    pub file_name: String,
    pub format: StatementFormat,
    pub created_at: DateTime<Utc>,
    pub statement_count: i32,
    pub entry_count: i32,
    pub repeated_entry_count: i32,
    pub unbalanced_statement_count: i32,
    /// Entries of this import still waiting in `needs_review` or `unmatched_reversal`.
    pub open_review_count: i64,
}

/// An account the matcher considered for a credit, with its score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchCandidate {
    pub account_id: Uuid,
    pub account_ref: String,
    /// 0 to 100; see docs/bank-statements.md for the scoring table.
    pub confidence: i32,
    pub reason: String,
}

/// One entry of a bank statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementEntryDto {
    pub id: Uuid,
    pub import_id: Uuid,
    pub statement_id: Uuid,
    pub creditor_id: Uuid,
    pub bank_account: String,
    /// 1-based line of the entry in the file that first stored it.
    pub line: i32,
    pub booking_date: Option<NaiveDate>,
    pub value_date: Option<NaiveDate>,
    /// Signed minor units: a credit is positive, a debit negative.
    pub amount: i64,
    pub currency: String,
    /// The bank marks the entry as the reversal of an earlier one.
    pub reversal: bool,
    /// camt entry status (`BOOK`, `PDNG`, `INFO`, `FUTR`); null for MT940.
    pub bank_status: Option<String>,
    /// Transactions in the entry; more than 1 is a batch.
    pub transaction_count: i32,
    pub bank_reference: Option<String>,
    pub customer_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    pub mandate_id: Option<String>,
    pub creditor_reference: Option<String>,
    pub counterparty_name: Option<String>,
    pub counterparty_account: Option<String>,
    pub remittance_info: Option<String>,
    /// ISO 20022 return reason code, such as `AM04`.
    pub return_reason: Option<String>,
    pub bank_transaction_code: Option<String>,
    pub status: EntryStatus,
    pub account_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    /// 0 to 100 for the match the import found or a person made; null when none was.
    pub confidence: Option<i32>,
    pub match_reason: String,
    /// Best first.
    pub candidates: Vec<MatchCandidate>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub dismiss_reason: Option<String>,
}

/// `POST /api/v1/bank-statement-entries/{id}/match`, sent with an `Idempotency-Key` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MatchEntryRequest {
    /// The account the credit pays; the entry's whole amount is posted to it.
    pub account_id: Uuid,
}

/// `POST /api/v1/bank-statement-entries/{id}/dismiss`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DismissEntryRequest {
    /// Reason nothing is posted, 1 to 500 characters, such as "refund from the creditor, not a debtor payment".
    pub reason: String,
}

/// Maximum characters of a dismissal reason.
pub const MAX_DISMISS_REASON_CHARS: usize = 500;

/// Checks a dismissal reason and returns it trimmed.
pub fn check_dismiss_reason(reason: &str) -> Result<String, String> {
    let trimmed = reason.trim();
    if trimmed.is_empty() {
        return Err("reason is empty; say why the entry is dismissed".to_string());
    }
    if trimmed.chars().count() > MAX_DISMISS_REASON_CHARS {
        return Err(format!("reason is longer than {MAX_DISMISS_REASON_CHARS} characters; shorten it"));
    }
    crate::validation::check_free_text("reason", trimmed).map_err(|error| error.message)?;
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in EntryStatus::ALL {
            assert_eq!(EntryStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        for format in StatementFormat::ALL {
            assert_eq!(StatementFormat::parse(format.as_str()), Some(format));
        }
    }

    #[test]
    fn dismiss_reason_is_checked() {
        assert_eq!(check_dismiss_reason("  refund  "), Ok("refund".to_string()));
        assert!(check_dismiss_reason("   ").is_err());
        assert!(check_dismiss_reason(&"x".repeat(501)).is_err());
        assert!(check_dismiss_reason("a\0b").is_err());
    }
}
