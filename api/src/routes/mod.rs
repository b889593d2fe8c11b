//! HTTP routes under `/api/v1`, all registered in `configure`. One folder
//! per resource, one file per action. Handlers extract and check input,
//! call one service function on a blocking thread, and map the result.

pub mod accounts;
pub mod auth;
pub mod bank_statements;
pub mod contact;
pub mod correspondence;
pub mod creditors;
pub mod deposit_batches;
pub mod health;
pub mod import_profiles;
pub mod imports;
pub mod me;
pub mod multipart;
pub mod openapi;
pub mod payments;
pub mod plans;
pub mod promises;
pub mod receipt_books;
pub mod tasks;
pub mod users;
pub mod worklist;

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::PgConnection;
use shared::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config()).app_data(query_config()).app_data(path_config()).service(
        web::scope("/api")
            .service(
                web::scope("/v1")
                    .service(resource("/health").route(web::get().to(health::health)).route(web::head().to(health::health)))
                    .service(resource("/openapi.json").route(web::get().to(openapi::openapi_json)))
                    .service(resource("/auth/login").route(web::post().to(auth::login::login)))
                    .service(resource("/auth/refresh").route(web::post().to(auth::refresh::refresh)))
                    .service(resource("/auth/logout").route(web::post().to(auth::logout::logout)))
                    .service(resource("/me").route(web::get().to(me::get_me)))
                    .service(
                        resource("/users")
                            .route(web::get().to(users::list::list_users))
                            .route(web::post().to(users::create::create_user)),
                    )
                    .service(resource("/creditors").route(web::get().to(creditors::list::list_creditors)))
                    .service(
                        resource("/creditors/{id}/payment-policy")
                            .route(web::get().to(creditors::payment_policy::get_payment_policy))
                            .route(web::put().to(creditors::payment_policy::put_payment_policy)),
                    )
                    .service(
                        resource("/creditors/{id}/repayment-policy")
                            .route(web::get().to(creditors::repayment_policy::get_repayment_policy))
                            .route(web::put().to(creditors::repayment_policy::put_repayment_policy)),
                    )
                    .service(resource("/creditors/{id}/time-zone").route(web::put().to(creditors::time_zone::put_time_zone)))
                    .service(resource("/plans").route(web::get().to(plans::list::list_plans)))
                    .service(resource("/plans/preview").route(web::post().to(plans::preview::preview_plan)))
                    .service(resource("/plans/{id}").route(web::get().to(plans::get::get_plan)))
                    .service(resource("/plans/{id}/decision").route(web::post().to(plans::decide::decide_plan)))
                    .service(resource("/plans/{id}/cancellation").route(web::post().to(plans::cancel::cancel_plan)))
                    .service(resource("/tasks").route(web::get().to(tasks::list_tasks)))
                    .service(resource("/tasks/{id}/completion").route(web::post().to(tasks::complete_task)))
                    .service(
                        resource("/receipt-books")
                            .route(web::get().to(receipt_books::list_receipt_books))
                            .route(web::post().to(receipt_books::create_receipt_book)),
                    )
                    .service(resource("/accounts").route(web::get().to(accounts::list::list_accounts)))
                    .service(resource("/worklist").route(web::get().to(worklist::get::get_worklist)))
                    .service(resource("/accounts/assignments").route(web::post().to(worklist::assignments::bulk_assign)))
                    .service(resource("/accounts/call-list.{format}").route(web::get().to(worklist::export::get_call_list)))
                    .service(resource("/accounts/mailing-list.{format}").route(web::get().to(worklist::export::get_mailing_list)))
                    .service(
                        resource("/teams")
                            .route(web::get().to(worklist::teams::list_teams))
                            .route(web::post().to(worklist::teams::create_team)),
                    )
                    .service(resource("/users/{id}/team").route(web::put().to(worklist::teams::set_user_team)))
                    .service(resource("/accounts/{id}").route(web::get().to(accounts::get::get_account)))
                    .service(
                        resource("/accounts/{id}/status").route(web::post().to(accounts::change_status::change_account_status)),
                    )
                    .service(resource("/accounts/{id}/assignment").route(web::put().to(accounts::assign::assign_account)))
                    .service(resource("/accounts/{id}/timeline").route(web::get().to(accounts::timeline::get_timeline)))
                    .service(
                        resource("/accounts/{id}/payments")
                            .route(web::get().to(payments::list::list_payments))
                            .route(web::post().to(payments::create::create_payment)),
                    )
                    .service(
                        resource("/accounts/{id}/plans")
                            .route(web::get().to(plans::create::list_account_plans))
                            .route(web::post().to(plans::create::create_plan)),
                    )
                    .service(
                        resource("/accounts/{id}/promises")
                            .route(web::get().to(promises::list_promises))
                            .route(web::post().to(promises::create_promise)),
                    )
                    .service(
                        resource("/accounts/{id}/calls")
                            .route(web::get().to(contact::calls::list_calls))
                            .route(web::post().to(contact::calls::create_call)),
                    )
                    .service(
                        resource("/accounts/{id}/contact-eligibility")
                            .route(web::get().to(contact::eligibility::get_contact_eligibility)),
                    )
                    .service(
                        resource("/accounts/{id}/disputes")
                            .route(web::get().to(contact::disputes::list_disputes))
                            .route(web::post().to(contact::disputes::raise_dispute)),
                    )
                    .service(resource("/contact-rules").route(web::get().to(contact::rules::list_contact_rules)))
                    .service(
                        resource("/contact-rules/{jurisdiction}/{channel}").route(web::put().to(contact::rules::put_contact_rule)),
                    )
                    .service(resource("/disputes/{id}/verification").route(web::post().to(contact::disputes::verify_dispute)))
                    .service(resource("/accounts/{id}/limitation").route(web::get().to(contact::disputes::get_limitation)))
                    .service(
                        resource("/accounts/{id}/contact-holds")
                            .route(web::get().to(contact::holds::get_contact_holds))
                            .route(web::put().to(contact::holds::put_contact_holds)),
                    )
                    .service(
                        resource("/accounts/{id}/correspondence")
                            .route(web::get().to(correspondence::generate::list_correspondence))
                            .route(web::post().to(correspondence::generate::create_correspondence)),
                    )
                    .service(resource("/correspondence/{id}/pdf").route(web::get().to(correspondence::generate::get_letter_pdf)))
                    .service(
                        resource("/templates")
                            .route(web::get().to(correspondence::templates::list_templates))
                            .route(web::post().to(correspondence::templates::create_template)),
                    )
                    .service(
                        resource("/templates/{id}/versions")
                            .route(web::get().to(correspondence::templates::list_versions))
                            .route(web::post().to(correspondence::templates::create_version)),
                    )
                    .service(resource("/templates/{id}/preview").route(web::post().to(correspondence::templates::preview_template)))
                    .service(resource("/correspondence-batches").route(web::post().to(correspondence::batches::create_batch)))
                    .service(resource("/correspondence-batches/{id}").route(web::get().to(correspondence::batches::get_batch)))
                    .service(
                        resource("/correspondence-batches/{id}/print-file").route(web::get().to(correspondence::batches::get_print_file)),
                    )
                    .service(
                        resource("/opt-outs/{token}")
                            .route(web::get().to(correspondence::opt_outs::get_opt_out_page))
                            .route(web::post().to(correspondence::opt_outs::opt_out)),
                    )
                    .service(
                        resource("/deposit-batches")
                            .route(web::get().to(deposit_batches::list::list_batches))
                            .route(web::post().to(deposit_batches::open::open_batch)),
                    )
                    .service(resource("/deposit-batches/{id}").route(web::get().to(deposit_batches::get::get_batch)))
                    .service(
                        resource("/deposit-batches/{id}/payments").route(web::post().to(deposit_batches::add_payments::add_batch_payments)),
                    )
                    .service(resource("/deposit-batches/{id}/close").route(web::post().to(deposit_batches::close::close_batch)))
                    .service(resource("/payments/{id}").route(web::get().to(payments::get::get_payment)))
                    .service(resource("/payments/{id}/receipt").route(web::get().to(payments::receipt::get_receipt)))
                    .service(resource("/payments/{id}/reversal").route(web::post().to(payments::reverse::reverse_payment)))
                    .service(
                        resource("/import-profiles")
                            .route(web::get().to(import_profiles::list::list_import_profiles))
                            .route(web::post().to(import_profiles::create::create_import_profile)),
                    )
                    .service(
                        resource("/imports")
                            .route(web::get().to(imports::list::list_imports))
                            .route(web::post().to(imports::create::create_import)),
                    )
                    .service(resource("/imports/{id}").route(web::get().to(imports::get::get_import)))
                    .service(
                        resource("/imports/{id}/report.csv").route(web::get().to(imports::report_csv::get_import_report_csv)),
                    )
                    .service(
                        resource("/bank-statements")
                            .route(web::get().to(bank_statements::list::list_bank_statement_imports))
                            .route(web::post().to(bank_statements::create::create_bank_statement_import)),
                    )
                    .service(resource("/bank-statements/{id}").route(web::get().to(bank_statements::get::get_bank_statement_import)))
                    .service(
                        resource("/bank-statement-entries")
                            .route(web::get().to(bank_statements::list_entries::list_bank_statement_entries)),
                    )
                    .service(
                        resource("/bank-statement-entries/{id}/match")
                            .route(web::post().to(bank_statements::match_entry::match_bank_statement_entry)),
                    )
                    .service(
                        resource("/bank-statement-entries/{id}/dismiss")
                            .route(web::post().to(bank_statements::dismiss_entry::dismiss_bank_statement_entry)),
                    )
                    .default_service(web::to(api_not_found)),
            )
            // Everything else under /api is a JSON 404, never the web app's page.
            .default_service(web::to(api_not_found)),
    );
}

