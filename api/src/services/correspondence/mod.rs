//! Letters and emails from templates: templates and their versions
//! (`templates`), generating for one account (`generate`) or a list
//! (`batches`), reading what was sent (`read`) and opt-out links
//! (`opt_out`). `merge` gathers the values of the merge fields.
//!
//! Every letter or email goes through the contact rules first, with the
//! template's channel and its `mentions_legal_action` flag, so a batch
//! bypasses no rule and a time-barred debt never receives a template that
//! mentions legal action.

pub mod batches;
pub mod generate;
pub mod merge;
pub mod opt_out;
pub mod read;
pub mod templates;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use shared::correspondence::TemplateChannel;
use uuid::Uuid;

use crate::db::schema::{template_versions, templates as template_table};
use crate::error::{ApiError, ApiResult};

/// A template version joined with its template.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub id: Uuid,
    pub template_id: Uuid,
    pub version: i32,
    pub subject: String,
    pub body: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub template_key: String,
    pub template_creditor_id: Option<Uuid>,
    pub channel: TemplateChannel,
    pub mentions_legal_action: bool,
}

type VersionColumns = (
    (Uuid, Uuid, i32, String, String, Option<Uuid>, DateTime<Utc>),
    (String, Option<Uuid>, String, bool),
);

fn version_row(((id, template_id, version, subject, body, created_by, created_at), (key, creditor_id, channel, legal)): VersionColumns) -> ApiResult<VersionRow> {
    let channel = TemplateChannel::parse(&channel)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("template {template_id} has an unknown channel '{channel}'")))?;
    Ok(VersionRow {
        id,
        template_id,
        version,
        subject,
        body,
        created_by,
        created_at,
        template_key: key,
        template_creditor_id: creditor_id,
        channel,
        mentions_legal_action: legal,
    })
}

/// Loads a template's version `version`, or its newest when `None`.
pub fn load_version(conn: &mut PgConnection, template_id: Uuid, version: Option<i32>) -> ApiResult<VersionRow> {
    let mut query = template_versions::table
        .inner_join(template_table::table)
        .filter(template_versions::template_id.eq(template_id))
        .order(template_versions::version.desc())
        .select((
            (
                template_versions::id,
                template_versions::template_id,
                template_versions::version,
                template_versions::subject,
                template_versions::body,
                template_versions::created_by,
                template_versions::created_at,
            ),
            (template_table::key, template_table::creditor_id, template_table::channel, template_table::mentions_legal_action),
        ))
        .into_boxed();
    if let Some(version) = version {
        query = query.filter(template_versions::version.eq(version));
    }
    let row: Option<VersionColumns> = query.first(conn).optional()?;
    match (row, version) {
        (Some(row), _) => version_row(row),
        (None, Some(version)) => {
            let exists = template_table::table.find(template_id).count().get_result::<i64>(conn)? > 0;
            if exists {
                Err(ApiError::invalid_field(
                    "version",
                    format!("template {template_id} has no version {version}; leave version out to use the newest"),
                ))
            } else {
                Err(ApiError::not_found("template"))
            }
        }
        (None, None) => Err(ApiError::not_found("template")),
    }
}

/// Loads a version by its id.
pub fn load_version_by_id(conn: &mut PgConnection, version_id: Uuid) -> ApiResult<VersionRow> {
    let template_id: Uuid = template_versions::table.find(version_id).select(template_versions::template_id).first(conn)?;
    let version: i32 = template_versions::table.find(version_id).select(template_versions::version).first(conn)?;
    load_version(conn, template_id, Some(version))
}

/// Rejects a creditor's own template for an account of another creditor.
pub fn check_template_creditor(version: &VersionRow, account_creditor_id: Uuid) -> ApiResult<()> {
    match version.template_creditor_id {
        Some(owner) if owner != account_creditor_id => Err(ApiError::invalid_field(
            "template_id",
            format!(
                "template {} belongs to creditor {owner}, not to the account's creditor {account_creditor_id}; choose a template of that creditor or a global one",
                version.template_id
            ),
        )),
        _ => Ok(()),
    }
}
