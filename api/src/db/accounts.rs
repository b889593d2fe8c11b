//! Models of accounts, debtors with their contacts, and the journal.

use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{accounts, debtor_addresses, debtor_emails, debtor_phones, debtors, journal_entries, journal_lines};

#[derive(Insertable)]
#[diesel(table_name = debtors)]
pub struct NewDebtor<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_ref: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = debtor_addresses)]
pub struct NewAddress<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_id: Uuid,
    pub line1: Option<&'a str>,
    pub line2: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub country: Option<&'a str>,
    pub is_valid: bool,
    pub invalid_reason: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = debtor_phones)]
pub struct NewPhone<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_id: Uuid,
    pub raw: &'a str,
    pub e164: Option<&'a str>,
    pub phone_type: &'a str,
    pub is_valid: bool,
}

#[derive(Insertable)]
#[diesel(table_name = debtor_emails)]
pub struct NewEmail<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_id: Uuid,
    pub address: &'a str,
    pub is_valid: bool,
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_id: Uuid,
    pub account_ref: &'a str,
    pub currency: &'a str,
    pub original_principal: i64,
    pub original_interest: i64,
    pub original_fees: i64,
    pub principal_balance: i64,
    pub interest_balance: i64,
    pub fees_balance: i64,
    pub opened_on: Option<NaiveDate>,
    pub last_payment_on: Option<NaiveDate>,
    pub delinquent_since: Option<NaiveDate>,
    pub charged_off_on: Option<NaiveDate>,
    pub debt_type: Option<&'a str>,
    pub name_missing: bool,
    pub no_valid_phone: bool,
    pub no_valid_address: bool,
    pub no_valid_email: bool,
    pub source_hash: &'a [u8],
    pub last_import_id: Option<Uuid>,
}

/// The fields of an existing account that an import compares against.
#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = accounts)]
pub struct ExistingAccount {
    pub id: Uuid,
    pub account_ref: String,
    pub currency: String,
    pub original_principal: i64,
    pub original_interest: i64,
    pub original_fees: i64,
    pub source_hash: Vec<u8>,
    pub last_import_id: Option<Uuid>,
}

#[derive(Insertable)]
#[diesel(table_name = journal_entries)]
pub struct NewJournalEntry<'a> {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub account_id: Option<Uuid>,
    pub kind: &'a str,
    pub effective_on: NaiveDate,
    pub memo: &'a str,
    pub created_by: Option<Uuid>,
    pub payment_id: Option<Uuid>,
}

#[derive(Insertable)]
#[diesel(table_name = journal_lines)]
pub struct NewJournalLine<'a> {
    pub entry_id: Uuid,
    pub creditor_id: Uuid,
    pub account_id: Option<Uuid>,
    pub ledger_account: &'a str,
    pub currency: &'a str,
    pub amount: i64,
}

/// The ledger accounts: the debtor's components and unapplied credit
/// against the creditor's placements, collections and fee income.
pub mod ledger_accounts {
    pub const DEBTOR_PRINCIPAL: &str = "debtor_principal";
    pub const DEBTOR_INTEREST: &str = "debtor_interest";
    pub const DEBTOR_FEES: &str = "debtor_fees";
    /// Money received that nothing was owed for; a credit (negative) balance.
    pub const DEBTOR_UNAPPLIED_CREDIT: &str = "debtor_unapplied_credit";
    pub const CREDITOR_PLACEMENTS: &str = "creditor_placements";
    /// Money received from debtors; a debit (positive) balance.
    pub const CREDITOR_COLLECTIONS: &str = "creditor_collections";
    pub const CREDITOR_FEE_INCOME: &str = "creditor_fee_income";
    /// Interest a plan charges; a credit balance.
    pub const CREDITOR_INTEREST_INCOME: &str = "creditor_interest_income";
    /// What settlements forgave; a debit balance.
    pub const CREDITOR_WRITEDOWNS: &str = "creditor_writedowns";
}

/// The balanced lines of an entry that changes an account's components by the given amounts.
/// Zero components get no line; the creditor side takes the opposite of the total.
pub fn component_lines<'a>(
    entry_id: Uuid,
    creditor_id: Uuid,
    account_id: Uuid,
    currency: &'a str,
    principal: i64,
    interest: i64,
    fees: i64,
) -> Vec<NewJournalLine<'a>> {
    let mut lines = Vec::with_capacity(4);
    for (ledger_account, amount) in [
        (ledger_accounts::DEBTOR_PRINCIPAL, principal),
        (ledger_accounts::DEBTOR_INTEREST, interest),
        (ledger_accounts::DEBTOR_FEES, fees),
        (ledger_accounts::CREDITOR_PLACEMENTS, -(principal + interest + fees)),
    ] {
        if amount != 0 {
            lines.push(NewJournalLine { entry_id, creditor_id, account_id: Some(account_id), ledger_account, currency, amount });
        }
    }
    lines
}
