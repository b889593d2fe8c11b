//! Sends queued correspondence emails. Generating an email stores its text,
//! opt-out link and audit row first; this job claims due rows, runs the
//! contact rules again (the debtor may have opted out or the window closed
//! since), sends, and records the outcome with an audit row. A transient
//! SMTP failure is retried with a growing delay; a permanent one, or the
//! fifth failure, marks the email failed with the reason (never the address).

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::contact::Channel;
use uuid::Uuid;

use super::{run_blocking, CorrespondenceWaker};
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
}

pub async fn run(pool: PgPool, mailer: Mailer, waker: CorrespondenceWaker) {
    loop {
        let claim_pool = pool.clone();
        let batch = run_blocking("claiming correspondence emails", move || claim_and_check(&claim_pool)).await.unwrap_or_default();
        let idle = batch.is_empty();
        for (claimed, checked) in batch {
            let outcome = match checked {
                Some(outcome) => outcome,
                None => send(&mailer, &claimed).await,
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

/// Claims due emails, leasing them for 15 minutes (longer than 20 sends at a
/// 30 s timeout each) so a crashed sender's rows come back by themselves,
/// and runs the contact rules on each. `Some` outcome means: do not send.
// TODO: a crash between the SMTP server accepting an email and `record`
// writing `sent` leaves the row queued, so it is sent again when its lease
// runs out; a `sending` status committed before the send would stop that.
// One row whose rules check fails drops its whole claimed group until the
// lease runs out, and the rules are checked for the whole group before the
// first send, so the last send of a group can follow its check by minutes.
fn claim_and_check(pool: &PgPool) -> anyhow::Result<Vec<(Claimed, Option<Outcome>)>> {
    let mut conn = pool.get()?;
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
    let mut checked = Vec::with_capacity(claimed.len());
    for claimed in claimed {
        let outcome = check_rules(&mut conn, &claimed)?;
        checked.push((claimed, outcome));
    }
    Ok(checked)
}

fn check_rules(conn: &mut PgConnection, claimed: &Claimed) -> anyhow::Result<Option<Outcome>> {
    conn.transaction(|conn| {
        let Some(account) = lock_accounts(conn, &[claimed.account_id])?.pop() else {
            return Ok(Some(Outcome::Blocked(vec!["account_deleted".to_string()])));
        };
        let check = Check { channel: Channel::Email, at: Utc::now(), phone_e164: None, mentions_legal_action: claimed.mentions_legal_action };
        let decision = eligibility::decide(conn, &account, &check).map_err(|error| anyhow::anyhow!("{error}"))?;
        Ok(match (decision.allowed, decision.next_allowed_at) {
            (true, _) => None,
            (false, Some(next)) => Some(Outcome::Wait(next)),
            (false, None) => Some(Outcome::Blocked(decision.reasons.iter().map(|r| r.code.as_str().to_string()).collect())),
        })
    })
}

fn record(pool: &PgPool, claimed: &Claimed, outcome: Outcome) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let now = Utc::now();
    let (status, error, next_attempt_at, reasons, action) = match &outcome {
        Outcome::Sent => ("sent", None, now, Vec::new(), "correspondence.sent"),
        Outcome::Mail(error) if error.is_transient() && claimed.attempts < MAX_ATTEMPTS => {
            let delay = chrono::Duration::minutes(i64::from(claimed.attempts * claimed.attempts));
            ("queued", Some(error.to_string()), now + delay, Vec::new(), "correspondence.email_deferred")
        }
        Outcome::Mail(error) => ("failed", Some(error.to_string()), now, Vec::new(), "correspondence.failed"),
        Outcome::Blocked(codes) => ("blocked", None, now, codes.clone(), "correspondence.blocked"),
        // Waiting for the window is not a failed attempt.
        Outcome::Wait(next) => ("queued", None, *next, Vec::new(), "correspondence.email_deferred"),
    };
    conn.transaction(|conn| {
        diesel::sql_query(
            "UPDATE correspondence SET status = $2, last_error = $3, next_attempt_at = $4, blocked_reasons = $5,
                    sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END,
                    attempts = CASE WHEN $6 THEN attempts - 1 ELSE attempts END
             WHERE id = $1 AND attempts = $7",
        )
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(error.as_deref())
        .bind::<Timestamptz, _>(next_attempt_at)
        .bind::<diesel::sql_types::Array<Text>, _>(&reasons)
        .bind::<diesel::sql_types::Bool, _>(matches!(outcome, Outcome::Wait(_)))
        .bind::<Integer, _>(claimed.attempts)
        .execute(conn)?;
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
        Ok::<_, diesel::result::Error>(())
    })?;
    tracing::info!(account.id = %claimed.account_id, correspondence.id = %claimed.id, status, "correspondence email recorded");
    Ok(())
}
