//! Reading single fields: amounts, dates and text, with the problems they can have.

use chrono::{Datelike, Months, NaiveDate};
use shared::money::{parse_amount, DecimalSeparator, Rounding};
use shared::Currency;

use super::row::Rejection;

/// Reading options that come from the profile.
pub struct FieldRules {
    pub decimal_separator: DecimalSeparator,
    pub rounding: Rounding,
    pub date_formats: Vec<String>,
}

/// Counts values changed by rounding while a line is read.
#[derive(Default)]
pub struct LineTally {
    pub rounded_amounts: u64,
}

/// Empty or whitespace-only text reads as absent.
pub fn text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Reads an amount in minor units; an empty field reads as zero.
pub fn amount(
    column: &str,
    value: Option<&str>,
    currency: Currency,
    rules: &FieldRules,
    tally: &mut LineTally,
) -> Result<i64, Rejection> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(0) };
    match parse_amount(raw, currency, rules.decimal_separator, rules.rounding) {
        Ok(parsed) => {
            if parsed.rounded {
                tally.rounded_amounts += 1;
            }
            Ok(parsed.minor_units)
        }
        Err(e) => Err(Rejection::at(column, "invalid_amount", e.to_string())),
    }
}

/// Reads a date with the profile's formats. Formats without a day, such as `%b-%Y`, mean the first of the month.
pub fn date(column: &str, value: Option<&str>, rules: &FieldRules) -> Result<Option<NaiveDate>, Rejection> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    for format in &rules.date_formats {
        let has_day = ["%d", "%e", "%j", "%F", "%D", "%x"].iter().any(|d| format.contains(d));
        let parsed = if has_day {
            NaiveDate::parse_from_str(raw, format)
        } else {
            NaiveDate::parse_from_str(&format!("{raw} 01"), &format!("{format} %d"))
        };
        if let Ok(date) = parsed {
            if !(1900..=2200).contains(&date.year()) {
                return Err(Rejection::at(column, "invalid_date", format!("'{raw}' is outside the years 1900 to 2200")));
            }
            return Ok(Some(date));
        }
    }
    Err(Rejection::at(
        column,
        "invalid_date",
        format!("'{raw}' is not a date in the profile's formats ({}); fix the value or add its format to the profile", rules.date_formats.join(", ")),
    ))
}

/// Adds months to a date, clamping to the month's end.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(formats: &[&str]) -> FieldRules {
        FieldRules {
            decimal_separator: DecimalSeparator::Point,
            rounding: Rounding::HalfEven,
            date_formats: formats.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn month_dates_mean_the_first_of_the_month() {
        let d = date("issue_d", Some("Sep-2016"), &rules(&["%b-%Y"])).unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2016, 9, 1));
    }

    #[test]
    fn dates_try_each_format_in_order() {
        let r = rules(&["%Y-%m-%d", "%d/%m/%Y"]);
        assert_eq!(date("d", Some("31/01/2024"), &r).unwrap(), NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!(date("d", Some(" 2024-02-29 "), &r).unwrap(), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert!(date("d", Some("2023-02-29"), &r).is_err());
        assert_eq!(date("d", Some(""), &r).unwrap(), None);
    }

    #[test]
    fn amounts_count_rounding() {
        let mut tally = LineTally::default();
        let usd: Currency = "USD".parse().unwrap();
        let value = amount("x", Some("111.03000054719999"), usd, &rules(&[]), &mut tally).unwrap();
        assert_eq!(value, 11103);
        assert_eq!(tally.rounded_amounts, 1);
        assert!(amount("x", Some("abc"), usd, &rules(&[]), &mut tally).is_err());
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        let jan31 = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        assert_eq!(add_months(jan31, 1), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
    }
}
