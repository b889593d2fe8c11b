//! Creditors and users, for filters and the import form.

use serde::de::DeserializeOwned;
use shared::accounts::CreditorDto;
use shared::pagination::MAX_LIMIT;
use shared::users::{Role, UserDto};
use shared::Page;

use super::client::{read_json, Call};
use super::error::ApiError;

/// Upper bound on pages read by `fetch_all`, so a server that keeps
/// returning a cursor cannot keep the page loading for ever.
const MAX_PAGES: usize = 20;

/// Reads every page of a list endpoint, following `next_cursor`.
///
/// NOTE: lists longer than `MAX_PAGES * MAX_LIMIT` (10,000) items are cut off.
async fn fetch_all<T: DeserializeOwned>(
    path: &str,
    params: Vec<(&'static str, String)>,
) -> Result<Vec<T>, ApiError> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = params.clone();
        query.push(("limit", MAX_LIMIT.to_string()));
        if let Some(cursor) = cursor.take() {
            query.push(("cursor", cursor));
        }
        let page: Page<T> = read_json(Call::get(path).query(query).send().await?).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(items)
}

/// Lists every creditor, sorted by name.
pub async fn list_creditors() -> Result<Vec<CreditorDto>, ApiError> {
    let mut creditors: Vec<CreditorDto> = fetch_all("/creditors", Vec::new()).await?;
    creditors.sort_by_key(|creditor| creditor.name.to_lowercase());
    Ok(creditors)
}

/// Lists the users who work accounts and so may be assigned them (assistants
/// and collectors, active or not), sorted by display name. Admins and managers
/// supervise and are left out. Only managers and admins may call this, and others get a 403.
pub async fn list_agents() -> Result<Vec<UserDto>, ApiError> {
    let role_param = |role: Role| vec![("role", role.as_str().to_string())];
    let (assistants, collectors) = futures::future::try_join(
        fetch_all::<UserDto>("/users", role_param(Role::Assistant)),
        fetch_all::<UserDto>("/users", role_param(Role::Collector)),
    )
    .await?;
    let mut agents: Vec<UserDto> = assistants.into_iter().chain(collectors).collect();
    agents.sort_by_key(|agent| agent.display_name.to_lowercase());
    Ok(agents)
}
