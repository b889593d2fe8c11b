//! camt.052/053/054 fixtures from the genkgo/camt PHP library, compared with
//! the expected parse that the library wrote beside them as JSON.
//!
//! The JSON is a dump of the library's objects. Amounts are minor units as
//! strings, signed by the entry's credit/debit indicator. Dates are date-times
//! converted to UTC, and their date part equals the bank's local date in all
//! of these fixtures, so it is compared with the parsed date. An object that was already dumped appears again only as
//! "__RECURSIVITY__". That library merges the entries of all statements by
//! position, so `camt053.v2.multi.statement.json` lists only the entry of the
//! second statement. A test below checks the first statement by hand.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use api::bank_statements::{
    parse, parse_camt, BalanceKind, Entry, EntryStatus, Format, Party, Statement, StatementError,
    StatementFile, TransactionDetail,
};

use super::common::{fixture_files, read_fixture, relative_name, Comparison};

const CAMT_FOLDER: &str = "camt-genkgo/test/data";
const RECURSION_MARK: &str = "__RECURSIVITY__";

fn parse_fixture(name: &str) -> StatementFile {
    let bytes = read_fixture(&format!("{CAMT_FOLDER}/{name}"));
    parse(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Returns a library string, mapping its "" for a missing value to None.
fn non_empty_string_at(value: &Value, key: &str) -> Option<String> {
    string_at(value, key).filter(|text| !text.is_empty())
}

/// Returns (minor units, currency) of a dumped `Money\Money`, or None.
fn money_at(value: &Value, key: &str) -> Option<(i64, String)> {
    let money = value.get(key).filter(|money| money.is_object())?;
    let amount = money["getAmount"].as_str()?.parse().ok()?;
    let currency = money["getCurrency"]["getCode"].as_str()?.to_string();
    Some((amount, currency))
}

/// Returns the date part of a dumped `DateTimeImmutable`, or None.
fn date_at(value: &Value, key: &str) -> Option<String> {
    let date_time = value.get(key)?.get("0")?.as_str()?;
    date_time.get(0..10).map(str::to_string)
}

/// Resolves a dumped list whose first item may be the recursion mark for the
/// object under `singular_key`, which the library dumps first.
fn resolved_list<'a>(
    owner: &'a Value,
    plural_key: &str,
    singular_key: &str,
) -> Result<Vec<&'a Value>, String> {
    let items = match owner.get(plural_key) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => return Ok(Vec::new()),
        Some(other) => return Err(format!("{plural_key} is not a list: {other}")),
    };
    let mut resolved = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if item.as_str() == Some(RECURSION_MARK) {
            match owner.get(singular_key) {
                Some(single) if index == 0 && single.is_object() => resolved.push(single),
                _ => {
                    return Err(format!(
                        "{plural_key}[{index}] refers to an object not in the dump"
                    ))
                }
            }
        } else {
            resolved.push(item);
        }
    }
    Ok(resolved)
}

fn genkgo_balance_type(kind: &BalanceKind) -> String {
    match kind {
        BalanceKind::OpeningBooked | BalanceKind::PreviouslyClosedBooked => "opening",
        BalanceKind::ClosingBooked => "closing",
        BalanceKind::OpeningAvailable => "opening_available",
        BalanceKind::ClosingAvailable => "closing_available",
        BalanceKind::ForwardAvailable => "forward_available",
        BalanceKind::Information => "information",
        BalanceKind::InterimAvailable => "interim_available",
        BalanceKind::InterimBooked => "interim",
        BalanceKind::ExpectedCredit => "expected_credit",
        BalanceKind::ExpectedDebit => "expected_debit",
        other => return format!("{other:?}"),
    }
    .to_string()
}

fn status_code(status: &Option<EntryStatus>) -> Option<String> {
    status.as_ref().map(|status| {
        match status {
            EntryStatus::Booked => "BOOK",
            EntryStatus::Pending => "PDNG",
            EntryStatus::Information => "INFO",
            EntryStatus::Future => "FUTR",
            EntryStatus::Other(code) => code,
        }
        .to_string()
    })
}

