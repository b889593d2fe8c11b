//! Placement imports: profiles that map a creditor's file onto accounts, and
//! the report that accounts for every line of the file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{DecimalSeparator, Rounding};

/// How a placement file is read and mapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// `lending_club` applies the Lending Club loan-export rules; `columns` maps named columns.
    pub kind: ProfileKind,
    /// Field delimiter: `,`, `;`, a tab, or null to detect it from the header line.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// `utf-8`, `latin-1` (ISO 8859-1, read as Windows-1252), or null to use UTF-8 and fall back to Latin-1.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub decimal_separator: DecimalSeparator,
    /// How amounts with more decimals than the currency has are rounded.
    #[serde(default)]
    pub rounding: Rounding,
    /// chrono format strings tried in order, such as `%Y-%m-%d` or `%b-%Y` (month dates mean the first of the month).
    #[serde(default = "default_date_formats")]
    pub date_formats: Vec<String>,
    /// ISO 4217 code used when the file has no currency column.
    #[serde(default = "default_currency")]
    pub default_currency: String,
    /// Country (ISO 3166-1 alpha-2) for phone numbers written without a country code.
    #[serde(default = "default_country")]
    pub default_country: String,
    /// Column names for the `columns` kind; ignored by built-in kinds.
    #[serde(default)]
    pub columns: ColumnMap,
}

fn default_date_formats() -> Vec<String> {
    vec!["%Y-%m-%d".to_string()]
}

fn default_currency() -> String {
    "USD".to_string()
}

fn default_country() -> String {
    "US".to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    LendingClub,
    Columns,
}

/// Which file column feeds each field. Only `account_ref` and `principal` are required.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    pub account_ref: Option<String>,
    pub debtor_ref: Option<String>,
    pub debtor_name: Option<String>,
    /// Column whose value `company` marks a company debtor; others are people.
    pub debtor_kind: Option<String>,
    pub currency: Option<String>,
    pub principal: Option<String>,
    pub interest: Option<String>,
    pub fees: Option<String>,
    pub opened_on: Option<String>,
    pub last_payment_on: Option<String>,
    pub delinquent_since: Option<String>,
    pub charged_off_on: Option<String>,
    /// Column with the kind of debt, one of `accounts::DEBT_TYPES`.
    #[serde(default)]
    pub debt_type: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    /// Any number of phone columns; each non-empty value becomes one phone number.
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProfileDto {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub config: ProfileConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateImportProfileRequest {
    /// Lowercase letters, digits and `_`, such as `acme_monthly`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub config: ProfileConfig,
}

/// A rejected line: the file line it starts on, the column at fault and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedRow {
    /// 1-based line number in the file where the record starts (the header is line 1).
    pub line: u64,
    /// The column at fault, null when the problem is the whole row.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Completed,
    /// The file could not be read; nothing after the failure point was imported.
    Failed,
}

/// The import report. `rows` counts every non-header line and always equals
/// `imported + updated + unchanged + skipped + rejected`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub creditor_name: String,
    pub profile: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub rows: u64,
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// Empty lines, counted within `skipped`.
    pub empty_lines: u64,
    /// Amounts that had more decimals than the currency and were rounded by `rounding`.
    pub rounded_amounts: u64,
    pub rounding: Rounding,
    /// Imported or updated accounts whose debtor has no name.
    pub missing_name: u64,
    /// Imported or updated accounts with no valid phone, address or email.
    pub no_valid_contact: u64,
    /// Phone numbers kept but flagged invalid.
    pub invalid_phones: u64,
    pub invalid_emails: u64,
    pub skipped_reasons: Vec<ReasonCount>,
    pub rejected_rows: Vec<RejectedRow>,
    /// Why the file could not be read to the end, when `status` is `failed`.
    pub failure: Option<String>,
    /// Bytes of the file read so far, for progress while `status` is `running`.
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: u64,
    pub rows_per_second: u64,
}

impl ImportReport {
    /// Rows accounted for so far; equals `rows` when every line has an outcome.
    pub fn outcomes(&self) -> u64 {
        self.imported + self.updated + self.unchanged + self.skipped + self.rejected
    }
}

/// Progress of a running import, for the web app's progress bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub id: Uuid,
    pub creditor_name: String,
    pub profile: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub rows: u64,
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
