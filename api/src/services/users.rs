//! Creating and listing users.

use diesel::prelude::*;
use shared::users::{CreateUserRequest, Role, UserDto};
use shared::validation::{check_email, check_new_password};
use shared::FieldError;
use uuid::Uuid;

use crate::auth::password::hash_password;
use crate::db::schema::users;
use crate::db::users::{NewUser, User};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

/// Checks the request, hashes the password and inserts the user with its audit row.
pub fn create_user(conn: &mut PgConnection, actor: Option<Uuid>, request: &CreateUserRequest) -> ApiResult<UserDto> {
    let mut problems = Vec::new();
    if let Err(message) = check_email(&request.email) {
        problems.push(FieldError::new("email", "invalid", message));
    }
    if let Err(message) = check_new_password(&request.password) {
        problems.push(FieldError::new("password", "too_short", message));
    }
    let display_name = request.display_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if display_name.is_some_and(|n| n.chars().count() > 200) {
        problems.push(FieldError::new("display_name", "too_long", "display_name is longer than 200 characters; shorten it"));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }

    let email = request.email.trim().to_string();
    let display_name = display_name
        .map(str::to_string)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let password_hash = hash_password(&request.password)?;
    let id = Uuid::now_v7();

    conn.transaction(|conn| {
        let user: User = diesel::insert_into(users::table)
            .values(NewUser {
                id,
                email: &email,
                display_name: &display_name,
                role: request.role.as_str(),
                password_hash: &password_hash,
            })
            .returning(User::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: actor,
                action: "user.created",
                entity_type: "user",
                entity_id: user.id,
                details: serde_json::json!({ "role": request.role.as_str() }),
            },
        )?;
        Ok::<_, diesel::result::Error>(user.to_dto())
    })
    .map_err(ApiError::from)
}

pub fn find_user(conn: &mut PgConnection, id: Uuid) -> ApiResult<UserDto> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .map(|u| u.to_dto())
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Lists users ordered by email, optionally of one role; `after` is the last email of the previous page.
pub fn list_users(conn: &mut PgConnection, role: Option<Role>, after: Option<&str>, limit: u32) -> ApiResult<(Vec<UserDto>, bool)> {
    let mut query = users::table.select(User::as_select()).order(users::email.asc()).into_boxed();
    if let Some(role) = role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(users::email.gt(after.to_string()));
    }
    let mut rows: Vec<User> = query.limit(i64::from(limit) + 1).load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows.iter().map(User::to_dto).collect(), more))
}

pub fn count_admins(conn: &mut PgConnection) -> QueryResult<i64> {
    users::table.filter(users::role.eq("admin")).count().get_result(conn)
}
