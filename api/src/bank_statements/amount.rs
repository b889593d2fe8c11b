//! Decimal amount text to integer minor units, without floating point.

use std::fmt;

/// Active ISO 4217 codes whose minor unit is not 2 decimals. Every other code,
/// including historic ones such as DEM, is treated as having 2 decimals.
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const FOUR_DECIMALS: &[&str] = &["CLF", "UYW"];

/// Returns the number of decimals of the minor unit of a currency code.
pub fn currency_decimals(code: &str) -> u32 {
    if ZERO_DECIMALS.contains(&code) {
        0
    } else if THREE_DECIMALS.contains(&code) {
        3
    } else if FOUR_DECIMALS.contains(&code) {
        4
    } else {
        2
    }
}

/// Returns whether `code` has the form of an ISO 4217 code: three ASCII
/// uppercase letters. The code is not looked up in a list.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// Reason an amount text could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    /// A character other than a digit or the one decimal separator.
    InvalidCharacter(char),
    /// No digit before the decimal separator, which MT940 requires.
    MissingIntegerDigit,
    /// No decimal comma, which MT940 requires even for whole amounts ("500,").
    MissingDecimalComma,
    /// The amount has non-zero digits beyond the currency's minor unit.
    TooManyDecimals {
        allowed: u32,
        found: usize,
    },
    /// The amount does not fit in an i64 of minor units.
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(formatter, "the amount is empty"),
            AmountError::InvalidCharacter(character) => write!(
                formatter,
                "{character:?} is not allowed; expected digits with at most one decimal separator"
            ),
            AmountError::MissingIntegerDigit => write!(
                formatter,
                "expected at least one digit before the decimal separator"
            ),
            AmountError::MissingDecimalComma => write!(
                formatter,
                "the decimal comma is missing; SWIFT amounts always have one, such as \"500,\""
            ),
            AmountError::TooManyDecimals { allowed, found } => write!(
                formatter,
                "the currency has {allowed} decimals but the amount has {found} with a non-zero \
                 digit beyond them; rounding would change the amount, so it is rejected"
            ),
            AmountError::TooLarge => write!(formatter, "the amount is too large"),
        }
    }
}

/// Decimal separator and integer-part rule of a format.
#[derive(Debug, Clone, Copy)]
pub enum Notation {
    /// SWIFT MT: a comma separator is required, with at least one integer
    /// digit ("0,5", "12,").
    Swift,
    /// XML Schema decimal without sign: point separator, either side may be
    /// empty but not both (".5", "12.", "12").
    XmlDecimal,
}

