//! Handling of each new entry, one entry per transaction. A confident
//! credit is posted as a payment, a return of a posted credit reverses that
//! payment, and anything else waits for review.
//!
//! Payments and reversals go through `payments::post` and
//! `payments::reverse` (nested in this transaction as a savepoint) with an
//! `Idempotency-Key` made from the entry id. The entry row is locked and its
//! key is unique per bank account, so an entry can post at most one payment
//! however often a file is uploaded or a request retried.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Uuid as SqlUuid};
use serde_json::json;
use shared::bank_statements::{EntryStatus, MatchCandidate};
use shared::payments::{Instrument, PaymentMethod, PaymentRequest, ReceiptDelivery, ReversalReason, ReversalRequest};
use shared::ErrorCode;
use uuid::Uuid;

use super::matching::{self, Credit};
use crate::auth::CurrentUser;
use crate::db::schema::bank_statement_entries;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};
use crate::services::idempotency::IdempotencyKey;
use crate::services::payments;

/// The stored entry fields that settling and manual matching read.
#[derive(QueryableByName, Debug, Clone)]
pub struct EntryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub creditor_id: Uuid,
    #[diesel(sql_type = Text)]
    pub bank_account: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub booking_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub value_date: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub reversal: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub bank_status: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub transaction_count: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub bank_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub customer_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub end_to_end_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub creditor_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub counterparty_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub remittance_info: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub return_reason: Option<String>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub match_reason: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub candidates: serde_json::Value,
    #[diesel(sql_type = Date)]
    pub today: NaiveDate,
}

impl EntryRow {
    /// Returns the day the money arrived: the booking date, else the value date, else today.
    pub fn received_on(&self) -> NaiveDate {
        self.booking_date.or(self.value_date).unwrap_or(self.today)
    }

    pub fn is_booked(&self) -> bool {
        !matches!(self.bank_status.as_deref(), Some("PDNG" | "INFO" | "FUTR"))
    }

    pub fn candidates(&self) -> Vec<MatchCandidate> {
        serde_json::from_value(self.candidates.clone()).unwrap_or_default()
    }

    /// Builds the payment that posting this entry makes, by the import or by hand.
    pub fn payment_request(&self) -> ApiResult<PaymentRequest> {
        let currency = self.currency.parse().map_err(|_| {
            ApiError::new(ErrorCode::UnprocessableState, format!("the entry's currency {} is not one payments accept", self.currency))
        })?;
        let reference = self.bank_reference.clone().or_else(|| self.end_to_end_id.clone()).or_else(|| self.customer_reference.clone());
        Ok(PaymentRequest {
            amount: self.amount,
            currency,
            method: PaymentMethod::BankTransfer,
            received_on: Some(self.received_on()),
            instrument: Instrument { reference, ..Instrument::default() },
            spread: None,
            receipt_book: None,
            receipt_delivery: ReceiptDelivery::None,
        })
    }

    /// Returns the `Idempotency-Key` under which this entry's payment is posted.
    pub fn payment_key(&self) -> IdempotencyKey {
        key(&format!("bank-statement-entry-{}", self.id))
    }
}

fn key(text: &str) -> IdempotencyKey {
    let value = actix_web::http::header::HeaderValue::from_str(text).expect("entry keys are visible ASCII");
    IdempotencyKey::from_header(Some(&value)).expect("entry keys are short visible ASCII")
}

/// Loads an entry and locks its row until the transaction ends.
pub fn lock_entry(conn: &mut PgConnection, entry_id: Uuid) -> ApiResult<EntryRow> {
    diesel::sql_query(
        "SELECT e.id, e.creditor_id, e.bank_account, e.booking_date, e.value_date, e.amount, e.currency::text AS currency,
                e.reversal, e.bank_status, e.transaction_count, e.bank_reference, e.customer_reference, e.end_to_end_id,
                e.bank_details->>'creditor_reference' AS creditor_reference, e.counterparty_name, e.remittance_info, e.return_reason, e.status, e.match_reason,
                e.candidates, (now() AT TIME ZONE c.time_zone)::date AS today
         FROM bank_statement_entries e JOIN creditors c ON c.id = e.creditor_id
         WHERE e.id = $1 FOR UPDATE OF e",
    )
    .bind::<SqlUuid, _>(entry_id)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| ApiError::not_found("bank statement entry"))
}

