//! The fixed reason codes that block a contact, with their English messages.
//!
//! Messages name local times, dates, time zones and limits, but never the
//! debtor's personal data (no names, numbers or addresses), so they can be
//! shown to any agent and written to logs.

use std::fmt;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::frequency::{CapExceeded, QuietPeriod};
use super::window::ContactWindow;
use super::Channel;

/// The reason a contact is blocked. The list is fixed, and `as_str` returns
/// the stable code that the API sends.
///
/// | code | blocks until |
/// |------|--------------|
/// | `outside_contact_window` | the local contact window opens in every possible zone |
/// | `frequency_cap` | the oldest counted attempt leaves the rolling window of days |
/// | `recent_conversation` | the quiet days after a conversation end |
/// | `cease_requested` | never by time: the debtor asked to stop contact |
/// | `disputed` | never by time: the debt is disputed and awaits verification |
/// | `bankruptcy` | never by time: the debtor is in bankruptcy |
/// | `deceased` | never by time: the debtor is deceased |
/// | `do_not_call` | never by time: the number, or every valid number, is marked do not call |
/// | `manager_hold` | never by time: a manager put the account on hold |
/// | `time_barred` | never by time: the debt is time-barred and the content mentions legal action |
/// | `limitation_unknown` | never by time: no limitation rule covers the debt, and the content mentions legal action |
/// | `no_valid_channel` | never by time: no valid phone, address or email for the channel |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    OutsideContactWindow,
    FrequencyCap,
    RecentConversation,
    CeaseRequested,
    Disputed,
    Bankruptcy,
    Deceased,
    DoNotCall,
    ManagerHold,
    TimeBarred,
    LimitationUnknown,
    NoValidChannel,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 12] = [
        ReasonCode::OutsideContactWindow,
        ReasonCode::FrequencyCap,
        ReasonCode::RecentConversation,
        ReasonCode::CeaseRequested,
        ReasonCode::Disputed,
        ReasonCode::Bankruptcy,
        ReasonCode::Deceased,
        ReasonCode::DoNotCall,
        ReasonCode::ManagerHold,
        ReasonCode::TimeBarred,
        ReasonCode::LimitationUnknown,
        ReasonCode::NoValidChannel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::OutsideContactWindow => "outside_contact_window",
            ReasonCode::FrequencyCap => "frequency_cap",
            ReasonCode::RecentConversation => "recent_conversation",
            ReasonCode::CeaseRequested => "cease_requested",
            ReasonCode::Disputed => "disputed",
            ReasonCode::Bankruptcy => "bankruptcy",
            ReasonCode::Deceased => "deceased",
            ReasonCode::DoNotCall => "do_not_call",
            ReasonCode::ManagerHold => "manager_hold",
            ReasonCode::TimeBarred => "time_barred",
            ReasonCode::LimitationUnknown => "limitation_unknown",
            ReasonCode::NoValidChannel => "no_valid_channel",
        }
    }

    /// Returns true when waiting can lift this reason. Only these three take
    /// part in the search for `next_allowed_at`.
    pub fn is_time_based(self) -> bool {
        matches!(self, ReasonCode::OutsideContactWindow | ReasonCode::FrequencyCap | ReasonCode::RecentConversation)
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A blocking reason: its code and a sentence for the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: ReasonCode,
    pub message: String,
}

/// The local clock in one possible zone at the instant checked, with the
/// window that applies there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneClock {
    pub zone: Tz,
    pub local: NaiveDateTime,
    pub window: ContactWindow,
}

impl Reason {
    fn new(code: ReasonCode, message: String) -> Reason {
        Reason { code, message }
    }

    /// Builds `outside_contact_window` from every zone whose window is closed.
    /// `possible_zones` lists all zones checked, so the message can explain
    /// why a zone other than the address's own matters.
    pub fn outside_contact_window(channel: Channel, closed: &[ZoneClock], possible_zones: &[Tz]) -> Reason {
        let mut sentences: Vec<String> = closed
            .iter()
            .map(|clock| {
                format!(
                    "It is {} in {}, and {} are allowed from {} to {} local time.",
                    clock.local.format("%H:%M"),
                    clock.zone.name(),
                    channel.plural_noun(),
                    clock.window.start.format("%H:%M"),
                    clock.window.end.format("%H:%M"),
                )
            })
            .collect();
        if possible_zones.len() > 1 {
            let names: Vec<&str> = possible_zones.iter().map(|zone| zone.name()).collect();
            sentences.push(format!(
                "The debtor may be in any of {}, so the time must be allowed in each.",
                names.join(", ")
            ));
        }
        Reason::new(ReasonCode::OutsideContactWindow, sentences.join(" "))
    }

