//! The set-based evaluation of plans and promises as of one day, for one
//! creditor (the daily run) or one account (after a payment or reversal).
//!
//! "As of day d" counts payments dated up to and including d and judges
//! only deadlines that ended before d. Payments count towards a plan only
//! if posted after it was made (the balance it was made for already
//! excludes earlier ones): an instalment is missed when d is
//! after its due date plus grace days and it is not paid in full; a promise
//! is judged when d is after its date plus grace days. Payments count
//! towards a promise only if posted after it was taken and dated from the
//! day it was taken to the end of its window.
//!
//! The CTEs that sum payments are MATERIALIZED: inlined, PostgreSQL ran the
//! sum once per instalment instead of once per plan (docs/benchmarks.md).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

/// Which rows one evaluation covers.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Creditor(Uuid),
    Account(Uuid),
}

impl Scope {
    fn column(self) -> &'static str {
        match self {
            Scope::Creditor(_) => "creditor_id",
            Scope::Account(_) => "account_id",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Scope::Creditor(id) | Scope::Account(id) => id,
        }
    }
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    changed: i64,
    #[diesel(sql_type = BigInt)]
    tasks: i64,
}

/// Marks instalments of active plans paid, partly paid or missed, and raises a
/// task for each newly missed one. Only deadlines before `judge_before` are
/// judged (the daily run passes the day itself). Returns (instalments
/// changed, tasks created).
pub fn instalments(conn: &mut PgConnection, scope: Scope, as_of: NaiveDate, judge_before: NaiveDate) -> QueryResult<(u64, u64)> {
    let sql = format!(
        "WITH active AS MATERIALIZED (
             SELECT pl.id, pl.grace_days,
                    coalesce((SELECT sum(pp.amount) FROM payment_parts pp JOIN payments p ON p.id = pp.payment_id
                              WHERE pp.account_id = pl.account_id AND p.status = 'posted' AND p.posted_at >= pl.created_at
                                AND coalesce(p.held_until, p.received_on) BETWEEN pl.counts_from AND $2), 0)::bigint AS paid
             FROM plans pl
             WHERE pl.{column} = $1 AND pl.status IN ('on_track', 'in_arrears') AND pl.counts_from <= $2
         ),
         running AS (
             SELECT i.id, i.amount, a.paid, ($3 > i.due_on + a.grace_days) AS late,
                    sum(i.amount) OVER (PARTITION BY i.plan_id ORDER BY i.number) - i.amount AS before
             FROM plan_instalments i JOIN active a ON a.id = i.plan_id
         ),
         judged AS (
             SELECT id, amount, late, least(amount, greatest(0, paid - before)) AS paid_now FROM running
         ),
         target AS (
             SELECT id, paid_now,
                    CASE WHEN paid_now = amount THEN 'paid' WHEN paid_now > 0 THEN 'partially_paid'
                         WHEN late THEN 'missed' ELSE 'pending' END AS status,
                    (late AND paid_now < amount) AS missed
             FROM judged
         ),
         changed AS (
             UPDATE plan_instalments i SET paid = t.paid_now, status = t.status, missed = t.missed
             FROM target t
             WHERE i.id = t.id AND (i.paid <> t.paid_now OR i.status <> t.status OR i.missed <> t.missed)
             RETURNING i.id, i.plan_id, i.creditor_id, i.missed
         ),
         tasks AS (
             INSERT INTO follow_up_tasks (id, creditor_id, account_id, kind, subject_id, raised_on, assigned_to)
             SELECT gen_random_uuid(), c.creditor_id, pl.account_id, 'missed_instalment', c.id, $2, a.assigned_agent_id
             FROM changed c JOIN plans pl ON pl.id = c.plan_id JOIN accounts a ON a.id = pl.account_id
             WHERE c.missed
             ON CONFLICT (kind, subject_id) DO NOTHING
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM changed) AS changed, (SELECT count(*) FROM tasks) AS tasks",
        column = scope.column()
    );
    let counts: Counts = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(scope.id())
        .bind::<Date, _>(as_of)
        .bind::<Date, _>(judge_before)
        .get_result(conn)?;
    Ok((counts.changed as u64, counts.tasks as u64))
}

/// A plan whose status the evaluation changed.
#[derive(QueryableByName, Debug)]
pub struct PlanChange {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub account_id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub status: String,
}

