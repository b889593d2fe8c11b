//! The daily monitoring run: for each creditor, every day not yet evaluated
//! up to today in the creditor's time zone (or a given day) is evaluated in
//! its own transaction, oldest first. Inserting the `daily_runs` row claims
//! the day under a per-creditor advisory lock, so any number of servers and
//! command-line runs sharing one database evaluate each day exactly once.

pub mod evaluate;
pub mod ledger_effects;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Nullable, Text, Uuid as SqlUuid};
use shared::plans::{DailyRunDay, DailyRunFailure, DailyRunReport};
use uuid::Uuid;

use evaluate::Scope;

use crate::services::plans::account_status;
use crate::services::worklist::score;

/// First key of the advisory locks the run takes; the second is the creditor's hash.
const LOCK_CLASS: i32 = 0x0da1_1e5;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    FutureDate(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<RunError> for crate::error::ApiError {
    fn from(error: RunError) -> Self {
        match error {
            // Deadlocks and serialization failures keep their own mapping (503, retry).
            RunError::Database(error) => error.into(),
            other => crate::error::ApiError::internal(other),
        }
    }
}

#[derive(QueryableByName)]
struct CreditorDays {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    time_zone: String,
    #[diesel(sql_type = Date)]
    today: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    last: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    earliest: Option<NaiveDate>,
}

/// Evaluates every day not yet evaluated up to `as_of` (default: today in
/// each creditor's time zone). A day after a creditor's today is refused
/// before anything is evaluated.
pub fn run(conn: &mut PgConnection, as_of: Option<NaiveDate>) -> Result<DailyRunReport, RunError> {
    let creditors: Vec<CreditorDays> = diesel::sql_query(
        "SELECT c.id, c.name, c.time_zone, (now() AT TIME ZONE c.time_zone)::date AS today,
                (SELECT max(run_on) FROM daily_runs r WHERE r.creditor_id = c.id) AS last,
                least((SELECT min(counts_from) FROM plans p WHERE p.creditor_id = c.id AND p.status IN ('on_track', 'in_arrears')),
                      (SELECT min(taken_on) FROM promises m WHERE m.creditor_id = c.id AND m.status = 'open')) AS earliest
         FROM creditors c ORDER BY c.id",
    )
    .load(conn)?;
    if let Some(day) = as_of {
        if let Some(c) = creditors.iter().find(|c| day > c.today) {
            return Err(RunError::FutureDate(format!(
                "--as-of {day} is in the future for creditor {} ({}), where today is {} in {}; give a date up to {}",
                c.id, c.name, c.today, c.time_zone, c.today
            )));
        }
    }
    let mut report = DailyRunReport::default();
    for creditor in &creditors {
        let target = as_of.unwrap_or(creditor.today);
        let mut day = match creditor.last {
            Some(last) => last.succ_opt().unwrap_or(last),
            None => creditor.earliest.map_or(target, |e| e.min(target)),
        };
        let mut failed = false;
        while day <= target {
            match evaluate_day(conn, creditor.id, day) {
                Ok(Some(done)) => report.days.push(done),
                Ok(None) => {}
                // One creditor's failure must not hold up the others; its
                // later days wait, because days are evaluated in order.
                Err(error) => {
                    tracing::error!(creditor.id = %creditor.id, day = %day, error.cause = %error, "evaluating a day failed");
                    report.failed.push(DailyRunFailure { creditor_id: creditor.id, day, error: error.to_string() });
                    failed = true;
                    break;
                }
            }
            day = match day.succ_opt() {
                Some(next) => next,
                None => break,
            };
        }
        // Scores count from today, so they are stored only once today's
        // promises are judged. Until then, a worklist request rescores its
        // agent's accounts itself.
        if !failed && target == creditor.today {
            match score::rescore_creditor(conn, creditor.id, Utc::now()) {
                Ok(rescored) => report.accounts_rescored += rescored,
                Err(error) => tracing::error!(creditor.id = %creditor.id, error.cause = %error, "rescoring the worklist failed"),
            }
        }
    }
    Ok(report)
}

/// Evaluates one creditor's day unless another run has already claimed it.
pub fn evaluate_day(conn: &mut PgConnection, creditor_id: Uuid, day: NaiveDate) -> Result<Option<DailyRunDay>, RunError> {
    conn.transaction(|conn| {
        // The day's statements are few and large: JIT compiling them costs more
        // than it saves, and their hash joins need more memory than the default.
        diesel::sql_query("SET LOCAL jit = off").execute(conn)?;
        diesel::sql_query("SET LOCAL work_mem = '64MB'").execute(conn)?;
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))")
            .bind::<diesel::sql_types::Integer, _>(LOCK_CLASS)
            .bind::<SqlUuid, _>(creditor_id)
            .execute(conn)?;
        // A later day already evaluated means this one was too (days go in order).
        let claimed = diesel::sql_query(
            "INSERT INTO daily_runs (creditor_id, run_on)
             SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM daily_runs WHERE creditor_id = $1 AND run_on >= $2)
             ON CONFLICT DO NOTHING",
        )
        .bind::<SqlUuid, _>(creditor_id)
        .bind::<Date, _>(day)
        .execute(conn)?;
        if claimed == 0 {
            return Ok(None);
        }
        // Lock the accounts the day may touch, in id order as payments do, so
        // a payment waits for the day (or the day for it) instead of either
        // overwriting what the other computed, and no lock cycle can form.
        diesel::sql_query(
            "SELECT id FROM accounts
             WHERE id IN (SELECT account_id FROM plans WHERE creditor_id = $1 AND status IN ('on_track', 'in_arrears')
                          UNION SELECT account_id FROM promises WHERE creditor_id = $1 AND status = 'open')
             ORDER BY id FOR UPDATE",
        )
        .bind::<SqlUuid, _>(creditor_id)
        .execute(conn)?;
        let scope = Scope::Creditor(creditor_id);
        let interest = ledger_effects::charge_interest(conn, creditor_id, day)?;
        let (instalments_changed, instalment_tasks) = evaluate::instalments(conn, scope, day, day)?;
        let (plan_changes, plan_tasks) = evaluate::plans(conn, scope, day, None)?;
        follow_changes(conn, creditor_id, &plan_changes, day, None)?;
        let (promises_changed, promise_tasks) = evaluate::promises(conn, scope, day, day, &["open"], None)?;
        let done = DailyRunDay {
            creditor_id,
            day,
            instalments_changed,
            plans_changed: plan_changes.len() as u64,
            promises_changed,
            tasks_created: instalment_tasks + plan_tasks + promise_tasks,
        };
        let details = serde_json::json!({ "interest_charged": interest, "summary": done });
        diesel::sql_query("UPDATE daily_runs SET report = $3, finished_at = now() WHERE creditor_id = $1 AND run_on = $2")
            .bind::<SqlUuid, _>(creditor_id)
            .bind::<Date, _>(day)
            .bind::<diesel::sql_types::Jsonb, _>(details)
            .execute(conn)?;
        Ok(Some(done))
    })
}

