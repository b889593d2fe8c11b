//! Money as integer minor units with an ISO 4217 currency.
//!
//! Amounts never pass through binary floating point. Decimal text from files
//! and forms is parsed exactly and rounded to the currency's minor unit by a
//! named rule.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency, stored and sent as its three-letter code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Number of decimal places of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    /// Codes without a minor unit (such as XAU) count as 0.
    pub fn minor_unit_digits(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(0)
    }

    pub fn usd() -> Self {
        Currency(iso_currency::Currency::USD)
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let trimmed = code.trim();
        iso_currency::Currency::from_code(&trimmed.to_ascii_uppercase())
            .filter(|_| trimmed.len() == 3)
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(trimmed.to_string()))
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount in minor units of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units (cents for USD), signed.
    pub amount: i64,
    pub currency: Currency,
}

/// How a decimal value with more places than the currency has is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Round half to even (banker's rounding), the default for imported amounts.
    #[default]
    HalfEven,
    /// Round half away from zero, as many spreadsheets do.
    HalfUp,
    /// Reject any value with more places than the currency has.
    Reject,
}

/// Which character separates the integer part from the fraction in amount text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecimalSeparator {
    #[default]
    Point,
    Comma,
}

/// The result of parsing amount text: the minor units and whether rounding changed the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedAmount {
    pub minor_units: i64,
    pub rounded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an ISO 4217 currency code; use a three-letter code such as USD or EUR")]
    UnknownCurrency(String),
    #[error("'{0}' is not a decimal amount; write digits with an optional sign and decimal separator, such as 1234.56")]
    NotANumber(String),
    #[error("'{value}' has more decimal places than the currency's {digits}; use at most {digits}")]
    TooManyDecimals { value: String, digits: u32 },
    #[error("'{0}' is too large to store as an amount")]
    Overflow(String),
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(self.amount.checked_add(other.amount)?, self.currency))
    }

    /// Formats the amount with its currency code and a point as separator, such as `USD 1,234.56`.
    pub fn display(&self) -> String {
        format_minor_units(self.amount, self.currency, '.', ',')
    }
}

/// Formats minor units with the given decimal and grouping separators.
pub fn format_minor_units(amount: i64, currency: Currency, decimal: char, group: char) -> String {
    let digits = currency.minor_unit_digits();
    let negative = amount < 0;
    let magnitude = amount.unsigned_abs();
    let scale = 10u64.pow(digits);
    let whole = magnitude / scale;
    let fraction = magnitude % scale;

    let whole_text = whole.to_string();
    let mut grouped = String::with_capacity(whole_text.len() + whole_text.len() / 3);
    for (i, ch) in whole_text.chars().enumerate() {
        if i > 0 && (whole_text.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(ch);
    }

    let sign = if negative { "-" } else { "" };
    if digits == 0 {
        format!("{} {sign}{grouped}", currency.code())
    } else {
        format!(
            "{} {sign}{grouped}{decimal}{fraction:0width$}",
            currency.code(),
            width = digits as usize
        )
    }
}

/// Parses decimal text such as `1234.5`, `-0.01` or (with a comma separator)
/// `1.234,56` into minor units of `currency`, rounding extra places by `rounding`.
///
/// With a point separator, commas may group thousands (`1,234.5`), and with a
/// comma separator, points or spaces may. Group separators are accepted only
/// between groups of three digits, so `12,34` is rejected rather than read as 1234.
pub fn parse_amount(
    text: &str,
    currency: Currency,
    separator: DecimalSeparator,
    rounding: Rounding,
) -> Result<ParsedAmount, MoneyError> {
    let trimmed = text.trim();
    let (decimal_mark, group_marks): (char, &[char]) = match separator {
        DecimalSeparator::Point => ('.', &[',']),
        DecimalSeparator::Comma => (',', &['.', ' ', '\u{a0}']),
    };
    if !groups_are_well_placed(trimmed, decimal_mark, group_marks) {
        return Err(MoneyError::NotANumber(trimmed.to_string()));
    }
    let normalised: String = trimmed
        .chars()
        .filter(|c| !group_marks.contains(c))
        .map(|c| if c == decimal_mark { '.' } else { c })
        .collect();
    let well_formed = !normalised.is_empty()
        && normalised
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && normalised.chars().filter(|c| *c == '.').count() <= 1
        && normalised.chars().any(|c| c.is_ascii_digit());
    if !well_formed {
        return Err(MoneyError::NotANumber(trimmed.to_string()));
    }
    let value = Decimal::from_str(&normalised).map_err(|_| MoneyError::Overflow(trimmed.to_string()))?;

    let digits = currency.minor_unit_digits();
    let rounded_value = match rounding {
        Rounding::HalfEven => value.round_dp_with_strategy(digits, RoundingStrategy::MidpointNearestEven),
        Rounding::HalfUp => value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero),
        Rounding::Reject => {
            if value.scale() > digits && value.normalize().scale() > digits {
                return Err(MoneyError::TooManyDecimals { value: trimmed.to_string(), digits });
            }
            value
        }
    };
    let rounded = rounded_value != value;

    let scaled = rounded_value
        .checked_mul(Decimal::from(10i64.pow(digits)))
        .ok_or_else(|| MoneyError::Overflow(trimmed.to_string()))?;
    let minor_units = i64::try_from(scaled.trunc()).map_err(|_| MoneyError::Overflow(trimmed.to_string()))?;
    Ok(ParsedAmount { minor_units, rounded })
}

