//! The prioritised worklist: the signed-in agent's accounts ranked by score.

use shared::worklist::WorklistPage;

use super::client::{read_json, Call};
use super::error::ApiError;

/// Loads a page of the signed-in user's worklist. With `include_blocked`,
/// accounts the contact rules block now are listed too, with their reasons.
pub async fn prioritised_worklist(include_blocked: bool, cursor: Option<String>) -> Result<WorklistPage, ApiError> {
    let mut params = vec![("include_blocked", include_blocked.to_string())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor));
    }
    read_json(Call::get("/worklist").query(params).send().await?).await
}
