//! Sends receipts by email. Posting a payment queues one delivery row per
//! valid address; this job claims due rows, draws the PDF from the stored
//! receipt, sends it, and records the outcome on the row. A transient
//! failure is retried later with a growing delay; a permanent one, or the
//! fifth failure, marks the delivery failed with the reason (never the address).

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use super::{run_blocking, MailWaker};
use crate::mail::{Attachment, MailError, Mailer, OutgoingMail};
use crate::postgres::PgPool;
use crate::receipts::format_amount;
use crate::services::audit::{self, AuditEvent};
use crate::services::receipts;

/// How often the queue is looked at when nothing wakes the job.
const IDLE: Duration = Duration::from_secs(5);
const MAX_ATTEMPTS: i32 = 5;
const BATCH: i64 = 20;

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    payment_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

/// A claimed delivery with its message ready to send.
struct Prepared {
    claimed: Claimed,
    mail: Result<OutgoingMail, String>,
}

pub async fn run(pool: PgPool, mailer: Mailer, waker: MailWaker) {
    loop {
        let claim_pool = pool.clone();
        let batch = run_blocking("claiming receipt emails", move || claim_and_prepare(&claim_pool)).await.unwrap_or_default();
        let idle = batch.is_empty();
        for prepared in batch {
            let outcome = match prepared.mail {
                Ok(mail) => mailer.send(mail).await.map(|_| ()).map_err(Failure::Mail),
                Err(reason) => Err(Failure::Unsendable(reason)),
            };
            let record_pool = pool.clone();
            let claimed = prepared.claimed;
            run_blocking("recording a receipt email", move || record(&record_pool, &claimed, outcome)).await;
        }
        if idle {
            tokio::select! {
                _ = waker.0.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

enum Failure {
    Mail(MailError),
    Unsendable(String),
}

/// Claims due deliveries and leases them for 15 minutes, longer than a batch
/// of 20 sends at a 30 s timeout each, so a crashed sender's rows come back
/// by themselves and a slow one's are not sent twice.
fn claim_and_prepare(pool: &PgPool) -> anyhow::Result<Vec<Prepared>> {
    let mut conn = pool.get()?;
    let claimed: Vec<Claimed> = diesel::sql_query(
        "UPDATE receipt_deliveries d
         SET attempts = d.attempts + 1, next_attempt_at = now() + interval '15 minutes', updated_at = now()
         FROM (SELECT id FROM receipt_deliveries
               WHERE status = 'pending' AND channel = 'email' AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
         WHERE d.id = due.id
         RETURNING d.id, d.payment_id, d.creditor_id, d.attempts,
                   (SELECT e.address FROM debtor_emails e WHERE e.id = d.email_id) AS address",
    )
    .bind::<diesel::sql_types::BigInt, _>(BATCH)
    .load(&mut conn)?;
    let mut prepared = Vec::with_capacity(claimed.len());
    for claimed in claimed {
        let mail = prepare(&mut conn, &claimed);
        prepared.push(Prepared { claimed, mail });
    }
    Ok(prepared)
}

fn prepare(conn: &mut PgConnection, claimed: &Claimed) -> Result<OutgoingMail, String> {
    let address = claimed.address.clone().ok_or("the email address was deleted after the payment was posted")?;
    let stored = receipts::load(conn, claimed.payment_id)
        .map_err(|e| format!("the receipt could not be read: {e}"))?
        .ok_or("the payment has no receipt")?;
    let pdf = receipts::render(&stored, false, claimed.payment_id).map_err(|e| e.message)?;
    let content = &stored.content;
    let organisation = content["organisation"].as_str().unwrap_or("Recovery Desk");
    let currency: shared::Currency = content["currency"].as_str().and_then(|c| c.parse().ok()).ok_or("the receipt has no currency")?;
    let amount = format_amount(content["amount"].as_i64().unwrap_or(0), currency.minor_unit_digits(), currency.code());
    Ok(OutgoingMail {
        to: address,
        subject: format!("Receipt {} from {organisation}", stored.receipt_number),
        text_body: format!(
            "Thank you for your payment of {amount} to {organisation}.\n\nYour receipt {} is attached as a PDF file.\n",
            stored.receipt_number
        ),
        attachment: Some(Attachment {
            filename: format!("receipt-{}.pdf", stored.receipt_number),
            content_type: "application/pdf".to_string(),
            bytes: pdf,
        }),
    })
}

fn record(pool: &PgPool, claimed: &Claimed, outcome: Result<(), Failure>) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let (status, error, retry_in_minutes) = match &outcome {
            Ok(()) => ("sent", None, 0),
            Err(Failure::Mail(error)) if error.is_transient() && claimed.attempts < MAX_ATTEMPTS => {
                ("pending", Some(error.to_string()), claimed.attempts * claimed.attempts)
            }
            Err(Failure::Mail(error)) => ("failed", Some(error.to_string()), 0),
            Err(Failure::Unsendable(reason)) => ("failed", Some(reason.clone()), 0),
        };
        diesel::sql_query(
            "UPDATE receipt_deliveries SET status = $2, last_error = $3, updated_at = now(),
                    next_attempt_at = now() + make_interval(mins => $4)
             WHERE id = $1 AND attempts = $5",
        )
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(error.as_deref())
        .bind::<Integer, _>(retry_in_minutes)
        .bind::<Integer, _>(claimed.attempts)
        .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(claimed.creditor_id),
                actor_user_id: None,
                action: match status {
                    "sent" => "receipt.emailed",
                    "pending" => "receipt.email_deferred",
                    _ => "receipt.email_failed",
                },
                entity_type: "payment",
                entity_id: claimed.payment_id,
                details: serde_json::json!({ "delivery_id": claimed.id, "attempt": claimed.attempts, "error": error }),
            },
        )?;
        tracing::info!(payment.id = %claimed.payment_id, delivery.id = %claimed.id, status, "receipt email recorded");
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}
