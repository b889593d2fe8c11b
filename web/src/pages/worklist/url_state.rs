//! The worklist's state as it lives in the URL query, so that a reload or a
//! shared link shows the same filters, sort and page.
//!
//! Filter parameters carry the names and values of `GET /accounts`. Two more
//! stay in the browser: `currency`, the currency of the balance filter inputs,
//! and `prev`, repeated once for each page cursor before the current one.

use leptos_router::params::ParamsMap;
use shared::accounts::AccountSort;
use shared::Currency;

use crate::api::{AccountQuery, AgentFilter};

#[derive(Clone, Debug, PartialEq)]
pub struct WorklistState {
    pub query: AccountQuery,
    /// The currency in which the balance filter inputs are written.
    pub balance_currency: Currency,
    /// Cursors of the pages between the first page and the current one, oldest first.
    /// The first page has no cursor, so it never appears here.
    pub previous_cursors: Vec<String>,
    /// Query parameters that could not be read, with the reason, to show to the user.
    pub ignored: Vec<String>,
}

impl Default for WorklistState {
    fn default() -> Self {
        WorklistState {
            query: AccountQuery::default(),
            balance_currency: Currency::usd(),
            previous_cursors: Vec::new(),
            ignored: Vec::new(),
        }
    }
}

/// Read access to decoded query parameters; `ParamsMap` in the app, a plain map in tests.
pub trait QueryLookup {
    /// Returns the last value of the parameter.
    fn value(&self, name: &str) -> Option<String>;
    /// Returns every value of a repeated parameter, in URL order.
    fn values(&self, name: &str) -> Vec<String>;
}

impl QueryLookup for ParamsMap {
    fn value(&self, name: &str) -> Option<String> {
        self.get(name)
    }

    fn values(&self, name: &str) -> Vec<String> {
        self.get_all(name).unwrap_or_default()
    }
}

/// Parses the parameter `name` with `parse`, recording a note in `ignored` when it fails.
fn read<T>(
    params: &impl QueryLookup,
    name: &str,
    ignored: &mut Vec<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = params.value(name).filter(|value| !value.is_empty())?;
    match parse(&value) {
        Ok(parsed) => Some(parsed),
        Err(reason) => {
            ignored.push(format!("{name}={value} ({reason})"));
            None
        }
    }
}

/// Percent-encodes a query value, keeping the characters that JavaScript's
/// `encodeURIComponent` keeps: ASCII letters, digits and `-_.!~*'()`.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

impl WorklistState {
    pub fn from_params(params: &impl QueryLookup) -> Self {
        let mut ignored = Vec::new();
        let integer = |text: &str| text.parse::<i64>().map_err(|_| "not a whole number of minor units".to_string());
        let uuid = |text: &str| text.parse::<uuid::Uuid>().map_err(|_| "not a valid id".to_string());

        let query = AccountQuery {
            status: read(params, "status", &mut ignored, |text| text.parse()),
            dpd: read(params, "dpd", &mut ignored, |text| text.parse()),
            min_balance: read(params, "min_balance", &mut ignored, integer),
            max_balance: read(params, "max_balance", &mut ignored, integer),
            creditor_id: read(params, "creditor_id", &mut ignored, uuid),
            assigned_agent: read(params, "assigned_agent_id", &mut ignored, |text| {
                AgentFilter::parse(text).ok_or_else(|| "use a user id or none".to_string())
            }),
            no_valid_contact: read(params, "no_valid_contact", &mut ignored, |text| match text {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err("use true or false".to_string()),
            }),
            q: params.value("q").map(|q| q.trim().to_string()).filter(|q| !q.is_empty()),
            sort: read(params, "sort", &mut ignored, |text| {
                AccountSort::ALL
                    .into_iter()
                    .find(|sort| sort.as_str() == text)
                    .ok_or_else(|| "not a sort order".to_string())
            })
            .unwrap_or_default(),
            cursor: params.value("cursor").filter(|cursor| !cursor.is_empty()),
        };
        let balance_currency = read(params, "currency", &mut ignored, |text| {
            text.parse::<Currency>().map_err(|error| error.to_string())
        })
        .unwrap_or_else(Currency::usd);
        let previous_cursors = if query.cursor.is_some() {
            params.values("prev").into_iter().filter(|cursor| !cursor.is_empty()).collect()
        } else {
            Vec::new()
        };

        WorklistState { query, balance_currency, previous_cursors, ignored }
    }

