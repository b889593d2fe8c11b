//! Stored worklist scores: computing them set-based in SQL and keeping them
//! current.
//!
//! An account's score holds for one creditor-local day, because every part
//! that depends on time counts whole local days: days past due, days since
//! the last call, broken promises and outbound attempts over the last days.
//! Calls count even when dated up to a minute ahead of `now`, as the call
//! API allows for clock skew.
//! Database triggers expire a score as soon as an input changes (see the
//! `worklist_scores` migration). `rescore` recomputes expired scores. A
//! worklist request calls it for one agent before reading a page, and the
//! daily run calls it for each creditor in batches after the day's work.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Integer, Timestamptz, Uuid as SqlUuid};
use shared::worklist as weights;
use uuid::Uuid;

/// Statuses worked by calling, as in the partial indexes of the migration.
/// Disputed and on-hold accounts wait for a manager, and the others are closed.
pub(crate) const WORKED_STATUSES: &str = "('open', 'in_arrangement')";

/// Accounts whose expired scores are recomputed together.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Agent(Uuid),
    Creditor(Uuid),
}

/// Maximum accounts one daily-run batch rescores in its own transaction, so
/// payments on those accounts wait on row locks for a short time only.
pub const DAILY_RUN_BATCH: i64 = 5_000;

/// Recomputes at most `limit` expired scores in `scope` as of `now` and
/// returns how many it stored. Accounts locked by another transaction
/// (a payment being posted, say) are skipped and keep their expired score
/// until the next rescore.
pub fn rescore(conn: &mut PgConnection, scope: Scope, now: DateTime<Utc>, limit: i64) -> QueryResult<usize> {
    rescore_query("", scope, now, limit).execute(conn)
}

/// Returns the plan PostgreSQL runs `rescore` with, executed, one line per
/// row, for the benchmark to print.
pub fn explain_rescore(conn: &mut PgConnection, scope: Scope, now: DateTime<Utc>, limit: i64) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let lines: Vec<Line> = rescore_query("EXPLAIN (ANALYZE, BUFFERS) ", scope, now, limit).load(conn)?;
    Ok(lines.into_iter().map(|l| l.line).collect())
}

