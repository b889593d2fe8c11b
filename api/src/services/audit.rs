//! The audit trail: rows written inside the transaction of the change they describe.

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::audit_log;

pub struct AuditEvent<'a> {
    pub creditor_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    /// What happened, as `entity.verb`, such as `account.status_changed`.
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    /// Ids and values that explain the change; never personal data.
    pub details: serde_json::Value,
}

pub fn record(conn: &mut PgConnection, event: AuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::creditor_id.eq(event.creditor_id),
            audit_log::actor_user_id.eq(event.actor_user_id),
            audit_log::action.eq(event.action),
            audit_log::entity_type.eq(event.entity_type),
            audit_log::entity_id.eq(event.entity_id),
            audit_log::details.eq(event.details),
        ))
        .execute(conn)?;
    Ok(())
}
