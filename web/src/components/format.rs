//! Text forms of dates and counts as the pages show them.

use chrono::{DateTime, NaiveDate, Utc};

/// Formats a date as `4 Dec 2026`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// Formats a date, or an em dash when there is none.
pub fn format_optional_date(date: Option<NaiveDate>) -> String {
    date.map(format_date).unwrap_or_else(|| "\u{2014}".to_string())
}

/// Formats a timestamp as `4 Dec 2026 14:05 UTC`. Times stay in UTC so that
/// every user reads the same value.
pub fn format_datetime(timestamp: DateTime<Utc>) -> String {
    timestamp.format("%-d %b %Y %H:%M UTC").to_string()
}

/// Formats a count with thousands separators, such as `12,345`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Formats a byte count for people, such as `512 B`, `12.5 KB` or `3.2 MB` (1 KB = 1,024 bytes).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Floating point is fine here: the text is a rounded size, not an amount.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_has_day_month_year() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(format_date(date), "4 Dec 2026");
    }

    #[test]
    fn count_groups_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1234567), "1,234,567");
    }

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(5 * 1024 * 1024), "5.0 MB");
    }
}
