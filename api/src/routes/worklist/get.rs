use actix_web::web;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::pagination::check_limit;
use shared::worklist::WorklistPage;
use shared::FieldError;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::worklist::rank::{self, WorklistRequest};

#[derive(Deserialize, utoipa::IntoParams, Default)]
pub struct WorklistQuery {
    /// Whose worklist: managers and administrators may name any user; others see their own.
    agent_id: Option<String>,
    /// `true` returns the accounts the contact rules block now as well, each with its reasons.
    include_blocked: Option<String>,
    /// RFC 3339 instant to check the contact rules and count days at; default now.
    at: Option<String>,
    /// Page size, 1 to 500; default 50.
    limit: Option<String>,
    cursor: Option<String>,
}

fn parse(query: &WorklistQuery, now: DateTime<Utc>) -> Result<WorklistRequest, Vec<FieldError>> {
    let mut problems = Vec::new();
    let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);

    let agent_id = text(&query.agent_id).and_then(|t| match t.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.push(FieldError::new("agent_id", "invalid", format!("agent_id '{t}' is not a UUID")));
            None
        }
    });
    let include_blocked = match text(&query.include_blocked).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            problems.push(FieldError::new("include_blocked", "invalid", format!("include_blocked '{other}' must be true or false")));
            false
        }
    };
    let at = match text(&query.at) {
        None => now,
        Some(t) => match DateTime::parse_from_rfc3339(&t) {
            Ok(at) => at.with_timezone(&Utc),
            Err(_) => {
                problems.push(FieldError::new(
                    "at",
                    "invalid",
                    format!("at '{t}' is not an RFC 3339 instant; send one such as 2026-06-15T13:00:00Z, with a `+` offset encoded as %2B"),
                ));
                now
            }
        },
    };
    let limit = match text(&query.limit) {
        None => check_limit(None),
        Some(t) => t.parse::<u32>().map_err(|_| format!("limit '{t}' is not a whole number; use a value from 1 to 500")).and_then(|n| check_limit(Some(n))),
    }
    .unwrap_or_else(|message| {
        problems.push(FieldError::new("limit", "invalid", message));
        0
    });
    let cursor = text(&query.cursor).and_then(|t| rank::decode_cursor(&t).map_err(|e| problems.push(e)).ok());

    if problems.is_empty() {
        Ok(WorklistRequest { agent_id, include_blocked, at, limit, cursor })
    } else {
        Err(problems)
    }
}

/// The prioritised worklist: the agent's open accounts by score, highest
/// first, each with the reasons for its score. Accounts the contact rules
/// block now are left out and counted in `left_out`, unless `include_blocked=true`.
#[utoipa::path(get, path = "/api/v1/worklist", tag = "worklist", params(WorklistQuery),
    responses((status = 200, body = WorklistPage), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_worklist(pool: web::Data<PgPool>, user: CurrentUser, query: web::Query<WorklistQuery>) -> ApiResult<web::Json<WorklistPage>> {
    let request = parse(&query.into_inner(), Utc::now()).map_err(ApiError::validation)?;
    with_conn(&pool, move |conn| rank::worklist(conn, &user, &request)).await.map(web::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_value_is_named() {
        let query = WorklistQuery {
            agent_id: Some("bob".into()),
            include_blocked: Some("yes".into()),
            at: Some("tomorrow".into()),
            limit: Some("0".into()),
            cursor: Some("!!".into()),
        };
        let problems = parse(&query, Utc::now()).err().expect("the query is invalid");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["agent_id", "include_blocked", "at", "limit", "cursor"]);
    }
}
