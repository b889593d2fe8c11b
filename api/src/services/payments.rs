//! Posting payments and reversing them. Each runs in one transaction with
//! its journal entries, its receipt number and snapshot, its audit row and
//! its stored idempotent response.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::json;
use shared::accounts::Balance;
use shared::payments::{
    AllocationDto, Instrument, PaymentDto, PaymentMethod, PaymentPartDto, PaymentRequest, PaymentStatus, ReceiptDelivery,
    ReceiptDeliveryDto, ReversalDto, ReversalReason, ReversalRequest, SpreadRule,
};
use shared::users::Role;
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::audit::{self, AuditEvent};
use super::daily_run;
use super::idempotency::{once, IdempotencyKey};
use super::ledger::{self, BalanceChange, EntryHeader, LockedAccount};
use crate::auth::CurrentUser;
use crate::db::accounts::ledger_accounts::*;
use crate::db::schema::{payment_parts, payments, receipt_deliveries, receipts};
use crate::domain::allocation::{self, Allocation, AllocationOrder, SpreadTarget};
use crate::error::{ApiError, ApiResult};

pub use super::idempotency::Outcome;

/// The creditor settings a posting needs.
#[derive(QueryableByName)]
struct Policy {
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Text)]
    creditor_name: String,
    #[diesel(sql_type = Date)]
    today: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    allocation_order: Vec<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    returned_payment_fee: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    returned_payment_fee_jurisdictions: Vec<String>,
}

impl Policy {
    fn order(&self) -> ApiResult<AllocationOrder> {
        AllocationOrder::parse(&self.allocation_order).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
    }
}

fn policy_for_account(conn: &mut PgConnection, account_id: Uuid) -> ApiResult<Policy> {
    diesel::sql_query(
        "SELECT c.id AS creditor_id, c.name AS creditor_name, (now() AT TIME ZONE c.time_zone)::date AS today,
                c.allocation_order, c.returned_payment_fee, c.returned_payment_fee_jurisdictions
         FROM accounts a JOIN creditors c ON c.id = a.creditor_id WHERE a.id = $1",
    )
    .bind::<SqlUuid, _>(account_id)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| ApiError::not_found("account"))
}

fn visible_to(user: &CurrentUser, account: &LockedAccount) -> bool {
    user.role.sees_all_accounts() || account.assigned_agent_id == Some(user.id)
}

/// `POST /accounts/{id}/payments`.
pub fn post(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    key: &IdempotencyKey,
    request: PaymentRequest,
) -> ApiResult<Outcome> {
    let target = format!("POST /accounts/{account_id}/payments");
    let outcome = once(conn, user, key, &target, &request, 201, |conn| post_new(conn, user, account_id, &request))?;
    if !outcome.replayed {
        tracing::info!(account.id = %account_id, payment.id = %outcome.body["id"].as_str().unwrap_or(""), "payment posted");
    }
    Ok(outcome)
}

