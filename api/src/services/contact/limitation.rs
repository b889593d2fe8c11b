//! Statutes of limitation: whether a debt is time-barred, by the rule in
//! `limitation_periods` for the debtor's country and region and the debt's
//! type. A time-barred debt may still be collected, but never with content
//! that mentions legal action.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use shared::contact::LimitationDto;
use uuid::Uuid;

use super::super::ledger::LockedAccount;
use super::super::plans::context;
use crate::auth::CurrentUser;
use crate::db::schema::{accounts, debtor_addresses, limitation_periods};
use crate::domain::contact_rules::zones::normalise_country;
use crate::error::ApiResult;

#[derive(Queryable)]
struct Rule {
    country: String,
    region: String,
    debt_type: String,
    years: i32,
    runs_from: String,
    payment_restarts: bool,
    source: String,
}

/// `GET /accounts/{id}/limitation`, as of the creditor's today.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<LimitationDto> {
    let ctx = context(conn, user, account_id, false)?;
    assess(conn, &ctx.account, ctx.today)
}

/// Works out whether the account's debt is time-barred on `day`.
///
/// The period runs from the default (`delinquent_since`) or from the last
/// payment, as the rule sets. Where a payment restarts it, a payment made
/// before the period ended starts it again from the payment's day.
pub fn assess(conn: &mut PgConnection, account: &LockedAccount, day: NaiveDate) -> ApiResult<LimitationDto> {
    let (debt_type, last_payment_on): (Option<String>, Option<NaiveDate>) =
        accounts::table.find(account.id).select((accounts::debt_type, accounts::last_payment_on)).first(conn)?;
    let place: Option<(Option<String>, Option<String>)> = debtor_addresses::table
        .filter(debtor_addresses::debtor_id.eq(account.debtor_id))
        .order((debtor_addresses::is_valid.desc(), debtor_addresses::created_at.desc()))
        .select((debtor_addresses::country, debtor_addresses::region))
        .first(conn)
        .optional()?;
    let unknown = |note: &str| LimitationDto { time_barred: false, barred_from: None, rule: None, source: None, note: Some(note.to_string()) };
    let Some((Some(country), region)) = place else {
        return Ok(unknown("the debtor has no address with a country, so no limitation rule applies"));
    };
    // USA, UK and the US territories' own codes name the rows' countries.
    let (country, region) = normalise_country(&country, region.as_deref());
    let region = region.map(|r| r.trim().to_ascii_uppercase()).unwrap_or_default();
    let debt_type = debt_type.unwrap_or_else(|| "any".to_string());

    let rules: Vec<Rule> = limitation_periods::table
        .filter(limitation_periods::country.eq(&country))
        .filter(limitation_periods::region.eq(&region).or(limitation_periods::region.eq("")))
        .filter(limitation_periods::debt_type.eq(&debt_type).or(limitation_periods::debt_type.eq("any")))
        .select((
            limitation_periods::country,
            limitation_periods::region,
            limitation_periods::debt_type,
            limitation_periods::years,
            limitation_periods::runs_from,
            limitation_periods::payment_restarts,
            limitation_periods::source,
        ))
        .load(conn)?;
    // A region's rule wins over the country's, then a debt type's over 'any'.
    let Some(rule) = rules.into_iter().max_by_key(|rule| (!rule.region.is_empty(), rule.debt_type != "any")) else {
        return Ok(unknown("no limitation rule covers the debtor's country and region"));
    };

    let name = if rule.region.is_empty() { rule.country.clone() } else { format!("{}-{}", rule.country, rule.region) };
    let described = format!("{name} {}: {} years from {}", rule.debt_type, rule.years, rule.runs_from.replace('_', " "));
    let barred_from = barred_from(&rule, account.delinquent_since, last_payment_on);
    Ok(LimitationDto {
        time_barred: barred_from.is_some_and(|end| day >= end),
        barred_from,
        rule: Some(described),
        source: Some(rule.source),
        note: barred_from.is_none().then(|| "the account has no default date or payment to count the period from".to_string()),
    })
}

/// Returns the first day the debt is time-barred, or `None` without a start day.
///
/// NOTE: only the last payment's day is stored, so where payments restart
/// the period, a payment after the period counted from the default is
/// ignored even if an earlier payment had extended it. The day found is
/// then earlier than the true one, which errs on the side of the debtor.
fn barred_from(rule: &Rule, defaulted_on: Option<NaiveDate>, last_payment_on: Option<NaiveDate>) -> Option<NaiveDate> {
    let add_years = |start: NaiveDate| start.checked_add_months(Months::new(12 * rule.years.unsigned_abs()));
    let start = match rule.runs_from.as_str() {
        "last_payment" => last_payment_on.or(defaulted_on)?,
        _ => defaulted_on?,
    };
    let end = add_years(start)?;
    match last_payment_on {
        Some(paid) if rule.payment_restarts && paid > start && paid < end => add_years(paid),
        _ => Some(end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(runs_from: &str, payment_restarts: bool) -> Rule {
        Rule {
            country: "GB".into(),
            region: String::new(),
            debt_type: "any".into(),
            years: 6,
            runs_from: runs_from.into(),
            payment_restarts,
            source: String::new(),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn runs_from_default() {
        let end = barred_from(&rule("default", false), Some(day("2019-03-01")), Some(day("2022-01-10")));
        assert_eq!(end, Some(day("2025-03-01")));
    }

    #[test]
    fn payment_within_period_restarts() {
        let end = barred_from(&rule("default", true), Some(day("2019-03-01")), Some(day("2022-01-10")));
        assert_eq!(end, Some(day("2028-01-10")));
    }

    #[test]
    fn payment_after_period_does_not_revive() {
        let end = barred_from(&rule("default", true), Some(day("2010-03-01")), Some(day("2020-01-10")));
        assert_eq!(end, Some(day("2016-03-01")));
    }

    #[test]
    fn leap_day_default_ends_on_last_of_february() {
        let end = barred_from(&rule("default", false), Some(day("2020-02-29")), None);
        assert_eq!(end, Some(day("2026-02-28")));
    }

    #[test]
    fn last_payment_rule_falls_back_to_default() {
        assert_eq!(barred_from(&rule("last_payment", false), Some(day("2019-03-01")), None), Some(day("2025-03-01")));
        assert_eq!(barred_from(&rule("last_payment", false), None, None), None);
    }
}
