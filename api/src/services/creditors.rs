//! Creditors: found by name, created on first import.

use diesel::prelude::*;
use shared::accounts::CreditorDto;
use uuid::Uuid;

use crate::db::creditors::{Creditor, NewCreditor};
use crate::db::schema::{accounts, creditors};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

/// Returns the creditor with this name (case-insensitive), creating it if it does not exist.
pub fn find_or_create(conn: &mut PgConnection, name: &str, actor: Option<Uuid>) -> ApiResult<Creditor> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid_field("creditor", "creditor is missing; give the creditor's name"));
    }
    if name.chars().count() > 200 {
        return Err(ApiError::invalid_field("creditor", "creditor name is longer than 200 characters; shorten it"));
    }
    conn.transaction(|conn| {
        let id = Uuid::now_v7();
        let inserted = diesel::insert_into(creditors::table)
            .values(NewCreditor { id, name, time_zone: "UTC" })
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 1 {
            audit::record(
                conn,
                AuditEvent {
                    creditor_id: Some(id),
                    actor_user_id: actor,
                    action: "creditor.created",
                    entity_type: "creditor",
                    entity_id: id,
                    details: serde_json::json!({}),
                },
            )?;
            tracing::info!(creditor.id = %id, "created creditor");
        }
        creditors::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("lower(name) = lower(").bind::<diesel::sql_types::Text, _>(name).sql(")"))
            .select(Creditor::as_select())
            .first(conn)
    })
    .map_err(ApiError::from)
}

pub fn list(conn: &mut PgConnection) -> ApiResult<Vec<CreditorDto>> {
    let rows: Vec<(Creditor, i64)> = creditors::table
        .left_join(accounts::table)
        .group_by(creditors::id)
        .select((Creditor::as_select(), diesel::dsl::count(accounts::id.nullable())))
        .order(creditors::name.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, n)| CreditorDto { id: c.id, name: c.name, time_zone: c.time_zone, account_count: n })
        .collect())
}

/// Sets the time zone the creditor's days follow; managers and administrators only.
pub fn set_time_zone(conn: &mut PgConnection, user: &crate::auth::CurrentUser, creditor_id: Uuid, zone: &str) -> ApiResult<CreditorDto> {
    user.require(shared::users::Role::sees_all_accounts, "change a creditor's time zone")?;
    let zone = zone.trim();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        let shown: String = zone.chars().take(60).collect();
        return Err(ApiError::invalid_field(
            "time_zone",
            format!("'{shown}' is not a time zone name; use an IANA name such as America/Chicago, Europe/London or UTC"),
        ));
    }
    conn.transaction(|conn| {
        let before: String = creditors::table
            .find(creditor_id)
            .select(creditors::time_zone)
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("creditor"))?;
        diesel::update(creditors::table.find(creditor_id)).set(creditors::time_zone.eq(zone)).execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "creditor.time_zone_changed",
                entity_type: "creditor",
                entity_id: creditor_id,
                details: serde_json::json!({ "from": before, "to": zone }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    // Worklist scores count the creditor's local days, so they expire with
    // the old zone. This runs after the change commits, so payments wait on
    // one account at a time, not on the whole creditor.
    diesel::sql_query("UPDATE accounts SET worklist_scored_until = '-infinity' WHERE creditor_id = $1 AND worklist_scored_until > '-infinity'")
        .bind::<diesel::sql_types::Uuid, _>(creditor_id)
        .execute(conn)?;
    list(conn)?.into_iter().find(|c| c.id == creditor_id).ok_or_else(|| ApiError::not_found("creditor"))
}
