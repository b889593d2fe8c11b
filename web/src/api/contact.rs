//! Contact work: whether the debtor may be contacted, logging calls,
//! disputes and their verification, and the account's timeline.

use chrono::{DateTime, SecondsFormat, Utc};
use shared::contact::{CallDto, CallRequest, Channel, DisputeDto, DisputeRequest, EligibilityDto, VerificationRequest};
use shared::timeline::TimelineDto;
use shared::Page;
use uuid::Uuid;

use super::client::{read_json, Call};
use super::error::ApiError;

/// Asks whether the debtor may be contacted on `channel` at `at` (now when
/// absent), on the number `phone` when one is given.
pub async fn contact_eligibility(
    account_id: Uuid,
    channel: Channel,
    at: Option<DateTime<Utc>>,
    phone: Option<String>,
) -> Result<EligibilityDto, ApiError> {
    let mut params = vec![("channel", channel.as_str().to_string())];
    if let Some(phone) = phone {
        params.push(("phone", phone));
    }
    if let Some(at) = at {
        params.push(("at", at.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    read_json(Call::get(format!("/accounts/{account_id}/contact-eligibility")).query(params).send().await?).await
}

/// Logs a call on the account.
pub async fn log_call(account_id: Uuid, request: &CallRequest) -> Result<CallDto, ApiError> {
    read_json(Call::post(format!("/accounts/{account_id}/calls")).json(request)?.send().await?).await
}

/// Loads the newest entries of the account's timeline.
pub async fn account_timeline(account_id: Uuid) -> Result<TimelineDto, ApiError> {
    read_json(Call::get(format!("/accounts/{account_id}/timeline")).send().await?).await
}

/// Lists the account's disputes, newest first.
pub async fn list_disputes(account_id: Uuid) -> Result<Vec<DisputeDto>, ApiError> {
    let page: Page<DisputeDto> = read_json(Call::get(format!("/accounts/{account_id}/disputes")).send().await?).await?;
    Ok(page.items)
}

/// Records the debtor's dispute, which puts the account on a dispute hold.
pub async fn raise_dispute(account_id: Uuid, request: &DisputeRequest) -> Result<DisputeDto, ApiError> {
    read_json(Call::post(format!("/accounts/{account_id}/disputes")).json(request)?.send().await?).await
}

/// Records the verification sent for a dispute. Only managers and admins may call this.
pub async fn verify_dispute(dispute_id: Uuid, request: &VerificationRequest) -> Result<DisputeDto, ApiError> {
    read_json(Call::post(format!("/disputes/{dispute_id}/verification")).json(request)?.send().await?).await
}
