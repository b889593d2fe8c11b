//! Loads the contact rules' inputs for many accounts at once: one query per
//! table for the whole set, where the eligibility endpoint runs one per
//! account. Worklist pages and exports use it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::super::contact::eligibility::{call_attempt, policy, rules_holds, HISTORY_DAYS};
use super::super::contact::holds;
use crate::db::schema::{calls, contact_holds, debtor_addresses, debtor_emails, debtor_phones};
use crate::domain::contact_rules::{
    self, AccountHolds, Address, Attempt, Channel, ContactDetails, ContactPolicy, ContactRequest, Eligibility, EmailStatus,
    Phone,
};
use crate::error::ApiResult;

/// The account fields the rules need.
#[derive(Clone, Debug)]
pub struct AccountKey {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub debtor_id: Uuid,
    pub status: String,
}

/// A debtor's stored address, with the parts an envelope needs.
#[derive(Clone, Debug, Default)]
pub struct StoredAddress {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub is_valid: bool,
}

#[derive(Clone, Debug)]
pub struct StoredPhone {
    pub e164: Option<String>,
    pub phone_type: String,
    pub is_valid: bool,
    pub do_not_call: bool,
}

#[derive(Clone, Debug)]
pub struct StoredEmail {
    pub address: String,
    pub is_valid: bool,
    pub opted_out: bool,
}

/// Everything stored about one debtor's contact details.
#[derive(Clone, Debug, Default)]
pub struct DebtorContacts {
    /// The newest valid address, or else the newest invalid one, as the
    /// eligibility endpoint picks it.
    pub address: Option<StoredAddress>,
    /// In the order they were stored.
    pub phones: Vec<StoredPhone>,
    pub emails: Vec<StoredEmail>,
}

