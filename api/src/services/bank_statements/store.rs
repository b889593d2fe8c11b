//! Storing a parsed file: the import row, each statement with its balance
//! check, and every entry under its `entry_key`, all in one transaction.
//!
//! The entry key identifies an entry at its bank account across files, so a
//! later statement that repeats an entry stores nothing new for it:
//! - With a bank reference (camt `AcctSvcrRef`, MT940 reference after `//`):
//!   `ref:` + that reference, amount, currency and booking date. The amount
//!   and date are part of the key because some banks reuse a reference.
//! - Without one: `fp:` + the SHA-256 of the entry's dates, amount, currency,
//!   references, counterparty and remittance text.
//!
//! A second entry with the same key within one statement is a different
//! entry (two equal payments on one day), so it gets `#2`, `#3`, … appended.
//! Entries the bank marks pending, information or future get the camt status
//! as a prefix (`pdng:`), so the booked entry that follows later is stored
//! and matched on its own.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::bank_statements::{BalanceCheck, EntryStatus, RepeatedEntry, StatementFormat};
use uuid::Uuid;

use crate::bank_statements::{check_balances, Entry, EntryStatus as BankStatus, Statement, StatementFile};
use crate::db::schema::{bank_statement_entries, bank_statement_imports, bank_statements};
use crate::error::{ApiError, ApiResult};

/// Reason stored on an entry that the import still has to match or check for a return.
pub const NOT_CHECKED_YET: &str =
    "not checked yet: the import stopped before it looked at this entry; match it by hand, reverse its payment by hand, or dismiss it";

/// Ids written by the import transaction.
pub struct StoredFile {
    pub import_id: Uuid,
    /// New entries that matching or reversal handling must look at, in file order.
    pub to_settle: Vec<Uuid>,
}

/// The uploaded file and what it is.
pub struct UploadedFile<'a> {
    pub creditor_id: Uuid,
    pub uploaded_by: Uuid,
    pub file_name: &'a str,
    pub size: usize,
    pub sha256: [u8; 32],
    pub format: StatementFormat,
    pub parsed: &'a StatementFile,
}

/// Inserts the import, its statements and its new entries in one transaction.
/// Fails with the unique violation `bank_statement_imports_file_key` when the
/// same bytes were imported for the creditor before.
pub fn store(conn: &mut PgConnection, file: &UploadedFile<'_>) -> ApiResult<StoredFile> {
    conn.transaction(|conn| {
        let import_id = Uuid::now_v7();
        let entry_count: usize = file.parsed.statements.iter().map(|s| s.entries.len()).sum();
        diesel::insert_into(bank_statement_imports::table)
            .values((
                bank_statement_imports::id.eq(import_id),
                bank_statement_imports::creditor_id.eq(file.creditor_id),
                bank_statement_imports::file_name.eq(clean(file.file_name)),
                bank_statement_imports::file_sha256.eq(file.sha256.as_slice()),
                bank_statement_imports::file_size.eq(file.size as i64),
                bank_statement_imports::format.eq(file.format.as_str()),
                bank_statement_imports::message_id.eq(file.parsed.message_id.as_deref().map(clean)),
                bank_statement_imports::uploaded_by.eq(file.uploaded_by),
                bank_statement_imports::statement_count.eq(count(file.parsed.statements.len())),
                bank_statement_imports::entry_count.eq(count(entry_count)),
                bank_statement_imports::repeated_entry_count.eq(0),
                bank_statement_imports::unbalanced_statement_count.eq(0),
            ))
            .execute(conn)?;

        let mut to_settle = Vec::new();
        let mut repeated = Vec::new();
        let mut unbalanced = 0;
        for (position, statement) in file.parsed.statements.iter().enumerate() {
            let (check, message) = match (&statement.opening_balance, &statement.closing_balance) {
                (Some(_), Some(_)) => match check_balances(statement) {
                    None => (BalanceCheck::Balanced, None),
                    Some(mismatch) => (BalanceCheck::Mismatch, Some(mismatch.to_string())),
                },
                _ => (BalanceCheck::NotChecked, None),
            };
            if check == BalanceCheck::Mismatch {
                unbalanced += 1;
            }
            let statement_id = insert_statement(conn, file, import_id, position, statement, check, message)?;
            let bank_account = normalise_account(&statement.account);
            for (entry, key) in statement.entries.iter().zip(entry_keys(statement)) {
                let (status, reason, settle) = initial_status(entry);
                match insert_entry(conn, file.creditor_id, import_id, statement_id, &bank_account, &key, entry, status, reason)? {
                    Inserted::New(id) => {
                        if settle {
                            to_settle.push(id);
                        }
                    }
                    Inserted::Repeated(entry_id) => {
                        repeated.push(RepeatedEntry { statement: statement.id.clone(), line: entry.line, entry_id })
                    }
                }
            }
        }

        diesel::update(bank_statement_imports::table.find(import_id))
            .set((
                bank_statement_imports::repeated_entry_count.eq(count(repeated.len())),
                bank_statement_imports::unbalanced_statement_count.eq(unbalanced),
                bank_statement_imports::repeated_entries.eq(json!(repeated)),
            ))
            .execute(conn)?;
        Ok(StoredFile { import_id, to_settle })
    })
}

