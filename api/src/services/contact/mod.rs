//! Contact work on an account: whether the debtor may be contacted
//! (`eligibility`), logging calls (`calls`), the holds that stop contact
//! (`holds`), disputes and their verification (`disputes`), statutes of
//! limitation (`limitation`) and the contact rules as data (`rules`). The decisions come from the pure rules in
//! `domain::contact_rules`; this module gathers their inputs from the
//! database.

pub mod calls;
pub mod disputes;
pub mod eligibility;
pub mod holds;
pub mod limitation;
pub mod rules;

use shared::contact::Channel;

use crate::domain::contact_rules;

/// Converts the API's channel to the rules engine's.
pub fn rules_channel(channel: Channel) -> contact_rules::Channel {
    match channel {
        Channel::Call => contact_rules::Channel::Call,
        Channel::Letter => contact_rules::Channel::Letter,
        Channel::Email => contact_rules::Channel::Email,
        Channel::Sms => contact_rules::Channel::Sms,
    }
}
