//! Receipt books: the creditor's main book and one per collector.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use shared::payments::{CreateReceiptBookRequest, ReceiptBookDto};
use shared::Page;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::with_conn;
use crate::services::payment_settings;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BookQuery {
    creditor_id: String,
}

/// The creditor's receipt books with how many receipts each has issued.
#[utoipa::path(get, path = "/api/v1/receipt-books", tag = "payments", params(BookQuery),
    responses((status = 200, body = Page<ReceiptBookDto>), (status = 400, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_receipt_books(pool: web::Data<PgPool>, _user: CurrentUser, query: web::Query<BookQuery>) -> ApiResult<web::Json<Page<ReceiptBookDto>>> {
    let creditor_id = query.creditor_id.trim().parse().map_err(|_| {
        ApiError::invalid_field("creditor_id", format!("creditor_id '{}' is not a UUID", query.creditor_id.chars().take(40).collect::<String>()))
    })?;
    let items = with_conn(&pool, move |conn| payment_settings::list_books(conn, creditor_id)).await?;
    Ok(web::Json(Page { items, next_cursor: None }))
}

/// Creates a receipt book, for a collector when `collector_id` is given.
#[utoipa::path(post, path = "/api/v1/receipt-books", tag = "payments", request_body = CreateReceiptBookRequest,
    responses((status = 201, body = ReceiptBookDto), (status = 409, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_receipt_book(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<CreateReceiptBookRequest>) -> ApiResult<HttpResponse> {
    let request = body.into_inner();
    let book = with_conn(&pool, move |conn| payment_settings::create_book(conn, &user, &request)).await?;
    Ok(HttpResponse::Created().json(book))
}
