//! Repayment plans, settlement offers, promises to pay and follow-up tasks
//! as the API takes and returns them. The creditor's repayment policy and
//! the checks of a proposed plan against it are in [`policy`]; the exact
//! instalment schedule is in [`schedule`]. The web app runs both as a plan
//! is typed and the server runs them again on save.

pub mod policy;
pub mod schedule;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Currency;
use crate::users::Role;

pub use policy::{Finding, FindingCode, RepaymentPolicy, Severity, TermBand};
pub use schedule::{Schedule, ScheduledInstalment};

/// How often instalments fall due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Weekly, Frequency::Fortnightly, Frequency::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Fortnightly => "fortnightly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::Weekly => "Weekly",
            Frequency::Fortnightly => "Every two weeks",
            Frequency::Monthly => "Monthly",
        }
    }

    /// Periods in a year: the nominal annual rate is divided by this.
    pub fn periods_per_year(self) -> u32 {
        match self {
            Frequency::Weekly => 52,
            Frequency::Fortnightly => 26,
            Frequency::Monthly => 12,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// An instalment plan pays the balance; a settlement pays an agreed smaller
/// sum, and the rest is written down when the settlement is completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Instalment,
    Settlement,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Instalment => "instalment",
            PlanKind::Settlement => "settlement",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [PlanKind::Instalment, PlanKind::Settlement].into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a plan stands. `pending_approval` and `on_track`/`in_arrears` are
/// open; the others are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Outside policy or the taker's limit; waits for an approver.
    PendingApproval,
    /// Approval refused.
    Rejected,
    /// Active, nothing missed.
    OnTrack,
    /// Active, with missed instalments, fewer than the number that breaks it.
    InArrears,
    /// Too many missed instalments.
    Broken,
    /// Every instalment paid.
    Completed,
    Cancelled,
    /// Closed because a renegotiated plan replaced it.
    Renegotiated,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 8] = [
        PlanStatus::PendingApproval,
        PlanStatus::Rejected,
        PlanStatus::OnTrack,
        PlanStatus::InArrears,
        PlanStatus::Broken,
        PlanStatus::Completed,
        PlanStatus::Cancelled,
        PlanStatus::Renegotiated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::PendingApproval => "pending_approval",
            PlanStatus::Rejected => "rejected",
            PlanStatus::OnTrack => "on_track",
            PlanStatus::InArrears => "in_arrears",
            PlanStatus::Broken => "broken",
            PlanStatus::Completed => "completed",
            PlanStatus::Cancelled => "cancelled",
            PlanStatus::Renegotiated => "renegotiated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::PendingApproval => "Waiting for approval",
            PlanStatus::Rejected => "Rejected",
            PlanStatus::OnTrack => "On track",
            PlanStatus::InArrears => "In arrears",
            PlanStatus::Broken => "Broken",
            PlanStatus::Completed => "Completed",
            PlanStatus::Cancelled => "Cancelled",
            PlanStatus::Renegotiated => "Renegotiated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        PlanStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the plan is being paid and watched by the daily run.
    pub fn is_active(self) -> bool {
        matches!(self, PlanStatus::OnTrack | PlanStatus::InArrears)
    }

    /// Whether the plan may still be cancelled or renegotiated.
    pub fn is_open(self) -> bool {
        self.is_active() || self == PlanStatus::PendingApproval
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstalmentStatus {
    /// Not yet due, or due and still within the grace days, with nothing paid.
    Pending,
    /// Something paid, not all; `missed` on the instalment says whether its grace has passed.
    PartiallyPaid,
    Paid,
    /// Grace passed with nothing paid.
    Missed,
}

impl InstalmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstalmentStatus::Pending => "pending",
            InstalmentStatus::PartiallyPaid => "partially_paid",
            InstalmentStatus::Paid => "paid",
            InstalmentStatus::Missed => "missed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InstalmentStatus::Pending => "Pending",
            InstalmentStatus::PartiallyPaid => "Partly paid",
            InstalmentStatus::Paid => "Paid",
            InstalmentStatus::Missed => "Missed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [InstalmentStatus::Pending, InstalmentStatus::PartiallyPaid, InstalmentStatus::Paid, InstalmentStatus::Missed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The terms of a proposed plan, as typed in the plan designer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanTerms {
    pub kind: PlanKind,
    pub frequency: Frequency,
    /// Instalment k (1, 2, …) falls due this date plus k periods; a down payment is due on this date.
    pub start_date: NaiveDate,
    /// Number of instalments after the down payment, 1 to [`policy::MAX_INSTALMENTS`].
    pub instalment_count: u32,
    /// Paid on the start date, in minor units; 0 for none.
    #[serde(default)]
    pub down_payment: i64,
    /// For a settlement: the total the debtor pays, down payment included,
    /// in minor units. Must be absent for an instalment plan.
    #[serde(default)]
    pub settlement_amount: Option<i64>,
}

/// Body of `POST /api/v1/plans/preview`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanPreviewRequest {
    pub account_id: Uuid,
    pub terms: PlanTerms,
}

/// Body of `POST /api/v1/accounts/{id}/plans`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    pub terms: PlanTerms,
    /// Why the plan is what it is; required when it needs approval.
    #[serde(default)]
    pub note: Option<String>,
    /// The open plan this one replaces (renegotiation); it is closed as `renegotiated`.
    #[serde(default)]
    pub replaces_plan_id: Option<Uuid>,
}