/// Checks thousands separators: none at all, or between every group of three
/// digits of the integer part, and never in the fraction.
fn groups_are_well_placed(text: &str, decimal_mark: char, group_marks: &[char]) -> bool {
    let unsigned = text.trim_start_matches(['-', '+']);
    let (integer, fraction) = match unsigned.split_once(decimal_mark) {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    if fraction.is_some_and(|f| f.contains(group_marks)) {
        return false;
    }
    if !integer.contains(group_marks) {
        return true;
    }
    let groups: Vec<&str> = integer.split(group_marks).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    first_ok && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_amount_rejects_misplaced_group_separators() {
        for bad in ["12,34", "1,5", "1,2,3", "1.234,56", ",5", "1,234.5,6", "1234,567.00"] {
            assert!(
                parse_amount(bad, usd(), DecimalSeparator::Point, Rounding::HalfEven).is_err(),
                "{bad} must be rejected with a point separator"
            );
        }
        for bad in ["1.23", "12.345.6", "1.234.56,7"] {
            assert!(
                parse_amount(bad, usd(), DecimalSeparator::Comma, Rounding::HalfEven).is_err(),
                "{bad} must be rejected with a comma separator"
            );
        }
        let grouped = parse_amount("1 234 567,89", usd(), DecimalSeparator::Comma, Rounding::HalfEven).unwrap();
        assert_eq!(grouped.minor_units, 123456789);
    }

    fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    #[test]
    fn currency_minor_units_follow_iso_4217() {
        assert_eq!(usd().minor_unit_digits(), 2);
        assert_eq!("JPY".parse::<Currency>().unwrap().minor_unit_digits(), 0);
        assert_eq!("KWD".parse::<Currency>().unwrap().minor_unit_digits(), 3);
    }

    #[test]
    fn currency_rejects_unknown_code() {
        assert!("XYZ".parse::<Currency>().is_err());
        assert!("US".parse::<Currency>().is_err());
        assert_eq!("usd".parse::<Currency>().unwrap(), usd());
    }

    #[test]
    fn parse_amount_exact_values() {
        let p = |t| parse_amount(t, usd(), DecimalSeparator::Point, Rounding::HalfEven).unwrap();
        assert_eq!(p("1234.56").minor_units, 123456);
        assert_eq!(p("1,234.5").minor_units, 123450);
        assert_eq!(p("-0.01").minor_units, -1);
        assert_eq!(p("6050.0").minor_units, 605000);
        assert_eq!(p("7").minor_units, 700);
        assert!(!p("7").rounded);
    }

    #[test]
    fn parse_amount_rounds_half_even() {
        let p = |t| parse_amount(t, usd(), DecimalSeparator::Point, Rounding::HalfEven).unwrap();
        assert_eq!(p("111.03000054719999"), ParsedAmount { minor_units: 11103, rounded: true });
        assert_eq!(p("0.125").minor_units, 12);
        assert_eq!(p("0.135").minor_units, 14);
        assert_eq!(p("-0.125").minor_units, -12);
    }

    #[test]
    fn parse_amount_rounds_half_up_when_asked() {
        let p = |t| parse_amount(t, usd(), DecimalSeparator::Point, Rounding::HalfUp).unwrap();
        assert_eq!(p("0.125").minor_units, 13);
        assert_eq!(p("-0.125").minor_units, -13);
    }

    #[test]
    fn parse_amount_reject_rule_refuses_extra_places() {
        let r = parse_amount("1.005", usd(), DecimalSeparator::Point, Rounding::Reject);
        assert!(matches!(r, Err(MoneyError::TooManyDecimals { .. })));
        let ok = parse_amount("1.500", usd(), DecimalSeparator::Point, Rounding::Reject).unwrap();
        assert_eq!(ok.minor_units, 150);
    }

    #[test]
    fn parse_amount_decimal_comma() {
        let p = |t| parse_amount(t, usd(), DecimalSeparator::Comma, Rounding::HalfEven).unwrap();
        assert_eq!(p("1.234,56").minor_units, 123456);
        assert_eq!(p("12,5").minor_units, 1250);
    }

    #[test]
    fn parse_amount_zero_decimal_currency() {
        let jpy: Currency = "JPY".parse().unwrap();
        let parsed = parse_amount("1500.4", jpy, DecimalSeparator::Point, Rounding::HalfEven).unwrap();
        assert_eq!(parsed, ParsedAmount { minor_units: 1500, rounded: true });
    }

    #[test]
    fn parse_amount_rejects_text() {
        for bad in ["", "abc", "1.2.3", "12a", "-", "1e5"] {
            assert!(
                parse_amount(bad, usd(), DecimalSeparator::Point, Rounding::HalfEven).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn format_groups_thousands() {
        assert_eq!(Money::new(123456789, usd()).display(), "USD 1,234,567.89");
        assert_eq!(Money::new(-5, usd()).display(), "USD -0.05");
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(Money::new(1500, jpy).display(), "JPY 1,500");
    }
}
