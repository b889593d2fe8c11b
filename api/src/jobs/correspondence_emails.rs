//! Sends queued correspondence emails. Generating an email stores its text,
//! opt-out link and audit row first. This job claims due rows. Just before
//! sending each one, it runs the contact rules again under the account's
//! row lock, because the debtor may have opted out or the window closed
//! since, and marks the row `sending` in that transaction. It then sends and
//! records the outcome with an audit row.
//!
//! An email left `sending` by a mailer that stopped is marked failed, never
//! sent twice. A transient SMTP failure, or a failed rules check, is retried
//! with a growing delay. A permanent failure, or the fifth one, marks the
//! email failed with the reason (never the address).

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::contact::Channel;
use uuid::Uuid;

use super::{run_blocking, CorrespondenceWaker};
use crate::error::ApiError;
use crate::mail::{MailError, Mailer, OutgoingMail};
use crate::postgres::PgPool;
use crate::services::audit::{self, AuditEvent};
use crate::services::contact::eligibility::{self, Check};
use crate::services::ledger::lock_accounts;

/// How often the queue is looked at when nothing wakes the job.
const IDLE: Duration = Duration::from_secs(5);
const MAX_ATTEMPTS: i32 = 5;
const BATCH: i64 = 20;

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    account_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    subject: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    body: Option<String>,
    /// Null when the address was deleted, marked invalid or opted out.
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    mentions_legal_action: bool,
}

/// The outcome of one claimed email.
enum Outcome {
    Sent,
    Mail(MailError),
    /// The contact rules block it for good: the reason codes.
    Blocked(Vec<String>),
    /// The contact rules allow it only later.
    Wait(chrono::DateTime<Utc>),
    /// The contact rules could not be checked; retried like a transient SMTP failure.
    CheckFailed,
}

/// `last_error` of an email whose contact rules could not be checked; the
/// cause is in the server log with the email's id.
const CHECK_FAILED: &str = "the contact rules could not be checked; see the server log for this email's id";

pub async fn run(pool: PgPool, mailer: Mailer, waker: CorrespondenceWaker) {
    loop {
        let claim_pool = pool.clone();
        let batch = run_blocking("claiming correspondence emails", move || claim(&claim_pool)).await.unwrap_or_default();
        let idle = batch.is_empty();
        for claimed in batch {
            // The rules are checked for each email just before it is sent,
            // so an opt-out or a closing window since the claim counts.
            let check_pool = pool.clone();
            let checked = run_blocking("checking a correspondence email", move || {
                let outcome = check_and_mark_sending(&check_pool, &claimed);
                Ok((claimed, outcome))
            })
            .await;
            let Some((claimed, checked)) = checked else {
                continue;
            };
            let outcome = match checked {
                Ok(Checked::Send) => send(&mailer, &claimed).await,
                Ok(Checked::Skip(outcome)) => outcome,
                // Another mailer has claimed the row since, and it records the outcome.
                Ok(Checked::LeaseLost) => continue,
                Err(error) => {
                    tracing::error!(
                        account.id = %claimed.account_id,
                        correspondence.id = %claimed.id,
                        error = %format!("{error:#}"),
                        "the contact rules could not be checked for a correspondence email"
                    );
                    Outcome::CheckFailed
                }
            };
            let record_pool = pool.clone();
            run_blocking("recording a correspondence email", move || record(&record_pool, &claimed, outcome)).await;
        }
        if idle {
            tokio::select! {
                _ = waker.0.0.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

async fn send(mailer: &Mailer, claimed: &Claimed) -> Outcome {
    let (Some(to), Some(subject), Some(text_body)) = (claimed.address.clone(), claimed.subject.clone(), claimed.body.clone()) else {
        return Outcome::Blocked(vec!["no_valid_channel".to_string()]);
    };
    match mailer.send(OutgoingMail { to, subject, text_body, attachment: None }).await {
        Ok(_) => Outcome::Sent,
        Err(error) => Outcome::Mail(error),
    }
}

/// The decision of the check before sending.
enum Checked {
    /// The row is marked `sending`; send it now.
    Send,
    /// Do not send: record this outcome.
    Skip(Outcome),
    /// The lease ran out and another mailer claimed the row.
    LeaseLost,
}

/// Gives up on emails whose mailer stopped while sending them: each is
/// marked failed for a person to check, never sent again. Then claims due
/// emails, leasing them for 15 minutes (longer than 20 sends at a 30 s
/// timeout each) so a crashed mailer's queued rows come back by themselves.
fn claim(pool: &PgPool) -> anyhow::Result<Vec<Claimed>> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        diesel::sql_query(
            "WITH stale AS (
                 UPDATE correspondence
                 SET status = 'failed',
                     last_error = 'the mailer stopped while handing this email to the SMTP server, so it may have been sent; check with the debtor before sending it again'
                 WHERE id IN (SELECT id FROM correspondence
                              WHERE status = 'sending' AND next_attempt_at <= now()
                              FOR UPDATE SKIP LOCKED)
                 RETURNING id, creditor_id, account_id, attempts
             )
             INSERT INTO audit_log (creditor_id, actor_user_id, action, entity_type, entity_id, details)
             SELECT creditor_id, NULL, 'correspondence.failed', 'correspondence', id,
                    jsonb_build_object('account_id', account_id, 'attempt', attempts, 'error', 'mailer stopped while sending')
             FROM stale",
        )
        .execute(conn)?;
        Ok::<_, diesel::result::Error>(())
    })?;
    let claimed: Vec<Claimed> = diesel::sql_query(
        "UPDATE correspondence c
         SET attempts = c.attempts + 1, next_attempt_at = now() + interval '15 minutes'
         FROM (SELECT id FROM correspondence
               WHERE status = 'queued' AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
         WHERE c.id = due.id
         RETURNING c.id, c.account_id, c.creditor_id, c.attempts, c.subject, c.body,
                   (SELECT e.address FROM debtor_emails e
                    WHERE e.id = c.email_id AND e.is_valid AND NOT e.opted_out) AS address,
                   (SELECT t.mentions_legal_action FROM template_versions v JOIN templates t ON t.id = v.template_id
                    WHERE v.id = c.template_version_id) AS mentions_legal_action",
    )
    .bind::<BigInt, _>(BATCH)
    .load(&mut conn)?;
    Ok(claimed)
}

/// Runs the contact rules under the account's row lock and, when they allow
/// the email, marks it `sending` in the same transaction, before the SMTP
/// call. The address is read again too, since the debtor may have opted
/// out since the claim.
fn check_and_mark_sending(pool: &PgPool, claimed: &Claimed) -> anyhow::Result<Checked> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let Some(account) = lock_accounts(conn, &[claimed.account_id])?.pop() else {
            return Ok(Checked::Skip(Outcome::Blocked(vec!["account_deleted".to_string()])));
        };
        let check = Check { channel: Channel::Email, at: Utc::now(), phone_e164: None, mentions_legal_action: claimed.mentions_legal_action };
        let decision = eligibility::decide(conn, &account, &check).map_err(ApiError::into_cause)?;
        match (decision.allowed, decision.next_allowed_at) {
            (true, _) => {}
            (false, Some(next)) => return Ok(Checked::Skip(Outcome::Wait(next))),
            (false, None) => {
                return Ok(Checked::Skip(Outcome::Blocked(decision.reasons.iter().map(|r| r.code.as_str().to_string()).collect())))
            }
        }
        #[derive(QueryableByName)]
        struct Deliverable {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            deliverable: bool,
        }
        let marked: Vec<Deliverable> = diesel::sql_query(
            "UPDATE correspondence c SET status = 'sending'
             WHERE c.id = $1 AND c.status = 'queued' AND c.attempts = $2
             RETURNING EXISTS (SELECT 1 FROM debtor_emails e
                               WHERE e.id = c.email_id AND e.is_valid AND NOT e.opted_out) AS deliverable",
        )
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .load(conn)?;
        Ok(match marked.first() {
            None => Checked::LeaseLost,
            Some(row) if !row.deliverable => Checked::Skip(Outcome::Blocked(vec!["no_valid_channel".to_string()])),
            Some(_) => Checked::Send,
        })
    })
}

