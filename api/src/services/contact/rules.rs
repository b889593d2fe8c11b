//! Contact rules as data: the `contact_rules` rows per jurisdiction and
//! channel, read into the rules engine's table, listed, and changed by
//! administrators.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use shared::contact::{Channel, ContactLimits, ContactRuleDto};
use shared::FieldError;
use uuid::Uuid;

use super::super::audit::{self, AuditEvent};
use super::eligibility::HISTORY_DAYS;
use super::rules_channel;
use crate::auth::CurrentUser;
use crate::db::schema::contact_rules;
use crate::domain::contact_rules::{AttemptCap, ChannelRules, ContactWindow, JurisdictionRules, RulesTable};
use crate::error::{ApiError, ApiResult};

/// Longest `cap_days` and `quiet_days_after_conversation`: eligibility loads
/// `HISTORY_DAYS` of calls, one more than this to allow for zone offsets.
const MAX_RULE_DAYS: u32 = HISTORY_DAYS as u32 - 1;

/// The jurisdiction whose rows apply to every country without rows of its own.
pub const DEFAULT_JURISDICTION: &str = "default";

#[derive(Queryable, Selectable)]
#[diesel(table_name = contact_rules)]
struct RuleRow {
    jurisdiction: String,
    channel: String,
    window_start: Option<NaiveTime>,
    window_end: Option<NaiveTime>,
    cap_attempts: Option<i32>,
    cap_days: Option<i32>,
    quiet_days_after_conversation: i32,
    updated_at: DateTime<Utc>,
}

impl RuleRow {
    fn channel_rules(&self) -> ChannelRules {
        ChannelRules {
            window: self.window_start.zip(self.window_end).map(|(start, end)| ContactWindow { start, end }),
            cap: self.cap_attempts.zip(self.cap_days).map(|(attempts, days)| AttemptCap {
                max_attempts: attempts.unsigned_abs(),
                days: days.unsigned_abs(),
            }),
            quiet_days_after_conversation: self.quiet_days_after_conversation.unsigned_abs(),
        }
    }
}

/// Reads the rows into the engine's table. A channel without a row of its
/// own takes the default row's rule, and a default without a row takes the
/// built-in general rules, so a missing row never allows more than those.
pub fn load_table(conn: &mut PgConnection) -> ApiResult<RulesTable> {
    let rows: Vec<RuleRow> = contact_rules::table.select(RuleRow::as_select()).load(conn)?;
    let mut default = JurisdictionRules::general();
    for row in rows.iter().filter(|row| row.jurisdiction == DEFAULT_JURISDICTION) {
        set_channel(&mut default, row)?;
    }
    let mut countries: Vec<(String, JurisdictionRules)> = Vec::new();
    for row in rows.iter().filter(|row| row.jurisdiction != DEFAULT_JURISDICTION) {
        let index = match countries.iter().position(|(country, _)| *country == row.jurisdiction) {
            Some(index) => index,
            None => {
                countries.push((row.jurisdiction.clone(), default));
                countries.len() - 1
            }
        };
        set_channel(&mut countries[index].1, row)?;
    }
    Ok(RulesTable { countries, default })
}

fn set_channel(rules: &mut JurisdictionRules, row: &RuleRow) -> ApiResult<()> {
    let channel = Channel::parse(&row.channel)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a contact rule of {} names an unknown channel '{}'", row.jurisdiction, row.channel)))?;
    let slot = match rules_channel(channel) {
        crate::domain::contact_rules::Channel::Call => &mut rules.call,
        crate::domain::contact_rules::Channel::Sms => &mut rules.sms,
        crate::domain::contact_rules::Channel::Email => &mut rules.email,
        crate::domain::contact_rules::Channel::Letter => &mut rules.letter,
    };
    *slot = row.channel_rules();
    Ok(())
}

/// `GET /contact-rules`: every row, by jurisdiction and channel.
pub fn list(conn: &mut PgConnection) -> ApiResult<Vec<ContactRuleDto>> {
    contact_rules::table
        .order((contact_rules::jurisdiction.asc(), contact_rules::channel.asc()))
        .select(RuleRow::as_select())
        .load(conn)?
        .into_iter()
        .map(to_dto)
        .collect()
}