/// Re-evaluates one account's plans and promises after a payment, a
/// reversal or an approval changed what counts, with payments up to today
/// in the creditor's time zone. Deadlines are judged only up to the last
/// day the daily run evaluated, so a run that is catching up still finds
/// each deadline on the day it passed. A completed plan that a reversal
/// left short is reopened first. Runs in the caller's transaction, which
/// holds the account's row lock.
pub fn reevaluate_account(conn: &mut PgConnection, account_id: Uuid, today: NaiveDate, actor: Option<Uuid>) -> Result<(), RunError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        creditor_id: Uuid,
        #[diesel(sql_type = Nullable<Date>)]
        last: Option<NaiveDate>,
    }
    let row: Row = diesel::sql_query(
        "SELECT a.creditor_id, (SELECT max(r.run_on) FROM daily_runs r WHERE r.creditor_id = a.creditor_id) AS last
         FROM accounts a WHERE a.id = $1",
    )
    .bind::<SqlUuid, _>(account_id)
    .get_result(conn)?;
    // Before the first run nothing has been judged, so nothing is late yet.
    let never = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    let judge_before = row.last.map_or(never, |last| last.min(today));
    ledger_effects::reopen_short_plans(conn, row.creditor_id, account_id, today, actor)?;
    let scope = Scope::Account(account_id);
    evaluate::instalments(conn, scope, today, judge_before)?;
    let (changes, _) = evaluate::plans(conn, scope, today, actor)?;
    follow_changes(conn, row.creditor_id, &changes, today, actor)?;
    evaluate::promises(conn, scope, today, judge_before, &["open", "kept", "partially_kept"], actor)?;
    Ok(())
}

/// Writes down completed settlements and moves accounts after their plans.
fn follow_changes(
    conn: &mut PgConnection,
    creditor_id: Uuid,
    changes: &[evaluate::PlanChange],
    day: NaiveDate,
    actor: Option<Uuid>,
) -> Result<(), RunError> {
    for change in changes {
        if change.status == "completed" && change.kind == "settlement" {
            ledger_effects::write_down_settlement(conn, creditor_id, change.id, change.account_id, day)?;
        } else {
            account_status::follow_plan(conn, creditor_id, change.account_id, &change.kind, &change.status, actor)?;
        }
    }
    Ok(())
}
