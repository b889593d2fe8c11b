use serde_json::Value;
use shared::imports::{ImportReport, ImportStatus};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

fn assert_counts_add_up(report: &ImportReport) {
    assert_eq!(
        report.rows,
        report.imported + report.updated + report.unchanged + report.skipped + report.rejected,
        "rows must equal the sum of the outcomes: {report:?}"
    );
}

fn rejection_codes(report: &ImportReport) -> Vec<(u64, String)> {
    report.rejected_rows.iter().map(|r| (r.line, r.code.clone())).collect()
}

#[tokio::test]
async fn lending_club_profile_keeps_delinquent_loans() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let report = app.import_file(&token, "lending_club", "Lending Club", "lc.csv", fixture("lending_club_small.csv")).await;

    assert_eq!(report.status, ImportStatus::Completed);
    assert_counts_add_up(&report);
    assert_eq!(report.rows, 11);
    assert_eq!(report.imported, 4);
    assert_eq!(report.skipped, 4);
    assert_eq!(report.rejected, 3);
    assert_eq!(report.rounded_amounts, 1, "out_prncp 5123.456789 is rounded to cents");
    assert_eq!(report.missing_name, 4);
    assert_eq!(report.no_valid_contact, 4);
    let reasons: Vec<(String, u64)> = report.skipped_reasons.iter().map(|r| (r.reason.clone(), r.count)).collect();
    assert!(reasons.contains(&("charged off, debt settlement complete".to_string(), 1)), "{reasons:?}");
    assert!(reasons.contains(&("loan fully paid".to_string(), 2)), "{reasons:?}");
    assert!(reasons.contains(&("loan current".to_string(), 1)), "{reasons:?}");
    assert_eq!(
        rejection_codes(&report),
        [(10, "zero_balance".to_string()), (11, "unknown_status".to_string()), (12, "invalid_date".to_string())]
    );
    assert_eq!(report.rejected_rows[2].column.as_deref(), Some("issue_d"));
}

#[tokio::test]
async fn lending_club_charged_off_balance_subtracts_recoveries() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "lending_club", "Lending Club", "lc.csv", fixture("lending_club_small.csv")).await;

    let page: Value = app.get(&token, "/api/v1/accounts?sort=account_ref").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    let balance = |reference: &str| {
        items.iter().find(|a| a["account_ref"] == reference).map(|a| a["balance"]["total"].as_i64().unwrap())
    };
    // funded 10,000.00 - received principal 4,000.00 - recoveries 500.00; the agency fee does not count.
    assert_eq!(balance("1001"), Some(550_000));
    assert_eq!(balance("1003"), Some(512_346));
    assert_eq!(balance("1004"), Some(120_000));
    assert_eq!(balance("1007"), Some(500_000));
    assert_eq!(balance("1002"), None, "a completed settlement is skipped");

    let account = items.iter().find(|a| a["account_ref"] == "1001").unwrap();
    // Last payment Mar-2018 means 1 March 2018; the first missed due date is a month later.
    assert_eq!(account["last_payment_on"], "2018-03-01");
    assert_eq!(account["delinquent_since"], "2018-04-01");
    assert_eq!(account["contact_flags"]["name_missing"], true);
}

#[tokio::test]
async fn reimport_changes_nothing_and_update_adjusts_ledger() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let first = app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    assert_eq!(first.imported, 3);

    let again = app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    assert_counts_add_up(&again);
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 3));

    let changed = String::from_utf8(fixture("standard_clean.csv")).unwrap().replace("A-2,D-2,Bob Jones,USD,99.99", "A-2,D-2,Bob Jones,USD,120.00");
    let update = app.import_file(&token, "standard", "Acme", "a.csv", changed.into_bytes()).await;
    assert_eq!((update.imported, update.updated, update.unchanged), (0, 1, 2));

    let page: Value = app.get(&token, "/api/v1/accounts?q=A-2").await.json().await.unwrap();
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let detail: Value = app.get(&token, &format!("/api/v1/accounts/{id}")).await.json().await.unwrap();
    assert_eq!(detail["balance"]["principal"], 12_000);
    let kinds: Vec<&str> = detail["ledger"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["placement", "placement_adjustment"]);
    assert_eq!(detail["ledger"][1]["change"]["principal"], 2_001);
}

