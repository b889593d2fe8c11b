//! What the daily run writes to the ledger: a plan's interest as each
//! instalment falls due, and the write-down of what a completed settlement
//! forgave. Both run in the day's transaction, with the account locked.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Uuid as SqlUuid};
use serde_json::json;
use uuid::Uuid;

use crate::db::accounts::ledger_accounts::*;
use crate::domain::allocation::AllocationOrder;
use crate::services::audit::{self, AuditEvent};
use crate::services::ledger::{self, BalanceChange, EntryHeader, LockedAccount};

fn allocation_order(conn: &mut PgConnection, creditor_id: Uuid) -> anyhow::Result<AllocationOrder> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Array<Text>)]
        allocation_order: Vec<String>,
    }
    let row: Row = diesel::sql_query("SELECT allocation_order FROM creditors WHERE id = $1")
        .bind::<SqlUuid, _>(creditor_id)
        .get_result(conn)?;
    AllocationOrder::parse(&row.allocation_order).map_err(|e| anyhow::anyhow!(e))
}

/// Re-runs the allocation when an entry is dated before the account's latest
/// payment, as payments do for back-dated postings.
fn settle_dated(
    conn: &mut PgConnection,
    account: &LockedAccount,
    dated: NaiveDate,
    today: NaiveDate,
    change: &mut BalanceChange,
) -> anyhow::Result<()> {
    if account.ledger_through.is_some_and(|through| through > dated) {
        let order = allocation_order(conn, account.creditor_id)?;
        ledger::reallocate(conn, account, order, None, today, change)?;
    }
    ledger::apply_change(conn, account.id, change, Some(dated), None)?;
    Ok(())
}

/// Charges the interest of every instalment of an active plan due on or
/// before `as_of` and not charged yet. Returns how many were charged.
pub fn charge_interest(conn: &mut PgConnection, creditor_id: Uuid, as_of: NaiveDate) -> anyhow::Result<u64> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        plan_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        account_id: Uuid,
        #[diesel(sql_type = Date)]
        due_on: NaiveDate,
        #[diesel(sql_type = BigInt)]
        interest: i64,
    }
    let due: Vec<Due> = diesel::sql_query(
        "SELECT i.id, i.plan_id, pl.account_id, i.due_on, i.interest
         FROM plan_instalments i JOIN plans pl ON pl.id = i.plan_id
         WHERE i.creditor_id = $1 AND i.interest > 0 AND NOT i.interest_charged AND i.due_on <= $2
           AND pl.status IN ('on_track', 'in_arrears')
         ORDER BY pl.account_id, i.number",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<Date, _>(as_of)
    .load(conn)?;
    for item in &due {
        let account = ledger::lock_accounts(conn, &[item.account_id])?
            .pop()
            .ok_or_else(|| anyhow::anyhow!("account {} of plan {} is gone", item.account_id, item.plan_id))?;
        let mut change = BalanceChange::default();
        let header = EntryHeader {
            creditor_id,
            account: &account,
            kind: "plan_interest",
            effective_on: item.due_on,
            memo: "plan interest for an instalment that fell due",
            actor: None,
            payment_id: None,
        };
        ledger::write_entry(conn, &header, &[(DEBTOR_INTEREST, item.interest), (CREDITOR_INTEREST_INCOME, -item.interest)], &mut change)?;
        settle_dated(conn, &account, item.due_on, as_of, &mut change)?;
        diesel::sql_query("UPDATE plan_instalments SET interest_charged = true WHERE id = $1")
            .bind::<SqlUuid, _>(item.id)
            .execute(conn)?;
    }
    Ok(due.len() as u64)
}

/// Writes down what is still owed on the account of a completed settlement,
/// and marks the account settled. Returns the amount written down.
/// A reversal that leaves the plan short undoes it (`reopen_short_plans`).
pub fn write_down_settlement(
    conn: &mut PgConnection,
    creditor_id: Uuid,
    plan_id: Uuid,
    account_id: Uuid,
    as_of: NaiveDate,
) -> anyhow::Result<i64> {
    let account = ledger::lock_accounts(conn, &[account_id])?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("account {account_id} of plan {plan_id} is gone"))?;
    let owed = account.owed();
    let total = owed.principal + owed.interest + owed.fees;
    if total > 0 {
        let mut change = BalanceChange::default();
        let header = EntryHeader {
            creditor_id,
            account: &account,
            kind: "settlement_writedown",
            effective_on: as_of,
            memo: "settlement completed: the rest of the balance written down",
            actor: None,
            payment_id: None,
        };
        let lines = [
            (DEBTOR_PRINCIPAL, -owed.principal),
            (DEBTOR_INTEREST, -owed.interest),
            (DEBTOR_FEES, -owed.fees),
            (CREDITOR_WRITEDOWNS, total),
        ];
        ledger::write_entry(conn, &header, &lines, &mut change)?;
        ledger::apply_change(conn, account.id, &change, Some(as_of), None)?;
    }
    let moved = diesel::sql_query(
        "UPDATE accounts SET status = 'settled', updated_at = now() WHERE id = $1 AND status IN ('open', 'in_arrangement')",
    )
    .bind::<SqlUuid, _>(account_id)
    .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(creditor_id),
            actor_user_id: None,
            action: "plan.settlement_written_down",
            entity_type: "plan",
            entity_id: plan_id,
            details: json!({ "account_id": account_id, "written_down": total, "as_of": as_of, "account_settled": moved == 1 }),
        },
    )?;
    Ok(total)
}

