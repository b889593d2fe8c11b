//! The account timeline: everything that happened on an account, newest first.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most entries `GET /api/v1/accounts/{id}/timeline` returns at once.
pub const TIMELINE_MAX_LIMIT: i64 = 500;

/// One event on the account's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntryDto {
    /// When it happened: a call's start time, otherwise when it was recorded.
    pub at: DateTime<Utc>,
    /// A stable code such as `call.logged`, `promise.taken`,
    /// `promise.status_changed`, `payment.posted`, `plan.created` or
    /// `account.status_changed`.
    pub kind: String,
    /// The kind of record the event is about: `call`, `promise`, `plan`,
    /// `payment`, `account`, `dispute`, `follow_up_task` or `debtor_phone`.
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The user who did it; null for the daily run and imports.
    pub actor_user_id: Option<Uuid>,
    /// One English sentence for the agent. Amounts stay in `details`, so
    /// the web app formats them for the user's locale.
    pub summary: String,
    /// The event's recorded fields, such as `outcome` and `notes` of a call
    /// or `amount` and `currency` of a payment.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// Body of `GET /api/v1/accounts/{id}/timeline`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineDto {
    pub items: Vec<TimelineEntryDto>,
    /// True when older entries exist beyond `limit`.
    pub truncated: bool,
}
