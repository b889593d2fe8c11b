//! Placement imports as a use case: start one, run it, and read its report.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::imports::{ImportReport, ImportStatus, ImportSummary, ReasonCount, RejectedRow};
use shared::money::Rounding;
use uuid::Uuid;

use crate::db::schema::{creditors, import_profiles, import_rejections, imports};
use crate::error::{ApiError, ApiResult};
use crate::imports::writer::BatchContext;
use crate::imports::{self as placement_imports, RunOutcome};
use crate::services::audit::{self, AuditEvent};
use crate::services::{creditors as creditor_service, import_profiles as profile_service};

/// An import ready to run: its row exists with status `running`.
pub struct StartedImport {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub profile: shared::imports::ImportProfileDto,
    pub actor: Option<Uuid>,
}

/// Checks the profile, finds or creates the creditor, and records the import as running.
pub fn start(
    conn: &mut PgConnection,
    creditor_name: &str,
    profile_name: &str,
    file_name: &str,
    bytes_total: u64,
    actor: Option<Uuid>,
) -> ApiResult<StartedImport> {
    let profile = profile_service::find_by_name(conn, profile_name)?;
    let creditor = creditor_service::find_or_create(conn, creditor_name, actor)?;
    let id = placement_imports::new_import_id();
    conn.transaction(|conn| {
        diesel::insert_into(imports::table)
            .values((
                imports::id.eq(id),
                imports::creditor_id.eq(creditor.id),
                imports::profile_id.eq(profile.id),
                imports::file_name.eq(file_name),
                imports::status.eq("running"),
                imports::started_by.eq(actor),
                imports::bytes_total.eq(bytes_total as i64),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor.id),
                actor_user_id: actor,
                action: "import.started",
                entity_type: "import",
                entity_id: id,
                details: serde_json::json!({ "profile": profile.name, "bytes": bytes_total }),
            },
        )
    })?;
    tracing::info!(import.id = %id, creditor.id = %creditor.id, profile = %profile.name, "import started");
    Ok(StartedImport { id, creditor_id: creditor.id, profile, actor })
}

/// The parts of the report that only exist once the run ends, kept in `imports.report`.
#[derive(Serialize, Deserialize, Default)]
struct StoredOutcome {
    empty_lines: u64,
    rounded_amounts: u64,
    missing_name: u64,
    no_valid_contact: u64,
    invalid_phones: u64,
    invalid_emails: u64,
    skipped_reasons: Vec<ReasonCount>,
    duration_ms: u64,
}