/// Matches and posts a new credit, or reverses the payment a debit returns.
/// Returns the entry's status afterwards.
pub fn settle(conn: &mut PgConnection, user: &CurrentUser, entry_id: Uuid) -> ApiResult<EntryStatus> {
    conn.transaction(|conn| {
        let entry = lock_entry(conn, entry_id)?;
        if entry.amount > 0 {
            settle_credit(conn, user, &entry)
        } else {
            settle_debit(conn, user, &entry)
        }
    })
}

fn settle_credit(conn: &mut PgConnection, user: &CurrentUser, entry: &EntryRow) -> ApiResult<EntryStatus> {
    if entry.transaction_count > 1 {
        let reason = format!(
            "a batch of {} transactions booked as one entry; post each transaction on its account and then dismiss this entry",
            entry.transaction_count
        );
        return record(conn, entry.id, EntryStatus::NeedsReview, Update { reason, ..Update::default() });
    }
    let texts: Vec<&str> = [&entry.remittance_info, &entry.end_to_end_id, &entry.customer_reference, &entry.creditor_reference]
        .into_iter()
        .filter_map(|t| t.as_deref())
        .collect();
    let credit = Credit {
        creditor_id: entry.creditor_id,
        amount: entry.amount,
        currency: &entry.currency,
        texts,
        counterparty_name: entry.counterparty_name.as_deref(),
    };
    let result = matching::find(conn, &credit)?;
    let candidates = serde_json::to_value(&result.candidates).map_err(anyhow::Error::from)?;
    let Some(best) = result.confident().cloned() else {
        let confidence = result.candidates.first().map(|c| c.confidence);
        return record(
            conn,
            entry.id,
            EntryStatus::NeedsReview,
            Update { reason: result.reason, confidence, candidates, ..Update::default() },
        );
    };
    if entry.received_on() > entry.today {
        let reason = format!(
            "{}; not posted because the bank books it on {}, after today; match it by hand from that day",
            result.reason,
            entry.received_on()
        );
        let update = Update { reason, confidence: Some(best.confidence), candidates, ..Update::default() };
        return record(conn, entry.id, EntryStatus::NeedsReview, update);
    }

    let request = entry.payment_request()?;
    match payments::post(conn, user, best.account_id, &entry.payment_key(), request) {
        Ok(outcome) => {
            let payment_id = payment_id_of(&outcome.body)?;
            let update = Update {
                reason: result.reason,
                confidence: Some(best.confidence),
                candidates,
                account_id: Some(best.account_id),
                payment_id: Some(payment_id),
            };
            record(conn, entry.id, EntryStatus::MatchedPosted, update)?;
            audit_match(conn, user, entry, best.account_id, payment_id, "bank_statement_entry.matched", best.confidence)?;
            Ok(EntryStatus::MatchedPosted)
        }
        Err(error) if error.code.http_status() < 500 => {
            tracing::warn!(entry.id = %entry.id, account.id = %best.account_id, error.code = error.code.as_str(), "matched bank credit could not be posted");
            let reason = format!("{}; posting it failed: {}", result.reason, error.message);
            let update = Update { reason, confidence: Some(best.confidence), candidates, ..Update::default() };
            record(conn, entry.id, EntryStatus::NeedsReview, update)
        }
        Err(error) => Err(error),
    }
}

