//! Applies post-dated cheques once their date has come in the creditor's time zone.

use std::time::Duration;

use crate::postgres::PgPool;
use crate::services::payments;

const EVERY: Duration = Duration::from_secs(60);

pub async fn run(pool: PgPool) {
    loop {
        let pool = pool.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| anyhow::anyhow!(e))?;
            payments::release_due_cheques(&mut conn, 500).map_err(|e| anyhow::anyhow!("{e}"))
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(count)) => tracing::info!(count, "applied post-dated cheques"),
            Ok(Err(error)) => tracing::error!(error.cause = %error, "applying post-dated cheques failed"),
            Err(error) => tracing::error!(error.cause = %error, "the post-dated cheque job panicked"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
