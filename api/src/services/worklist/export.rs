//! Call lists and mailing lists of the accounts that match the account-list
//! filters, as CSV or XLSX.
//!
//! A call list has one row per valid phone that is not marked do not call;
//! a mailing list has one row per account with a deliverable address. Both
//! carry the debtor's name, the address formatted for its country, the
//! phones in E.164 with their type, an email, the debtor's local time in
//! every zone they may be in, and when the contact rules next allow a call
//! (call list) or a letter (mailing list). An export is a read of personal
//! data, so each one writes an audit row naming the user, the list and the
//! filters, but no personal data.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde_json::json;
use shared::accounts::AccountSummary;
use shared::FieldError;
use uuid::Uuid;

use super::contact_inputs::{AccountKey, ContactInputs, DebtorContacts};
use crate::auth::CurrentUser;
use crate::domain::contact_rules::Channel;
use crate::domain::postal_address::{format_lines, AddressParts};
use crate::error::{ApiError, ApiResult};
use crate::services::accounts::{self, AccountFilter};
use crate::services::audit::{self, AuditEvent};

/// Most accounts one export may hold; a larger selection must be narrowed.
pub const EXPORT_MAX_ACCOUNTS: u32 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Call,
    Mailing,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Call => "call_list",
            ListKind::Mailing => "mailing_list",
        }
    }

    fn channel(self) -> Channel {
        match self {
            ListKind::Call => Channel::Call,
            ListKind::Mailing => Channel::Letter,
        }
    }

    fn header(self) -> [&'static str; 10] {
        let (next, blocked) = match self {
            ListKind::Call => ("next_allowed_call_at", "call_blocked_by"),
            ListKind::Mailing => ("next_allowed_letter_at", "letter_blocked_by"),
        };
        ["account_ref", "debtor_name", "address", "phone_e164", "phone_type", "email", "local_time", "time_zones", next, blocked]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The file of one export.
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub rows: usize,
    /// Accounts left out because the contact rules block the list's channel
    /// for good (a cease request, a dispute, bankruptcy, death, a hold).
    pub blocked_accounts: usize,
}

/// Builds the list of `kind` for the accounts that match `filter`, as the user sees them.
/// Accounts the rules block for good on the list's channel get no rows, so
/// a dialler or print shop working from the file cannot contact them; a
/// block that time lifts (window, cap, quiet days) keeps the rows, with the
/// reasons and the next allowed time in their columns.
pub fn export(
    conn: &mut PgConnection,
    user: &CurrentUser,
    filter: &AccountFilter,
    kind: ListKind,
    format: Format,
    now: DateTime<Utc>,
) -> ApiResult<ExportFile> {
    let (accounts, more) = accounts::list(conn, user, filter, None, EXPORT_MAX_ACCOUNTS)?;
    if more.is_some() {
        return Err(ApiError::validation(vec![FieldError::new(
            "filter",
            "too_many_accounts",
            format!(
                "the filters match more than {EXPORT_MAX_ACCOUNTS} accounts, the most one export holds; narrow them, for example with creditor_id, status or dpd"
            ),
        )]));
    }
    let keys: Vec<AccountKey> = accounts
        .iter()
        .map(|a| AccountKey { id: a.id, creditor_id: a.creditor_id, debtor_id: a.debtor_id, status: a.status.as_str().to_string() })
        .collect();
    let inputs = ContactInputs::load(conn, &keys, now)?;
    let (rows, blocked_accounts) = build_rows(&accounts, &keys, &inputs, kind, now);

    let bytes = match format {
        Format::Csv => write_csv(kind, &rows),
        Format::Xlsx => write_xlsx(kind, &rows),
    }
    .map_err(ApiError::internal)?;

    conn.transaction(|conn| {
        audit::record(
            conn,
            AuditEvent {
                creditor_id: filter.creditor_id,
                actor_user_id: Some(user.id),
                action: "accounts.exported",
                entity_type: "export",
                entity_id: Uuid::now_v7(),
                details: json!({
                    "list": kind.as_str(),
                    "format": format.as_str(),
                    "accounts": accounts.len(),
                    "rows": rows.len(),
                    "filter": audit_filter(filter),
                }),
            },
        )
    })?;
    tracing::info!(user.id = %user.id, list = kind.as_str(), format = format.as_str(), rows = rows.len(), blocked_accounts, "accounts exported");
    Ok(ExportFile { bytes, rows: rows.len(), blocked_accounts })
}

