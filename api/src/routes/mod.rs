//! HTTP routes under `/api/v1`, all registered in `configure`. One folder
//! per resource, one file per action. Handlers extract and check input,
//! call one service function on a blocking thread, and map the result.

pub mod accounts;
pub mod auth;
pub mod creditors;
pub mod health;
pub mod import_profiles;
pub mod imports;
pub mod me;
pub mod openapi;
pub mod users;

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::PgConnection;
use shared::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(query_config())
        .app_data(path_config())
        .service(
            web::scope("/api/v1")
                .route("/health", web::get().to(health::health))
                .route("/openapi.json", web::get().to(openapi::openapi_json))
                .route("/auth/login", web::post().to(auth::login::login))
                .route("/auth/refresh", web::post().to(auth::refresh::refresh))
                .route("/auth/logout", web::post().to(auth::logout::logout))
                .route("/me", web::get().to(me::get_me))
                .route("/users", web::get().to(users::list::list_users))
                .route("/users", web::post().to(users::create::create_user))
                .route("/creditors", web::get().to(creditors::list::list_creditors))
                .route("/accounts", web::get().to(accounts::list::list_accounts))
                .route("/accounts/{id}", web::get().to(accounts::get::get_account))
                .route("/accounts/{id}/status", web::post().to(accounts::change_status::change_account_status))
                .route("/accounts/{id}/assignment", web::put().to(accounts::assign::assign_account))
                .route("/import-profiles", web::get().to(import_profiles::list::list_import_profiles))
                .route("/import-profiles", web::post().to(import_profiles::create::create_import_profile))
                .route("/imports", web::get().to(imports::list::list_imports))
                .route("/imports", web::post().to(imports::create::create_import))
                .route("/imports/{id}", web::get().to(imports::get::get_import))
                .route("/imports/{id}/report.csv", web::get().to(imports::report_csv::get_import_report_csv))
                .default_service(web::to(api_not_found)),
        );
}

/// Runs `work` with a pooled connection on the blocking thread pool.
pub async fn with_conn<T, F>(pool: &web::Data<PgPool>, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> ApiResult<T> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

async fn api_not_found(req: HttpRequest) -> ApiResult<HttpResponse> {
    Err(ApiError::new(
        ErrorCode::NotFound,
        format!("there is no API route {} {}; see /api/v1/openapi.json for the routes that exist", req.method(), req.path()),
    ))
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(1 << 20).error_handler(|error, _req| {
        use actix_web::error::JsonPayloadError;
        let api_error = match &error {
            JsonPayloadError::ContentType => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "the request body must be JSON; send the header Content-Type: application/json",
            ),
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                ApiError::new(ErrorCode::PayloadTooLarge, "the JSON body is larger than 1 MiB; send less data")
            }
            JsonPayloadError::Deserialize(e) => ApiError::new(ErrorCode::MalformedJson, json_message(e)),
            other => ApiError::new(ErrorCode::MalformedJson, format!("the JSON body could not be read: {other}")),
        };
        api_error.into()
    })
}

fn json_message(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data => format!("the JSON body does not have the expected fields or types: {error}"),
        _ => format!("the request body is not valid JSON: {error}"),
    }
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _req| {
        ApiError::new(ErrorCode::InvalidQuery, format!("the query string is invalid: {error}")).into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _req| {
        ApiError::new(ErrorCode::InvalidPath, format!("the path is invalid: {error}; ids are UUIDs")).into()
    })
}

/// Parses a UUID path segment with an error naming the parameter.
pub fn parse_id(value: &str, what: &str) -> ApiResult<uuid::Uuid> {
    value.parse().map_err(|_| {
        ApiError::new(ErrorCode::InvalidPath, format!("'{value}' is not a valid {what} id; ids are UUIDs such as 0193a0b2-…"))
    })
}
