use actix_web::web;
use serde::Deserialize;
use shared::accounts::{AccountSort, AccountSummary};
use shared::pagination::check_limit;
use shared::status::{AccountStatus, DpdBucket};
use shared::{FieldError, Page};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::accounts::{self, AccountFilter};

/// Worklist query parameters. Every value is checked and a bad one is named in the error.
#[derive(Deserialize, utoipa::IntoParams, Default)]
pub struct AccountQuery {
    /// Comma-separated statuses, such as `open,disputed`.
    status: Option<String>,
    /// Days-past-due bucket: `0-30`, `31-60`, `61-90`, `91-180`, `181-365` or `365+`.
    dpd: Option<String>,
    /// Lowest total balance, in minor units of each account's currency.
    min_balance: Option<String>,
    /// Highest total balance, in minor units.
    max_balance: Option<String>,
    creditor_id: Option<String>,
    /// A user id, or `none` for unassigned accounts.
    assigned_agent_id: Option<String>,
    /// `true` for accounts with no valid phone, address or email; `false` for the others.
    no_valid_contact: Option<String>,
    /// Start of the account reference, or part of the debtor's name.
    q: Option<String>,
    /// `balance_desc` (default), `balance_asc`, `dpd_desc`, `dpd_asc` or `account_ref`.
    sort: Option<String>,
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

/// The keys a `filter` object in a request body may hold: the filters of `GET /accounts`.
const FILTER_KEYS: [&str; 8] = ["status", "dpd", "min_balance", "max_balance", "creditor_id", "assigned_agent_id", "no_valid_contact", "q"];

/// Checks a request body's `filter` object, which contains `GET /accounts`
/// query parameters as strings, and names each bad key or value as
/// `filter.<key>`.
pub(crate) fn filter_from_map(map: &std::collections::BTreeMap<String, String>) -> Result<AccountFilter, Vec<FieldError>> {
    let unknown: Vec<&str> = map.keys().map(String::as_str).filter(|key| !FILTER_KEYS.contains(key)).collect();
    if !unknown.is_empty() {
        return Err(vec![FieldError::new(
            "filter",
            "unknown_key",
            format!("filter has keys that are not account-list filters: {}; use {}", unknown.join(", "), FILTER_KEYS.join(", ")),
        )]);
    }
    let value = |key: &str| map.get(key).cloned();
    let query = AccountQuery {
        status: value("status"),
        dpd: value("dpd"),
        min_balance: value("min_balance"),
        max_balance: value("max_balance"),
        creditor_id: value("creditor_id"),
        assigned_agent_id: value("assigned_agent_id"),
        no_valid_contact: value("no_valid_contact"),
        q: value("q"),
        ..AccountQuery::default()
    };
    let (filter, _) = parse_filter(&query).map_err(|problems| {
        problems.into_iter().map(|p| FieldError::new(&format!("filter.{}", p.field), &p.code, p.message)).collect::<Vec<_>>()
    })?;
    Ok(filter)
}

pub(crate) fn parse_filter(query: &AccountQuery) -> Result<(AccountFilter, u32), Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut filter = AccountFilter::default();
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);

    if let Some(text) = blank(&query.status) {
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<AccountStatus>() {
                Ok(s) => filter.statuses.push(s),
                Err(m) => problems.push(FieldError::new("status", "invalid", m)),
            }
        }
    }
    if let Some(text) = blank(&query.dpd) {
        match text.parse::<DpdBucket>() {
            Ok(b) => filter.dpd = Some(b),
            Err(m) => problems.push(FieldError::new("dpd", "invalid", m)),
        }
    }
    for (name, value, slot) in [
        ("min_balance", &query.min_balance, &mut filter.min_balance),
        ("max_balance", &query.max_balance, &mut filter.max_balance),
    ] {
        if let Some(text) = blank(value) {
            match text.parse::<i64>() {
                Ok(v) => *slot = Some(v),
                Err(_) => problems.push(FieldError::new(
                    name,
                    "invalid",
                    format!("{name} '{text}' is not a whole number of minor units; send 150000 for 1,500.00"),
                )),
            }
        }
    }
    if let (Some(min), Some(max)) = (filter.min_balance, filter.max_balance) {
        if min > max {
            problems.push(FieldError::new("min_balance", "invalid_range", "min_balance is larger than max_balance; swap them"));
        }
    }
    if let Some(text) = blank(&query.creditor_id) {
        match text.parse() {
            Ok(id) => filter.creditor_id = Some(id),
            Err(_) => problems.push(FieldError::new("creditor_id", "invalid", format!("creditor_id '{text}' is not a UUID"))),
        }
    }
    if let Some(text) = blank(&query.assigned_agent_id) {
        if text == "none" {
            filter.assigned_agent = Some(None);
        } else {
            match text.parse() {
                Ok(id) => filter.assigned_agent = Some(Some(id)),
                Err(_) => problems.push(FieldError::new(
                    "assigned_agent_id",
                    "invalid",
                    format!("assigned_agent_id '{text}' is not a UUID or `none`"),
                )),
            }
        }
    }
    if let Some(text) = blank(&query.no_valid_contact) {
        match text.as_str() {
            "true" => filter.no_valid_contact = Some(true),
            "false" => filter.no_valid_contact = Some(false),
            _ => problems.push(FieldError::new("no_valid_contact", "invalid", format!("no_valid_contact '{text}' must be true or false"))),
        }
    }
    if let Some(text) = blank(&query.q) {
        if text.chars().count() > 200 {
            problems.push(FieldError::new("q", "too_long", "q is longer than 200 characters; shorten the search"));
        }
        filter.search = Some(text);
    }
    if let Some(text) = blank(&query.sort) {
        match AccountSort::ALL.into_iter().find(|s| s.as_str() == text) {
            Some(s) => filter.sort = s,
            None => problems.push(FieldError::new(
                "sort",
                "invalid",
                format!("sort '{text}' is not supported; use one of {}", AccountSort::ALL.map(|s| s.as_str()).join(", ")),
            )),
        }
    }
    let limit = match blank(&query.limit) {
        None => check_limit(None),
        Some(text) => match text.parse::<u32>() {
            Ok(n) => check_limit(Some(n)),
            Err(_) => Err(format!("limit '{text}' is not a whole number; use a value from 1 to 500")),
        },
    };
    let limit = match limit {
        Ok(n) => n,
        Err(m) => {
            problems.push(FieldError::new("limit", "invalid", m));
            0
        }
    };
    if problems.is_empty() {
        Ok((filter, limit))
    } else {
        Err(problems)
    }
}

