//! Letter and email templates, their previews, and the correspondence
//! generated on an account.
//!
//! NOTE: the list endpoints return one page with every template (and the
//! newest 200 letters of an account) and no cursor, so only that page is read.

use shared::correspondence::{
    CorrespondenceDto, CreateTemplateRequest, CreateVersionRequest, GenerateRequest, PreviewDto, PreviewRequest,
    TemplateDto, TemplateVersionDto,
};
use shared::Page;
use uuid::Uuid;

use super::client::{error_from_response, read_json, Call, API_BASE};
use super::error::ApiError;

/// Lists every template with its newest version, ordered by key.
pub async fn list_templates() -> Result<Vec<TemplateDto>, ApiError> {
    let page: Page<TemplateDto> = read_json(Call::get("/templates").send().await?).await?;
    Ok(page.items)
}

/// Lists every version of a template, newest first.
pub async fn list_template_versions(template_id: Uuid) -> Result<Vec<TemplateVersionDto>, ApiError> {
    let page: Page<TemplateVersionDto> =
        read_json(Call::get(format!("/templates/{template_id}/versions")).send().await?).await?;
    Ok(page.items)
}

/// Creates a template with its version 1. Only managers and admins may call this.
pub async fn create_template(request: &CreateTemplateRequest) -> Result<TemplateDto, ApiError> {
    read_json(Call::post("/templates").json(request)?.send().await?).await
}

/// Adds the next version of a template. Only managers and admins may call this.
pub async fn create_template_version(
    template_id: Uuid,
    request: &CreateVersionRequest,
) -> Result<TemplateVersionDto, ApiError> {
    read_json(Call::post(format!("/templates/{template_id}/versions")).json(request)?.send().await?).await
}

/// Renders a template version for an account without storing anything, with
/// the contact rules' decision for sending it now.
pub async fn preview_template(template_id: Uuid, request: &PreviewRequest) -> Result<PreviewDto, ApiError> {
    read_json(Call::post(format!("/templates/{template_id}/preview")).json(request)?.send().await?).await
}

/// Lists the account's letters and emails, newest first.
pub async fn list_correspondence(account_id: Uuid) -> Result<Vec<CorrespondenceDto>, ApiError> {
    let page: Page<CorrespondenceDto> =
        read_json(Call::get(format!("/accounts/{account_id}/correspondence")).send().await?).await?;
    Ok(page.items)
}

/// Generates a letter or queues an email for the account. Sending the same
/// `idempotency_key` and request again returns the first result instead of
/// making a second letter.
pub async fn generate_correspondence(
    account_id: Uuid,
    request: &GenerateRequest,
    idempotency_key: &str,
) -> Result<CorrespondenceDto, ApiError> {
    let call = Call::post(format!("/accounts/{account_id}/correspondence"))
        .header("Idempotency-Key", idempotency_key)
        .json(request)?;
    read_json(call.send().await?).await
}

/// Returns the path of a letter's PDF, for display in links.
pub fn letter_pdf_path(correspondence_id: Uuid) -> String {
    format!("{API_BASE}/correspondence/{correspondence_id}/pdf")
}

/// Downloads a generated letter as PDF bytes. The endpoint needs the bearer
/// token, so a plain link cannot fetch it.
pub async fn download_letter_pdf(correspondence_id: Uuid) -> Result<Vec<u8>, ApiError> {
    let call = Call::get(format!("/correspondence/{correspondence_id}/pdf")).accept("application/pdf");
    let response = call.send().await?;
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response.binary().await.map_err(|error| ApiError::InvalidResponse(error.to_string()))
}
