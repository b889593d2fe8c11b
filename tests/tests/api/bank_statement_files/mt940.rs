//! MT940/MT942 fixtures from the mt940-rs Rust library, compared with the
//! expected parse that the library wrote beside 20 of them as JSON.
//!
//! Before that library parsed these files, it transliterated text to the SWIFT
//! character set ("Ü" to "U", "ß" to "ss") and replaced the remaining other
//! characters with '.'. `to_swift_charset` repeats that on our text, which is
//! kept as the bank wrote it, before text fields are compared. The library
//! names the mark RC (reversal of a credit, booked as a debit) "ReverseDebit"
//! and RD "ReverseCredit". It does not keep the first letter of the
//! transaction type ("N" of "NTRF"), nor `:86:` text outside entries.

use serde_json::Value;
use api::bank_statements::{
    currency_decimals, parse, parse_mt940, parse_mt942, parse_mt9xx, Balance, BalanceKind, Entry,
    EntryTotal, Format, SourceEncoding, Statement, StatementError, StatementFile, UnknownField,
};

use super::common::{fixture_files, read_fixture, relative_name, Comparison};

const MT_FOLDER: &str = "mt940-rs/tests/data";

fn parse_fixture(name: &str) -> StatementFile {
    let bytes = read_fixture(&format!("{MT_FOLDER}/{name}"));
    parse(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn is_swift_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || "/-?:().,\u{2018}+{} \n\r".contains(character)
}

/// Transliterates text the way mt940-rs did before it wrote the JSON files.
fn to_swift_charset(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.chars() {
        if is_swift_character(character) {
            folded.push(character);
            continue;
        }
        let ascii = if character == 'ä' {
            "a"
        } else {
            deunicode::deunicode_char(character).unwrap_or(".")
        };
        if !ascii.is_empty() && ascii.chars().all(is_swift_character) {
            folded.push_str(ascii);
        } else {
            folded.push('.');
        }
    }
    folded
}

fn folded(text: &Option<String>) -> Option<String> {
    text.as_deref().map(to_swift_charset)
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Converts the JSON decimal text, such as "3236.28" or "9", to minor units.
fn decimal_to_minor(text: &str, currency: &str) -> i64 {
    let decimals = currency_decimals(currency) as usize;
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert!(
        fraction.len() <= decimals,
        "{text} has more decimals than {currency}"
    );
    let digits = format!("{integer}{fraction:0<decimals$}");
    digits
        .parse()
        .unwrap_or_else(|_| panic!("invalid decimal {text}"))
}

/// Returns (kind, signed minor units, currency, date) of a JSON balance.
fn expected_balance(
    value: &Value,
    intermediate_kind: BalanceKind,
    final_kind: BalanceKind,
) -> Option<(BalanceKind, i64, String, String)> {
    if value.is_null() {
        return None;
    }
    let currency = string_at(value, "iso_currency_code").unwrap_or_default();
    let magnitude = decimal_to_minor(value["amount"].as_str().unwrap_or(""), &currency);
    let sign = if value["debit_credit_indicator"] == "Debit" {
        -1
    } else {
        1
    };
    let kind = if value["is_intermediate"] == true {
        intermediate_kind
    } else {
        final_kind
    };
    Some((
        kind,
        sign * magnitude,
        currency,
        string_at(value, "date").unwrap_or_default(),
    ))
}

fn balance_tuple(balance: Option<&Balance>) -> Option<(BalanceKind, i64, String, String)> {
    balance.map(|balance| {
        (
            balance.kind.clone(),
            balance.amount_minor,
            balance.currency.clone(),
            balance.date.to_string(),
        )
    })
}

fn other_balance(statement: &Statement, kind: BalanceKind) -> Option<&Balance> {
    statement
        .other_balances
        .iter()
        .find(|balance| balance.kind == kind)
}

fn compare_statement(
    comparison: &mut Comparison,
    context: &str,
    source: &str,
    statement: &Statement,
    expected: &Value,
) {
    comparison.check(
        context,
        "transaction reference",
        Some(to_swift_charset(&statement.id)),
        string_at(expected, "transaction_ref_no"),
    );
    comparison.check(
        context,
        "account",
        Some(to_swift_charset(&statement.account)),
        string_at(expected, "account_id"),
    );

    let sequence = statement.sequence_number.clone().unwrap_or_default();
    let (number, sequence_number) = match sequence.split_once('/') {
        Some((number, sequence_number)) => (number.to_string(), Some(sequence_number.to_string())),
        None => (sequence, None),
    };
    comparison.check(
        context,
        "statement number",
        Some(number),
        string_at(expected, "statement_no"),
    );
    comparison.check(
        context,
        "sequence number",
        sequence_number,
        string_at(expected, "sequence_no"),
    );

    comparison.check(
        context,
        "opening balance",
        balance_tuple(statement.opening_balance.as_ref()),
        expected_balance(
            &expected["opening_balance"],
            BalanceKind::IntermediateOpening,
            BalanceKind::OpeningBooked,
        ),
    );
    comparison.check(
        context,
        "closing balance",
        balance_tuple(statement.closing_balance.as_ref()),
        expected_balance(
            &expected["closing_balance"],
            BalanceKind::IntermediateClosing,
            BalanceKind::ClosingBooked,
        ),
    );
    comparison.check(
        context,
        "closing available balance",
        balance_tuple(other_balance(statement, BalanceKind::ClosingAvailable)),
        expected_balance(
            &expected["closing_available_balance"],
            BalanceKind::ClosingAvailable,
            BalanceKind::ClosingAvailable,
        ),
    );
    comparison.check(
        context,
        "forward available balance",
        balance_tuple(other_balance(statement, BalanceKind::ForwardAvailable)),
        expected_balance(
            &expected["forward_available_balance"],
            BalanceKind::ForwardAvailable,
            BalanceKind::ForwardAvailable,
        ),
    );
    // mt940-rs drops statement-level :86: text before the first entry, so
    // it is compared only when the JSON has some. That library also keeps
    // ING's end-of-message line "-XXX" as text, where this parser ends the
    // message.
    if let Some(information) = string_at(expected, "information_to_account_owner") {
        let information = information
            .strip_suffix("\n-XXX")
            .unwrap_or(&information)
            .to_string();
        comparison.check(
            context,
            "statement information",
            folded(&statement.information),
            Some(information),
        );
    }

    let lines = expected["statement_lines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    comparison.check(context, "entry count", statement.entries.len(), lines.len());
    for (index, (entry, line)) in statement.entries.iter().zip(&lines).enumerate() {
        let entry_context = format!("{context} entry {index} (line {})", entry.line);
        compare_entry(comparison, &entry_context, source, entry, line);
    }
}

/// Counts the :86: fields that follow the :61: field on `entry_line`.
fn information_field_count(source: &str, entry_line: u32) -> usize {
    source
        .lines()
        .skip(entry_line as usize)
        .take_while(|line| !line.starts_with(":61:") && !line.starts_with(":62"))
        .filter(|line| line.starts_with(":86:"))
        .count()
}

fn compare_entry(
    comparison: &mut Comparison,
    context: &str,
    source: &str,
    entry: &Entry,
    expected: &Value,
) {
    comparison.check(
        context,
        "value date",
        entry.value_date.map(|date| date.to_string()),
        string_at(expected, "value_date"),
    );
    comparison.check(
        context,
        "entry date",
        entry.booking_date.map(|date| date.to_string()),
        string_at(expected, "entry_date"),
    );

    let (sign, reversal) = match expected["ext_debit_credit_indicator"].as_str() {
        Some("Credit") => (1, false),
        Some("Debit") => (-1, false),
        Some("ReverseDebit") => (-1, true),
        Some("ReverseCredit") => (1, true),
        other => return comparison.fail(context, &format!("unknown mark {other:?}")),
    };
    let magnitude = decimal_to_minor(expected["amount"].as_str().unwrap_or(""), &entry.currency);
    comparison.check(context, "amount", entry.amount_minor, sign * magnitude);
    comparison.check(context, "reversal", entry.reversal, reversal);

    let expected_type = match &expected["transaction_type_ident_code"] {
        Value::String(code) => Some(code.clone()),
        Value::Object(object) => object
            .get("NonStandard")
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    };
    let our_type = entry
        .bank_transaction_code
        .as_deref()
        .and_then(|code| code.get(1..))
        .map(str::to_string);
    comparison.check(context, "transaction type", our_type, expected_type);

    // mt940-rs keeps "NONREF" and trailing spaces, but this parser maps
    // "NONREF" to None and trims.
    let reference = |key: &str| {
        string_at(expected, key)
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty() && text != "NONREF")
    };
    comparison.check(
        context,
        "customer reference",
        folded(&entry.customer_reference),
        reference("customer_ref"),
    );
    comparison.check(
        context,
        "bank reference",
        folded(&entry.bank_reference),
        reference("bank_ref"),
    );
    comparison.check(
        context,
        "supplementary details",
        folded(&entry.supplementary_details),
        string_at(expected, "supplementary_details"),
    );

    match &expected["information_to_account_owner"] {
        Value::Null => comparison.check(context, "information", entry.information.clone(), None),
        // Several :86: fields after one :61: are joined with '\n' here and
        // without a separator by mt940-rs.
        Value::String(text) if information_field_count(source, entry.line) > 1 => {
            let joined = folded(&entry.information).map(|ours| ours.replace('\n', ""));
            comparison.check(
                context,
                "information (several :86:)",
                joined,
                Some(text.clone()),
            )
        }
        Value::String(text) => comparison.check(
            context,
            "information",
            folded(&entry.information),
            Some(text.clone()),
        ),
        Value::Object(_) => compare_structured_information(
            comparison,
            context,
            entry,
            &expected["information_to_account_owner"],
        ),
        other => comparison.fail(context, &format!("unexpected information {other}")),
    }
}

/// Compares the German "?NN" subfields that mt940-rs split out.
fn compare_structured_information(
    comparison: &mut Comparison,
    context: &str,
    entry: &Entry,
    expected: &Value,
) {
    let pairs = [
        (
            "transaction code",
            &entry.proprietary_transaction_code,
            "transaction_code",
        ),
        ("booking text", &entry.booking_text, "posting_text"),
        (
            "counterparty bank",
            &entry.counterparty_bank,
            "applicant_bin",
        ),
        (
            "counterparty account",
            &entry.counterparty_account,
            "applicant_iban",
        ),
        (
            "counterparty name",
            &entry.counterparty_name,
            "applicant_name",
        ),
    ];
    for (field, ours, key) in pairs {
        comparison.check(context, field, folded(ours), string_at(expected, key));
    }

    // The purpose (?20-?29) and additional purpose (?60-?63) together are the
    // remittance information, or contain it when it is marked "SVWZ+".
    // `+ &String` is ambiguous in this crate because thirtyfour adds
    // `Add` impls for `String`, so the right side is a `&str`.
    let purpose = string_at(expected, "purpose").unwrap_or_default()
        + string_at(expected, "additional_purpose").unwrap_or_default().as_str();
    let remittance = folded(&entry.remittance_info);
    if purpose.contains("SVWZ+") {
        let contained = remittance
            .as_ref()
            .is_some_and(|text| purpose.contains(text.as_str()));
        comparison.check(context, "remittance inside purpose", contained, true);
    } else {
        let expected_remittance = Some(purpose.trim().to_string()).filter(|text| !text.is_empty());
        comparison.check(context, "remittance", remittance, expected_remittance);
    }

    // Subfields without a model field must still be in the raw text. The
    // library joins some neighbouring subfields, so the "?NN" keys are
    // removed from the raw text before the search.
    let raw: String = folded(&entry.information)
        .unwrap_or_default()
        .split('\n')
        .collect();
    let raw_without_keys = remove_subfield_keys(&raw);
    let object = expected.as_object().cloned().unwrap_or_default();
    for (key, value) in object {
        let is_unmodelled =
            key == "prima_nota" || key == "return_debit_notes" || key.starts_with("unknown");
        if !is_unmodelled {
            continue;
        }
        let value = value.as_str().unwrap_or("");
        let present = raw_without_keys.contains(value);
        comparison.check(context, &format!("{key} in raw information"), present, true);
    }
}

/// Removes every "?NN" subfield key from a German `:86:` text.
fn remove_subfield_keys(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut result = String::with_capacity(text.len());
    let mut index = 0;
    while index < characters.len() {
        let is_key = characters[index] == '?'
            && characters.get(index + 1).is_some_and(char::is_ascii_digit)
            && characters.get(index + 2).is_some_and(char::is_ascii_digit);
        if is_key {
            index += 3;
        } else {
            result.push(characters[index]);
            index += 1;
        }
    }
    result
}

#[test]
fn mt940_fixtures_match_expected_json() {
    let mut comparison = Comparison::default();
    let mut compared_files = 0;

    for json_path in fixture_files(MT_FOLDER, ".json") {
        let sta_path = json_path.with_extension("sta");
        let name = relative_name(&sta_path);
        let bytes = std::fs::read(&sta_path).expect("statement beside the expected JSON");
        let expected: Value =
            serde_json::from_slice(&std::fs::read(&json_path).expect("readable JSON"))
                .expect("valid JSON");
        let expected_statements = expected.as_array().cloned().unwrap_or_default();
        let source = String::from_utf8_lossy(&bytes).into_owned();

        let file = match parse(&bytes) {
            Ok(file) => file,
            Err(error) => {
                comparison.fail(&name, &format!("rejected: {error}"));
                continue;
            }
        };
        comparison.check(&name, "format", file.format, Format::Mt940);
        comparison.check(
            &name,
            "statement count",
            file.statements.len(),
            expected_statements.len(),
        );
        for (index, (statement, expected_statement)) in
            file.statements.iter().zip(&expected_statements).enumerate()
        {
            let context = format!("{name} statement {index} (line {})", statement.line);
            compare_statement(
                &mut comparison,
                &context,
                &source,
                statement,
                expected_statement,
            );
        }
        compared_files += 1;
    }

    assert_eq!(compared_files, 20, "expected 20 MT940 fixtures with JSON");
    assert!(
        comparison.checks > 5000,
        "only {} fields compared",
        comparison.checks
    );
    comparison.assert_no_differences();
}

/// Expected outcome of a fixture without JSON.
enum Outcome {
    Parsed {
        format: Format,
        statements: usize,
    },
    Rejected {
        line: Option<u32>,
        contains: &'static [&'static str],
    },
}

#[test]
fn mt_fixtures_without_json_outcomes() {
    use Outcome::{Parsed, Rejected};

    let cases: &[(&str, Outcome)] = &[
        (
            "mt940/full/betterplace/sepa_snippet_broken.sta",
            // The :86: text of the last entry is tagged :25:.
            Rejected {
                line: Some(6),
                contains: &["unexpected field :25:", "after a :61: statement line"],
            },
        ),
        (
            "mt940/full/jejik/knab_broken.sta",
            Rejected {
                line: Some(17),
                contains: &["\"500\"", "decimal comma is missing"],
            },
        ),
        (
            "mt940/special-cases/february_30.sta",
            Rejected {
                line: Some(6),
                contains: &["\"160230\"", "2016-02-30 does not exist"],
            },
        ),
        (
            "mt940/special-cases/incomplete_tag_61.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt940/special-cases/invalid_statement.sta",
            Rejected {
                line: None,
                contains: &["unrecognized bank statement format", "\"1\\n2\\n3"],
            },
        ),
        (
            "mt940/special-cases/invalid_utf8.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt940/special-cases/overly_long_details.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt940/special-cases/unexpected_tag.sta",
            Rejected {
                line: Some(2),
                contains: &["no :25: account identification"],
            },
        ),
        (
            "mt940/special-cases/unknown_tag.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt942/full/cmxl/mt942_1.sta",
            Rejected {
                line: None,
                contains: &["the input is empty"],
            },
        ),
        (
            "mt942/full/jejik/generic.sta",
            Parsed {
                format: Format::Mt940,
                statements: 2,
            },
        ),
        (
            "mt942/full/jejik/rabobank.sta",
            Parsed {
                format: Format::Mt940,
                statements: 4,
            },
        ),
        (
            "mt942/full/jejik/triodos.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt942/full/mBank/mt942.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt942/full/sberbank/171011_01234945.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt942/special-cases/long_statement_number.sta",
            Parsed {
                format: Format::Mt940,
                statements: 1,
            },
        ),
        (
            "mt942/special-cases/mt942.sta",
            Parsed {
                format: Format::Mt942,
                statements: 1,
            },
        ),
        (
            "mt942/special-cases/raphaelm.sta",
            // :62M: has no currency code: "C020315105000,00".
            Rejected {
                line: Some(27),
                contains: &[":62M:", "\"105\" after the date is not a currency code"],
            },
        ),
    ];

    // Every .sta file without JSON is listed above.
    let listed: Vec<&str> = cases.iter().map(|(name, _)| *name).collect();
    for path in fixture_files(MT_FOLDER, ".sta") {
        if !path.with_extension("json").exists() {
            let name = relative_name(&path);
            let name = name
                .trim_start_matches(&format!("{MT_FOLDER}/"))
                .to_string();
            assert!(
                listed.contains(&name.as_str()),
                "{name} has no expected outcome"
            );
        }
    }

    for (name, outcome) in cases {
        let bytes = read_fixture(&format!("{MT_FOLDER}/{name}"));
        let result = parse(&bytes);
        match (outcome, result) {
            (Parsed { format, statements }, Ok(file)) => {
                assert_eq!(file.format, *format, "{name}");
                assert_eq!(file.statements.len(), *statements, "{name}");
            }
            (Rejected { line, contains }, Err(error)) => {
                let message = error.to_string();
                if let Some(line) = line {
                    assert!(
                        matches!(error, StatementError::Mt { line: error_line, .. } if error_line == *line),
                        "{name}: expected an error on line {line}, got: {message}"
                    );
                    assert!(
                        message.starts_with(&format!("line {line}: ")),
                        "{name}: {message}"
                    );
                }
                for text in *contains {
                    assert!(message.contains(text), "{name}: {text:?} not in: {message}");
                }
            }
            (Parsed { .. }, Err(error)) => panic!("{name}: expected a parse, got: {error}"),
            (Rejected { .. }, Ok(_)) => panic!("{name}: expected an error, but it parsed"),
        }
    }
}

#[test]
fn mt942_report_has_no_closing_balance() {
    let file = parse_fixture("mt942/special-cases/mt942.sta");
    assert_eq!(file.format, Format::Mt942);

    let statement = &file.statements[0];
    assert_eq!(statement.id, "CGNGHKLI0290980");
    assert_eq!(statement.sequence_number.as_deref(), Some("03917/00001"));
    assert_eq!(statement.currency.as_deref(), Some("EUR"));
    assert_eq!(statement.opening_balance, None);
    assert_eq!(statement.closing_balance, None);
    assert_eq!(statement.entries.len(), 1);
    assert_eq!(statement.entries[0].amount_minor, -42);
    assert_eq!(
        statement.entries[0].bank_reference.as_deref(),
        Some("055001022000001")
    );
    assert_eq!(
        statement.debit_total,
        Some(EntryTotal {
            count: 1,
            amount_minor: 230,
            currency: "EUR".to_string()
        })
    );
    assert_eq!(statement.credit_total, None);
}

#[test]
fn mt942_parser_rejects_mt940_content() {
    // These files sit in the MT942 folder but have :60F: and :62F: balances.
    for name in [
        "mt942/full/jejik/generic.sta",
        "mt942/full/jejik/rabobank.sta",
        "mt942/full/jejik/triodos.sta",
        "mt942/full/mBank/mt942.sta",
        "mt942/full/sberbank/171011_01234945.sta",
        "mt942/special-cases/long_statement_number.sta",
    ] {
        let bytes = read_fixture(&format!("{MT_FOLDER}/{name}"));
        assert!(
            parse_mt9xx(&bytes).unwrap().statements[0]
                .closing_balance
                .is_some(),
            "{name}"
        );

        let error = parse_mt942(&bytes).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("is an MT940 statement"),
            "{name}: {message}"
        );
        assert!(
            message.contains("MT942 interim reports were requested"),
            "{name}: {message}"
        );
    }
}

