//! The prioritised worklist of one agent: their open accounts ranked by
//! their stored score, with the accounts the contact rules block now left
//! out and counted.
//!
//! A request first rescores the agent's expired scores (`score::rescore`),
//! then reads the accounts in score order from an index, leaving out those
//! with a hold or no valid phone. The Rust rules engine then runs only on
//! the candidates of the page, in batches, for the reasons that depend on
//! the instant (window, cap, quiet days) and the rest (do not call).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use shared::contact::ReasonDto;
use shared::worklist::{self as weights, CallEligibility, LeftOutCount, ScoreReason, WorklistItem, WorklistPage};
use shared::{FieldError, Money};
use uuid::Uuid;

use super::contact_inputs::{AccountKey, ContactInputs};
use super::score::{self, Scope, WORKED_STATUSES};
use crate::auth::CurrentUser;
use crate::db::schema::users;
use crate::domain::contact_rules::Channel;
use crate::error::{ApiError, ApiResult};
use crate::services::accounts::Query;

/// Most candidates the rules engine examines for one page. When the rules
/// block everyone (at night, say), the page comes back short with a cursor
/// after the last examined account instead of scanning the whole worklist.
pub const MAX_EXAMINED_PER_PAGE: usize = 2_000;

/// A checked worklist request.
pub struct WorklistRequest {
    pub agent_id: Option<Uuid>,
    pub include_blocked: bool,
    /// The instant the contact rules are checked at. Scores are always as
    /// of the current day.
    pub at: DateTime<Utc>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// Position after the previous page: the score and id of its last account.
#[derive(Serialize, Deserialize, Debug, Clone, Copy)]
pub struct Cursor {
    score: i32,
    id: Uuid,
}

pub fn decode_cursor(text: &str) -> Result<Cursor, FieldError> {
    let invalid = || FieldError::new("cursor", "invalid_cursor", "cursor is not one this server issued; start again from the first page");
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

fn encode_cursor(cursor: Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

#[derive(QueryableByName, Debug)]
pub struct RankedRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub creditor_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub debtor_id: Uuid,
    #[diesel(sql_type = Text)]
    pub account_ref: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub debtor_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub total_balance: i64,
    #[diesel(sql_type = Nullable<Integer>)]
    pub days_past_due: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_call_at: Option<DateTime<Utc>>,
    /// The creditor-local day of `last_call_at`.
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub last_call_on: Option<chrono::NaiveDate>,
    #[diesel(sql_type = Integer)]
    pub broken_promises: i32,
    #[diesel(sql_type = Integer)]
    pub recent_attempts: i32,
    #[diesel(sql_type = Integer)]
    pub balance_points: i32,
    #[diesel(sql_type = Integer)]
    pub dpd_points: i32,
    #[diesel(sql_type = Integer)]
    pub promise_points: i32,
    #[diesel(sql_type = Integer)]
    pub contact_points: i32,
    #[diesel(sql_type = Integer)]
    pub attempt_points: i32,
    #[diesel(sql_type = Integer)]
    pub score: i32,
    /// True for an account never scored, because another transaction held
    /// it at every rescore so far; it is listed with a score of 0.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub not_scored: bool,
}

/// Builds the query over one agent's worked accounts in stored-score order,
/// with the parts of each score. The caller appends conditions on `a` and
/// finishes it with `order_ranked`.
pub(crate) fn ranked_query<'a>(agent_id: Uuid) -> Query<'a> {
    Query::new(
        "SELECT a.id, a.creditor_id, a.debtor_id, a.account_ref, d.name AS debtor_name, a.status,
            a.currency::text AS currency, a.total_balance, s.days_past_due, s.last_call_at, s.last_call_on,
            coalesce(s.broken_promises, 0) AS broken_promises, coalesce(s.recent_attempts, 0) AS recent_attempts,
            coalesce(s.balance_points, 0) AS balance_points, coalesce(s.dpd_points, 0) AS dpd_points,
            coalesce(s.promise_points, 0) AS promise_points, coalesce(s.contact_points, 0) AS contact_points,
            coalesce(s.attempt_points, 0) AS attempt_points, a.worklist_score AS score, s.account_id IS NULL AS not_scored
        FROM accounts a
        JOIN debtors d ON d.id = a.debtor_id
        LEFT JOIN worklist_scores s ON s.account_id = a.id
        WHERE a.status IN ",
    )
    .sql(WORKED_STATUSES)
    .sql(" AND a.assigned_agent_id = ")
    .bind::<SqlUuid, _>(agent_id)
}

/// Leaves out accounts that the contact rules block for a call whatever
/// the time: stored holds, the `disputed` status and no valid phone.
pub const NOT_HELD: &str = " AND a.status <> 'disputed' AND NOT a.no_valid_phone AND NOT a.call_held";

/// Continues `ranked_query` after `cursor` and orders it by score.
pub(crate) fn order_ranked(mut query: Query<'_>, cursor: Option<Cursor>, limit: i64) -> Query<'_> {
    if let Some(cursor) = cursor {
        query = query.sql(" AND (a.worklist_score, a.id) < (").bind::<Integer, _>(cursor.score).sql(", ").bind::<SqlUuid, _>(cursor.id).sql(")");
    }
    query.sql(" ORDER BY a.worklist_score DESC, a.id DESC LIMIT ").bind::<BigInt, _>(limit)
}

/// `GET /worklist`.
pub fn worklist(conn: &mut PgConnection, user: &CurrentUser, request: &WorklistRequest) -> ApiResult<WorklistPage> {
    let agent_id = resolve_agent(conn, user, request.agent_id)?;
    // Only the first page rescores, so scores stay put while the agent
    // pages on and no account moves across the cursor.
    let rescored = match request.cursor {
        None => score::rescore(conn, Scope::Agent(agent_id), Utc::now(), i64::MAX)?,
        Some(_) => 0,
    };
    let limit = request.limit as usize;
    let batch = (limit * 2).max(50);
    let mut items = Vec::new();
    let mut cursor = request.cursor;
    let mut examined = 0usize;
    let mut time_blocked: BTreeMap<String, i64> = BTreeMap::new();
    let mut more = false;
    let mut page_blocked = 0i64;

    'batches: loop {
        let mut query = ranked_query(agent_id);
        if !request.include_blocked {
            query = query.sql(NOT_HELD);
        }
        let rows: Vec<RankedRow> = order_ranked(query, cursor, batch as i64).inner.load(conn)?;
        let exhausted = rows.len() < batch;
        let keys: Vec<AccountKey> = rows.iter().map(RankedRow::key).collect();
        let inputs = ContactInputs::load(conn, &keys, request.at)?;

        for (row, key) in rows.into_iter().zip(&keys) {
            if items.len() == limit || examined == MAX_EXAMINED_PER_PAGE {
                more = true;
                break 'batches;
            }
            examined += 1;
            cursor = Some(Cursor { score: row.score, id: row.id });
            let decision = inputs.eligibility(key, Channel::Call, request.at);
            if !decision.allowed && !request.include_blocked {
                page_blocked += 1;
                for reason in &decision.reasons {
                    *time_blocked.entry(reason.code.as_str().to_string()).or_default() += 1;
                }
                continue;
            }
            let eligibility = CallEligibility {
                allowed: decision.allowed,
                reasons: decision.reasons.into_iter().map(|r| ReasonDto { code: r.code.as_str().to_string(), message: r.message }).collect(),
                next_allowed_at: decision.next_allowed_at,
            };
            items.push(row.into_item(eligibility));
        }
        if exhausted {
            break;
        }
    }

    let mut left_out = Vec::new();
    let mut left_out_total = 0;
    if !request.include_blocked {
        let (held, held_total) = held_counts(conn, agent_id)?;
        for (code, count) in held {
            *time_blocked.entry(code).or_default() += count;
        }
        left_out_total = held_total + page_blocked;
        left_out = time_blocked.into_iter().filter(|(_, count)| *count > 0).map(|(code, count)| LeftOutCount { code, count }).collect();
    }
    tracing::debug!(agent.id = %agent_id, rescored, examined, returned = items.len(), "worklist page built");

    Ok(WorklistPage {
        agent_id,
        checked_at: request.at,
        items,
        next_cursor: if more { cursor.map(encode_cursor) } else { None },
        left_out,
        left_out_total,
    })
}

/// Picks whose worklist to show: the caller's own, or, for a manager or
/// administrator, the named agent's.
fn resolve_agent(conn: &mut PgConnection, user: &CurrentUser, requested: Option<Uuid>) -> ApiResult<Uuid> {
    let Some(agent_id) = requested.filter(|id| *id != user.id) else {
        return Ok(user.id);
    };
    user.require(shared::users::Role::sees_all_accounts, "see another agent's worklist")?;
    let exists: Option<Uuid> = users::table.find(agent_id).select(users::id).first(conn).optional()?;
    if exists.is_none() {
        return Err(ApiError::invalid_field("agent_id", format!("agent_id {agent_id} names no user; pick an existing user")));
    }
    Ok(agent_id)
}

/// Counts the agent's worked accounts that `NOT_HELD` leaves out, per
/// reason code, and how many accounts that is.
fn held_counts(conn: &mut PgConnection, agent_id: Uuid) -> ApiResult<(Vec<(String, i64)>, i64)> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        cease_requested: i64,
        #[diesel(sql_type = BigInt)]
        disputed: i64,
        #[diesel(sql_type = BigInt)]
        bankruptcy: i64,
        #[diesel(sql_type = BigInt)]
        deceased: i64,
        #[diesel(sql_type = BigInt)]
        manager_hold: i64,
        #[diesel(sql_type = BigInt)]
        no_valid_channel: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    // Blocked accounts are a small share, read from a partial index.
    let counts: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE h.cease_all OR 'call' = ANY(h.cease_channels)) AS cease_requested,
                count(*) FILTER (WHERE h.disputed OR a.status = 'disputed') AS disputed,
                count(*) FILTER (WHERE h.bankruptcy) AS bankruptcy,
                count(*) FILTER (WHERE h.deceased) AS deceased,
                count(*) FILTER (WHERE h.manager_hold) AS manager_hold,
                count(*) FILTER (WHERE a.no_valid_phone) AS no_valid_channel,
                count(*) AS total
         FROM accounts a LEFT JOIN contact_holds h ON h.account_id = a.id
         WHERE a.assigned_agent_id = $1 AND (a.no_valid_phone OR a.status = 'disputed' OR a.call_held)
           AND a.status IN ('open', 'in_arrangement', 'disputed')",
    )
    .bind::<SqlUuid, _>(agent_id)
    .get_result(conn)?;
    let by_code = vec![
        ("cease_requested".to_string(), counts.cease_requested),
        ("disputed".to_string(), counts.disputed),
        ("bankruptcy".to_string(), counts.bankruptcy),
        ("deceased".to_string(), counts.deceased),
        ("manager_hold".to_string(), counts.manager_hold),
        ("no_valid_channel".to_string(), counts.no_valid_channel),
    ];
    Ok((by_code, counts.total))
}