fn compare_record(
    comparison: &mut Comparison,
    context: &str,
    statement: &Statement,
    record: &Value,
) {
    comparison.check(
        context,
        "id",
        Some(statement.id.clone()),
        string_at(record, "getId"),
    );
    comparison.check(
        context,
        "account",
        Some(statement.account.clone()),
        string_at(&record["getAccount"], "getIdentification"),
    );
    let expected_sequence = string_at(record, "getElectronicSequenceNumber")
        .or_else(|| string_at(record, "getLegalSequenceNumber"));
    comparison.check(
        context,
        "sequence number",
        statement.sequence_number.clone(),
        expected_sequence,
    );
    comparison.check(
        context,
        "information",
        statement.information.clone(),
        string_at(record, "getAdditionalInformation"),
    );

    let expected_entries = record["getEntries"].as_array().map(Vec::len);
    comparison.check(
        context,
        "entry count",
        Some(statement.entries.len()),
        expected_entries,
    );

    let mut ours: Vec<(String, i64, String, String)> = statement
        .opening_balance
        .iter()
        .chain(statement.closing_balance.iter())
        .chain(statement.other_balances.iter())
        .map(|balance| {
            (
                genkgo_balance_type(&balance.kind),
                balance.amount_minor,
                balance.currency.clone(),
                balance.date.to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, i64, String, String)> = Vec::new();
    for balance in record["getBalances"].as_array().into_iter().flatten() {
        let (amount, currency) = money_at(balance, "getAmount").unwrap_or_default();
        expected.push((
            string_at(balance, "getType").unwrap_or_default(),
            amount,
            currency,
            date_at(balance, "getDate").unwrap_or_default(),
        ));
    }
    ours.sort();
    expected.sort();
    comparison.check(context, "balances", ours, expected);
}

fn compare_entry(comparison: &mut Comparison, context: &str, entry: &Entry, expected: &Value) {
    let (amount, currency) = money_at(expected, "getAmount").unwrap_or_default();
    comparison.check(context, "amount", entry.amount_minor, amount);
    comparison.check(context, "currency", entry.currency.clone(), currency);
    if entry.amount_minor != 0 {
        let direction = if entry.amount_minor > 0 {
            "CRDT"
        } else {
            "DBIT"
        };
        comparison.check(
            context,
            "credit/debit",
            Some(direction.to_string()),
            string_at(expected, "getCreditDebitIndicator"),
        );
    }
    comparison.check(
        context,
        "reversal",
        Some(entry.reversal),
        expected["getReversalIndicator"].as_bool(),
    );
    comparison.check(
        context,
        "status",
        status_code(&entry.status),
        string_at(expected, "getStatus"),
    );
    comparison.check(
        context,
        "booking date",
        entry.booking_date.map(|date| date.to_string()),
        date_at(expected, "getBookingDate"),
    );
    comparison.check(
        context,
        "value date",
        entry.value_date.map(|date| date.to_string()),
        date_at(expected, "getValueDate"),
    );
    comparison.check(
        context,
        "bank reference",
        entry.bank_reference.clone(),
        string_at(expected, "getAccountServicerReference"),
    );
    comparison.check(
        context,
        "customer reference",
        entry.customer_reference.clone(),
        string_at(expected, "getReference"),
    );
    comparison.check(
        context,
        "booking text",
        entry.booking_text.clone(),
        non_empty_string_at(expected, "getAdditionalInfo"),
    );
    comparison.check(
        context,
        "batch payment id",
        entry.batch_payment_id.clone(),
        string_at(expected, "getBatchPaymentId"),
    );

    let code = &expected["getBankTransactionCode"];
    let domain = &code["getDomain"];
    let expected_domain = if domain.is_object() {
        let parts: Vec<String> = [
            string_at(domain, "getCode"),
            string_at(&domain["getFamily"], "getCode"),
            string_at(&domain["getFamily"], "getSubFamilyCode"),
        ]
        .into_iter()
        .flatten()
        .collect();
        Some(parts.join("/"))
    } else {
        None
    };
    comparison.check(
        context,
        "bank transaction code",
        entry.bank_transaction_code.clone(),
        expected_domain,
    );
    comparison.check(
        context,
        "proprietary transaction code",
        entry.proprietary_transaction_code.clone(),
        non_empty_string_at(&code["getProprietary"], "getCode"),
    );

    let details = match resolved_list(expected, "getTransactionDetails", "getTransactionDetail") {
        Ok(details) => details,
        Err(message) => {
            comparison.fail(context, &message);
            return;
        }
    };
    comparison.check(context, "detail count", entry.details.len(), details.len());
    for (index, (detail, expected_detail)) in entry.details.iter().zip(details).enumerate() {
        let detail_context = format!("{context} detail {index}");
        compare_detail(comparison, &detail_context, detail, expected_detail);
    }
}

fn compare_detail(
    comparison: &mut Comparison,
    context: &str,
    detail: &TransactionDetail,
    expected: &Value,
) {
    // The library signs detail amounts by the entry's indicator and this
    // parser by the detail's own, so only the magnitude is compared here.
    let ours = detail
        .amount_minor
        .map(|amount| amount.abs())
        .zip(detail.currency.clone());
    let theirs = money_at(expected, "getAmount").map(|(amount, currency)| (amount.abs(), currency));
    comparison.check(context, "amount", ours, theirs);

    let references = &expected["getReference"];
    let reference_pairs = [
        ("end-to-end id", &detail.end_to_end_id, "getEndToEndId"),
        ("UETR", &detail.uetr, "getUuidEndToEndReference"),
        ("instruction id", &detail.instruction_id, "getInstructionId"),
        (
            "payment information id",
            &detail.payment_information_id,
            "getPaymentInformationId",
        ),
        ("transaction id", &detail.transaction_id, "getTransactionId"),
        ("mandate id", &detail.mandate_id, "getMandateId"),
        (
            "account servicer reference",
            &detail.account_servicer_reference,
            "getAccountServicerReference",
        ),
    ];
    for (field, ours, key) in reference_pairs {
        comparison.check(context, field, ours.clone(), string_at(references, key));
    }

    compare_parties(comparison, context, detail, expected);
    compare_remittance(comparison, context, detail, expected);

    comparison.check(
        context,
        "return reason",
        detail.return_reason.is_some(),
        !expected["getReturnInformation"].is_null(),
    );
    comparison.check(
        context,
        "additional information",
        detail.additional_info.clone(),
        string_at(expected, "getAdditionalTransactionInformation"),
    );
}

fn compare_parties(
    comparison: &mut Comparison,
    context: &str,
    detail: &TransactionDetail,
    expected: &Value,
) {
    let parties = match resolved_list(expected, "getRelatedParties", "getRelatedParty") {
        Ok(parties) => parties,
        Err(message) => return comparison.fail(context, &message),
    };
    let ours: [(&str, &Option<Party>); 4] = [
        ("Debtor", &detail.debtor),
        ("Creditor", &detail.creditor),
        ("UltimateDebtor", &detail.ultimate_debtor),
        ("UltimateCreditor", &detail.ultimate_creditor),
    ];

    let mut expected_parties: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for party in parties {
        let kind = &party["getRelatedPartyType"];
        let class = kind["__CLASS__"].as_str().unwrap_or("");
        let type_name = class.rsplit('\\').next().unwrap_or("").to_string();
        let account = string_at(&party["getAccount"], "getIdentification");
        expected_parties.insert(type_name, (string_at(kind, "getName"), account));
    }
    let mut parsed_parties: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for (type_name, party) in ours {
        if let Some(party) = party {
            if party.name.is_some() || party.account.is_some() {
                parsed_parties.insert(
                    type_name.to_string(),
                    (party.name.clone(), party.account.clone()),
                );
            }
        }
    }
    comparison.check(context, "related parties", parsed_parties, expected_parties);

    let agents = match resolved_list(expected, "getRelatedAgents", "getRelatedAgent") {
        Ok(agents) => agents,
        Err(message) => return comparison.fail(context, &message),
    };
    for agent in agents {
        let kind = &agent["getRelatedAgentType"];
        let class = kind["__CLASS__"].as_str().unwrap_or("");
        let expected_bic = non_empty_string_at(kind, "getBIC");
        let party = if class.ends_with("DebtorAgent") {
            &detail.debtor
        } else {
            &detail.creditor
        };
        let ours = party.as_ref().and_then(|party| party.bank.clone());
        comparison.check(context, &format!("{class} BIC"), ours, expected_bic);
    }
}

fn compare_remittance(
    comparison: &mut Comparison,
    context: &str,
    detail: &TransactionDetail,
    expected: &Value,
) {
    let remittance = &expected["getRemittanceInformation"];
    if !remittance.is_object() {
        comparison.check(context, "remittance", detail.remittance_info.clone(), None);
        comparison.check(
            context,
            "creditor references",
            detail.creditor_references.len(),
            0,
        );
        return;
    }

    let unstructured = resolved_list(remittance, "getUnstructuredBlocks", "getUnstructuredBlock");
    let structured = resolved_list(remittance, "getStructuredBlocks", "getStructuredBlock");
    let (unstructured, structured) = match (unstructured, structured) {
        (Ok(unstructured), Ok(structured)) => (unstructured, structured),
        (Err(message), _) | (_, Err(message)) => return comparison.fail(context, &message),
    };

    let mut lines: Vec<String> = unstructured
        .iter()
        .filter_map(|block| string_at(block, "getMessage"))
        .collect();
    lines.extend(
        structured
            .iter()
            .filter_map(|block| string_at(block, "getAdditionalRemittanceInformation")),
    );
    let expected_text = if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    };
    comparison.check(
        context,
        "remittance",
        detail.remittance_info.clone(),
        expected_text,
    );

    // The first block's reference information may be the recursion mark for
    // the same object dumped at the remittance level.
    let mut references: Vec<String> = Vec::new();
    for block in &structured {
        let mut information = &block["getCreditorReferenceInformation"];
        if information.as_str() == Some(RECURSION_MARK) {
            information = &remittance["getCreditorReferenceInformation"];
            if !information.is_object() {
                return comparison.fail(context, "unresolved creditor reference information");
            }
        }
        references.extend(string_at(information, "getRef"));
    }
    comparison.check(
        context,
        "creditor references",
        detail.creditor_references.clone(),
        references,
    );
}

/// Finds the statement that a dumped record describes, by id and account.
fn find_statement<'a>(file: &'a StatementFile, record: &Value) -> Option<&'a Statement> {
    let id = string_at(record, "getId")?;
    let account = string_at(&record["getAccount"], "getIdentification");
    file.statements
        .iter()
        .find(|statement| statement.id == id && Some(&statement.account) == account.as_ref())
}

