//! Logging calls on an account and listing them.
//!
//! An outbound call is checked against the contact rules at its start time
//! first. A manager or administrator may log a blocked call with an
//! `override_reason`, which is audited. The outcome's effects are written in
//! the same transaction as the call:
//!
//! - `wrong_number` marks the dialled phone invalid;
//! - `dispute_raised` opens a dispute, which sets the `disputed` contact hold.
//!   It does not change the account status, because an active repayment
//!   plan blocks status changes and a dispute on a call must be recorded
//!   either way;
//! - `bankruptcy_reported` and `deceased_reported` set the matching hold on
//!   every account of the debtor with the creditor;
//! - `promise_taken` records the call's promise (`services::promises`);
//! - a `follow_up_on` day raises a `call_follow_up` task for that day,
//!   assigned to the account's agent, or to the caller when nobody is.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::contact::{
    CallDirection, CallDto, CallOutcome, CallPromise, CallRequest, Channel, CALL_NOTES_MAX_CHARS, OVERRIDE_REASON_MAX_CHARS,
};
use shared::plans::{PromiseChannel, PromiseRequest, TaskKind};
use shared::validation::check_free_text;
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::idempotency::{self, IdempotencyKey, Outcome};
use super::super::ledger::LockedAccount;
use super::super::plans::context;
use super::super::promises;
use super::disputes;
use super::eligibility::{self, Check};
use super::holds;
use crate::auth::CurrentUser;
use crate::db::schema::{accounts, calls, debtor_phones, follow_up_tasks};
use crate::error::{ApiError, ApiResult};

const LIST_LIMIT: i64 = 200;
/// How far ahead of the server's clock `started_at` may be, to allow for a
/// client clock that runs a little fast.
const CLOCK_SKEW_SECONDS: i64 = 60;

#[derive(Queryable, Selectable)]
#[diesel(table_name = calls)]
struct CallRow {
    id: Uuid,
    account_id: Uuid,
    phone_id: Option<Uuid>,
    direction: String,
    outcome: String,
    conversation: bool,
    notes: Option<String>,
    follow_up_on: Option<NaiveDate>,
    started_at: DateTime<Utc>,
    logged_by: Uuid,
    override_reason: Option<String>,
    created_at: DateTime<Utc>,
    promise_id: Option<Uuid>,
}

/// The request's checked text fields and start time.
struct CheckedCall {
    notes: Option<String>,
    override_reason: Option<String>,
    started_at: DateTime<Utc>,
}

/// `POST /accounts/{id}/calls`.
///
/// With an `Idempotency-Key` a retry returns the first response instead of
/// logging the call, and its promise, twice. The key is optional because a
/// call moves no money and sends nothing, but clients on poor connections,
/// such as the field app, should send one.
pub fn create(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    request: &CallRequest,
    key: Option<&IdempotencyKey>,
) -> ApiResult<Outcome> {
    let checked = check_request(request, Utc::now())?;
    let outcome = match key {
        Some(key) => {
            let target = format!("POST /accounts/{account_id}/calls");
            idempotency::once(conn, user, key, &target, request, 201, |conn| {
                let call_id = record(conn, user, account_id, request, &checked)?;
                load(conn, call_id)
            })?
        }
        None => {
            let dto = conn.transaction(|conn| {
                let call_id = record(conn, user, account_id, request, &checked)?;
                load(conn, call_id)
            })?;
            Outcome { status: 201, body: serde_json::to_value(&dto).map_err(anyhow::Error::from)?, replayed: false }
        }
    };
    if !outcome.replayed {
        tracing::info!(account.id = %account_id, call.id = %outcome.body["id"].as_str().unwrap_or(""), outcome = request.outcome.as_str(), "call logged");
    }
    Ok(outcome)
}

fn load(conn: &mut PgConnection, call_id: Uuid) -> ApiResult<CallDto> {
    let row = calls::table.find(call_id).select(CallRow::as_select()).first(conn)?;
    to_dto(row)
}