impl RankedRow {
    pub fn key(&self) -> AccountKey {
        AccountKey { id: self.id, creditor_id: self.creditor_id, debtor_id: self.debtor_id, status: self.status.clone() }
    }

    fn into_item(self, eligibility: CallEligibility) -> WorklistItem {
        let score_reasons = self.score_reasons();
        WorklistItem {
            account_id: self.id,
            account_ref: self.account_ref,
            creditor_id: self.creditor_id,
            debtor_name: self.debtor_name,
            status: self.status,
            currency: self.currency,
            total_balance: self.total_balance,
            days_past_due: self.days_past_due,
            last_call_at: self.last_call_at,
            broken_promises: self.broken_promises,
            recent_attempts: self.recent_attempts,
            score: self.score,
            score_reasons,
            eligibility,
        }
    }

    /// Explains each part of the score, largest effect first.
    fn score_reasons(&self) -> Vec<ScoreReason> {
        if self.not_scored {
            return vec![ScoreReason {
                code: "not_scored".into(),
                points: 0,
                message: "not scored yet, because the account was being changed; the next first page scores it".into(),
            }];
        }
        let balance = match self.currency.trim().parse() {
            Ok(currency) => Money::new(self.total_balance, currency).display(),
            Err(_) => format!("{} {}", self.currency.trim(), self.total_balance),
        };
        let points = |p: i32| if p < 0 { format!("{p}") } else { format!("+{p}") };
        let days_past_due = match self.days_past_due {
            Some(days) => format!("{} days past due: {}", days.max(0), points(self.dpd_points)),
            None => format!("no delinquency date: {}", points(self.dpd_points)),
        };
        let since_contact = match self.last_call_at {
            Some(at) => format!(
                "last call on {}: {}",
                self.last_call_on.unwrap_or_else(|| at.date_naive()).format("%Y-%m-%d"),
                points(self.contact_points)
            ),
            None => format!("no call in the last {} days: {}", weights::CONTACT_LOOKBACK_DAYS, points(self.contact_points)),
        };
        let mut reasons = vec![
            ScoreReason { code: "balance".into(), points: self.balance_points, message: format!("balance {balance}: {}", points(self.balance_points)) },
            ScoreReason { code: "days_past_due".into(), points: self.dpd_points, message: days_past_due },
            ScoreReason {
                code: "broken_promises".into(),
                points: self.promise_points,
                message: format!(
                    "{} broken promises in the last {} days: {}",
                    self.broken_promises,
                    weights::BROKEN_PROMISE_LOOKBACK_DAYS,
                    points(self.promise_points)
                ),
            },
            ScoreReason { code: "since_last_contact".into(), points: self.contact_points, message: since_contact },
            ScoreReason {
                code: "recent_attempts".into(),
                points: self.attempt_points,
                message: format!(
                    "{} outbound calls in the last {} days: {}",
                    self.recent_attempts,
                    weights::RECENT_ATTEMPT_DAYS,
                    points(self.attempt_points)
                ),
            },
        ];
        reasons.sort_by_key(|reason| std::cmp::Reverse(reason.points.abs()));
        reasons
    }
}
