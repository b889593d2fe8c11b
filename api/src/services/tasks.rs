//! Follow-up tasks the daily run raises for broken promises, missed
//! instalments and broken plans: the agent's queue and marking one done.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::plans::{TaskDto, TaskKind};
use uuid::Uuid;

use super::audit::{self, AuditEvent};
use crate::auth::CurrentUser;
use crate::db::schema::{accounts, follow_up_tasks};
use crate::error::{ApiError, ApiResult};

const LIST_LIMIT: i64 = 500;

type Row = (Uuid, Uuid, String, String, Uuid, NaiveDate, Option<Uuid>, bool, DateTime<Utc>, Option<DateTime<Utc>>, Option<Uuid>);

/// The columns of a [`Row`], from the task joined with its account.
const COLUMNS: (
    follow_up_tasks::id,
    follow_up_tasks::account_id,
    accounts::account_ref,
    follow_up_tasks::kind,
    follow_up_tasks::subject_id,
    follow_up_tasks::raised_on,
    follow_up_tasks::assigned_to,
    follow_up_tasks::done,
    follow_up_tasks::created_at,
    follow_up_tasks::done_at,
    follow_up_tasks::done_by,
) = (
    follow_up_tasks::id,
    follow_up_tasks::account_id,
    accounts::account_ref,
    follow_up_tasks::kind,
    follow_up_tasks::subject_id,
    follow_up_tasks::raised_on,
    follow_up_tasks::assigned_to,
    follow_up_tasks::done,
    follow_up_tasks::created_at,
    follow_up_tasks::done_at,
    follow_up_tasks::done_by,
);

fn to_dto(row: Row) -> ApiResult<TaskDto> {
    let (id, account_id, account_ref, kind, subject_id, raised_on, assigned_to, done, created_at, done_at, done_by) = row;
    let kind = TaskKind::parse(&kind).ok_or_else(|| ApiError::internal(anyhow::anyhow!("task {id} has an unknown kind '{kind}'")))?;
    Ok(TaskDto { id, account_id, account_ref, kind, subject_id, raised_on, assigned_to, done, created_at, done_at, done_by })
}

/// `GET /tasks`: open (or done) tasks, oldest first. Managers see every
/// task unless they ask for their own; others see the tasks assigned to them.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, done: bool, mine: bool) -> ApiResult<Vec<TaskDto>> {
    let mut query = follow_up_tasks::table
        .inner_join(accounts::table)
        .filter(follow_up_tasks::done.eq(done))
        .order((follow_up_tasks::raised_on.asc(), follow_up_tasks::id.asc()))
        .limit(LIST_LIMIT)
        .into_boxed();
    if mine || !user.role.sees_all_accounts() {
        query = query.filter(follow_up_tasks::assigned_to.eq(user.id));
    }
    query
        .select(COLUMNS)
        .load::<Row>(conn)?
        .into_iter()
        .map(to_dto)
        .collect()
}

/// `POST /tasks/{id}/completion`: marks the task done; doing it twice is a no-op.
pub fn complete(conn: &mut PgConnection, user: &CurrentUser, task_id: Uuid) -> ApiResult<TaskDto> {
    conn.transaction(|conn| {
        let found: Option<(Uuid, Option<Uuid>, bool)> = follow_up_tasks::table
            .find(task_id)
            .select((follow_up_tasks::creditor_id, follow_up_tasks::assigned_to, follow_up_tasks::done))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((creditor_id, assigned_to, done)) = found else { return Err(ApiError::not_found("task")) };
        if !user.role.sees_all_accounts() && assigned_to != Some(user.id) {
            return Err(ApiError::not_found("task"));
        }
        if !done {
            diesel::update(follow_up_tasks::table.find(task_id))
                .set((follow_up_tasks::done.eq(true), follow_up_tasks::done_at.eq(diesel::dsl::now), follow_up_tasks::done_by.eq(user.id)))
                .execute(conn)?;
            audit::record(
                conn,
                AuditEvent {
                    creditor_id: Some(creditor_id),
                    actor_user_id: Some(user.id),
                    action: "task.done",
                    entity_type: "follow_up_task",
                    entity_id: task_id,
                    details: json!({}),
                },
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    let row = follow_up_tasks::table
        .inner_join(accounts::table)
        .filter(follow_up_tasks::id.eq(task_id))
        .select(COLUMNS)
        .first::<Row>(conn)?;
    to_dto(row)
}