fn insert_statement(
    conn: &mut PgConnection,
    file: &UploadedFile<'_>,
    import_id: Uuid,
    position: usize,
    statement: &Statement,
    check: BalanceCheck,
    message: Option<String>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(bank_statements::table)
        .values((
            bank_statements::id.eq(id),
            bank_statements::creditor_id.eq(file.creditor_id),
            bank_statements::import_id.eq(import_id),
            bank_statements::position.eq(count(position)),
            bank_statements::statement_ref.eq(clean(&statement.id)),
            bank_statements::sequence_number.eq(statement.sequence_number.as_deref().map(clean)),
            bank_statements::line.eq(line(statement.line)),
            bank_statements::bank_account.eq(normalise_account(&statement.account)),
            bank_statements::currency.eq(statement.currency.as_deref()),
            bank_statements::opening_balance.eq(statement.opening_balance.as_ref().map(|b| b.amount_minor)),
            bank_statements::opening_date.eq(statement.opening_balance.as_ref().map(|b| b.date)),
            bank_statements::closing_balance.eq(statement.closing_balance.as_ref().map(|b| b.amount_minor)),
            bank_statements::closing_date.eq(statement.closing_balance.as_ref().map(|b| b.date)),
            bank_statements::balance_check.eq(check.as_str()),
            bank_statements::balance_check_message.eq(message.as_deref().map(clean)),
            bank_statements::entry_count.eq(count(statement.entries.len())),
        ))
        .execute(conn)?;
    Ok(id)
}

enum Inserted {
    New(Uuid),
    /// An earlier import stored an entry with the same key; its id.
    Repeated(Uuid),
}

#[allow(clippy::too_many_arguments)]
fn insert_entry(
    conn: &mut PgConnection,
    creditor_id: Uuid,
    import_id: Uuid,
    statement_id: Uuid,
    bank_account: &str,
    key: &str,
    entry: &Entry,
    status: EntryStatus,
    reason: &str,
) -> ApiResult<Inserted> {
    let texts = EntryTexts::of(entry);
    let inserted: Option<Uuid> = diesel::insert_into(bank_statement_entries::table)
        .values((
            bank_statement_entries::id.eq(Uuid::now_v7()),
            bank_statement_entries::creditor_id.eq(creditor_id),
            bank_statement_entries::import_id.eq(import_id),
            bank_statement_entries::statement_id.eq(statement_id),
            bank_statement_entries::bank_account.eq(bank_account),
            bank_statement_entries::entry_key.eq(key),
            bank_statement_entries::line.eq(line(entry.line)),
            bank_statement_entries::booking_date.eq(entry.booking_date),
            bank_statement_entries::value_date.eq(entry.value_date),
            bank_statement_entries::amount.eq(entry.amount_minor),
            bank_statement_entries::currency.eq(&entry.currency),
            bank_statement_entries::reversal.eq(entry.reversal),
            bank_statement_entries::bank_status.eq(entry.status.as_ref().map(bank_status_code)),
            bank_statement_entries::transaction_count.eq(count(entry.details.len().max(1))),
            bank_statement_entries::bank_reference.eq(texts.bank_reference),
            bank_statement_entries::customer_reference.eq(texts.customer_reference),
            bank_statement_entries::end_to_end_id.eq(texts.end_to_end_id),
            bank_statement_entries::counterparty_name.eq(texts.counterparty_name),
            bank_statement_entries::remittance_info.eq(texts.remittance_info),
            bank_statement_entries::return_reason.eq(texts.return_reason),
            bank_statement_entries::bank_details.eq(json!({
                "mandate_id": texts.mandate_id,
                "creditor_reference": texts.creditor_reference,
                "counterparty_account": texts.counterparty_account,
                "bank_transaction_code": texts.bank_transaction_code,
            })),
            bank_statement_entries::status.eq(status.as_str()),
            bank_statement_entries::match_reason.eq(reason),
        ))
        .on_conflict_do_nothing()
        .returning(bank_statement_entries::id)
        .get_result(conn)
        .optional()?;
    if let Some(id) = inserted {
        return Ok(Inserted::New(id));
    }
    let existing = bank_statement_entries::table
        .filter(bank_statement_entries::creditor_id.eq(creditor_id))
        .filter(bank_statement_entries::bank_account.eq(bank_account))
        .filter(bank_statement_entries::entry_key.eq(key))
        .select(bank_statement_entries::id)
        .first(conn)?;
    Ok(Inserted::Repeated(existing))
}

