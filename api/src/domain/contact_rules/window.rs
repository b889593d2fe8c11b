//! Contact windows in local time, and the mapping of local times to instants
//! across daylight-saving changes.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The local hours in which contact is allowed: from `start` inclusive to
/// `end` exclusive. `start` must be earlier than `end`. A window that wraps
/// past midnight is not supported and allows no time at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl ContactWindow {
    /// Builds a window on whole hours, for example `from_hours(8, 21)`.
    ///
    /// # Panics
    /// Panics when an hour is above 23.
    pub fn from_hours(start_hour: u32, end_hour: u32) -> ContactWindow {
        let at_hour = |hour| NaiveTime::from_hms_opt(hour, 0, 0).expect("hour must be 0 to 23");
        ContactWindow { start: at_hour(start_hour), end: at_hour(end_hour) }
    }

    pub fn contains(&self, local: NaiveTime) -> bool {
        self.start <= local && local < self.end
    }
}

/// Returns the local wall-clock time in `zone` at `instant`.
pub fn local_time(zone: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// Maps a local time in `zone` to the first instant at which the zone's
/// clock reads `local` or later.
///
/// A time that occurs twice (when clocks go back) maps to its earlier
/// occurrence, because that is when the clock first reaches it. A time that
/// does not exist (when clocks go forward) maps to the instant the clocks
/// jump, because the clock reads a later time from then on.
pub fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // A gap lasts an hour in most zones, and tzdb has none longer than a
    // day. So the search stops after a day and a minute.
    for _ in 0..=(24 * 60 + 1) {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(instant) => return instant.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    // NOTE: unreachable with tzdb data, which has no gap longer than a day.
    // Reading the local time as UTC keeps the result finite.
    Utc.from_utc_datetime(&local)
}
