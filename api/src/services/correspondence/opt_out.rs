//! Opt-out links in emails. The link's token names one email; following it
//! marks that address opted out and adds email to the account's cease
//! channels, so the contact rules block further emails to the debtor.

use diesel::prelude::*;
use serde_json::json;
use shared::contact::Channel;
use shared::correspondence::{OptOutDto, TemplateChannel};
use shared::ErrorCode;
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::contact::holds;
use super::super::ledger::lock_accounts;
use crate::db::schema::{correspondence, debtor_emails};
use crate::error::{ApiError, ApiResult};

/// Maximum length of a token accepted. Real tokens are 32 characters.
const MAX_TOKEN_CHARS: usize = 64;

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "the opt-out link is unknown; copy the whole link from the email")
}

/// Finds the email a token belongs to: (correspondence id, account id, email id).
fn find(conn: &mut PgConnection, token: &str) -> ApiResult<(Uuid, Uuid, Option<Uuid>)> {
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(not_found());
    }
    correspondence::table
        .filter(correspondence::opt_out_token.eq(token))
        .select((correspondence::id, correspondence::account_id, correspondence::email_id))
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// `GET /opt-outs/{token}`: a page with a button that confirms the opt-out.
/// Following a link changes nothing, because mail scanners fetch links.
pub fn page(conn: &mut PgConnection, token: &str) -> ApiResult<String> {
    find(conn, token)?;
    // The token is base64url, so it needs no HTML escaping.
    Ok(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Stop emails</title></head><body>\
         <h1>Stop emails about this account</h1>\
         <p>Press the button to stop all emails about this account. Letters are not affected.</p>\
         <form method=\"post\" action=\"/api/v1/opt-outs/{token}\"><button type=\"submit\">Stop emails</button></form>\
         </body></html>"
    ))
}

/// `POST /opt-outs/{token}`: opts the address out and ceases email on the
/// account. Repeating it changes nothing more.
pub fn opt_out(conn: &mut PgConnection, token: &str) -> ApiResult<OptOutDto> {
    let (correspondence_id, account_id) = conn.transaction(|conn| {
        let (correspondence_id, account_id, email_id) = find(conn, token)?;
        let account = lock_accounts(conn, &[account_id])?.pop().ok_or_else(not_found)?;
        if let Some(email_id) = email_id {
            let changed = diesel::update(debtor_emails::table.find(email_id).filter(debtor_emails::opted_out.eq(false)))
                .set(debtor_emails::opted_out.eq(true))
                .execute(conn)?;
            // The address's own change is audited even when the account's
            // holds already cease email and `holds::store` writes nothing.
            if changed > 0 {
                audit::record(
                    conn,
                    AuditEvent {
                        creditor_id: Some(account.creditor_id),
                        actor_user_id: None,
                        action: "debtor_email.opted_out",
                        entity_type: "debtor_email",
                        entity_id: email_id,
                        details: json!({ "account_id": account_id, "correspondence_id": correspondence_id }),
                    },
                )?;
            }
        }
        let mut requested = holds::load(conn, account_id)?;
        if !requested.cease_channels.contains(&Channel::Email) {
            requested.cease_channels.push(Channel::Email);
            requested.cease_channels.sort_by_key(|channel| Channel::ALL.iter().position(|c| c == channel));
        }
        let cause = json!({ "source": "opt_out_link", "correspondence_id": correspondence_id, "email_id": email_id });
        holds::store(conn, None, account.creditor_id, account_id, &requested, cause)?;
        Ok::<_, ApiError>((correspondence_id, account_id))
    })?;
    tracing::info!(account.id = %account_id, correspondence.id = %correspondence_id, "email opt-out recorded");
    Ok(OptOutDto { channel: TemplateChannel::Email, opted_out: true })
}
