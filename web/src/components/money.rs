//! Amounts in minor units: display, and exact conversion from form input.

use leptos::prelude::*;
use shared::money::{format_minor_units, parse_amount, DecimalSeparator, MoneyError, Rounding};
use shared::Currency;

/// Renders an amount with its currency code and thousands separators, such as `USD 1,234.56`.
#[component]
pub fn MoneyAmount(amount: i64, currency: Currency) -> impl IntoView {
    let class = if amount < 0 { "money negative" } else { "money" };
    view! { <span class=class>{format_minor_units(amount, currency, '.', ',')}</span> }
}

/// Parses decimal text in the currency's major unit (`1,234.50` dollars) into
/// minor units (`123450` cents) without floating point. More decimal places
/// than the currency has are rejected, not rounded.
pub fn parse_major_units(text: &str, currency: Currency) -> Result<i64, MoneyError> {
    parse_amount(text, currency, DecimalSeparator::Point, Rounding::Reject).map(|parsed| parsed.minor_units)
}

/// Describes why amount text in a form was rejected. The text of
/// `MoneyError::TooManyDecimals` talks about imports, so forms get their own.
pub fn describe_amount_error(error: &MoneyError, currency: Currency) -> String {
    match error {
        MoneyError::TooManyDecimals { value, digits } => format!(
            "'{value}' has too many decimal places; {} amounts have at most {digits}.",
            currency.code()
        ),
        other => other.to_string(),
    }
}

/// Formats minor units as plain decimal text for an input field, such as
/// `1234.50`, which `parse_major_units` reads back to the same value.
pub fn minor_units_to_input(amount: i64, currency: Currency) -> String {
    let digits = currency.minor_unit_digits();
    let scale = 10u64.pow(digits);
    let magnitude = amount.unsigned_abs();
    let sign = if amount < 0 { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{magnitude}")
    } else {
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_round_trips() {
        let usd = Currency::usd();
        for amount in [0, 1, 99, 100, 123450, -5, 100_000_000_00] {
            let text = minor_units_to_input(amount, usd);
            assert_eq!(parse_major_units(&text, usd), Ok(amount), "{text}");
        }
    }

    #[test]
    fn extra_decimals_are_rejected() {
        assert!(parse_major_units("10.005", Currency::usd()).is_err());
    }

    #[test]
    fn too_many_decimals_message_names_currency() {
        let error = parse_major_units("10.005", Currency::usd()).unwrap_err();
        assert_eq!(
            describe_amount_error(&error, Currency::usd()),
            "'10.005' has too many decimal places; USD amounts have at most 2."
        );
    }

    #[test]
    fn zero_decimal_currency() {
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(minor_units_to_input(1500, jpy), "1500");
        assert_eq!(parse_major_units("1,500", jpy), Ok(1500));
    }
}
