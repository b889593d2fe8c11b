//! English amounts in words, in the style used on cheques.

use super::amount::split_amount;

const SMALL_NUMBERS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Short-scale names of each group of three digits. `u64::MAX` has seven
/// groups, so quintillion is the largest name needed.
const SCALES: [&str; 7] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
];

/// English names of ISO 4217 currencies: code, singular and plural.
/// Codes missing here are written as the code itself.
const CURRENCY_NAMES: &[(&str, &str, &str)] = &[
    ("AED", "UAE dirham", "UAE dirhams"),
    ("AUD", "Australian dollar", "Australian dollars"),
    ("BHD", "Bahraini dinar", "Bahraini dinars"),
    ("BRL", "Brazilian real", "Brazilian reais"),
    ("CAD", "Canadian dollar", "Canadian dollars"),
    ("CHF", "Swiss franc", "Swiss francs"),
    ("CNY", "Chinese yuan", "Chinese yuan"),
    ("DKK", "Danish krone", "Danish kroner"),
    ("EUR", "euro", "euros"),
    ("GBP", "pound sterling", "pounds sterling"),
    ("HKD", "Hong Kong dollar", "Hong Kong dollars"),
    ("ILS", "Israeli new shekel", "Israeli new shekels"),
    ("INR", "Indian rupee", "Indian rupees"),
    ("IQD", "Iraqi dinar", "Iraqi dinars"),
    ("JOD", "Jordanian dinar", "Jordanian dinars"),
    ("JPY", "Japanese yen", "Japanese yen"),
    ("KRW", "South Korean won", "South Korean won"),
    ("KWD", "Kuwaiti dinar", "Kuwaiti dinars"),
    ("LYD", "Libyan dinar", "Libyan dinars"),
    ("MXN", "Mexican peso", "Mexican pesos"),
    ("NOK", "Norwegian krone", "Norwegian kroner"),
    ("NZD", "New Zealand dollar", "New Zealand dollars"),
    ("OMR", "Omani rial", "Omani rials"),
    ("PHP", "Philippine peso", "Philippine pesos"),
    ("PLN", "Polish zloty", "Polish zlotys"),
    ("SAR", "Saudi riyal", "Saudi riyals"),
    ("SEK", "Swedish krona", "Swedish kronor"),
    ("SGD", "Singapore dollar", "Singapore dollars"),
    ("TND", "Tunisian dinar", "Tunisian dinars"),
    ("USD", "US dollar", "US dollars"),
    ("ZAR", "South African rand", "South African rand"),
];

/// Writes an amount in English words, in cheque style.
///
/// The whole units are written out as a US-style cardinal number with no
/// "and" inside it. Then comes the currency name, singular for exactly one
/// unit. The minor units follow as a fraction of the major unit, with the
/// numerator zero-padded to `minor_digits` places, even when it is zero:
///
/// - 123456 USD, 2 digits: "One thousand two hundred thirty-four US dollars and 56/100"
/// - 100 USD, 2 digits: "One US dollar and 00/100"
/// - 1234 JPY, 0 digits: "One thousand two hundred thirty-four Japanese yen"
/// - 1234500 KWD, 3 digits: "One thousand two hundred thirty-four Kuwaiti dinars and 500/1000"
/// - 1000 XYZ, 2 digits: "Ten XYZ and 00/100"
///
/// Currencies without an English name in this module are written as their
/// code, in upper case. The fraction form avoids needing a name for every
/// minor unit (cents, pence, fils). Negative amounts start with "Minus".
///
/// # Panics
///
/// Panics if `minor_digits` is greater than
/// [`MAX_MINOR_DIGITS`](super::MAX_MINOR_DIGITS) (18).
pub fn amount_in_words(amount_minor: i64, minor_digits: u32, currency: &str) -> String {
    let parts = split_amount(amount_minor, minor_digits);
    let mut words = String::new();

    if parts.negative {
        words.push_str("minus ");
    }
    words.push_str(&cardinal_words(parts.major));
    words.push(' ');
    words.push_str(&currency_name(currency, parts.major == 1));

    if minor_digits > 0 {
        words.push_str(" and ");
        words.push_str(&parts.minor);
        words.push_str("/1");
        for _ in 0..minor_digits {
            words.push('0');
        }
    }

    capitalize_first(&words)
}