    /// Builds the worklist path with this state as its query string.
    pub fn to_url(&self) -> String {
        let mut params: Vec<(&str, String)> = self.query.to_params();
        if self.balance_currency != Currency::usd() {
            params.push(("currency", self.balance_currency.code().to_string()));
        }
        for cursor in &self.previous_cursors {
            params.push(("prev", cursor.clone()));
        }
        if params.is_empty() {
            return "/".to_string();
        }
        let pairs: Vec<String> = params
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
            .collect();
        format!("/?{}", pairs.join("&"))
    }

    /// Returns the same filters and sort on the first page.
    pub fn first_page(&self) -> Self {
        let mut state = self.clone();
        state.query.cursor = None;
        state.previous_cursors.clear();
        state.ignored.clear();
        state
    }

    pub fn with_sort(&self, sort: AccountSort) -> Self {
        let mut state = self.first_page();
        state.query.sort = sort;
        state
    }

    pub fn next_page(&self, next_cursor: String) -> Self {
        let mut state = self.clone();
        if let Some(current) = state.query.cursor.take() {
            state.previous_cursors.push(current);
        }
        state.query.cursor = Some(next_cursor);
        state.ignored.clear();
        state
    }

    pub fn has_previous_page(&self) -> bool {
        self.query.cursor.is_some()
    }

    pub fn previous_page(&self) -> Self {
        let mut state = self.clone();
        state.query.cursor = state.previous_cursors.pop();
        state.ignored.clear();
        state
    }

    /// Returns the 1-based number of the current page.
    pub fn page_number(&self) -> usize {
        match self.query.cursor {
            None => 1,
            Some(_) => self.previous_cursors.len() + 2,
        }
    }

