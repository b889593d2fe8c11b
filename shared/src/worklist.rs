//! The prioritised worklist: the scoring weights, its items with the reasons
//! for their place, and bulk reassignment.
//!
//! The server computes the score in SQL from the weights below, so this is
//! the one place to change them.
//!
//! NOTE: stored scores keep the old weights until they expire at the next
//! local midnight. A release that changes a weight should also ship a
//! migration that sets `accounts.worklist_scored_until` to `-infinity`. Every part counts whole days in the
//! creditor's time zone, so an account's score holds for one local day; the
//! server stores it and recomputes it when an input changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::ReasonDto;

/// Points for the balance: `BALANCE_POINTS_PER_DECADE` for every power of ten
/// of the balance in major units (1,000.00 gives 3 × 10 = 30), capped at
/// `BALANCE_POINTS_MAX`.
///
/// NOTE: the score reads every balance as having two decimal places, so a
/// JPY balance (no minor unit) scores 20 points less than its value merits.
pub const BALANCE_POINTS_PER_DECADE: i32 = 10;
pub const BALANCE_POINTS_MAX: i32 = 50;
/// Points for days past due: one point per `DPD_DAYS_PER_POINT` days, capped
/// at `DPD_POINTS_MAX` (reached at 360 days).
pub const DPD_DAYS_PER_POINT: i32 = 12;
pub const DPD_POINTS_MAX: i32 = 30;
/// Points for each broken promise in the last `BROKEN_PROMISE_LOOKBACK_DAYS`
/// days, capped at `BROKEN_PROMISE_POINTS_MAX`: a broken promise calls for a
/// follow-up.
pub const BROKEN_PROMISE_POINTS: i32 = 10;
pub const BROKEN_PROMISE_POINTS_MAX: i32 = 30;
pub const BROKEN_PROMISE_LOOKBACK_DAYS: i32 = 90;
/// Points for each local day since the day of the last call in either
/// direction, capped at `SINCE_CONTACT_POINTS_MAX`. An account with no call
/// in the last `CONTACT_LOOKBACK_DAYS` days gets the maximum.
pub const SINCE_CONTACT_POINTS_PER_DAY: i32 = 1;
pub const SINCE_CONTACT_POINTS_MAX: i32 = 30;
pub const CONTACT_LOOKBACK_DAYS: i32 = 90;
/// Points taken off for each outbound attempt in the last
/// `RECENT_ATTEMPT_DAYS` local days (today included), capped at
/// `RECENT_ATTEMPT_POINTS_MAX`, so effort spreads over the accounts not
/// tried lately.
pub const RECENT_ATTEMPT_POINTS: i32 = -5;
pub const RECENT_ATTEMPT_POINTS_MAX: i32 = -25;
pub const RECENT_ATTEMPT_DAYS: i32 = 7;

/// One part of an account's score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreReason {
    /// `balance`, `days_past_due`, `broken_promises`, `since_last_contact` or
    /// `recent_attempts`; or only `not_scored` for an account not yet scored.
    pub code: String,
    pub points: i32,
    /// English explanation with the value, such as "balance USD 1,520.50: +31".
    pub message: String,
}

/// Whether the debtor may be called now, from the contact rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallEligibility {
    pub allowed: bool,
    pub reasons: Vec<ReasonDto>,
    pub next_allowed_at: Option<DateTime<Utc>>,
}

/// One account on the worklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklistItem {
    pub account_id: Uuid,
    pub account_ref: String,
    pub creditor_id: Uuid,
    pub debtor_name: Option<String>,
    pub status: String,
    pub currency: String,
    /// Total balance in minor units.
    pub total_balance: i64,
    pub days_past_due: Option<i32>,
    pub last_call_at: Option<DateTime<Utc>>,
    pub broken_promises: i32,
    pub recent_attempts: i32,
    pub score: i32,
    /// The parts of the score, largest effect first.
    pub score_reasons: Vec<ScoreReason>,
    pub eligibility: CallEligibility,
}

/// How many accounts were left out of the page for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftOutCount {
    /// A contact-rules reason code, such as `cease_requested` or `outside_contact_window`.
    pub code: String,
    pub count: i64,
}

/// A page of the worklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklistPage {
    pub agent_id: Uuid,
    /// The instant the contact rules were checked at.
    pub checked_at: DateTime<Utc>,
    pub items: Vec<WorklistItem>,
    pub next_cursor: Option<String>,
    /// Accounts that cannot be called now and are not in `items`. Holds and
    /// missing numbers are counted over the agent's whole worklist; reasons
    /// that time lifts (window, cap, quiet days) only over the accounts
    /// examined for this page. Empty with `include_blocked=true`.
    pub left_out: Vec<LeftOutCount>,
    pub left_out_total: i64,
}

/// `POST /accounts/assignments`: the accounts, by id or by the account-list
/// filters, and the target agent or team. Exactly one of `account_ids` and
/// `filter`, and exactly one of `agent_id` and `team_id`, must be given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkAssignRequest {
    #[serde(default)]
    pub account_ids: Option<Vec<Uuid>>,
    /// The query parameters of `GET /accounts` (`status`, `dpd`, `creditor_id`,
    /// `assigned_agent_id`, …) as strings.
    #[serde(default)]
    pub filter: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub agent_id: Option<Uuid>,
    /// Assigns round-robin to the team's active agents, in the order of their ids.
    #[serde(default)]
    pub team_id: Option<Uuid>,
}

/// Most accounts one bulk reassignment may move.
pub const BULK_ASSIGN_MAX_ACCOUNTS: usize = 50_000;

/// The outcome of a bulk reassignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkAssignReport {
    /// Accounts the request selected.
    pub selected: i64,
    /// Accounts whose agent changed.
    pub moved: i64,
    /// Accounts already with the target agent.
    pub unchanged: i64,
    /// Accounts moved to each agent.
    pub per_agent: Vec<AgentCount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentCount {
    pub agent_id: Uuid,
    pub accounts: i64,
}

/// A team of agents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamDto {
    pub id: Uuid,
    pub name: String,
    pub member_ids: Vec<Uuid>,
}

/// `POST /teams`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTeamRequest {
    pub name: String,
}

/// `PUT /users/{id}/team`: the team, or null to leave every team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetTeamRequest {
    pub team_id: Option<Uuid>,
}