/// Describes the filters for the audit trail. The search text `q` may be a
/// debtor's name, so only its presence is recorded.
fn audit_filter(filter: &AccountFilter) -> serde_json::Value {
    json!({
        "status": filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "dpd": filter.dpd.map(|b| b.as_str()),
        "min_balance": filter.min_balance,
        "max_balance": filter.max_balance,
        "creditor_id": filter.creditor_id,
        "assigned_agent_id": filter.assigned_agent.map(|agent| agent.map(|id| id.to_string()).unwrap_or_else(|| "none".into())),
        "no_valid_contact": filter.no_valid_contact,
        "q_given": filter.search.is_some(),
        "sort": filter.sort.as_str(),
    })
}

type Row = [String; 10];

/// Returns the rows and the number of accounts left out as blocked for good.
fn build_rows(accounts: &[AccountSummary], keys: &[AccountKey], inputs: &ContactInputs, kind: ListKind, now: DateTime<Utc>) -> (Vec<Row>, usize) {
    let empty = DebtorContacts::default();
    let mut rows = Vec::new();
    let mut blocked_accounts = 0;
    for (account, key) in accounts.iter().zip(keys) {
        let decision = inputs.eligibility(key, kind.channel(), now);
        if !decision.allowed && decision.next_allowed_at.is_none() {
            blocked_accounts += 1;
            continue;
        }
        let contacts = inputs.contacts.get(&account.debtor_id).unwrap_or(&empty);
        let address = contacts.address.as_ref().map(|a| {
            format_lines(&AddressParts {
                line1: a.line1.as_deref(),
                line2: a.line2.as_deref(),
                city: a.city.as_deref(),
                region: a.region.as_deref(),
                postal_code: a.postal_code.as_deref(),
                country: a.country.as_deref(),
            })
            .join("\n")
        });
        let email = contacts.emails.iter().find(|e| e.is_valid && !e.opted_out).map(|e| e.address.clone()).unwrap_or_default();
        let zones = distinct_zones(inputs.time_zones(key));
        let local_time = zones.iter().map(|zone| now.with_timezone(zone).format("%Y-%m-%d %H:%M %Z").to_string()).collect::<Vec<_>>().join("; ");
        let zone_names = zones.iter().map(|zone| zone.name()).collect::<Vec<_>>().join("; ");
        let next_allowed = decision.next_allowed_at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
        let blocked_by = decision.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join("; ");
        let name = account.debtor_name.clone().unwrap_or_default();
        let row = |phone: String, phone_type: String| -> Row {
            [
                account.account_ref.clone(),
                name.clone(),
                address.clone().unwrap_or_default(),
                phone,
                phone_type,
                email.clone(),
                local_time.clone(),
                zone_names.clone(),
                next_allowed.clone(),
                blocked_by.clone(),
            ]
        };
        match kind {
            ListKind::Call => {
                for phone in contacts.phones.iter().filter(|p| p.is_valid && !p.do_not_call) {
                    if let Some(e164) = &phone.e164 {
                        rows.push(row(e164.clone(), phone.phone_type.clone()));
                    }
                }
            }
            ListKind::Mailing => {
                if contacts.address.as_ref().is_some_and(|a| a.is_valid) {
                    let callable: Vec<_> = contacts.phones.iter().filter(|p| p.is_valid && !p.do_not_call && p.e164.is_some()).collect();
                    let phones = callable.iter().filter_map(|p| p.e164.clone()).collect::<Vec<_>>().join("; ");
                    let types = callable.iter().map(|p| p.phone_type.clone()).collect::<Vec<_>>().join("; ");
                    rows.push(row(phones, types));
                }
            }
        }
    }
    (rows, blocked_accounts)
}

fn distinct_zones(zones: Vec<Tz>) -> Vec<Tz> {
    let mut distinct = Vec::new();
    for zone in zones {
        if !distinct.contains(&zone) {
            distinct.push(zone);
        }
    }
    distinct
}

/// Prefixes text that a spreadsheet would run as a formula with an
/// apostrophe. A phone in E.164 form is kept as it is: a plus sign and
/// digits can only read as a number, and diallers need the plus sign.
pub fn spreadsheet_safe(text: &str) -> String {
    let is_e164 = text.strip_prefix('+').is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()));
    if !is_e164 && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn write_csv(kind: ListKind, rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(kind.header())?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| spreadsheet_safe(cell)))?;
    }
    Ok(writer.into_inner()?)
}

/// Writes every cell as a string, so no cell is read as a formula or a number.
fn write_xlsx(kind: ListKind, rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};

    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let wrap = CellFormat::new().set_text_wrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name(kind.as_str())?;
    for (column, title) in kind.header().iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let line = index as u32 + 1;
        for (column, cell) in row.iter().enumerate() {
            sheet.write_string_with_format(line, column as u16, cell, &wrap)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+2", "'+1+2"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("+12175550143", "+12175550143"),
            ("Ana Smith", "Ana Smith"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), expected, "{cell:?}");
        }
    }
}