    /// Returns whether any filter narrows the list. Sort and page do not count.
    pub fn is_filtered(&self) -> bool {
        let query = &self.query;
        query.status.is_some()
            || query.dpd.is_some()
            || query.min_balance.is_some()
            || query.max_balance.is_some()
            || query.creditor_id.is_some()
            || query.assigned_agent.is_some()
            || query.no_valid_contact.is_some()
            || query.q.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::status::{AccountStatus, DpdBucket};
    use std::collections::HashMap;

    /// Decoded parameters as the router would hand them over.
    struct Params(HashMap<&'static str, Vec<String>>);

    impl Params {
        fn new(pairs: &[(&'static str, &str)]) -> Self {
            let mut map: HashMap<&'static str, Vec<String>> = HashMap::new();
            for (name, value) in pairs {
                map.entry(name).or_default().push(value.to_string());
            }
            Params(map)
        }
    }

    impl QueryLookup for Params {
        fn value(&self, name: &str) -> Option<String> {
            self.0.get(name).and_then(|values| values.last().cloned())
        }

        fn values(&self, name: &str) -> Vec<String> {
            self.0.get(name).cloned().unwrap_or_default()
        }
    }

    /// Splits a URL made by `to_url` back into decoded pairs.
    fn parse_url(url: &str) -> Params {
        let query = url.strip_prefix("/?").unwrap_or("");
        let mut map: HashMap<&'static str, Vec<String>> = HashMap::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap();
            let name: &'static str = Box::leak(name.to_string().into_boxed_str());
            map.entry(name).or_default().push(percent_decode(value));
        }
        Params(map)
    }

    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] == b'%' {
                out.push(u8::from_str_radix(&text[index + 1..index + 3], 16).unwrap());
                index += 3;
            } else {
                out.push(bytes[index]);
                index += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn empty_query_is_first_page_unfiltered() {
        let state = WorklistState::from_params(&Params::new(&[]));
        assert_eq!(state, WorklistState::default());
        assert_eq!(state.to_url(), "/");
        assert_eq!(state.page_number(), 1);
        assert!(!state.is_filtered());
    }

    #[test]
    fn every_filter_round_trips_through_url() {
        let creditor = "0190c1d2-0000-7000-8000-000000000001";
        let params = Params::new(&[
            ("status", "in_arrangement"),
            ("dpd", "91-180"),
            ("min_balance", "100000"),
            ("max_balance", "250050"),
            ("creditor_id", creditor),
            ("assigned_agent_id", "none"),
            ("no_valid_contact", "true"),
            ("q", "O'Brien & Sons 100%"),
            ("sort", "dpd_asc"),
            ("currency", "EUR"),
        ]);
        let state = WorklistState::from_params(&params);
        assert_eq!(state.query.status, Some(AccountStatus::InArrangement));
        assert_eq!(state.query.dpd, Some(DpdBucket::UpTo180));
        assert_eq!(state.query.min_balance, Some(100000));
        assert_eq!(state.query.max_balance, Some(250050));
        assert_eq!(state.query.creditor_id, Some(creditor.parse().unwrap()));
        assert_eq!(state.query.assigned_agent, Some(AgentFilter::Unassigned));
        assert_eq!(state.query.no_valid_contact, Some(true));
        assert_eq!(state.query.q.as_deref(), Some("O'Brien & Sons 100%"));
        assert_eq!(state.query.sort, AccountSort::DpdAsc);
        assert_eq!(state.balance_currency.code(), "EUR");
        assert!(state.ignored.is_empty());

        let url = state.to_url();
        assert!(url.contains("q=O'Brien%20%26%20Sons%20100%25"), "{url}");
        assert_eq!(WorklistState::from_params(&parse_url(&url)), state);
    }

    #[test]
    fn invalid_values_are_ignored_and_reported() {
        let params = Params::new(&[("status", "bogus"), ("min_balance", "12.5"), ("sort", "name"), ("dpd", "0-30")]);
        let state = WorklistState::from_params(&params);
        assert_eq!(state.query.status, None);
        assert_eq!(state.query.min_balance, None);
        assert_eq!(state.query.sort, AccountSort::BalanceDesc);
        assert_eq!(state.query.dpd, Some(DpdBucket::UpTo30));
        assert_eq!(state.ignored.len(), 3, "{:?}", state.ignored);
        assert!(state.ignored[0].starts_with("status=bogus"));
    }

    #[test]
    fn pages_walk_forward_and_back() {
        let first = WorklistState::from_params(&Params::new(&[("status", "open")]));
        assert!(!first.has_previous_page());

        let second = first.next_page("c2".to_string());
        assert_eq!(second.page_number(), 2);
        assert!(second.previous_cursors.is_empty());

        let third = second.next_page("c3".to_string());
        assert_eq!(third.page_number(), 3);
        assert_eq!(third.previous_cursors, vec!["c2".to_string()]);
        assert_eq!(WorklistState::from_params(&parse_url(&third.to_url())), third);

        let back_to_second = third.previous_page();
        assert_eq!(back_to_second, second);
        let back_to_first = back_to_second.previous_page();
        assert_eq!(back_to_first, first);
    }

    #[test]
    fn sort_returns_to_first_page() {
        let paged = WorklistState::from_params(&Params::new(&[("status", "open"), ("cursor", "c2"), ("prev", "c1")]));
        let sorted = paged.with_sort(AccountSort::AccountRef);
        assert_eq!(sorted.query.cursor, None);
        assert!(sorted.previous_cursors.is_empty());
        assert_eq!(sorted.query.status, Some(AccountStatus::Open));
        assert_eq!(sorted.query.sort, AccountSort::AccountRef);
    }

    #[test]
    fn currency_alone_is_not_filter() {
        let state = WorklistState::from_params(&Params::new(&[("currency", "EUR")]));
        assert!(!state.is_filtered());
        assert_eq!(state.to_url(), "/?currency=EUR");
    }

    #[test]
    fn prev_without_cursor_is_dropped() {
        let state = WorklistState::from_params(&Params::new(&[("prev", "c2")]));
        assert!(state.previous_cursors.is_empty());
    }
}
