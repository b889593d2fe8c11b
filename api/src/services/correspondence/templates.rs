//! Templates and their versions: listing, creating, adding a version (the
//! only way to change a text) and previewing for an account.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::correspondence::{
    check_template_text, render, CreateTemplateRequest, CreateVersionRequest, PreviewDto, PreviewRequest, TemplateChannel,
    TemplateDto, TemplateVersionDto, NAME_MAX_CHARS,
};
use shared::FieldError;
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::contact::eligibility::{self, Check};
use super::super::plans::context;
use super::generate::opt_out_footer;
use super::{check_template_creditor, load_version, merge};
use crate::auth::CurrentUser;
use crate::db::schema::{creditors, template_versions, templates};
use crate::error::{ApiError, ApiResult};

#[derive(Queryable, Selectable)]
#[diesel(table_name = templates)]
struct TemplateRow {
    id: Uuid,
    creditor_id: Option<Uuid>,
    key: String,
    name: String,
    channel: String,
    mentions_legal_action: bool,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = template_versions)]
struct VersionRow {
    id: Uuid,
    template_id: Uuid,
    version: i32,
    subject: String,
    body: String,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<VersionRow> for TemplateVersionDto {
    fn from(row: VersionRow) -> Self {
        TemplateVersionDto {
            id: row.id,
            template_id: row.template_id,
            version: row.version,
            subject: row.subject,
            body: row.body,
            created_by: row.created_by,
            created_at: row.created_at,
        }
    }
}

/// `GET /templates`: the global templates and, with `creditor_id`, that
/// creditor's own; without it, every template.
pub fn list(conn: &mut PgConnection, creditor_id: Option<Uuid>) -> ApiResult<Vec<TemplateDto>> {
    let mut query = templates::table.order((templates::key, templates::creditor_id.desc())).into_boxed();
    if let Some(creditor_id) = creditor_id {
        query = query.filter(templates::creditor_id.is_null().or(templates::creditor_id.eq(creditor_id)));
    }
    let rows: Vec<TemplateRow> = query.select(TemplateRow::as_select()).load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let versions: Vec<VersionRow> = template_versions::table
        .filter(template_versions::template_id.eq_any(&ids))
        .order((template_versions::template_id, template_versions::version.desc()))
        .distinct_on(template_versions::template_id)
        .select(VersionRow::as_select())
        .load(conn)?;
    let mut newest: HashMap<Uuid, VersionRow> = versions.into_iter().map(|v| (v.template_id, v)).collect();
    rows.into_iter()
        .map(|row| {
            let current = newest
                .remove(&row.id)
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("template {} has no version", row.id)))?;
            to_dto(row, current)
        })
        .collect()
}

/// `GET /templates/{id}/versions`: every version, newest first.
pub fn versions(conn: &mut PgConnection, template_id: Uuid) -> ApiResult<Vec<TemplateVersionDto>> {
    let rows: Vec<VersionRow> = template_versions::table
        .filter(template_versions::template_id.eq(template_id))
        .order(template_versions::version.desc())
        .select(VersionRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Err(ApiError::not_found("template"));
    }
    Ok(rows.into_iter().map(TemplateVersionDto::from).collect())
}