/// Checks the call against the contact rules and stores it with its
/// effects and audit rows in the caller's transaction.
fn record(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &CallRequest, checked: &CheckedCall) -> ApiResult<Uuid> {
    {
        // The row lock serialises calls on one account, so two agents cannot
        // both pass the attempt cap with the same last free attempt.
        let ctx = context(conn, user, account_id, true)?;
        let account = &ctx.account;
        let phone_id = find_phone(conn, account.debtor_id, request)?;

        let mut overridden_codes: Vec<&'static str> = Vec::new();
        if request.direction == CallDirection::Outbound {
            let check = Check {
                channel: Channel::Call,
                at: checked.started_at,
                phone_e164: request.phone_e164.clone(),
                mentions_legal_action: false,
            };
            let decision = eligibility::decide(conn, account, &check)?;
            if !decision.allowed {
                let listed: Vec<String> = decision.reasons.iter().map(|r| format!("{} ({})", r.code, r.message)).collect();
                match checked.override_reason {
                    None => {
                        return Err(ApiError::new(
                            ErrorCode::ContactNotAllowed,
                            format!(
                                "the contact rules do not allow this call at {}: {}. A manager or administrator may log it with override_reason",
                                checked.started_at.to_rfc3339(),
                                listed.join("; ")
                            ),
                        ))
                    }
                    Some(_) if !user.role.sees_all_accounts() => {
                        return Err(ApiError::forbidden(format!(
                            "the {} role may not override the contact rules, which block this call: {}",
                            user.role,
                            listed.join("; ")
                        )))
                    }
                    Some(_) => overridden_codes = decision.reasons.iter().map(|r| r.code.as_str()).collect(),
                }
            }
        }
        let override_reason = if overridden_codes.is_empty() { None } else { checked.override_reason.clone() };
        if let Some(day) = request.follow_up_on {
            // The call's day is the creditor's local day, as task days are.
            let zone = eligibility::creditor_zone(conn, account.creditor_id)?;
            let call_day = checked.started_at.with_timezone(&zone).date_naive();
            if day < call_day {
                return Err(ApiError::validation(vec![FieldError::new(
                    "follow_up_on",
                    "in_past",
                    format!("follow_up_on {day} is before the day of the call ({call_day} in {zone}); choose the call's day or a later one"),
                )]));
            }
        }

        let call_id = Uuid::now_v7();
        let conversation = request.outcome.is_conversation();
        diesel::insert_into(calls::table)
            .values((
                calls::id.eq(call_id),
                calls::creditor_id.eq(account.creditor_id),
                calls::account_id.eq(account_id),
                calls::debtor_id.eq(account.debtor_id),
                calls::phone_id.eq(phone_id),
                calls::direction.eq(request.direction.as_str()),
                calls::outcome.eq(request.outcome.as_str()),
                calls::conversation.eq(conversation),
                calls::notes.eq(checked.notes.as_deref()),
                calls::follow_up_on.eq(request.follow_up_on),
                calls::started_at.eq(checked.started_at),
                calls::logged_by.eq(user.id),
                calls::override_reason.eq(override_reason.as_deref()),
            ))
            .execute(conn)?;
        let event = |action: &'static str, entity_type: &'static str, entity_id: Uuid, details: serde_json::Value| AuditEvent {
            creditor_id: Some(account.creditor_id),
            actor_user_id: Some(user.id),
            action,
            entity_type,
            entity_id,
            details,
        };
        audit::record(
            conn,
            event(
                "call.logged",
                "call",
                call_id,
                json!({
                    "account_id": account_id,
                    "phone_id": phone_id,
                    "direction": request.direction,
                    "outcome": request.outcome,
                    "conversation": conversation,
                    "started_at": checked.started_at,
                }),
            ),
        )?;
        if !overridden_codes.is_empty() {
            // The audit row keeps the manager's reason with the codes it overrode.
            audit::record(
                conn,
                event(
                    "contact.rule_overridden",
                    "call",
                    call_id,
                    json!({ "account_id": account_id, "channel": Channel::Call, "reasons": overridden_codes, "override_reason": override_reason }),
                ),
            )?;
        }

        apply_outcome(conn, user, account.creditor_id, account_id, call_id, request.outcome, phone_id)?;
        if let Some(promise) = &request.promise {
            take_promise(conn, user, account_id, call_id, promise)?;
        }
        if let Some(day) = request.follow_up_on {
            raise_follow_up(conn, user, account, call_id, day)?;
        }
        Ok(call_id)
    }
}

/// `GET /accounts/{id}/calls`: newest first.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<Vec<CallDto>> {
    context(conn, user, account_id, false)?;
    calls::table
        .filter(calls::account_id.eq(account_id))
        .order((calls::started_at.desc(), calls::id.desc()))
        .limit(LIST_LIMIT)
        .select(CallRow::as_select())
        .load(conn)?
        .into_iter()
        .map(to_dto)
        .collect()
}

