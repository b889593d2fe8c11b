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
