//! The account's status follows its plan: an active plan puts an open
//! account in arrangement, and a broken or cancelled one returns it to open.
//! A completed instalment plan that leaves nothing owed marks it paid.
//! Other statuses (disputed, on hold, closed) are a person's decision and
//! are left alone.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use serde_json::json;
use uuid::Uuid;

use crate::services::audit::{self, AuditEvent};

/// Moves the account's status after its plan moved to `plan_status`.
pub fn follow_plan(
    conn: &mut PgConnection,
    creditor_id: Uuid,
    account_id: Uuid,
    plan_kind: &str,
    plan_status: &str,
    actor: Option<Uuid>,
) -> QueryResult<()> {
    let moves: &[(&str, &str, &str)] = match (plan_kind, plan_status) {
        (_, "on_track" | "in_arrears") => &[("open", "in_arrangement", "")],
        (_, "broken" | "cancelled") => &[("in_arrangement", "open", "")],
        // Paid when nothing is owed; otherwise the rest (a fee, say) is collected as usual.
        ("instalment", "completed") => &[
            ("in_arrangement", "paid", " AND principal_balance + interest_balance + fees_balance = 0"),
            ("in_arrangement", "open", ""),
        ],
        _ => return Ok(()),
    };
    for (from, to, condition) in moves {
        let moved = diesel::sql_query(format!("UPDATE accounts SET status = $3, updated_at = now() WHERE id = $1 AND status = $2{condition}"))
            .bind::<SqlUuid, _>(account_id)
            .bind::<Text, _>(from)
            .bind::<Text, _>(to)
            .execute(conn)?;
        if moved == 0 {
            continue;
        }
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: actor,
                action: "account.status_changed",
                entity_type: "account",
                entity_id: account_id,
                details: json!({ "from": from, "to": to, "reason": format!("plan {plan_status}") }),
            },
        )?;
        break;
    }
    Ok(())
}