/// The entry's text fields as stored, without NUL characters. A batch entry
/// (several camt transactions) has no entry-level references, so its first
/// transaction's end-to-end id and the batch's return reason are used.
struct EntryTexts {
    bank_reference: Option<String>,
    customer_reference: Option<String>,
    end_to_end_id: Option<String>,
    mandate_id: Option<String>,
    creditor_reference: Option<String>,
    counterparty_name: Option<String>,
    counterparty_account: Option<String>,
    remittance_info: Option<String>,
    return_reason: Option<String>,
    bank_transaction_code: Option<String>,
}

impl EntryTexts {
    fn of(entry: &Entry) -> Self {
        let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(clean);
        let return_reason = text(&entry.return_reason).or_else(|| entry.details.iter().find_map(|d| text(&d.return_reason)));
        EntryTexts {
            bank_reference: text(&entry.bank_reference),
            customer_reference: text(&entry.customer_reference),
            end_to_end_id: text(&entry.end_to_end_id),
            mandate_id: text(&entry.mandate_id),
            creditor_reference: text(&entry.creditor_reference),
            counterparty_name: text(&entry.counterparty_name),
            counterparty_account: text(&entry.counterparty_account),
            remittance_info: text(&entry.remittance_info),
            return_reason,
            bank_transaction_code: text(&entry.bank_transaction_code),
        }
    }
}

/// The status an entry starts with, its reason, and whether matching or
/// reversal handling must still look at it.
pub fn initial_status(entry: &Entry) -> (EntryStatus, &'static str, bool) {
    if !is_booked(entry) {
        return (
            EntryStatus::NeedsReview,
            "the bank marks this entry as not booked (pending, information or future); it is not posted, and the booked entry in a later statement is matched on its own; dismiss this one",
            false,
        );
    }
    match (entry.amount_minor.signum(), entry.reversal) {
        (1, false) => (EntryStatus::NeedsReview, NOT_CHECKED_YET, true),
        (1, true) => (EntryStatus::IgnoredDebit, "reversal of a debit: money returned to the bank account, not a debtor payment", false),
        (-1, true) => (EntryStatus::UnmatchedReversal, NOT_CHECKED_YET, true),
        // Until the return check runs, a debit waits in the queue, so a failed check hides no return.
        (-1, false) => (EntryStatus::UnmatchedReversal, NOT_CHECKED_YET, true),
        _ => (EntryStatus::IgnoredDebit, "the entry's amount is zero", false),
    }
}

fn is_booked(entry: &Entry) -> bool {
    !matches!(entry.status, Some(BankStatus::Pending | BankStatus::Information | BankStatus::Future))
}

fn bank_status_code(status: &BankStatus) -> String {
    match status {
        BankStatus::Booked => "BOOK".to_string(),
        BankStatus::Pending => "PDNG".to_string(),
        BankStatus::Information => "INFO".to_string(),
        BankStatus::Future => "FUTR".to_string(),
        BankStatus::Other(code) => clean(code),
    }
}