fn post_new(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, request: &PaymentRequest) -> ApiResult<PaymentDto> {
    let policy = policy_for_account(conn, account_id)?;
    let order = policy.order()?;
    let mut problems = shared::validation::check_payment(request, policy.today);

    let mut ids = vec![account_id];
    if let Some(spread) = &request.spread {
        if spread.other_accounts.is_empty() {
            problems.push(FieldError::new(
                "spread.other_accounts",
                "required",
                "spread.other_accounts is empty; list the debtor's other accounts to spread over, or leave spread out",
            ));
        }
        for other in &spread.other_accounts {
            if ids.contains(other) {
                problems.push(FieldError::new(
                    "spread.other_accounts",
                    "duplicate",
                    format!("account {other} is listed twice (or is the account in the path); list each other account once"),
                ));
            } else {
                ids.push(*other);
            }
        }
    }
    let locked = ledger::lock_accounts(conn, &ids)?;
    let primary = locked.iter().find(|a| a.id == account_id).filter(|a| visible_to(user, a)).ok_or_else(|| ApiError::not_found("account"))?.clone();
    if primary.currency != request.currency.code() {
        problems.push(FieldError::new(
            "currency",
            "mismatch",
            format!("currency {} differs from the account's currency {}; post the payment in {}", request.currency, primary.currency, primary.currency),
        ));
    }
    for id in &ids[1..] {
        match locked.iter().find(|a| a.id == *id) {
            Some(other) if other.status == "returned" && other.debtor_id == primary.debtor_id && visible_to(user, other) => {
                problems.push(FieldError::new(
                    "spread.other_accounts",
                    "returned",
                    format!("account {id} has been returned to the creditor; leave it out of the spread"),
                ))
            }
            Some(other) if other.debtor_id == primary.debtor_id && other.currency == primary.currency && visible_to(user, other) => {}
            Some(other) if other.debtor_id == primary.debtor_id && visible_to(user, other) => problems.push(FieldError::new(
                "spread.other_accounts",
                "mismatch",
                format!("account {id} is in {}, not {}; a payment is spread only over accounts in its currency", other.currency, primary.currency),
            )),
            _ => problems.push(FieldError::new(
                "spread.other_accounts",
                "not_found",
                format!("account {id} is not an account of this debtor that you can see; list only the debtor's accounts"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    if primary.status == "returned" {
        return Err(ApiError::new(
            ErrorCode::UnprocessableState,
            "the account has been returned to the creditor; payments for it go to the creditor",
        ));
    }

    let received_on = request.received_on.unwrap_or(policy.today);
    let held_until = match (request.method, request.instrument.cheque_date) {
        (PaymentMethod::Cheque, Some(date)) if date > policy.today => Some(date),
        _ => None,
    };
    let book = take_receipt_number(conn, user, policy.creditor_id, request.receipt_book.as_deref())?;

    let parts: Vec<(Uuid, i64)> = match &request.spread {
        None => vec![(account_id, request.amount)],
        Some(spread) => {
            let targets: Vec<SpreadTarget> = ids
                .iter()
                .filter_map(|id| locked.iter().find(|a| a.id == *id))
                .map(|a| SpreadTarget { account_id: a.id, owed: a.owed().total(), delinquent_since: a.delinquent_since })
                .collect();
            let rule = match spread.rule {
                SpreadRule::OldestFirst => allocation::SpreadRule::OldestFirst,
                SpreadRule::LargestFirst => allocation::SpreadRule::LargestFirst,
                SpreadRule::Proportional => allocation::SpreadRule::Proportional,
            };
            allocation::spread(request.amount, &targets, rule)
        }
    };

    let payment_id = Uuid::now_v7();
    let instrument = serde_json::to_value(&request.instrument).map_err(anyhow::Error::from)?;
    diesel::insert_into(payments::table)
        .values((
            payments::id.eq(payment_id),
            payments::creditor_id.eq(policy.creditor_id),
            payments::debtor_id.eq(primary.debtor_id),
            payments::account_id.eq(account_id),
            payments::currency.eq(&primary.currency),
            payments::amount.eq(request.amount),
            payments::method.eq(request.method.as_str()),
            payments::instrument.eq(&instrument),
            payments::received_on.eq(received_on),
            payments::status.eq(if held_until.is_some() { "held" } else { "posted" }),
            payments::held_until.eq(held_until),
            payments::spread_rule.eq(request.spread.as_ref().map_or("single", |s| spread_rule_name(s.rule))),
            payments::receipt_book_id.eq(book.id),
            payments::receipt_sequence.eq(book.sequence),
            payments::receipt_number.eq(&book.number),
            payments::received_by.eq(user.id),
        ))
        .execute(conn)?;
    let part_rows: Vec<_> = parts
        .iter()
        .map(|(account, amount)| {
            (
                payment_parts::payment_id.eq(payment_id),
                payment_parts::account_id.eq(*account),
                payment_parts::creditor_id.eq(policy.creditor_id),
                payment_parts::amount.eq(*amount),
            )
        })
        .collect();
    diesel::insert_into(payment_parts::table).values(&part_rows).execute(conn)?;

    if held_until.is_none() {
        let memo = format!("payment, receipt {}", book.number);
        for (account, amount) in &parts {
            let account = locked.iter().find(|a| a.id == *account).expect("parts come from locked accounts");
            apply_part(conn, account, payment_id, *amount, received_on, order, user.id, policy.today, &memo)?;
        }
    }

    issue_receipt(conn, &policy, payment_id, &book.number, user.id, held_until)?;
    plan_deliveries(conn, policy.creditor_id, payment_id, primary.debtor_id, request.receipt_delivery)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(policy.creditor_id),
            actor_user_id: Some(user.id),
            action: if held_until.is_some() { "payment.held" } else { "payment.posted" },
            entity_type: "payment",
            entity_id: payment_id,
            details: json!({
                "account_id": account_id,
                "amount": request.amount,
                "currency": primary.currency,
                "method": request.method.as_str(),
                "received_on": received_on,
                "held_until": held_until,
                "receipt_number": book.number,
                "parts": parts.iter().map(|(a, amount)| json!({ "account_id": a, "amount": amount })).collect::<Vec<_>>(),
            }),
        },
    )?;
    load_dto(conn, payment_id, account_id)
}

fn spread_rule_name(rule: SpreadRule) -> &'static str {
    match rule {
        SpreadRule::OldestFirst => "oldest_first",
        SpreadRule::LargestFirst => "largest_first",
        SpreadRule::Proportional => "proportional",
    }
}

/// Writes the payment entry of one part and settles the account. A part
/// dated before the account's latest event re-runs the allocation of the
/// whole account in date order; otherwise it is split against today's balances.
#[allow(clippy::too_many_arguments)]
fn apply_part(
    conn: &mut PgConnection,
    account: &LockedAccount,
    payment_id: Uuid,
    amount: i64,
    received_on: NaiveDate,
    order: AllocationOrder,
    actor: Uuid,
    today: NaiveDate,
    memo: &str,
) -> ApiResult<()> {
    let mut change = BalanceChange::default();
    let back_dated = account.ledger_through.is_some_and(|through| received_on < through);
    // A back-dated part is booked as unapplied credit first. The re-run then
    // moves it, and any later payment it displaces, to where date order puts them.
    let split = if back_dated {
        Allocation { unapplied: amount, ..Allocation::default() }
    } else {
        allocation::allocate(&account.owed(), amount, order)
    };
    let header = EntryHeader {
        creditor_id: account.creditor_id,
        account,
        kind: "payment",
        effective_on: received_on,
        memo,
        actor: Some(actor),
        payment_id: Some(payment_id),
    };
    let mut lines = vec![(CREDITOR_COLLECTIONS, amount)];
    lines.extend(ledger::allocation_lines(&split));
    ledger::write_entry(conn, &header, &lines, &mut change)?;
    if back_dated {
        ledger::reallocate(conn, account, order, Some(actor), today, &mut change)?;
    }
    ledger::apply_change(conn, account.id, &change, Some(received_on), Some(received_on))?;
    // Promises and plan instalments see the payment at once, not at the next daily run.
    daily_run::reevaluate_account(conn, account.id, today, Some(actor))?;
    Ok(())
}

struct TakenNumber {
    id: Uuid,
    sequence: i64,
    number: String,
}

/// Takes the next number of a receipt book. The book row stays locked
/// until the posting commits, so numbers are handed out gap-free.
fn take_receipt_number(conn: &mut PgConnection, user: &CurrentUser, creditor_id: Uuid, code: Option<&str>) -> ApiResult<TakenNumber> {
    #[derive(QueryableByName)]
    struct Book {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = Nullable<SqlUuid>)]
        collector_id: Option<Uuid>,
    }
    let book: Book = match code {
        Some(code) => diesel::sql_query("SELECT id, code, collector_id FROM receipt_books WHERE creditor_id = $1 AND code = $2")
            .bind::<SqlUuid, _>(creditor_id)
            .bind::<Text, _>(code.trim().to_ascii_uppercase())
            .get_result(conn)
            .optional()?
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "receipt_book",
                    "receipt_book names no receipt book of this creditor; leave it out to use your own or the main book",
                )
            })?,
        None => {
            let own: Option<Book> = diesel::sql_query("SELECT id, code, collector_id FROM receipt_books WHERE creditor_id = $1 AND collector_id = $2")
                .bind::<SqlUuid, _>(creditor_id)
                .bind::<SqlUuid, _>(user.id)
                .get_result(conn)
                .optional()?;
            match own {
                Some(book) => book,
                None => {
                    let main = "SELECT id, code, collector_id FROM receipt_books WHERE creditor_id = $1 AND code = 'MAIN'";
                    let existing: Option<Book> = diesel::sql_query(main).bind::<SqlUuid, _>(creditor_id).get_result(conn).optional()?;
                    if let Some(book) = existing {
                        return finish_taking(conn, user, book.id, book.code, book.collector_id);
                    }
                    // The first posting of a creditor creates its main book. The
                    // second SELECT sees a book that a concurrent first posting
                    // created, because ON CONFLICT waits for that one to commit.
                    diesel::sql_query(
                        "INSERT INTO receipt_books (id, creditor_id, code) VALUES ($1, $2, 'MAIN')
                         ON CONFLICT (creditor_id, code) DO NOTHING",
                    )
                    .bind::<SqlUuid, _>(Uuid::now_v7())
                    .bind::<SqlUuid, _>(creditor_id)
                    .execute(conn)?;
                    diesel::sql_query(main).bind::<SqlUuid, _>(creditor_id).get_result(conn)?
                }
            }
        }
    };
    finish_taking(conn, user, book.id, book.code, book.collector_id)
}

