use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use diesel::Connection;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::DatabaseArgs;
use crate::postgres::{self, Database};
use crate::services::imports;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The placement file (CSV).
    pub file: PathBuf,
    /// Import profile name, such as lending_club or standard.
    #[arg(long)]
    pub profile: String,
    /// The creditor's name; created if it does not exist.
    #[arg(long)]
    pub creditor: String,
    /// Print the report as one JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Exits 0 when the file was read to the end (rejected lines included), 1 when it could not be read.
pub fn run(args: ImportArgs) -> anyhow::Result<i32> {
    let metadata = match std::fs::metadata(&args.file) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            eprintln!("error: {} is not a file", args.file.display());
            return Ok(1);
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return Ok(1);
        }
    };
    let database = Database::open(args.database.database_url.as_deref(), &args.database.data_dir)?;
    let mut conn = diesel::PgConnection::establish(&database.url())?;
    postgres::run_migrations(&mut conn)?;

    let file_name = args.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let started = match imports::start(&mut conn, &args.creditor, &args.profile, &file_name, metadata.len(), None) {
        Ok(started) => started,
        Err(error) => {
            eprintln!("error: {}", error.message);
            return Ok(1);
        }
    };

    let bar = ProgressBar::new(metadata.len());
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
            .expect("static template is valid"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let report = imports::execute(&mut conn, &started, &args.file, |read, _| bar.set_position(read));
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("{}", e.message))?;

    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("Import {} of {} for {}", report.id, report.file_name, report.creditor_name);
        println!(
            "  rows {}: imported {}, updated {}, unchanged {}, skipped {}, rejected {}",
            report.rows, report.imported, report.updated, report.unchanged, report.skipped, report.rejected
        );
        for reason in &report.skipped_reasons {
            println!("  skipped {}: {}", reason.count, reason.reason);
        }
        if report.rounded_amounts > 0 {
            println!("  {} amounts had more decimals than the currency and were rounded ({:?})", report.rounded_amounts, report.rounding);
        }
        println!(
            "  of the imported and updated accounts, {} have no debtor name and {} have no valid contact",
            report.missing_name, report.no_valid_contact
        );
        for row in report.rejected_rows.iter().take(50) {
            println!("  line {} [{}] {}: {}", row.line, row.column.as_deref().unwrap_or("-"), row.code, row.message);
        }
        if report.rejected_rows.len() > 50 {
            println!("  … {} more problems; use --json for the full list", report.rejected_rows.len() - 50);
        }
        println!("  {} ms, {} rows per second", report.duration_ms, report.rows_per_second);
    }
    if let Some(failure) = &report.failure {
        eprintln!("error: the file could not be read to the end: {failure}");
        return Ok(1);
    }
    Ok(0)
}
