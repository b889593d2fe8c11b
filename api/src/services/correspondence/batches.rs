//! Batches: one template for a list of accounts, in one transaction with
//! its `Idempotency-Key`. Each account goes through the contact rules like a
//! single letter; a blocked account gets a `blocked` row with the reason
//! codes and nothing is made or sent for it.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::correspondence::{BatchDto, BatchItemDto, BatchRequest, CorrespondenceStatus, BATCH_MAX_ACCOUNTS};
use shared::FieldError;
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::idempotency::{self, IdempotencyKey, Outcome};
use super::super::ledger::lock_accounts;
use super::generate::{insert, prepare, Prepared};
use super::read::{draw, letter_document, Row};
use super::{check_template_creditor, load_version, load_version_by_id};
use crate::auth::CurrentUser;
use crate::db::schema::{accounts, correspondence, correspondence_batches};
use crate::error::{ApiError, ApiResult};
use crate::services::accounts::{ids_matching, AccountFilter};

/// How many missing account ids an error lists before it only counts them.
const LISTED_IDS: usize = 5;

/// Counts of one batch.
#[derive(Default)]
struct Counts {
    generated: i32,
    queued: i32,
    blocked: i32,
    failed: i32,
}

/// The accounts of a batch, by id or by filter, already checked for shape.
pub enum BatchAccounts {
    Ids(Vec<Uuid>),
    Filter(AccountFilter),
}

/// `POST /correspondence-batches`; managers and administrators. A filter
/// is resolved to account ids inside the idempotent transaction, so a retry
/// with the same key returns the first batch even if the accounts changed.
pub fn create(
    conn: &mut PgConnection,
    user: &CurrentUser,
    request: &BatchRequest,
    accounts: &BatchAccounts,
    key: &IdempotencyKey,
    public_url: &str,
) -> ApiResult<Outcome> {
    user.require(shared::users::Role::sees_all_accounts, "generate correspondence batches")?;
    if let BatchAccounts::Ids(ids) = accounts {
        check_account_ids(ids)?;
    }
    let outcome = idempotency::once(conn, user, key, "POST /correspondence-batches", request, 201, |conn| {
        let ids = match accounts {
            BatchAccounts::Ids(ids) => ids.clone(),
            BatchAccounts::Filter(filter) => filtered_ids(conn, user, filter)?,
        };
        let batch_id = generate(conn, user, request.template_id, request.version, &ids, public_url)?;
        load(conn, batch_id)
    })?;
    if !outcome.replayed {
        tracing::info!(
            correspondence_batch.id = %outcome.body["id"].as_str().unwrap_or(""),
            requested = outcome.body["requested"].as_i64().unwrap_or(0),
            blocked = outcome.body["blocked"].as_i64().unwrap_or(0),
            "correspondence batch generated"
        );
    }
    Ok(outcome)
}

/// Checks the shape of a batch request: exactly one of `account_ids` and
/// `filter`, the filter's keys and values as `GET /accounts` reads them.
pub fn check_shape(request: &BatchRequest, parse_filter: impl Fn(&BTreeMap<String, String>) -> Result<AccountFilter, Vec<FieldError>>) -> ApiResult<BatchAccounts> {
    match (&request.account_ids, &request.filter) {
        (Some(_), Some(_)) => Err(ApiError::invalid_field("account_ids", "send either account_ids or filter, not both")),
        (None, None) => Err(ApiError::validation(vec![FieldError::new(
            "account_ids",
            "missing",
            "account_ids or filter is missing; send the accounts to write to",
        )])),
        (Some(ids), None) => Ok(BatchAccounts::Ids(ids.clone())),
        (None, Some(map)) => parse_filter(map).map(BatchAccounts::Filter).map_err(ApiError::validation),
    }
}

