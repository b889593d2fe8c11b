//! Promises to pay: taking one, and listing an account's promises. The
//! daily run and every payment or reversal on the account resolve them
//! (`services::daily_run::evaluate::promises`).

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::plans::{PromiseChannel, PromiseDto, PromiseRequest, PromiseStatus};
use shared::validation::PAYMENT_MAX_MINOR_UNITS;
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::audit::{self, AuditEvent};
use super::plans::{context, create::check_note};
use crate::auth::CurrentUser;
use crate::db::schema::{accounts, promises};
use crate::error::{ApiError, ApiResult};

/// Latest promise date accepted, in days after today.
pub const MAX_PROMISE_DAYS_AHEAD: u64 = 90;
const LIST_LIMIT: i64 = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = promises)]
struct PromiseRow {
    id: Uuid,
    account_id: Uuid,
    amount: i64,
    currency: String,
    promised_on: NaiveDate,
    window_ends_on: NaiveDate,
    channel: String,
    note: Option<String>,
    taken_by: Uuid,
    taken_at: DateTime<Utc>,
    taken_on: NaiveDate,
    status: String,
    paid: i64,
    resolved_on: Option<NaiveDate>,
}

/// `POST /accounts/{id}/promises`.
pub fn create(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &PromiseRequest) -> ApiResult<PromiseDto> {
    let id = conn.transaction(|conn| {
        let ctx = context(conn, user, account_id, true)?;
        ctx.require_collectable("a promise")?;
        let balance = ctx.balance();
        let mut problems = Vec::new();
        let currency = ctx.account.currency.as_str();
        if request.amount <= 0 {
            problems.push(FieldError::new(
                "amount",
                "invalid",
                format!("amount {} is not a positive amount in minor units; send, for example, 5000 for 50.00", request.amount),
            ));
        } else if request.amount > PAYMENT_MAX_MINOR_UNITS {
            problems.push(FieldError::new(
                "amount",
                "too_large",
                format!("amount {} is more than {PAYMENT_MAX_MINOR_UNITS} minor units; check the amount", request.amount),
            ));
        } else if request.amount > balance {
            problems.push(FieldError::new(
                "amount",
                "above_balance",
                format!(
                    "amount {} is more than the balance of {balance} minor units of {currency}; promise at most the balance",
                    request.amount
                ),
            ));
        }
        let latest = ctx.today.checked_add_days(Days::new(MAX_PROMISE_DAYS_AHEAD)).unwrap_or(ctx.today);
        if request.promised_on < ctx.today {
            problems.push(FieldError::new(
                "promised_on",
                "in_past",
                format!("promised_on {} is before today ({}); a promise is for today or a later day", request.promised_on, ctx.today),
            ));
        } else if request.promised_on > latest {
            problems.push(FieldError::new(
                "promised_on",
                "too_far",
                format!("promised_on {} is more than {MAX_PROMISE_DAYS_AHEAD} days ahead; choose a day up to {latest}", request.promised_on),
            ));
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        if balance <= 0 {
            return Err(ApiError::new(ErrorCode::UnprocessableState, "nothing is owed on this account, so there is nothing to promise"));
        }
        let note = check_note(request.note.as_deref(), None)?;
        let window_ends_on = request
            .promised_on
            .checked_add_days(Days::new(u64::from(ctx.policy.grace_days)))
            .unwrap_or(request.promised_on);
        // A new promise replaces the open one: one payment must not keep two promises.
        let superseded: Vec<Uuid> = diesel::update(
            promises::table.filter(promises::account_id.eq(account_id)).filter(promises::status.eq("open")),
        )
        .set((promises::status.eq("cancelled"), promises::resolved_on.eq(ctx.today)))
        .returning(promises::id)
        .get_results(conn)?;
        let id = Uuid::now_v7();
        for old in &superseded {
            audit::record(
                conn,
                AuditEvent {
                    creditor_id: Some(ctx.account.creditor_id),
                    actor_user_id: Some(user.id),
                    action: "promise.superseded",
                    entity_type: "promise",
                    entity_id: *old,
                    details: json!({ "by": id }),
                },
            )?;
        }
        diesel::insert_into(promises::table)
            .values((
                promises::id.eq(id),
                promises::creditor_id.eq(ctx.account.creditor_id),
                promises::account_id.eq(account_id),
                promises::amount.eq(request.amount),
                promises::currency.eq(&ctx.account.currency),
                promises::promised_on.eq(request.promised_on),
                promises::window_ends_on.eq(window_ends_on),
                promises::channel.eq(request.channel.as_str()),
                promises::note.eq(note.as_deref()),
                promises::taken_by.eq(user.id),
                promises::taken_on.eq(ctx.today),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(ctx.account.creditor_id),
                actor_user_id: Some(user.id),
                action: "promise.taken",
                entity_type: "promise",
                entity_id: id,
                details: json!({
                    "account_id": account_id,
                    "amount": request.amount,
                    "promised_on": request.promised_on,
                    "window_ends_on": window_ends_on,
                    "channel": request.channel,
                }),
            },
        )?;
        Ok::<_, ApiError>(id)
    })?;
    let row = promises::table.find(id).select(PromiseRow::as_select()).first(conn)?;
    let account_ref = accounts::table.find(account_id).select(accounts::account_ref).first::<String>(conn)?;
    to_dto(row, account_ref)
}

/// `GET /accounts/{id}/promises`: newest first.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<Vec<PromiseDto>> {
    let ctx = context(conn, user, account_id, false)?;
    promises::table
        .filter(promises::account_id.eq(account_id))
        .order(promises::taken_at.desc())
        .limit(LIST_LIMIT)
        .select(PromiseRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| to_dto(row, ctx.account.account_ref.clone()))
        .collect()
}

fn to_dto(row: PromiseRow, account_ref: String) -> ApiResult<PromiseDto> {
    let bad = |what: &str, value: &str| ApiError::internal(anyhow::anyhow!("promise {} has an unknown {what} '{value}'", row.id));
    Ok(PromiseDto {
        id: row.id,
        account_id: row.account_id,
        account_ref,
        amount: row.amount,
        currency: row.currency.parse::<shared::Currency>().map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?,
        promised_on: row.promised_on,
        window_ends_on: row.window_ends_on,
        channel: PromiseChannel::parse(&row.channel).ok_or_else(|| bad("channel", &row.channel))?,
        note: row.note.clone(),
        taken_by: row.taken_by,
        taken_at: row.taken_at,
        taken_on: row.taken_on,
        status: PromiseStatus::parse(&row.status).ok_or_else(|| bad("status", &row.status))?,
        paid: row.paid,
        resolved_on: row.resolved_on,
    })
}
