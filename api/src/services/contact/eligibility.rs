//! Gathers what the contact rules need from the database and returns their
//! decision for `GET /accounts/{id}/contact-eligibility`.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use shared::contact::{CallDirection, Channel, ContactHoldsDto, EligibilityDto, ReasonDto};
use uuid::Uuid;

use super::super::ledger::LockedAccount;
use super::super::plans::context;
use super::{holds, limitation, rules_channel};
use crate::auth::CurrentUser;
use crate::db::schema::{calls, creditors, debtor_addresses, debtor_emails, debtor_phones};
use crate::domain::contact_rules::{
    self, AccountHolds, Address, Attempt, ContactDetails, ContactPolicy, ContactRequest, Direction, Eligibility, EmailStatus,
    Phone,
};
use crate::error::{ApiError, ApiResult};

/// How far back calls are loaded. The call cap counts 7 local days, and a
/// debtor's local day may start up to a day away from UTC, so 15 days
/// covers it with room.
pub const HISTORY_DAYS: i64 = 15;

/// The inputs of one eligibility decision.
pub struct Check {
    pub channel: Channel,
    pub at: DateTime<Utc>,
    /// The number to call or text; `None` checks all of the debtor's numbers.
    pub phone_e164: Option<String>,
    pub mentions_legal_action: bool,
}

/// `GET /accounts/{id}/contact-eligibility`.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, check: &Check) -> ApiResult<EligibilityDto> {
    let ctx = context(conn, user, account_id, false)?;
    let decision = decide(conn, &ctx.account, check)?;
    Ok(to_dto(decision))
}

/// Runs the contact rules for `check` on the account.
pub fn decide(conn: &mut PgConnection, account: &LockedAccount, check: &Check) -> ApiResult<Eligibility> {
    let contact = contact_details(conn, account.debtor_id)?;
    let policy = policy(conn, account.creditor_id)?;
    let mut holds = account_holds(conn, account)?;
    // A debt past its statute of limitations is time-barred whether or not
    // a manager set the hold.
    let day = check.at.with_timezone(&policy.default_zone).date_naive();
    // Where no rule covers the debt, legal content is blocked as well.
    let limitation = limitation::assess(conn, account, day)?;
    holds.time_barred |= limitation.time_barred;
    holds.limitation_unknown = limitation.barred_from.is_none();
    let history = attempts(conn, account.id, check.at)?;
    let request = ContactRequest {
        channel: rules_channel(check.channel),
        at: check.at,
        phone: check.phone_e164.clone(),
        mentions_legal_action: check.mentions_legal_action,
    };
    Ok(contact_rules::eligibility(&request, &contact, &holds, &history, &policy))
}

pub fn to_dto(decision: Eligibility) -> EligibilityDto {
    EligibilityDto {
        allowed: decision.allowed,
        reasons: decision
            .reasons
            .into_iter()
            .map(|reason| ReasonDto { code: reason.code.as_str().to_string(), message: reason.message })
            .collect(),
        next_allowed_at: decision.next_allowed_at,
    }
}

/// Loads the debtor's address, phones and email states.
///
/// The engine takes one address: the newest valid one, or else the newest
/// invalid one, which still hints at the debtor's time zone. Phones without
/// an E.164 form are left out, because they can be neither dialled nor
/// placed in a zone.
fn contact_details(conn: &mut PgConnection, debtor_id: Uuid) -> ApiResult<ContactDetails> {
    let address: Option<(Option<String>, Option<String>, Option<String>, bool)> = debtor_addresses::table
        .filter(debtor_addresses::debtor_id.eq(debtor_id))
        .order((debtor_addresses::is_valid.desc(), debtor_addresses::created_at.desc()))
        .select((debtor_addresses::country, debtor_addresses::region, debtor_addresses::postal_code, debtor_addresses::is_valid))
        .first(conn)
        .optional()?;
    let address = address.map(|(country, region, postal_code, is_valid)| Address {
        country: country.unwrap_or_default(),
        region,
        postal_code,
        deliverable: is_valid,
    });

    let phones: Vec<(Option<String>, bool, bool)> = debtor_phones::table
        .filter(debtor_phones::debtor_id.eq(debtor_id))
        .select((debtor_phones::e164, debtor_phones::is_valid, debtor_phones::do_not_call))
        .load(conn)?;
    let phones = phones
        .into_iter()
        .filter_map(|(e164, valid, do_not_call)| e164.map(|e164| Phone { e164, valid, do_not_call }))
        .collect();

    let emails: Vec<(bool, bool)> = debtor_emails::table
        .filter(debtor_emails::debtor_id.eq(debtor_id))
        .select((debtor_emails::is_valid, debtor_emails::opted_out))
        .load(conn)?;
    let emails = emails.into_iter().map(|(valid, opted_out)| EmailStatus { valid, opted_out }).collect();

    Ok(ContactDetails { address, phones, emails })
}