#[tokio::test]
async fn bom_semicolons_decimal_commas_and_blank_lines() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let mut profile = standard_profile_config();
    profile["decimal_separator"] = "comma".into();
    let created = app.post_json(&token, "/api/v1/import-profiles", &serde_json::json!({ "name": "euro_semicolon", "config": profile })).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());

    let report = app.import_file(&token, "euro_semicolon", "Euro GmbH", "e.csv", fixture("standard_bom_semicolon_comma.csv")).await;
    assert_eq!(report.status, ImportStatus::Completed, "{:?}", report.failure);
    assert_counts_add_up(&report);
    assert_eq!(report.imported, 3);
    assert_eq!(report.empty_lines, 3, "two blank lines and one row of empty fields");
    assert_eq!(report.skipped, 3);
    assert_eq!(report.rounded_amounts, 1, "10,005 has a third decimal");
    assert_eq!(report.rejected, 0, "{:?}", report.rejected_rows);

    let page: Value = app.get(&token, "/api/v1/accounts?q=B-1").await.json().await.unwrap();
    let account = &page["items"][0];
    assert_eq!(account["balance"]["principal"], 123_456);
    assert_eq!(account["balance"]["interest"], 50);
    assert_eq!(account["debtor_name"], "Zoë Müller", "the byte-order mark must not reach the data");
    let detail: Value = app.get(&token, &format!("/api/v1/accounts/{}", account["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(detail["debtor"]["addresses"][0]["line1"], "Hauptstr. 1\nHinterhaus");
    assert_eq!(detail["debtor"]["phones"][0]["e164"], "+49301234567");

    let b2: Value = app.get(&token, "/api/v1/accounts?q=B-2").await.json().await.unwrap();
    assert_eq!(b2["items"][0]["balance"]["principal"], 1_000, "10,005 rounds half to even");
}

#[tokio::test]
async fn latin1_tabs_and_padded_headers() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let report = app.import_file(&token, "standard", "Latin", "l.csv", fixture("standard_latin1_tabs.csv")).await;
    assert_eq!(report.status, ImportStatus::Completed, "{:?}", report.failure);
    assert_eq!(report.imported, 2, "{:?}", report.rejected_rows);
    let page: Value = app.get(&token, "/api/v1/accounts?sort=account_ref").await.json().await.unwrap();
    assert_eq!(page["items"][0]["debtor_name"], "François Lefèvre");
    assert_eq!(page["items"][1]["debtor_name"], "Søren Ødegård");
}

#[tokio::test]
async fn every_rejected_line_is_reported() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let report = app.import_file(&token, "standard", "Rejects", "r.csv", fixture("standard_rejects.csv")).await;
    assert_counts_add_up(&report);
    assert_eq!(report.rows, 10);
    assert_eq!(report.imported, 1);
    assert_eq!(report.rejected, 9);
    assert_eq!(
        rejection_codes(&report),
        [
            (2, "invalid_amount".to_string()),
            (3, "invalid_date".to_string()),
            (4, "invalid_currency".to_string()),
            (6, "duplicate_account_ref".to_string()),
            (7, "zero_balance".to_string()),
            (8, "negative_amount".to_string()),
            (9, "wrong_field_count".to_string()),
            (10, "missing".to_string()),
            (11, "missing".to_string()),
        ]
    );
    assert_eq!(report.rejected_rows[0].column.as_deref(), Some("principal"));
    assert!(report.rejected_rows[0].message.contains("'abc'"), "the message names the value");

    let csv = app.get(&token, &format!("/api/v1/imports/{}/report.csv", report.id)).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.contains("rejected,9,principal,negative_amount") || text.contains("rejected,8,principal,negative_amount"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("rejected,")).count(), 9);
}

#[tokio::test]
async fn unreadable_file_fails_with_reason() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let report = app.import_file(&token, "standard", "Acme", "wrong.csv", b"name,amount\nx,1\n".to_vec()).await;
    assert_eq!(report.status, ImportStatus::Failed);
    let failure = report.failure.unwrap();
    assert!(failure.contains("'account_ref'"), "{failure}");
    assert!(failure.contains("'principal'"), "{failure}");

    let empty = app.import_file(&token, "standard", "Acme", "empty.csv", Vec::new()).await;
    assert_eq!(empty.status, ImportStatus::Failed);
    assert_eq!(empty.rows, 0);
}

