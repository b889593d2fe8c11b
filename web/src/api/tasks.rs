//! Follow-up tasks raised by the daily run: broken promises, missed
//! instalments and broken plans.

use shared::plans::TaskDto;
use shared::Page;
use uuid::Uuid;

use super::client::{read_json, Call};
use super::error::ApiError;

/// Lists open tasks: only the user's own when `mine`, otherwise every task
/// on the accounts the user may see.
pub async fn list_open_tasks(mine: bool) -> Result<Vec<TaskDto>, ApiError> {
    let params = vec![("done", "false".to_string()), ("mine", mine.to_string())];
    let page: Page<TaskDto> = read_json(Call::get("/tasks").query(params).send().await?).await?;
    Ok(page.items)
}

/// Marks a task as done and returns it as it is afterwards.
pub async fn complete_task(task_id: Uuid) -> Result<TaskDto, ApiError> {
    read_json(Call::post(format!("/tasks/{task_id}/completion")).send().await?).await
}