/// Resolves a filter to 1 to `BATCH_MAX_ACCOUNTS` account ids.
fn filtered_ids(conn: &mut PgConnection, user: &CurrentUser, filter: &AccountFilter) -> ApiResult<Vec<Uuid>> {
    let ids = ids_matching(conn, user, filter, BATCH_MAX_ACCOUNTS + 1)?;
    if ids.is_empty() {
        return Err(ApiError::invalid_field("filter", "the filter selects no accounts; widen it or check the account list with the same filters"));
    }
    if ids.len() > BATCH_MAX_ACCOUNTS {
        return Err(ApiError::invalid_field(
            "filter",
            format!("the filter selects more than {BATCH_MAX_ACCOUNTS} accounts; narrow it, for example by creditor_id or dpd, and send several batches"),
        ));
    }
    Ok(ids)
}

fn check_account_ids(ids: &[Uuid]) -> ApiResult<()> {
    if ids.is_empty() || ids.len() > BATCH_MAX_ACCOUNTS {
        return Err(ApiError::invalid_field(
            "account_ids",
            format!("account_ids has {} ids; send 1 to {BATCH_MAX_ACCOUNTS}, and split larger lists into several batches", ids.len()),
        ));
    }
    let mut seen = HashSet::with_capacity(ids.len());
    if let Some(repeated) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(ApiError::invalid_field(
            "account_ids",
            format!("account_ids contains {repeated} more than once; send each account once"),
        ));
    }
    Ok(())
}

/// Generates the batch in the caller's transaction and returns its id.
/// Used by `create` and by the benchmark, which has no HTTP request.
pub fn generate(
    conn: &mut PgConnection,
    user: &CurrentUser,
    template_id: Uuid,
    version: Option<i32>,
    account_ids: &[Uuid],
    public_url: &str,
) -> ApiResult<Uuid> {
    let version = load_version(conn, template_id, version)?;
    // Locked in id order, as payments lock accounts, so batches and postings cannot deadlock.
    let locked = lock_accounts(conn, account_ids)?;
    if locked.len() < account_ids.len() {
        let found: HashSet<Uuid> = locked.iter().map(|account| account.id).collect();
        let missing: Vec<String> = account_ids.iter().filter(|id| !found.contains(id)).map(Uuid::to_string).collect();
        let listed = missing.iter().take(LISTED_IDS).cloned().collect::<Vec<_>>().join(", ");
        let more = if missing.len() > LISTED_IDS { format!(" and {} more", missing.len() - LISTED_IDS) } else { String::new() };
        return Err(ApiError::validation(vec![FieldError::new(
            "account_ids",
            "not_found",
            format!("no account has the id {listed}{more}; remove these ids from account_ids"),
        )]));
    }
    for account in &locked {
        check_template_creditor(&version, account.creditor_id)?;
    }
    let creditors: HashSet<Uuid> = locked.iter().map(|account| account.creditor_id).collect();
    let creditor_id = if creditors.len() == 1 { creditors.into_iter().next() } else { None };

    let batch_id = Uuid::now_v7();
    diesel::insert_into(correspondence_batches::table)
        .values((
            correspondence_batches::id.eq(batch_id),
            correspondence_batches::creditor_id.eq(creditor_id),
            correspondence_batches::template_version_id.eq(version.id),
            correspondence_batches::requested.eq(locked.len() as i32),
            correspondence_batches::generated.eq(0),
            correspondence_batches::queued.eq(0),
            correspondence_batches::blocked.eq(0),
            correspondence_batches::failed.eq(0),
            correspondence_batches::created_by.eq(user.id),
        ))
        .execute(conn)?;

    let mut counts = Counts::default();
    for account in &locked {
        let outcome = match prepare(conn, account, &version, public_url)? {
            Prepared::Ready(draft) => {
                match version.channel {
                    shared::correspondence::TemplateChannel::Letter => counts.generated += 1,
                    shared::correspondence::TemplateChannel::Email => counts.queued += 1,
                }
                Ok(draft)
            }
            Prepared::Blocked(reasons) => {
                counts.blocked += 1;
                let codes = reasons.iter().map(|reason| reason.code.as_str().to_string()).collect();
                Err((CorrespondenceStatus::Blocked, codes, None))
            }
            Prepared::Unusable(problems) => {
                counts.failed += 1;
                let messages: Vec<String> = problems.into_iter().map(|problem| problem.message).collect();
                Err((CorrespondenceStatus::Failed, Vec::new(), Some(messages.join("; "))))
            }
        };
        insert(conn, user.id, account, &version, Some(batch_id), outcome)?;
    }

    diesel::update(correspondence_batches::table.find(batch_id))
        .set((
            correspondence_batches::generated.eq(counts.generated),
            correspondence_batches::queued.eq(counts.queued),
            correspondence_batches::blocked.eq(counts.blocked),
            correspondence_batches::failed.eq(counts.failed),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id,
            actor_user_id: Some(user.id),
            action: "correspondence_batch.generated",
            entity_type: "correspondence_batch",
            entity_id: batch_id,
            details: json!({
                "template_version_id": version.id,
                "requested": locked.len(),
                "generated": counts.generated,
                "queued": counts.queued,
                "blocked": counts.blocked,
                "failed": counts.failed,
            }),
        },
    )?;
    Ok(batch_id)
}

