//! Decimal figures built from integer minor units, without floating point.

/// Largest `minor_digits` that the figure and word formatters accept.
///
/// ISO 4217 currencies use 0 to 4 minor digits. 18 is the largest power of
/// ten that fits in a `u64`, so every `i64` amount still splits exactly.
pub const MAX_MINOR_DIGITS: u32 = 18;

/// An amount split at the currency's decimal point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitAmount {
    pub negative: bool,
    /// Whole major units, for example dollars.
    pub major: u64,
    /// Minor units, zero-padded to `minor_digits` characters. Empty when
    /// the currency has no minor unit.
    pub minor: String,
}

/// Splits `amount_minor` into major units and zero-padded minor digits.
///
/// # Panics
///
/// Panics if `minor_digits` is greater than [`MAX_MINOR_DIGITS`].
pub(super) fn split_amount(amount_minor: i64, minor_digits: u32) -> SplitAmount {
    assert!(
        minor_digits <= MAX_MINOR_DIGITS,
        "minor_digits {minor_digits} is greater than the supported maximum {MAX_MINOR_DIGITS}"
    );

    let magnitude = amount_minor.unsigned_abs();
    let scale = 10u64.pow(minor_digits);
    let minor = if minor_digits == 0 {
        String::new()
    } else {
        format!(
            "{:0width$}",
            magnitude % scale,
            width = minor_digits as usize
        )
    };

    SplitAmount {
        negative: amount_minor < 0,
        major: magnitude / scale,
        minor,
    }
}

/// Formats an amount as figures with thousands separators, such as
/// `1,234.56`, `-0.05` or `1,234` (no minor unit).
///
/// # Panics
///
/// Panics if `minor_digits` is greater than [`MAX_MINOR_DIGITS`].
pub fn format_figures(amount_minor: i64, minor_digits: u32) -> String {
    let parts = split_amount(amount_minor, minor_digits);
    let mut figures = String::new();

    if parts.negative {
        figures.push('-');
    }
    figures.push_str(&group_thousands(parts.major));
    if !parts.minor.is_empty() {
        figures.push('.');
        figures.push_str(&parts.minor);
    }

    figures
}

/// Formats an amount with its currency code, such as `USD 1,234.56`.
///
/// The code is printed as given. The figures come from
/// [`format_figures`].
///
/// # Panics
///
/// Panics if `minor_digits` is greater than [`MAX_MINOR_DIGITS`].
pub fn format_amount(amount_minor: i64, minor_digits: u32, currency: &str) -> String {
    format!("{currency} {}", format_figures(amount_minor, minor_digits))
}

/// Writes `value` in decimal with a comma between each group of three digits.
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);

    for (index, digit) in digits.chars().enumerate() {
        let digits_left = digits.len() - index;
        if index > 0 && digits_left.is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }

    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_use_currency_decimals() {
        let cases: &[(i64, u32, &str)] = &[
            (123456, 2, "1,234.56"),
            (5, 2, "0.05"),
            (0, 2, "0.00"),
            (100, 2, "1.00"),
            (1234, 0, "1,234"),
            (0, 0, "0"),
            (1234500, 3, "1,234.500"),
            (7, 3, "0.007"),
            (12345678, 4, "1,234.5678"),
            (999, 0, "999"),
            (1000, 0, "1,000"),
            (100000000, 2, "1,000,000.00"),
        ];

        for &(amount, digits, expected) in cases {
            assert_eq!(
                format_figures(amount, digits),
                expected,
                "{amount} with {digits} digits"
            );
        }
    }

    #[test]
    fn figures_negative_amounts() {
        assert_eq!(format_figures(-123456, 2), "-1,234.56");
        assert_eq!(format_figures(-5, 2), "-0.05");
        assert_eq!(format_figures(-1000, 0), "-1,000");
    }

    #[test]
    fn figures_at_i64_limits() {
        assert_eq!(format_figures(i64::MAX, 2), "92,233,720,368,547,758.07");
        assert_eq!(format_figures(i64::MIN, 2), "-92,233,720,368,547,758.08");
        assert_eq!(format_figures(i64::MAX, 0), "9,223,372,036,854,775,807");
        assert_eq!(format_figures(i64::MAX, 18), "9.223372036854775807");
    }

    #[test]
    fn amount_has_code_prefix() {
        assert_eq!(format_amount(123456, 2, "USD"), "USD 1,234.56");
        assert_eq!(format_amount(1234, 0, "JPY"), "JPY 1,234");
        assert_eq!(format_amount(1234500, 3, "KWD"), "KWD 1,234.500");
    }

    #[test]
    fn split_pads_minor_digits() {
        let parts = split_amount(1205, 3);
        assert_eq!(parts.major, 1);
        assert_eq!(parts.minor, "205");

        let parts = split_amount(-5, 2);
        assert!(parts.negative);
        assert_eq!(parts.major, 0);
        assert_eq!(parts.minor, "05");
    }

    #[test]
    #[should_panic(expected = "minor_digits 19")]
    fn split_rejects_too_many_digits() {
        split_amount(1, 19);
    }
}