/// Reopens the account's completed plans that payments no longer cover
/// (a reversal took one back): the plan is active again, a settlement's
/// write-down is reversed, and a paid or settled account is back in
/// arrangement. Returns how many plans were reopened.
pub fn reopen_short_plans(
    conn: &mut PgConnection,
    creditor_id: Uuid,
    account_id: Uuid,
    today: NaiveDate,
    actor: Option<Uuid>,
) -> anyhow::Result<u64> {
    #[derive(QueryableByName)]
    struct Short {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = BigInt)]
        paid: i64,
        #[diesel(sql_type = BigInt)]
        total_to_pay: i64,
    }
    let short: Vec<Short> = diesel::sql_query(
        "SELECT pl.id, pl.kind,
                coalesce((SELECT sum(pp.amount) FROM payment_parts pp JOIN payments p ON p.id = pp.payment_id
                          WHERE pp.account_id = pl.account_id AND p.status = 'posted' AND p.posted_at >= pl.created_at
                            AND coalesce(p.held_until, p.received_on) BETWEEN pl.counts_from AND $2), 0)::bigint AS paid,
                pl.total_to_pay
         FROM plans pl
         WHERE pl.account_id = $1 AND pl.status = 'completed'
         FOR UPDATE",
    )
    .bind::<SqlUuid, _>(account_id)
    .bind::<Date, _>(today)
    .load(conn)?;
    let mut reopened = 0;
    for plan in short {
        if plan.paid >= plan.total_to_pay {
            continue;
        }
        diesel::sql_query("UPDATE plans SET status = 'on_track', closed_on = NULL, close_reason = NULL WHERE id = $1")
            .bind::<SqlUuid, _>(plan.id)
            .execute(conn)?;
        let written_back = if plan.kind == "settlement" { undo_write_down(conn, creditor_id, account_id, today, actor)? } else { 0 };
        let moved = diesel::sql_query(
            "UPDATE accounts SET status = 'in_arrangement', updated_at = now() WHERE id = $1 AND status IN ('paid', 'settled')
",
        )
        .bind::<SqlUuid, _>(account_id)
        .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: actor,
                action: "plan.status_changed",
                entity_type: "plan",
                entity_id: plan.id,
                details: json!({ "from": "completed", "to": "on_track", "as_of": today, "reason": "payments no longer cover the plan",
                                 "write_down_reversed": written_back, "account_reopened": moved == 1 }),
            },
        )?;
        reopened += 1;
    }
    Ok(reopened)
}

/// Reverses the account's settlement write-downs with one entry that adds
/// back what they took from each component. Returns the amount restored.
fn undo_write_down(conn: &mut PgConnection, creditor_id: Uuid, account_id: Uuid, today: NaiveDate, actor: Option<Uuid>) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = BigInt)]
        principal: i64,
        #[diesel(sql_type = BigInt)]
        interest: i64,
        #[diesel(sql_type = BigInt)]
        fees: i64,
    }
    let taken: Taken = diesel::sql_query(format!(
        "SELECT {} FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
         WHERE e.account_id = $1 AND e.kind = 'settlement_writedown'",
        ledger::OWED_SUMS
    ))
    .bind::<SqlUuid, _>(account_id)
    .get_result(conn)?;
    // The write-down lines are negative, so the sums are what it took, negated.
    let restore = [(DEBTOR_PRINCIPAL, -taken.principal), (DEBTOR_INTEREST, -taken.interest), (DEBTOR_FEES, -taken.fees)];
    let total: i64 = restore.iter().map(|(_, amount)| amount).sum();
    if total <= 0 {
        return Ok(0);
    }
    let account = ledger::lock_accounts(conn, &[account_id])?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("account {account_id} is gone"))?;
    let mut change = BalanceChange::default();
    let header = EntryHeader {
        creditor_id,
        account: &account,
        kind: "settlement_writedown",
        effective_on: today,
        memo: "settlement reopened: write-down reversed",
        actor,
        payment_id: None,
    };
    let mut lines = restore.to_vec();
    lines.push((CREDITOR_WRITEDOWNS, -total));
    ledger::write_entry(conn, &header, &lines, &mut change)?;
    ledger::apply_change(conn, account_id, &change, Some(today), None)?;
    Ok(total)
}
