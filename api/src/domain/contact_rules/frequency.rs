//! Attempt caps over rolling local calendar days, and the quiet days after a
//! conversation.
//!
//! Days are local calendar days in one possible zone of the debtor: an
//! attempt at 23:30 local time counts on that local day. The caller checks
//! every possible zone.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use super::window::local_time;
use super::{Attempt, Channel, Direction};

/// At most `max_attempts` outbound attempts on one channel in any `days`
/// consecutive local calendar days. A cap with `days == 0` limits nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptCap {
    pub max_attempts: u32,
    pub days: u32,
}

/// A run of `cap.days` local days that contains the day checked and already
/// contains `attempts` attempts, at least the cap's maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapExceeded {
    pub zone: Tz,
    pub cap: AttemptCap,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub attempts: u32,
}

/// The quiet days that follow the latest conversation; the conversation's
/// local day is the first of `quiet_days`, so contact resumes on `resume_day`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietPeriod {
    pub zone: Tz,
    pub quiet_days: u32,
    pub conversation_day: NaiveDate,
    pub resume_day: NaiveDate,
}

fn local_day(zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    local_time(zone, instant).date()
}

/// Checks whether one more attempt at `candidate` would exceed `cap` in
/// `zone`. Every run of `cap.days` days that contains the candidate's day is
/// checked, so recorded attempts on later days count too.
pub fn check_cap(
    cap: AttemptCap,
    channel: Channel,
    zone: Tz,
    candidate: DateTime<Utc>,
    history: &[Attempt],
) -> Option<CapExceeded> {
    if cap.days == 0 {
        return None;
    }
    let span = cap.days - 1;
    let day = local_day(zone, candidate);
    let attempt_days: Vec<NaiveDate> = history
        .iter()
        .filter(|attempt| attempt.channel == channel && attempt.direction == Direction::Outbound)
        .map(|attempt| local_day(zone, attempt.at))
        .collect();

    for shift in 0..cap.days {
        let first_day = day - Days::new(u64::from(span - shift));
        let last_day = first_day + Days::new(u64::from(span));
        let attempts = attempt_days.iter().filter(|d| (first_day..=last_day).contains(d)).count();
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        if attempts >= cap.max_attempts {
            return Some(CapExceeded { zone, cap, first_day, last_day, attempts });
        }
    }
    None
}

/// Checks whether `candidate` falls within `quiet_days` local days of a
/// conversation on `channel`, inbound or outbound, held at or before it.
pub fn check_quiet_period(
    quiet_days: u32,
    channel: Channel,
    zone: Tz,
    candidate: DateTime<Utc>,
    history: &[Attempt],
) -> Option<QuietPeriod> {
    if quiet_days == 0 {
        return None;
    }
    let day = local_day(zone, candidate);
    let latest_conversation_day = history
        .iter()
        .filter(|attempt| attempt.channel == channel && attempt.conversation && attempt.at <= candidate)
        .map(|attempt| local_day(zone, attempt.at))
        .max()?;
    let resume_day = latest_conversation_day + Days::new(u64::from(quiet_days));
    if day < resume_day {
        Some(QuietPeriod { zone, quiet_days, conversation_day: latest_conversation_day, resume_day })
    } else {
        None
    }
}
