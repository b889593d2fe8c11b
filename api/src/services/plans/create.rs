//! Previewing and saving a plan. Saving measures the terms against the
//! policy again, with the account locked, and either activates the plan or
//! saves it as a request for the approver the findings name.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use shared::plans::policy::{approval_rank, evaluate, may_approve, Evaluation, Severity};
use shared::plans::{CreatePlanRequest, PlanDto, PlanPreview, PlanPreviewRequest, PlanStatus, PlanTerms};
use shared::validation::check_free_text;
use shared::users::Role;
use shared::{Currency, ErrorCode, FieldError};
use uuid::Uuid;

use super::{account_status, context, read, role_phrase, PlanContext};
use crate::auth::CurrentUser;
use crate::db::schema::{plan_instalments, plans};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

/// Longest note kept on a plan or a decision.
pub const NOTE_MAX_CHARS: usize = 2_000;

fn currency_of(ctx: &PlanContext) -> ApiResult<Currency> {
    ctx.account.currency.parse::<shared::Currency>().map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
}

fn measure(ctx: &PlanContext, terms: &PlanTerms) -> ApiResult<Evaluation> {
    Ok(evaluate(&ctx.policy, ctx.balance(), currency_of(ctx)?, terms, ctx.today))
}

/// `POST /plans/preview`: the schedule and findings, nothing saved.
pub fn preview(conn: &mut PgConnection, user: &CurrentUser, request: &PlanPreviewRequest) -> ApiResult<PlanPreview> {
    let ctx = context(conn, user, request.account_id, false)?;
    let evaluation = measure(&ctx, &request.terms)?;
    let required_approver =
        if may_approve(user.role, evaluation.required_approver) { None } else { evaluation.required_approver };
    Ok(PlanPreview {
        account_id: ctx.account.id,
        currency: currency_of(&ctx)?,
        balance: ctx.balance(),
        policy: ctx.policy.clone(),
        schedule: evaluation.schedule,
        findings: evaluation.findings,
        required_approver,
    })
}

/// Checks and trims an optional note; `required` names why one is needed.
pub fn check_note(note: Option<&str>, required: Option<&str>) -> ApiResult<Option<String>> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match (note, required) {
        (None, Some(why)) => Err(ApiError::invalid_field("note", why.to_string())),
        (None, None) => Ok(None),
        (Some(text), _) => {
            check_free_text("note", text).map_err(|e| ApiError::validation(vec![e]))?;
            let count = text.chars().count();
            if count > NOTE_MAX_CHARS {
                return Err(ApiError::invalid_field(
                    "note",
                    format!("note has {count} characters; shorten it to at most {NOTE_MAX_CHARS}"),
                ));
            }
            Ok(Some(text.to_string()))
        }
    }
}

/// `POST /accounts/{id}/plans`.
pub fn create(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &CreatePlanRequest) -> ApiResult<PlanDto> {
    let plan_id = conn.transaction(|conn| {
        let ctx = context(conn, user, account_id, true)?;
        ctx.require_collectable("a plan")?;
        let evaluation = measure(&ctx, &request.terms)?;
        let errors: Vec<FieldError> = evaluation
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| FieldError::new(&format!("terms.{}", f.field), f.code.as_str(), f.message.clone()))
            .collect();
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let schedule = evaluation.schedule.as_ref().ok_or_else(|| ApiError::internal(anyhow::anyhow!("no schedule without errors")))?;
        let needs_approval = !may_approve(user.role, evaluation.required_approver);
        let approver = role_phrase(evaluation.required_approver.unwrap_or(Role::Manager));
        let why = format!("this plan is outside the policy or your limit and goes to {approver} for approval; say why in note");
        let note = check_note(request.note.as_deref(), needs_approval.then_some(why.as_str()))?;

        let status = if needs_approval { PlanStatus::PendingApproval } else { PlanStatus::OnTrack };
        make_room(conn, user, &ctx, request.replaces_plan_id, status)?;
        let plan_id = Uuid::now_v7();
        let terms = &request.terms;
        let rate = if terms.kind == shared::plans::PlanKind::Instalment && ctx.policy.interest_during_plan {
            ctx.policy.annual_rate_bp
        } else {
            0
        };
        let inserted = diesel::insert_into(plans::table)
            .values((
                plans::id.eq(plan_id),
                plans::creditor_id.eq(ctx.account.creditor_id),
                plans::account_id.eq(account_id),
                plans::kind.eq(terms.kind.as_str()),
                plans::status.eq(status.as_str()),
                plans::frequency.eq(terms.frequency.as_str()),
                plans::start_date.eq(terms.start_date),
                plans::instalment_count.eq(terms.instalment_count as i32),
                plans::down_payment.eq(terms.down_payment),
                plans::settlement_amount.eq(terms.settlement_amount),
                plans::currency.eq(&ctx.account.currency),
                plans::balance_at_creation.eq(ctx.balance()),
                plans::total_to_pay.eq(schedule.total_to_pay),
                plans::total_interest.eq(schedule.total_interest),
                plans::annual_rate_bp.eq(rate as i32),
                plans::grace_days.eq(ctx.policy.grace_days as i32),
                plans::missed_to_break.eq(ctx.policy.missed_to_break as i32),
                plans::findings.eq(serde_json::to_value(&evaluation.findings).map_err(ApiError::internal)?),
                plans::required_approver.eq(evaluation.required_approver.map(|r| r.as_str())),
                plans::note.eq(note.as_deref()),
                plans::created_by.eq(user.id),
                plans::replaces_plan_id.eq(request.replaces_plan_id),
                plans::counts_from.eq(ctx.today),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            // The account row lock makes this rare: make_room saw no rival plan.
            return Err(ApiError::conflict("the account already has an open plan; reload it and renegotiate or cancel that plan"));
        }
        let rows: Vec<_> = schedule
            .instalments
            .iter()
            .map(|i| {
                (
                    plan_instalments::id.eq(Uuid::now_v7()),
                    plan_instalments::plan_id.eq(plan_id),
                    plan_instalments::creditor_id.eq(ctx.account.creditor_id),
                    plan_instalments::number.eq(i.number as i32),
                    plan_instalments::due_on.eq(i.due_on),
                    plan_instalments::amount.eq(i.amount),
                    plan_instalments::principal.eq(i.principal),
                    plan_instalments::interest.eq(i.interest),
                )
            })
            .collect();
        diesel::insert_into(plan_instalments::table).values(&rows).execute(conn)?;
        account_status::follow_plan(conn, ctx.account.creditor_id, account_id, terms.kind.as_str(), status.as_str(), Some(user.id))?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(ctx.account.creditor_id),
                actor_user_id: Some(user.id),
                action: "plan.created",
                entity_type: "plan",
                entity_id: plan_id,
                details: json!({
                    "account_id": account_id,
                    "kind": terms.kind,
                    "status": status,
                    "total_to_pay": schedule.total_to_pay,
                    "required_approver": evaluation.required_approver,
                    "findings": evaluation.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
                    "replaces_plan_id": request.replaces_plan_id,
                }),
            },
        )?;
        Ok::<_, ApiError>(plan_id)
    })?;
    read::load(conn, user, plan_id)
}


