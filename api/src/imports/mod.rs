//! Placement imports: read a creditor's file through a profile and write
//! accounts in batches, accounting for every line of the file.
//!
//! Memory stays flat whatever the file's size: lines are read one at a time,
//! written in batches of `writer::BATCH_SIZE`, and duplicates across batches
//! are found through `accounts.last_import_id` rather than an in-memory set.

pub mod columns;
pub mod fields;
pub mod lending_club;
pub mod mapping;
pub mod phone;
pub mod reader;
pub mod row;
pub mod writer;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use diesel::PgConnection;
use sha2::{Digest, Sha256};
use shared::imports::ProfileConfig;
use uuid::Uuid;

use fields::LineTally;
use mapping::{Header, Line, Mapper};
use row::{Rejection, RowOutcome};
use writer::{BatchContext, BatchProgress, PendingRow, BATCH_SIZE};

/// Report figures gathered while reading, beyond the counters kept on the import row.
#[derive(Debug, Default)]
pub struct RunOutcome {
    pub skipped_reasons: BTreeMap<String, u64>,
    pub empty_lines: u64,
    pub rounded_amounts: u64,
    pub missing_name: u64,
    pub no_valid_contact: u64,
    pub invalid_phones: u64,
    pub invalid_emails: u64,
}

/// Reads `path` with `config` and writes its accounts for the import `ctx.import_id`.
/// `on_batch` is called after each committed batch with the bytes read so far.
/// Returns an error when the file cannot be read; the batches committed before stay.
pub fn run(
    conn: &mut PgConnection,
    ctx: &BatchContext,
    config: ProfileConfig,
    path: &Path,
    outcome: &mut RunOutcome,
    mut on_batch: impl FnMut(u64, u64),
) -> anyhow::Result<()> {
    let encoding = reader::Encoding::from_profile(config.encoding.as_deref())?;
    let mut file = reader::open(path, encoding, config.delimiter)?;
    let bytes_total = file.bytes_total;
    let mut pending: Vec<PendingRow> = Vec::with_capacity(BATCH_SIZE);
    let mut progress = new_progress();

    // Blank lines before the header count as skipped lines too.
    let header = loop {
        match file.next_piece()? {
            None => anyhow::bail!("the file is empty; a placement file starts with a header line naming its columns"),
            Some(Ok(reader::Piece::Blank { .. })) => count_blank(&mut progress, outcome),
            Some(Ok(reader::Piece::Record { record, .. })) => break Header::new(&record),
            Some(Err((line, message))) => anyhow::bail!("the header on line {line} cannot be read: {message}"),
        }
    };
    let mapper = Mapper::new(config, &header)?;

    while let Some(piece) = file.next_piece()? {
        match piece {
            Ok(reader::Piece::Blank { .. }) => count_blank(&mut progress, outcome),
            Err((line, message)) => {
                progress.rows += 1;
                progress.mapping_rejections.push((line, Rejection::whole_row("invalid_csv", message)));
            }
            Ok(reader::Piece::Record { first_line: line, record }) => {
                progress.rows += 1;
                if record.iter().all(|field| field.trim().is_empty()) {
                    count_blank_row(&mut progress, outcome);
                } else if let Some(column) = record.iter().position(|field| field.contains('\0')) {
                    let name = header.name(column).unwrap_or("?").to_string();
                    progress.mapping_rejections.push((
                        line,
                        Rejection::at(&name, "invalid_character", "the field contains a NUL character, which text cannot hold; remove it"),
                    ));
                } else if record.len() != header.width {
                    progress.mapping_rejections.push((
                        line,
                        Rejection::whole_row(
                            "wrong_field_count",
                            format!(
                                "the line has {} fields but the header has {}; check for an unquoted delimiter or a missing field",
                                record.len(),
                                header.width
                            ),
                        ),
                    ));
                } else {
                    let mut tally = LineTally::default();
                    match mapper.map(&Line { header: &header, record: &record }, &mut tally) {
                        RowOutcome::Row(row) => {
                            outcome.rounded_amounts += tally.rounded_amounts;
                            outcome.invalid_phones += row.phones.iter().filter(|p| !p.is_valid).count() as u64;
                            outcome.invalid_emails += row.emails.iter().filter(|e| !e.is_valid).count() as u64;
                            let hash = Sha256::digest(serde_json::to_vec(&row)?).to_vec();
                            pending.push(PendingRow { line, row: *row, hash });
                        }
                        RowOutcome::Skip(reason) => {
                            progress.skipped += 1;
                            *outcome.skipped_reasons.entry(reason).or_default() += 1;
                        }
                        RowOutcome::Reject(problems) => {
                            progress.mapping_rejections.extend(problems.into_iter().map(|p| (line, p)));
                        }
                    }
                }
            }
        }

        if pending.len() >= BATCH_SIZE || progress.rows >= 4 * BATCH_SIZE as u64 {
            flush(conn, ctx, &mut pending, &mut progress, &file, outcome)?;
            on_batch(file.bytes_read.load(Ordering::Relaxed), bytes_total);
        }
    }
    flush(conn, ctx, &mut pending, &mut progress, &file, outcome)?;
    on_batch(bytes_total, bytes_total);
    Ok(())
}

const EMPTY_LINE: &str = "empty line";

/// Counts a line with nothing on it.
fn count_blank(progress: &mut BatchProgress, outcome: &mut RunOutcome) {
    progress.rows += 1;
    count_blank_row(progress, outcome);
}

/// Counts a line, already counted in `rows`, whose fields are all empty.
fn count_blank_row(progress: &mut BatchProgress, outcome: &mut RunOutcome) {
    progress.skipped += 1;
    outcome.empty_lines += 1;
    *outcome.skipped_reasons.entry(EMPTY_LINE.to_string()).or_default() += 1;
}

fn new_progress() -> BatchProgress {
    BatchProgress { mapping_rejections: Vec::new(), rows: 0, skipped: 0, bytes_read: 0 }
}

fn flush(
    conn: &mut PgConnection,
    ctx: &BatchContext,
    pending: &mut Vec<PendingRow>,
    progress: &mut BatchProgress,
    file: &reader::OpenedFile,
    outcome: &mut RunOutcome,
) -> anyhow::Result<()> {
    let mut batch_progress = std::mem::replace(progress, new_progress());
    batch_progress.bytes_read = file.bytes_read.load(Ordering::Relaxed);
    let first_line = pending.first().map(|p| p.line).unwrap_or_default();
    let result = writer::apply_batch(conn, ctx, pending, batch_progress).map_err(|error| {
        // The database's own text may quote values from the file, so it goes to the log only.
        tracing::error!(import.id = %ctx.import_id, error = %error, first_line, "failed to write a batch of accounts");
        anyhow::anyhow!(
            "the server failed to write the accounts from line {first_line} on; the lines before were imported, \
             and importing the file again continues from there (the server log has the cause)"
        )
    })?;
    outcome.missing_name += result.missing_name;
    outcome.no_valid_contact += result.no_valid_contact;
    pending.clear();
    Ok(())
}

/// Creates an import id, time-ordered so lists sort by start.
pub fn new_import_id() -> Uuid {
    Uuid::now_v7()
}