#[test]
fn mt940_parser_rejects_mt942_content() {
    let bytes = read_fixture(&format!("{MT_FOLDER}/mt942/special-cases/mt942.sta"));
    let error = parse_mt940(&bytes).unwrap_err();
    assert!(
        matches!(error, StatementError::Mt { line: 1, .. }),
        "{error}"
    );
}

#[test]
fn reversal_of_credit_is_negative() {
    let file = parse_fixture("mt940/full/betterplace/sepa_mt9401.sta");
    let entry = file.statements[0]
        .entries
        .iter()
        .find(|entry| entry.line == 19)
        .expect("the RC entry on line 19");

    assert!(entry.reversal);
    assert_eq!(entry.amount_minor, -20488);
    assert_eq!(entry.bank_transaction_code.as_deref(), Some("NRTI"));
    assert_eq!(entry.booking_text.as_deref(), Some("SAMMLER/STORNO"));
}

#[test]
fn entries_keep_source_lines() {
    let file = parse_fixture("mt940/full/jejik/abnamro.sta");
    let lines: Vec<u32> = file.statements[0]
        .entries
        .iter()
        .map(|entry| entry.line)
        .collect();
    assert_eq!(lines, vec![8, 12, 14, 16, 18, 20, 23, 25]);
    assert_eq!(file.statements[1].line, 32);
}