/// Checks the user may number from the book and takes its next number.
fn finish_taking(conn: &mut PgConnection, user: &CurrentUser, id: Uuid, code: String, collector_id: Option<Uuid>) -> ApiResult<TakenNumber> {
    if collector_id.is_some_and(|collector| collector != user.id) {
        return Err(ApiError::forbidden(format!("receipt book {code} belongs to another collector; use your own book")));
    }
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = BigInt)]
        sequence: i64,
    }
    let taken: Taken =
        diesel::sql_query("UPDATE receipt_books SET next_sequence = next_sequence + 1 WHERE id = $1 RETURNING next_sequence - 1 AS sequence")
            .bind::<SqlUuid, _>(id)
            .get_result(conn)?;
    Ok(TakenNumber { id, sequence: taken.sequence, number: receipt_number(&code, taken.sequence) })
}

/// `BOOK-SEQUENCE` with the sequence padded to six digits: `MAIN-000042`.
pub fn receipt_number(code: &str, sequence: i64) -> String {
    format!("{code}-{sequence:06}")
}

/// Stores the receipt's content at the moment of issue.
fn issue_receipt(
    conn: &mut PgConnection,
    policy: &Policy,
    payment_id: Uuid,
    number: &str,
    received_by: Uuid,
    held_until: Option<NaiveDate>,
) -> ApiResult<()> {
    #[derive(QueryableByName)]
    struct Snapshot {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        content: serde_json::Value,
    }
    // One query gathers the payer, accounts, split and balances after posting.
    let snapshot: Snapshot = diesel::sql_query(
        "SELECT jsonb_build_object(
             'organisation', $2::text,
             'payer_name', d.name,
             'account_refs', (SELECT jsonb_agg(a.account_ref ORDER BY a.account_ref) FROM payment_parts pp JOIN accounts a ON a.id = pp.account_id WHERE pp.payment_id = p.id),
             'currency', p.currency,
             'amount', p.amount,
             'method', p.method,
             'instrument', p.instrument,
             'received_on', p.received_on,
             'held_until', $3::date,
             'allocation', (SELECT jsonb_build_object(
                     'fees', coalesce(-sum(l.amount) FILTER (WHERE l.ledger_account = 'debtor_fees'), 0),
                     'interest', coalesce(-sum(l.amount) FILTER (WHERE l.ledger_account = 'debtor_interest'), 0),
                     'principal', coalesce(-sum(l.amount) FILTER (WHERE l.ledger_account = 'debtor_principal'), 0),
                     'unapplied', coalesce(-sum(l.amount) FILTER (WHERE l.ledger_account = 'debtor_unapplied_credit'), 0))
                 FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.payment_id = p.id),
             'balance_after', (SELECT coalesce(sum(a.total_balance), 0) FROM payment_parts pp JOIN accounts a ON a.id = pp.account_id WHERE pp.payment_id = p.id),
             'received_by', u.display_name,
             'received_by_id', u.id) AS content
         FROM payments p JOIN debtors d ON d.id = p.debtor_id JOIN users u ON u.id = $4
         WHERE p.id = $1",
    )
    .bind::<SqlUuid, _>(payment_id)
    .bind::<Text, _>(&policy.creditor_name)
    .bind::<Nullable<Date>, _>(held_until)
    .bind::<SqlUuid, _>(received_by)
    .get_result(conn)?;
    diesel::insert_into(receipts::table)
        .values((
            receipts::payment_id.eq(payment_id),
            receipts::creditor_id.eq(policy.creditor_id),
            receipts::receipt_number.eq(number),
            receipts::content.eq(&snapshot.content),
        ))
        .execute(conn)?;
    Ok(())
}

