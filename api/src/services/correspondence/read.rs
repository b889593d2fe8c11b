//! Reading logged letters and emails, and drawing letters as PDF files.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use shared::correspondence::{CorrespondenceDto, CorrespondenceStatus, TemplateChannel};
use shared::ErrorCode;
use uuid::Uuid;

use super::super::plans::context;
use super::merge::format_day;
use crate::auth::CurrentUser;
use crate::db::schema::{correspondence, template_versions, templates};
use crate::error::{ApiError, ApiResult};
use crate::letters::{render_letters, LetterDocument};
use crate::receipts::ReceiptError;

const LIST_LIMIT: i64 = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = correspondence)]
pub struct Row {
    pub id: Uuid,
    pub account_id: Uuid,
    pub template_version_id: Uuid,
    pub batch_id: Option<Uuid>,
    pub channel: String,
    pub status: String,
    pub blocked_reasons: Vec<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub sender: Option<String>,
    pub letter_date: Option<NaiveDate>,
    pub address_lines: Vec<String>,
    pub last_error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Loads one row as its response body.
pub fn load(conn: &mut PgConnection, id: Uuid) -> ApiResult<CorrespondenceDto> {
    let mut dtos = load_many(conn, correspondence::table.filter(correspondence::id.eq(id)).into_boxed())?;
    dtos.pop().ok_or_else(|| ApiError::not_found("correspondence"))
}

/// `GET /accounts/{id}/correspondence`: newest first, up to 200.
pub fn list(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid) -> ApiResult<Vec<CorrespondenceDto>> {
    context(conn, user, account_id, false)?;
    let query = correspondence::table
        .filter(correspondence::account_id.eq(account_id))
        .order((correspondence::created_at.desc(), correspondence::id.desc()))
        .limit(LIST_LIMIT)
        .into_boxed();
    load_many(conn, query)
}

fn load_many(conn: &mut PgConnection, query: correspondence::BoxedQuery<'_, diesel::pg::Pg>) -> ApiResult<Vec<CorrespondenceDto>> {
    let rows: Vec<(Row, (Uuid, i32, String))> = query
        .inner_join(template_versions::table.inner_join(templates::table))
        .select((Row::as_select(), (template_versions::template_id, template_versions::version, templates::key)))
        .load(conn)?;
    rows.into_iter().map(|(row, (template_id, version, key))| to_dto(row, template_id, version, key)).collect()
}

fn to_dto(row: Row, template_id: Uuid, version: i32, template_key: String) -> ApiResult<CorrespondenceDto> {
    let bad = |what: &str, value: &str| ApiError::internal(anyhow::anyhow!("correspondence {} has an unknown {what} '{value}'", row.id));
    let channel = TemplateChannel::parse(&row.channel).ok_or_else(|| bad("channel", &row.channel))?;
    let status = CorrespondenceStatus::parse(&row.status).ok_or_else(|| bad("status", &row.status))?;
    Ok(CorrespondenceDto {
        id: row.id,
        account_id: row.account_id,
        template_id,
        template_key,
        template_version_id: row.template_version_id,
        version,
        channel,
        status,
        blocked_reasons: row.blocked_reasons,
        subject: row.subject,
        body: row.body,
        batch_id: row.batch_id,
        last_error: row.last_error,
        created_by: row.created_by,
        created_at: row.created_at,
        sent_at: row.sent_at,
    })
}

/// Converts a generated letter row to what the PDF prints; `None` for an
/// email or a letter that was not generated.
pub fn letter_document(row: &Row, account_ref: &str) -> Option<LetterDocument> {
    if row.channel != TemplateChannel::Letter.as_str() || row.status != CorrespondenceStatus::Generated.as_str() {
        return None;
    }
    Some(LetterDocument {
        organisation: row.sender.clone()?,
        date: format_day(row.letter_date?),
        address_lines: row.address_lines.clone(),
        subject: row.subject.clone()?,
        body: row.body.clone()?,
        account_ref: account_ref.to_string(),
    })
}

/// Draws letters as one PDF; a failure is a server fault, because the text
/// was checked against the fonts when the letter was generated.
pub fn draw(letters: &[LetterDocument], title: &str) -> ApiResult<Vec<u8>> {
    render_letters(letters, title).map_err(|error| {
        // Only the kind is logged, because the other variants quote characters of the letter.
        let kind = match error {
            ReceiptError::Font { font, .. } => format!("embedded font {font} unusable"),
            _ => "text the fonts cannot draw".to_string(),
        };
        ApiError::internal(anyhow::anyhow!("drawing letters failed: {kind}"))
    })
}

/// `GET /correspondence/{id}/pdf`: the letter as a PDF file.
pub fn pdf(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<Vec<u8>> {
    let row: Row = correspondence::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("correspondence"))?;
    let ctx = context(conn, user, row.account_id, false)?;
    let Some(letter) = letter_document(&row, &ctx.account.account_ref) else {
        return Err(ApiError::new(
            ErrorCode::UnprocessableState,
            format!(
                "correspondence {id} is a {} with status {}, not a generated letter; only generated letters have a PDF",
                row.channel, row.status
            ),
        ));
    };
    draw(&[letter], &format!("Letter {id}"))
}