/// `GET /correspondence-batches/{id}`; managers and administrators.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, batch_id: Uuid) -> ApiResult<BatchDto> {
    user.require(shared::users::Role::sees_all_accounts, "read correspondence batches")?;
    load(conn, batch_id)
}

fn load(conn: &mut PgConnection, batch_id: Uuid) -> ApiResult<BatchDto> {
    type BatchColumns = (Uuid, i32, i32, i32, i32, i32, Uuid, DateTime<Utc>);
    let (template_version_id, requested, generated, queued, blocked, failed, created_by, created_at): BatchColumns =
        correspondence_batches::table
            .find(batch_id)
            .select((
                correspondence_batches::template_version_id,
                correspondence_batches::requested,
                correspondence_batches::generated,
                correspondence_batches::queued,
                correspondence_batches::blocked,
                correspondence_batches::failed,
                correspondence_batches::created_by,
                correspondence_batches::created_at,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("correspondence batch"))?;
    let version = load_version_by_id(conn, template_version_id)?;
    let rows: Vec<(Uuid, Uuid, String, Vec<String>, Option<String>)> = correspondence::table
        .filter(correspondence::batch_id.eq(batch_id))
        .order(correspondence::id)
        .select((
            correspondence::id,
            correspondence::account_id,
            correspondence::status,
            correspondence::blocked_reasons,
            correspondence::last_error,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(id, account_id, status, blocked_reasons, error)| {
            let status = CorrespondenceStatus::parse(&status)
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("correspondence {id} has an unknown status '{status}'")))?;
            Ok(BatchItemDto { account_id, correspondence_id: id, status, blocked_reasons, error })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(BatchDto {
        id: batch_id,
        template_version_id,
        channel: version.channel,
        requested,
        generated,
        queued,
        blocked,
        failed,
        created_by,
        created_at,
        items,
    })
}

/// `GET /correspondence-batches/{id}/print-file`: every generated letter of
/// the batch in one PDF, in the order they were generated, each starting on
/// a new page.
pub fn print_file(conn: &mut PgConnection, user: &CurrentUser, batch_id: Uuid) -> ApiResult<Vec<u8>> {
    user.require(shared::users::Role::sees_all_accounts, "print correspondence batches")?;
    let exists = correspondence_batches::table.find(batch_id).count().get_result::<i64>(conn)? > 0;
    if !exists {
        return Err(ApiError::not_found("correspondence batch"));
    }
    let rows: Vec<(Row, String)> = correspondence::table
        .inner_join(accounts::table)
        .filter(correspondence::batch_id.eq(batch_id))
        .order(correspondence::id)
        .select((Row::as_select(), accounts::account_ref))
        .load(conn)?;
    let letters: Vec<_> = rows.iter().filter_map(|(row, account_ref)| letter_document(row, account_ref)).collect();
    if letters.is_empty() {
        return Err(ApiError::new(
            shared::ErrorCode::UnprocessableState,
            format!("correspondence batch {batch_id} has no generated letters to print; it holds emails, or every account was blocked"),
        ));
    }
    draw(&letters, &format!("Print file for batch {batch_id}"))
}
