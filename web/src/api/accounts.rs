//! The worklist and single accounts.

use shared::accounts::{AccountDetail, AccountSort, AccountSummary, AssignRequest, StatusChangeRequest};
use shared::status::{AccountStatus, DpdBucket};
use shared::Page;
use uuid::Uuid;

use super::client::{read_json, Call};
use super::error::ApiError;

/// The agent filter of the worklist: unassigned accounts, or the accounts of one agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentFilter {
    Unassigned,
    Agent(Uuid),
}

impl AgentFilter {
    /// Returns the `assigned_agent_id` query value, which is a user id or `none`.
    pub fn as_param(self) -> String {
        match self {
            AgentFilter::Unassigned => "none".to_string(),
            AgentFilter::Agent(id) => id.to_string(),
        }
    }

    pub fn parse(text: &str) -> Option<AgentFilter> {
        if text == "none" {
            Some(AgentFilter::Unassigned)
        } else {
            text.parse().ok().map(AgentFilter::Agent)
        }
    }
}

/// The query of `GET /accounts`. Absent fields do not filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountQuery {
    pub status: Option<AccountStatus>,
    pub dpd: Option<DpdBucket>,
    /// Lowest total balance in minor units, inclusive.
    pub min_balance: Option<i64>,
    /// Highest total balance in minor units, inclusive.
    pub max_balance: Option<i64>,
    pub creditor_id: Option<Uuid>,
    pub assigned_agent: Option<AgentFilter>,
    pub no_valid_contact: Option<bool>,
    /// Free text matched by the server against account reference and debtor name.
    pub q: Option<String>,
    pub sort: AccountSort,
    pub cursor: Option<String>,
}

/// Rows per worklist page.
const WORKLIST_PAGE_SIZE: u32 = 50;

impl AccountQuery {
    /// Returns the query parameters, named as the API and the worklist URL name them.
    /// `limit` is not included.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(status) = self.status {
            params.push(("status", status.as_str().to_string()));
        }
        if let Some(dpd) = self.dpd {
            params.push(("dpd", dpd.as_str().to_string()));
        }

        if let Some(min) = self.min_balance {
            params.push(("min_balance", min.to_string()));
        }
        if let Some(max) = self.max_balance {
            params.push(("max_balance", max.to_string()));
        }

        if let Some(id) = self.creditor_id {
            params.push(("creditor_id", id.to_string()));
        }
        if let Some(agent) = self.assigned_agent {
            params.push(("assigned_agent_id", agent.as_param()));
        }
        if let Some(flag) = self.no_valid_contact {
            params.push(("no_valid_contact", flag.to_string()));
        }
        if let Some(q) = self.q.as_ref().filter(|q| !q.is_empty()) {
            params.push(("q", q.clone()));
        }

        if self.sort != AccountSort::default() {
            params.push(("sort", self.sort.as_str().to_string()));
        }
        if let Some(cursor) = &self.cursor {
            params.push(("cursor", cursor.clone()));
        }
        params
    }
}

pub async fn list_accounts(query: &AccountQuery) -> Result<Page<AccountSummary>, ApiError> {
    let mut params = query.to_params();
    params.push(("limit", WORKLIST_PAGE_SIZE.to_string()));
    read_json(Call::get("/accounts").query(params).send().await?).await
}

pub async fn get_account(id: Uuid) -> Result<AccountDetail, ApiError> {
    read_json(Call::get(format!("/accounts/{id}")).send().await?).await
}

/// Moves the account to another status and returns the account as it is afterwards.
pub async fn change_status(id: Uuid, request: &StatusChangeRequest) -> Result<AccountDetail, ApiError> {
    let call = Call::post(format!("/accounts/{id}/status")).json(request)?;
    read_json(call.send().await?).await
}

/// Assigns the account to `agent_id`, or unassigns it when `None`, and returns
/// the account as it is afterwards. Only managers and admins may call this.
pub async fn assign_account(id: Uuid, agent_id: Option<Uuid>) -> Result<AccountDetail, ApiError> {
    let call = Call::put(format!("/accounts/{id}/assignment")).json(&AssignRequest { agent_id })?;
    read_json(call.send().await?).await
}
