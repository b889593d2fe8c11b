//! Profiles of kind `columns`: each field read from a named column.

use shared::imports::ColumnMap;
use shared::Currency;

use super::fields::{self, LineTally};
use super::mapping::{Line, Mapper};
use super::row::{AddressInput, PlacementRow, Rejection, RowOutcome};

pub fn required_columns(map: &ColumnMap) -> Vec<String> {
    [map.account_ref.clone(), map.principal.clone()].into_iter().flatten().collect()
}

/// Every column the map names.
pub fn used_columns(map: &ColumnMap) -> Vec<String> {
    let singles = [
        &map.account_ref,
        &map.debtor_ref,
        &map.debtor_name,
        &map.debtor_kind,
        &map.currency,
        &map.principal,
        &map.interest,
        &map.fees,
        &map.opened_on,
        &map.last_payment_on,
        &map.delinquent_since,
        &map.charged_off_on,
        &map.debt_type,
        &map.address_line1,
        &map.address_line2,
        &map.city,
        &map.region,
        &map.postal_code,
        &map.country,
    ];
    singles.into_iter().flatten().cloned().chain(map.phones.iter().cloned()).chain(map.emails.iter().cloned()).collect()
}

/// Checks a profile's column map: `account_ref` and `principal` must be named.
pub fn check_map(map: &ColumnMap) -> Result<(), String> {
    let mut missing = Vec::new();
    if map.account_ref.as_deref().is_none_or(|c| c.trim().is_empty()) {
        missing.push("columns.account_ref");
    }
    if map.principal.as_deref().is_none_or(|c| c.trim().is_empty()) {
        missing.push("columns.principal");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{} must name a column of the file", missing.join(" and ")))
    }
}

pub fn map(mapper: &Mapper, line: &Line<'_>, tally: &mut LineTally) -> RowOutcome {
    let map = &mapper.config.columns;
    let get = |column: &Option<String>| column.as_deref().and_then(|c| line.get(c));
    let name_of = |column: &Option<String>, fallback: &str| column.clone().unwrap_or_else(|| fallback.to_string());
    let mut problems = Vec::new();

    let account_ref = fields::text(get(&map.account_ref));
    if account_ref.is_none() {
        problems.push(Rejection::at(&name_of(&map.account_ref, "account_ref"), "missing", "the account reference is empty"));
    }

    let currency = match fields::text(get(&map.currency)) {
        None => mapper.default_currency,
        Some(code) => match code.parse::<Currency>() {
            Ok(c) => c,
            Err(e) => {
                problems.push(Rejection::at(&name_of(&map.currency, "currency"), "invalid_currency", e.to_string()));
                mapper.default_currency
            }
        },
    };

    let mut amount = |column: &Option<String>, required: bool| {
        let Some(column_name) = column.as_deref() else { return 0 };
        let value = line.get(column_name);
        if required && value.is_none_or(|v| v.trim().is_empty()) {
            problems.push(Rejection::at(column_name, "missing", format!("{column_name} is empty; give the amount owed")));
            return 0;
        }
        match fields::amount(column_name, value, currency, &mapper.rules, tally) {
            Ok(v) => v,
            Err(e) => {
                problems.push(e);
                0
            }
        }
    };
    let principal = amount(&map.principal, true);
    let interest = amount(&map.interest, false);
    let fees = amount(&map.fees, false);

    let mut date = |column: &Option<String>| {
        let Some(column_name) = column.as_deref() else { return None };
        match fields::date(column_name, line.get(column_name), &mapper.rules) {
            Ok(v) => v,
            Err(e) => {
                problems.push(e);
                None
            }
        }
    };
    let opened_on = date(&map.opened_on);
    let last_payment_on = date(&map.last_payment_on);
    let delinquent_since = date(&map.delinquent_since);
    let charged_off_on = date(&map.charged_off_on);
    let debt_type = match fields::text(get(&map.debt_type)) {
        None => None,
        Some(text) => match shared::accounts::parse_debt_type(&text) {
            Ok(kind) => Some(kind),
            Err(message) => {
                problems.push(Rejection::at(&name_of(&map.debt_type, "debt_type"), "invalid_debt_type", message));
                None
            }
        },
    };

    if !problems.is_empty() {
        return RowOutcome::Reject(problems);
    }
    let account_ref = account_ref.unwrap_or_default();

    let address = AddressInput {
        line1: fields::text(get(&map.address_line1)),
        line2: fields::text(get(&map.address_line2)),
        city: fields::text(get(&map.city)),
        region: fields::text(get(&map.region)),
        postal_code: fields::text(get(&map.postal_code)),
        country: fields::text(get(&map.country))
            .map(|c| c.to_ascii_uppercase())
            .or_else(|| Some(mapper.config.default_country.to_ascii_uppercase())),
        is_valid: false,
        invalid_reason: None,
    };
    // National phone numbers are read in the debtor's own country when the line gives one.
    let phone_region = fields::text(get(&map.country)).map(|c| c.to_ascii_uppercase());
    let has_any_part = address.line1.is_some() || address.city.is_some() || address.postal_code.is_some() || address.region.is_some();
    let address = has_any_part.then(|| check_address(address));

    RowOutcome::Row(Box::new(PlacementRow {
        debtor_ref: fields::text(get(&map.debtor_ref)).unwrap_or_else(|| account_ref.clone()),
        account_ref,
        debtor_kind: if fields::text(get(&map.debtor_kind)).is_some_and(|k| k.eq_ignore_ascii_case("company")) {
            "company"
        } else {
            "person"
        },
        debtor_name: fields::text(get(&map.debtor_name)),
        currency,
        principal,
        interest,
        fees,
        opened_on,
        last_payment_on,
        delinquent_since,
        charged_off_on,
        debt_type,
        address,
        phones: map
            .phones
            .iter()
            .filter_map(|c| fields::text(line.get(c)))
            .map(|raw| mapper.phone(&raw, phone_region.as_deref()))
            .collect(),
        emails: map.emails.iter().filter_map(|c| fields::text(line.get(c))).map(|raw| mapper.email(&raw)).collect(),
    }))
}

/// Marks an address valid for letters when it has a street line, a town and a country.
/// It also needs a postal code unless the country has none.
fn check_address(mut address: AddressInput) -> AddressInput {
    let mut missing = Vec::new();
    if address.line1.is_none() {
        missing.push("street");
    }
    if address.city.is_none() {
        missing.push("town");
    }
    if address.postal_code.is_none() && !country_without_postal_codes(address.country.as_deref()) {
        missing.push("postal code");
    }
    if address.country.as_deref().is_none_or(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic())) {
        missing.push("two-letter country code");
    }
    address.is_valid = missing.is_empty();
    address.invalid_reason = (!missing.is_empty()).then(|| format!("missing {}", missing.join(", ")));
    address
}

/// Countries whose addresses carry no postal code (a partial list: the common ones).
fn country_without_postal_codes(country: Option<&str>) -> bool {
    matches!(country, Some("AE" | "HK" | "QA" | "BS" | "AG" | "FJ" | "GH"))
}
