//! Repayment plans: the creditor's repayment policy, the plans of an
//! account, the approval queue, approval decisions and cancellation.
//!
//! NOTE: the list endpoints return one page of at most 200 items and no
//! cursor, so only that first page is read.

use shared::plans::{
    CreatePlanRequest, PlanCancellationRequest, PlanDecisionRequest, PlanDto, PlanStatus, RepaymentPolicy,
};
use shared::Page;
use uuid::Uuid;

use super::client::{read_json, Call};
use super::error::ApiError;

pub async fn get_repayment_policy(creditor_id: Uuid) -> Result<RepaymentPolicy, ApiError> {
    read_json(Call::get(format!("/creditors/{creditor_id}/repayment-policy")).send().await?).await
}

/// Saves a plan on the account. It starts at once when it is within the
/// user's limit, and waits for approval otherwise.
pub async fn create_plan(account_id: Uuid, request: &CreatePlanRequest) -> Result<PlanDto, ApiError> {
    read_json(Call::post(format!("/accounts/{account_id}/plans")).json(request)?.send().await?).await
}

/// Lists the account's plans, newest first.
pub async fn list_account_plans(account_id: Uuid) -> Result<Vec<PlanDto>, ApiError> {
    let page: Page<PlanDto> = read_json(Call::get(format!("/accounts/{account_id}/plans")).send().await?).await?;
    Ok(page.items)
}

/// Lists the plans in `status` across the accounts the user may see, such as
/// the approval queue (`pending_approval`).
pub async fn list_plans(status: PlanStatus) -> Result<Vec<PlanDto>, ApiError> {
    let params = vec![("status", status.as_str().to_string())];
    let page: Page<PlanDto> = read_json(Call::get("/plans").query(params).send().await?).await?;
    Ok(page.items)
}

/// Approves or rejects a plan waiting for approval and returns it as it is afterwards.
pub async fn decide_plan(plan_id: Uuid, request: &PlanDecisionRequest) -> Result<PlanDto, ApiError> {
    read_json(Call::post(format!("/plans/{plan_id}/decision")).json(request)?.send().await?).await
}

/// Cancels an open plan and returns it as it is afterwards.
pub async fn cancel_plan(plan_id: Uuid, request: &PlanCancellationRequest) -> Result<PlanDto, ApiError> {
    read_json(Call::post(format!("/plans/{plan_id}/cancellation")).json(request)?.send().await?).await
}