/// Writes `number` as a lower-case US English cardinal number, such as
/// "one thousand two hundred thirty-four".
pub(super) fn cardinal_words(number: u64) -> String {
    if number == 0 {
        return SMALL_NUMBERS[0].to_string();
    }

    let mut groups = Vec::new();
    let mut rest = number;
    while rest > 0 {
        groups.push((rest % 1000) as usize);
        rest /= 1000;
    }

    let mut parts: Vec<String> = Vec::new();
    for (scale, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        let mut part = words_below_thousand(group);
        if scale > 0 {
            part.push(' ');
            part.push_str(SCALES[scale]);
        }
        parts.push(part);
    }

    parts.join(" ")
}

/// Writes 1 to 999 in words, such as "two hundred thirty-four".
fn words_below_thousand(number: usize) -> String {
    debug_assert!((1..1000).contains(&number));

    let hundreds = number / 100;
    let rest = number % 100;
    let mut words = String::new();

    if hundreds > 0 {
        words.push_str(SMALL_NUMBERS[hundreds]);
        words.push_str(" hundred");
        if rest > 0 {
            words.push(' ');
        }
    }

    if rest >= 20 {
        words.push_str(TENS[rest / 10]);
        let ones = rest % 10;
        if ones > 0 {
            words.push('-');
            words.push_str(SMALL_NUMBERS[ones]);
        }
    } else if rest > 0 {
        words.push_str(SMALL_NUMBERS[rest]);
    }

    words
}