/// `PUT /contact-rules/{jurisdiction}/{channel}`: administrators only.
pub fn put(conn: &mut PgConnection, user: &CurrentUser, jurisdiction: &str, channel: &str, limits: &ContactLimits) -> ApiResult<ContactRuleDto> {
    user.require(shared::users::Role::may_manage_users, "change the contact rules")?;
    let jurisdiction = check_jurisdiction(jurisdiction)?;
    let channel = Channel::parse(channel).ok_or_else(|| {
        let shown: String = channel.chars().take(20).collect();
        ApiError::invalid_field("channel", format!("channel '{shown}' is not a contact channel; use one of {}", Channel::names()))
    })?;
    let (window_start, window_end) = check_limits(limits)?;
    check_legal_floor(&jurisdiction, channel, limits, window_start, window_end)?;
    let cap_attempts = limits.cap_attempts.map(|n| n as i32);
    let cap_days = limits.cap_days.map(|n| n as i32);
    let quiet_days = limits.quiet_days_after_conversation as i32;

    conn.transaction(|conn| {
        let before: Option<RuleRow> = contact_rules::table
            .find((&jurisdiction, channel.as_str()))
            .select(RuleRow::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        let values = (
            contact_rules::window_start.eq(window_start),
            contact_rules::window_end.eq(window_end),
            contact_rules::cap_attempts.eq(cap_attempts),
            contact_rules::cap_days.eq(cap_days),
            contact_rules::quiet_days_after_conversation.eq(quiet_days),
            contact_rules::updated_at.eq(Utc::now()),
            contact_rules::updated_by.eq(Some(user.id)),
        );
        diesel::insert_into(contact_rules::table)
            .values((contact_rules::jurisdiction.eq(&jurisdiction), contact_rules::channel.eq(channel.as_str()), values))
            .on_conflict((contact_rules::jurisdiction, contact_rules::channel))
            .do_update()
            .set(values)
            .execute(conn)?;
        let from = before.map(to_dto).transpose()?.map(|rule| rule.limits);
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: Some(user.id),
                action: "contact_rule.changed",
                entity_type: "contact_rule",
                entity_id: Uuid::nil(),
                details: json!({ "jurisdiction": jurisdiction, "channel": channel, "from": from, "to": limits }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    tracing::info!(jurisdiction = %jurisdiction, channel = channel.as_str(), "contact rule changed");
    to_dto(contact_rules::table.find((&jurisdiction, channel.as_str())).select(RuleRow::as_select()).first(conn)?)
}

fn check_jurisdiction(text: &str) -> ApiResult<String> {
    if text == DEFAULT_JURISDICTION {
        return Ok(text.to_string());
    }
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        return Ok(code);
    }
    let shown: String = text.chars().take(20).collect();
    Err(ApiError::invalid_field(
        "jurisdiction",
        format!("jurisdiction '{shown}' is not a two-letter ISO 3166-1 country code or 'default'; send, for example, US"),
    ))
}

/// Checks the limits and reads the window's times.
fn check_limits(limits: &ContactLimits) -> ApiResult<(Option<NaiveTime>, Option<NaiveTime>)> {
    let mut problems = Vec::new();
    let mut time = |field: &str, text: Option<&str>| {
        let text = text?;
        match NaiveTime::parse_from_str(text.trim(), "%H:%M") {
            Ok(time) => Some(time),
            Err(_) => {
                let shown: String = text.chars().take(20).collect();
                problems.push(FieldError::new(field, "invalid", format!("{field} '{shown}' is not a time; send HH:MM, such as 08:00")));
                None
            }
        }
    };
    let start = time("window_start", limits.window_start.as_deref());
    let end = time("window_end", limits.window_end.as_deref());
    if limits.window_start.is_some() != limits.window_end.is_some() {
        problems.push(FieldError::new(
            "window_end",
            "incomplete",
            "window_start and window_end go together; send both, or both null to allow any time",
        ));
    }
    if let (Some(start), Some(end)) = (start, end) {
        if start >= end {
            problems.push(FieldError::new(
                "window_end",
                "before_start",
                format!("window_end {} is not after window_start {}; a window cannot wrap past midnight", end.format("%H:%M"), start.format("%H:%M")),
            ));
        }
    }
    match (limits.cap_attempts, limits.cap_days) {
        (None, None) => {}
        (Some(attempts), Some(days)) => {
            if !(1..=100).contains(&attempts) {
                problems.push(FieldError::new("cap_attempts", "out_of_range", format!("cap_attempts {attempts} is not from 1 to 100")));
            }
            if !(1..=MAX_RULE_DAYS).contains(&days) {
                problems.push(FieldError::new("cap_days", "out_of_range", format!("cap_days {days} is not from 1 to {MAX_RULE_DAYS}")));
            }
        }
        _ => problems.push(FieldError::new(
            "cap_days",
            "incomplete",
            "cap_attempts and cap_days go together; send both, or both null for no cap",
        )),
    }
    if limits.quiet_days_after_conversation > MAX_RULE_DAYS {
        problems.push(FieldError::new(
            "quiet_days_after_conversation",
            "out_of_range",
            format!("quiet_days_after_conversation {} is more than {MAX_RULE_DAYS}", limits.quiet_days_after_conversation),
        ));
    }
    if problems.is_empty() {
        Ok((start, end))
    } else {
        Err(ApiError::validation(problems))
    }
}

/// The loosest limits the law allows in a jurisdiction: the window, and for
/// calls the cap and quiet days. Administrators may set stricter ones only.
struct LegalFloor {
    jurisdiction: &'static str,
    channels: &'static [Channel],
    window: (u32, u32),
    call_cap: Option<(u32, u32)>,
    call_quiet_days: u32,
    law: &'static str,
}

const LEGAL_FLOORS: [LegalFloor; 2] = [
    LegalFloor {
        jurisdiction: "US",
        channels: &[Channel::Call, Channel::Sms, Channel::Email],
        window: (8, 21),
        call_cap: Some((7, 7)),
        call_quiet_days: 7,
        law: "Regulation F (12 CFR 1006)",
    },
    LegalFloor {
        jurisdiction: "IN",
        channels: &[Channel::Call, Channel::Sms, Channel::Email],
        window: (8, 19),
        call_cap: None,
        call_quiet_days: 0,
        law: "the Reserve Bank of India's guidelines for recovery agents",
    },
];

/// Rejects limits looser than the law of the jurisdiction allows.
fn check_legal_floor(
    jurisdiction: &str,
    channel: Channel,
    limits: &ContactLimits,
    window_start: Option<NaiveTime>,
    window_end: Option<NaiveTime>,
) -> ApiResult<()> {
    let Some(floor) = LEGAL_FLOORS.iter().find(|floor| floor.jurisdiction == jurisdiction && floor.channels.contains(&channel)) else {
        return Ok(());
    };
    let hour = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let (earliest, latest) = (hour(floor.window.0), hour(floor.window.1));
    let mut problems = Vec::new();
    let within = matches!((window_start, window_end), (Some(start), Some(end)) if start >= earliest && end <= latest);
    if !within {
        problems.push(FieldError::new(
            "window_start",
            "looser_than_law",
            format!(
                "{} in {jurisdiction} must stay within {:02}:00 to {:02}:00 local time under {}; send a window inside it",
                channel.as_str(),
                floor.window.0,
                floor.window.1,
                floor.law
            ),
        ));
    }
    if channel == Channel::Call {
        if let Some((max_attempts, days)) = floor.call_cap {
            let strict_enough = matches!((limits.cap_attempts, limits.cap_days), (Some(attempts), Some(over)) if attempts <= max_attempts && over >= days);
            if !strict_enough {
                problems.push(FieldError::new(
                    "cap_attempts",
                    "looser_than_law",
                    format!("calls in {jurisdiction} are capped at {max_attempts} in {days} days under {}; send that cap or a stricter one", floor.law),
                ));
            }
        }
        if limits.quiet_days_after_conversation < floor.call_quiet_days {
            problems.push(FieldError::new(
                "quiet_days_after_conversation",
                "looser_than_law",
                format!(
                    "calls in {jurisdiction} need at least {} quiet days after a conversation under {}",
                    floor.call_quiet_days, floor.law
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(problems))
    }
}

fn to_dto(row: RuleRow) -> ApiResult<ContactRuleDto> {
    let channel = Channel::parse(&row.channel)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a contact rule of {} names an unknown channel '{}'", row.jurisdiction, row.channel)))?;
    Ok(ContactRuleDto {
        limits: ContactLimits {
            window_start: row.window_start.map(|t| t.format("%H:%M").to_string()),
            window_end: row.window_end.map(|t| t.format("%H:%M").to_string()),
            cap_attempts: row.cap_attempts.map(i32::unsigned_abs),
            cap_days: row.cap_days.map(i32::unsigned_abs),
            quiet_days_after_conversation: row.quiet_days_after_conversation.unsigned_abs(),
        },
        jurisdiction: row.jurisdiction,
        channel,
        updated_at: row.updated_at,
    })
}
