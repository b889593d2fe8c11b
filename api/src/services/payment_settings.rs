//! A creditor's payment policy and its receipt books.

use diesel::prelude::*;
use serde_json::json;
use shared::payments::{check_book_code, check_jurisdiction, CreateReceiptBookRequest, PaymentPolicy, ReceiptBookDto};
use shared::users::Role;
use shared::FieldError;
use uuid::Uuid;

use super::audit::{self, AuditEvent};
use crate::auth::CurrentUser;
use crate::db::schema::{creditors, receipt_books, users};
use crate::domain::allocation::AllocationOrder;
use crate::error::{ApiError, ApiResult};

/// Largest returned-payment fee accepted, in minor units (10,000.00 in a
/// two-decimal currency): a typo must not be able to charge a fortune.
const RETURNED_FEE_MAX: i64 = 1_000_000;

pub fn get_policy(conn: &mut PgConnection, creditor_id: Uuid) -> ApiResult<PaymentPolicy> {
    let (allocation_order, returned_payment_fee, returned_payment_fee_jurisdictions) = creditors::table
        .find(creditor_id)
        .select((creditors::allocation_order, creditors::returned_payment_fee, creditors::returned_payment_fee_jurisdictions))
        .first::<(Vec<String>, Option<i64>, Vec<String>)>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("creditor"))?;
    Ok(PaymentPolicy { allocation_order, returned_payment_fee, returned_payment_fee_jurisdictions })
}

pub fn set_policy(conn: &mut PgConnection, user: &CurrentUser, creditor_id: Uuid, policy: &PaymentPolicy) -> ApiResult<PaymentPolicy> {
    user.require(Role::sees_all_accounts, "change a creditor's payment policy")?;
    let mut problems = Vec::new();
    if let Err(message) = AllocationOrder::parse(&policy.allocation_order) {
        problems.push(FieldError::new("allocation_order", "invalid", message));
    }
    if policy.returned_payment_fee.is_some_and(|fee| fee <= 0 || fee > RETURNED_FEE_MAX) {
        problems.push(FieldError::new(
            "returned_payment_fee",
            "invalid",
            format!("returned_payment_fee must be from 1 to {RETURNED_FEE_MAX} minor units; send null for no fee"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for code in &policy.returned_payment_fee_jurisdictions {
        if !seen.insert(code) {
            problems.push(FieldError::new("returned_payment_fee_jurisdictions", "duplicate", format!("'{code}' is listed twice; list each jurisdiction once")));
        }
    }
    for code in &policy.returned_payment_fee_jurisdictions {
        if let Err(message) = check_jurisdiction(code) {
            problems.push(FieldError::new("returned_payment_fee_jurisdictions", "invalid", message));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let before = get_policy(conn, creditor_id)?;
    conn.transaction(|conn| {
        diesel::update(creditors::table.find(creditor_id))
            .set((
                creditors::allocation_order.eq(&policy.allocation_order),
                creditors::returned_payment_fee.eq(policy.returned_payment_fee),
                creditors::returned_payment_fee_jurisdictions.eq(&policy.returned_payment_fee_jurisdictions),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "creditor.payment_policy_changed",
                entity_type: "creditor",
                entity_id: creditor_id,
                details: json!({ "from": policy_json(&before), "to": policy_json(policy) }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    get_policy(conn, creditor_id)
}

fn policy_json(policy: &PaymentPolicy) -> serde_json::Value {
    json!({
        "allocation_order": policy.allocation_order,
        "returned_payment_fee": policy.returned_payment_fee,
        "returned_payment_fee_jurisdictions": policy.returned_payment_fee_jurisdictions,
    })
}

pub fn list_books(conn: &mut PgConnection, creditor_id: Uuid) -> ApiResult<Vec<ReceiptBookDto>> {
    Ok(receipt_books::table
        .filter(receipt_books::creditor_id.eq(creditor_id))
        .order(receipt_books::code.asc())
        .select((receipt_books::id, receipt_books::creditor_id, receipt_books::code, receipt_books::collector_id, receipt_books::next_sequence))
        .load::<(Uuid, Uuid, String, Option<Uuid>, i64)>(conn)?
        .into_iter()
        .map(|(id, creditor_id, code, collector_id, next)| ReceiptBookDto { id, creditor_id, code, collector_id, issued: next - 1 })
        .collect())
}

pub fn create_book(conn: &mut PgConnection, user: &CurrentUser, request: &CreateReceiptBookRequest) -> ApiResult<ReceiptBookDto> {
    user.require(Role::sees_all_accounts, "create receipt books")?;
    let code = request.code.trim().to_string();
    check_book_code(&code).map_err(|message| ApiError::invalid_field("code", message))?;
    if code == "MAIN" && request.collector_id.is_some() {
        return Err(ApiError::invalid_field("code", "MAIN is the creditor's shared book and cannot belong to a collector; choose another code"));
    }
    get_policy(conn, request.creditor_id).map_err(|_| ApiError::invalid_field("creditor_id", "creditor_id names no creditor"))?;
    if let Some(collector) = request.collector_id {
        let active: Option<bool> = users::table.find(collector).select(users::active).first(conn).optional()?;
        if active != Some(true) {
            return Err(ApiError::invalid_field("collector_id", "collector_id names no active user; pick an active user"));
        }
    }
    let id = Uuid::now_v7();
    conn.transaction(|conn| {
        let inserted = diesel::insert_into(receipt_books::table)
            .values((
                receipt_books::id.eq(id),
                receipt_books::creditor_id.eq(request.creditor_id),
                receipt_books::code.eq(&code),
                receipt_books::collector_id.eq(request.collector_id),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            return Err(ApiError::taken("code", "this creditor already has a receipt book with this code, or one for this collector"));
        }
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(request.creditor_id),
                actor_user_id: Some(user.id),
                action: "receipt_book.created",
                entity_type: "receipt_book",
                entity_id: id,
                details: json!({ "code": code, "collector_id": request.collector_id }),
            },
        )?;
        Ok(())
    })?;
    Ok(ReceiptBookDto { id, creditor_id: request.creditor_id, code, collector_id: request.collector_id, issued: 0 })
}
