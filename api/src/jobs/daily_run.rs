//! Runs the daily evaluation of plans and promises on the server's own
//! schedule. Days are claimed in the database, so several servers (and a
//! `recovery-desk run-daily` from cron) never evaluate one day twice.

use std::time::Duration;

use crate::postgres::PgPool;
use crate::services::daily_run;

/// How often the job looks for a creditor whose new day has begun.
const EVERY: Duration = Duration::from_secs(300);

pub async fn run(pool: PgPool) {
    loop {
        let pool = pool.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| anyhow::anyhow!(e))?;
            daily_run::run(&mut conn, None).map_err(|e| anyhow::anyhow!("{e}"))
        })
        .await;
        match result {
            Ok(Ok(report)) => {
                if report.accounts_rescored > 0 {
                    tracing::info!(accounts = report.accounts_rescored, "recomputed worklist scores");
                }
                for day in &report.days {
                    tracing::info!(
                        creditor.id = %day.creditor_id,
                        day = %day.day,
                        instalments = day.instalments_changed,
                        plans = day.plans_changed,
                        promises = day.promises_changed,
                        tasks = day.tasks_created,
                        "evaluated plans and promises"
                    );
                }
            }
            Ok(Err(error)) => tracing::error!(error.cause = %error, "the daily run failed"),
            Err(error) => tracing::error!(error.cause = %error, "the daily run panicked"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