/// Queues the receipt's delivery. The sender works outside this transaction.
fn plan_deliveries(conn: &mut PgConnection, creditor_id: Uuid, payment_id: Uuid, debtor_id: Uuid, how: ReceiptDelivery) -> ApiResult<()> {
    match how {
        ReceiptDelivery::None => {}
        ReceiptDelivery::Print => {
            diesel::insert_into(receipt_deliveries::table)
                .values((
                    receipt_deliveries::id.eq(Uuid::now_v7()),
                    receipt_deliveries::payment_id.eq(payment_id),
                    receipt_deliveries::creditor_id.eq(creditor_id),
                    receipt_deliveries::channel.eq("print"),
                    receipt_deliveries::status.eq("pending"),
                ))
                .execute(conn)?;
        }
        ReceiptDelivery::Email => {
            let inserted = diesel::sql_query(
                "INSERT INTO receipt_deliveries (id, payment_id, creditor_id, channel, email_id, status)
                 SELECT gen_random_uuid(), $1, $2, 'email', e.id, 'pending'
                 FROM debtor_emails e WHERE e.debtor_id = $3 AND e.is_valid AND NOT e.opted_out",
            )
            .bind::<SqlUuid, _>(payment_id)
            .bind::<SqlUuid, _>(creditor_id)
            .bind::<SqlUuid, _>(debtor_id)
            .execute(conn)?;
            if inserted == 0 {
                diesel::insert_into(receipt_deliveries::table)
                    .values((
                        receipt_deliveries::id.eq(Uuid::now_v7()),
                        receipt_deliveries::payment_id.eq(payment_id),
                        receipt_deliveries::creditor_id.eq(creditor_id),
                        receipt_deliveries::channel.eq("email"),
                        receipt_deliveries::status.eq("failed"),
                        receipt_deliveries::last_error
                            .eq("the debtor has no valid email address that accepts mail; print the receipt instead"),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// `POST /payments/{id}/reversal`.
pub fn reverse(
    conn: &mut PgConnection,
    user: &CurrentUser,
    payment_id: Uuid,
    key: &IdempotencyKey,
    request: ReversalRequest,
) -> ApiResult<Outcome> {
    user.require(|role| role != Role::Collector, "reverse payments")?;
    if let Some(note) = &request.note {
        if note.chars().count() > 1000 {
            return Err(ApiError::invalid_field("note", "note is longer than 1000 characters; shorten it"));
        }
        shared::validation::check_free_text("note", note).map_err(|error| ApiError::validation(vec![error]))?;
    }
    let target = format!("POST /payments/{payment_id}/reversal");
    let outcome = once(conn, user, key, &target, &request, 200, |conn| reverse_now(conn, user, payment_id, &request))?;
    if !outcome.replayed {
        tracing::info!(payment.id = %payment_id, reason = request.reason.as_str(), "payment reversed");
    }
    Ok(outcome)
}

// TODO: a reversal leaves `last_payment_on` at the reversed payment's date.
fn reverse_now(conn: &mut PgConnection, user: &CurrentUser, payment_id: Uuid, request: &ReversalRequest) -> ApiResult<PaymentDto> {
    let (account_id, status, receipt_number, method): (Uuid, String, String, String) = payments::table
        .find(payment_id)
        .select((payments::account_id, payments::status, payments::receipt_number, payments::method))
        .for_no_key_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("payment"))?;
    let parts: Vec<(Uuid, i64)> = payment_parts::table
        .filter(payment_parts::payment_id.eq(payment_id))
        .select((payment_parts::account_id, payment_parts::amount))
        .load(conn)?;
    // The account in the path may have received no part of a spread payment,
    // but it is locked too: a fee may be charged to it.
    let mut lock_ids: Vec<Uuid> = parts.iter().map(|p| p.0).collect();
    if !lock_ids.contains(&account_id) {
        lock_ids.push(account_id);
    }
    let locked = ledger::lock_accounts(conn, &lock_ids)?;
    let primary = locked.iter().find(|a| a.id == account_id).filter(|a| visible_to(user, a)).ok_or_else(|| ApiError::not_found("payment"))?.clone();
    if status == "reversed" {
        return Err(ApiError::new(
            ErrorCode::AlreadyReversed,
            format!("payment {payment_id} (receipt {receipt_number}) is already reversed; nothing was changed"),
        ));
    }
    let policy = policy_for_account(conn, account_id)?;
    let order = policy.order()?;
    let today = policy.today;
    let method = PaymentMethod::parse(&method).ok_or_else(|| ApiError::internal(anyhow::anyhow!("payment {payment_id} has an unknown method")))?;

    let (fee, decision) = if status == "held" {
        (None, "no fee: the cheque was held and never presented".to_string())
    } else {
        returned_fee(conn, &policy, &primary, method, request.reason)?
    };
    let memo = format!("reversal of receipt {receipt_number}: {}", request.reason.label());
    if status == "posted" {
        for account in &locked {
            let Some(amount) = parts.iter().find(|p| p.0 == account.id).map(|p| p.1) else { continue };
            let current = ledger::current_allocations(conn, account.id)?.get(&payment_id).copied().unwrap_or_default();
            let mut change = BalanceChange::default();
            let header = EntryHeader {
                creditor_id: account.creditor_id,
                account,
                kind: "reversal",
                effective_on: today,
                memo: &memo,
                actor: Some(user.id),
                payment_id: Some(payment_id),
            };
            let mut lines = vec![(CREDITOR_COLLECTIONS, -amount)];
            lines.extend(ledger::allocation_lines(&current).map(|(ledger_account, amount)| (ledger_account, -amount)));
            ledger::write_entry(conn, &header, &lines, &mut change)?;
            ledger::apply_change(conn, account.id, &change, None, None)?;
        }
    }
    diesel::update(payments::table.find(payment_id))
        .set((
            payments::status.eq("reversed"),
            payments::reversed_at.eq(Utc::now()),
            payments::reversal_reason.eq(request.reason.as_str()),
            payments::reversal_note.eq(request.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
            payments::reversed_by.eq(user.id),
            payments::reversal_fee.eq(fee),
            payments::reversal_fee_decision.eq(&decision),
        ))
        .execute(conn)?;
    if status == "posted" {
        for account in &locked {
            let mut change = BalanceChange::default();
            let mut dated = None;
            if let Some(fee) = fee.filter(|_| account.id == primary.id) {
                let fee_memo = format!("returned-payment fee for receipt {receipt_number}");
                let header = EntryHeader {
                    creditor_id: account.creditor_id,
                    account,
                    kind: "returned_payment_fee",
                    effective_on: today,
                    memo: &fee_memo,
                    actor: Some(user.id),
                    payment_id: None,
                };
                ledger::write_entry(conn, &header, &[(DEBTOR_FEES, fee), (CREDITOR_FEE_INCOME, -fee)], &mut change)?;
                dated = Some(today);
            }
            ledger::reallocate(conn, account, order, Some(user.id), today, &mut change)?;
            ledger::apply_change(conn, account.id, &change, dated, None)?;
        }
    }
    // A reversal reopens the promises and instalments the payment had kept.
    for account in &locked {
        daily_run::reevaluate_account(conn, account.id, today, Some(user.id))?;
    }
    let annotation = format!("Reversed on {today}: {}", request.reason.label());
    diesel::sql_query("UPDATE receipts SET annotations = annotations || jsonb_build_array($2::text) WHERE payment_id = $1")
        .bind::<SqlUuid, _>(payment_id)
        .bind::<Text, _>(&annotation)
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(policy.creditor_id),
            actor_user_id: Some(user.id),
            action: "payment.reversed",
            entity_type: "payment",
            entity_id: payment_id,
            details: json!({ "reason": request.reason.as_str(), "fee": fee, "fee_decision": decision, "was": status }),
        },
    )?;
    load_dto(conn, payment_id, account_id)
}

/// Decides whether a returned payment carries a fee. US Regulation F (and
/// similar rules elsewhere) allow one only where the agreement or the law
/// authorises it, so the creditor lists the jurisdictions where it does.
/// The debtor's jurisdiction comes from their first valid address, and
/// without a known address no fee is charged.
fn returned_fee(
    conn: &mut PgConnection,
    policy: &Policy,
    account: &LockedAccount,
    method: PaymentMethod,
    reason: ReversalReason,
) -> ApiResult<(Option<i64>, String)> {
    let Some(fee) = policy.returned_payment_fee else {
        return Ok((None, "no fee: the creditor's policy has no returned-payment fee".to_string()));
    };
    if !matches!(reason, ReversalReason::Nsf | ReversalReason::AccountClosed | ReversalReason::PaymentStopped) {
        return Ok((None, format!("no fee: a reversal for the reason {} is not a returned payment", reason.as_str())));
    }
    if !matches!(method, PaymentMethod::Cheque | PaymentMethod::DirectDebit) {
        return Ok((None, format!("no fee: a {} payment is not returned by a bank", method.label().to_lowercase())));
    }
    let address: Option<(Option<String>, Option<String>)> = crate::db::schema::debtor_addresses::table
        .filter(crate::db::schema::debtor_addresses::debtor_id.eq(account.debtor_id))
        .filter(crate::db::schema::debtor_addresses::is_valid.eq(true))
        .order(crate::db::schema::debtor_addresses::created_at.asc())
        .select((crate::db::schema::debtor_addresses::country, crate::db::schema::debtor_addresses::region))
        .first(conn)
        .optional()?;
    let Some((Some(country), region)) = address else {
        return Ok((None, "no fee: the debtor's jurisdiction is unknown (no valid address with a country)".to_string()));
    };
    let country = country.trim().to_ascii_uppercase();
    let mut codes = vec![country.clone()];
    if let Some(region) = region.map(|r| r.trim().to_ascii_uppercase()).filter(|r| !r.is_empty()) {
        codes.push(format!("{country}-{region}"));
    }
    let allowed = policy.returned_payment_fee_jurisdictions.iter().any(|j| codes.contains(&j.trim().to_ascii_uppercase()));
    let place = codes.last().cloned().unwrap_or_default();
    if allowed {
        Ok((Some(fee), format!("fee charged: the creditor's policy authorises it in {place}")))
    } else {
        Ok((None, format!("no fee: the creditor's policy does not authorise a returned-payment fee in {place}")))
    }
}

/// Applies post-dated cheques whose date has come, in the creditor's time
/// zone. TODO: a spread cheque keeps the parts computed when it was taken. Returns how many were applied. Rows are claimed with SKIP LOCKED,
/// so several servers can run this at once.
pub fn release_due_cheques(conn: &mut PgConnection, limit: i64) -> ApiResult<usize> {
    let due: Vec<Uuid> = diesel::sql_query(
        "SELECT p.id FROM payments p JOIN creditors c ON c.id = p.creditor_id
         WHERE p.status = 'held' AND p.held_until <= (now() AT TIME ZONE c.time_zone)::date
         ORDER BY p.held_until LIMIT $1",
    )
    .bind::<BigInt, _>(limit)
    .load::<IdRow>(conn)?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let mut released = 0;
    for payment_id in due {
        let done = conn.transaction(|conn| -> ApiResult<bool> {
            let row: Option<(Uuid, Uuid, Option<NaiveDate>, String, Uuid)> = payments::table
                .find(payment_id)
                .filter(payments::status.eq("held"))
                .select((payments::account_id, payments::creditor_id, payments::held_until, payments::receipt_number, payments::received_by))
                .for_no_key_update()
                .skip_locked()
                .first(conn)
                .optional()?;
            let Some((account_id, creditor_id, Some(cheque_date), number, received_by)) = row else { return Ok::<_, ApiError>(false) };
            let parts: Vec<(Uuid, i64)> = payment_parts::table
                .filter(payment_parts::payment_id.eq(payment_id))
                .select((payment_parts::account_id, payment_parts::amount))
                .load(conn)?;
            let locked = ledger::lock_accounts(conn, &parts.iter().map(|p| p.0).collect::<Vec<_>>())?;
            let policy = policy_for_account(conn, account_id)?;
            // `held_until` stays: it is the cheque's date, which dates the payment on the timeline.
            diesel::update(payments::table.find(payment_id)).set(payments::status.eq("posted")).execute(conn)?;
            let memo = format!("post-dated cheque applied, receipt {number}");
            for account in &locked {
                let amount = parts.iter().find(|p| p.0 == account.id).map_or(0, |p| p.1);
                apply_part(conn, account, payment_id, amount, cheque_date, policy.order()?, received_by, policy.today, &memo)?;
            }
            audit::record(
                conn,
                AuditEvent {
                    creditor_id: Some(creditor_id),
                    actor_user_id: None,
                    action: "payment.released",
                    entity_type: "payment",
                    entity_id: payment_id,
                    details: json!({ "cheque_date": cheque_date }),
                },
            )?;
            Ok(true)
        });
        // One cheque that cannot be applied must not hold up the others.
        match done {
            Ok(done) => released += usize::from(done),
            Err(error) => tracing::error!(payment.id = %payment_id, error.code = error.code.as_str(), error.message = %error.message, "applying a post-dated cheque failed"),
        }
    }
    Ok(released)
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Loads one payment as the API shows it, with the current balance of `account_id`.
pub fn load_dto(conn: &mut PgConnection, payment_id: Uuid, account_id: Uuid) -> ApiResult<PaymentDto> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        account_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        debtor_id: Uuid,
        #[diesel(sql_type = BigInt)]
        amount: i64,
        #[diesel(sql_type = Text)]
        currency: String,
        #[diesel(sql_type = Text)]
        method: String,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        instrument: serde_json::Value,
        #[diesel(sql_type = Date)]
        received_on: NaiveDate,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Nullable<Date>)]
        held_until: Option<NaiveDate>,
        #[diesel(sql_type = Text)]
        receipt_number: String,
        #[diesel(sql_type = Text)]
        book_code: String,
        #[diesel(sql_type = BigInt)]
        receipt_sequence: i64,
        #[diesel(sql_type = SqlUuid)]
        received_by: Uuid,
        #[diesel(sql_type = Timestamptz)]
        posted_at: DateTime<Utc>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        reversed_at: Option<DateTime<Utc>>,
        #[diesel(sql_type = Nullable<Text>)]
        reversal_reason: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        reversal_note: Option<String>,
        #[diesel(sql_type = Nullable<SqlUuid>)]
        reversed_by: Option<Uuid>,
        #[diesel(sql_type = Nullable<BigInt>)]
        reversal_fee: Option<i64>,
        #[diesel(sql_type = Nullable<Text>)]
        reversal_fee_decision: Option<String>,
        #[diesel(sql_type = BigInt)]
        principal: i64,
        #[diesel(sql_type = BigInt)]
        interest: i64,
        #[diesel(sql_type = BigInt)]
        fees: i64,
        #[diesel(sql_type = BigInt)]
        unapplied_credit: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT p.id, p.account_id, p.debtor_id, p.amount, p.currency::text AS currency, p.method, p.instrument, p.received_on,
                p.status, p.held_until, p.receipt_number, b.code AS book_code, p.receipt_sequence, p.received_by, p.posted_at,
                p.reversed_at, p.reversal_reason, p.reversal_note, p.reversed_by, p.reversal_fee, p.reversal_fee_decision,
                a.principal_balance AS principal, a.interest_balance AS interest, a.fees_balance AS fees, a.unapplied_credit
         FROM payments p JOIN receipt_books b ON b.id = p.receipt_book_id JOIN accounts a ON a.id = $2
         WHERE p.id = $1",
    )
    .bind::<SqlUuid, _>(payment_id)
    .bind::<SqlUuid, _>(account_id)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| ApiError::not_found("payment"))?;

    #[derive(QueryableByName)]
    struct PartRow {
        #[diesel(sql_type = SqlUuid)]
        account_id: Uuid,
        #[diesel(sql_type = BigInt)]
        amount: i64,
        #[diesel(sql_type = BigInt)]
        principal: i64,
        #[diesel(sql_type = BigInt)]
        interest: i64,
        #[diesel(sql_type = BigInt)]
        fees: i64,
        #[diesel(sql_type = BigInt)]
        unapplied: i64,
    }
    let parts: Vec<PartRow> = diesel::sql_query(format!(
        "SELECT pp.account_id, pp.amount, {}
         FROM payment_parts pp
         LEFT JOIN journal_entries e ON e.payment_id = pp.payment_id AND e.account_id = pp.account_id
         LEFT JOIN journal_lines l ON l.entry_id = e.id
         WHERE pp.payment_id = $1
         GROUP BY pp.account_id, pp.amount
         ORDER BY pp.account_id",
        ledger::PAID_SUMS
    ))
    .bind::<SqlUuid, _>(payment_id)
    .load(conn)?;
    let mut total = AllocationDto::default();
    let parts: Vec<PaymentPartDto> = parts
        .into_iter()
        .map(|p| {
            let allocation = AllocationDto { fees: p.fees, interest: p.interest, principal: p.principal, unapplied: p.unapplied };
            total.fees += p.fees;
            total.interest += p.interest;
            total.principal += p.principal;
            total.unapplied += p.unapplied;
            PaymentPartDto { account_id: p.account_id, amount: p.amount, allocation }
        })
        .collect();

    let deliveries = receipt_deliveries::table
        .filter(receipt_deliveries::payment_id.eq(payment_id))
        .order(receipt_deliveries::created_at.asc())
        .select((
            receipt_deliveries::id,
            receipt_deliveries::channel,
            receipt_deliveries::status,
            receipt_deliveries::attempts,
            receipt_deliveries::last_error,
            receipt_deliveries::updated_at,
        ))
        .load::<(Uuid, String, String, i32, Option<String>, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(id, channel, status, attempts, last_error, updated_at)| ReceiptDeliveryDto {
            id,
            channel,
            status,
            attempts,
            last_error,
            updated_at,
        })
        .collect();

    let broken = |what: &str| ApiError::internal(anyhow::anyhow!("payment {payment_id} has an unreadable {what}"));
    let reversal = match (row.reversed_at, row.reversal_reason.as_deref().and_then(ReversalReason::parse), row.reversed_by) {
        (Some(reversed_at), Some(reason), Some(reversed_by)) => Some(ReversalDto {
            reason,
            note: row.reversal_note,
            reversed_at,
            reversed_by,
            fee_charged: row.reversal_fee,
            fee_decision: row.reversal_fee_decision.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(PaymentDto {
        id: row.id,
        account_id: row.account_id,
        debtor_id: row.debtor_id,
        amount: row.amount,
        currency: row.currency.parse().map_err(|_| broken("currency"))?,
        method: PaymentMethod::parse(&row.method).ok_or_else(|| broken("method"))?,
        instrument: serde_json::from_value::<Instrument>(row.instrument).map_err(|_| broken("instrument"))?,
        received_on: row.received_on,
        status: PaymentStatus::parse(&row.status).ok_or_else(|| broken("status"))?,
        held_until: row.held_until,
        receipt_number: row.receipt_number,
        receipt_book: row.book_code,
        receipt_sequence: row.receipt_sequence,
        allocation: total,
        parts,
        account_balance: Balance::new(row.principal, row.interest, row.fees),
        account_unapplied_credit: row.unapplied_credit,
        received_by: row.received_by,
        posted_at: row.posted_at,
        reversal,
        deliveries,
    })
}

/// `GET /accounts/{id}/payments`: newest first, in cursor pages.
pub fn list_for_account(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    limit: u32,
    cursor: Option<&str>,
) -> ApiResult<(Vec<PaymentDto>, Option<String>)> {
    // The account's visibility rule decides who may list its payments.
    super::accounts::get_summary(conn, user, account_id)?;
    let (after_posted, after_id) = match cursor {
        None => (None, None),
        Some(text) => {
            let parsed = text.split_once('_').and_then(|(micros, id)| {
                Some((DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?, id.parse::<Uuid>().ok()?))
            });
            let (posted, id) = parsed.ok_or_else(|| {
                ApiError::invalid_field("cursor", "cursor is not one this server issued; start again without a cursor")
            })?;
            (Some(posted), Some(id))
        }
    };
    let ids: Vec<(Uuid, DateTime<Utc>)> = diesel::sql_query(
        "SELECT p.id, p.posted_at FROM payments p
         WHERE (p.account_id = $1 OR p.id IN (SELECT payment_id FROM payment_parts WHERE account_id = $1))
           AND ($2::timestamptz IS NULL OR (p.posted_at, p.id) < ($2, $3))
         ORDER BY p.posted_at DESC, p.id DESC LIMIT $4",
    )
    .bind::<SqlUuid, _>(account_id)
    .bind::<Nullable<Timestamptz>, _>(after_posted)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<Integer, _>(limit as i32 + 1)
    .load::<PageRow>(conn)?
    .into_iter()
    .map(|r| (r.id, r.posted_at))
    .collect();
    let more = ids.len() > limit as usize;
    let page = &ids[..ids.len().min(limit as usize)];
    let next = if more { page.last().map(|(id, posted)| format!("{}_{id}", posted.timestamp_micros())) } else { None };
    let items = page.iter().map(|(id, _)| load_dto(conn, *id, account_id)).collect::<ApiResult<Vec<_>>>()?;
    Ok((items, next))
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    posted_at: DateTime<Utc>,
}

/// Loads a payment the user may see, for the receipt and the payment page.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, payment_id: Uuid) -> ApiResult<PaymentDto> {
    let account_id: Uuid = payments::table
        .find(payment_id)
        .select(payments::account_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("payment"))?;
    super::accounts::get_summary(conn, user, account_id).map_err(|_| ApiError::not_found("payment"))?;
    load_dto(conn, payment_id, account_id)
}