#[tokio::test]
async fn upload_checks_form_and_role() {
    let app = TestApp::spawn().await;
    let manager = app.token_for(Role::Manager).await;
    let assistant = app.token_for(Role::Assistant).await;
    assert_error(app.upload(&assistant, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await, 403, "forbidden").await;
    let body = assert_error(app.upload(&manager, "nope", "Acme", "a.csv", fixture("standard_clean.csv")).await, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "profile");
    assert!(body["error"]["message"].as_str().unwrap().contains("lending_club"), "lists the known profiles");
    let body = assert_error(app.upload(&manager, "standard", " ", "a.csv", fixture("standard_clean.csv")).await, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "creditor");
}

#[tokio::test]
async fn profile_creation_checks_every_setting() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Admin).await;
    let mut config = standard_profile_config();
    config["default_currency"] = "EURO".into();
    config["default_country"] = "Germany".into();
    config["date_formats"] = serde_json::json!(["%d/%m"]);
    let body = assert_error(
        app.post_json(&token, "/api/v1/import-profiles", &serde_json::json!({ "name": "Bad Name", "config": config })).await,
        400,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "config.default_currency", "config.default_country", "config.date_formats"]);
}

#[tokio::test]
async fn imports_list_newest_first() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let first = app.import_file(&token, "standard", "Acme", "one.csv", fixture("standard_clean.csv")).await;
    let second = app.import_file(&token, "standard", "Acme", "two.csv", fixture("standard_clean.csv")).await;
    let page: Value = app.get(&token, "/api/v1/imports?limit=1").await.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], second.id.to_string());
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let next: Value = app.get(&token, &format!("/api/v1/imports?limit=1&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(next["items"][0]["id"], first.id.to_string());
    assert!(next["next_cursor"].is_null());
}

/// Returns the built-in `standard` profile's settings, a starting point for custom profiles.
pub fn standard_profile_config() -> Value {
    serde_json::json!({
        "kind": "columns",
        "date_formats": ["%Y-%m-%d"],
        "default_currency": "USD",
        "default_country": "US",
        "columns": {
            "account_ref": "account_ref", "debtor_ref": "debtor_ref", "debtor_name": "debtor_name",
            "currency": "currency", "principal": "principal", "interest": "interest", "fees": "fees",
            "delinquent_since": "delinquent_since", "address_line1": "address_line1", "city": "city",
            "region": "region", "postal_code": "postal_code", "country": "country",
            "phones": ["phone"], "emails": ["email"]
        }
    })
}

#[tokio::test]
async fn nul_bytes_and_duplicate_headers_are_caught() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = b"account_ref,debtor_name,principal\nN-1,Bad\x00Name,10.00\nN-2,Good,11.00\n".to_vec();
    let report = app.import_file(&token, "standard", "Acme", "nul.csv", file).await;
    assert_eq!(report.status, ImportStatus::Completed);
    assert_eq!((report.imported, report.rejected), (1, 1));
    assert_eq!(report.rejected_rows[0].code, "invalid_character");
    assert_eq!(report.rejected_rows[0].column.as_deref(), Some("debtor_name"));

    let duplicate = b"account_ref,principal,principal\nD-1,10.00,20.00\n".to_vec();
    let report = app.import_file(&token, "standard", "Acme", "dup.csv", duplicate).await;
    assert_eq!(report.status, ImportStatus::Failed);
    assert!(report.failure.unwrap().contains("'principal' more than once"));
}

#[tokio::test]
async fn carriage_return_line_endings_keep_every_row() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = b"account_ref,principal\rM-1,10.00\rM-2,11.00\r".to_vec();
    let report = app.import_file(&token, "standard", "Acme", "mac.csv", file).await;
    assert_eq!(report.rows, 2);
    assert_eq!(report.imported, 2);
}

#[tokio::test]
async fn misplaced_thousands_separator_is_rejected() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = b"account_ref,principal\nC-1,\"1.234,56\"\nC-2,\"12,34\"\nC-3,\"1,234.50\"\n".to_vec();
    let report = app.import_file(&token, "standard", "Acme", "commas.csv", file).await;
    assert_eq!(report.imported, 1, "{:?}", report.rejected_rows);
    assert_eq!(rejection_codes(&report), [(2, "invalid_amount".to_string()), (3, "invalid_amount".to_string())]);
}

#[tokio::test]
async fn simultaneous_uploads_of_one_file_both_finish() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let rows: String = (0..3000).map(|i| format!("S-{i},{}.00\n", i + 1)).collect();
    let file = format!("account_ref,principal\n{rows}").into_bytes();
    let (first, second) = tokio::join!(
        app.import_file(&token, "standard", "Acme", "a.csv", file.clone()),
        app.import_file(&token, "standard", "Acme", "a.csv", file.clone()),
    );
    assert_eq!(first.status, ImportStatus::Completed, "{:?}", first.failure);
    assert_eq!(second.status, ImportStatus::Completed, "{:?}", second.failure);
    assert_eq!(first.imported + second.imported, 3000);
    assert_eq!(first.unchanged + second.unchanged, 3000);
}
