//! Reading plans with their instalments.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use shared::plans::{Finding, Frequency, InstalmentDto, InstalmentStatus, PlanDto, PlanKind, PlanStatus, PlanTerms};
use shared::users::Role;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::schema::{accounts, daily_runs, plan_instalments, plans};
use crate::error::{ApiError, ApiResult};

/// Most plans one list returns.
const LIST_LIMIT: i64 = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = plans)]
struct PlanRow {
    id: Uuid,
    creditor_id: Uuid,
    account_id: Uuid,
    kind: String,
    status: String,
    frequency: String,
    start_date: NaiveDate,
    instalment_count: i32,
    down_payment: i64,
    settlement_amount: Option<i64>,
    currency: String,
    balance_at_creation: i64,
    total_to_pay: i64,
    total_interest: i64,
    annual_rate_bp: i32,
    grace_days: i32,
    missed_to_break: i32,
    findings: serde_json::Value,
    required_approver: Option<String>,
    note: Option<String>,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    decided_by: Option<Uuid>,
    decided_at: Option<DateTime<Utc>>,
    decision_note: Option<String>,
    replaces_plan_id: Option<Uuid>,
    paid_to_date: i64,
    missed_count: i32,
    closed_on: Option<NaiveDate>,
    close_reason: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = plan_instalments)]
struct InstalmentRow {
    id: Uuid,
    plan_id: Uuid,
    number: i32,
    due_on: NaiveDate,
    amount: i64,
    principal: i64,
    interest: i64,
    paid: i64,
    status: String,
    missed: bool,
}

/// One plan, if the user may see its account.
pub fn load(conn: &mut PgConnection, user: &CurrentUser, plan_id: Uuid) -> ApiResult<PlanDto> {
    let row: PlanRow = plans::table
        .find(plan_id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    if !may_see(conn, user, row.account_id)? {
        return Err(ApiError::not_found("plan"));
    }
    Ok(build(conn, vec![row])?.pop().expect("one row in, one plan out"))
}

/// The account's plans, newest first.
pub fn list_for_account(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<Vec<PlanDto>> {
    if !may_see(conn, user, account_id)? {
        return Err(ApiError::not_found("account"));
    }
    let rows = plans::table
        .filter(plans::account_id.eq(account_id))
        .order(plans::created_at.desc())
        .limit(LIST_LIMIT)
        .select(PlanRow::as_select())
        .load(conn)?;
    build(conn, rows)
}

/// Plans in one status over all accounts, oldest first: the approval queue.
pub fn list_by_status(conn: &mut PgConnection, user: &CurrentUser, status: PlanStatus) -> ApiResult<Vec<PlanDto>> {
    user.require(Role::sees_all_accounts, "list plans over all accounts")?;
    let rows = plans::table
        .filter(plans::status.eq(status.as_str()))
        .order(plans::created_at.asc())
        .limit(LIST_LIMIT)
        .select(PlanRow::as_select())
        .load(conn)?;
    build(conn, rows)
}

fn may_see(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<bool> {
    let agent: Option<Option<Uuid>> =
        accounts::table.find(account_id).select(accounts::assigned_agent_id).first(conn).optional()?;
    Ok(match agent {
        None => false,
        Some(agent) => user.role.sees_all_accounts() || agent == Some(user.id),
    })
}

fn build(conn: &mut PgConnection, rows: Vec<PlanRow>) -> ApiResult<Vec<PlanDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let account_ids: Vec<Uuid> = rows.iter().map(|r| r.account_id).collect();
    let creditor_ids: Vec<Uuid> = rows.iter().map(|r| r.creditor_id).collect();
    let mut instalments: HashMap<Uuid, Vec<InstalmentDto>> = HashMap::new();
    for i in plan_instalments::table
        .filter(plan_instalments::plan_id.eq_any(&ids))
        .order((plan_instalments::plan_id, plan_instalments::number))
        .select(InstalmentRow::as_select())
        .load(conn)?
    {
        instalments.entry(i.plan_id).or_default().push(InstalmentDto {
            id: i.id,
            number: i.number as u32,
            due_on: i.due_on,
            amount: i.amount,
            principal: i.principal,
            interest: i.interest,
            paid: i.paid,
            status: InstalmentStatus::parse(&i.status).unwrap_or(InstalmentStatus::Pending),
            missed: i.missed,
        });
    }
    let refs: HashMap<Uuid, String> = accounts::table
        .filter(accounts::id.eq_any(&account_ids))
        .select((accounts::id, accounts::account_ref))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect();
    let replaced_by: HashMap<Uuid, Uuid> = plans::table
        .filter(plans::replaces_plan_id.eq_any(&ids))
        .select((plans::replaces_plan_id.assume_not_null(), plans::id))
        .load::<(Uuid, Uuid)>(conn)?
        .into_iter()
        .collect();
    let evaluated: HashMap<Uuid, Option<NaiveDate>> = daily_runs::table
        .filter(daily_runs::creditor_id.eq_any(&creditor_ids))
        .group_by(daily_runs::creditor_id)
        .select((daily_runs::creditor_id, diesel::dsl::max(daily_runs::run_on)))
        .load::<(Uuid, Option<NaiveDate>)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|r| {
            let findings: Vec<Finding> = serde_json::from_value(r.findings).map_err(ApiError::internal)?;
            let bad = |what: &str, value: &str| ApiError::internal(anyhow::anyhow!("plan {} has an unknown {what} '{value}'", r.id));
            let kind = PlanKind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?;
            let frequency = Frequency::parse(&r.frequency).ok_or_else(|| bad("frequency", &r.frequency))?;
            let status = PlanStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?;
            let required_approver = match r.required_approver.as_deref() {
                None => None,
                Some(text) => Some(text.parse::<Role>().map_err(|_| bad("approver", text))?),
            };
            let discount = r.settlement_amount.map_or(0, |s| r.balance_at_creation - s);
            Ok(PlanDto {
                id: r.id,
                account_id: r.account_id,
                creditor_id: r.creditor_id,
                account_ref: refs.get(&r.account_id).cloned().unwrap_or_default(),
                currency: r.currency.parse::<shared::Currency>().map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?,
                terms: PlanTerms {
                    kind,
                    frequency,
                    start_date: r.start_date,
                    instalment_count: r.instalment_count as u32,
                    down_payment: r.down_payment,
                    settlement_amount: r.settlement_amount,
                },
                status,
                balance_at_creation: r.balance_at_creation,
                total_to_pay: r.total_to_pay,
                total_interest: r.total_interest,
                discount,
                annual_rate_bp: r.annual_rate_bp as u32,
                grace_days: r.grace_days as u32,
                missed_to_break: r.missed_to_break as u32,
                findings,
                required_approver,
                note: r.note,
                created_by: r.created_by,
                created_at: r.created_at,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                decision_note: r.decision_note,
                replaces_plan_id: r.replaces_plan_id,
                replaced_by_plan_id: replaced_by.get(&r.id).copied(),
                closed_on: r.closed_on,
                close_reason: r.close_reason,
                paid_to_date: r.paid_to_date,
                missed_count: r.missed_count as u32,
                evaluated_through: evaluated.get(&r.creditor_id).copied().flatten(),
                instalments: instalments.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}
