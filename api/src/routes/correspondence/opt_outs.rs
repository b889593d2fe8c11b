use actix_web::{web, HttpResponse};
use shared::correspondence::OptOutDto;

use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::correspondence::opt_out;

/// The page an email's opt-out link opens: a button that confirms. It
/// needs no sign-in; the token in the link is the credential.
#[utoipa::path(get, path = "/api/v1/opt-outs/{token}", tag = "correspondence", params(("token" = String, Path)),
    responses((status = 200, content_type = "text/html", description = "the confirmation page"), (status = 404, body = shared::ErrorEnvelope)))]
pub async fn get_opt_out_page(pool: web::Data<PgPool>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let token = path.into_inner();
    let page = with_conn(&pool, move |conn| opt_out::page(conn, &token)).await?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page))
}

/// Stops emails to the debtor about the account: marks the address opted
/// out and adds email to the account's cease channels. Needs no sign-in.
#[utoipa::path(post, path = "/api/v1/opt-outs/{token}", tag = "correspondence", params(("token" = String, Path)),
    responses((status = 200, body = OptOutDto), (status = 404, body = shared::ErrorEnvelope)))]
pub async fn opt_out(pool: web::Data<PgPool>, path: web::Path<String>) -> ApiResult<web::Json<OptOutDto>> {
    let token = path.into_inner();
    let result = with_conn(&pool, move |conn| opt_out::opt_out(conn, &token)).await?;
    Ok(web::Json(result))
}