#[test]
fn german_structured_information_fills_counterparty() {
    let file = parse_fixture("mt940/full/betterplace/sepa_snippet.sta");
    let entry = &file.statements[0].entries[0];

    assert_eq!(entry.amount_minor, 5099005);
    assert_eq!(entry.proprietary_transaction_code.as_deref(), Some("166"));
    assert_eq!(
        entry.end_to_end_id.as_deref(),
        Some("EndToEndId TFNR 22 004 00001")
    );
    assert_eq!(
        entry.remittance_info.as_deref(),
        Some("Verw CTSc-01 BC-PPP TFNr 22 004")
    );
    assert_eq!(
        entry.counterparty_account.as_deref(),
        Some("DE14508800500194785000")
    );
    assert_eq!(
        entry.counterparty_name.as_deref(),
        Some("KARL        KAUFMANN")
    );
}

#[test]
fn dutch_slash_information_fills_counterparty() {
    let file = parse_fixture("mt940/full/jejik/rabobank-iban.sta");
    let entry = &file.statements[0].entries[1];

    assert_eq!(entry.counterparty_name.as_deref(), Some("JOHN DOE"));
    assert_eq!(
        entry.remittance_info.as_deref(),
        Some("Reference 201301234")
    );
    assert_eq!(entry.supplementary_details.as_deref(), Some("P001234567"));
}

