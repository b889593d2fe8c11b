use std::io::Write;

use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use shared::imports::ImportReport;
use shared::users::Role;
use shared::{ErrorCode, FieldError};

use crate::auth::CurrentUser;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{multipart, with_conn};
use crate::services::imports;

/// The fields of the upload form, for errors about the form itself.
const FIELDS: &str = "profile, creditor and file";

/// Upload form for `POST /api/v1/imports`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// Name of a stored import profile, such as `lending_club`.
    profile: String,
    /// The creditor's name; a new name creates the creditor.
    creditor: String,
    /// The placement file (CSV).
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Uploads a placement file and starts importing it. Answers 202 at once with
/// the running import's report; poll `GET /api/v1/imports/{id}` for progress.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 202, body = ImportReport), (status = 400, body = shared::ErrorEnvelope), (status = 413, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_import(
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
    user: CurrentUser,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    user.require(Role::may_import, "import placement files")?;
    let mut profile = None;
    let mut creditor = None;
    let mut upload: Option<(tempfile::NamedTempFile, String, u64)> = None;

    while let Some(field) = form.next().await {
        let mut field = field.map_err(|error| multipart::upload_error(error, FIELDS))?;
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" if upload.is_some() => {
                return Err(ApiError::invalid_field("file", "the form has more than one file; upload one placement file at a time"));
            }
            "file" => {
                let file_name = multipart::file_name(&field, "upload.csv");
                let mut temp = tempfile::Builder::new()
                    .prefix("import-")
                    .suffix(".csv")
                    .tempfile_in(&settings.upload_dir)
                    .map_err(ApiError::internal)?;
                let mut size = 0u64;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|error| multipart::upload_error(error, FIELDS))?;
                    size += chunk.len() as u64;
                    if size > settings.max_upload_bytes as u64 {
                        return Err(ApiError::new(
                            ErrorCode::PayloadTooLarge,
                            format!(
                                "the file is larger than the {} MiB upload limit; import it with `recovery-desk import` instead",
                                settings.max_upload_bytes >> 20
                            ),
                        ));
                    }
                    temp.write_all(&chunk).map_err(ApiError::internal)?;
                }
                temp.flush().map_err(ApiError::internal)?;
                upload = Some((temp, file_name, size));
            }
            "profile" | "creditor" => {
                let text = multipart::read_text(&mut field, &name, FIELDS).await?;
                if name == "profile" {
                    profile = Some(text);
                } else {
                    creditor = Some(text);
                }
            }
            other => {
                return Err(ApiError::invalid_field(other, format!("the form field '{other}' is not known; send profile, creditor and file")));
            }
        }
    }

    let mut missing = Vec::new();
    if profile.as_deref().is_none_or(|p| p.trim().is_empty()) {
        missing.push(FieldError::new("profile", "missing", "profile is missing; name an import profile such as lending_club"));
    }
    if creditor.as_deref().is_none_or(|c| c.trim().is_empty()) {
        missing.push(FieldError::new("creditor", "missing", "creditor is missing; give the creditor's name"));
    }
    if upload.is_none() {
        missing.push(FieldError::new("file", "missing", "file is missing; attach the placement file as the form field `file`"));
    }
    if !missing.is_empty() {
        return Err(ApiError::validation(missing));
    }
    let (temp, file_name, size) = upload.expect("checked above");
    let (profile, creditor) = (profile.expect("checked above"), creditor.expect("checked above"));

    let started = with_conn(&pool, {
        let file_name = file_name.clone();
        move |conn| imports::start(conn, &creditor, &profile, &file_name, size, Some(user.id))
    })
    .await?;
    let import_id = started.id;

    // The import runs on its own thread; the temporary file is deleted when it ends.
    // NOTE: if this server stops mid-import, the import stays `running` with the
    // batches written so far; uploading the file again finishes it, because
    // unchanged lines are skipped.
    let pool_for_run = pool.clone();
    std::thread::Builder::new()
        .name(format!("import-{import_id}"))
        .spawn(move || {
            let result = pool_for_run
                .get()
                .map_err(ApiError::from)
                .and_then(|mut conn| imports::execute(&mut conn, &started, temp.path(), |_, _| {}));
            if let Err(error) = result {
                tracing::error!(import.id = %import_id, error = %error, "import could not finish");
            }
            drop(temp);
        })
        .map_err(ApiError::internal)?;

    let report = with_conn(&pool, move |conn| imports::report(conn, import_id)).await?;
    Ok(HttpResponse::Accepted().json(report))
}
