//! Importing bank statements (camt.053, camt.054, MT940) to post debtor
//! payments, and the queue of entries an assistant matches by hand.
//!
//! An import parses the file and stores every entry (`store`). Then it looks
//! at each new entry in a transaction of its own (`settle`). A credit whose
//! payment details name exactly one account is posted as a bank transfer,
//! and a return of a posted credit reverses its payment. The rest waits in
//! `needs_review` or `unmatched_reversal` (`review`). The scoring is in
//! `matching`; docs/bank-statements.md describes the rules and statuses.

pub mod matching;
pub mod read;
pub mod review;
pub mod settle;
pub mod store;

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use shared::bank_statements::{StatementFormat, StatementImportDto};
use shared::users::Role;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::bank_statements::{self as parser, Format, StatementError};
use crate::db::schema::creditors;
use crate::error::{ApiError, ApiResult};

pub use read::{get_import, list_imports};
pub use review::{dismiss_entry, list_entries, match_entry, EntryFilter};

/// The creditor of the statement, as the upload names it.
pub enum CreditorChoice {
    Id(Uuid),
    Name(String),
}

/// Fails with 403 unless the user may read and work the review queue (every role but collector).
pub(crate) fn require_reviewer(user: &CurrentUser, action: &str) -> ApiResult<()> {
    user.require(|role| matches!(role, Role::Admin | Role::Manager | Role::Assistant), action)
}

/// `POST /bank-statements`: parses and stores the file, then matches, posts
/// and reverses entry by entry. Returns the import as `GET /bank-statements/{id}` does.
pub fn import(
    conn: &mut PgConnection,
    user: &CurrentUser,
    creditor: CreditorChoice,
    file_name: &str,
    bytes: &[u8],
) -> ApiResult<StatementImportDto> {
    user.require(Role::may_import, "import bank statements")?;
    let creditor_id = resolve_creditor(conn, creditor)?;
    let parsed = parser::parse(bytes).map_err(parse_error)?;
    let format = match parsed.format {
        Format::Camt053 => StatementFormat::Camt053,
        Format::Camt054 => StatementFormat::Camt054,
        Format::Mt940 => StatementFormat::Mt940,
        Format::Camt052 | Format::Mt942 => {
            return Err(ApiError::invalid_field(
                "file",
                "the file is an intraday report (camt.052 or MT942), whose entries come again in the day's statement; import the camt.053, camt.054 or MT940 statement instead",
            ));
        }
    };
    if parsed.statements.is_empty() {
        return Err(ApiError::invalid_field("file", "the file contains no statement; upload a camt.053, camt.054 or MT940 statement"));
    }

    let sha256: [u8; 32] = Sha256::digest(bytes).into();
    if let Some(conflict) = store::already_imported(conn, creditor_id, &sha256)? {
        return Err(conflict);
    }
    let upload = store::UploadedFile { creditor_id, uploaded_by: user.id, file_name, size: bytes.len(), sha256, format, parsed: &parsed };
    let stored = match store::store(conn, &upload) {
        Ok(stored) => stored,
        Err(error) => {
            // A concurrent upload of the same file won the unique key.
            if let Some(conflict) = store::already_imported(conn, creditor_id, &sha256)? {
                return Err(conflict);
            }
            return Err(error);
        }
    };

    let mut failed = 0;
    for entry_id in &stored.to_settle {
        if let Err(error) = settle::settle(conn, user, *entry_id) {
            // The transaction rolled back, so the entry keeps the status it was
            // stored with (needs_review or unmatched_reversal) and waits in the queue.
            failed += 1;
            tracing::error!(import.id = %stored.import_id, entry.id = %entry_id, error = %error, "bank statement entry could not be matched");
        }
    }
    let dto = read::load_import(conn, stored.import_id)?;
    tracing::info!(
        import.id = %stored.import_id,
        creditor.id = %creditor_id,
        format = format.as_str(),
        entries = dto.entry_count,
        repeated = dto.repeated_entry_count,
        unbalanced_statements = dto.unbalanced_statement_count,
        settle_failures = failed,
        "bank statement imported"
    );
    Ok(dto)
}

fn resolve_creditor(conn: &mut PgConnection, choice: CreditorChoice) -> ApiResult<Uuid> {
    match choice {
        CreditorChoice::Id(id) => creditors::table
            .find(id)
            .select(creditors::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::invalid_field("creditor_id", format!("no creditor has the id {id}; see GET /api/v1/creditors"))),
        CreditorChoice::Name(name) => {
            let name = name.trim();
            creditors::table
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("lower(name) = lower(").bind::<diesel::sql_types::Text, _>(name).sql(")"))
                .select(creditors::id)
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "creditor",
                        "no creditor has this name; import the creditor's placement file first, or send creditor_id from GET /api/v1/creditors",
                    )
                })
        }
    }
}

/// 400 naming the line or element at fault. The start of an unrecognised
/// file is left out of the message, because it may be personal data.
fn parse_error(error: StatementError) -> ApiError {
    let message = match error {
        StatementError::UnrecognizedFormat { .. } => {
            "the file is not a bank statement: expected camt.053/camt.054 XML or MT940 text with a :20: field at the start of a line"
                .to_string()
        }
        other => format!("the file cannot be read: {other}"),
    };
    ApiError::invalid_field("file", message)
}