    pub fn frequency_cap(channel: Channel, exceeded: &CapExceeded) -> Reason {
        Reason::new(
            ReasonCode::FrequencyCap,
            format!(
                "{} {} attempts on this debt fall between {} and {} (dates in {}), and at most {} are allowed in any {} consecutive days.",
                exceeded.attempts,
                channel.noun(),
                exceeded.first_day,
                exceeded.last_day,
                exceeded.zone.name(),
                exceeded.cap.max_attempts,
                exceeded.cap.days,
            ),
        )
    }

    pub fn recent_conversation(channel: Channel, quiet: &QuietPeriod) -> Reason {
        Reason::new(
            ReasonCode::RecentConversation,
            format!(
                "A conversation about this debt took place on {} (date in {}), so no {} are allowed for {} days, until {}.",
                quiet.conversation_day,
                quiet.zone.name(),
                channel.plural_noun(),
                quiet.quiet_days,
                quiet.resume_day,
            ),
        )
    }

    /// Builds `cease_requested`; `channel` is `None` when the debtor asked to
    /// stop all communication.
    pub fn cease_requested(channel: Option<Channel>) -> Reason {
        let message = match channel {
            None => "The debtor asked the collector to stop all communication about this debt.".to_string(),
            Some(channel) => format!("The debtor asked the collector to stop contact by {}.", channel.noun()),
        };
        Reason::new(ReasonCode::CeaseRequested, message)
    }

    pub fn disputed() -> Reason {
        Reason::new(
            ReasonCode::Disputed,
            "The debt is disputed, and collection stays paused until the verification is sent.".to_string(),
        )
    }

    pub fn bankruptcy() -> Reason {
        Reason::new(
            ReasonCode::Bankruptcy,
            "The debtor is in bankruptcy, so collection contact is not allowed.".to_string(),
        )
    }

    pub fn deceased() -> Reason {
        Reason::new(
            ReasonCode::Deceased,
            "The debtor is recorded as deceased, so collection contact with the debtor is not allowed.".to_string(),
        )
    }

    /// Builds `do_not_call`; `requested_number` is true when the request
    /// named one number, false when every valid number is marked.
    pub fn do_not_call(channel: Channel, requested_number: bool) -> Reason {
        let message = if requested_number {
            format!("The requested number is marked do not call, so {} to it are not allowed.", channel.plural_noun())
        } else {
            format!(
                "Every valid phone number of the debtor is marked do not call, so no {} are allowed.",
                channel.plural_noun()
            )
        };
        Reason::new(ReasonCode::DoNotCall, message)
    }

    pub fn manager_hold() -> Reason {
        Reason::new(
            ReasonCode::ManagerHold,
            "A manager put this account on hold, so no contact is allowed until the hold is released.".to_string(),
        )
    }

    pub fn time_barred() -> Reason {
        Reason::new(
            ReasonCode::TimeBarred,
            "The debt is time-barred, so content that mentions legal action must not be sent.".to_string(),
        )
    }

    pub fn limitation_unknown() -> Reason {
        Reason::new(
            ReasonCode::LimitationUnknown,
            "No statute of limitations rule covers this debt, so it may be time-barred and content that mentions legal action must not be sent."
                .to_string(),
        )
    }

    /// Builds `no_valid_channel`. For calls and text messages,
    /// `requested_number` is true when the request named a number that is
    /// unknown or invalid.
    pub fn no_valid_channel(channel: Channel, requested_number: bool) -> Reason {
        let message = match channel {
            Channel::Call | Channel::Sms if requested_number => format!(
                "The requested number is not a valid phone number of the debtor, so {} to it are not allowed.",
                channel.plural_noun()
            ),
            Channel::Call | Channel::Sms => {
                format!("The debtor has no valid phone number for {}.", channel.plural_noun())
            }
            Channel::Letter => "The debtor has no valid postal address, so no letter can be sent.".to_string(),
            Channel::Email => {
                "The debtor has no valid email address that has not opted out, so no email can be sent.".to_string()
            }
        };
        Reason::new(ReasonCode::NoValidChannel, message)
    }
}
