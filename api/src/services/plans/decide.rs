//! Approving or rejecting a plan request, and cancelling an open plan.

use diesel::prelude::*;
use serde_json::json;
use shared::plans::policy::{approval_rank, may_approve};
use shared::plans::{PlanCancellationRequest, PlanDecisionRequest, PlanDto, PlanStatus};
use shared::users::Role;
use shared::ErrorCode;
use uuid::Uuid;

use super::create::{check_note, close};
use super::{account_status, creditor_today, read};
use crate::auth::CurrentUser;
use crate::db::schema::plans;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

struct Locked {
    creditor_id: Uuid,
    status: String,
    required_approver: Option<Role>,
}

fn lock(conn: &mut PgConnection, user: &CurrentUser, plan_id: Uuid) -> ApiResult<Locked> {
    // Visibility first, so a plan on someone else's account is a plain 404.
    read::load(conn, user, plan_id)?;
    let (creditor_id, status, approver): (Uuid, String, Option<String>) = plans::table
        .find(plan_id)
        .select((plans::creditor_id, plans::status, plans::required_approver))
        .for_update()
        .first(conn)?;
    let required_approver = approver.and_then(|a| a.parse().ok());
    Ok(Locked { creditor_id, status, required_approver })
}

/// `POST /plans/{id}/decision`.
pub fn decide(conn: &mut PgConnection, user: &CurrentUser, plan_id: Uuid, request: &PlanDecisionRequest) -> ApiResult<PlanDto> {
    conn.transaction(|conn| {
        let plan = lock(conn, user, plan_id)?;
        if plan.status != PlanStatus::PendingApproval.as_str() {
            return Err(ApiError::new(
                ErrorCode::UnprocessableState,
                format!("the plan is {}; only a plan waiting for approval can be approved or rejected", plan.status),
            ));
        }
        let required = plan.required_approver.unwrap_or(Role::Manager);
        if approval_rank(user.role) == 0 || !may_approve(user.role, Some(required)) {
            return Err(ApiError::forbidden(format!(
                "this plan needs approval by a {required} or above; the {} role may not decide it",
                user.role
            )));
        }
        let note = check_note(
            request.note.as_deref(),
            (!request.approve).then_some("say in note why the plan is rejected; the assistant sees it"),
        )?;
        let today = creditor_today(conn, plan.creditor_id)?;
        let to = if request.approve { PlanStatus::OnTrack } else { PlanStatus::Rejected };
        let updated = diesel::update(plans::table.find(plan_id))
            .set((
                plans::status.eq(to.as_str()),
                plans::decided_by.eq(user.id),
                plans::decided_at.eq(diesel::dsl::now),
                plans::decision_note.eq(note.as_deref()),
                plans::closed_on.eq((!request.approve).then_some(today)),
            ))
            .execute(conn);
        match updated {
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(ApiError::conflict("the account has another open plan; cancel it before approving this one"));
            }
            other => other?,
        };
        if request.approve {
            let (account_id, kind): (Uuid, String) = plans::table.find(plan_id).select((plans::account_id, plans::kind)).first(conn)?;
            account_status::follow_plan(conn, plan.creditor_id, account_id, &kind, to.as_str(), Some(user.id))?;
        }
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(plan.creditor_id),
                actor_user_id: Some(user.id),
                action: if request.approve { "plan.approved" } else { "plan.rejected" },
                entity_type: "plan",
                entity_id: plan_id,
                details: json!({ "from": plan.status, "to": to, "required_approver": required, "note_given": note.is_some() }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    read::load(conn, user, plan_id)
}

/// `POST /plans/{id}/cancellation`.
pub fn cancel(conn: &mut PgConnection, user: &CurrentUser, plan_id: Uuid, request: &PlanCancellationRequest) -> ApiResult<PlanDto> {
    conn.transaction(|conn| {
        let plan = lock(conn, user, plan_id)?;
        let open = PlanStatus::parse(&plan.status).is_some_and(PlanStatus::is_open);
        if !open {
            return Err(ApiError::new(
                ErrorCode::UnprocessableState,
                format!("the plan is {}; only a plan waiting for approval, on track or in arrears can be cancelled", plan.status),
            ));
        }
        let reason = check_note(Some(&request.reason), Some("say in reason why the plan is cancelled"))
            .map_err(|e| rename_field(e, "reason"))?
            .unwrap_or_default();
        let today = creditor_today(conn, plan.creditor_id)?;
        close(conn, user, plan.creditor_id, plan_id, &plan.status, PlanStatus::Cancelled, today, &reason)
    })?;
    read::load(conn, user, plan_id)
}

fn rename_field(mut error: ApiError, field: &str) -> ApiError {
    for f in &mut error.fields {
        f.field = field.to_string();
        f.message = f.message.replace("note", field);
    }
    error.message = error.message.replace("note", field);
    error
}