/// Checks the fields that need no database: text, lengths, the start time
/// and the presence of the number on outbound calls.
fn check_request(request: &CallRequest, now: DateTime<Utc>) -> ApiResult<CheckedCall> {
    let mut problems = Vec::new();

    let notes = check_text("notes", request.notes.as_deref(), CALL_NOTES_MAX_CHARS, &mut problems);
    let override_reason = check_text("override_reason", request.override_reason.as_deref(), OVERRIDE_REASON_MAX_CHARS, &mut problems);

    let started_at = request.started_at.unwrap_or(now);
    if started_at > now + Duration::seconds(CLOCK_SKEW_SECONDS) {
        problems.push(FieldError::new(
            "started_at",
            "in_future",
            format!(
                "started_at {} is in the future; send the time the call started, or leave it out to use the current time",
                started_at.to_rfc3339()
            ),
        ));
    }

    match (&request.promise, request.outcome) {
        (None, CallOutcome::PromiseTaken) => problems.push(FieldError::new(
            "promise",
            "missing",
            "promise is required with the outcome promise_taken; send {\"amount\": minor units, \"promised_on\": \"YYYY-MM-DD\"}",
        )),
        (Some(_), outcome) if outcome != CallOutcome::PromiseTaken => problems.push(FieldError::new(
            "promise",
            "not_allowed",
            format!("promise goes only with the outcome promise_taken, not {}; remove it or change the outcome", outcome.as_str()),
        )),
        _ => {}
    }
    match request.phone_e164.as_deref().map(str::trim) {
        None | Some("") if request.direction == CallDirection::Outbound => problems.push(FieldError::new(
            "phone_e164",
            "missing",
            "phone_e164 is required for an outbound call; send the number dialled in E.164 form, such as +12175550143",
        )),
        Some(number) if !number.is_empty() && !is_e164(number) => problems.push(FieldError::new(
            "phone_e164",
            "invalid",
            "phone_e164 is not in E.164 form; send a plus sign followed by 8 to 15 digits, such as +12175550143",
        )),
        _ => {}
    }

    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    Ok(CheckedCall { notes, override_reason, started_at })
}

/// Trims optional free text, treating blank as absent, and records any problem.
fn check_text(field: &str, text: Option<&str>, max_chars: usize, problems: &mut Vec<FieldError>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    if let Err(problem) = check_free_text(field, text) {
        problems.push(problem);
        return None;
    }
    let count = text.chars().count();
    if count > max_chars {
        problems.push(FieldError::new(
            field,
            "too_long",
            format!("{field} has {count} characters; shorten it to at most {max_chars}"),
        ));
        return None;
    }
    Some(text.to_string())
}

fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|digits| (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0'))
}

/// Finds the debtor's phone record for `phone_e164`. An outbound call must
/// use one of the debtor's numbers; an inbound call from another number is
/// logged without a phone.
fn find_phone(conn: &mut PgConnection, debtor_id: Uuid, request: &CallRequest) -> ApiResult<Option<Uuid>> {
    let Some(number) = request.phone_e164.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let phone_id: Option<Uuid> = debtor_phones::table
        .filter(debtor_phones::debtor_id.eq(debtor_id))
        .filter(debtor_phones::e164.eq(number))
        .order(debtor_phones::created_at.asc())
        .select(debtor_phones::id)
        .first(conn)
        .optional()?;
    if phone_id.is_none() && request.direction == CallDirection::Outbound {
        return Err(ApiError::validation(vec![FieldError::new(
            "phone_e164",
            "unknown_number",
            "phone_e164 is not one of the debtor's numbers; dial a number from the account's contact details",
        )]));
    }
    Ok(phone_id)
}

/// Writes the outcome's effect on the phone or the holds, with its audit row.
fn apply_outcome(
    conn: &mut PgConnection,
    user: &CurrentUser,
    creditor_id: Uuid,
    account_id: Uuid,
    call_id: Uuid,
    outcome: CallOutcome,
    phone_id: Option<Uuid>,
) -> ApiResult<()> {
    if outcome == CallOutcome::WrongNumber {
        if let Some(phone_id) = phone_id {
            mark_phone_invalid(conn, user, creditor_id, account_id, call_id, phone_id)?;
        }
        return Ok(());
    }

    if outcome == CallOutcome::DisputeRaised {
        let account = context(conn, user, account_id, false)?.account;
        disputes::open(conn, user, &account, Some(call_id), None)?;
        return Ok(());
    }
    if !matches!(outcome, CallOutcome::BankruptcyReported | CallOutcome::DeceasedReported) {
        return Ok(());
    }
    // Death and bankruptcy are the debtor's, so every account of theirs with
    // this creditor gets the hold, in id order as accounts are locked.
    let debtor_id: Uuid = accounts::table.find(account_id).select(accounts::debtor_id).first(conn)?;
    let account_ids: Vec<Uuid> = accounts::table
        .filter(accounts::debtor_id.eq(debtor_id))
        .filter(accounts::creditor_id.eq(creditor_id))
        .order(accounts::id.asc())
        .select(accounts::id)
        .load(conn)?;
    for each in account_ids {
        let mut requested = holds::load(conn, each)?;
        match outcome {
            CallOutcome::BankruptcyReported => requested.bankruptcy = true,
            _ => requested.deceased = true,
        }
        let cause = json!({ "source": "call", "call_id": call_id, "call_account_id": account_id, "outcome": outcome });
        holds::store(conn, Some(user.id), creditor_id, each, &requested, cause)?;
    }
    Ok(())
}

