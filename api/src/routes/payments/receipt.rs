use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::receipts;

/// The payment's receipt as PDF; every copy after the first says DUPLICATE.
#[utoipa::path(get, path = "/api/v1/payments/{id}/receipt", tag = "payments", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The receipt", content_type = "application/pdf"), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_receipt(pool: web::Data<PgPool>, user: CurrentUser, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id(&path, "payment")?;
    let (file_name, pdf) = with_conn(&pool, move |conn| receipts::print(conn, &user, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(ContentDisposition { disposition: DispositionType::Inline, parameters: vec![DispositionParam::Filename(file_name)] })
        .body(pdf))
}
