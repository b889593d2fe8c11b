use actix_web::{web, HttpResponse};
use chrono::Utc;
use shared::FieldError;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::accounts::list::{parse_filter, AccountQuery};
use crate::routes::with_conn;
use crate::services::worklist::export::{self, Format, ListKind};

fn parse_format(text: &str) -> ApiResult<Format> {
    Format::parse(text).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new("format", "invalid", format!("format '{text}' is not supported; use csv or xlsx"))])
    })
}

async fn send(pool: web::Data<PgPool>, user: CurrentUser, query: AccountQuery, kind: ListKind, format: &str) -> ApiResult<HttpResponse> {
    let format = parse_format(format)?;
    // `limit` and `cursor` are checked like the account list's but not used: an export holds every match.
    let (filter, _) = parse_filter(&query).map_err(ApiError::validation)?;
    let file = with_conn(&pool, move |conn| export::export(conn, &user, &filter, kind, format, Utc::now())).await?;
    let name = format!("{}-{}.{}", kind.as_str().replace('_', "-"), Utc::now().format("%Y%m%d-%H%M%S"), format.as_str());
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("X-Row-Count", file.rows.to_string()))
        .insert_header(("X-Blocked-Account-Count", file.blocked_accounts.to_string()))
        .body(file.bytes))
}

/// A call list of the accounts matching the account-list filters: one row
/// per valid phone not marked do not call, with name, address, phone in
/// E.164 and its type, email, the debtor's local time and the next allowed
/// call time. `format` is `csv` or `xlsx`; at most 10,000 accounts.
#[utoipa::path(get, path = "/api/v1/accounts/call-list.{format}", tag = "worklist",
    params(("format" = String, Path, description = "csv or xlsx"), AccountQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_call_list(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<AccountQuery>,
) -> ApiResult<HttpResponse> {
    send(pool, user, query.into_inner(), ListKind::Call, &path.into_inner()).await
}

/// A mailing list of the accounts matching the account-list filters: one
/// row per account with a deliverable address, formatted for its country,
/// and the next time a letter is allowed. `format` is `csv` or `xlsx`.
#[utoipa::path(get, path = "/api/v1/accounts/mailing-list.{format}", tag = "worklist",
    params(("format" = String, Path, description = "csv or xlsx"), AccountQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_mailing_list(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<AccountQuery>,
) -> ApiResult<HttpResponse> {
    send(pool, user, query.into_inner(), ListKind::Mailing, &path.into_inner()).await
}