/// Converts an unsigned decimal amount to minor units of `currency`.
///
/// Digits beyond the currency's minor unit are accepted only when they are
/// all zeros ("18.150" EUR is 1815), because dropping a non-zero digit would
/// change the amount.
pub fn parse_minor_units(
    text: &str,
    notation: Notation,
    currency: &str,
) -> Result<i64, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }

    let separator = match notation {
        Notation::Swift => ',',
        Notation::XmlDecimal => '.',
    };
    let (integer_part, fraction_part) = match (text.split_once(separator), notation) {
        (Some((integer_part, fraction_part)), _) => (integer_part, fraction_part),
        (None, Notation::XmlDecimal) => (text, ""),
        (None, Notation::Swift) => {
            if let Some(character) = text.chars().find(|character| !character.is_ascii_digit()) {
                return Err(AmountError::InvalidCharacter(character));
            }
            return Err(AmountError::MissingDecimalComma);
        }
    };

    for character in integer_part.chars().chain(fraction_part.chars()) {
        if !character.is_ascii_digit() {
            return Err(AmountError::InvalidCharacter(character));
        }
    }
    match notation {
        Notation::Swift if integer_part.is_empty() => return Err(AmountError::MissingIntegerDigit),
        Notation::XmlDecimal if integer_part.is_empty() && fraction_part.is_empty() => {
            return Err(AmountError::Empty)
        }
        _ => {}
    }

    let decimals = currency_decimals(currency);
    let allowed = decimals as usize;
    if fraction_part.len() > allowed && fraction_part.bytes().skip(allowed).any(|byte| byte != b'0')
    {
        return Err(AmountError::TooManyDecimals {
            allowed: decimals,
            found: fraction_part.len(),
        });
    }

    // The integer part, then exactly `decimals` fraction digits, padded with
    // zeros when the text has fewer.
    let fraction_digits = fraction_part.bytes().take(allowed);
    let padding = std::iter::repeat_n(b'0', allowed.saturating_sub(fraction_part.len()));
    let mut minor_units: i64 = 0;
    for digit in integer_part.bytes().chain(fraction_digits).chain(padding) {
        minor_units = minor_units
            .checked_mul(10)
            .and_then(|value| value.checked_add(i64::from(digit - b'0')))
            .ok_or(AmountError::TooLarge)?;
    }
    Ok(minor_units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_iso_4217() {
        assert_eq!(currency_decimals("EUR"), 2);
        assert_eq!(currency_decimals("JPY"), 0);
        assert_eq!(currency_decimals("KWD"), 3);
        assert_eq!(currency_decimals("CLF"), 4);
        assert_eq!(currency_decimals("DEM"), 2);
    }

    #[test]
    fn swift_amounts_convert() {
        assert_eq!(
            parse_minor_units("3236,28", Notation::Swift, "EUR"),
            Ok(323628)
        );
        assert_eq!(parse_minor_units("9,", Notation::Swift, "EUR"), Ok(900));
        assert_eq!(parse_minor_units("0,5", Notation::Swift, "EUR"), Ok(50));
        assert_eq!(
            parse_minor_units("000000001000,00", Notation::Swift, "EUR"),
            Ok(100000)
        );
        assert_eq!(parse_minor_units("1,234", Notation::Swift, "KWD"), Ok(1234));
        assert_eq!(parse_minor_units("1500,", Notation::Swift, "JPY"), Ok(1500));
    }

    #[test]
    fn swift_amount_needs_decimal_comma() {
        assert_eq!(
            parse_minor_units("500", Notation::Swift, "EUR"),
            Err(AmountError::MissingDecimalComma)
        );
        assert_eq!(
            parse_minor_units("5.00", Notation::Swift, "EUR"),
            Err(AmountError::InvalidCharacter('.'))
        );
    }

    #[test]
    fn swift_amount_needs_integer_digit() {
        assert_eq!(
            parse_minor_units(",5", Notation::Swift, "EUR"),
            Err(AmountError::MissingIntegerDigit)
        );
    }

    #[test]
    fn xml_amounts_convert() {
        assert_eq!(
            parse_minor_units("8.85", Notation::XmlDecimal, "EUR"),
            Ok(885)
        );
        assert_eq!(
            parse_minor_units("200000", Notation::XmlDecimal, "SEK"),
            Ok(20000000)
        );
        assert_eq!(parse_minor_units(".5", Notation::XmlDecimal, "EUR"), Ok(50));
        assert_eq!(
            parse_minor_units("2700", Notation::XmlDecimal, "JPY"),
            Ok(2700)
        );
    }

    #[test]
    fn extra_zero_decimals_are_accepted() {
        assert_eq!(
            parse_minor_units("18.150", Notation::XmlDecimal, "EUR"),
            Ok(1815)
        );
        assert_eq!(
            parse_minor_units("5442.09000", Notation::XmlDecimal, "RON"),
            Ok(544209)
        );
        assert_eq!(
            parse_minor_units("2700.00", Notation::XmlDecimal, "JPY"),
            Ok(2700)
        );
    }

    #[test]
    fn extra_nonzero_decimals_are_rejected() {
        assert_eq!(
            parse_minor_units("18.151", Notation::XmlDecimal, "EUR"),
            Err(AmountError::TooManyDecimals {
                allowed: 2,
                found: 3
            })
        );
        assert_eq!(
            parse_minor_units("1,5", Notation::Swift, "JPY"),
            Err(AmountError::TooManyDecimals {
                allowed: 0,
                found: 1
            })
        );
    }

    #[test]
    fn malformed_amounts_are_rejected() {
        assert_eq!(
            parse_minor_units("", Notation::Swift, "EUR"),
            Err(AmountError::Empty)
        );
        assert_eq!(
            parse_minor_units(".", Notation::XmlDecimal, "EUR"),
            Err(AmountError::Empty)
        );
        assert_eq!(
            parse_minor_units("-1.00", Notation::XmlDecimal, "EUR"),
            Err(AmountError::InvalidCharacter('-'))
        );
        assert_eq!(
            parse_minor_units("1,2,3", Notation::Swift, "EUR"),
            Err(AmountError::InvalidCharacter(','))
        );
        assert_eq!(
            parse_minor_units("1e5", Notation::XmlDecimal, "EUR"),
            Err(AmountError::InvalidCharacter('e'))
        );
    }

    #[test]
    fn overflow_is_rejected() {
        assert_eq!(
            parse_minor_units("92233720368547758,08", Notation::Swift, "EUR"),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_minor_units("92233720368547758,07", Notation::Swift, "EUR"),
            Ok(i64::MAX)
        );
    }
}