/// Makes room for a new plan of `status` on the account. Without
/// `replaces`, any open plan is a conflict. A renegotiation closes the plan
/// it replaces at once when the new plan is active, or when both are
/// requests. An active plan replaced by a request stays active until the
/// request is approved (`decide`), so a rejection leaves it running.
fn make_room(conn: &mut PgConnection, user: &CurrentUser, ctx: &PlanContext, replaces: Option<Uuid>, status: PlanStatus) -> ApiResult<()> {
    let open: Vec<(Uuid, String)> = plans::table
        .filter(plans::account_id.eq(ctx.account.id))
        .filter(plans::status.eq_any(["pending_approval", "on_track", "in_arrears"]))
        .select((plans::id, plans::status))
        .for_update()
        .load(conn)?;
    let Some(old_id) = replaces else {
        return match open.first() {
            None => Ok(()),
            Some((id, status)) => Err(ApiError::conflict(format!(
                "the account already has an open plan ({id}, {status}); renegotiate it (send its id as replaces_plan_id) or cancel it first"
            ))),
        };
    };
    let Some((_, old_status)) = open.iter().find(|(id, _)| *id == old_id) else {
        let exists_here: bool = diesel::select(diesel::dsl::exists(
            plans::table.filter(plans::id.eq(old_id)).filter(plans::account_id.eq(ctx.account.id)),
        ))
        .get_result(conn)?;
        return Err(if exists_here {
            ApiError::new(
                ErrorCode::UnprocessableState,
                "the plan being replaced is closed; only a plan waiting for approval, on track or in arrears can be renegotiated",
            )
        } else {
            ApiError::invalid_field("replaces_plan_id", "replaces_plan_id names no plan on this account; send the id of the account's open plan")
        });
    };
    if old_status == PlanStatus::PendingApproval.as_str() {
        let (created_by, approver): (Uuid, Option<String>) =
            plans::table.find(old_id).select((plans::created_by, plans::required_approver)).first(conn)?;
        let approver: Option<Role> = approver.and_then(|a| a.parse().ok());
        if created_by != user.id && (approval_rank(user.role) == 0 || !may_approve(user.role, approver)) {
            return Err(ApiError::forbidden(format!(
                "the request being replaced waits for {}; only they or the person who made it may replace it",
                role_phrase(approver.unwrap_or(Role::Manager))
            )));
        }
    }
    if let Some((other, other_status)) = open.iter().find(|(id, _)| *id != old_id) {
        return Err(ApiError::conflict(format!(
            "the account has another open plan ({other}, {other_status}); cancel it before renegotiating"
        )));
    }
    if status == PlanStatus::PendingApproval && old_status != PlanStatus::PendingApproval.as_str() {
        return Ok(());
    }
    close(conn, user, ctx.account.creditor_id, old_id, old_status, PlanStatus::Renegotiated, ctx.today, "renegotiated")
}

/// Moves an open plan to a final status with its audit row.
pub fn close(
    conn: &mut PgConnection,
    user: &CurrentUser,
    creditor_id: Uuid,
    plan_id: Uuid,
    from: &str,
    to: PlanStatus,
    on: NaiveDate,
    reason: &str,
) -> ApiResult<()> {
    diesel::update(plans::table.find(plan_id))
        .set((plans::status.eq(to.as_str()), plans::closed_on.eq(on), plans::close_reason.eq(reason)))
        .execute(conn)?;
    // Only a plan that was active moves the account: withdrawing a request
    // leaves the plan it would have replaced, and the account, as they are.
    if PlanStatus::parse(from).is_some_and(PlanStatus::is_active) {
        let (account_id, kind): (Uuid, String) = plans::table.find(plan_id).select((plans::account_id, plans::kind)).first(conn)?;
        account_status::follow_plan(conn, creditor_id, account_id, &kind, to.as_str(), Some(user.id))?;
    }
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(creditor_id),
            actor_user_id: Some(user.id),
            action: "plan.status_changed",
            entity_type: "plan",
            entity_id: plan_id,
            // The reason is free text and stays on the plan row, out of the audit trail.
            details: json!({ "from": from, "to": to, "on": on }),
        },
    )?;
    Ok(())
}