/// Builds a resource that returns 405 with the error envelope for methods it has no route for.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed(req: HttpRequest) -> ApiResult<HttpResponse> {
    Err(ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{} is not allowed on {}; see /api/v1/openapi.json for the methods each route takes", req.method(), req.path()),
    ))
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
        Category::Data => format!("the JSON body does not have the expected fields or types: {}", without_value(&error.to_string())),
        _ => format!("the request body is not valid JSON: {error}"),
    }
}

/// Drops the rejected value from serde's "invalid type" and "invalid value"
/// messages, which quote it, because a value in the wrong place may be a
/// name or a number: `invalid type: integer `12175550143`, expected a
/// string` becomes `invalid type: integer, expected a string`.
fn without_value(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some(end) = rest.find(", expected") else {
            continue;
        };
        let kind = rest[..end].split([' ', '`', '"']).next().unwrap_or_default();
        return format!("{prefix}{kind}{}", &rest[end..]);
    }
    message.to_string()
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
        let shown: String = value.chars().take(40).collect();
        let ellipsis = if value.chars().count() > 40 { "…" } else { "" };
        ApiError::new(
            ErrorCode::InvalidPath,
            format!("'{shown}{ellipsis}' is not a valid {what} id; ids are UUIDs such as 0193a0b2-7c4e-7d1a-9f00-2b1c3d4e5f60"),
        )
    })
}

/// Parses the `limit` query parameter: absent means 50, otherwise 1 to 500.
pub fn parse_limit(value: Option<&str>) -> ApiResult<u32> {
    let parsed = match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => shared::pagination::check_limit(None),
        Some(text) => match text.parse::<u32>() {
            Ok(n) => shared::pagination::check_limit(Some(n)),
            Err(_) => Err(format!("limit '{text}' is not a whole number; use a value from 1 to 500")),
        },
    };
    parsed.map_err(|message| ApiError::invalid_field("limit", message))
}

#[cfg(test)]
mod tests {
    use super::without_value;

    #[test]
    fn rejected_values_left_out() {
        assert_eq!(
            without_value("invalid type: integer `12175550143`, expected a string at line 1 column 30"),
            "invalid type: integer, expected a string at line 1 column 30"
        );
        assert_eq!(
            without_value("invalid value: string \"Ana Smith\", expected a date at line 1 column 9"),
            "invalid value: string, expected a date at line 1 column 9"
        );
        assert_eq!(without_value("unknown field `colour`, expected one of `a`, `b`"), "unknown field `colour`, expected one of `a`, `b`");
    }
}