/// `POST /templates`: a template and its version 1; managers and administrators.
pub fn create(conn: &mut PgConnection, user: &CurrentUser, request: &CreateTemplateRequest) -> ApiResult<TemplateDto> {
    user.require(shared::users::Role::sees_all_accounts, "create templates")?;
    let mut problems = check_template_text(&request.subject, &request.body, request.mentions_legal_action);
    check_key(&request.key, &mut problems);
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.contains('\0') {
        problems.push(FieldError::new(
            "name",
            "invalid",
            format!("name must be 1 to {NAME_MAX_CHARS} characters without NUL; write a short title such as Payment reminder"),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }

    let template_id = conn.transaction(|conn| {
        if let Some(creditor_id) = request.creditor_id {
            let exists = creditors::table.find(creditor_id).count().get_result::<i64>(conn)? > 0;
            if !exists {
                return Err(ApiError::invalid_field("creditor_id", format!("creditor {creditor_id} does not exist; send the id of a creditor or leave creditor_id out")));
            }
        }
        let owners: Vec<Option<Uuid>> =
            templates::table.filter(templates::key.eq(&request.key)).select(templates::creditor_id).load(conn)?;
        let taken = owners.contains(&request.creditor_id);
        if taken {
            return Err(ApiError::taken(
                "key",
                &format!("a template with key {} already exists for this creditor; add a version to it or choose another key", request.key),
            ));
        }
        let template_id = Uuid::now_v7();
        diesel::insert_into(templates::table)
            .values((
                templates::id.eq(template_id),
                templates::creditor_id.eq(request.creditor_id),
                templates::key.eq(&request.key),
                templates::name.eq(name),
                templates::channel.eq(request.channel.as_str()),
                templates::mentions_legal_action.eq(request.mentions_legal_action),
            ))
            .execute(conn)?;
        insert_version(conn, user, template_id, request.creditor_id, 1, &request.subject, &request.body)?;
        Ok::<_, ApiError>(template_id)
    })?;
    tracing::info!(template.id = %template_id, user.id = %user.id, "template created");
    get(conn, template_id)
}

/// `POST /templates/{id}/versions`: the next version; managers and administrators.
pub fn create_version(
    conn: &mut PgConnection,
    user: &CurrentUser,
    template_id: Uuid,
    request: &CreateVersionRequest,
) -> ApiResult<TemplateVersionDto> {
    user.require(shared::users::Role::sees_all_accounts, "change templates")?;
    let version_id = conn.transaction(|conn| {
        // The row lock makes concurrent edits take consecutive numbers.
        let template: Option<(Option<Uuid>, bool)> = templates::table
            .find(template_id)
            .select((templates::creditor_id, templates::mentions_legal_action))
            .for_update()
            .first(conn)
            .optional()?;
        let (creditor_id, mentions_legal_action) = template.ok_or_else(|| ApiError::not_found("template"))?;
        let problems = check_template_text(&request.subject, &request.body, mentions_legal_action);
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        let latest: Option<i32> = template_versions::table
            .filter(template_versions::template_id.eq(template_id))
            .select(diesel::dsl::max(template_versions::version))
            .first(conn)?;
        let next = latest.unwrap_or(0) + 1;
        insert_version(conn, user, template_id, creditor_id, next, &request.subject, &request.body)
    })?;
    tracing::info!(template.id = %template_id, template_version.id = %version_id, "template version created");
    let row = template_versions::table.find(version_id).select(VersionRow::as_select()).first(conn)?;
    Ok(row.into())
}

fn insert_version(
    conn: &mut PgConnection,
    user: &CurrentUser,
    template_id: Uuid,
    creditor_id: Option<Uuid>,
    version: i32,
    subject: &str,
    body: &str,
) -> ApiResult<Uuid> {
    let version_id = Uuid::now_v7();
    diesel::insert_into(template_versions::table)
        .values((
            template_versions::id.eq(version_id),
            template_versions::template_id.eq(template_id),
            template_versions::version.eq(version),
            template_versions::subject.eq(subject),
            template_versions::body.eq(body),
            template_versions::created_by.eq(Some(user.id)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id,
            actor_user_id: Some(user.id),
            action: "template.version_created",
            entity_type: "template",
            entity_id: template_id,
            details: json!({ "template_version_id": version_id, "version": version }),
        },
    )?;
    Ok(version_id)
}

fn get(conn: &mut PgConnection, template_id: Uuid) -> ApiResult<TemplateDto> {
    let row: TemplateRow = templates::table.find(template_id).select(TemplateRow::as_select()).first(conn)?;
    let current: VersionRow = template_versions::table
        .filter(template_versions::template_id.eq(template_id))
        .order(template_versions::version.desc())
        .select(VersionRow::as_select())
        .first(conn)?;
    to_dto(row, current)
}

fn to_dto(row: TemplateRow, current: VersionRow) -> ApiResult<TemplateDto> {
    let channel = TemplateChannel::parse(&row.channel)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("template {} has an unknown channel '{}'", row.id, row.channel)))?;
    Ok(TemplateDto {
        id: row.id,
        creditor_id: row.creditor_id,
        key: row.key,
        name: row.name,
        channel,
        mentions_legal_action: row.mentions_legal_action,
        created_at: row.created_at,
        current: current.into(),
    })
}

/// Keys are lower-case letters, digits and `_`, starting with a letter, at most 64 characters.
fn check_key(key: &str, problems: &mut Vec<FieldError>) {
    let mut chars = key.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_valid = key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts_with_letter || !rest_valid || key.len() > 64 {
        problems.push(FieldError::new(
            "key",
            "invalid",
            format!(
                "key '{}' is invalid; use 1 to 64 lower-case letters, digits and _, starting with a letter, such as final_demand",
                key.escape_debug()
            ),
        ));
    }
}

/// `POST /templates/{id}/preview`: the template rendered for an account,
/// and whether the contact rules would let it go out now. Nothing is stored.
pub fn preview(conn: &mut PgConnection, user: &CurrentUser, template_id: Uuid, request: &PreviewRequest, public_url: &str) -> ApiResult<PreviewDto> {
    let ctx = context(conn, user, request.account_id, false)?;
    let version = load_version(conn, template_id, request.version)?;
    check_template_creditor(&version, ctx.account.creditor_id)?;
    let merged = merge::load(conn, &ctx.account)?;
    let subject = render("subject", &version.subject, &merged.values);
    let body = render("body", &version.body, &merged.values);
    let (subject, mut body) = match (subject, body) {
        (Ok(subject), Ok(body)) => (subject, body),
        (subject, body) => {
            let problems = [subject.err(), body.err()].into_iter().flatten().flatten().collect();
            return Err(ApiError::validation(problems));
        }
    };
    if version.channel == TemplateChannel::Email {
        body = format!("{body}\n\n{}", opt_out_footer(public_url, "{opt-out-token}"));
    }
    let check = Check {
        channel: version.channel.contact_channel(),
        at: Utc::now(),
        phone_e164: None,
        mentions_legal_action: version.mentions_legal_action,
    };
    let decision = eligibility::decide(conn, &ctx.account, &check)?;
    Ok(PreviewDto {
        template_version_id: version.id,
        version: version.version,
        channel: version.channel,
        subject,
        body,
        contact: eligibility::to_dto(decision),
    })
}