fn settle_debit(conn: &mut PgConnection, user: &CurrentUser, entry: &EntryRow) -> ApiResult<EntryStatus> {
    let unmatched = if entry.reversal { EntryStatus::UnmatchedReversal } else { EntryStatus::IgnoredDebit };
    let originals = find_originals(conn, entry)?;
    let original = match originals.as_slice() {
        [] => {
            let reason = if entry.reversal {
                "a reversal, but no posted credit of this amount has its bank reference, end-to-end id or customer reference; find the payment and reverse it by hand, then dismiss this entry".to_string()
            } else {
                "a debit from the bank account; it returns no posted credit".to_string()
            };
            return record(conn, entry.id, unmatched, Update { reason, ..Update::default() });
        }
        [only] => only,
        several => {
            let reason = format!(
                "{} posted credits have this entry's reference and amount; reverse the right payment by hand, then dismiss this entry",
                several.len()
            );
            return record(conn, entry.id, EntryStatus::UnmatchedReversal, Update { reason, ..Update::default() });
        }
    };

    let reason_code = entry.return_reason.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let reversal_reason = reversal_reason(reason_code);
    let note = match reason_code {
        Some(code) => format!("returned by the bank: bank statement entry {}, return reason {code}", entry.id),
        None => format!("returned by the bank: bank statement entry {}", entry.id),
    };
    let request = ReversalRequest { reason: reversal_reason, note: Some(note) };
    let reversal_key = key(&format!("bank-statement-entry-{}-reversal", entry.id));
    let described = format!("returns the credit of entry {} (same {})", original.id, original.matched_on);
    let update = |reason: String| Update {
        reason,
        confidence: Some(100),
        account_id: Some(original.account_id),
        payment_id: Some(original.payment_id),
        ..Update::default()
    };
    match payments::reverse(conn, user, original.payment_id, &reversal_key, request) {
        Ok(_) => {
            let reason = format!("{described}; its payment was reversed as {}", reversal_reason.as_str());
            record(conn, entry.id, EntryStatus::ReversedPayment, update(reason))?;
            audit_match(conn, user, entry, original.account_id, original.payment_id, "bank_statement_entry.reversed_payment", 100)?;
            Ok(EntryStatus::ReversedPayment)
        }
        Err(error) if error.code == ErrorCode::AlreadyReversed => {
            let reason = format!("{described}; its payment had already been reversed, so nothing changed");
            record(conn, entry.id, EntryStatus::ReversedPayment, update(reason))
        }
        Err(error) if error.code.http_status() < 500 => {
            tracing::warn!(entry.id = %entry.id, payment.id = %original.payment_id, error.code = error.code.as_str(), "bank return could not reverse the payment");
            let reason = format!("{described}, but reversing its payment failed: {}", error.message);
            record(conn, entry.id, EntryStatus::UnmatchedReversal, Update { reason, ..Update::default() })
        }
        Err(error) => Err(error),
    }
}

struct Original {
    id: Uuid,
    account_id: Uuid,
    payment_id: Uuid,
    matched_on: &'static str,
}

/// Posted credits at the same bank account of the amount this debit takes
/// back, with its end-to-end id, bank reference or customer reference.
fn find_originals(conn: &mut PgConnection, entry: &EntryRow) -> ApiResult<Vec<Original>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        account_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        payment_id: Uuid,
        #[diesel(sql_type = Text)]
        matched_on: String,
    }

    if entry.end_to_end_id.is_none() && entry.bank_reference.is_none() && entry.customer_reference.is_none() {
        return Ok(Vec::new());
    }

    let rows: Vec<Row> = diesel::sql_query(
        "SELECT id, account_id, payment_id,
                CASE WHEN end_to_end_id = $5 THEN 'end-to-end id'
                     WHEN bank_reference = $6 THEN 'bank reference'
                     ELSE 'customer reference' END AS matched_on
         FROM bank_statement_entries
         WHERE creditor_id = $1 AND payment_id IS NOT NULL AND amount = $2 AND bank_account = $3 AND currency = $4
           AND status IN ('matched_posted', 'manually_matched') AND account_id IS NOT NULL AND id <> $7
           AND (end_to_end_id = $5 OR bank_reference = $6 OR customer_reference = $8)
         ORDER BY id",
    )
    .bind::<SqlUuid, _>(entry.creditor_id)
    .bind::<BigInt, _>(-entry.amount)
    .bind::<Text, _>(&entry.bank_account)
    .bind::<Text, _>(&entry.currency)
    .bind::<Nullable<Text>, _>(&entry.end_to_end_id)
    .bind::<Nullable<Text>, _>(&entry.bank_reference)
    .bind::<SqlUuid, _>(entry.id)
    .bind::<Nullable<Text>, _>(&entry.customer_reference)
    .load(conn)?;

    Ok(rows
        .into_iter()
        .map(|r| Original {
            id: r.id,
            account_id: r.account_id,
            payment_id: r.payment_id,
            matched_on: match r.matched_on.as_str() {
                "end-to-end id" => "end-to-end id",
                "bank reference" => "bank reference",
                _ => "customer reference",
            },
        })
        .collect())
}