fn rescore_query(prefix: &str, scope: Scope, now: DateTime<Utc>, limit: i64) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
    let (column, id) = match scope {
        Scope::Agent(id) => ("assigned_agent_id", id),
        Scope::Creditor(id) => ("creditor_id", id),
    };
    // Every local day bound is `date::timestamp AT TIME ZONE zone`, the
    // instant that day starts in the creditor's zone, daylight saving included.
    diesel::sql_query(format!(
        "{prefix}WITH target AS (
            SELECT a.id, a.total_balance, a.delinquent_since, c.time_zone,
                   ($1 AT TIME ZONE c.time_zone)::date AS today
            FROM accounts a JOIN creditors c ON c.id = a.creditor_id
            WHERE a.{column} = $2 AND a.status IN {WORKED_STATUSES} AND a.worklist_scored_until <= $1
            ORDER BY a.id
            LIMIT $3
            FOR NO KEY UPDATE OF a SKIP LOCKED
        ), counts AS (
            SELECT t.id, t.today, t.total_balance, t.today - t.delinquent_since AS days_past_due, rc.last_call_at,
                   ((rc.last_call_at AT TIME ZONE t.time_zone)::date) AS last_call_on,
                   rc.recent_attempts, b.broken_promises,
                   ((t.today + 1)::timestamp AT TIME ZONE t.time_zone) AS scored_until
            FROM target t
            CROSS JOIN LATERAL (
                SELECT max(k.started_at) AS last_call_at,
                       (count(*) FILTER (WHERE k.direction = 'outbound'
                           AND k.started_at >= ((t.today - ($5 - 1))::timestamp AT TIME ZONE t.time_zone)))::int AS recent_attempts
                FROM calls k
                WHERE k.account_id = t.id AND k.started_at >= ((t.today - $4)::timestamp AT TIME ZONE t.time_zone)
            ) rc
            CROSS JOIN LATERAL (
                SELECT count(*)::int AS broken_promises FROM promises p
                WHERE p.account_id = t.id AND p.status = 'broken' AND p.promised_on >= t.today - $6
            ) b
        ), parts AS (
            SELECT n.*,
                   LEAST($7, floor($8 * log(GREATEST(n.total_balance, 100)::numeric / 100))::int) AS balance_points,
                   COALESCE(LEAST($9, GREATEST(0, n.days_past_due) / $10), 0) AS dpd_points,
                   LEAST($11, n.broken_promises * $12) AS promise_points,
                   CASE WHEN n.last_call_at IS NULL THEN $13
                        ELSE LEAST($13, GREATEST(0, n.today - n.last_call_on) * $14) END AS contact_points,
                   GREATEST($15, n.recent_attempts * $16) AS attempt_points
            FROM counts n
        ), saved AS (
            INSERT INTO worklist_scores AS s (account_id, scored_on, days_past_due, last_call_at, last_call_on, broken_promises,
                                              recent_attempts, balance_points, dpd_points, promise_points, contact_points, attempt_points)
            SELECT id, today, days_past_due, last_call_at, last_call_on, broken_promises, recent_attempts,
                   balance_points, dpd_points, promise_points, contact_points, attempt_points
            FROM parts
            ON CONFLICT (account_id) DO UPDATE SET
                scored_on = EXCLUDED.scored_on, days_past_due = EXCLUDED.days_past_due, last_call_at = EXCLUDED.last_call_at,
                last_call_on = EXCLUDED.last_call_on,
                broken_promises = EXCLUDED.broken_promises, recent_attempts = EXCLUDED.recent_attempts,
                balance_points = EXCLUDED.balance_points, dpd_points = EXCLUDED.dpd_points, promise_points = EXCLUDED.promise_points,
                contact_points = EXCLUDED.contact_points, attempt_points = EXCLUDED.attempt_points
        )
        UPDATE accounts a
        SET worklist_score = p.balance_points + p.dpd_points + p.promise_points + p.contact_points + p.attempt_points,
            worklist_scored_until = p.scored_until
        FROM parts p WHERE a.id = p.id"
    ))
    .into_boxed()
    .bind::<Timestamptz, _>(now)
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(limit)
    .bind::<Integer, _>(weights::CONTACT_LOOKBACK_DAYS)
    .bind::<Integer, _>(weights::RECENT_ATTEMPT_DAYS)
    .bind::<Integer, _>(weights::BROKEN_PROMISE_LOOKBACK_DAYS)
    .bind::<Integer, _>(weights::BALANCE_POINTS_MAX)
    .bind::<Integer, _>(weights::BALANCE_POINTS_PER_DECADE)
    .bind::<Integer, _>(weights::DPD_POINTS_MAX)
    .bind::<Integer, _>(weights::DPD_DAYS_PER_POINT)
    .bind::<Integer, _>(weights::BROKEN_PROMISE_POINTS_MAX)
    .bind::<Integer, _>(weights::BROKEN_PROMISE_POINTS)
    .bind::<Integer, _>(weights::SINCE_CONTACT_POINTS_MAX)
    .bind::<Integer, _>(weights::SINCE_CONTACT_POINTS_PER_DAY)
    .bind::<Integer, _>(weights::RECENT_ATTEMPT_POINTS_MAX)
    .bind::<Integer, _>(weights::RECENT_ATTEMPT_POINTS)
}

/// Rescores every expired score of a creditor in batches of
/// `DAILY_RUN_BATCH`, each in its own transaction, and returns how many
/// scores it stored.
pub fn rescore_creditor(conn: &mut PgConnection, creditor_id: Uuid, now: DateTime<Utc>) -> QueryResult<u64> {
    let mut total = 0u64;
    loop {
        let stored = conn.transaction(|conn| rescore(conn, Scope::Creditor(creditor_id), now, DAILY_RUN_BATCH))?;
        total += stored as u64;
        // A short batch means nothing expired is left except rows that
        // other transactions hold; those wait for the next worklist request.
        if (stored as i64) < DAILY_RUN_BATCH {
            return Ok(total);
        }
    }
}
