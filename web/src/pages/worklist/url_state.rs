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

/// Parses `value` with `parse`, recording a note in `ignored` when it fails.
fn read<T>(
    params: &ParamsMap,
    name: &str,
    ignored: &mut Vec<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = params.get_str(name).filter(|value| !value.is_empty())?;
    match parse(value) {
        Ok(parsed) => Some(parsed),
        Err(reason) => {
            ignored.push(format!("{name}={value} ({reason})"));
            None
        }
    }
}

impl WorklistState {
    pub fn from_params(params: &ParamsMap) -> Self {
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
            q: params.get("q").map(|q| q.trim().to_string()).filter(|q| !q.is_empty()),
            sort: read(params, "sort", &mut ignored, |text| {
                AccountSort::ALL
                    .into_iter()
                    .find(|sort| sort.as_str() == text)
                    .ok_or_else(|| "not a sort order".to_string())
            })
            .unwrap_or_default(),
            cursor: params.get("cursor").filter(|cursor| !cursor.is_empty()),
        };
        let balance_currency = read(params, "currency", &mut ignored, |text| {
            text.parse::<Currency>().map_err(|error| error.to_string())
        })
        .unwrap_or_else(Currency::usd);
        let previous_cursors = if query.cursor.is_some() {
            params.get_all("prev").unwrap_or_default().into_iter().filter(|cursor| !cursor.is_empty()).collect()
        } else {
            Vec::new()
        };

        WorklistState { query, balance_currency, previous_cursors, ignored }
    }

    /// The worklist path with this state as its query string.
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
            .map(|(name, value)| format!("{name}={}", String::from(js_sys::encode_uri_component(value))))
            .collect();
        format!("/?{}", pairs.join("&"))
    }

    /// The same filters and sort on the first page.
    pub fn first_page(&self) -> Self {
        let mut state = self.clone();
        state.query.cursor = None;
        state.previous_cursors.clear();
        state.ignored.clear();
        state
    }

    /// No filters, the first page, and the same sort and balance currency.
    pub fn cleared(&self) -> Self {
        WorklistState {
            query: AccountQuery { sort: self.query.sort, ..AccountQuery::default() },
            balance_currency: self.balance_currency,
            ..WorklistState::default()
        }
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

    /// The 1-based number of the current page.
    pub fn page_number(&self) -> usize {
        match self.query.cursor {
            None => 1,
            Some(_) => self.previous_cursors.len() + 2,
        }
    }

    /// Whether any filter narrows the list (sort and page do not count).
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