/// Records the promise taken on the call through the promises service, which
/// checks it like any other promise, and links it to the call.
fn take_promise(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, call_id: Uuid, promise: &CallPromise) -> ApiResult<()> {
    let request = PromiseRequest { amount: promise.amount, promised_on: promise.promised_on, channel: PromiseChannel::Call, note: None };
    let taken = promises::create(conn, user, account_id, &request).map_err(|error| error.with_field_prefix("promise"))?;
    diesel::update(calls::table.find(call_id)).set(calls::promise_id.eq(taken.id)).execute(conn)?;
    Ok(())
}

/// Raises the `call_follow_up` task for `day`, with its audit row.
fn raise_follow_up(conn: &mut PgConnection, user: &CurrentUser, account: &LockedAccount, call_id: Uuid, day: NaiveDate) -> ApiResult<()> {
    let assigned_to = account.assigned_agent_id.unwrap_or(user.id);
    let task_id = Uuid::now_v7();
    diesel::insert_into(follow_up_tasks::table)
        .values((
            follow_up_tasks::id.eq(task_id),
            follow_up_tasks::creditor_id.eq(account.creditor_id),
            follow_up_tasks::account_id.eq(account.id),
            follow_up_tasks::kind.eq(TaskKind::CallFollowUp.as_str()),
            follow_up_tasks::subject_id.eq(call_id),
            follow_up_tasks::raised_on.eq(day),
            follow_up_tasks::assigned_to.eq(Some(assigned_to)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(account.creditor_id),
            actor_user_id: Some(user.id),
            action: "task.raised",
            entity_type: "follow_up_task",
            entity_id: task_id,
            details: json!({ "account_id": account.id, "kind": TaskKind::CallFollowUp, "call_id": call_id, "raised_on": day, "assigned_to": assigned_to }),
        },
    )?;
    Ok(())
}

fn mark_phone_invalid(
    conn: &mut PgConnection,
    user: &CurrentUser,
    creditor_id: Uuid,
    account_id: Uuid,
    call_id: Uuid,
    phone_id: Uuid,
) -> ApiResult<()> {
    let changed = diesel::update(debtor_phones::table.find(phone_id).filter(debtor_phones::is_valid.eq(true)))
        .set(debtor_phones::is_valid.eq(false))
        .execute(conn)?;
    if changed == 0 {
        return Ok(());
    }
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(creditor_id),
            actor_user_id: Some(user.id),
            action: "debtor_phone.marked_invalid",
            entity_type: "debtor_phone",
            entity_id: phone_id,
            details: json!({ "account_id": account_id, "call_id": call_id, "cause": "wrong_number" }),
        },
    )?;
    // Every account of the debtor shares the phone, so all their contact flags change.
    let debtor_id: Uuid = debtor_phones::table.find(phone_id).select(debtor_phones::debtor_id).first(conn)?;
    let account_ids: Vec<Uuid> = accounts::table.filter(accounts::debtor_id.eq(debtor_id)).select(accounts::id).load(conn)?;
    crate::imports::writer::refresh_contact_flags(conn, &account_ids)?;
    Ok(())
}

fn to_dto(row: CallRow) -> ApiResult<CallDto> {
    let unknown = |what: &str, value: &str| ApiError::internal(anyhow::anyhow!("call {} has an unknown {what} '{value}'", row.id));
    Ok(CallDto {
        id: row.id,
        account_id: row.account_id,
        phone_id: row.phone_id,
        direction: CallDirection::parse(&row.direction).ok_or_else(|| unknown("direction", &row.direction))?,
        outcome: CallOutcome::parse(&row.outcome).ok_or_else(|| unknown("outcome", &row.outcome))?,
        conversation: row.conversation,
        notes: row.notes.clone(),
        follow_up_on: row.follow_up_on,
        started_at: row.started_at,
        logged_by: row.logged_by,
        override_reason: row.override_reason.clone(),
        promise_id: row.promise_id,
        created_at: row.created_at,
    })
}
