//! Approving or rejecting a plan request, and cancelling an open plan.

use diesel::prelude::*;
use serde_json::json;
use shared::plans::policy::{approval_rank, may_approve};
use shared::plans::{PlanCancellationRequest, PlanDecisionRequest, PlanDto, PlanStatus};
use shared::users::Role;
use shared::ErrorCode;
use uuid::Uuid;

use super::create::{check_note, close};
use super::role_phrase;
use crate::services::{daily_run, ledger};
use super::{account_status, creditor_today, read};
use crate::auth::CurrentUser;
use crate::db::schema::plans;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

struct Locked {
    creditor_id: Uuid,
    account_id: Uuid,
    kind: String,
    status: String,
    required_approver: Option<Role>,
    created_by: Uuid,
    start_date: chrono::NaiveDate,
    replaces_plan_id: Option<Uuid>,
}

fn lock(conn: &mut PgConnection, user: &CurrentUser, plan_id: Uuid) -> ApiResult<Locked> {
    // Visibility first, so a plan on someone else's account is a plain 404.
    let plan = read::load(conn, user, plan_id)?;
    // The account first, in the order payments lock, then the plan.
    ledger::lock_accounts(conn, &[plan.account_id])?;
    #[allow(clippy::type_complexity)]
    let (creditor_id, account_id, kind, status, approver, created_by, start_date, replaces_plan_id): (
        Uuid,
        Uuid,
        String,
        String,
        Option<String>,
        Uuid,
        chrono::NaiveDate,
        Option<Uuid>,
    ) = plans::table
        .find(plan_id)
        .select((
            plans::creditor_id,
            plans::account_id,
            plans::kind,
            plans::status,
            plans::required_approver,
            plans::created_by,
            plans::start_date,
            plans::replaces_plan_id,
        ))
        .for_update()
        .first(conn)?;
    let required_approver = approver.and_then(|a| a.parse().ok());
    Ok(Locked { creditor_id, account_id, kind, status, required_approver, created_by, start_date, replaces_plan_id })
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
                "this plan needs approval by {} or above; the {} role may not decide it",
                role_phrase(required),
                user.role
            )));
        }
        let note = check_note(
            request.note.as_deref(),
            (!request.approve).then_some("say in note why the plan is rejected; the assistant sees it"),
        )?;
        let today = creditor_today(conn, plan.creditor_id)?;
        if request.approve {
            let account_status: String = crate::db::schema::accounts::table
                .find(plan.account_id)
                .select(crate::db::schema::accounts::status)
                .first(conn)?;
            if !matches!(account_status.as_str(), "open" | "in_arrangement") {
                return Err(ApiError::new(
                    ErrorCode::UnprocessableState,
                    format!("the account became {account_status} while the plan waited; reject the plan, or change the account's status first"),
                ));
            }
        }
        if request.approve && plan.start_date < today {
            return Err(ApiError::new(
                ErrorCode::UnprocessableState,
                format!(
                    "the plan starts on {}, which has passed while it waited; reject it and ask for a renegotiated plan with a new start date",
                    plan.start_date
                ),
            ));
        }
        if request.approve {
            // The active plan this request renegotiates gives way now, not before.
            if let Some(old_id) = plan.replaces_plan_id {
                let old_status: Option<String> = plans::table
                    .find(old_id)
                    .filter(plans::status.eq_any(["on_track", "in_arrears"]))
                    .select(plans::status)
                    .for_update()
                    .first(conn)
                    .optional()?;
                if let Some(old_status) = old_status {
                    close(conn, user, plan.creditor_id, old_id, &old_status, PlanStatus::Renegotiated, today, "renegotiated")?;
                }
            }
        }
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
            account_status::follow_plan(conn, plan.creditor_id, plan.account_id, &plan.kind, to.as_str(), Some(user.id))?;
            // Payments made while the plan waited count at once.
            daily_run::reevaluate_account(conn, plan.account_id, today, Some(user.id))?;
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
        // A request may be withdrawn by whoever made it, or cancelled by someone who could decide it.
        if plan.status == PlanStatus::PendingApproval.as_str()
            && plan.created_by != user.id
            && (approval_rank(user.role) == 0 || !may_approve(user.role, plan.required_approver))
        {
            return Err(ApiError::forbidden(format!(
                "this request needs {} to decide it; only they or the person who made it may cancel it",
                role_phrase(plan.required_approver.unwrap_or(Role::Manager))
            )));
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