/// Moves active plans between on track, in arrears, broken and completed
/// from their instalments, with an audit row per change and a task per
/// broken plan. Returns the plans whose status changed and the tasks created.
pub fn plans(conn: &mut PgConnection, scope: Scope, as_of: NaiveDate, actor: Option<Uuid>) -> QueryResult<(Vec<PlanChange>, u64)> {
    let sql = format!(
        "WITH totals AS (
             SELECT pl.id, pl.missed_to_break, count(*) FILTER (WHERE i.missed) AS missed,
                    bool_and(i.status = 'paid') AS all_paid, sum(i.paid)::bigint AS paid
             FROM plans pl JOIN plan_instalments i ON i.plan_id = pl.id
             WHERE pl.{column} = $1 AND pl.status IN ('on_track', 'in_arrears') AND pl.counts_from <= $2
             GROUP BY pl.id
         ),
         judged AS (
             SELECT id, missed::integer AS missed, paid,
                    CASE WHEN all_paid THEN 'completed' WHEN missed >= missed_to_break THEN 'broken'
                         WHEN missed > 0 THEN 'in_arrears' ELSE 'on_track' END AS status
             FROM totals
         ),
         before AS (SELECT pl.id, pl.status FROM plans pl JOIN judged j ON j.id = pl.id),
         changed AS (
             UPDATE plans pl SET status = j.status, missed_count = j.missed, paid_to_date = j.paid,
                    closed_on = CASE WHEN j.status IN ('completed', 'broken') THEN $2 END,
                    close_reason = CASE WHEN j.status IN ('completed', 'broken') THEN j.status END
             FROM judged j
             -- Re-checked on the row itself: a plan cancelled while this statement waited stays cancelled.
             WHERE pl.id = j.id AND pl.status IN ('on_track', 'in_arrears')
               AND (pl.status <> j.status OR pl.missed_count <> j.missed OR pl.paid_to_date <> j.paid)
             RETURNING pl.id, pl.creditor_id, pl.account_id, pl.kind, pl.status
         ),
         moved AS (
             SELECT c.*, b.status AS old_status FROM changed c JOIN before b ON b.id = c.id WHERE b.status <> c.status
         ),
         tasks AS (
             INSERT INTO follow_up_tasks (id, creditor_id, account_id, kind, subject_id, raised_on, assigned_to)
             SELECT gen_random_uuid(), m.creditor_id, m.account_id, 'broken_plan', m.id, $2, a.assigned_agent_id
             FROM moved m JOIN accounts a ON a.id = m.account_id
             WHERE m.status = 'broken'
             ON CONFLICT (kind, subject_id) DO NOTHING
             RETURNING 1
         ),
         audit AS (
             INSERT INTO audit_log (creditor_id, actor_user_id, action, entity_type, entity_id, details)
             SELECT creditor_id, $3, 'plan.status_changed', 'plan', id,
                    jsonb_build_object('from', old_status, 'to', status, 'as_of', $2)
             FROM moved
             RETURNING 1
         )
         SELECT id, account_id, kind, status, (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM audit) AS audited
         FROM moved",
        column = scope.column()
    );
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        change: PlanChange,
        #[diesel(sql_type = BigInt)]
        tasks: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(scope.id())
        .bind::<Date, _>(as_of)
        .bind::<Nullable<SqlUuid>, _>(actor)
        .load(conn)?;
    let tasks = rows.first().map_or(0, |r| r.tasks as u64);
    Ok((rows.into_iter().map(|r| r.change).collect(), tasks))
}

/// Resolves promises in `statuses`: kept once the counted payments reach the
/// amount, otherwise partly kept or broken when the window has closed, and
/// open again when a reversal took a kept promise below its amount. Only
/// windows that closed before `judge_before` are judged. Returns (status
/// changes, tasks created).
pub fn promises(
    conn: &mut PgConnection,
    scope: Scope,
    as_of: NaiveDate,
    judge_before: NaiveDate,
    statuses: &[&str],
    actor: Option<Uuid>,
) -> QueryResult<(u64, u64)> {
    let sql = format!(
        "WITH counted AS MATERIALIZED (
             SELECT pm.id, pm.amount, pm.window_ends_on,
                    coalesce((SELECT sum(pp.amount) FROM payment_parts pp JOIN payments p ON p.id = pp.payment_id
                              WHERE pp.account_id = pm.account_id AND p.status = 'posted' AND p.posted_at >= pm.taken_at
                                AND coalesce(p.held_until, p.received_on) BETWEEN pm.taken_on AND least(pm.window_ends_on, $2)),
                             0)::bigint AS paid
             FROM promises pm
             WHERE pm.{column} = $1 AND pm.status = ANY($3) AND pm.taken_on <= $2
         ),
         judged AS (
             SELECT id, paid,
                    CASE WHEN paid >= amount THEN 'kept'
                         WHEN $5 > window_ends_on THEN CASE WHEN paid > 0 THEN 'partially_kept' ELSE 'broken' END
                         ELSE 'open' END AS status
             FROM counted
         ),
         before AS (SELECT pm.id, pm.status FROM promises pm JOIN judged j ON j.id = pm.id),
         changed AS (
             UPDATE promises pm SET status = j.status, paid = j.paid,
                    resolved_on = CASE WHEN j.status = 'open' THEN NULL WHEN j.status = pm.status THEN pm.resolved_on ELSE $2 END
             FROM judged j
             WHERE pm.id = j.id AND pm.status = ANY($3) AND (pm.status <> j.status OR pm.paid <> j.paid)
             RETURNING pm.id, pm.creditor_id, pm.account_id, pm.status
         ),
         moved AS (
             SELECT c.*, b.status AS old_status FROM changed c JOIN before b ON b.id = c.id WHERE b.status <> c.status
         ),
         tasks AS (
             INSERT INTO follow_up_tasks (id, creditor_id, account_id, kind, subject_id, raised_on, assigned_to)
             SELECT gen_random_uuid(), m.creditor_id, m.account_id, 'broken_promise', m.id, $2, a.assigned_agent_id
             FROM moved m JOIN accounts a ON a.id = m.account_id
             WHERE m.status IN ('broken', 'partially_kept')
             ON CONFLICT (kind, subject_id) DO NOTHING
             RETURNING 1
         ),
         audit AS (
             INSERT INTO audit_log (creditor_id, actor_user_id, action, entity_type, entity_id, details)
             SELECT creditor_id, $4, 'promise.status_changed', 'promise', id,
                    jsonb_build_object('from', old_status, 'to', status, 'as_of', $2)
             FROM moved
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM audit) AS changed, (SELECT count(*) FROM tasks) AS tasks",
        column = scope.column()
    );
    let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
    let counts: Counts = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(scope.id())
        .bind::<Date, _>(as_of)
        .bind::<Array<Text>, _>(statuses)
        .bind::<Nullable<SqlUuid>, _>(actor)
        .bind::<Date, _>(judge_before)
        .get_result(conn)?;
    Ok((counts.changed as u64, counts.tasks as u64))
}
