use actix_web::web;
use shared::bank_statements::StatementImportDto;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::bank_statements;

/// One import: its statements with their balance check and its entries counted by status now.
#[utoipa::path(get, path = "/api/v1/bank-statements/{id}", tag = "bank statements", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = StatementImportDto), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_bank_statement_import(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<StatementImportDto>> {
    let id = parse_id(&path, "bank statement import")?;
    let dto = with_conn(&pool, move |conn| bank_statements::get_import(conn, &user, id)).await?;
    Ok(web::Json(dto))
}
