//! `recovery-desk run-daily`: evaluates plans and promises for every day not
//! yet evaluated, up to today in each creditor's time zone or `--as-of`.

use chrono::NaiveDate;
use clap::Args;

use crate::config::DatabaseArgs;
use crate::postgres::{self, Database};
use crate::services::daily_run::{self, RunError};

#[derive(Args, Debug)]
pub struct RunDailyArgs {
    /// Evaluate up to this day (YYYY-MM-DD) instead of each creditor's today; a future day is refused.
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub fn run(args: RunDailyArgs) -> anyhow::Result<i32> {
    use diesel::Connection;
    let database = Database::open(args.database.database_url.as_deref(), &args.database.data_dir)?;
    let mut conn = diesel::PgConnection::establish(&database.url())?;
    postgres::run_migrations(&mut conn)?;
    match daily_run::run(&mut conn, args.as_of) {
        Ok(report) => {
            if report.days.is_empty() {
                println!("Nothing to evaluate: every creditor's days are evaluated up to the day asked for.");
            }
            for day in &report.days {
                println!(
                    "creditor {} {}: {} instalment(s), {} plan(s) and {} promise(s) changed, {} task(s) raised",
                    day.creditor_id, day.day, day.instalments_changed, day.plans_changed, day.promises_changed, day.tasks_created
                );
            }
            println!("{} worklist score(s) recomputed", report.accounts_rescored);
            for failure in &report.failed {
                eprintln!("creditor {} {}: evaluation failed: {}", failure.creditor_id, failure.day, failure.error);
            }
            Ok(if report.failed.is_empty() { 0 } else { 1 })
        }
        Err(RunError::FutureDate(message)) => {
            eprintln!("{message}");
            Ok(2)
        }
        Err(error) => Err(error.into()),
    }
}
