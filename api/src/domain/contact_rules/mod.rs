//! Whether a debtor may be contacted now on a channel, and why not.
//!
//! `eligibility` is a pure function over the debtor's contact details, the
//! holds on the account, the attempt history of the debt and the
//! jurisdiction rules. It reads no database and no clock.
//!
//! The debtor's local time comes from the zones in `zones`. When the debtor
//! may be in several zones, a time is allowed only if every zone allows it,
//! as Regulation F requires in the United States. Windows, attempt caps and
//! quiet days come from `jurisdiction`, per country of each possible zone.

pub mod frequency;
pub mod jurisdiction;
pub mod reasons;
pub mod window;
pub mod zones;

use chrono::{DateTime, Days, NaiveTime, Utc};
use chrono_tz::Tz;

pub use frequency::{AttemptCap, CapExceeded, QuietPeriod};
pub use jurisdiction::{ChannelRules, JurisdictionRules, RulesTable};
pub use reasons::{Reason, ReasonCode, ZoneClock};
pub use window::ContactWindow;
pub use zones::{resolve_location, DebtorLocation, PossibleZone};

/// How far ahead `next_allowed_at` is searched. Caps and quiet days in the
/// default rules lift within 8 days, so 30 days leaves room for stricter
/// configured rules.
pub const SEARCH_HORIZON_DAYS: u64 = 30;

/// A way of contacting the debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Call,
    Sms,
    Email,
    Letter,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Call, Channel::Sms, Channel::Email, Channel::Letter];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Letter => "letter",
        }
    }

    /// Returns the channel's singular name for messages: "call", "text message".
    pub fn noun(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Sms => "text message",
            Channel::Email => "email",
            Channel::Letter => "letter",
        }
    }

    /// Returns the channel's plural name for messages: "calls", "text messages".
    pub fn plural_noun(self) -> &'static str {
        match self {
            Channel::Call => "calls",
            Channel::Sms => "text messages",
            Channel::Email => "emails",
            Channel::Letter => "letters",
        }
    }
}

/// The debtor's postal address, as far as location and delivery matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// ISO 3166-1 alpha-2 code; `UK` and `USA` are also accepted.
    pub country: String,
    /// State, province or territory code, for example `TX` or `ON`.
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// False when mail to the address is known to be undeliverable.
    pub deliverable: bool,
}

/// One of the debtor's phone numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// The number in E.164 form, for example `+13125550100`.
    pub e164: String,
    /// False for a wrong, disconnected or malformed number.
    pub valid: bool,
    /// True when the debtor asked not to be called or texted on this number.
    pub do_not_call: bool,
}

/// The state of one of the debtor's email addresses; the address itself is
/// not needed here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmailStatus {
    pub valid: bool,
    pub opted_out: bool,
}

/// The debtor's address, phone numbers and email states on record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactDetails {
    pub address: Option<Address>,
    pub phones: Vec<Phone>,
    pub emails: Vec<EmailStatus>,
}

/// Conditions on the account that block contact regardless of time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountHolds {
    /// The debtor asked to stop all communication.
    pub cease_all: bool,
    /// Channels on which the debtor asked to stop communication.
    pub cease_channels: Vec<Channel>,
    /// The debt is disputed and verification has not been sent yet.
    pub disputed: bool,
    pub bankruptcy: bool,
    pub deceased: bool,
    pub manager_hold: bool,
    /// The statute of limitations has run. This blocks only content that
    /// mentions legal action (`ContactRequest::mentions_legal_action`).
    pub time_barred: bool,
    /// No limitation rule covers the debt, or it has no day to count from,
    /// so it may be time-barred. This too blocks only legal content.
    pub limitation_unknown: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
}

/// One recorded contact attempt on this debt. Outbound attempts count
/// toward the cap of their channel. A conversation (right-party contact) in
/// either direction starts the quiet days of its channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub channel: Channel,
    pub direction: Direction,
    pub conversation: bool,
}

