//! The account timeline: calls from `calls`, and every audited change to
//! the account, its promises, plans, payments, letters and emails,
//! disputes, tasks and phones, merged newest first.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use shared::contact::{CallDirection, CallOutcome};
use shared::timeline::{TimelineDto, TimelineEntryDto, TIMELINE_MAX_LIMIT};
use uuid::Uuid;

use super::plans::context;
use crate::auth::CurrentUser;
use crate::error::ApiResult;

#[derive(QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    entity_type: String,
    #[diesel(sql_type = SqlUuid)]
    entity_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_user_id: Option<Uuid>,
    #[diesel(sql_type = Jsonb)]
    details: Value,
}

/// The calls come from their table, which contains the notes, and the audit row
/// of each call is left out so it is not listed twice. The other entries
/// are the audit rows of the account and of each record that belongs to
/// it, found one record at a time through `audit_log_entity_idx`. Entries
/// at the same instant keep the order they were written in.
const TIMELINE_SQL: &str = "
    WITH subjects (entity_type, entity_id) AS (
        SELECT 'account', $1::uuid
        UNION ALL SELECT 'call', id FROM calls WHERE account_id = $1
        UNION ALL SELECT 'promise', id FROM promises WHERE account_id = $1
        UNION ALL SELECT 'plan', id FROM plans WHERE account_id = $1
        UNION ALL SELECT 'payment', payment_id FROM payment_parts WHERE account_id = $1
        UNION ALL SELECT 'correspondence', id FROM correspondence WHERE account_id = $1
        UNION ALL SELECT 'dispute', id FROM disputes WHERE account_id = $1
        UNION ALL SELECT 'follow_up_task', id FROM follow_up_tasks WHERE account_id = $1
        UNION ALL SELECT 'debtor_phone', p.id FROM debtor_phones p JOIN accounts ac ON ac.debtor_id = p.debtor_id WHERE ac.id = $1
    )
    SELECT at, kind, entity_type, entity_id, actor_user_id, details
    FROM (
        SELECT c.started_at AS at, 'call.logged' AS kind, 'call' AS entity_type, c.id AS entity_id,
               c.logged_by AS actor_user_id,
               jsonb_build_object('direction', c.direction, 'outcome', c.outcome, 'notes', c.notes,
                                  'follow_up_on', c.follow_up_on, 'override_reason', c.override_reason,
                                  'promise_id', c.promise_id, 'phone_id', c.phone_id) AS details,
               0::bigint AS seq
        FROM calls c
        WHERE c.account_id = $1
        UNION ALL
        SELECT a.created_at, a.action, a.entity_type, a.entity_id, a.actor_user_id, a.details, a.id
        FROM subjects s
        JOIN audit_log a ON a.entity_type = s.entity_type AND a.entity_id = s.entity_id
        WHERE a.action <> 'call.logged'
    ) entries
    ORDER BY at DESC, seq DESC
    LIMIT $2";

/// `GET /accounts/{id}/timeline`: the newest `limit` entries.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, limit: i64) -> ApiResult<TimelineDto> {
    context(conn, user, account_id, false)?;
    let limit = limit.clamp(1, TIMELINE_MAX_LIMIT);
    let mut rows: Vec<EntryRow> = diesel::sql_query(TIMELINE_SQL)
        .bind::<SqlUuid, _>(account_id)
        .bind::<BigInt, _>(limit + 1)
        .load(conn)?;
    let truncated = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let items = rows
        .into_iter()
        .map(|row| TimelineEntryDto {
            summary: summary(&row.kind, &row.details),
            at: row.at,
            kind: row.kind,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            actor_user_id: row.actor_user_id,
            details: row.details,
        })
        .collect();
    Ok(TimelineDto { items, truncated })
}