/// What `POST /api/v1/plans/preview` returns: the schedule, and what the policy says of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanPreview {
    pub account_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    /// The account's balance the plan is measured against, in minor units.
    pub balance: i64,
    pub policy: RepaymentPolicy,
    /// Absent when the terms are invalid (a finding of severity `error` says why).
    pub schedule: Option<Schedule>,
    pub findings: Vec<Finding>,
    /// The least role that may approve the plan; null when it is within the
    /// taker's own limit and would be active at once.
    pub required_approver: Option<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstalmentDto {
    pub id: Uuid,
    /// 0 is the down payment; 1, 2, … the instalments.
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: i64,
    pub principal: i64,
    pub interest: i64,
    /// Paid towards this instalment so far (payments are applied to instalments in due order).
    pub paid: i64,
    pub status: InstalmentStatus,
    /// Whether its grace days have passed without it being paid in full.
    pub missed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub creditor_id: Uuid,
    pub account_ref: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub terms: PlanTerms,
    pub status: PlanStatus,
    /// The account's balance when the plan was made.
    pub balance_at_creation: i64,
    /// What the schedule pays in all, interest included.
    pub total_to_pay: i64,
    pub total_interest: i64,
    /// Balance minus settlement amount; 0 for an instalment plan.
    pub discount: i64,
    /// Nominal annual rate in basis points charged during the plan (0 for none).
    pub annual_rate_bp: u32,
    pub grace_days: u32,
    pub missed_to_break: u32,
    pub findings: Vec<Finding>,
    pub required_approver: Option<Role>,
    pub note: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub replaces_plan_id: Option<Uuid>,
    pub replaced_by_plan_id: Option<Uuid>,
    /// The day the plan reached a final status (creditor's time zone).
    pub closed_on: Option<NaiveDate>,
    /// Why it closed: `completed`, `broken`, `renegotiated`, or the reason given for a cancellation.
    pub close_reason: Option<String>,
    /// Payments counted towards the plan so far, net of reversals.
    pub paid_to_date: i64,
    pub missed_count: u32,
    /// The last day the daily run evaluated this plan for.
    pub evaluated_through: Option<NaiveDate>,
    pub instalments: Vec<InstalmentDto>,
}

/// Body of `POST /api/v1/plans/{id}/decision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanDecisionRequest {
    pub approve: bool,
    /// Required when rejecting.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/plans/{id}/cancellation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanCancellationRequest {
    pub reason: String,
}

/// How a promise to pay was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseChannel {
    Call,
    Letter,
    Email,
    Sms,
    InPerson,
    Web,
}

