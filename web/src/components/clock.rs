//! The browser's calendar date.

use chrono::NaiveDate;

/// Returns today's date in the browser's time zone.
pub fn browser_today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date())
        .unwrap_or(NaiveDate::MIN)
}