/// The contact being considered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRequest {
    pub channel: Channel,
    pub at: DateTime<Utc>,
    /// The E.164 number to call or text. With `None`, the check passes when
    /// any valid number of the debtor is free of do not call.
    pub phone: Option<String>,
    /// True when the content mentions legal action, which a time-barred debt
    /// forbids.
    pub mentions_legal_action: bool,
}

/// The caller's configuration: rules per jurisdiction, and the creditor's
/// zone and country for a debtor with no known location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPolicy {
    pub rules: RulesTable,
    pub default_zone: Tz,
    pub default_country: Option<String>,
}

/// The decision for one request.
///
/// `next_allowed_at` is the earliest instant at or after the request's `at`
/// at which every time-based rule (window, cap, quiet days) passes in every
/// possible zone. It equals `at` when contact is allowed now. It is `None`
/// when a reason that time cannot lift blocks contact, or when no instant
/// within `SEARCH_HORIZON_DAYS` passes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility {
    pub allowed: bool,
    pub reasons: Vec<Reason>,
    pub next_allowed_at: Option<DateTime<Utc>>,
}

/// Decides whether `request` may go ahead, lists every reason against it and
/// finds when time-based reasons lift.
pub fn eligibility(
    request: &ContactRequest,
    contact: &ContactDetails,
    holds: &AccountHolds,
    history: &[Attempt],
    policy: &ContactPolicy,
) -> Eligibility {
    let location = resolve_location(contact, policy.default_zone, policy.default_country.as_deref());

    let mut reasons = blocking_reasons(request, contact, holds);
    let blocked_for_good = !reasons.is_empty();
    reasons.extend(time_reasons(request.channel, request.at, &location, history, &policy.rules));

    let allowed = reasons.is_empty();
    let next_allowed_at = if allowed {
        Some(request.at)
    } else if blocked_for_good {
        None
    } else {
        next_allowed_instant(request.channel, request.at, &location, history, &policy.rules)
    };
    Eligibility { allowed, reasons, next_allowed_at }
}

/// Lists the reasons that no waiting lifts, in the order of `ReasonCode`.
fn blocking_reasons(request: &ContactRequest, contact: &ContactDetails, holds: &AccountHolds) -> Vec<Reason> {
    let channel = request.channel;
    let mut reasons = Vec::new();

    if holds.cease_all {
        reasons.push(Reason::cease_requested(None));
    } else if holds.cease_channels.contains(&channel) {
        reasons.push(Reason::cease_requested(Some(channel)));
    }
    if holds.disputed {
        reasons.push(Reason::disputed());
    }
    if holds.bankruptcy {
        reasons.push(Reason::bankruptcy());
    }
    if holds.deceased {
        reasons.push(Reason::deceased());
    }
    match channel {
        Channel::Call | Channel::Sms => {
            reasons.extend(phone_reason(channel, request.phone.as_deref(), &contact.phones))
        }
        Channel::Email => {
            if !contact.emails.iter().any(|email| email.valid && !email.opted_out) {
                reasons.push(Reason::no_valid_channel(channel, false));
            }
        }
        Channel::Letter => {
            if !contact.address.as_ref().is_some_and(|address| address.deliverable) {
                reasons.push(Reason::no_valid_channel(channel, false));
            }
        }
    }
    if holds.manager_hold {
        reasons.push(Reason::manager_hold());
    }
    if holds.time_barred && request.mentions_legal_action {
        reasons.push(Reason::time_barred());
    } else if holds.limitation_unknown && request.mentions_legal_action {
        reasons.push(Reason::limitation_unknown());
    }

    reasons.sort_by_key(|reason| ReasonCode::ALL.iter().position(|code| *code == reason.code));
    reasons
}

