use actix_web::web;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contact::{Channel, EligibilityDto};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::contact::eligibility::{self, Check};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EligibilityQuery {
    /// `call`, `letter`, `email` or `sms`.
    #[param(required = true)]
    channel: Option<String>,
    /// The instant to check, in RFC 3339 form such as `2026-03-08T14:00:00Z`; now when absent.
    at: Option<String>,
    /// `true` when the content mentions legal action, which a time-barred debt forbids; `false` when absent.
    mentions_legal_action: Option<String>,
    /// For calls and text messages, the number to check in E.164 form; every
    /// number of the debtor when absent.
    phone: Option<String>,
}

/// Whether the debtor may be contacted on a channel at an instant, every
/// reason against it, and when contact becomes allowed by waiting.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/contact-eligibility", tag = "contact",
    params(("id" = uuid::Uuid, Path), EligibilityQuery),
    responses((status = 200, body = EligibilityDto), (status = 400, body = shared::ErrorEnvelope), (status = 404, body = shared::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_contact_eligibility(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<EligibilityQuery>,
) -> ApiResult<web::Json<EligibilityDto>> {
    let account_id = parse_id(&path, "account")?;
    let check = Check {
        channel: parse_channel(query.channel.as_deref())?,
        at: parse_at(query.at.as_deref())?,
        phone_e164: query.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string),
        mentions_legal_action: parse_flag("mentions_legal_action", query.mentions_legal_action.as_deref())?,
    };
    let decision = with_conn(&pool, move |conn| eligibility::get(conn, &user, account_id, &check)).await?;
    Ok(web::Json(decision))
}

fn parse_channel(value: Option<&str>) -> ApiResult<Channel> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Err(ApiError::invalid_field("channel", format!("channel is required; use one of {}", Channel::names()))),
        Some(text) => Channel::parse(text).ok_or_else(|| {
            let shown: String = text.chars().take(40).collect();
            ApiError::invalid_field("channel", format!("channel '{shown}' is not a contact channel; use one of {}", Channel::names()))
        }),
    }
}

fn parse_at(value: Option<&str>) -> ApiResult<DateTime<Utc>> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(Utc::now());
    };
    DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        // A '+' sent unencoded in a query string arrives as a space.
        let hint = if text.contains(' ') { "; encode a '+' in the offset as %2B" } else { "" };
        ApiError::invalid_field(
            "at",
            format!("at '{shown}' is not an RFC 3339 date and time; send one such as 2026-03-08T14:00:00Z{hint}"),
        )
    })
}

fn parse_flag(field: &str, value: Option<&str>) -> ApiResult<bool> {
    match value.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(text) => {
            let shown: String = text.chars().take(40).collect();
            Err(ApiError::invalid_field(field, format!("{field} '{shown}' is not a boolean; use true or false")))
        }
    }
}
