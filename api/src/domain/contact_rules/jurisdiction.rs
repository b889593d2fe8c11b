//! Per-jurisdiction contact rules as data: window, attempt cap and quiet days
//! for each channel, with defaults for the United States, India and
//! everywhere else.

use super::frequency::AttemptCap;
use super::window::ContactWindow;
use super::Channel;

/// The limits on one channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelRules {
    /// Local hours in which contact is allowed; `None` means any time.
    pub window: Option<ContactWindow>,
    /// Cap on outbound attempts on this channel; `None` means no cap.
    pub cap: Option<AttemptCap>,
    /// Local days, counting the conversation's own day, in which no contact
    /// on this channel is allowed after a conversation on it; 0 means none.
    pub quiet_days_after_conversation: u32,
}

impl ChannelRules {
    /// Rules that allow contact at any time and any number of times.
    pub const UNRESTRICTED: ChannelRules = ChannelRules { window: None, cap: None, quiet_days_after_conversation: 0 };

    fn window_only(window: ContactWindow) -> ChannelRules {
        ChannelRules { window: Some(window), ..ChannelRules::UNRESTRICTED }
    }
}

/// The rules of one jurisdiction for every channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JurisdictionRules {
    pub call: ChannelRules,
    pub sms: ChannelRules,
    pub email: ChannelRules,
    pub letter: ChannelRules,
}

impl JurisdictionRules {
    /// Returns the United States rules of Regulation F (12 CFR 1006).
    ///
    /// Calls, text messages and emails are allowed from 08:00 to 21:00 local
    /// time, because Regulation F's rule on inconvenient times covers every
    /// communication, emails and text messages included. A debt gets at most 7 call attempts in
    /// 7 consecutive days, and no call for 7 days after a telephone
    /// conversation. Letters have no window.
    pub fn united_states() -> JurisdictionRules {
        let window = ContactWindow::from_hours(8, 21);
        JurisdictionRules {
            call: ChannelRules {
                window: Some(window),
                cap: Some(AttemptCap { max_attempts: 7, days: 7 }),
                quiet_days_after_conversation: 7,
            },
            sms: ChannelRules::window_only(window),
            email: ChannelRules::window_only(window),
            letter: ChannelRules::UNRESTRICTED,
        }
    }

    /// Returns the rules of the Reserve Bank of India's guidelines for
    /// recovery agents: contact from 08:00 to 19:00 local time, with no cap.
    pub fn india() -> JurisdictionRules {
        let window = ContactWindow::from_hours(8, 19);
        JurisdictionRules {
            call: ChannelRules::window_only(window),
            sms: ChannelRules::window_only(window),
            email: ChannelRules::window_only(window),
            letter: ChannelRules::UNRESTRICTED,
        }
    }

    /// Returns the rules for other countries: contact from 08:00 to 21:00
    /// local time, with no cap.
    pub fn general() -> JurisdictionRules {
        let window = ContactWindow::from_hours(8, 21);
        JurisdictionRules {
            call: ChannelRules::window_only(window),
            sms: ChannelRules::window_only(window),
            email: ChannelRules::window_only(window),
            letter: ChannelRules::UNRESTRICTED,
        }
    }

    pub fn channel(&self, channel: Channel) -> &ChannelRules {
        match channel {
            Channel::Call => &self.call,
            Channel::Sms => &self.sms,
            Channel::Email => &self.email,
            Channel::Letter => &self.letter,
        }
    }
}

/// Rules by country (ISO 3166-1 alpha-2 code), with the rules for any
/// country not listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesTable {
    pub countries: Vec<(String, JurisdictionRules)>,
    pub default: JurisdictionRules,
}

impl Default for RulesTable {
    /// Creates the table with the United States, India and the general
    /// default.
    fn default() -> Self {
        RulesTable {
            countries: vec![
                ("US".to_string(), JurisdictionRules::united_states()),
                ("IN".to_string(), JurisdictionRules::india()),
            ],
            default: JurisdictionRules::general(),
        }
    }
}

impl RulesTable {
    /// Returns the rules for `country` (case-insensitive), or the default
    /// rules when the country is unknown or not listed.
    pub fn for_country(&self, country: Option<&str>) -> &JurisdictionRules {
        country
            .and_then(|code| self.countries.iter().find(|(listed, _)| listed.eq_ignore_ascii_case(code)))
            .map(|(_, rules)| rules)
            .unwrap_or(&self.default)
    }
}