fn compare_with_json(
    path: &Path,
    file: &StatementFile,
    expected: &Value,
    comparison: &mut Comparison,
) {
    let name = relative_name(path);

    comparison.check(
        &name,
        "message id",
        file.message_id.clone(),
        string_at(&expected["getGroupHeader"], "getMessageId"),
    );
    let record_count = expected["getRecords"].as_array().map(Vec::len);
    comparison.check(
        &name,
        "statement count",
        Some(file.statements.len()),
        record_count,
    );

    // Records dumped in full, either in the record list or in an entry.
    let mut records: Vec<&Value> = expected["getRecords"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|record| record.is_object())
        .collect();
    let entries = expected["getEntries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for entry in &entries {
        if entry["getRecord"].is_object() {
            records.push(&entry["getRecord"]);
        }
    }
    if records.is_empty() {
        comparison.fail(&name, "no record is dumped in full");
    }
    for record in &records {
        match find_statement(file, record) {
            Some(statement) => {
                let context = format!("{name} statement {}", statement.id);
                compare_record(comparison, &context, statement, record);
            }
            None => comparison.fail(
                &name,
                &format!("no parsed statement for record {}", record["getId"]),
            ),
        }
    }

    for expected_entry in &entries {
        let statement = if expected_entry["getRecord"].is_object() {
            find_statement(file, &expected_entry["getRecord"])
        } else if file.statements.len() == 1 {
            file.statements.first()
        } else {
            None
        };
        let Some(statement) = statement else {
            comparison.fail(&name, "cannot tell which statement an entry belongs to");
            continue;
        };
        let index = expected_entry["getIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        let context = format!("{name} statement {} entry {index}", statement.id);
        match statement.entries.get(index) {
            Some(entry) => compare_entry(comparison, &context, entry, expected_entry),
            None => comparison.fail(&context, "no such parsed entry"),
        }
    }
}

#[test]
fn camt_fixtures_match_expected_json() {
    let mut comparison = Comparison::default();
    let mut compared_files = 0;

    for json_path in fixture_files(CAMT_FOLDER, ".json") {
        let xml_path = json_path.with_extension("xml");
        let bytes = std::fs::read(&xml_path).expect("XML beside the expected JSON");
        let expected: Value =
            serde_json::from_slice(&std::fs::read(&json_path).expect("readable JSON"))
                .expect("valid JSON");

        let file = match parse(&bytes) {
            Ok(file) => file,
            Err(error) => {
                comparison.fail(&relative_name(&xml_path), &format!("rejected: {error}"));
                continue;
            }
        };
        let checks_before = comparison.checks;
        compare_with_json(&xml_path, &file, &expected, &mut comparison);
        assert!(
            comparison.checks - checks_before >= 8,
            "{}: only {} fields compared",
            relative_name(&xml_path),
            comparison.checks - checks_before
        );
        compared_files += 1;
    }

    assert_eq!(compared_files, 25, "expected 25 camt fixtures with JSON");
    comparison.assert_no_differences();
}

#[test]
fn camt_formats_and_versions_are_detected() {
    let cases = [
        ("camt052.v1.xml", Format::Camt052, 1),
        ("camt052.v2.xml", Format::Camt052, 2),
        ("camt052.v4.xml", Format::Camt052, 4),
        ("camt052.v6.xml", Format::Camt052, 6),
        ("camt052.v8.xml", Format::Camt052, 8),
        ("camt053.v2.minimal.xml", Format::Camt053, 2),
        ("camt053.v3.xml", Format::Camt053, 3),
        ("camt053.v4.xml", Format::Camt053, 4),
        ("camt053.v8.xml", Format::Camt053, 8),
        ("camt054.v2.xml", Format::Camt054, 2),
        ("camt054.v4.xml", Format::Camt054, 4),
        ("camt054.v8.xml", Format::Camt054, 8),
    ];
    for (name, format, version) in cases {
        let file = parse_fixture(name);
        assert_eq!(file.format, format, "{name}");
        assert_eq!(file.camt_version, Some(version), "{name}");
    }
}

#[test]
fn camt_without_statement_is_rejected() {
    let bytes = read_fixture(&format!("{CAMT_FOLDER}/camt053.v2.wrong.xml"));
    let error = parse(&bytes).unwrap_err();

    let message = error.to_string();
    assert!(message.contains("/Document/BkToCstmrStmt"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("no <Stmt> element"), "{message}");
    assert!(
        matches!(error, StatementError::Camt { line: 3, .. }),
        "{error:?}"
    );
}

#[test]
fn camt_extra_zero_decimals_are_accepted() {
    // EUR amounts written with three decimals, the third always zero.
    let file = parse_fixture("camt053.v2.five.decimals.xml");
    let statement = &file.statements[0];

    assert_eq!(
        statement.opening_balance.as_ref().unwrap().amount_minor,
        1815
    );
    assert_eq!(
        statement.closing_balance.as_ref().unwrap().amount_minor,
        2705
    );
    assert_eq!(statement.entries[0].amount_minor, 885);
}

#[test]
fn camt_nonzero_extra_decimal_is_rejected() {
    let text = String::from_utf8(read_fixture(&format!(
        "{CAMT_FOLDER}/camt053.v2.five.decimals.xml"
    )))
    .unwrap()
    .replace(">8.850<", ">8.855<");
    let error = parse(text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        message.contains("/Document/BkToCstmrStmt/Stmt/Ntry/Amt"),
        "{message}"
    );
    assert!(message.contains("\"8.855\""), "{message}");
    assert!(message.contains("EUR"), "{message}");
    assert!(message.contains("2 decimals"), "{message}");
}

#[test]
fn camt_date_time_balance_without_currency() {
    // The account has no Ccy, the amount has extra zero decimals and the
    // balance date is a DtTm with nanoseconds and no time zone.
    let file = parse_fixture("camt53.only-Dt-with-DtTm.xml");
    let statement = &file.statements[0];

    assert_eq!(statement.currency.as_deref(), Some("RON"));
    let opening = statement.opening_balance.as_ref().unwrap();
    assert_eq!(opening.amount_minor, 544209);
    assert_eq!(opening.date.to_string(), "2025-07-23");
    assert!(statement.entries.is_empty());
    assert_eq!(statement.closing_balance, None);
}

#[test]
fn camt_multi_statement_first_statement() {
    // The expected JSON of this file lacks the first statement.
    let file = parse_fixture("camt053.v2.multi.statement.xml");
    assert_eq!(file.statements.len(), 2);

    let first = &file.statements[0];
    assert_eq!(first.id, "253EURNL26VAYB8060476890");
    assert_eq!(first.opening_balance.as_ref().unwrap().amount_minor, 1815);
    assert_eq!(first.closing_balance.as_ref().unwrap().amount_minor, 2700);
    assert_eq!(first.entries.len(), 1);

    let entry = &first.entries[0];
    assert_eq!(entry.amount_minor, 885);
    assert_eq!(entry.end_to_end_id.as_deref(), Some("000000001"));
    assert_eq!(
        entry.remittance_info.as_deref(),
        Some("Transaction Description 1")
    );
    assert_eq!(entry.line, 66);
}

#[test]
fn camt_credit_counterparty_is_debtor() {
    let file = parse_fixture("camt053.v2.minimal.xml");
    let entry = &file.statements[0].entries[0];

    assert!(entry.amount_minor > 0);
    assert_eq!(entry.counterparty_name.as_deref(), Some("NAME NAME"));
    assert_eq!(
        entry.counterparty_account.as_deref(),
        Some("NL56AGDH9619008421")
    );
    assert_eq!(
        entry.creditor_reference.as_deref(),
        Some("4654654654654654")
    );
    assert_eq!(entry.remittance_info, None);
}

#[test]
fn camt_debit_counterparty_is_creditor() {
    let file = parse_fixture("camt052.v4.xml");
    let entry = &file.statements[0].entries[0];

    assert!(entry.amount_minor < 0);
    assert_eq!(entry.counterparty_name.as_deref(), Some("UNIFITS GmbH"));
    assert_eq!(
        entry.counterparty_account.as_deref(),
        Some("CH2801234000123456789")
    );
    assert_eq!(
        entry.end_to_end_id.as_deref(),
        Some("UXC06140000015PI00001EE00001")
    );
}

#[test]
fn camt_ultimate_party_fills_counterparty_name() {
    let file = parse_fixture("camt053.v2.minimal.ultimate.xml");
    let entry = &file.statements[0].entries[0];

    assert_eq!(entry.counterparty_name.as_deref(), Some("DEBTOR NAME NM"));
    assert_eq!(entry.counterparty_account, None);
}

#[test]
fn camt_batch_entry_keeps_every_detail() {
    let file = parse_fixture("camt054.v4.xml");
    let entry = &file.statements[0].entries[0];

    assert_eq!(entry.details.len(), 3);
    assert_eq!(
        entry.batch_payment_id.as_deref(),
        Some("UXC06170000006PI00001")
    );
    // A batch has no single counterparty or reference.
    assert_eq!(entry.counterparty_name, None);
    assert_eq!(entry.end_to_end_id, None);

    // The details have CRDT inside a DBIT entry, and each keeps its own sign.
    assert_eq!(entry.amount_minor, -20000000);
    assert_eq!(entry.details[0].amount_minor, Some(310));
    assert_eq!(entry.details[0].currency.as_deref(), Some("CHF"));
    assert_eq!(
        entry.details[2].creditor_references,
        vec!["Ref number V3 block 1", "Ref number V3 block 2"]
    );
}

#[test]
fn camt054_has_no_balances() {
    for name in ["camt054.v2.xml", "camt054.v4.xml", "camt054.v8.xml"] {
        let file = parse_fixture(name);
        let statement = &file.statements[0];
        assert_eq!(statement.opening_balance, None, "{name}");
        assert_eq!(statement.closing_balance, None, "{name}");
        assert_eq!(statement.entries.len(), 1, "{name}");
    }
}

#[test]
fn camt_errors_name_element_and_value() {
    let original = String::from_utf8(read_fixture(&format!(
        "{CAMT_FOLDER}/camt053.v2.minimal.xml"
    )))
    .unwrap();
    let cases = [
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>\n                <RvslInd>",
            "<CdtDbtInd>CRED</CdtDbtInd>\n                <RvslInd>",
            "Stmt/Ntry/CdtDbtInd",
            "\"CRED\"",
        ),
        (
            "<RvslInd>false</RvslInd>",
            "<RvslInd>maybe</RvslInd>",
            "Ntry/RvslInd",
            "\"maybe\"",
        ),
        (
            "<Dt>2015-01-02</Dt>",
            "<Dt>2015-02-30</Dt>",
            "Ntry/ValDt/Dt",
            "\"2015-02-30\"",
        ),
        (
            "<Amt Ccy=\"EUR\">8.85</Amt>",
            "<Amt Ccy=\"EURO\">8.85</Amt>",
            "Ntry/Amt",
            "\"EURO\"",
        ),
        (
            "<Amt Ccy=\"EUR\">8.85</Amt>",
            "<Amt Ccy=\"EUR\">-8.85</Amt>",
            "Ntry/Amt",
            "\"-8.85\"",
        ),
        (
            "<Amt Ccy=\"EUR\">18.15</Amt>",
            "<Amt Ccy=\"EUR\">1,815</Amt>",
            "Stmt/Bal[1]/Amt",
            "\"1,815\"",
        ),
        (
            "<IBAN>NL26VAYB8060476890</IBAN>",
            "<BIC>NL26VAYB8060476890</BIC>",
            "Stmt/Acct",
            "missing account identification",
        ),
    ];
    for (from, to, path, value) in cases {
        assert!(original.contains(from), "fixture lacks {from}");
        let changed = original.replacen(from, to, 1);
        let error = parse_camt(changed.as_bytes()).unwrap_err();

        let message = error.to_string();
        assert!(matches!(error, StatementError::Camt { .. }), "{message}");
        assert!(message.contains(path), "{path} not in: {message}");
        assert!(message.contains(value), "{value} not in: {message}");
    }
}

#[test]
fn camt_unsupported_version_is_rejected() {
    let original =
        String::from_utf8(read_fixture(&format!("{CAMT_FOLDER}/camt053.v8.xml"))).unwrap();
    let changed = original.replace("camt.053.001.08", "camt.053.001.10");
    let error = parse(changed.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, StatementError::UnsupportedDocument { .. }),
        "{message}"
    );
    assert!(message.contains("camt.053.001.10"), "{message}");
}

