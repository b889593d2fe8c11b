use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use shared::bank_statements::StatementImportDto;
use shared::users::Role;
use shared::{ErrorCode, FieldError};

use crate::auth::CurrentUser;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{multipart, with_conn};
use crate::services::bank_statements::{self, CreditorChoice};

/// The fields of the upload form, for errors about the form itself.
const FIELDS: &str = "creditor (or creditor_id) and file";

/// Upload form for `POST /api/v1/bank-statements`: `file` and either `creditor` or `creditor_id`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct StatementUpload {
    /// The creditor's name, as in `GET /api/v1/creditors` (case-insensitive).
    creditor: Option<String>,
    /// The creditor's id; send this or `creditor`.
    creditor_id: Option<uuid::Uuid>,
    /// The statement file: camt.053 or camt.054 XML, or MT940 text.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Imports a bank statement file: checks each statement's balances, stores
/// every entry, posts credits whose payment details name exactly one
/// account, reverses the payments that returned credits undo, and queues
/// the rest for review. The same file twice for one creditor is rejected with 409.
#[utoipa::path(post, path = "/api/v1/bank-statements", tag = "bank statements",
    request_body(content = StatementUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = StatementImportDto),
        (status = 400, description = "Missing field, unknown creditor, or a file that cannot be read (the message names the line or element)", body = shared::ErrorEnvelope),
        (status = 409, description = "The same file was imported for this creditor before; `fields[0].code` is `already_imported`", body = shared::ErrorEnvelope),
        (status = 413, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_bank_statement_import(
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
    user: CurrentUser,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    user.require(Role::may_import, "import bank statements")?;
    let mut creditor = None;
    let mut creditor_id = None;
    let mut upload: Option<(String, Vec<u8>)> = None;

    while let Some(field) = form.next().await {
        let mut field = field.map_err(|error| multipart::upload_error(error, FIELDS))?;
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" if upload.is_some() => {
                return Err(ApiError::invalid_field("file", "the form has more than one file; upload one statement file at a time"));
            }
            "file" => {
                let file_name = multipart::file_name(&field, "statement");
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|error| multipart::upload_error(error, FIELDS))?;
                    if bytes.len() + chunk.len() > settings.max_upload_bytes {
                        return Err(ApiError::new(
                            ErrorCode::PayloadTooLarge,
                            format!(
                                "the file is larger than the {} MiB upload limit; split the statement file",
                                settings.max_upload_bytes >> 20
                            ),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                upload = Some((file_name, bytes));
            }
            "creditor" | "creditor_id" => {
                let text = multipart::read_text(&mut field, &name, FIELDS).await?;
                if name == "creditor" {
                    creditor = Some(text);
                } else {
                    creditor_id = Some(text);
                }
            }
            other => {
                return Err(ApiError::invalid_field(
                    other,
                    format!("the form field '{other}' is not known; send file and either creditor or creditor_id"),
                ));
            }
        }
    }

    let mut problems = Vec::new();
    let creditor = creditor.filter(|c| !c.trim().is_empty());
    let creditor_id = creditor_id.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let choice = match (creditor, creditor_id) {
        (Some(_), Some(_)) => {
            problems.push(FieldError::new("creditor_id", "conflict", "send either creditor or creditor_id, not both"));
            None
        }
        (Some(name), None) => Some(CreditorChoice::Name(name)),
        (None, Some(id)) => match id.parse() {
            Ok(id) => Some(CreditorChoice::Id(id)),
            Err(_) => {
                problems.push(FieldError::new(
                    "creditor_id",
                    "invalid",
                    "creditor_id is not a UUID; send the id from GET /api/v1/creditors",
                ));
                None
            }
        },
        (None, None) => {
            problems.push(FieldError::new("creditor", "missing", "creditor is missing; give the creditor's name or its creditor_id"));
            None
        }
    };
    match &upload {
        None => problems.push(FieldError::new("file", "missing", "file is missing; attach the statement file as the form field `file`")),
        Some((_, bytes)) if bytes.is_empty() => {
            problems.push(FieldError::new("file", "empty", "the file is empty; upload a camt.053, camt.054 or MT940 statement"))
        }
        Some(_) => {}
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let choice = choice.expect("checked above");
    let (file_name, bytes) = upload.expect("checked above");

    let dto = with_conn(&pool, move |conn| bank_statements::import(conn, &user, choice, &file_name, &bytes)).await?;
    Ok(HttpResponse::Created().json(dto))
}
