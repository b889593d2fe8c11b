//! Contact work: logged calls, the holds that stop contact with a debtor,
//! and the answer to whether a debtor may be contacted on a channel.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest `notes` text on a logged call, in characters.
pub const CALL_NOTES_MAX_CHARS: usize = 2000;
/// Longest `override_reason` on a logged call, in characters.
pub const OVERRIDE_REASON_MAX_CHARS: usize = 500;

/// A way of contacting the debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Call,
    Letter,
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Call, Channel::Letter, Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Letter => "letter",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Returns the codes of every channel, comma-separated, for messages.
    pub fn names() -> String {
        Channel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The side that placed a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// The agent called the debtor.
    Outbound,
    /// The debtor or someone else called the agent.
    Inbound,
}

impl CallDirection {
    pub const ALL: [CallDirection; 2] = [CallDirection::Outbound, CallDirection::Inbound];

    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Outbound => "outbound",
            CallDirection::Inbound => "inbound",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        CallDirection::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Returns the English label the web app shows.
    pub fn label(self) -> &'static str {
        match self {
            CallDirection::Outbound => "We called",
            CallDirection::Inbound => "They called",
        }
    }
}

/// The result of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The agent spoke with the debtor.
    RightPartyContact,
    /// Someone other than the debtor took the call.
    ThirdParty,
    NoAnswer,
    Voicemail,
    /// The number does not belong to the debtor; logging it marks the number invalid.
    WrongNumber,
    /// The debtor refused to pay or to talk about the debt.
    Refused,
    /// The debtor disputed the debt; logging it puts the account on a dispute hold.
    DisputeRaised,
    /// The debtor promised to pay.
    PromiseTaken,
    /// The debtor agreed to a repayment plan.
    PlanAgreed,
    /// The caller reported the debtor's death; logging it sets the deceased hold.
    DeceasedReported,
    /// The caller reported the debtor's bankruptcy; logging it sets the bankruptcy hold.
    BankruptcyReported,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 11] = [
        CallOutcome::RightPartyContact,
        CallOutcome::ThirdParty,
        CallOutcome::NoAnswer,
        CallOutcome::Voicemail,
        CallOutcome::WrongNumber,
        CallOutcome::Refused,
        CallOutcome::DisputeRaised,
        CallOutcome::PromiseTaken,
        CallOutcome::PlanAgreed,
        CallOutcome::DeceasedReported,
        CallOutcome::BankruptcyReported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::RightPartyContact => "right_party_contact",
            CallOutcome::ThirdParty => "third_party",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::WrongNumber => "wrong_number",
            CallOutcome::Refused => "refused",
            CallOutcome::DisputeRaised => "dispute_raised",
            CallOutcome::PromiseTaken => "promise_taken",
            CallOutcome::PlanAgreed => "plan_agreed",
            CallOutcome::DeceasedReported => "deceased_reported",
            CallOutcome::BankruptcyReported => "bankruptcy_reported",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        CallOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Returns the English label the web app shows.
    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::RightPartyContact => "Spoke with the debtor",
            CallOutcome::ThirdParty => "Third party answered",
            CallOutcome::NoAnswer => "No answer",
            CallOutcome::Voicemail => "Voicemail",
            CallOutcome::WrongNumber => "Wrong number",
            CallOutcome::Refused => "Refused",
            CallOutcome::DisputeRaised => "Dispute raised",
            CallOutcome::PromiseTaken => "Promise to pay taken",
            CallOutcome::PlanAgreed => "Plan agreed",
            CallOutcome::DeceasedReported => "Death reported",
            CallOutcome::BankruptcyReported => "Bankruptcy reported",
        }
    }

    /// Returns true when the call was a conversation with the debtor, which
    /// starts the quiet days after a conversation (7 days for calls in the
    /// United States).
    pub fn is_conversation(self) -> bool {
        matches!(
            self,
            CallOutcome::RightPartyContact
                | CallOutcome::DisputeRaised
                | CallOutcome::PromiseTaken
                | CallOutcome::PlanAgreed
                | CallOutcome::Refused
        )
    }
}

/// Body of `POST /api/v1/accounts/{id}/calls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// The number dialled in E.164 form, such as `+12175550143`. Required for
    /// outbound calls, where it must be one of the debtor's numbers.
    #[serde(default)]
    pub phone_e164: Option<String>,
    #[serde(deserialize_with = "direction_field")]
    pub direction: CallDirection,
    #[serde(deserialize_with = "outcome_field")]
    pub outcome: CallOutcome,
    /// Free text, at most 2000 characters; card numbers are rejected.
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub follow_up_on: Option<NaiveDate>,
    /// When the call started; now when absent, and never in the future.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// The reason a manager or administrator logs an outbound call that the
    /// contact rules block. It is stored only when the rules did block the call.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// The promise the debtor made on the call: required with the outcome
    /// `promise_taken`, and rejected with any other outcome.
    #[serde(default)]
    pub promise: Option<CallPromise>,
}

/// The promise taken on a call. It is recorded with the call, in the same
/// transaction, on the channel `call`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallPromise {
    /// In minor units of the account's currency.
    pub amount: i64,
    /// The day the debtor promised to pay by, in the creditor's time zone.
    pub promised_on: NaiveDate,
}

/// Reads `direction`, with an error that names the field and the choices.
fn direction_field<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<CallDirection, D::Error> {
    let text = String::deserialize(deserializer)?;
    CallDirection::parse(&text).ok_or_else(|| {
        let names: Vec<&str> = CallDirection::ALL.iter().map(|d| d.as_str()).collect();
        serde::de::Error::custom(format!("direction '{}' is not a call direction; use {}", shorten(&text), names.join(" or ")))
    })
}

