use actix_web::{web, HttpResponse};
use serde::Deserialize;
use shared::correspondence::{CreateTemplateRequest, CreateVersionRequest, PreviewDto, PreviewRequest, TemplateDto, TemplateVersionDto};
use shared::{ErrorCode, Page};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::correspondence::templates;
use crate::startup::PublicUrl;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only the global templates and this creditor's own.
    pub creditor_id: Option<String>,
}

/// Templates with their newest version, by key. Every template is listed
/// in one page (`next_cursor` is always null).
#[utoipa::path(get, path = "/api/v1/templates", tag = "correspondence", params(ListQuery),
    responses((status = 200, body = Page<TemplateDto>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_templates(pool: web::Data<PgPool>, _user: CurrentUser, query: web::Query<ListQuery>) -> ApiResult<web::Json<Page<TemplateDto>>> {
    let creditor_id: Option<Uuid> = query
        .creditor_id
        .as_deref()
        .map(|id| {
            id.parse().map_err(|_| {
                ApiError::new(ErrorCode::InvalidQuery, format!("creditor_id '{}' is not a UUID; send a creditor id or leave it out", id.escape_debug()))
            })
        })
        .transpose()?;
    let items = with_conn(&pool, move |conn| templates::list(conn, creditor_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Creates a template with its version 1 (managers and administrators).
/// Text that speaks of legal action must be marked `mentions_legal_action`.
#[utoipa::path(post, path = "/api/v1/templates", tag = "correspondence", request_body = CreateTemplateRequest,
    responses((status = 201, body = TemplateDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 409, description = "the key is taken for this creditor", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_template(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<CreateTemplateRequest>) -> ApiResult<HttpResponse> {
    let request = body.into_inner();
    let template = with_conn(&pool, move |conn| templates::create(conn, &user, &request)).await?;
    Ok(HttpResponse::Created().json(template))
}

/// Every version of a template, newest first.
#[utoipa::path(get, path = "/api/v1/templates/{id}/versions", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Page<TemplateVersionDto>), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_versions(pool: web::Data<PgPool>, _user: CurrentUser, path: web::Path<String>) -> ApiResult<web::Json<Page<TemplateVersionDto>>> {
    let template_id = parse_id(&path, "template")?;
    let items = with_conn(&pool, move |conn| templates::versions(conn, template_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Adds the next version of a template (managers and administrators).
/// Versions never change, so letters already made keep their text.
#[utoipa::path(post, path = "/api/v1/templates/{id}/versions", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    request_body = CreateVersionRequest,
    responses((status = 201, body = TemplateVersionDto), (status = 400, body = shared::ErrorEnvelope), (status = 403, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_version(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<CreateVersionRequest>,
) -> ApiResult<HttpResponse> {
    let template_id = parse_id(&path, "template")?;
    let request = body.into_inner();
    let version = with_conn(&pool, move |conn| templates::create_version(conn, &user, template_id, &request)).await?;
    Ok(HttpResponse::Created().json(version))
}

/// Renders a template for an account without storing anything, with the
/// contact rules' decision for sending it now.
#[utoipa::path(post, path = "/api/v1/templates/{id}/preview", tag = "correspondence", params(("id" = uuid::Uuid, Path)),
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewDto), (status = 400, description = "a merge field has no value for the account", body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn preview_template(
    pool: web::Data<PgPool>,
    public_url: web::Data<PublicUrl>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<PreviewRequest>,
) -> ApiResult<web::Json<PreviewDto>> {
    let template_id = parse_id(&path, "template")?;
    let request = body.into_inner();
    let base = public_url.0.clone();
    let preview = with_conn(&pool, move |conn| templates::preview(conn, &user, template_id, &request, &base)).await?;
    Ok(web::Json(preview))
}