/// Maps an ISO 20022 return reason code (ExternalReturnReason1Code) to the
/// reversal reason. Only codes that state the reason map to a specific one.
/// MS03 ("reason not specified, agent generated") maps to `other`: it does not
/// say the funds were insufficient, and `nsf` may charge the debtor a fee.
pub fn reversal_reason(code: Option<&str>) -> ReversalReason {
    match code.map(str::to_ascii_uppercase).as_deref() {
        // AM04 insufficient funds.
        Some("AM04") => ReversalReason::Nsf,
        // AC04 closed account number.
        Some("AC04") => ReversalReason::AccountClosed,
        // MS02 reason not specified, customer generated: the payer refused it.
        Some("MS02") => ReversalReason::PaymentStopped,
        // MD06 refund requested by the payer; MD01 no valid mandate.
        Some("MD06" | "MD01") => ReversalReason::Disputed,
        _ => ReversalReason::Other,
    }
}

/// The new state of an entry.
#[derive(Default)]
pub struct Update {
    pub reason: String,
    pub confidence: Option<i32>,
    pub candidates: serde_json::Value,
    pub account_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
}

fn record(conn: &mut PgConnection, entry_id: Uuid, status: EntryStatus, update: Update) -> ApiResult<EntryStatus> {
    let candidates = if update.candidates.is_null() { json!([]) } else { update.candidates };
    diesel::update(bank_statement_entries::table.find(entry_id))
        .set((
            bank_statement_entries::status.eq(status.as_str()),
            bank_statement_entries::match_reason.eq(&update.reason),
            bank_statement_entries::confidence.eq(update.confidence),
            bank_statement_entries::candidates.eq(candidates),
            bank_statement_entries::account_id.eq(update.account_id),
            bank_statement_entries::payment_id.eq(update.payment_id),
            bank_statement_entries::updated_at.eq(chrono::Utc::now()),
        ))
        .execute(conn)?;
    Ok(status)
}

pub fn payment_id_of(body: &serde_json::Value) -> ApiResult<Uuid> {
    body["id"].as_str().and_then(|id| id.parse().ok()).ok_or_else(|| ApiError::internal(anyhow::anyhow!("the payment response has no id")))
}

pub fn audit_match(
    conn: &mut PgConnection,
    user: &CurrentUser,
    entry: &EntryRow,
    account_id: Uuid,
    payment_id: Uuid,
    action: &str,
    confidence: i32,
) -> ApiResult<()> {
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(entry.creditor_id),
            actor_user_id: Some(user.id),
            action,
            entity_type: "bank_statement_entry",
            entity_id: entry.id,
            details: json!({
                "account_id": account_id,
                "payment_id": payment_id,
                "amount": entry.amount,
                "currency": entry.currency,
                "confidence": confidence,
            }),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_codes_map_to_reasons() {
        assert_eq!(reversal_reason(Some("AM04")), ReversalReason::Nsf);
        assert_eq!(reversal_reason(Some("ac04")), ReversalReason::AccountClosed);
        assert_eq!(reversal_reason(Some("MS02")), ReversalReason::PaymentStopped);
        assert_eq!(reversal_reason(Some("MD06")), ReversalReason::Disputed);
        assert_eq!(reversal_reason(Some("MS03")), ReversalReason::Other);
        assert_eq!(reversal_reason(None), ReversalReason::Other);
    }
}
