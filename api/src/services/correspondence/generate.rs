//! Generating one letter or email for an account, alone
//! (`POST /accounts/{id}/correspondence`) or as part of a batch.
//!
//! The contact rules run first, with the template's channel and
//! `mentions_legal_action`. Then the merge fields are filled and a letter's
//! text is checked against the fonts. The row, its audit record and, for an
//! email, its opt-out token are written in the caller's transaction; the
//! mailer sends queued emails afterwards.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde_json::json;
use shared::correspondence::{render, CorrespondenceStatus, GenerateRequest, TemplateChannel};
use shared::{ErrorCode, FieldError};
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::super::contact::eligibility::{self, Check};
use super::super::idempotency::{self, IdempotencyKey, Outcome};
use super::super::ledger::LockedAccount;
use super::super::plans::context;
use super::{check_template_creditor, load_version, merge, read, VersionRow};
use crate::auth::CurrentUser;
use crate::db::schema::{correspondence, debtor_emails};
use crate::domain::contact_rules::Reason;
use crate::error::{ApiError, ApiResult};
use crate::letters::check_drawable;

/// A letter or email ready to be stored.
pub struct Draft {
    pub subject: String,
    pub body: String,
    pub sender: Option<String>,
    pub letter_date: Option<NaiveDate>,
    pub address_lines: Vec<String>,
    pub email_id: Option<Uuid>,
    pub opt_out_token: Option<String>,
    /// When an email may be sent, if not at once.
    pub send_after: Option<DateTime<Utc>>,
}

/// The result of preparing one account.
pub enum Prepared {
    Ready(Draft),
    /// The contact rules block it.
    Blocked(Vec<Reason>),
    /// The account lacks a merge value, or its text cannot be drawn.
    Unusable(Vec<FieldError>),
}

/// `POST /accounts/{id}/correspondence`: generates a letter or queues an
/// email, once per `Idempotency-Key`.
pub fn create(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    request: &GenerateRequest,
    key: &IdempotencyKey,
    public_url: &str,
) -> ApiResult<Outcome> {
    let target = format!("POST /accounts/{account_id}/correspondence");
    let outcome = idempotency::once(conn, user, key, &target, request, 201, |conn| {
        let ctx = context(conn, user, account_id, true)?;
        let version = load_version(conn, request.template_id, request.version)?;
        check_template_creditor(&version, ctx.account.creditor_id)?;
        let draft = match prepare(conn, &ctx.account, &version, public_url)? {
            Prepared::Ready(draft) => draft,
            Prepared::Blocked(reasons) => {
                let listed: Vec<String> = reasons.iter().map(|r| format!("{} ({})", r.code, r.message)).collect();
                return Err(ApiError::new(
                    ErrorCode::ContactNotAllowed,
                    format!(
                        "the contact rules do not allow this {} now: {}",
                        version.channel.as_str(),
                        listed.join("; ")
                    ),
                ));
            }
            Prepared::Unusable(problems) => return Err(ApiError::validation(problems)),
        };
        let id = insert(conn, user.id, &ctx.account, &version, None, Ok(draft))?;
        read::load(conn, id)
    })?;
    if !outcome.replayed {
        tracing::info!(account.id = %account_id, correspondence.id = %outcome.body["id"].as_str().unwrap_or(""), "correspondence generated");
    }
    Ok(outcome)
}

