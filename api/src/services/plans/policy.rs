//! The creditor's repayment policy, stored as JSON on the creditor row.

use diesel::prelude::*;
use serde_json::json;
use shared::plans::policy::check_policy;
use shared::plans::RepaymentPolicy;
use shared::users::Role;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::schema::creditors;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

/// The creditor's policy, or the default one when none was set.
pub fn load(conn: &mut PgConnection, creditor_id: Uuid) -> ApiResult<RepaymentPolicy> {
    let stored: Option<serde_json::Value> = creditors::table
        .find(creditor_id)
        .select(creditors::repayment_policy)
        .first::<Option<serde_json::Value>>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("creditor"))?;
    match stored {
        None => Ok(RepaymentPolicy::default()),
        Some(value) => serde_json::from_value(value).map_err(ApiError::internal),
    }
}

pub fn set(conn: &mut PgConnection, user: &CurrentUser, creditor_id: Uuid, policy: &RepaymentPolicy) -> ApiResult<RepaymentPolicy> {
    user.require(Role::sees_all_accounts, "change a creditor's repayment policy")?;
    let problems = check_policy(policy);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    conn.transaction(|conn| {
        let before = load(conn, creditor_id)?;
        let value = serde_json::to_value(policy).map_err(ApiError::internal)?;
        diesel::update(creditors::table.find(creditor_id)).set(creditors::repayment_policy.eq(&value)).execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "creditor.repayment_policy_changed",
                entity_type: "creditor",
                entity_id: creditor_id,
                details: json!({ "from": before, "to": value }),
            },
        )?;
        Ok(policy.clone())
    })
}
