//! Bulk reassignment of accounts to an agent or, round-robin, to a team's
//! active agents; and the teams themselves. Managers and administrators only.

use std::collections::BTreeMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, Uuid as SqlUuid};
use serde_json::json;
use shared::users::Role;
use shared::worklist::{AgentCount, BulkAssignReport, BulkAssignRequest, TeamDto, BULK_ASSIGN_MAX_ACCOUNTS};
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::schema::{accounts, teams, users};
use crate::error::{ApiError, ApiResult};
use crate::services::accounts::{ids_matching, AccountFilter};
use crate::services::audit::{self, AuditEvent};

/// How the accounts were chosen, already checked.
pub enum Selection {
    Ids(Vec<Uuid>),
    Filter(AccountFilter),
}

/// The target, already checked for shape.
pub enum Target {
    Agent(Uuid),
    Team(Uuid),
}

/// Checks that exactly one selection and one target are given.
pub fn check_shape(request: &BulkAssignRequest) -> Result<Target, Vec<FieldError>> {
    let mut problems = Vec::new();
    match (&request.account_ids, &request.filter) {
        (Some(_), Some(_)) => problems.push(FieldError::new(
            "account_ids",
            "conflict",
            "send either account_ids or filter, not both",
        )),
        (None, None) => problems.push(FieldError::new("account_ids", "missing", "account_ids or filter is missing; send the accounts to move")),
        (Some(ids), None) if ids.is_empty() => {
            problems.push(FieldError::new("account_ids", "empty", "account_ids is empty; list at least one account id"))
        }
        (Some(ids), None) if ids.len() > BULK_ASSIGN_MAX_ACCOUNTS => problems.push(FieldError::new(
            "account_ids",
            "too_many",
            format!("account_ids has {} ids; send at most {BULK_ASSIGN_MAX_ACCOUNTS} per request", ids.len()),
        )),
        _ => {}
    }
    let target = match (request.agent_id, request.team_id) {
        (Some(agent), None) => Some(Target::Agent(agent)),
        (None, Some(team)) => Some(Target::Team(team)),
        (Some(_), Some(_)) => {
            problems.push(FieldError::new("agent_id", "conflict", "send either agent_id or team_id, not both"));
            None
        }
        (None, None) => {
            problems.push(FieldError::new("agent_id", "missing", "agent_id or team_id is missing; name where the accounts go"));
            None
        }
    };
    match target {
        Some(target) if problems.is_empty() => Ok(target),
        _ => Err(problems),
    }
}

/// `POST /accounts/assignments`: moves the selected accounts in one
/// transaction with one audit row that lists every move.
pub fn bulk_assign(conn: &mut PgConnection, user: &CurrentUser, selection: &Selection, target: &Target) -> ApiResult<BulkAssignReport> {
    user.require(Role::sees_all_accounts, "reassign accounts")?;
    let agents = target_agents(conn, target)?;

    let (report, batch_id) = conn.transaction(|conn| {
        let ids = selected_ids(conn, user, selection)?;
        // Locked in id order, as payments lock accounts, so the two cannot deadlock.
        let current: Vec<(Uuid, Option<Uuid>)> = accounts::table
            .filter(accounts::id.eq_any(&ids))
            .order(accounts::id)
            .select((accounts::id, accounts::assigned_agent_id))
            .for_update()
            .load(conn)?;

        let mut moves = Vec::new();
        let mut per_agent: BTreeMap<Uuid, i64> = BTreeMap::new();
        for (index, (account_id, from)) in current.iter().enumerate() {
            let to = agents[index % agents.len()];
            if *from != Some(to) {
                moves.push((*account_id, *from, to));
                *per_agent.entry(to).or_default() += 1;
            }
        }
        let moved_ids: Vec<Uuid> = moves.iter().map(|m| m.0).collect();
        let targets: Vec<Uuid> = moves.iter().map(|m| m.2).collect();
        diesel::sql_query(
            "UPDATE accounts SET assigned_agent_id = v.agent_id, updated_at = now()
             FROM unnest($1, $2) AS v(account_id, agent_id) WHERE accounts.id = v.account_id",
        )
        .bind::<Array<SqlUuid>, _>(&moved_ids)
        .bind::<Array<SqlUuid>, _>(&targets)
        .execute(conn)?;

        let batch_id = Uuid::now_v7();
        let target_json = match target {
            Target::Agent(agent) => json!({ "agent_id": agent }),
            Target::Team(team) => json!({ "team_id": team }),
        };
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: Some(user.id),
                action: "accounts.bulk_assigned",
                entity_type: "assignment_batch",
                entity_id: batch_id,
                details: json!({
                    "target": target_json,
                    "selected_by": match selection { Selection::Ids(_) => "account_ids", Selection::Filter(_) => "filter" },
                    "selected": current.len(),
                    "moves": moves.iter().map(|(account, from, to)| json!({ "account_id": account, "from": from, "to": to })).collect::<Vec<_>>(),
                }),
            },
        )?;
        let report = BulkAssignReport {
            selected: current.len() as i64,
            moved: moves.len() as i64,
            unchanged: (current.len() - moves.len()) as i64,
            per_agent: per_agent.into_iter().map(|(agent_id, accounts)| AgentCount { agent_id, accounts }).collect(),
        };
        Ok::<_, ApiError>((report, batch_id))
    })?;
    tracing::info!(user.id = %user.id, batch.id = %batch_id, moved = report.moved, "accounts reassigned");
    Ok(report)
}