/// Returns the English sentence for an entry. Statuses and outcomes are
/// codes, so their underscores become spaces.
fn summary(kind: &str, details: &Value) -> String {
    let text = |key: &str| details.get(key).and_then(Value::as_str).map(|s| s.replace('_', " ")).unwrap_or_default();
    let change = || format!("from {} to {}", text("from"), text("to"));
    match kind {
        "call.logged" => {
            let direction = details.get("direction").and_then(Value::as_str).and_then(CallDirection::parse);
            let outcome = details.get("outcome").and_then(Value::as_str).and_then(CallOutcome::parse);
            let direction = match direction {
                Some(CallDirection::Inbound) => "Inbound call",
                _ => "Outbound call",
            };
            let mut sentence = format!("{direction}: {}.", outcome.map_or_else(|| text("outcome"), |o| o.as_str().replace('_', " ")));
            if let Some(day) = details.get("follow_up_on").and_then(Value::as_str) {
                sentence.push_str(&format!(" Follow up on {day}."));
            }
            if details.get("override_reason").is_some_and(|v| !v.is_null()) {
                sentence.push_str(" Logged over the contact rules by a manager.");
            }
            sentence
        }
        "contact.rule_overridden" => "A manager overrode the contact rules for this call.".to_string(),
        "promise.taken" => format!("Promise to pay taken, due {}.", text("promised_on")),
        "promise.superseded" => "Promise replaced by a newer one.".to_string(),
        "promise.status_changed" => format!("Promise status changed {}.", change()),
        "plan.created" => "Repayment plan created.".to_string(),
        "plan.approved" => "Repayment plan approved.".to_string(),
        "plan.rejected" => "Repayment plan rejected.".to_string(),
        "plan.status_changed" => format!("Plan status changed {}.", change()),
        "plan.settlement_written_down" => "Settlement completed; the rest of the balance was written down.".to_string(),
        "payment.posted" => format!("Payment posted by {}, receipt {}.", text("method"), details.get("receipt_number").and_then(Value::as_str).unwrap_or("")),
        "payment.held" => format!("Payment held until {}.", text("held_until")),
        "payment.released" => "Held payment released.".to_string(),
        "payment.reversed" => format!("Payment reversed: {}.", text("reason")),
        "account.status_changed" => format!("Account status changed {}.", change()),
        "account.assigned" => "Account assigned to another agent.".to_string(),
        "contact.holds_changed" => "Contact holds changed.".to_string(),
        "correspondence.generated" => "Letter generated.".to_string(),
        "correspondence.queued" => "Email queued.".to_string(),
        "correspondence.sent" => "Email sent.".to_string(),
        "correspondence.failed" => "Email could not be sent.".to_string(),
        "correspondence.email_deferred" => "Email held until the debtor's contact window opens.".to_string(),
        "correspondence.blocked" => "Letter or email not sent: the contact rules block it.".to_string(),
        "dispute.raised" => "Dispute raised; collection paused until the debt is verified.".to_string(),
        "dispute.verified" => format!("Dispute verified; verification sent by {} on {}.", text("sent_via"), text("sent_on")),
        "debtor_phone.marked_invalid" => "Phone number marked invalid after a wrong-number call.".to_string(),
        "task.raised" => format!("Follow-up task for {}.", text("raised_on")),
        "task.done" => "Follow-up task done.".to_string(),
        other => spell_out(other),
    }
}

/// Turns an unlisted code such as `letter.sent` into "Letter sent.".
fn spell_out(code: &str) -> String {
    let words = code.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::summary;

    #[test]
    fn call_summary_names_outcome_and_follow_up() {
        let details = json!({ "direction": "inbound", "outcome": "promise_taken", "follow_up_on": "2026-12-10", "override_reason": null });
        assert_eq!(summary("call.logged", &details), "Inbound call: promise taken. Follow up on 2026-12-10.");
    }

    #[test]
    fn status_change_summary_names_both_states() {
        let details = json!({ "from": "on_track", "to": "in_arrears" });
        assert_eq!(summary("plan.status_changed", &details), "Plan status changed from on track to in arrears.");
    }

    #[test]
    fn unknown_kind_is_spelled_out() {
        assert_eq!(summary("letter.sent", &json!({})), "Letter sent.");
    }
}