fn record(pool: &PgPool, claimed: &Claimed, outcome: Outcome) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let now = Utc::now();
    let retry_in = chrono::Duration::minutes(i64::from(claimed.attempts * claimed.attempts));
    let (status, error, next_attempt_at, reasons, action) = match &outcome {
        Outcome::Sent => ("sent", None, now, Vec::new(), "correspondence.sent"),
        Outcome::Mail(error) if error.is_transient() && claimed.attempts < MAX_ATTEMPTS => {
            ("queued", Some(error.to_string()), now + retry_in, Vec::new(), "correspondence.email_deferred")
        }
        Outcome::Mail(error) => ("failed", Some(error.to_string()), now, Vec::new(), "correspondence.failed"),
        Outcome::CheckFailed if claimed.attempts < MAX_ATTEMPTS => {
            ("queued", Some(CHECK_FAILED.to_string()), now + retry_in, Vec::new(), "correspondence.email_deferred")
        }
        Outcome::CheckFailed => ("failed", Some(CHECK_FAILED.to_string()), now, Vec::new(), "correspondence.failed"),
        Outcome::Blocked(codes) => ("blocked", None, now, codes.clone(), "correspondence.blocked"),
        // Waiting for the window is not a failed attempt.
        Outcome::Wait(next) => ("queued", None, *next, Vec::new(), "correspondence.email_deferred"),
    };
    let changed = conn.transaction(|conn| {
        // The row is `sending` when it went to the SMTP server, `queued` otherwise.
        let changed = diesel::sql_query(
            "UPDATE correspondence SET status = $2, last_error = $3, next_attempt_at = $4, blocked_reasons = $5,
                    sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END,
                    attempts = CASE WHEN $6 THEN attempts - 1 ELSE attempts END
             WHERE id = $1 AND attempts = $7 AND status IN ('queued', 'sending')",
        )
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(error.as_deref())
        .bind::<Timestamptz, _>(next_attempt_at)
        .bind::<diesel::sql_types::Array<Text>, _>(&reasons)
        .bind::<diesel::sql_types::Bool, _>(matches!(outcome, Outcome::Wait(_)))
        .bind::<Integer, _>(claimed.attempts)
        .execute(conn)?;
        // A row another mailer took over keeps its own record and audit.
        if changed == 0 {
            return Ok::<_, diesel::result::Error>(0);
        }
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(claimed.creditor_id),
                actor_user_id: None,
                action,
                entity_type: "correspondence",
                entity_id: claimed.id,
                details: serde_json::json!({
                    "account_id": claimed.account_id,
                    "attempt": claimed.attempts,
                    "error": error,
                    "reasons": reasons,
                }),
            },
        )?;
        Ok(changed)
    })?;
    if changed == 0 {
        tracing::warn!(account.id = %claimed.account_id, correspondence.id = %claimed.id, "correspondence email taken over by another mailer; outcome not recorded here");
    } else {
        tracing::info!(account.id = %claimed.account_id, correspondence.id = %claimed.id, status, "correspondence email recorded");
    }
    Ok(())
}
