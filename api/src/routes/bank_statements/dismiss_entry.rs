use actix_web::web;
use shared::bank_statements::{DismissEntryRequest, StatementEntryDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::bank_statements;

/// Dismisses an entry in `needs_review` or `unmatched_reversal` with a reason; nothing is posted.
#[utoipa::path(post, path = "/api/v1/bank-statement-entries/{id}/dismiss", tag = "bank statements",
    params(("id" = uuid::Uuid, Path)),
    request_body = DismissEntryRequest,
    responses(
        (status = 200, body = StatementEntryDto),
        (status = 400, body = shared::ErrorEnvelope),
        (status = 404, body = shared::ErrorEnvelope),
        (status = 409, description = "The entry is already matched, posted or dismissed", body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn dismiss_bank_statement_entry(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<DismissEntryRequest>,
) -> ApiResult<web::Json<StatementEntryDto>> {
    let entry_id = parse_id(&path, "bank statement entry")?;
    let request = body.into_inner();
    let dto = with_conn(&pool, move |conn| bank_statements::dismiss_entry(conn, &user, entry_id, request)).await?;
    Ok(web::Json(dto))
}
