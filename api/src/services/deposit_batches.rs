//! Deposit batches: a collector gathers the cash and cheques they took into
//! a batch with declared control totals; closing it compares the totals
//! with the payments and records any difference. Each step writes an audit
//! row, so the custody of every payment is traceable from the collector who
//! took it to the deposit it went into.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::deposits::{BatchPaymentDto, BatchStatus, CloseBatchRequest, DepositBatchDto, OpenBatchRequest};
use shared::payments::PaymentMethod;
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::audit::{self, AuditEvent};
use crate::auth::CurrentUser;
use crate::db::schema::{creditors, deposit_batches, payments};
use crate::error::{ApiError, ApiResult};

const DEPOSIT_REFERENCE_MAX_CHARS: usize = 64;
const NOTE_MAX_CHARS: usize = 1000;

pub fn open(conn: &mut PgConnection, user: &CurrentUser, request: &OpenBatchRequest) -> ApiResult<DepositBatchDto> {
    let mut problems = Vec::new();
    if request.control_count < 0 {
        problems.push(FieldError::new("control_count", "invalid", "control_count is negative; count the payments in the batch"));
    }
    if request.control_amount < 0 {
        problems.push(FieldError::new("control_amount", "invalid", "control_amount is negative; give the total in minor units"));
    }
    if request.note.as_deref().is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS) {
        problems.push(FieldError::new("note", "too_long", format!("note is longer than {NOTE_MAX_CHARS} characters; shorten it")));
    }
    if let Some(Err(error)) = request.note.as_deref().map(|note| shared::validation::check_free_text("note", note)) {
        problems.push(error);
    }
    if request.control_amount > shared::validation::PAYMENT_MAX_MINOR_UNITS {
        problems.push(FieldError::new(
            "control_amount",
            "too_large",
            format!("control_amount is above {} minor units; check the total", shared::validation::PAYMENT_MAX_MINOR_UNITS),
        ));
    }
    let creditor_exists: bool =
        diesel::select(diesel::dsl::exists(creditors::table.find(request.creditor_id))).get_result(conn)?;
    if !creditor_exists {
        problems.push(FieldError::new("creditor_id", "not_found", "creditor_id names no creditor; pick one from GET /api/v1/creditors"));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let id = Uuid::now_v7();
    conn.transaction(|conn| {
        diesel::insert_into(deposit_batches::table)
            .values((
                deposit_batches::id.eq(id),
                deposit_batches::creditor_id.eq(request.creditor_id),
                deposit_batches::collector_id.eq(user.id),
                deposit_batches::currency.eq(request.currency.code()),
                deposit_batches::control_count.eq(request.control_count),
                deposit_batches::control_amount.eq(request.control_amount),
                deposit_batches::note.eq(request.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(request.creditor_id),
                actor_user_id: Some(user.id),
                action: "deposit_batch.opened",
                entity_type: "deposit_batch",
                entity_id: id,
                details: json!({ "control_count": request.control_count, "control_amount": request.control_amount, "currency": request.currency.code() }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, user, id)
}

/// Locks the open batch row after checking the user may work on it.
fn lock_open_batch(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<(Uuid, Uuid, String)> {
    let (creditor_id, collector_id, currency, status): (Uuid, Uuid, String, String) = deposit_batches::table
        .find(id)
        .select((deposit_batches::creditor_id, deposit_batches::collector_id, deposit_batches::currency, deposit_batches::status))
        .for_update()
        .first(conn)
        .optional()?
        .filter(|(_, collector, _, _)| *collector == user.id || user.role.sees_all_accounts())
        .ok_or_else(|| ApiError::not_found("deposit batch"))?;
    if status != "open" {
        return Err(ApiError::new(ErrorCode::UnprocessableState, "the deposit batch is closed; open a new batch for these payments"));
    }
    Ok((creditor_id, collector_id, currency))
}

pub fn add_payments(conn: &mut PgConnection, user: &CurrentUser, id: Uuid, payment_ids: &[Uuid]) -> ApiResult<DepositBatchDto> {
    if payment_ids.is_empty() {
        return Err(ApiError::invalid_field("payment_ids", "payment_ids is empty; list the payments to put in the batch"));
    }
    if payment_ids.len() > 500 {
        return Err(ApiError::invalid_field("payment_ids", "payment_ids lists more than 500 payments; add them in several requests"));
    }
    conn.transaction(|conn| {
        let (creditor_id, collector_id, currency) = lock_open_batch(conn, user, id)?;
        let rows: Vec<(Uuid, Uuid, String, String, String, String, Uuid, Option<Uuid>)> = payments::table
            .filter(payments::id.eq_any(payment_ids))
            .select((
                payments::id,
                payments::creditor_id,
                payments::currency,
                payments::method,
                payments::status,
                payments::receipt_number,
                payments::received_by,
                payments::deposit_batch_id,
            ))
            .for_no_key_update()
            .load(conn)?;
        let mut problems = Vec::new();
        let mut added = Vec::new();
        for payment_id in payment_ids {
            let Some((_, payment_creditor, payment_currency, method, status, receipt, received_by, batch)) =
                rows.iter().find(|r| r.0 == *payment_id)
            else {
                problems.push(FieldError::new("payment_ids", "not_found", format!("payment {payment_id} does not exist")));
                continue;
            };
            let method = PaymentMethod::parse(method);
            let problem = if *payment_creditor != creditor_id || *payment_currency != currency {
                Some(format!("payment {receipt} is for another creditor or currency than the batch"))
            } else if !matches!(method, Some(PaymentMethod::Cash | PaymentMethod::Cheque | PaymentMethod::MoneyOrder)) {
                Some(format!("payment {receipt} was not paid in cash, by cheque or by money order; only those go into a deposit"))
            } else if *received_by != collector_id {
                Some(format!("payment {receipt} was taken by another collector; it goes into their batch"))
            } else if status == "reversed" {
                Some(format!("payment {receipt} is reversed; it is not deposited"))
            } else if status == "held" {
                Some(format!("payment {receipt} is a post-dated cheque held until its date; deposit it in a batch after that day"))
            } else if batch.is_some_and(|b| b != id) {
                Some(format!("payment {receipt} is already in another deposit batch"))
            } else {
                None
            };
            match problem {
                Some(message) => problems.push(FieldError::new("payment_ids", "not_allowed", message)),
                None if batch.is_none() => added.push(*payment_id),
                None => {}
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        if !added.is_empty() {
            diesel::update(payments::table.filter(payments::id.eq_any(&added)))
                .set((payments::deposit_batch_id.eq(id), payments::batched_at.eq(Utc::now()), payments::batched_by.eq(user.id)))
                .execute(conn)?;
            audit::record(
                conn,
                AuditEvent {
                    creditor_id: Some(creditor_id),
                    actor_user_id: Some(user.id),
                    action: "deposit_batch.payments_added",
                    entity_type: "deposit_batch",
                    entity_id: id,
                    details: json!({ "payment_ids": added }),
                },
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    get(conn, user, id)
}

pub fn close(conn: &mut PgConnection, user: &CurrentUser, id: Uuid, request: &CloseBatchRequest) -> ApiResult<DepositBatchDto> {
    let reference = request.deposit_reference.trim();
    if reference.is_empty() || reference.chars().count() > DEPOSIT_REFERENCE_MAX_CHARS {
        return Err(ApiError::invalid_field(
            "deposit_reference",
            format!("deposit_reference must be 1 to {DEPOSIT_REFERENCE_MAX_CHARS} characters; give the bank deposit slip's number"),
        ));
    }
    conn.transaction(|conn| {
        let (creditor_id, _, _) = lock_open_batch(conn, user, id)?;
        let (count, amount) = standing_totals(conn, id)?;
        let (control_count, control_amount): (i32, i64) =
            deposit_batches::table.find(id).select((deposit_batches::control_count, deposit_batches::control_amount)).first(conn)?;
        let status = if count == control_count && amount == control_amount { BatchStatus::Balanced } else { BatchStatus::Difference };
        diesel::update(deposit_batches::table.find(id))
            .set((
                deposit_batches::status.eq(status.as_str()),
                deposit_batches::closed_at.eq(Utc::now()),
                deposit_batches::closed_by.eq(user.id),
                deposit_batches::deposit_reference.eq(reference),
                deposit_batches::actual_count.eq(count),
                deposit_batches::actual_amount.eq(amount),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "deposit_batch.closed",
                entity_type: "deposit_batch",
                entity_id: id,
                details: json!({
                    "status": status.as_str(), "deposit_reference": reference,
                    "count_difference": count - control_count, "amount_difference": amount - control_amount,
                }),
            },
        )?;
        if status == BatchStatus::Difference {
            tracing::warn!(deposit_batch.id = %id, count_difference = count - control_count, amount_difference = amount - control_amount, "deposit batch closed with a difference");
        }
        Ok::<_, ApiError>(())
    })?;
    get(conn, user, id)
}

/// Count and total of the batch's payments that are not reversed.
fn standing_totals(conn: &mut PgConnection, id: Uuid) -> QueryResult<(i32, i64)> {
    let amounts: Vec<i64> = payments::table
        .filter(payments::deposit_batch_id.eq(id))
        .filter(payments::status.ne("reversed"))
        .select(payments::amount)
        .load(conn)?;
    Ok((amounts.len() as i32, amounts.iter().sum()))
}

pub fn get(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<DepositBatchDto> {
    type BatchRow = (Uuid, Uuid, Uuid, String, String, i32, i64, DateTime<Utc>, Option<DateTime<Utc>>, Option<Uuid>, Option<String>, Option<String>);
    let row: BatchRow = deposit_batches::table
        .find(id)
        .select((
            deposit_batches::id,
            deposit_batches::creditor_id,
            deposit_batches::collector_id,
            deposit_batches::currency,
            deposit_batches::status,
            deposit_batches::control_count,
            deposit_batches::control_amount,
            deposit_batches::opened_at,
            deposit_batches::closed_at,
            deposit_batches::closed_by,
            deposit_batches::deposit_reference,
            deposit_batches::note,
        ))
        .first(conn)
        .optional()?
        .filter(|r: &BatchRow| r.2 == user.id || user.role.sees_all_accounts())
        .ok_or_else(|| ApiError::not_found("deposit batch"))?;
    let (id, creditor_id, collector_id, currency, status, control_count, control_amount, opened_at, closed_at, closed_by, deposit_reference, note) = row;
    let closed_totals: (Option<i32>, Option<i64>) =
        deposit_batches::table.find(id).select((deposit_batches::actual_count, deposit_batches::actual_amount)).first(conn)?;
    let broken = |what: &str| ApiError::internal(anyhow::anyhow!("deposit batch {id} has an unreadable {what}"));
    let payments: Vec<BatchPaymentDto> = payments::table
        .filter(payments::deposit_batch_id.eq(id))
        .order(payments::batched_at.asc())
        .select((
            payments::id,
            payments::receipt_number,
            payments::method,
            payments::amount,
            payments::status,
            payments::received_by,
            payments::posted_at,
            payments::batched_by,
            payments::batched_at,
        ))
        .load::<(Uuid, String, String, i64, String, Uuid, DateTime<Utc>, Option<Uuid>, Option<DateTime<Utc>>)>(conn)?
        .into_iter()
        .map(|(payment_id, receipt_number, method, amount, status, received_by, posted_at, batched_by, batched_at)| {
            Ok(BatchPaymentDto {
                payment_id,
                receipt_number,
                method: PaymentMethod::parse(&method).ok_or_else(|| broken("payment method"))?,
                amount,
                status,
                received_by,
                posted_at,
                batched_by: batched_by.ok_or_else(|| broken("batching user"))?,
                batched_at: batched_at.ok_or_else(|| broken("batching time"))?,
            })
        })
        .collect::<ApiResult<_>>()?;
    // A closed batch keeps the totals it was reconciled with; a payment
    // reversed later shows as reversed in the list without reopening the batch.
    let standing: Vec<&BatchPaymentDto> = payments.iter().filter(|p| p.status != "reversed").collect();
    let (actual_count, actual_amount) = match closed_totals {
        (Some(count), Some(amount)) => (count, amount),
        _ => (standing.len() as i32, standing.iter().map(|p| p.amount).sum()),
    };
    Ok(DepositBatchDto {
        id,
        creditor_id,
        collector_id,
        currency: currency.parse().map_err(|_| broken("currency"))?,
        status: BatchStatus::parse(&status).ok_or_else(|| broken("status"))?,
        control_count,
        control_amount,
        actual_count,
        actual_amount,
        count_difference: actual_count - control_count,
        amount_difference: actual_amount - control_amount,
        opened_at,
        closed_at,
        closed_by,
        deposit_reference,
        note,
        payments,
    })
}

/// Lists the user's own batches, or every batch for managers, newest first.
/// TODO: the list stops at the newest 200 batches; it has no cursor pages yet.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, status: Option<BatchStatus>) -> ApiResult<Vec<DepositBatchDto>> {
    let mut query = deposit_batches::table.select(deposit_batches::id).order(deposit_batches::opened_at.desc()).limit(200).into_boxed();
    if !user.role.sees_all_accounts() {
        query = query.filter(deposit_batches::collector_id.eq(user.id));
    }
    if let Some(status) = status {
        query = query.filter(deposit_batches::status.eq(status.as_str()));
    }
    let ids: Vec<Uuid> = query.load(conn)?;
    ids.into_iter().map(|id| get(conn, user, id)).collect()
}
