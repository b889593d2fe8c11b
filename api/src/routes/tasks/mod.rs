use actix_web::web;
use serde::Deserialize;
use shared::plans::TaskDto;
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::tasks;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TaskQuery {
    /// `false` (default) for the open tasks, `true` for those done.
    done: Option<String>,
    /// `true` for only the caller's tasks; managers otherwise see every task.
    mine: Option<String>,
}

fn flag(name: &str, value: Option<&str>) -> ApiResult<bool> {
    match value.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::invalid_field(name, format!("{name} '{other}' is not true or false; send true or false"))),
    }
}

/// The follow-up queue: tasks for broken promises, missed instalments and broken plans, oldest first (up to 500).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, body = Page<TaskDto>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_tasks(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<TaskQuery>) -> ApiResult<web::Json<Page<TaskDto>>> {
    let done = flag("done", query.done.as_deref())?;
    let mine = flag("mine", query.mine.as_deref())?;
    let items = with_conn(&pool, move |conn| tasks::list(conn, &user, done, mine)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Marks a task done; marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/completion", tag = "tasks", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = TaskDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn complete_task(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<TaskDto>> {
    let id = parse_id(&path, "task")?;
    with_conn(&pool, move |conn| tasks::complete(conn, &user, id)).await.map(web::Json)
}