#[test]
fn camt_non_utf8_is_rejected() {
    let mut bytes = read_fixture(&format!("{CAMT_FOLDER}/camt053.v2.minimal.xml"));
    let position = bytes
        .windows(4)
        .position(|window| window == b"NAME")
        .unwrap();
    bytes[position] = 0xC9;

    let error = parse(&bytes).unwrap_err();
    assert_eq!(error, StatementError::NotUtf8 { offset: position });
}

#[test]
fn camt_malformed_xml_names_line() {
    let original = String::from_utf8(read_fixture(&format!(
        "{CAMT_FOLDER}/camt053.v2.minimal.xml"
    )))
    .unwrap();
    let changed = original.replacen("</MsgId>", "</MsgIdent>", 1);
    let error = parse(changed.as_bytes()).unwrap_err();

    assert!(
        matches!(error, StatementError::Xml { line: 5, .. }),
        "{error}"
    );
}

#[test]
fn camt_doctype_is_rejected() {
    let document = b"<!DOCTYPE Document [<!ENTITY a \"aaaa\">]><Document/>";
    let error = parse(document).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, StatementError::Xml { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("DOCTYPE"), "{message}");
}

#[test]
fn camt_other_balances_keep_file_order() {
    let file = parse_fixture("camt053.v2.all-balance-types.xml");
    let statement = &file.statements[0];

    assert_eq!(
        statement.opening_balance.as_ref().unwrap().kind,
        BalanceKind::OpeningBooked
    );
    assert_eq!(
        statement.closing_balance.as_ref().unwrap().kind,
        BalanceKind::ClosingBooked
    );
    let kinds: Vec<BalanceKind> = statement
        .other_balances
        .iter()
        .map(|balance| balance.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![
            BalanceKind::PreviouslyClosedBooked,
            BalanceKind::OpeningAvailable,
            BalanceKind::ClosingAvailable,
            BalanceKind::ForwardAvailable,
            BalanceKind::Information,
            BalanceKind::InterimAvailable,
            BalanceKind::InterimBooked,
            BalanceKind::ExpectedCredit,
        ]
    );
}
