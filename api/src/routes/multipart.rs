//! Reading `multipart/form-data` uploads: the uploaded file's name, short
//! text fields, and errors from the multipart stream.

use actix_multipart::{Field, MultipartError};
use futures_util::StreamExt;
use shared::ErrorCode;

use crate::error::{ApiError, ApiResult};

/// Maximum size of a text form field, in bytes.
const TEXT_FIELD_MAX_BYTES: usize = 1024;

/// Returns the uploaded file's name without control characters, at most 255
/// characters, or `default` when the form gives none.
pub fn file_name(field: &Field, default: &str) -> String {
    field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .map(|n| n.chars().filter(|c| !c.is_control()).take(255).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Reads a short text field (at most 1024 bytes of UTF-8) named `name`.
/// `fields` lists the form's fields for the error when the stream breaks.
pub async fn read_text(field: &mut Field, name: &str, fields: &str) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|error| upload_error(error, fields))?;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_MAX_BYTES {
            return Err(ApiError::invalid_field(name, format!("{name} is longer than {TEXT_FIELD_MAX_BYTES} bytes")));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::invalid_field(name, format!("{name} is not UTF-8 text")))
}

/// Maps a multipart parsing failure to the error envelope without the
/// library's wording; `fields` names the fields the form expects.
pub fn upload_error(error: MultipartError, fields: &str) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing | MultipartError::ContentTypeParse | MultipartError::ContentTypeIncompatible => {
            ApiError::new(ErrorCode::UnsupportedMediaType, format!("the upload must be multipart/form-data with the fields {fields}"))
        }
        MultipartError::Incomplete | MultipartError::Payload(_) => {
            ApiError::new(ErrorCode::ValidationFailed, "the upload ended before the form was complete; send the file again")
        }
        _ => ApiError::new(
            ErrorCode::ValidationFailed,
            format!("the upload is not a valid multipart/form-data body; send the fields {fields}"),
        ),
    }
}
