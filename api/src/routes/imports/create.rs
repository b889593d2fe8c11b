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
use crate::routes::with_conn;
use crate::services::imports;

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
        let mut field = field.map_err(upload_error)?;
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" if upload.is_some() => {
                return Err(ApiError::invalid_field("file", "the form has more than one file; upload one placement file at a time"));
            }
            "file" => {
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(|n| n.chars().filter(|c| !c.is_control()).take(255).collect::<String>())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "upload.csv".to_string());
                let mut temp = tempfile::Builder::new()
                    .prefix("import-")
                    .suffix(".csv")
                    .tempfile_in(&settings.upload_dir)
                    .map_err(ApiError::internal)?;
                let mut size = 0u64;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(upload_error)?;
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
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(upload_error)?;
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > 1024 {
                        return Err(ApiError::invalid_field(&name, format!("{name} is longer than 1024 bytes")));
                    }
                }
                let text = String::from_utf8(bytes).map_err(|_| ApiError::invalid_field(&name, format!("{name} is not UTF-8 text")))?;
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

/// Maps a multipart parsing failure to the error envelope without the library's wording.
fn upload_error(error: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError;
    match error {
        MultipartError::ContentTypeMissing | MultipartError::ContentTypeParse | MultipartError::ContentTypeIncompatible => {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "the upload must be multipart/form-data with the fields profile, creditor and file",
            )
        }
        MultipartError::Incomplete | MultipartError::Payload(_) => {
            ApiError::new(ErrorCode::ValidationFailed, "the upload ended before the form was complete; send the file again")
        }
        _ => ApiError::new(
            ErrorCode::ValidationFailed,
            "the upload is not a valid multipart/form-data body; send the fields profile, creditor and file",
        ),
    }
}