/// The worklist: accounts matching the filters, one page at a time.
/// Assistants and collectors see only the accounts assigned to them.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery),
    responses((status = 200, body = Page<AccountSummary>), (status = 400, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_accounts(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    query: web::Query<AccountQuery>,
) -> ApiResult<web::Json<Page<AccountSummary>>> {
    let query = query.into_inner();
    let (filter, limit) = parse_filter(&query).map_err(ApiError::validation)?;
    let cursor = match query.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => Some(accounts::decode_cursor(text, filter.sort).map_err(|e| ApiError::validation(vec![e]))?),
        None => None,
    };
    with_conn(&pool, move |conn| {
        let (items, next_cursor) = accounts::list(conn, &user, &filter, cursor, limit)?;
        Ok(Page { items, next_cursor })
    })
    .await
    .map(web::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_value_is_named() {
        let query = AccountQuery {
            status: Some("open,closed".into()),
            dpd: Some("12".into()),
            min_balance: Some("1.5".into()),
            limit: Some("501".into()),
            sort: Some("name".into()),
            ..Default::default()
        };
        let problems = parse_filter(&query).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["status", "dpd", "min_balance", "sort", "limit"]);
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let (filter, limit) = parse_filter(&AccountQuery::default()).unwrap();
        assert_eq!(limit, 50);
        assert_eq!(filter.sort, AccountSort::BalanceDesc);
        assert!(filter.statuses.is_empty());
    }
}
