//! Bank statement upload and the review queue of its entries.

use shared::accounts::{AccountSort, AccountSummary};
use shared::bank_statements::{DismissEntryRequest, MatchEntryRequest, StatementEntryDto, StatementImportDto};
use shared::Page;
use uuid::Uuid;

use super::accounts::{list_accounts, AccountQuery};
use super::client::{read_json, Call};
use super::error::ApiError;

/// Entries per page of the review queue.
const QUEUE_PAGE_SIZE: u32 = 50;

/// Uploads a camt.053, camt.054 or MT940 file for the creditor. The server
/// imports it while the request waits and returns the import with its counts.
pub async fn upload_statement(creditor_id: Uuid, file: &web_sys::File) -> Result<StatementImportDto, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Browser("form data could not be created".to_string()))?;
    let appended = form
        .append_with_str("creditor_id", &creditor_id.to_string())
        .and_then(|_| form.append_with_blob_and_filename("file", file, &file.name()));
    appended.map_err(|_| ApiError::Browser("the file could not be added to the upload".to_string()))?;
    read_json(Call::post("/bank-statements").multipart(form).send().await?).await
}

/// Lists one page of entries waiting for review (`needs_review` and
/// `unmatched_reversal`), oldest first. `cursor` is the `next_cursor` of the page before.
pub async fn list_review_queue(cursor: Option<String>) -> Result<Page<StatementEntryDto>, ApiError> {
    let mut params = vec![("status", "needs_review,unmatched_reversal".to_string()), ("limit", QUEUE_PAGE_SIZE.to_string())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor));
    }
    read_json(Call::get("/bank-statement-entries").query(params).send().await?).await
}

/// Posts the entry's amount to the account. Sending the same
/// `idempotency_key` and account again returns the first result.
pub async fn match_entry(entry_id: Uuid, account_id: Uuid, idempotency_key: &str) -> Result<StatementEntryDto, ApiError> {
    let call = Call::post(format!("/bank-statement-entries/{entry_id}/match"))
        .header("Idempotency-Key", idempotency_key)
        .json(&MatchEntryRequest { account_id })?;
    read_json(call.send().await?).await
}

pub async fn dismiss_entry(entry_id: Uuid, reason: &str) -> Result<StatementEntryDto, ApiError> {
    let call =
        Call::post(format!("/bank-statement-entries/{entry_id}/dismiss")).json(&DismissEntryRequest { reason: reason.to_string() })?;
    read_json(call.send().await?).await
}

/// Finds the creditor's account whose reference is `account_ref`, ignoring case.
pub async fn find_account_by_ref(creditor_id: Uuid, account_ref: &str) -> Result<Option<AccountSummary>, ApiError> {
    let query = AccountQuery {
        creditor_id: Some(creditor_id),
        q: Some(account_ref.to_string()),
        sort: AccountSort::AccountRef,
        ..AccountQuery::default()
    };
    let page = list_accounts(&query).await?;
    Ok(page.items.into_iter().find(|account| account.account_ref.eq_ignore_ascii_case(account_ref)))
}
