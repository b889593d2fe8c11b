//! Accounts (debts), debtors and their contact data as the API returns them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Currency;
use crate::status::{AccountStatus, DpdBucket};

/// A balance split into its components, each in minor units of the account's currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
    pub total: i64,
}

impl Balance {
    pub fn new(principal: i64, interest: i64, fees: i64) -> Self {
        Balance { principal, interest, fees, total: principal + interest + fees }
    }
}

/// Why the account cannot be contacted through some channel; all false means reachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactFlags {
    pub name_missing: bool,
    pub no_valid_phone: bool,
    pub no_valid_address: bool,
    pub no_valid_email: bool,
}

impl ContactFlags {
    /// True when no phone, postal address or email is usable.
    pub fn no_valid_contact(&self) -> bool {
        self.no_valid_phone && self.no_valid_address && self.no_valid_email
    }
}

/// A worklist row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub creditor_name: String,
    /// The creditor's own reference for the debt.
    pub account_ref: String,
    pub debtor_id: Uuid,
    /// The debtor's name, null when the placement file had none.
    pub debtor_name: Option<String>,
    pub status: AccountStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub balance: Balance,
    pub delinquent_since: Option<NaiveDate>,
    /// Days from `delinquent_since` to today in the creditor's time zone.
    pub days_past_due: Option<i32>,
    pub dpd_bucket: Option<DpdBucket>,
    pub last_payment_on: Option<NaiveDate>,
    pub assigned_agent_id: Option<Uuid>,
    pub assigned_agent_name: Option<String>,
    pub contact_flags: ContactFlags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressDto {
    pub id: Uuid,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// False when the address is incomplete or known to be wrong.
    pub is_valid: bool,
    /// Why the address is not valid, when it is not.
    pub invalid_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneDto {
    pub id: Uuid,
    /// The number as the placement file gave it.
    pub raw: String,
    /// E.164 form, null when the number could not be parsed.
    pub e164: Option<String>,
    /// `mobile`, `fixed_line`, `unknown` and so on, from the numbering plan.
    pub phone_type: String,
    pub is_valid: bool,
    pub do_not_call: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailDto {
    pub id: Uuid,
    pub address: String,
    pub is_valid: bool,
    pub opted_out: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DebtorDto {
    pub id: Uuid,
    /// The creditor's reference for the debtor.
    pub debtor_ref: String,
    /// `person` or `company`.
    pub kind: String,
    pub name: Option<String>,
    pub addresses: Vec<AddressDto>,
    pub phones: Vec<PhoneDto>,
    pub emails: Vec<EmailDto>,
}

/// One journal entry as it touches this account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntryDto {
    pub id: Uuid,
    /// `placement` or `placement_adjustment` so far.
    pub kind: String,
    pub effective_on: NaiveDate,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub memo: String,
    /// The change this entry made to the account's balance.
    pub change: Balance,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    #[serde(flatten)]
    pub summary: AccountSummary,
    pub original_balance: Balance,
    pub opened_on: Option<NaiveDate>,
    pub charged_off_on: Option<NaiveDate>,
    pub allowed_next_statuses: Vec<AccountStatus>,
    pub debtor: DebtorDto,
    pub ledger: Vec<LedgerEntryDto>,
    /// Money the debtor paid on this account beyond what was owed, in minor units; kept for them, never dropped.
    pub unapplied_credit: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Sort orders of the worklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountSort {
    /// Largest balance first.
    #[default]
    BalanceDesc,
    BalanceAsc,
    /// Oldest delinquency first.
    DpdDesc,
    DpdAsc,
    AccountRef,
}

impl AccountSort {
    pub const ALL: [AccountSort; 5] = [
        AccountSort::BalanceDesc,
        AccountSort::BalanceAsc,
        AccountSort::DpdDesc,
        AccountSort::DpdAsc,
        AccountSort::AccountRef,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountSort::BalanceDesc => "balance_desc",
            AccountSort::BalanceAsc => "balance_asc",
            AccountSort::DpdDesc => "dpd_desc",
            AccountSort::DpdAsc => "dpd_asc",
            AccountSort::AccountRef => "account_ref",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    pub status: AccountStatus,
    /// Why the status changes; kept in the audit trail.
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The agent to assign, or null to unassign. The key is required, so a
    /// misspelt or missing key never unassigns by accident.
    #[serde(deserialize_with = "required_nullable")]
    pub agent_id: Option<Uuid>,
}

/// Reads an `Option` whose key must be present (null is allowed).
fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditorDto {
    pub id: Uuid,
    pub name: String,
    /// IANA time zone that decides the creditor's day boundaries.
    pub time_zone: String,
    pub account_count: i64,
}

/// Body of `PUT /api/v1/creditors/{id}/time-zone`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeZoneRequest {
    /// An IANA time zone name such as `America/Chicago`; the creditor's days
    /// (due dates, promise dates, the daily run) begin and end there.
    pub time_zone: String,
}

/// Kinds of debt a placement may name in its debt type column. With the
/// debtor's country and region, the kind picks the limitation period
/// (`limitation_periods.debt_type`, where `any` covers every kind). The
/// `accounts_debt_type_check` constraint lists the same values.
pub const DEBT_TYPES: [&str; 12] = [
    "credit_card",
    "personal_loan",
    "auto_loan",
    "student_loan",
    "mortgage",
    "medical",
    "utility",
    "telecom",
    "written_contract",
    "oral_contract",
    "open_account",
    "other",
];

/// Reads a debt type, ignoring case and treating spaces and hyphens as
/// underscores, so `Credit card` reads as `credit_card`.
pub fn parse_debt_type(text: &str) -> Result<&'static str, String> {
    let normalised: String =
        text.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect();
    DEBT_TYPES.iter().copied().find(|known| *known == normalised).ok_or_else(|| {
        format!("the debt type is not one of {}; map the file's value to one of them", DEBT_TYPES.join(", "))
    })
}
