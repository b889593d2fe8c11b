//! Gathers the merge-field values of one account, and its postal address
//! block for a letter.

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::correspondence::MergeValues;
use shared::{Currency, Money};
use uuid::Uuid;

use super::super::ledger::LockedAccount;
use super::super::plans::creditor_today;
use crate::db::schema::{accounts, creditors, debtor_addresses, debtors, plans};
use crate::domain::postal_address::{format_lines, AddressParts};
use crate::error::{ApiError, ApiResult};

/// The parts of a letter besides its text.
pub struct LetterParts {
    pub sender: String,
    pub date: NaiveDate,
    pub address_lines: Vec<String>,
}

/// The account's merge values and letter parts.
pub struct AccountMerge {
    pub values: MergeValues,
    pub letter: LetterParts,
}

/// Formats a day as printed in letters, such as "5 December 2026".
pub fn format_day(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// Loads every merge value of the account. Values the account lacks (no
/// open plan, no itemization date) map to `Err` with the reason and the fix.
pub fn load(conn: &mut PgConnection, account: &LockedAccount) -> ApiResult<AccountMerge> {
    let currency: Currency = account.currency.parse().map_err(|_| {
        ApiError::internal(anyhow::anyhow!("account {} has an unknown currency '{}'", account.id, account.currency))
    })?;
    let money = |amount: i64| Money::new(amount, currency).display();

    let debtor_name: Option<String> = debtors::table.find(account.debtor_id).select(debtors::name).first(conn)?;
    let creditor_name: String = creditors::table.find(account.creditor_id).select(creditors::name).first(conn)?;
    let (original_principal, original_interest, original_fees, charged_off_on): (i64, i64, i64, Option<NaiveDate>) = accounts::table
        .find(account.id)
        .select((accounts::original_principal, accounts::original_interest, accounts::original_fees, accounts::charged_off_on))
        .first(conn)?;
    let today = creditor_today(conn, account.creditor_id)?;

    let mut values = MergeValues::new();
    values.insert(
        "debtor.name",
        debtor_name.clone().filter(|name| !name.trim().is_empty()).ok_or_else(|| {
            "the debtor has no name on record; add the name or choose a template without {{debtor.name}}".to_string()
        }),
    );
    values.insert("creditor.name", Ok(creditor_name.clone()));
    values.insert("account.reference", Ok(account.account_ref.clone()));
    values.insert("account.currency", Ok(currency.code().to_string()));
    let total = account.principal_balance + account.interest_balance + account.fees_balance;
    values.insert("account.balance", Ok(money(total)));
    values.insert("account.principal", Ok(money(account.principal_balance)));
    values.insert("account.interest", Ok(money(account.interest_balance)));
    values.insert("account.fees", Ok(money(account.fees_balance)));
    values.insert(
        "itemization.date",
        charged_off_on.or(account.delinquent_since).map(format_day).ok_or_else(|| {
            "the account has neither a charge-off date nor a delinquency date; correct the placement first".to_string()
        }),
    );
    values.insert("itemization.amount", Ok(money(original_principal + original_interest + original_fees)));
    values.insert("today", Ok(format_day(today)));
    insert_plan_values(conn, account.id, &money, &mut values)?;

    let letter = LetterParts { sender: creditor_name, date: today, address_lines: address_lines(conn, account.debtor_id, debtor_name)? };
    Ok(AccountMerge { values, letter })
}

/// Adds the `plan.*` values from the account's newest open plan.
fn insert_plan_values(conn: &mut PgConnection, account_id: Uuid, money: &dyn Fn(i64) -> String, values: &mut MergeValues) -> ApiResult<()> {
    let plan: Option<(String, i64, i32, NaiveDate, Option<i64>)> = plans::table
        .filter(plans::account_id.eq(account_id))
        .filter(plans::status.eq_any(["pending_approval", "on_track", "in_arrears"]))
        .order(plans::created_at.desc())
        .select((plans::kind, plans::total_to_pay, plans::instalment_count, plans::start_date, plans::settlement_amount))
        .first(conn)
        .optional()?;
    let no_plan = || "the account has no open repayment plan; create the plan first or choose another template".to_string();
    match plan {
        None => {
            for name in ["plan.total", "plan.instalment_count", "plan.start_date", "plan.settlement_amount"] {
                values.insert(name, Err(no_plan()));
            }
        }
        Some((kind, total, count, start, settlement)) => {
            values.insert("plan.total", Ok(money(total)));
            values.insert("plan.instalment_count", Ok(count.to_string()));
            values.insert("plan.start_date", Ok(format_day(start)));
            values.insert(
                "plan.settlement_amount",
                settlement.map(money).ok_or_else(|| {
                    format!("the account's open plan is a {kind} plan, not a settlement; create a settlement plan first or choose another template")
                }),
            );
        }
    }
    Ok(())
}

/// Returns the name and the newest valid postal address, one line each and
/// laid out for the address's country; empty when the debtor has no valid
/// address.
fn address_lines(conn: &mut PgConnection, debtor_id: Uuid, name: Option<String>) -> ApiResult<Vec<String>> {
    type AddressColumns = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let address: Option<AddressColumns> = debtor_addresses::table
        .filter(debtor_addresses::debtor_id.eq(debtor_id))
        .filter(debtor_addresses::is_valid.eq(true))
        .order(debtor_addresses::created_at.desc())
        .select((
            debtor_addresses::line1,
            debtor_addresses::line2,
            debtor_addresses::city,
            debtor_addresses::region,
            debtor_addresses::postal_code,
            debtor_addresses::country,
        ))
        .first(conn)
        .optional()?;
    let Some((line1, line2, city, region, postal_code, country)) = address else {
        return Ok(Vec::new());
    };
    // The same layout per country as the mailing list.
    let address = format_lines(&AddressParts {
        line1: line1.as_deref(),
        line2: line2.as_deref(),
        city: city.as_deref(),
        region: region.as_deref(),
        postal_code: postal_code.as_deref(),
        country: country.as_deref(),
    });
    let name = name.map(|name| name.trim().to_string()).filter(|name| !name.is_empty());
    Ok(name.into_iter().chain(address).collect())
}
