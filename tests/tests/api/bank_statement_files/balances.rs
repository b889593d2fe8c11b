//! Balance checks over every fixture statement that has an opening and a
//! closing balance. Many of the fixtures are edited or anonymized bank files
//! whose balances do not add up. The list below records each of them, so a
//! change in the parser that moves any amount shows up here.

use api::bank_statements::{
    check_balances, check_entry_totals, parse, BalanceMismatch, Statement, TotalMismatch,
};

use super::common::{fixture_files, relative_name};

/// How a statement's balances compare.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    /// Closing balance minus (opening + entries), in minor units.
    Difference(i128),
    /// The closing balance is in another currency than the opening balance.
    ClosingCurrency(&'static str),
}

/// Statements that do not add up, by file and 0-based statement position.
const MISMATCHES: &[(&str, usize, Expected)] = &[
    (
        "camt-genkgo/test/data/camt053.v2.all-balance-types.xml",
        0,
        Expected::Difference(-582),
    ),
    (
        "camt-genkgo/test/data/camt053.v2.five.decimals.xml",
        0,
        Expected::Difference(5),
    ),
    (
        "camt-genkgo/test/data/camt053.v2.minimal.ultimate.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "camt-genkgo/test/data/camt053.v2.minimal.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "camt-genkgo/test/data/camt053.v2.with-party-ids.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "camt-genkgo/test/data/camt053.v3.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "camt-genkgo/test/data/camt053.v4.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "camt-genkgo/test/data/camt053.v8.xml",
        0,
        Expected::ClosingCurrency("SEK"),
    ),
    (
        "mt940-rs/tests/data/mt940/full/abnamro/mt940.sta",
        0,
        Expected::Difference(112584),
    ),
    (
        "mt940-rs/tests/data/mt940/full/abnamro/mt940.sta",
        1,
        Expected::Difference(111988),
    ),
    (
        "mt940-rs/tests/data/mt940/full/betterplace/sepa_snippet.sta",
        1,
        Expected::Difference(30008),
    ),
    (
        "mt940-rs/tests/data/mt940/full/bugs/issue-51.sta",
        0,
        Expected::Difference(10000),
    ),
    (
        "mt940-rs/tests/data/mt940/full/jejik/abnamro.sta",
        0,
        Expected::Difference(-203800),
    ),
    (
        "mt940-rs/tests/data/mt940/full/jejik/abnamro.sta",
        1,
        Expected::Difference(-100260),
    ),
    (
        "mt940-rs/tests/data/mt940/full/jejik/ing.sta",
        0,
        Expected::Difference(4906),
    ),
    (
        "mt940-rs/tests/data/mt940/full/jejik/knab.sta",
        1,
        Expected::Difference(450000),
    ),
    (
        "mt940-rs/tests/data/mt940/full/jejik/postfinance.sta",
        1,
        Expected::Difference(20),
    ),
    (
        "mt940-rs/tests/data/mt940/full/mBank/with_newline_in_tnr.sta",
        0,
        Expected::Difference(77071),
    ),
    (
        "mt940-rs/tests/data/mt940/full/sparkasse/buxtehude.sta",
        0,
        Expected::Difference(10000),
    ),
    (
        "mt940-rs/tests/data/mt940/special-cases/incomplete_tag_61.sta",
        0,
        Expected::Difference(23401),
    ),
    (
        "mt940-rs/tests/data/mt940/special-cases/invalid_utf8.sta",
        0,
        Expected::Difference(112326400),
    ),
    (
        "mt940-rs/tests/data/mt940/special-cases/overly_long_details.sta",
        0,
        Expected::Difference(23401),
    ),
    (
        "mt940-rs/tests/data/mt942/full/jejik/rabobank.sta",
        0,
        Expected::Difference(113593),
    ),
    (
        "mt940-rs/tests/data/mt942/full/jejik/rabobank.sta",
        2,
        Expected::Difference(23656),
    ),
    (
        "mt940-rs/tests/data/mt942/full/jejik/triodos.sta",
        0,
        Expected::Difference(11140),
    ),
];

/// Number of fixture statements whose balances agree.
const AGREEING: usize = 89;

fn statements_with_balances() -> Vec<(String, usize, Statement)> {
    let mut files = fixture_files("camt-genkgo", ".xml");
    files.extend(fixture_files("mt940-rs", ".sta"));

    let mut found = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).expect("readable fixture");
        let Ok(file) = parse(&bytes) else {
            continue;
        };
        for (index, statement) in file.statements.into_iter().enumerate() {
            if statement.opening_balance.is_some() && statement.closing_balance.is_some() {
                found.push((relative_name(&path), index, statement));
            }
        }
    }
    found
}