/// Returns the English name of `currency`, or the upper-case code when the
/// name is unknown.
fn currency_name(currency: &str, singular: bool) -> String {
    let code = currency.trim().to_ascii_uppercase();
    let entry = CURRENCY_NAMES.iter().find(|(known, _, _)| *known == code);

    match entry {
        Some((_, one, _)) if singular => one.to_string(),
        Some((_, _, many)) => many.to_string(),
        None => code,
    }
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinal_small_numbers() {
        let cases: &[(u64, &str)] = &[
            (0, "zero"),
            (1, "one"),
            (9, "nine"),
            (10, "ten"),
            (11, "eleven"),
            (13, "thirteen"),
            (19, "nineteen"),
            (20, "twenty"),
            (21, "twenty-one"),
            (40, "forty"),
            (45, "forty-five"),
            (99, "ninety-nine"),
            (100, "one hundred"),
            (101, "one hundred one"),
            (110, "one hundred ten"),
            (115, "one hundred fifteen"),
            (120, "one hundred twenty"),
            (999, "nine hundred ninety-nine"),
        ];

        for &(number, expected) in cases {
            assert_eq!(cardinal_words(number), expected, "{number}");
        }
    }

    #[test]
    fn cardinal_scale_words() {
        let cases: &[(u64, &str)] = &[
            (1_000, "one thousand"),
            (1_001, "one thousand one"),
            (1_010, "one thousand ten"),
            (1_100, "one thousand one hundred"),
            (1_234, "one thousand two hundred thirty-four"),
            (10_000, "ten thousand"),
            (100_000, "one hundred thousand"),
            (
                999_999,
                "nine hundred ninety-nine thousand nine hundred ninety-nine",
            ),
            (1_000_000, "one million"),
            (1_000_001, "one million one"),
            (2_000_300, "two million three hundred"),
            (1_000_000_000, "one billion"),
            (1_000_000_000_000, "one trillion"),
            (1_000_000_000_000_000, "one quadrillion"),
            (1_000_000_000_000_000_000, "one quintillion"),
            (5_000_000_000_000_000_042, "five quintillion forty-two"),
        ];

        for &(number, expected) in cases {
            assert_eq!(cardinal_words(number), expected, "{number}");
        }
    }

    #[test]
    fn cardinal_u64_max() {
        assert_eq!(
            cardinal_words(u64::MAX),
            "eighteen quintillion four hundred forty-six quadrillion seven hundred forty-four \
             trillion seventy-three billion seven hundred nine million five hundred fifty-one \
             thousand six hundred fifteen"
        );
    }

    #[test]
    fn words_usd_cheque_style() {
        assert_eq!(
            amount_in_words(123456, 2, "USD"),
            "One thousand two hundred thirty-four US dollars and 56/100"
        );
        assert_eq!(amount_in_words(100, 2, "USD"), "One US dollar and 00/100");
        assert_eq!(amount_in_words(101, 2, "USD"), "One US dollar and 01/100");
        assert_eq!(amount_in_words(5, 2, "USD"), "Zero US dollars and 05/100");
        assert_eq!(amount_in_words(0, 2, "USD"), "Zero US dollars and 00/100");
        assert_eq!(
            amount_in_words(10000, 2, "USD"),
            "One hundred US dollars and 00/100"
        );
    }

    #[test]
    fn words_currency_without_minor_unit() {
        assert_eq!(
            amount_in_words(1234, 0, "JPY"),
            "One thousand two hundred thirty-four Japanese yen"
        );
        assert_eq!(amount_in_words(1, 0, "JPY"), "One Japanese yen");
        assert_eq!(amount_in_words(0, 0, "JPY"), "Zero Japanese yen");
    }

    #[test]
    fn words_three_decimal_currency() {
        assert_eq!(
            amount_in_words(1234500, 3, "KWD"),
            "One thousand two hundred thirty-four Kuwaiti dinars and 500/1000"
        );
        assert_eq!(
            amount_in_words(1005, 3, "KWD"),
            "One Kuwaiti dinar and 005/1000"
        );
        assert_eq!(
            amount_in_words(7, 3, "BHD"),
            "Zero Bahraini dinars and 007/1000"
        );
    }

    #[test]
    fn words_unknown_currency_uses_code() {
        assert_eq!(amount_in_words(1000, 2, "XYZ"), "Ten XYZ and 00/100");
        assert_eq!(amount_in_words(100, 2, "xyz"), "One XYZ and 00/100");
    }

    #[test]
    fn words_currency_code_case_insensitive() {
        assert_eq!(amount_in_words(250, 2, "eur"), "Two euros and 50/100");
        assert_eq!(
            amount_in_words(100, 2, " gbp "),
            "One pound sterling and 00/100"
        );
    }

    #[test]
    fn words_four_decimal_currency() {
        assert_eq!(
            amount_in_words(12345678, 4, "CLF"),
            "One thousand two hundred thirty-four CLF and 5678/10000"
        );
    }

    #[test]
    fn words_i64_limits() {
        assert_eq!(
            amount_in_words(i64::MAX, 0, "JPY"),
            "Nine quintillion two hundred twenty-three quadrillion three hundred seventy-two \
             trillion thirty-six billion eight hundred fifty-four million seven hundred \
             seventy-five thousand eight hundred seven Japanese yen"
        );
        assert_eq!(
            amount_in_words(i64::MAX, 2, "USD"),
            "Ninety-two quadrillion two hundred thirty-three trillion seven hundred twenty \
             billion three hundred sixty-eight million five hundred forty-seven thousand seven \
             hundred fifty-eight US dollars and 07/100"
        );
        assert_eq!(
            amount_in_words(i64::MIN, 2, "USD"),
            "Minus ninety-two quadrillion two hundred thirty-three trillion seven hundred twenty \
             billion three hundred sixty-eight million five hundred forty-seven thousand seven \
             hundred fifty-eight US dollars and 08/100"
        );
    }

    #[test]
    fn words_negative_amount() {
        assert_eq!(
            amount_in_words(-150, 2, "USD"),
            "Minus one US dollar and 50/100"
        );
    }

    #[test]
    fn words_eighteen_minor_digits() {
        assert_eq!(
            amount_in_words(1, 18, "XYZ"),
            "Zero XYZ and 000000000000000001/1000000000000000000"
        );
    }
}