impl PromiseChannel {
    pub const ALL: [PromiseChannel; 6] = [
        PromiseChannel::Call,
        PromiseChannel::Letter,
        PromiseChannel::Email,
        PromiseChannel::Sms,
        PromiseChannel::InPerson,
        PromiseChannel::Web,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PromiseChannel::Call => "call",
            PromiseChannel::Letter => "letter",
            PromiseChannel::Email => "email",
            PromiseChannel::Sms => "sms",
            PromiseChannel::InPerson => "in_person",
            PromiseChannel::Web => "web",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PromiseChannel::Call => "Call",
            PromiseChannel::Letter => "Letter",
            PromiseChannel::Email => "Email",
            PromiseChannel::Sms => "Text message",
            PromiseChannel::InPerson => "In person",
            PromiseChannel::Web => "Web",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        PromiseChannel::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseStatus {
    /// Its date plus grace has not passed and the payments so far fall short.
    Open,
    Kept,
    /// The window closed with some but not all of the amount paid.
    PartiallyKept,
    /// The window closed with nothing paid.
    Broken,
    Cancelled,
}

impl PromiseStatus {
    pub const ALL: [PromiseStatus; 5] =
        [PromiseStatus::Open, PromiseStatus::Kept, PromiseStatus::PartiallyKept, PromiseStatus::Broken, PromiseStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            PromiseStatus::Open => "open",
            PromiseStatus::Kept => "kept",
            PromiseStatus::PartiallyKept => "partially_kept",
            PromiseStatus::Broken => "broken",
            PromiseStatus::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PromiseStatus::Open => "Open",
            PromiseStatus::Kept => "Kept",
            PromiseStatus::PartiallyKept => "Partly kept",
            PromiseStatus::Broken => "Broken",
            PromiseStatus::Cancelled => "Cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        PromiseStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Body of `POST /api/v1/accounts/{id}/promises`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromiseRequest {
    /// In minor units of the account's currency.
    pub amount: i64,
    /// The day the debtor promised to pay by, in the creditor's time zone.
    pub promised_on: NaiveDate,
    pub channel: PromiseChannel,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromiseDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub account_ref: String,
    pub amount: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub promised_on: NaiveDate,
    /// Payments received on or before this day count.
    pub window_ends_on: NaiveDate,
    pub channel: PromiseChannel,
    pub note: Option<String>,
    pub taken_by: Uuid,
    pub taken_at: DateTime<Utc>,
    /// The day it was taken in the creditor's time zone; payments received from this day count.
    pub taken_on: NaiveDate,
    pub status: PromiseStatus,
    /// Payments counted towards it so far, net of reversals.
    pub paid: i64,
    pub resolved_on: Option<NaiveDate>,
}

/// Why a follow-up task was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    BrokenPromise,
    MissedInstalment,
    BrokenPlan,
    /// The follow-up date an agent set when logging a call.
    CallFollowUp,
}

impl TaskKind {
    pub const ALL: [TaskKind; 4] = [TaskKind::BrokenPromise, TaskKind::MissedInstalment, TaskKind::BrokenPlan, TaskKind::CallFollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::BrokenPromise => "broken_promise",
            TaskKind::MissedInstalment => "missed_instalment",
            TaskKind::BrokenPlan => "broken_plan",
            TaskKind::CallFollowUp => "call_follow_up",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskKind::BrokenPromise => "Promise broken",
            TaskKind::MissedInstalment => "Instalment missed",
            TaskKind::BrokenPlan => "Plan broken",
            TaskKind::CallFollowUp => "Follow-up call",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        TaskKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub account_ref: String,
    pub kind: TaskKind,
    /// The promise, instalment, plan or call the task is about.
    pub subject_id: Uuid,
    /// The day the run found the problem, or a call's follow-up day
    /// (creditor's time zone).
    pub raised_on: NaiveDate,
    pub assigned_to: Option<Uuid>,
    pub done: bool,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
}

/// What one call of the daily run did, per creditor and day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyRunReport {
    /// (creditor id, day) pairs evaluated by this call, oldest day first.
    pub days: Vec<DailyRunDay>,
    /// Creditors whose next day failed; their later days wait for the next run.
    pub failed: Vec<DailyRunFailure>,
    /// Worklist scores recomputed after the creditors reached their today.
    #[serde(default)]
    pub accounts_rescored: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyRunFailure {
    pub creditor_id: Uuid,
    pub day: NaiveDate,
    pub error: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyRunDay {
    pub creditor_id: Uuid,
    pub day: NaiveDate,
    pub instalments_changed: u64,
    pub plans_changed: u64,
    pub promises_changed: u64,
    pub tasks_created: u64,
}
