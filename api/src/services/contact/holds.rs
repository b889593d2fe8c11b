//! The holds on an account that stop contact: reading them, replacing them
//! (managers and administrators), and setting one from a call's outcome.

use diesel::prelude::*;
use serde_json::json;
use shared::contact::{Channel, ContactHoldsDto};
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::plans::context;
use crate::auth::CurrentUser;
use crate::db::schema::{contact_holds, disputes};
use crate::error::{ApiError, ApiResult};
use shared::ErrorCode;

#[derive(Queryable, Selectable)]
#[diesel(table_name = contact_holds)]
struct HoldsRow {
    cease_all: bool,
    cease_channels: Vec<String>,
    bankruptcy: bool,
    deceased: bool,
    disputed: bool,
    manager_hold: bool,
    time_barred: bool,
}

/// Loads the account's stored holds; an account without a row has none.
/// The account status `disputed` is not folded in here.
pub fn load(conn: &mut PgConnection, account_id: Uuid) -> ApiResult<ContactHoldsDto> {
    let row = contact_holds::table
        .find(account_id)
        .select(HoldsRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else {
        return Ok(ContactHoldsDto::default());
    };
    let mut cease_channels = Vec::new();
    for name in &row.cease_channels {
        let channel = Channel::parse(name).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("contact holds of account {account_id} name an unknown channel '{name}'"))
        })?;
        cease_channels.push(channel);
    }
    Ok(ContactHoldsDto {
        cease_all: row.cease_all,
        cease_channels,
        bankruptcy: row.bankruptcy,
        deceased: row.deceased,
        disputed: row.disputed,
        manager_hold: row.manager_hold,
        time_barred: row.time_barred,
    })
}

/// `GET /accounts/{id}/contact-holds`.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<ContactHoldsDto> {
    context(conn, user, account_id, false)?;
    load(conn, account_id)
}

/// `PUT /accounts/{id}/contact-holds`: replaces every hold; managers and
/// administrators only.
pub fn put(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &ContactHoldsDto) -> ApiResult<ContactHoldsDto> {
    user.require(shared::users::Role::sees_all_accounts, "change the contact holds of an account")?;
    let mut requested = request.clone();
    requested.cease_channels.sort_by_key(|channel| Channel::ALL.iter().position(|c| c == channel));
    requested.cease_channels.dedup();

    conn.transaction(|conn| {
        let ctx = context(conn, user, account_id, true)?;
        // The dispute hold follows the disputes: it lifts only when each is verified.
        let open_disputes: i64 = disputes::table
            .filter(disputes::account_id.eq(account_id))
            .filter(disputes::status.eq("open"))
            .count()
            .get_result(conn)?;
        if requested.disputed != (open_disputes > 0) {
            let why = if open_disputes > 0 {
                format!("disputed cannot be cleared while {open_disputes} dispute(s) on the account are open; record each verification with POST /disputes/{{id}}/verification")
            } else {
                "disputed cannot be set here; record the dispute with POST /accounts/{id}/disputes, which sets it".to_string()
            };
            return Err(ApiError::new(ErrorCode::UnprocessableState, why));
        }
        store(conn, Some(user.id), ctx.account.creditor_id, account_id, &requested, json!({ "source": "manual" }))?;
        Ok::<_, ApiError>(())
    })?;
    tracing::info!(account.id = %account_id, "contact holds changed");
    load(conn, account_id)
}

/// Writes `requested` as the account's holds and audits the change, unless
/// nothing changes. `cause` goes into the audit details and must hold ids
/// and codes only. `user_id` is `None` when the debtor made the change (an
/// opt-out link). The caller holds the account's row lock.
pub fn store(
    conn: &mut PgConnection,
    user_id: Option<Uuid>,
    creditor_id: Uuid,
    account_id: Uuid,
    requested: &ContactHoldsDto,
    cause: serde_json::Value,
) -> ApiResult<()> {
    let before = load(conn, account_id)?;
    if before == *requested {
        return Ok(());
    }
    let channels: Vec<&str> = requested.cease_channels.iter().map(|c| c.as_str()).collect();
    let updated_at = chrono::Utc::now();
    let values = || {
        (
        contact_holds::cease_all.eq(requested.cease_all),
        contact_holds::cease_channels.eq(&channels),
        contact_holds::bankruptcy.eq(requested.bankruptcy),
        contact_holds::deceased.eq(requested.deceased),
        contact_holds::disputed.eq(requested.disputed),
        contact_holds::manager_hold.eq(requested.manager_hold),
        contact_holds::time_barred.eq(requested.time_barred),
        contact_holds::updated_at.eq(updated_at),
        contact_holds::updated_by.eq(user_id),
        )
    };
    diesel::insert_into(contact_holds::table)
        .values((contact_holds::account_id.eq(account_id), contact_holds::creditor_id.eq(creditor_id), values()))
        .on_conflict(contact_holds::account_id)
        .do_update()
        .set(values())
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(creditor_id),
            actor_user_id: user_id,
            action: "contact.holds_changed",
            entity_type: "account",
            entity_id: account_id,
            details: json!({ "from": before, "to": requested, "cause": cause }),
        },
    )?;
    Ok(())
}