#[test]
fn statement_information_outside_entries_is_kept() {
    let file = parse_fixture("mt940/full/jejik/ing.sta");
    assert_eq!(
        file.statements[0].information.as_deref(),
        Some("D000004C000002D25,24C28,71")
    );

    let file = parse_fixture("mt940/full/danskebank/MT940_NO_Example.sta");
    let information = file.statements[0].information.as_deref().unwrap();
    assert!(
        information.starts_with("For your inform. IBAN no.: NO1111111111111\n"),
        "{information}"
    );
    assert_eq!(information.lines().count(), 4);
}

#[test]
fn unknown_tag_kept_with_entry() {
    let file = parse_fixture("mt940/special-cases/unknown_tag.sta");
    let statement = &file.statements[0];

    assert_eq!(
        statement.unknown_fields,
        vec![UnknownField {
            line: 9,
            tag: "12".to_string(),
            value: "11".to_string(),
            entry_index: Some(0)
        }]
    );
    assert_eq!(statement.entries.len(), 1);
}

#[test]
fn ns_fields_are_kept() {
    let file = parse_fixture("mt942/full/sberbank/171011_01234945.sta");
    let statement = &file.statements[0];

    let entry_indexes: Vec<Option<usize>> = statement
        .unknown_fields
        .iter()
        .map(|field| field.entry_index)
        .collect();
    assert_eq!(entry_indexes, vec![None, Some(0), Some(1), Some(2)]);
    assert!(statement.unknown_fields[1]
        .value
        .contains("15ERGO Versicherung AG Fiokte"));
    assert_eq!(
        statement.entries[0].bank_transaction_code.as_deref(),
        Some("S")
    );
    assert_eq!(
        statement.entries[0].customer_reference.as_deref(),
        Some("X")
    );
}