impl DebtorContacts {
    /// Converts to the rules engine's view. Phones without an E.164 form are
    /// left out, as in the eligibility endpoint.
    pub fn rules_details(&self) -> ContactDetails {
        ContactDetails {
            address: self.address.as_ref().map(|a| Address {
                country: a.country.clone().unwrap_or_default(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                deliverable: a.is_valid,
            }),
            phones: self
                .phones
                .iter()
                .filter_map(|p| p.e164.clone().map(|e164| Phone { e164, valid: p.is_valid, do_not_call: p.do_not_call }))
                .collect(),
            emails: self.emails.iter().map(|e| EmailStatus { valid: e.is_valid, opted_out: e.opted_out }).collect(),
        }
    }
}

/// The loaded inputs for a set of accounts.
pub struct ContactInputs {
    pub contacts: HashMap<Uuid, DebtorContacts>,
    holds: HashMap<Uuid, AccountHolds>,
    history: HashMap<Uuid, Vec<Attempt>>,
    policies: HashMap<Uuid, ContactPolicy>,
}

impl ContactInputs {
    /// Loads addresses, phones, emails, holds, the calls from `HISTORY_DAYS`
    /// before `at`, and each creditor's policy.
    pub fn load(conn: &mut PgConnection, accounts: &[AccountKey], at: DateTime<Utc>) -> ApiResult<ContactInputs> {
        let debtor_ids: Vec<Uuid> = accounts.iter().map(|a| a.debtor_id).collect();
        let account_ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
        let mut contacts: HashMap<Uuid, DebtorContacts> = HashMap::new();

        let addresses: Vec<(Uuid, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, bool)> =
            debtor_addresses::table
                .filter(debtor_addresses::debtor_id.eq_any(&debtor_ids))
                .order((debtor_addresses::debtor_id, debtor_addresses::is_valid.desc(), debtor_addresses::created_at.desc()))
                .select((
                    debtor_addresses::debtor_id,
                    debtor_addresses::line1,
                    debtor_addresses::line2,
                    debtor_addresses::city,
                    debtor_addresses::region,
                    debtor_addresses::postal_code,
                    debtor_addresses::country,
                    debtor_addresses::is_valid,
                ))
                .load(conn)?;
        for (debtor_id, line1, line2, city, region, postal_code, country, is_valid) in addresses {
            let entry = contacts.entry(debtor_id).or_default();
            // Rows come best first per debtor, so the first one wins.
            if entry.address.is_none() {
                entry.address = Some(StoredAddress { line1, line2, city, region, postal_code, country, is_valid });
            }
        }

        let phones: Vec<(Uuid, Option<String>, String, bool, bool)> = debtor_phones::table
            .filter(debtor_phones::debtor_id.eq_any(&debtor_ids))
            .order((debtor_phones::debtor_id, debtor_phones::created_at))
            .select((
                debtor_phones::debtor_id,
                debtor_phones::e164,
                debtor_phones::phone_type,
                debtor_phones::is_valid,
                debtor_phones::do_not_call,
            ))
            .load(conn)?;
        for (debtor_id, e164, phone_type, is_valid, do_not_call) in phones {
            contacts.entry(debtor_id).or_default().phones.push(StoredPhone { e164, phone_type, is_valid, do_not_call });
        }

        let emails: Vec<(Uuid, String, bool, bool)> = debtor_emails::table
            .filter(debtor_emails::debtor_id.eq_any(&debtor_ids))
            .order((debtor_emails::debtor_id, debtor_emails::created_at))
            .select((debtor_emails::debtor_id, debtor_emails::address, debtor_emails::is_valid, debtor_emails::opted_out))
            .load(conn)?;
        for (debtor_id, address, is_valid, opted_out) in emails {
            contacts.entry(debtor_id).or_default().emails.push(StoredEmail { address, is_valid, opted_out });
        }

        let held_ids: Vec<Uuid> =
            contact_holds::table.filter(contact_holds::account_id.eq_any(&account_ids)).select(contact_holds::account_id).load(conn)?;
        let mut holds_by_account = HashMap::new();
        for account in accounts {
            let stored = if held_ids.contains(&account.id) { holds::load(conn, account.id)? } else { Default::default() };
            holds_by_account.insert(account.id, rules_holds(&stored, &account.status));
        }

        let since = at - Duration::days(HISTORY_DAYS);
        let rows: Vec<(Uuid, DateTime<Utc>, String, bool)> = calls::table
            .filter(calls::account_id.eq_any(&account_ids))
            .filter(calls::started_at.ge(since))
            .select((calls::account_id, calls::started_at, calls::direction, calls::conversation))
            .load(conn)?;
        let mut history: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
        for (account_id, started_at, direction, conversation) in rows {
            history.entry(account_id).or_default().push(call_attempt(account_id, started_at, &direction, conversation)?);
        }

        let mut policies = HashMap::new();
        for account in accounts {
            if !policies.contains_key(&account.creditor_id) {
                policies.insert(account.creditor_id, policy(conn, account.creditor_id)?);
            }
        }

        Ok(ContactInputs { contacts, holds: holds_by_account, history, policies })
    }

    /// Runs the contact rules for `channel` at `at` on one of the loaded accounts.
    pub fn eligibility(&self, account: &AccountKey, channel: Channel, at: DateTime<Utc>) -> Eligibility {
        let details = self.contacts.get(&account.debtor_id).map(DebtorContacts::rules_details).unwrap_or_default();
        let request = ContactRequest { channel, at, phone: None, mentions_legal_action: false };
        let holds = self.holds.get(&account.id).cloned().unwrap_or_default();
        let history = self.history.get(&account.id).map(Vec::as_slice).unwrap_or(&[]);
        contact_rules::eligibility(&request, &details, &holds, history, &self.policies[&account.creditor_id])
    }

    /// Returns the debtor's possible time zones, in the order the rules found them.
    pub fn time_zones(&self, account: &AccountKey) -> Vec<chrono_tz::Tz> {
        let details = self.contacts.get(&account.debtor_id).map(DebtorContacts::rules_details).unwrap_or_default();
        let policy = &self.policies[&account.creditor_id];
        let location = contact_rules::resolve_location(&details, policy.default_zone, policy.default_country.as_deref());
        location.time_zones()
    }
}