/// Runs a started import to its end and returns the report. A file that
/// cannot be read ends the import as `failed` with the reason; batches
/// written before the failure stay.
pub fn execute(
    conn: &mut PgConnection,
    started: &StartedImport,
    path: &Path,
    on_batch: impl FnMut(u64, u64),
) -> ApiResult<ImportReport> {
    let clock = Instant::now();
    let ctx = BatchContext { creditor_id: started.creditor_id, import_id: started.id, actor: started.actor };
    let mut outcome = RunOutcome::default();
    // One import at a time per creditor: two uploads of the same new file would
    // otherwise race to insert the same accounts. The second waits, then finds
    // every line unchanged.
    diesel::sql_query("SELECT pg_advisory_lock(hashtextextended($1::text, 0))")
        .bind::<diesel::sql_types::Text, _>(started.creditor_id.to_string())
        .execute(conn)?;
    let result = placement_imports::run(conn, &ctx, started.profile.config.clone(), path, &mut outcome, on_batch);
    diesel::sql_query("SELECT pg_advisory_unlock(hashtextextended($1::text, 0))")
        .bind::<diesel::sql_types::Text, _>(started.creditor_id.to_string())
        .execute(conn)?;
    let duration_ms = clock.elapsed().as_millis() as u64;

    let stored = StoredOutcome {
        empty_lines: outcome.empty_lines,
        rounded_amounts: outcome.rounded_amounts,
        missing_name: outcome.missing_name,
        no_valid_contact: outcome.no_valid_contact,
        invalid_phones: outcome.invalid_phones,
        invalid_emails: outcome.invalid_emails,
        skipped_reasons: outcome
            .skipped_reasons
            .iter()
            .map(|(reason, count)| ReasonCount { reason: reason.clone(), count: *count })
            .collect(),
        duration_ms,
    };
    let (status, failure) = match &result {
        Ok(()) => ("completed", None),
        Err(e) => ("failed", Some(format!("{e:#}"))),
    };
    conn.transaction(|conn| {
        diesel::update(imports::table.find(started.id))
            .set((
                imports::status.eq(status),
                imports::failure.eq(failure.as_deref()),
                imports::report.eq(serde_json::to_value(&stored).unwrap_or_default()),
                imports::finished_at.eq(Utc::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(started.creditor_id),
                actor_user_id: started.actor,
                action: if failure.is_some() { "import.failed" } else { "import.completed" },
                entity_type: "import",
                entity_id: started.id,
                details: serde_json::json!({ "duration_ms": duration_ms }),
            },
        )
    })?;
    match &failure {
        Some(reason) => tracing::warn!(import.id = %started.id, reason = %reason, "import failed"),
        None => tracing::info!(import.id = %started.id, duration_ms, "import completed"),
    }
    report(conn, started.id)
}

#[derive(Queryable)]
struct ImportRow {
    id: Uuid,
    creditor_id: Uuid,
    creditor_name: String,
    profile: String,
    profile_config: serde_json::Value,
    file_name: String,
    status: String,
    rows: i64,
    imported: i64,
    updated: i64,
    unchanged: i64,
    skipped: i64,
    rejected: i64,
    bytes_read: i64,
    bytes_total: i64,
    report: Option<serde_json::Value>,
    failure: Option<String>,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

fn load_row(conn: &mut PgConnection, id: Uuid) -> ApiResult<ImportRow> {
    imports::table
        .inner_join(creditors::table)
        .inner_join(import_profiles::table)
        .filter(imports::id.eq(id))
        .select((
            imports::id,
            imports::creditor_id,
            creditors::name,
            import_profiles::name,
            import_profiles::config,
            imports::file_name,
            imports::status,
            imports::rows,
            imports::imported,
            imports::updated,
            imports::unchanged,
            imports::skipped,
            imports::rejected,
            imports::bytes_read,
            imports::bytes_total,
            imports::report,
            imports::failure,
            imports::started_at,
            imports::finished_at,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("import"))
}

fn parse_status(status: &str) -> ImportStatus {
    match status {
        "completed" => ImportStatus::Completed,
        "failed" => ImportStatus::Failed,
        _ => ImportStatus::Running,
    }
}

/// Loads the full report: counts, skip reasons and every rejected line in line order.
pub fn report(conn: &mut PgConnection, id: Uuid) -> ApiResult<ImportReport> {
    let row = load_row(conn, id)?;
    let rejected_rows: Vec<(i64, Option<String>, String, String)> = import_rejections::table
        .filter(import_rejections::import_id.eq(id))
        .order((import_rejections::line.asc(), import_rejections::id.asc()))
        .select((import_rejections::line, import_rejections::column_name, import_rejections::code, import_rejections::message))
        .load(conn)?;
    let stored: StoredOutcome = row.report.clone().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let rounding: Rounding = row
        .profile_config
        .get("rounding")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let elapsed_ms = match row.finished_at {
        Some(_) => stored.duration_ms,
        None => (Utc::now() - row.started_at).num_milliseconds().max(0) as u64,
    };
    Ok(ImportReport {
        id: row.id,
        creditor_id: row.creditor_id,
        creditor_name: row.creditor_name,
        profile: row.profile,
        file_name: row.file_name,
        status: parse_status(&row.status),
        rows: row.rows as u64,
        imported: row.imported as u64,
        updated: row.updated as u64,
        unchanged: row.unchanged as u64,
        skipped: row.skipped as u64,
        rejected: row.rejected as u64,
        empty_lines: stored.empty_lines,
        rounded_amounts: stored.rounded_amounts,
        rounding,
        missing_name: stored.missing_name,
        no_valid_contact: stored.no_valid_contact,
        invalid_phones: stored.invalid_phones,
        invalid_emails: stored.invalid_emails,
        skipped_reasons: stored.skipped_reasons,
        rejected_rows: rejected_rows
            .into_iter()
            .map(|(line, column, code, message)| RejectedRow { line: line as u64, column, code, message })
            .collect(),
        failure: row.failure,
        bytes_read: row.bytes_read as u64,
        bytes_total: row.bytes_total as u64,
        started_at: row.started_at,
        finished_at: row.finished_at,
        duration_ms: elapsed_ms,
        rows_per_second: if elapsed_ms == 0 { 0 } else { (row.rows as u64).saturating_mul(1000) / elapsed_ms },
    })
}

/// Imports newest first; `before` is the id of the last import on the previous page.
pub fn list(conn: &mut PgConnection, before: Option<Uuid>, limit: u32) -> ApiResult<(Vec<ImportSummary>, bool)> {
    let mut query = imports::table
        .inner_join(creditors::table)
        .inner_join(import_profiles::table)
        .select((imports::id, creditors::name, import_profiles::name, imports::file_name, imports::status,
                 (imports::rows, imports::imported, imports::updated, imports::unchanged, imports::skipped, imports::rejected),
                 imports::bytes_read, imports::bytes_total, imports::started_at, imports::finished_at))
        .order(imports::id.desc())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(imports::id.lt(before));
    }
    #[allow(clippy::type_complexity)]
    let mut rows: Vec<(Uuid, String, String, String, String, (i64, i64, i64, i64, i64, i64), i64, i64, DateTime<Utc>, Option<DateTime<Utc>>)> =
        query.limit(i64::from(limit) + 1).load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((
        rows.into_iter()
            .map(|(id, creditor_name, profile, file_name, status, counts, bytes_read, bytes_total, started_at, finished_at)| ImportSummary {
                id,
                creditor_name,
                profile,
                file_name,
                status: parse_status(&status),
                rows: counts.0 as u64,
                imported: counts.1 as u64,
                updated: counts.2 as u64,
                unchanged: counts.3 as u64,
                skipped: counts.4 as u64,
                rejected: counts.5 as u64,
                bytes_read: bytes_read as u64,
                bytes_total: bytes_total as u64,
                started_at,
                finished_at,
            })
            .collect(),
        more,
    ))
}

/// Prefixes text that a spreadsheet would run as a formula with an apostrophe.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Renders the report as CSV: a summary block of counts, then one line per problem.
pub fn report_csv(report: &ImportReport) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["section", "line", "column", "code", "message"])?;
    writer.write_record(["status", "", "", &spreadsheet_safe(&format!("{:?}", report.status).to_lowercase()), &spreadsheet_safe(report.failure.as_deref().unwrap_or(""))])?;
    for (name, value) in [
        ("rows", report.rows),
        ("imported", report.imported),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
        ("rejected", report.rejected),
        ("rounded_amounts", report.rounded_amounts),
    ] {
        writer.write_record(["count", "", "", name, &value.to_string()])?;
    }
    for reason in &report.skipped_reasons {
        writer.write_record(["skipped", "", "", &spreadsheet_safe(&reason.reason), &reason.count.to_string()])?;
    }
    for row in &report.rejected_rows {
        writer.write_record([
            "rejected",
            &row.line.to_string(),
            &spreadsheet_safe(row.column.as_deref().unwrap_or("")),
            &row.code,
            &spreadsheet_safe(&row.message),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}