#[test]
fn incomplete_statement_line_has_no_reference() {
    let file = parse_fixture("mt940/special-cases/incomplete_tag_61.sta");
    let entry = &file.statements[0].entries[0];

    assert_eq!(entry.value_date.unwrap().to_string(), "2017-09-14");
    assert_eq!(entry.booking_date, None);
    assert_eq!(entry.amount_minor, -23315);
    assert_eq!(entry.bank_transaction_code.as_deref(), Some("NMSC"));
    assert_eq!(entry.customer_reference, None);
}

#[test]
fn long_information_is_kept_whole() {
    let file = parse_fixture("mt940/special-cases/overly_long_details.sta");
    let information = file.statements[0].entries[0]
        .information
        .as_deref()
        .unwrap();

    assert_eq!(information.lines().count(), 9);
    assert!(
        information.ends_with("?62ABWA+Finanzamt Sentinel"),
        "{information}"
    );
}

#[test]
fn invalid_utf8_read_as_windows_1252() {
    // The text of this file reads as Hungarian in code page 852 (DOS Central
    // European). Windows-1252 decodes those bytes to other letters, so the
    // accents come out wrong.
    let file = parse_fixture("mt940/special-cases/invalid_utf8.sta");
    assert_eq!(file.encoding, SourceEncoding::Windows1252);

    let statement = &file.statements[0];
    assert_eq!(statement.currency.as_deref(), Some("HUF"));
    assert_eq!(statement.entries.len(), 7);
    assert_eq!(statement.entries[0].amount_minor, 206663700);
    assert_eq!(
        statement.entries[0].supplementary_details.as_deref(),
        Some("Csoportos \u{a0}tutal\u{a0}s j\u{a2}v\u{a0}\u{a1}r\u{a0}sa")
    );
    let forward_balances = statement
        .other_balances
        .iter()
        .filter(|balance| balance.kind == BalanceKind::ForwardAvailable)
        .count();
    assert_eq!(forward_balances, 3);
}