/// Reads `outcome`, with an error that names the field and the choices.
fn outcome_field<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<CallOutcome, D::Error> {
    let text = String::deserialize(deserializer)?;
    CallOutcome::parse(&text).ok_or_else(|| {
        let names: Vec<&str> = CallOutcome::ALL.iter().map(|o| o.as_str()).collect();
        serde::de::Error::custom(format!("outcome '{}' is not a call outcome; use one of {}", shorten(&text), names.join(", ")))
    })
}

/// Cuts a rejected value to 40 characters for an error message.
fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A logged call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallDto {
    pub id: Uuid,
    pub account_id: Uuid,
    /// The debtor's phone record that was dialled or called from, when known.
    pub phone_id: Option<Uuid>,
    pub direction: CallDirection,
    pub outcome: CallOutcome,
    /// True when the call counts as a conversation with the debtor.
    pub conversation: bool,
    pub notes: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub started_at: DateTime<Utc>,
    pub logged_by: Uuid,
    /// Set when a manager logged the call although the contact rules blocked it.
    pub override_reason: Option<String>,
    /// The promise taken on the call.
    pub promise_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// The holds on an account that stop contact with the debtor. The body of
/// `PUT /api/v1/accounts/{id}/contact-holds` replaces all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactHoldsDto {
    /// The debtor asked to stop all communication about the debt.
    pub cease_all: bool,
    /// Channels on which the debtor asked to stop communication.
    pub cease_channels: Vec<Channel>,
    pub bankruptcy: bool,
    pub deceased: bool,
    /// The debt is disputed and awaits verification. The account status
    /// `disputed` blocks contact as well, even when this flag is false.
    pub disputed: bool,
    pub manager_hold: bool,
    /// The statute of limitations has run, which blocks only content that
    /// mentions legal action.
    pub time_barred: bool,
}

/// One reason that blocks a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonDto {
    /// A stable code such as `outside_contact_window`, `frequency_cap`,
    /// `recent_conversation`, `cease_requested`, `disputed`, `bankruptcy`,
    /// `deceased`, `do_not_call`, `manager_hold`, `time_barred` or `no_valid_channel`.
    pub code: String,
    /// A sentence for the agent; it never contains the debtor's personal data.
    pub message: String,
}

/// Body of `GET /api/v1/accounts/{id}/contact-eligibility`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EligibilityDto {
    pub allowed: bool,
    /// Every reason against the contact; empty when it is allowed.
    pub reasons: Vec<ReasonDto>,
    /// The earliest instant at or after the checked time when the contact is
    /// allowed; null when waiting alone cannot make it allowed.
    pub next_allowed_at: Option<DateTime<Utc>>,
}

/// Longest dispute or verification note, in characters.
pub const DISPUTE_NOTE_MAX_CHARS: usize = 2000;

/// Where a dispute stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// Collection on the debt is paused until it is verified.
    Open,
    /// The verification was sent; collection may resume.
    Verified,
}

/// Body of `POST /api/v1/accounts/{id}/disputes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    /// What the debtor disputes, at most 2000 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/disputes/{id}/verification`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    /// How the debt was verified, such as the documents sent; required.
    pub note: String,
    /// `letter` or `email`.
    pub sent_via: Channel,
    /// The day the verification was sent, today or earlier.
    pub sent_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputeDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub status: DisputeStatus,
    /// The call on which the debtor raised it, if any.
    pub call_id: Option<Uuid>,
    pub note: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: Uuid,
    pub verification_note: Option<String>,
    pub verification_sent_via: Option<Channel>,
    pub verification_sent_on: Option<NaiveDate>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<Uuid>,
}

/// Body of `GET /api/v1/accounts/{id}/limitation`: whether the debt is
/// past its statute of limitations, by the rule that applies to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitationDto {
    pub time_barred: bool,
    /// The day the period ends (the debt is time-barred from this day);
    /// null when no rule applies or the start day is unknown.
    pub barred_from: Option<NaiveDate>,
    /// The rule used, such as "US-NY any: 3 years from default"; null when
    /// no rule covers the debtor's country and region.
    pub rule: Option<String>,
    /// Where the rule comes from.
    pub source: Option<String>,
    /// Why no day could be worked out, when `barred_from` is null.
    pub note: Option<String>,
}

/// One contact rule: the limits on a channel in a jurisdiction. The body of
/// `PUT /api/v1/contact-rules/{jurisdiction}/{channel}` carries the limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRuleDto {
    /// An ISO 3166-1 alpha-2 country code, or `default` for every country
    /// without rows of its own.
    pub jurisdiction: String,
    pub channel: Channel,
    #[serde(flatten)]
    pub limits: ContactLimits,
    pub updated_at: DateTime<Utc>,
}

/// The limits of a contact rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactLimits {
    /// Local time from which contact is allowed, `HH:MM`; null with
    /// `window_end` null allows any time.
    pub window_start: Option<String>,
    /// Local time from which contact is no longer allowed, `HH:MM`.
    pub window_end: Option<String>,
    /// At most this many outbound attempts in `cap_days` consecutive local
    /// days; null with `cap_days` null means no cap.
    pub cap_attempts: Option<u32>,
    pub cap_days: Option<u32>,
    /// Local days, the conversation's own day included, without contact on
    /// this channel after a conversation on it.
    pub quiet_days_after_conversation: u32,
}