/// Computes the key of each entry of the statement, in entry order (see the module documentation).
pub fn entry_keys(statement: &Statement) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    statement
        .entries
        .iter()
        .map(|entry| {
            let base = base_key(entry);
            let occurrence = seen.entry(base.clone()).or_insert(0);
            *occurrence += 1;
            if *occurrence == 1 {
                base
            } else {
                format!("{base}#{occurrence}")
            }
        })
        .collect()
}

fn base_key(entry: &Entry) -> String {
    let prefix = match &entry.status {
        Some(BankStatus::Pending) => "pdng:",
        Some(BankStatus::Information) => "info:",
        Some(BankStatus::Future) => "futr:",
        _ => "",
    };
    let date = entry.booking_date.or(entry.value_date).map(|d: NaiveDate| d.to_string()).unwrap_or_default();

    if let Some(reference) = entry.bank_reference.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        return format!("{prefix}ref:{}|{}|{}|{date}", clean(reference), entry.amount_minor, entry.currency);
    }

    let mut hasher = Sha256::new();
    let mut field = |value: &str| {
        hasher.update(value.as_bytes());
        hasher.update([0x1f]);
    };
    field(&entry.booking_date.map(|d| d.to_string()).unwrap_or_default());
    field(&entry.value_date.map(|d| d.to_string()).unwrap_or_default());
    field(&entry.amount_minor.to_string());
    field(&entry.currency);
    field(if entry.reversal { "R" } else { "" });
    for value in [
        &entry.customer_reference,
        &entry.end_to_end_id,
        &entry.mandate_id,
        &entry.creditor_reference,
        &entry.remittance_info,
        &entry.counterparty_name,
        &entry.counterparty_account,
        &entry.bank_transaction_code,
        &entry.batch_payment_id,
        &entry.information,
    ] {
        field(value.as_deref().unwrap_or_default());
    }
    for detail in &entry.details {
        field(detail.end_to_end_id.as_deref().unwrap_or_default());
        field(&detail.amount_minor.map(|a| a.to_string()).unwrap_or_default());
    }

    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}fp:{hex}")
}

/// Removes spaces and capitalises the account for the entry key, because
/// IBANs are written in groups of four and in either case.
pub fn normalise_account(account: &str) -> String {
    clean(&account.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase())
}

/// Text without NUL characters, which PostgreSQL cannot store.
fn clean(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn line(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Maps the unique violation of a file imported twice to 409, naming the earlier import.
pub fn already_imported(conn: &mut PgConnection, creditor_id: Uuid, sha256: &[u8]) -> ApiResult<Option<ApiError>> {
    let earlier: Option<(Uuid, chrono::DateTime<chrono::Utc>)> = bank_statement_imports::table
        .filter(bank_statement_imports::creditor_id.eq(creditor_id))
        .filter(bank_statement_imports::file_sha256.eq(sha256))
        .select((bank_statement_imports::id, bank_statement_imports::created_at))
        .first(conn)
        .optional()?;
    Ok(earlier.map(|(id, at)| {
        let message = format!(
            "this file was already imported for this creditor as bank statement import {id} on {}; nothing was posted again",
            at.format("%Y-%m-%d %H:%M UTC")
        );
        let mut error = ApiError::conflict(message.clone());
        error.fields = vec![shared::FieldError::new("file", "already_imported", message)];
        error
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank_statements::parse;

    const MT940: &str = ":20:STMT1\n:25:DE89 3704 0044 0532 0130 00\n:28C:1/1\n:60F:C260101EUR100,00\n\
:61:2601020102C10,00NTRFNONREF//B1\n:86:A-1\n\
:61:2601020102C10,00NTRFNONREF\n:86:same\n\
:61:2601020102C10,00NTRFNONREF\n:86:same\n\
:62F:C260102EUR130,00\n-\n";

    #[test]
    fn keys_use_the_bank_reference_or_a_fingerprint() {
        let file = parse(MT940.as_bytes()).expect("fixture parses");
        let keys = entry_keys(&file.statements[0]);
        assert_eq!(keys[0], "ref:B1|1000|EUR|2026-01-02");
        assert!(keys[1].starts_with("fp:"), "{}", keys[1]);
        assert_eq!(keys[2], format!("{}#2", keys[1]), "an equal entry in one statement is another entry");
    }

    #[test]
    fn accounts_lose_spaces_and_case() {
        assert_eq!(normalise_account("de89 3704 0044"), "DE8937040044");
    }
}