/// Loads the stored holds; the account status `disputed` counts as a dispute hold.
fn account_holds(conn: &mut PgConnection, account: &LockedAccount) -> ApiResult<AccountHolds> {
    let stored = holds::load(conn, account.id)?;
    Ok(rules_holds(&stored, &account.status))
}

/// Converts stored holds to the rules engine's; the account status
/// `disputed` counts as a dispute hold.
pub fn rules_holds(stored: &ContactHoldsDto, account_status: &str) -> AccountHolds {
    AccountHolds {
        cease_all: stored.cease_all,
        cease_channels: stored.cease_channels.iter().map(|c| rules_channel(*c)).collect(),
        disputed: stored.disputed || account_status == shared::status::AccountStatus::Disputed.as_str(),
        bankruptcy: stored.bankruptcy,
        deceased: stored.deceased,
        manager_hold: stored.manager_hold,
        time_barred: stored.time_barred,
        // `decide` sets it from the limitation rules; calls never mention legal action.
        limitation_unknown: false,
    }
}

/// Loads the account's calls from `HISTORY_DAYS` before `at` onwards. Later
/// calls are kept because the cap counts every run of days that contains
/// the checked day.
fn attempts(conn: &mut PgConnection, account_id: Uuid, at: DateTime<Utc>) -> ApiResult<Vec<Attempt>> {
    let since = at - Duration::days(HISTORY_DAYS);
    let rows: Vec<(DateTime<Utc>, String, bool)> = calls::table
        .filter(calls::account_id.eq(account_id))
        .filter(calls::started_at.ge(since))
        .select((calls::started_at, calls::direction, calls::conversation))
        .load(conn)?;
    rows.into_iter().map(|(started_at, direction, conversation)| call_attempt(account_id, started_at, &direction, conversation)).collect()
}

/// Converts a stored call to an attempt on the call channel.
pub fn call_attempt(account_id: Uuid, started_at: DateTime<Utc>, direction: &str, conversation: bool) -> ApiResult<Attempt> {
    let direction = match CallDirection::parse(direction) {
        Some(CallDirection::Outbound) => Direction::Outbound,
        Some(CallDirection::Inbound) => Direction::Inbound,
        None => {
            return Err(ApiError::internal(anyhow::anyhow!("a call on account {account_id} has an unknown direction '{direction}'")))
        }
    };
    Ok(Attempt { at: started_at, channel: contact_rules::Channel::Call, direction, conversation })
}

/// Returns the creditor's time zone, which decides its local days.
pub fn creditor_zone(conn: &mut PgConnection, creditor_id: Uuid) -> ApiResult<Tz> {
    let zone_name: String = creditors::table.find(creditor_id).select(creditors::time_zone).first(conn)?;
    zone_name
        .parse()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("creditor {creditor_id} has an unknown time zone '{zone_name}'")))
}

/// Builds the policy: the rules table from `contact_rules`, and the
/// creditor's time zone for a debtor with no known location.
pub fn policy(conn: &mut PgConnection, creditor_id: Uuid) -> ApiResult<ContactPolicy> {
    let default_zone = creditor_zone(conn, creditor_id)?;
    // NOTE: creditors record no country, so a debtor with no location hint
    // and no address country gets the general rules, not a country's.
    Ok(ContactPolicy { rules: super::rules::load_table(conn)?, default_zone, default_country: None })
}
