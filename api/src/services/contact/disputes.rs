//! Disputes: recording one pauses collection on the debt (the `disputed`
//! contact hold), and recording the verification sent to the debtor lifts
//! the hold once no other dispute on the account is open.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::contact::{Channel, DisputeDto, DisputeRequest, DisputeStatus, VerificationRequest, DISPUTE_NOTE_MAX_CHARS};
use shared::validation::check_free_text;
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::ledger::LockedAccount;
use super::super::plans::context;
use super::holds;
use crate::auth::CurrentUser;
use crate::db::schema::disputes;
use crate::error::{ApiError, ApiResult};

#[derive(Queryable, Selectable)]
#[diesel(table_name = disputes)]
struct DisputeRow {
    id: Uuid,
    account_id: Uuid,
    status: String,
    call_id: Option<Uuid>,
    note: Option<String>,
    raised_at: DateTime<Utc>,
    raised_by: Uuid,
    verification_note: Option<String>,
    verification_sent_via: Option<String>,
    verification_sent_on: Option<NaiveDate>,
    verified_at: Option<DateTime<Utc>>,
    verified_by: Option<Uuid>,
}

/// `POST /accounts/{id}/disputes`.
pub fn raise(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &DisputeRequest) -> ApiResult<DisputeDto> {
    let note = check_note("note", request.note.as_deref())?;
    let id = conn.transaction(|conn| {
        let ctx = context(conn, user, account_id, true)?;
        open(conn, user, &ctx.account, None, note.as_deref())
    })?;
    tracing::info!(account.id = %account_id, dispute.id = %id, "dispute raised");
    load(conn, id)
}

/// Records an open dispute and sets the `disputed` hold, with their audit
/// rows. The caller holds the account's row lock.
pub fn open(conn: &mut PgConnection, user: &CurrentUser, account: &LockedAccount, call_id: Option<Uuid>, note: Option<&str>) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(disputes::table)
        .values((
            disputes::id.eq(id),
            disputes::creditor_id.eq(account.creditor_id),
            disputes::account_id.eq(account.id),
            disputes::call_id.eq(call_id),
            disputes::note.eq(note),
            disputes::raised_by.eq(user.id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(account.creditor_id),
            actor_user_id: Some(user.id),
            action: "dispute.raised",
            entity_type: "dispute",
            entity_id: id,
            details: json!({ "account_id": account.id, "call_id": call_id }),
        },
    )?;
    let mut requested = holds::load(conn, account.id)?;
    requested.disputed = true;
    holds::store(conn, Some(user.id), account.creditor_id, account.id, &requested, json!({ "source": "dispute", "dispute_id": id }))?;
    Ok(id)
}

/// `POST /disputes/{id}/verification`: managers and administrators.
pub fn verify(conn: &mut PgConnection, user: &CurrentUser, dispute_id: Uuid, request: &VerificationRequest) -> ApiResult<DisputeDto> {
    user.require(shared::users::Role::sees_all_accounts, "record the verification of a dispute")?;
    let note = check_note("note", Some(&request.note))?.ok_or_else(|| {
        ApiError::validation(vec![FieldError::new("note", "missing", "note is required; say how the debt was verified and what was sent")])
    })?;
    if !matches!(request.sent_via, Channel::Letter | Channel::Email) {
        return Err(ApiError::invalid_field(
            "sent_via",
            format!("sent_via '{}' cannot carry a verification; use letter or email", request.sent_via.as_str()),
        ));
    }

    conn.transaction(|conn| {
        let account_id: Uuid = disputes::table
            .find(dispute_id)
            .select(disputes::account_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("dispute"))?;
        let ctx = context(conn, user, account_id, true)?;
        let (status, raised_on) = raised_day(conn, dispute_id)?;
        if status != "open" {
            return Err(ApiError::new(ErrorCode::UnprocessableState, "this dispute is already verified; raise a new dispute if the debtor disputes again"));
        }
        if request.sent_on > ctx.today || request.sent_on < raised_on {
            return Err(ApiError::validation(vec![FieldError::new(
                "sent_on",
                "out_of_range",
                format!(
                    "sent_on {} is not between the day the dispute was raised ({}) and today ({}); send the day the verification went out",
                    request.sent_on,
                    raised_on,
                    ctx.today
                ),
            )]));
        }
        diesel::update(disputes::table.find(dispute_id))
            .set((
                disputes::status.eq("verified"),
                disputes::verification_note.eq(&note),
                disputes::verification_sent_via.eq(request.sent_via.as_str()),
                disputes::verification_sent_on.eq(request.sent_on),
                disputes::verified_at.eq(Utc::now()),
                disputes::verified_by.eq(user.id),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(ctx.account.creditor_id),
                actor_user_id: Some(user.id),
                action: "dispute.verified",
                entity_type: "dispute",
                entity_id: dispute_id,
                details: json!({ "account_id": account_id, "sent_via": request.sent_via, "sent_on": request.sent_on }),
            },
        )?;
        let still_open: i64 = disputes::table
            .filter(disputes::account_id.eq(account_id))
            .filter(disputes::status.eq("open"))
            .count()
            .get_result(conn)?;
        if still_open == 0 {
            let mut requested = holds::load(conn, account_id)?;
            requested.disputed = false;
            holds::store(conn, Some(user.id), ctx.account.creditor_id, account_id, &requested, json!({ "source": "verification", "dispute_id": dispute_id }))?;
        }
        Ok::<_, ApiError>(())
    })?;
    tracing::info!(dispute.id = %dispute_id, "dispute verified");
    load(conn, dispute_id)
}

