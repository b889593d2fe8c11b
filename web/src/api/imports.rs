//! Placement imports: profiles, upload, progress and reports.

use shared::imports::{ImportProfileDto, ImportReport, ImportSummary};
use shared::Page;
use uuid::Uuid;

use super::client::{error_from_response, read_json, Call};
use super::error::ApiError;

/// Imports per page of the import list.
const IMPORTS_PAGE_SIZE: u32 = 20;

pub async fn list_import_profiles() -> Result<Vec<ImportProfileDto>, ApiError> {
    let call = Call::get("/import-profiles").query(vec![("limit", shared::pagination::MAX_LIMIT.to_string())]);
    let page: Page<ImportProfileDto> = read_json(call.send().await?).await?;
    Ok(page.items)
}

/// Uploads a placement file. The server responds 202 with a report whose status is `running`.
///
/// `creditor` is the creditor's name, and the server creates the creditor when the name is new.
pub async fn start_import(profile: &str, creditor: &str, file: &web_sys::File) -> Result<ImportReport, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Browser("form data could not be created".to_string()))?;
    let appended = form
        .append_with_str("profile", profile)
        .and_then(|_| form.append_with_str("creditor", creditor))
        .and_then(|_| form.append_with_blob_and_filename("file", file, &file.name()));
    appended.map_err(|_| ApiError::Browser("the file could not be added to the upload".to_string()))?;
    read_json(Call::post("/imports").multipart(form).send().await?).await
}

pub async fn get_import(id: Uuid) -> Result<ImportReport, ApiError> {
    read_json(Call::get(format!("/imports/{id}")).send().await?).await
}

/// Lists one page of imports, newest first as the server orders them. `cursor`
/// is the `next_cursor` of the page before, or `None` for the newest imports.
pub async fn list_imports(cursor: Option<String>) -> Result<Page<ImportSummary>, ApiError> {
    let mut params = vec![("limit", IMPORTS_PAGE_SIZE.to_string())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor));
    }
    read_json(Call::get("/imports").query(params).send().await?).await
}

/// Returns the path of an import's CSV report, for display in links.
pub fn report_csv_path(id: Uuid) -> String {
    format!("{}/imports/{id}/report.csv", super::client::API_BASE)
}

/// Downloads an import's report as CSV text. The endpoint needs the bearer
/// token, so a plain link cannot fetch it.
pub async fn download_report_csv(id: Uuid) -> Result<String, ApiError> {
    let response = Call::get(format!("/imports/{id}/report.csv")).accept("text/csv").send().await?;
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response.text().await.map_err(|error| ApiError::InvalidResponse(error.to_string()))
}