/// Returns the agents to assign to, in round-robin order.
fn target_agents(conn: &mut PgConnection, target: &Target) -> ApiResult<Vec<Uuid>> {
    match *target {
        Target::Agent(agent_id) => {
            let active: Option<bool> = users::table.find(agent_id).select(users::active).first(conn).optional()?;
            match active {
                None => Err(ApiError::invalid_field("agent_id", format!("agent_id {agent_id} names no user; pick an existing user"))),
                Some(false) => Err(ApiError::invalid_field(
                    "agent_id",
                    format!("user {agent_id} is deactivated; pick an active user"),
                )),
                Some(true) => Ok(vec![agent_id]),
            }
        }
        Target::Team(team_id) => {
            let exists: Option<Uuid> = teams::table.find(team_id).select(teams::id).first(conn).optional()?;
            if exists.is_none() {
                return Err(ApiError::invalid_field("team_id", format!("team_id {team_id} names no team; pick one from GET /api/v1/teams")));
            }
            let members: Vec<Uuid> = users::table
                .filter(users::team_id.eq(team_id))
                .filter(users::active.eq(true))
                .order(users::id)
                .select(users::id)
                .load(conn)?;
            if members.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::UnprocessableState,
                    format!("team {team_id} has no active members; add agents with PUT /api/v1/users/{{id}}/team first"),
                ));
            }
            Ok(members)
        }
    }
}

/// Resolves the selection to account ids, rejecting unknown ids and
/// selections larger than `BULK_ASSIGN_MAX_ACCOUNTS`.
fn selected_ids(conn: &mut PgConnection, user: &CurrentUser, selection: &Selection) -> ApiResult<Vec<Uuid>> {
    match selection {
        Selection::Ids(ids) => {
            let mut wanted = ids.clone();
            wanted.sort();
            wanted.dedup();
            let found: Vec<Uuid> = accounts::table.filter(accounts::id.eq_any(&wanted)).select(accounts::id).load(conn)?;
            let unknown: Vec<String> = wanted.iter().filter(|id| !found.contains(id)).take(5).map(Uuid::to_string).collect();
            if !unknown.is_empty() {
                return Err(ApiError::invalid_field(
                    "account_ids",
                    format!("account_ids names accounts that do not exist: {}; remove them and send again", unknown.join(", ")),
                ));
            }
            Ok(wanted)
        }
        Selection::Filter(filter) => {
            let ids = ids_matching(conn, user, filter, BULK_ASSIGN_MAX_ACCOUNTS + 1)?;
            if ids.len() > BULK_ASSIGN_MAX_ACCOUNTS {
                return Err(ApiError::invalid_field(
                    "filter",
                    format!("the filter matches more than {BULK_ASSIGN_MAX_ACCOUNTS} accounts; narrow it or move them in parts"),
                ));
            }
            Ok(ids)
        }
    }
}

/// `GET /teams`: every team with its members, by name.
pub fn list_teams(conn: &mut PgConnection) -> ApiResult<Vec<TeamDto>> {
    let rows: Vec<(Uuid, String)> = teams::table.order(teams::name).select((teams::id, teams::name)).load(conn)?;
    let members: Vec<(Option<Uuid>, Uuid)> =
        users::table.filter(users::team_id.is_not_null()).order(users::id).select((users::team_id, users::id)).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| TeamDto {
            id,
            name,
            member_ids: members.iter().filter(|(team, _)| *team == Some(id)).map(|(_, user)| *user).collect(),
        })
        .collect())
}

/// `POST /teams`.
pub fn create_team(conn: &mut PgConnection, user: &CurrentUser, name: &str) -> ApiResult<TeamDto> {
    user.require(Role::sees_all_accounts, "create teams")?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid_field("name", "name must be 1 to 100 characters; send the team's name"));
    }
    shared::validation::check_free_text("name", name).map_err(|e| ApiError::validation(vec![e]))?;
    let id = Uuid::now_v7();
    conn.transaction(|conn| {
        let names: Vec<String> = teams::table.select(teams::name).load(conn)?;
        if names.iter().any(|existing| existing.to_lowercase() == name.to_lowercase()) {
            return Err(ApiError::taken("name", &format!("a team named '{name}' exists; pick another name")));
        }
        diesel::insert_into(teams::table).values((teams::id.eq(id), teams::name.eq(name), teams::created_at.eq(Utc::now()))).execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: Some(user.id),
                action: "team.created",
                entity_type: "team",
                entity_id: id,
                details: json!({ "name": name }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(TeamDto { id, name: name.to_string(), member_ids: vec![] })
}

/// `PUT /users/{id}/team`: puts the user in a team, or in none.
pub fn set_user_team(conn: &mut PgConnection, user: &CurrentUser, user_id: Uuid, team_id: Option<Uuid>) -> ApiResult<()> {
    user.require(Role::sees_all_accounts, "change teams")?;
    if let Some(team_id) = team_id {
        let exists: Option<Uuid> = teams::table.find(team_id).select(teams::id).first(conn).optional()?;
        if exists.is_none() {
            return Err(ApiError::invalid_field("team_id", format!("team_id {team_id} names no team; pick one from GET /api/v1/teams")));
        }
    }
    conn.transaction(|conn| {
        let previous: Option<Option<Uuid>> = users::table.find(user_id).select(users::team_id).for_update().first(conn).optional()?;
        let Some(previous) = previous else {
            return Err(ApiError::not_found("user"));
        };
        diesel::update(users::table.find(user_id)).set((users::team_id.eq(team_id), users::updated_at.eq(Utc::now()))).execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: Some(user.id),
                action: "user.team_changed",
                entity_type: "user",
                entity_id: user_id,
                details: json!({ "from": previous, "to": team_id }),
            },
        )?;
        Ok::<_, ApiError>(())
    })
}