/// Runs the contact rules and fills the template for one account. The
/// caller holds the account's row lock.
pub fn prepare(conn: &mut PgConnection, account: &LockedAccount, version: &VersionRow, public_url: &str) -> ApiResult<Prepared> {
    let check = Check {
        channel: version.channel.contact_channel(),
        at: Utc::now(),
        phone_e164: None,
        mentions_legal_action: version.mentions_legal_action,
    };
    let decision = eligibility::decide(conn, account, &check)?;
    // An email that only waits for the debtor's contact window is queued
    // until the window opens; the mailer checks the rules again then.
    let send_after = match (decision.allowed, decision.next_allowed_at, version.channel) {
        (true, _, _) => None,
        (false, Some(next), TemplateChannel::Email) => Some(next),
        (false, _, _) => return Ok(Prepared::Blocked(decision.reasons)),
    };

    let merged = merge::load(conn, account)?;
    let mut problems = Vec::new();
    let subject = render("subject", &version.subject, &merged.values).map_err(|errors| problems.extend(errors)).ok();
    let body = render("body", &version.body, &merged.values).map_err(|errors| problems.extend(errors)).ok();
    let (Some(subject), Some(body)) = (subject, body) else {
        return Ok(Prepared::Unusable(problems));
    };

    match version.channel {
        TemplateChannel::Letter => {
            let letter = merged.letter;
            let drawn = [("subject", subject.as_str()), ("body", body.as_str()), ("sender", letter.sender.as_str())]
                .into_iter()
                .chain(letter.address_lines.iter().map(|line| ("address", line.as_str())));
            for (field, text) in drawn {
                if let Err(message) = check_drawable(field, text) {
                    problems.push(FieldError::new(field, "not_drawable", message));
                }
            }
            if !problems.is_empty() {
                return Ok(Prepared::Unusable(problems));
            }
            Ok(Prepared::Ready(Draft {
                subject,
                body,
                sender: Some(letter.sender),
                letter_date: Some(letter.date),
                address_lines: letter.address_lines,
                email_id: None,
                opt_out_token: None,
                send_after: None,
            }))
        }
        TemplateChannel::Email => {
            // The rules passed, so the debtor has a valid address that has not opted out.
            let email_id: Uuid = debtor_emails::table
                .filter(debtor_emails::debtor_id.eq(account.debtor_id))
                .filter(debtor_emails::is_valid.eq(true))
                .filter(debtor_emails::opted_out.eq(false))
                .order((debtor_emails::created_at, debtor_emails::id))
                .select(debtor_emails::id)
                .first(conn)?;
            let token = new_token();
            let body = format!("{body}\n\n{}", opt_out_footer(public_url, &token));
            Ok(Prepared::Ready(Draft {
                subject,
                body,
                sender: None,
                letter_date: None,
                address_lines: Vec::new(),
                email_id: Some(email_id),
                opt_out_token: Some(token),
                send_after,
            }))
        }
    }
}

/// Returns the text every email ends with: how to stop emails about the account.
pub fn opt_out_footer(public_url: &str, token: &str) -> String {
    format!(
        "--\nTo stop emails about this account, open {}/api/v1/opt-outs/{token} and confirm. \
         We will not email you about it again.",
        public_url.trim_end_matches('/')
    )
}

/// Returns 24 random bytes in base64url: the secret of one opt-out link.
fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Stores one letter or email, or the reasons it was not made, with its
/// audit row. `outcome` is the draft, or else the status and the reason
/// codes or error of an account that got nothing.
pub fn insert(
    conn: &mut PgConnection,
    user_id: Uuid,
    account: &LockedAccount,
    version: &VersionRow,
    batch_id: Option<Uuid>,
    outcome: Result<Draft, (CorrespondenceStatus, Vec<String>, Option<String>)>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    let (status, reasons, error, draft) = match outcome {
        Ok(draft) => {
            let status = match version.channel {
                TemplateChannel::Letter => CorrespondenceStatus::Generated,
                TemplateChannel::Email => CorrespondenceStatus::Queued,
            };
            (status, Vec::new(), None, Some(draft))
        }
        Err((status, reasons, error)) => (status, reasons, error, None),
    };
    diesel::insert_into(correspondence::table)
        .values((
            correspondence::id.eq(id),
            correspondence::creditor_id.eq(account.creditor_id),
            correspondence::account_id.eq(account.id),
            correspondence::template_version_id.eq(version.id),
            correspondence::batch_id.eq(batch_id),
            correspondence::channel.eq(version.channel.as_str()),
            correspondence::status.eq(status.as_str()),
            correspondence::blocked_reasons.eq(&reasons),
            correspondence::subject.eq(draft.as_ref().map(|d| d.subject.as_str())),
            correspondence::body.eq(draft.as_ref().map(|d| d.body.as_str())),
            correspondence::sender.eq(draft.as_ref().and_then(|d| d.sender.as_deref())),
            correspondence::letter_date.eq(draft.as_ref().and_then(|d| d.letter_date)),
            correspondence::address_lines.eq(draft.as_ref().map(|d| d.address_lines.clone()).unwrap_or_default()),
            correspondence::email_id.eq(draft.as_ref().and_then(|d| d.email_id)),
            correspondence::opt_out_token.eq(draft.as_ref().and_then(|d| d.opt_out_token.as_deref())),
            correspondence::next_attempt_at.eq(draft.as_ref().and_then(|d| d.send_after).unwrap_or_else(Utc::now)),
            correspondence::last_error.eq(error.as_deref()),
            correspondence::created_by.eq(user_id),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(account.creditor_id),
            actor_user_id: Some(user_id),
            action: match status {
                CorrespondenceStatus::Generated => "correspondence.generated",
                CorrespondenceStatus::Queued => "correspondence.queued",
                CorrespondenceStatus::Blocked => "correspondence.blocked",
                _ => "correspondence.failed",
            },
            entity_type: "correspondence",
            entity_id: id,
            details: json!({
                "account_id": account.id,
                "template_id": version.template_id,
                "template_version_id": version.id,
                "version": version.version,
                "channel": version.channel,
                "batch_id": batch_id,
                "reasons": reasons,
            }),
        },
    )?;
    Ok(id)
}