#[test]
fn mt_errors_name_line_and_value() {
    let original = String::from_utf8(read_fixture(&format!(
        "{MT_FOLDER}/mt940/full/jejik/knab.sta"
    )))
    .unwrap();
    let cases = [
        (
            ":60F:C140507EUR0,",
            ":60F:X140507EUR0,",
            4,
            "\"X140507EUR0,\"",
        ),
        (":60F:C140507EUR0,", ":60F:C140507EU0,", 4, "\"EU0\""),
        (":60F:C140507EUR0,", ":60F:C140507EUR0,123", 4, "\"0,123\""),
        (
            ":61:1405070507C500,NTRF",
            ":61:1405070507X500,NTRF",
            5,
            "C, D, RC or RD",
        ),
        (
            ":61:1405070507C500,NTRFNONREF",
            ":61:1405070507C500,",
            5,
            "missing transaction type",
        ),
        (
            ":61:1405070507C500,NTRF",
            ":61:1405071307C500,NTRF",
            5,
            "\"1307\"",
        ),
        (":28C:998/1", ":28C:998-1", 3, "\"998-1\""),
        (
            ":62F:C140508EUR500,",
            ":61:1405070507C1,NTRFNONREF\n:62F:C140508EUR500,\n:61:1405070507C1,NTRF",
            10,
            "after the closing balance",
        ),
    ];
    for (from, to, line, text) in cases {
        assert!(original.contains(from), "fixture lacks {from}");
        let changed = original.replacen(from, to, 1);
        let error = parse_mt9xx(changed.as_bytes()).unwrap_err();

        let message = error.to_string();
        assert!(
            matches!(error, StatementError::Mt { line: error_line, .. } if error_line == line),
            "{from} -> {to}: expected line {line}, got: {message}"
        );
        assert!(message.contains(text), "{text} not in: {message}");
    }
}

#[test]
fn truncated_statement_is_rejected() {
    let original = String::from_utf8(read_fixture(&format!(
        "{MT_FOLDER}/mt940/full/jejik/knab.sta"
    )))
    .unwrap();
    let cut = original.find(":62F:C140730EUR798,98").unwrap();
    let error = parse(&original.as_bytes()[..cut]).unwrap_err();

    let message = error.to_string();
    assert!(message.starts_with("line 10: "), "{message}");
    assert!(message.contains("no closing balance"), "{message}");
}
