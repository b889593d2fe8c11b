use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;
use shared::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;

/// Returns `{"status":"ok"}` once the database responds to a query.
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, description = "The server and its database are up"),
              (status = 503, description = "The database is unreachable", body = shared::ErrorEnvelope)))]
pub async fn health(pool: web::Data<PgPool>) -> ApiResult<HttpResponse> {
    let pool = pool.clone();
    let reachable = web::block(move || {
        let mut conn = pool.get().ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).ok()
    })
    .await?;
    match reachable {
        Some(_) => Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))),
        None => Err(ApiError::new(ErrorCode::ServiceUnavailable, "the database is unreachable")),
    }
}