/// `GET /accounts/{id}/disputes`: newest first.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<Vec<DisputeDto>> {
    context(conn, user, account_id, false)?;
    disputes::table
        .filter(disputes::account_id.eq(account_id))
        .order((disputes::raised_at.desc(), disputes::id.desc()))
        .select(DisputeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(to_dto)
        .collect()
}

/// Returns the dispute's status and the day it was raised in the creditor's time zone.
fn raised_day(conn: &mut PgConnection, dispute_id: Uuid) -> ApiResult<(String, NaiveDate)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Date)]
        raised_on: NaiveDate,
    }
    let row: Row = diesel::sql_query(
        "SELECT d.status, (d.raised_at AT TIME ZONE c.time_zone)::date AS raised_on
         FROM disputes d JOIN creditors c ON c.id = d.creditor_id WHERE d.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(dispute_id)
    .get_result(conn)?;
    Ok((row.status, row.raised_on))
}

fn load(conn: &mut PgConnection, id: Uuid) -> ApiResult<DisputeDto> {
    to_dto(disputes::table.find(id).select(DisputeRow::as_select()).first(conn)?)
}

/// Trims an optional note, treating blank as absent.
fn check_note(field: &str, text: Option<&str>) -> ApiResult<Option<String>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    check_free_text(field, text).map_err(|problem| ApiError::validation(vec![problem]))?;
    let count = text.chars().count();
    if count > DISPUTE_NOTE_MAX_CHARS {
        return Err(ApiError::validation(vec![FieldError::new(
            field,
            "too_long",
            format!("{field} has {count} characters; shorten it to at most {DISPUTE_NOTE_MAX_CHARS}"),
        )]));
    }
    Ok(Some(text.to_string()))
}

fn to_dto(row: DisputeRow) -> ApiResult<DisputeDto> {
    let status = match row.status.as_str() {
        "open" => DisputeStatus::Open,
        "verified" => DisputeStatus::Verified,
        other => return Err(ApiError::internal(anyhow::anyhow!("dispute {} has an unknown status '{other}'", row.id))),
    };
    let sent_via = match row.verification_sent_via.as_deref() {
        None => None,
        Some(name) => Some(Channel::parse(name).ok_or_else(|| ApiError::internal(anyhow::anyhow!("dispute {} was sent via an unknown channel '{name}'", row.id)))?),
    };
    Ok(DisputeDto {
        id: row.id,
        account_id: row.account_id,
        status,
        call_id: row.call_id,
        note: row.note,
        raised_at: row.raised_at,
        raised_by: row.raised_by,
        verification_note: row.verification_note,
        verification_sent_via: sent_via,
        verification_sent_on: row.verification_sent_on,
        verified_at: row.verified_at,
        verified_by: row.verified_by,
    })
}
