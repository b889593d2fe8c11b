//! The review queue: listing entries, matching one to an account by hand,
//! and dismissing one with a reason.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Nullable, Text, Uuid as SqlUuid};
use serde_json::json;
use shared::bank_statements::{check_dismiss_reason, DismissEntryRequest, EntryStatus, MatchEntryRequest, StatementEntryDto};
use shared::ErrorCode;
use uuid::Uuid;

use super::read::{load_entry, ENTRY_SELECT};
use super::require_reviewer;
use super::settle::{audit_match, lock_entry, payment_id_of, EntryRow};
use crate::auth::CurrentUser;
use crate::db::schema::bank_statement_entries;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};
use crate::services::idempotency::{self, IdempotencyKey};
use crate::services::payments::{self, Outcome};

/// Filters of `GET /bank-statement-entries`, already checked.
#[derive(Debug, Default, Clone)]
pub struct EntryFilter {
    /// Empty selects every status.
    pub statuses: Vec<EntryStatus>,
    pub import_id: Option<Uuid>,
    pub creditor_id: Option<Uuid>,
}

/// Entries in storage order (oldest first), in cursor pages; the cursor is the last entry's id.
pub fn list_entries(
    conn: &mut PgConnection,
    user: &CurrentUser,
    filter: &EntryFilter,
    limit: u32,
    cursor: Option<&str>,
) -> ApiResult<(Vec<StatementEntryDto>, Option<String>)> {
    require_reviewer(user, "see bank statement entries")?;
    let after = match cursor {
        None => None,
        Some(text) => Some(
            text.parse::<Uuid>()
                .map_err(|_| ApiError::invalid_field("cursor", "cursor is not one this server issued; start again without a cursor"))?,
        ),
    };
    let statuses: Vec<String> = filter.statuses.iter().map(|s| s.as_str().to_string()).collect();
    let sql = format!(
        "{ENTRY_SELECT}
         WHERE (cardinality($1::text[]) = 0 OR e.status = ANY($1))
           AND ($2::uuid IS NULL OR e.import_id = $2)
           AND ($3::uuid IS NULL OR e.creditor_id = $3)
           AND ($4::uuid IS NULL OR e.id > $4)
         ORDER BY e.id LIMIT $5"
    );
    let rows: Vec<super::read::EntryDtoRow> = diesel::sql_query(sql)
        .bind::<Array<Text>, _>(statuses)
        .bind::<Nullable<SqlUuid>, _>(filter.import_id)
        .bind::<Nullable<SqlUuid>, _>(filter.creditor_id)
        .bind::<Nullable<SqlUuid>, _>(after)
        .bind::<Integer, _>(limit as i32 + 1)
        .load(conn)?;
    let more = rows.len() > limit as usize;
    let items: Vec<StatementEntryDto> = rows.into_iter().take(limit as usize).map(|r| r.into_dto()).collect::<ApiResult<_>>()?;
    let next = if more { items.last().map(|e| e.id.to_string()) } else { None };
    Ok((items, next))
}

