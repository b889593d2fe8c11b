//! Promises to pay.

use shared::plans::{PromiseDto, PromiseRequest};
use shared::Page;
use uuid::Uuid;

use super::client::{read_json, Call};
use super::error::ApiError;

/// Records the debtor's promise to pay on the account.
pub async fn create_promise(account_id: Uuid, request: &PromiseRequest) -> Result<PromiseDto, ApiError> {
    read_json(Call::post(format!("/accounts/{account_id}/promises")).json(request)?.send().await?).await
}

/// Lists the account's promises, newest first.
pub async fn list_promises(account_id: Uuid) -> Result<Vec<PromiseDto>, ApiError> {
    let page: Page<PromiseDto> = read_json(Call::get(format!("/accounts/{account_id}/promises")).send().await?).await?;
    Ok(page.items)
}