/// Checks the number to call or text: the requested one, or else whether any
/// valid number is free of do not call.
fn phone_reason(channel: Channel, requested: Option<&str>, phones: &[Phone]) -> Option<Reason> {
    if let Some(requested) = requested {
        let phone = phones.iter().find(|phone| same_number(&phone.e164, requested));
        return match phone {
            Some(phone) if phone.valid && phone.do_not_call => Some(Reason::do_not_call(channel, true)),
            Some(phone) if phone.valid => None,
            _ => Some(Reason::no_valid_channel(channel, true)),
        };
    }

    let mut valid = phones.iter().filter(|phone| phone.valid).peekable();
    if valid.peek().is_none() {
        return Some(Reason::no_valid_channel(channel, false));
    }
    if valid.all(|phone| phone.do_not_call) {
        return Some(Reason::do_not_call(channel, false));
    }
    None
}

fn same_number(left: &str, right: &str) -> bool {
    let digits = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
    digits(left) == digits(right)
}

/// Lists the time-based reasons against contact at `instant`, each checked in
/// every possible zone under that zone's country rules.
fn time_reasons(
    channel: Channel,
    instant: DateTime<Utc>,
    location: &DebtorLocation,
    history: &[Attempt],
    rules: &RulesTable,
) -> Vec<Reason> {
    let mut closed_windows = Vec::new();
    let mut cap_exceeded = None;
    let mut quiet_period = None;

    for possible in &location.zones {
        let channel_rules = rules.for_country(possible.country.as_deref()).channel(channel);
        if let Some(window) = channel_rules.window {
            let local = window::local_time(possible.zone, instant);
            if !window.contains(local.time()) {
                closed_windows.push(ZoneClock { zone: possible.zone, local, window });
            }
        }
        if let Some(cap) = channel_rules.cap {
            if cap_exceeded.is_none() {
                cap_exceeded = frequency::check_cap(cap, channel, possible.zone, instant, history);
            }
        }
        let quiet_days = channel_rules.quiet_days_after_conversation;
        // The zone whose quiet days end last is the one worth reporting.
        if let Some(quiet) = frequency::check_quiet_period(quiet_days, channel, possible.zone, instant, history) {
            if quiet_period.is_none_or(|known: QuietPeriod| quiet.resume_day > known.resume_day) {
                quiet_period = Some(quiet);
            }
        }
    }

    let mut reasons = Vec::new();
    if !closed_windows.is_empty() {
        reasons.push(Reason::outside_contact_window(channel, &closed_windows, &location.time_zones()));
    }
    if let Some(exceeded) = cap_exceeded {
        reasons.push(Reason::frequency_cap(channel, &exceeded));
    }
    if let Some(quiet) = quiet_period {
        reasons.push(Reason::recent_conversation(channel, &quiet));
    }
    reasons
}

/// Finds the earliest instant after `at` at which no time-based reason
/// applies.
///
/// Whether a time-based rule passes changes only when a window opens or
/// closes or a local day begins in some possible zone. So the earliest
/// passing instant is one of those openings or day starts, and checking them
/// in order finds it exactly.
fn next_allowed_instant(
    channel: Channel,
    at: DateTime<Utc>,
    location: &DebtorLocation,
    history: &[Attempt],
    rules: &RulesTable,
) -> Option<DateTime<Utc>> {
    let mut candidates = Vec::new();
    for possible in &location.zones {
        let channel_rules = rules.for_country(possible.country.as_deref()).channel(channel);
        let first_day = window::local_time(possible.zone, at).date();
        for offset in 0..=SEARCH_HORIZON_DAYS {
            let Some(day) = first_day.checked_add_days(Days::new(offset)) else {
                break;
            };
            candidates.push(window::first_instant_at_or_after(possible.zone, day.and_time(NaiveTime::MIN)));
            if let Some(window) = channel_rules.window {
                candidates.push(window::first_instant_at_or_after(possible.zone, day.and_time(window.start)));
            }
        }
    }
    candidates.retain(|candidate| *candidate > at);
    candidates.sort();
    candidates.dedup();

    candidates.into_iter().find(|candidate| time_reasons(channel, *candidate, location, history, rules).is_empty())
}

#[cfg(test)]
mod tests;