/// `POST /bank-statement-entries/{id}/match`: posts the entry's whole amount
/// to the account as a bank transfer. A retry with the same
/// `Idempotency-Key` returns the first response.
pub fn match_entry(
    conn: &mut PgConnection,
    user: &CurrentUser,
    entry_id: Uuid,
    key: &IdempotencyKey,
    request: MatchEntryRequest,
) -> ApiResult<Outcome> {
    require_reviewer(user, "match bank statement entries")?;
    let target = format!("POST /bank-statement-entries/{entry_id}/match");
    let fingerprint = idempotency::fingerprint(&target, &request);
    let outcome = conn.transaction(|conn| {
        if let Some(stored) = idempotency::claim(conn, user.id, key, &fingerprint)? {
            return Ok(Outcome { status: stored.status, body: stored.body, replayed: true });
        }
        let entry = lock_entry(conn, entry_id)?;
        check_matchable(&entry)?;
        let account_creditor: Option<Uuid> = crate::db::schema::accounts::table
            .find(request.account_id)
            .select(crate::db::schema::accounts::creditor_id)
            .first(conn)
            .optional()?;
        if account_creditor != Some(entry.creditor_id) {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "account {} is not an account of the creditor whose statement this is; choose one of its accounts",
                    request.account_id
                ),
            ));
        }
        let outcome = payments::post(conn, user, request.account_id, &entry.payment_key(), entry.payment_request()?)?;
        let payment_id = payment_id_of(&outcome.body)?;
        let candidate = entry.candidates().into_iter().find(|c| c.account_id == request.account_id);
        let confidence = candidate.as_ref().map(|c| c.confidence);
        let reason = match &candidate {
            Some(c) => format!("matched by hand to {} (the import scored it {}: {})", c.account_ref, c.confidence, c.reason),
            None => "matched by hand to an account the import had not listed".to_string(),
        };
        diesel::update(bank_statement_entries::table.find(entry_id))
            .set((
                bank_statement_entries::status.eq(EntryStatus::ManuallyMatched.as_str()),
                bank_statement_entries::account_id.eq(request.account_id),
                bank_statement_entries::payment_id.eq(payment_id),
                bank_statement_entries::confidence.eq(confidence),
                bank_statement_entries::match_reason.eq(&reason),
                bank_statement_entries::reviewed_by.eq(user.id),
                bank_statement_entries::reviewed_at.eq(Utc::now()),
                bank_statement_entries::updated_at.eq(Utc::now()),
            ))
            .execute(conn)?;
        audit_match(conn, user, &entry, request.account_id, payment_id, "bank_statement_entry.matched_by_hand", confidence.unwrap_or(0))?;
        let dto = load_entry(conn, entry_id)?;
        let body = serde_json::to_value(&dto).map_err(anyhow::Error::from)?;
        idempotency::store(conn, user.id, key, &fingerprint, 200, &body)?;
        Ok::<_, ApiError>(Outcome { status: 200, body, replayed: false })
    })?;
    if !outcome.replayed {
        tracing::info!(entry.id = %entry_id, account.id = %request.account_id, "bank statement entry matched by hand");
    }
    Ok(outcome)
}

fn check_matchable(entry: &EntryRow) -> ApiResult<()> {
    if entry.status != EntryStatus::NeedsReview.as_str() {
        return Err(ApiError::conflict(format!("the entry is {}; only entries in needs_review can be matched", entry.status)));
    }
    let unprocessable = |message: String| Err(ApiError::new(ErrorCode::UnprocessableState, message));
    if entry.amount <= 0 || entry.reversal {
        return unprocessable("the entry is not a credit, so it pays no account; dismiss it instead".to_string());
    }
    if !entry.is_booked() {
        return unprocessable(format!(
            "the bank marks the entry {} (not booked); wait for the booked entry in a later statement and dismiss this one",
            entry.bank_status.as_deref().unwrap_or("")
        ));
    }
    if entry.transaction_count > 1 {
        return unprocessable(format!(
            "the entry is a batch of {} transactions; post each one as a payment on its account and dismiss the entry",
            entry.transaction_count
        ));
    }
    Ok(())
}

/// `POST /bank-statement-entries/{id}/dismiss`: sets an entry aside; nothing is posted.
pub fn dismiss_entry(
    conn: &mut PgConnection,
    user: &CurrentUser,
    entry_id: Uuid,
    request: DismissEntryRequest,
) -> ApiResult<StatementEntryDto> {
    require_reviewer(user, "dismiss bank statement entries")?;
    let reason = check_dismiss_reason(&request.reason).map_err(|message| ApiError::invalid_field("reason", message))?;
    let dto = conn.transaction(|conn| {
        let entry = lock_entry(conn, entry_id)?;
        let open = [EntryStatus::NeedsReview.as_str(), EntryStatus::UnmatchedReversal.as_str()];
        if !open.contains(&entry.status.as_str()) {
            return Err(ApiError::conflict(format!(
                "the entry is {}; only entries in needs_review or unmatched_reversal can be dismissed",
                entry.status
            )));
        }
        diesel::update(bank_statement_entries::table.find(entry_id))
            .set((
                bank_statement_entries::status.eq(EntryStatus::Dismissed.as_str()),
                bank_statement_entries::dismiss_reason.eq(&reason),
                bank_statement_entries::reviewed_by.eq(user.id),
                bank_statement_entries::reviewed_at.eq(Utc::now()),
                bank_statement_entries::updated_at.eq(Utc::now()),
            ))
            .execute(conn)?;
        // The reason is free text that may name people, so the audit row keeps only the ids.
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(entry.creditor_id),
                actor_user_id: Some(user.id),
                action: "bank_statement_entry.dismissed",
                entity_type: "bank_statement_entry",
                entity_id: entry_id,
                details: json!({ "was": entry.status, "amount": entry.amount, "currency": entry.currency }),
            },
        )?;
        load_entry(conn, entry_id)
    })?;
    tracing::info!(entry.id = %entry_id, "bank statement entry dismissed");
    Ok(dto)
}