#[test]
fn fixture_balances_agree_except_listed() {
    let mut agreeing = Vec::new();
    let mut mismatches = Vec::new();
    for (name, index, statement) in statements_with_balances() {
        match check_balances(&statement) {
            None => agreeing.push(format!("{name} #{index} {}", statement.id)),
            Some(mismatch) => {
                println!("does not add up: {name} #{index}: {mismatch}");
                let observed = match mismatch {
                    BalanceMismatch::Amount {
                        expected_closing_minor,
                        stated_closing_minor,
                        ..
                    } => format!(
                        "{:?}",
                        Expected::Difference(stated_closing_minor - expected_closing_minor)
                    ),
                    BalanceMismatch::Currency {
                        item,
                        item_currency,
                        ..
                    } if item == "closing balance" => {
                        format!("ClosingCurrency({item_currency:?})")
                    }
                    other => format!("{other:?}"),
                };
                mismatches.push((name, index, observed));
            }
        }
    }
    for statement in &agreeing {
        println!("adds up: {statement}");
    }

    let expected: Vec<(String, usize, String)> = MISMATCHES
        .iter()
        .map(|(name, index, expected)| (name.to_string(), *index, format!("{expected:?}")))
        .collect();
    assert_eq!(mismatches, expected);
    assert_eq!(agreeing.len(), AGREEING);
}

#[test]
fn mt942_stated_totals_are_checked() {
    let path = &fixture_files("mt940-rs/tests/data/mt942/special-cases", "mt942.sta")[0];
    let file = parse(&std::fs::read(path).unwrap()).unwrap();
    let statement = &file.statements[0];

    // The report states one debit of 2,30 EUR but its only entry is 0,42.
    let mismatches = check_entry_totals(statement);
    assert_eq!(
        mismatches,
        vec![TotalMismatch {
            statement_id: "CGNGHKLI0290980".to_string(),
            direction: "debit",
            stated_count: 1,
            counted: 1,
            stated_amount_minor: 230,
            counted_amount_minor: 42,
            currency: "EUR".to_string(),
        }]
    );
    assert_eq!(check_balances(statement), None);
}

#[test]
fn pending_entries_are_not_summed() {
    let xml = std::fs::read(
        super::common::data_dir().join("camt-genkgo/test/data/camt053.v2.multi.statement.xml"),
    )
    .unwrap();
    let text = String::from_utf8(xml).unwrap();
    let first = parse(text.as_bytes()).unwrap();
    assert_eq!(check_balances(&first.statements[0]), None);

    // The same statement with its entry pending must fail the check by the
    // entry's amount, 8,85 EUR.
    let pending = text.replacen("<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>", 1);
    let file = parse(pending.as_bytes()).unwrap();
    match check_balances(&file.statements[0]) {
        Some(BalanceMismatch::Amount {
            entries_counted,
            expected_closing_minor,
            stated_closing_minor,
            ..
        }) => {
            assert_eq!(entries_counted, 0);
            assert_eq!(stated_closing_minor - expected_closing_minor, 885);
        }
        other => panic!("expected an amount mismatch, got {other:?}"),
    }
}

#[test]
fn entry_in_other_currency_is_reported() {
    let xml = std::fs::read(
        super::common::data_dir().join("camt-genkgo/test/data/camt053.v2.multi.statement.xml"),
    )
    .unwrap();
    let text = String::from_utf8(xml).unwrap().replacen(
        "<Amt Ccy=\"EUR\">8.85</Amt>",
        "<Amt Ccy=\"USD\">8.85</Amt>",
        1,
    );
    let file = parse(text.as_bytes()).unwrap();

    match check_balances(&file.statements[0]) {
        Some(BalanceMismatch::Currency {
            item,
            item_currency,
            ..
        }) => {
            assert_eq!(item, "entry on line 66");
            assert_eq!(item_currency, "USD");
        }
        other => panic!("expected a currency mismatch, got {other:?}"),
    }
}

#[test]
fn statement_without_closing_is_not_checked() {
    let missing: Vec<(String, usize)> = {
        let mut files = fixture_files("camt-genkgo", ".xml");
        files.extend(fixture_files("mt940-rs", ".sta"));
        let mut missing = Vec::new();
        for path in files {
            let Ok(file) = parse(&std::fs::read(&path).unwrap()) else {
                continue;
            };
            for (index, statement) in file.statements.iter().enumerate() {
                if statement.closing_balance.is_none() {
                    assert_eq!(
                        check_balances(statement),
                        None,
                        "{} #{index}",
                        relative_name(&path)
                    );
                    missing.push((relative_name(&path), index));
                }
            }
        }
        missing
    };
    // camt.052 reports without CLBD, camt.054 notifications, one camt.053
    // with only an opening balance, and the one MT942 report.
    assert_eq!(missing.len(), 17);
}
