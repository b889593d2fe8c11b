//! Bank statement import: matching credits to accounts, the review queue,
//! repeated files and entries, returns, balance checks and bad files.
//!
//! The statements are in `tests/fixtures/bank-statements/recovery-desk/`.
//! Their payment details name accounts of `standard_clean.csv`: A-1 (Ana
//! Smith, owes 1,555.50 USD), A-2 (Bob Jones, owes 99.99 USD) and A-3 (EUR).

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

const A1_OWED: i64 = 155_550;
const A2_OWED: i64 = 9_999;

fn statement(name: &str) -> Vec<u8> {
    fixture(&format!("bank-statements/recovery-desk/{name}"))
}

/// Imports the standard placement file for the creditor "Acme" and returns the app and a manager's token.
async fn app_with_accounts() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    (app, token)
}

async fn account(app: &TestApp, token: &str, account_ref: &str) -> Value {
    let page: Value = app.get(token, &format!("/api/v1/accounts?q={account_ref}")).await.json().await.unwrap();
    let id = page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == account_ref).expect("account imported")["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(token, &format!("/api/v1/accounts/{id}")).await.json().await.unwrap()
}

async fn upload(app: &TestApp, token: &str, creditor: &str, file_name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("creditor", creditor.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
    app.client.post(app.url("/api/v1/bank-statements")).bearer_auth(token).multipart(form).send().await.unwrap()
}

/// Uploads a fixture for Acme and returns the import, failing on any status but 201.
async fn import(app: &TestApp, token: &str, name: &str) -> Value {
    let response = upload(app, token, "Acme", name, statement(name)).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "import of {name} failed: {body}");
    body
}

async fn entries(app: &TestApp, token: &str, import_id: &str) -> Vec<Value> {
    let page: Value =
        app.get(token, &format!("/api/v1/bank-statement-entries?import_id={import_id}&limit=500")).await.json().await.unwrap();
    page["items"].as_array().expect("entries page").clone()
}

fn entry_with<'a>(entries: &'a [Value], field: &str, value: &str) -> &'a Value {
    entries.iter().find(|e| e[field] == value).unwrap_or_else(|| panic!("no entry with {field} {value} in {entries:?}"))
}

fn count_of(import: &Value, status: &str) -> i64 {
    import["status_counts"].as_array().unwrap().iter().find(|c| c["status"] == status).map_or(0, |c| c["count"].as_i64().unwrap())
}

fn payment_count(app: &TestApp) -> i64 {
    let mut conn = app.db();
    api::db::schema::payments::table.count().get_result(&mut conn).unwrap()
}

fn assert_ledger_verifies(app: &TestApp) {
    let mut conn = app.db();
    let violations = api::services::ledger::verify(&mut conn).unwrap();
    assert!(violations.is_empty(), "ledger violations: {violations:?}");
}

async fn match_entry(app: &TestApp, token: &str, entry: &str, key: &str, account_id: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/bank-statement-entries/{entry}/match")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({ "account_id": account_id }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn camt053_posts_and_queues() {
    let (app, token) = app_with_accounts().await;
    let import = import(&app, &token, "camt053_day1.xml").await;

    assert_eq!(import["format"], "camt053");
    assert_eq!(import["entry_count"], 5);
    assert_eq!(import["repeated_entry_count"], 0);
    assert_eq!(import["unbalanced_statement_count"], 0);
    assert_eq!(import["statements"][0]["balance_check"], "balanced");
    assert_eq!(import["statements"][0]["bank_account"], "GB00RDTS00000000000001");
    assert_eq!(import["statements"][0]["opening_balance"], 100_000);
    assert_eq!(import["statements"][0]["closing_balance"], 123_999);
    assert_eq!(count_of(&import, "matched_posted"), 1);
    assert_eq!(count_of(&import, "needs_review"), 3);
    assert_eq!(count_of(&import, "ignored_debit"), 1);

    let all = entries(&app, &token, import["id"].as_str().unwrap()).await;
    assert_eq!(all.len(), 5, "every entry is stored");

    // The reference A-1 in the remittance text names one account: posted.
    let a1 = account(&app, &token, "A-1").await;
    let posted = entry_with(&all, "bank_reference", "BANKREF-001");
    assert_eq!(posted["status"], "matched_posted");
    assert_eq!(posted["confidence"], 100);
    assert_eq!(posted["account_id"], a1["id"]);
    let payment: Value =
        app.get(&token, &format!("/api/v1/payments/{}", posted["payment_id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(payment["amount"], 10_000);
    assert_eq!(payment["method"], "bank_transfer");
    assert_eq!(payment["instrument"]["reference"], "BANKREF-001");
    assert_eq!(payment["received_on"], "2026-11-20");
    assert_eq!(a1["balance"]["total"], A1_OWED - 10_000);

    // Name and balance agree with A-2, but that scores 80, under the threshold.
    let by_name = entry_with(&all, "bank_reference", "BANKREF-002");
    assert_eq!(by_name["status"], "needs_review");
    assert_eq!(by_name["confidence"], 80);
    assert_eq!(by_name["candidates"][0]["account_ref"], "A-2");
    assert!(by_name["payment_id"].is_null());

    // Two references in one text: ambiguous.
    let ambiguous = entry_with(&all, "bank_reference", "BANKREF-003");
    assert_eq!(ambiguous["status"], "needs_review");
    let refs: Vec<&str> = ambiguous["candidates"].as_array().unwrap().iter().map(|c| c["account_ref"].as_str().unwrap()).collect();
    assert_eq!(refs, ["A-1", "A-2"]);
    assert!(ambiguous["candidates"].as_array().unwrap().iter().all(|c| c["confidence"] == 60));

    let fee = entry_with(&all, "bank_reference", "BANKREF-004");
    assert_eq!(fee["status"], "ignored_debit");
    assert_eq!(fee["amount"], -2_000);

    let unknown = entry_with(&all, "bank_reference", "BANKREF-005");
    assert_eq!(unknown["status"], "needs_review");
    assert_eq!(unknown["candidates"], json!([]));

    assert_eq!(payment_count(&app), 1);
    assert_ledger_verifies(&app);
}

#[tokio::test]
async fn review_queue_match_and_dismiss() {
    let (app, token) = app_with_accounts().await;
    let import = import(&app, &token, "camt053_day1.xml").await;
    let assistant = app.token_for(Role::Assistant).await;

    let queue: Value = app.get(&assistant, "/api/v1/bank-statement-entries?status=needs_review&limit=2").await.json().await.unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 2);
    let cursor = queue["next_cursor"].as_str().expect("a second page");
    let rest: Value = app
        .get(&assistant, &format!("/api/v1/bank-statement-entries?status=needs_review&limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());

    // A manager matches the name-and-balance candidate by hand.
    let all = entries(&app, &token, import["id"].as_str().unwrap()).await;
    let by_name = entry_with(&all, "bank_reference", "BANKREF-002");
    let entry_id = by_name["id"].as_str().unwrap();
    let a2 = account(&app, &token, "A-2").await;
    let a2_id = a2["id"].as_str().unwrap();
    let response = match_entry(&app, &token, entry_id, "match-1", a2_id).await;
    assert_eq!(response.status(), 200);
    let matched: Value = response.json().await.unwrap();
    assert_eq!(matched["status"], "manually_matched");
    assert_eq!(matched["account_id"], a2["id"]);
    assert_eq!(matched["confidence"], 80);
    assert!(matched["reviewed_by"].is_string());
    assert_eq!(account(&app, &token, "A-2").await["balance"]["total"], 0);

    // A retry with the same key replays; another key finds the entry matched.
    let retry = match_entry(&app, &token, entry_id, "match-1", a2_id).await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["Idempotent-Replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), matched);
    let again = match_entry(&app, &token, entry_id, "match-2", a2_id).await;
    assert_error(again, 409, "conflict").await;
    assert_eq!(payment_count(&app), 2);

    // A request without a key and an unknown account are rejected.
    let no_key = app.post_json(&token, &format!("/api/v1/bank-statement-entries/{entry_id}/match"), &json!({ "account_id": a2_id })).await;
    assert_error(no_key, 400, "idempotency_key_missing").await;
    let unknown = entry_with(&all, "bank_reference", "BANKREF-005")["id"].as_str().unwrap().to_string();
    let nobody = match_entry(&app, &token, &unknown, "match-3", "00000000-0000-7000-8000-000000000000").await;
    assert_error(nobody, 404, "not_found").await;

    // The assistant dismisses the unknown payer's credit with a reason.
    let empty = app.post_json(&assistant, &format!("/api/v1/bank-statement-entries/{unknown}/dismiss"), &json!({ "reason": "  " })).await;
    let body = assert_error(empty, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    let dismissed = app
        .post_json(&assistant, &format!("/api/v1/bank-statement-entries/{unknown}/dismiss"), &json!({ "reason": "refund from a supplier" }))
        .await;
    assert_eq!(dismissed.status(), 200);
    let dismissed: Value = dismissed.json().await.unwrap();
    assert_eq!(dismissed["status"], "dismissed");
    assert_eq!(dismissed["dismiss_reason"], "refund from a supplier");
    let twice =
        app.post_json(&assistant, &format!("/api/v1/bank-statement-entries/{unknown}/dismiss"), &json!({ "reason": "again" })).await;
    assert_error(twice, 409, "conflict").await;

    let fee = entry_with(&all, "bank_reference", "BANKREF-004")["id"].as_str().unwrap().to_string();
    let debit = app.post_json(&token, &format!("/api/v1/bank-statement-entries/{fee}/dismiss"), &json!({ "reason": "fee" })).await;
    assert_error(debit, 409, "conflict").await;

    let queue: Value = app.get(&assistant, "/api/v1/bank-statement-entries?status=needs_review").await.json().await.unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1, "only the ambiguous credit is left");

    let summary: Value =
        app.get(&token, &format!("/api/v1/bank-statements/{}", import["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(count_of(&summary, "manually_matched"), 1);
    assert_eq!(count_of(&summary, "dismissed"), 1);
    assert_eq!(count_of(&summary, "needs_review"), 1);

    let mut conn = app.db();
    let actions: Vec<String> = api::db::schema::audit_log::table
        .filter(api::db::schema::audit_log::entity_type.eq("bank_statement_entry"))
        .select(api::db::schema::audit_log::action)
        .order(api::db::schema::audit_log::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(actions, ["bank_statement_entry.matched", "bank_statement_entry.matched_by_hand", "bank_statement_entry.dismissed"]);
    assert_ledger_verifies(&app);
}

#[tokio::test]
async fn same_file_twice_posts_nothing_twice() {
    let (app, token) = app_with_accounts().await;
    let first = import(&app, &token, "camt053_day1.xml").await;
    let again = upload(&app, &token, "acme", "copy.xml", statement("camt053_day1.xml")).await;
    let body = assert_error(again, 409, "conflict").await;
    assert_eq!(body["error"]["fields"][0]["code"], "already_imported");
    assert!(body["error"]["message"].as_str().unwrap().contains(first["id"].as_str().unwrap()));
    assert_eq!(payment_count(&app), 1);

    let list: Value = app.get(&token, "/api/v1/bank-statements").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["open_review_count"], 3);
}

#[tokio::test]
async fn next_statement_repeat_and_return() {
    let (app, token) = app_with_accounts().await;
    let day1 = import(&app, &token, "camt053_day1.xml").await;
    let day1_entries = entries(&app, &token, day1["id"].as_str().unwrap()).await;
    let original = entry_with(&day1_entries, "bank_reference", "BANKREF-001").clone();

    let day2 = import(&app, &token, "camt053_day2_return.xml").await;
    assert_eq!(day2["entry_count"], 2);
    assert_eq!(day2["repeated_entry_count"], 1, "the A-1 credit was in yesterday's statement");
    assert_eq!(day2["repeated_entries"][0]["entry_id"], original["id"]);
    assert_eq!(count_of(&day2, "reversed_payment"), 1);

    let returned = &entries(&app, &token, day2["id"].as_str().unwrap()).await[0];
    assert_eq!(returned["status"], "reversed_payment");
    assert_eq!(returned["reversal"], true);
    assert_eq!(returned["return_reason"], "AM04");
    assert_eq!(returned["payment_id"], original["payment_id"]);

    let payment: Value =
        app.get(&token, &format!("/api/v1/payments/{}", original["payment_id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(payment["status"], "reversed");
    assert_eq!(payment["reversal"]["reason"], "nsf");
    assert_eq!(account(&app, &token, "A-1").await["balance"]["total"], A1_OWED);
    assert_eq!(payment_count(&app), 1, "the repeated credit posted nothing");
    assert_ledger_verifies(&app);
}

#[tokio::test]
async fn unreferenced_entry_recognised_again() {
    let (app, token) = app_with_accounts().await;
    let first = import(&app, &token, "mt940_no_bank_ref.sta").await;
    assert_eq!(count_of(&first, "matched_posted"), 1);
    let credit = entries(&app, &token, first["id"].as_str().unwrap()).await[0].clone();
    assert!(credit["bank_reference"].is_null());

    // Another statement number over an overlapping period: the credit again, then its return.
    let overlap = import(&app, &token, "mt940_no_bank_ref_overlap.sta").await;
    assert_eq!(overlap["entry_count"], 2);
    assert_eq!(overlap["repeated_entry_count"], 1);
    assert_eq!(overlap["repeated_entries"][0]["entry_id"], credit["id"]);
    assert_eq!(overlap["repeated_entries"][0]["line"], 5);

    let returned = &entries(&app, &token, overlap["id"].as_str().unwrap()).await[0];
    assert_eq!(returned["status"], "reversed_payment", "{returned}");
    assert_eq!(returned["reversal"], false, "a plain debit with the credit's end-to-end id");
    let payment: Value =
        app.get(&token, &format!("/api/v1/payments/{}", credit["payment_id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(payment["reversal"]["reason"], "account_closed");
    assert_eq!(account(&app, &token, "A-2").await["balance"]["total"], A2_OWED);
    assert_eq!(payment_count(&app), 1);
    assert_ledger_verifies(&app);
}

#[tokio::test]
async fn mt940_import_and_balance_mismatch_flag() {
    let (app, token) = app_with_accounts().await;
    let day1 = import(&app, &token, "mt940_day1.sta").await;
    assert_eq!(day1["format"], "mt940");
    assert_eq!(day1["statements"][0]["balance_check"], "balanced");
    assert_eq!(count_of(&day1, "matched_posted"), 1);
    assert_eq!(count_of(&day1, "ignored_debit"), 1);
    let posted = entry_with(&entries(&app, &token, day1["id"].as_str().unwrap()).await, "bank_reference", "MTREF-001").clone();
    assert_eq!(posted["end_to_end_id"], "E2E-MT-1");
    assert_eq!(posted["counterparty_name"], "Bob Jones");
    assert_eq!(account(&app, &token, "A-2").await["balance"]["total"], A2_OWED - 2_000);

    let unbalanced = import(&app, &token, "mt940_unbalanced.sta").await;
    assert_eq!(unbalanced["unbalanced_statement_count"], 1);
    let checked = &unbalanced["statements"][0];
    assert_eq!(checked["balance_check"], "mismatch");
    assert!(checked["balance_check_message"].as_str().unwrap().contains("difference 48400"), "{checked}");
    assert_eq!(count_of(&unbalanced, "matched_posted"), 1, "the entries are kept and matched all the same");
    assert_eq!(account(&app, &token, "A-2").await["balance"]["total"], A2_OWED - 3_500);
    assert_ledger_verifies(&app);
}

#[tokio::test]
async fn unreadable_files_are_rejected_with_the_place() {
    let (app, token) = app_with_accounts().await;
    let bad = upload(&app, &token, "Acme", "bad.sta", statement("mt940_bad_balance.sta")).await;
    let body = assert_error(bad, 400, "validation_failed").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 4"), "{message}");
    assert_eq!(body["error"]["fields"][0]["field"], "file");

    let camt = String::from_utf8(statement("camt053_day1.xml")).unwrap().replacen(
        "<Amt Ccy=\"USD\">100.00</Amt>",
        "<Amt Ccy=\"USD\">1O0.00</Amt>",
        1,
    );
    let bad = upload(&app, &token, "Acme", "bad.xml", camt.into_bytes()).await;
    let body = assert_error(bad, 400, "validation_failed").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("/Document/BkToCstmrStmt/Stmt/Ntry[1]/Amt"), "{message}");

    let placement = upload(&app, &token, "Acme", "a.csv", fixture("standard_clean.csv")).await;
    let body = assert_error(placement, 400, "validation_failed").await;
    assert!(!body["error"]["message"].as_str().unwrap().contains("Ana"), "the file's text stays out of the message");

    let intraday = upload(&app, &token, "Acme", "r.xml", fixture("bank-statements/camt-genkgo/test/data/camt052.v2.xml")).await;
    assert_error(intraday, 400, "validation_failed").await;

    let nobody = upload(&app, &token, "No Such Creditor", "s.sta", statement("mt940_day1.sta")).await;
    let body = assert_error(nobody, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "creditor");

    let no_file = app
        .client
        .post(app.url("/api/v1/bank-statements"))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().text("creditor", "Acme"))
        .send()
        .await
        .unwrap();
    let body = assert_error(no_file, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "file");

    assert_eq!(payment_count(&app), 0);
    let list: Value = app.get(&token, "/api/v1/bank-statements").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]), "a rejected file stores nothing");
}

#[tokio::test]
async fn roles_for_import_and_review() {
    let (app, _) = app_with_accounts().await;
    let assistant = app.token_for(Role::Assistant).await;
    let collector = app.token_for(Role::Collector).await;
    assert_error(upload(&app, &assistant, "Acme", "s.sta", statement("mt940_day1.sta")).await, 403, "forbidden").await;
    assert_eq!(app.get(&assistant, "/api/v1/bank-statements").await.status(), 200);
    assert_error(app.get(&collector, "/api/v1/bank-statement-entries").await, 403, "forbidden").await;
    assert_error(app.get(&assistant, "/api/v1/bank-statement-entries?status=waiting").await, 400, "validation_failed").await;
    assert_error(app.get(&assistant, "/api/v1/bank-statements/not-a-uuid").await, 400, "invalid_path").await;
}

#[tokio::test]
async fn tables_and_routes_are_registered() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
    }
    let with_creditor: Vec<String> = diesel::sql_query(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'creditor_id'",
    )
    .load::<Table>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|t| t.table_name)
    .collect();
    for table in ["bank_statement_imports", "bank_statements", "bank_statement_entries"] {
        assert!(with_creditor.iter().any(|t| t == table), "{table} lacks creditor_id");
    }

    let doc: Value = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/bank-statements",
        "/api/v1/bank-statements/{id}",
        "/api/v1/bank-statement-entries",
        "/api/v1/bank-statement-entries/{id}/match",
        "/api/v1/bank-statement-entries/{id}/dismiss",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}

/// The "Bank statements" page in headless Chromium. It needs the built web
/// app in `web/dist`, as the tests in `browser.rs` do (`make test` builds it).
mod page {
    use std::net::TcpListener;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    use shared::users::Role;
    use thirtyfour::prelude::*;

    use crate::helpers::{fixture, tempdir::TempDir, TestApp};

    /// ChromeDriver on a free loopback port, stopped on drop.
    struct ChromeDriver {
        child: Child,
        port: u16,
        _scratch: TempDir,
    }

    impl Drop for ChromeDriver {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    async fn start_browser(scratch: TempDir) -> (ChromeDriver, WebDriver) {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let profile_dir = scratch.path().join("profile");
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch.path())
            .env("XDG_CACHE_HOME", scratch.path())
            .env("XDG_CONFIG_HOME", scratch.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed; run `make test`, which installs chromium and chromium-driver");
        let driver = ChromeDriver { child, port, _scratch: scratch };

        let mut caps = DesiredCapabilities::chrome();
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("Chromium is not installed; run `make test`, which installs it");
        caps.set_binary(chromium).unwrap();
        for arg in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,900"] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile_dir.display())).unwrap();
        let url = format!("http://127.0.0.1:{}", driver.port);
        for _ in 0..50 {
            if let Ok(browser) = WebDriver::new(&url, caps.clone()).await {
                return (driver, browser);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("ChromeDriver did not start on {url}");
    }

    async fn wait_for(browser: &WebDriver, by: By) -> WebElement {
        browser
            .query(by.clone())
            .wait(Duration::from_secs(30), Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|e| panic!("{by:?} did not appear: {e}"))
    }

    /// Polls the `data-status` of the queue row of `entry_id` until it is `status`, for 30 s.
    async fn wait_for_row_status(browser: &WebDriver, entry_id: &str, status: &str) -> String {
        let mut seen = String::new();
        for _ in 0..300 {
            if let Ok(row) = browser.find(By::Css(format!("#review-queue tr[data-entry-id='{entry_id}']"))).await {
                seen = row.attr("data-status").await.ok().flatten().unwrap_or_default();
                if seen == status {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn statement_page_uploads_and_matches() {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
        assert!(dist.join("index.html").is_file(), "web/dist is not built; run `make web` (make test does) first");
        let app = TestApp::spawn_with(Some(dist)).await;
        app.create_user("manager@example.com", "a long browser password", Role::Manager);
        let login: serde_json::Value = app.login("manager@example.com", "a long browser password").await.json().await.unwrap();
        let token = login["access_token"].as_str().unwrap().to_string();
        app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;

        let (_driver, browser) = start_browser(TempDir::new("recovery-desk-browser")).await;
        let result = async {
            browser.goto(&app.url("/")).await?;
            wait_for(&browser, By::Id("login-email")).await.send_keys("manager@example.com").await?;
            browser.find(By::Id("login-password")).await?.send_keys("a long browser password").await?;
            browser.find(By::Id("login-submit")).await?.click().await?;
            wait_for(&browser, By::Id("nav-bank-statements")).await.click().await?;

            let creditor = wait_for(&browser, By::Css("#statement-creditor option:not([value=''])")).await;
            creditor.click().await?;
            let file =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bank-statements/recovery-desk/camt053_day1.xml").canonicalize()?;
            browser.find(By::Id("statement-file")).await?.send_keys(file.to_string_lossy()).await?;
            browser.find(By::Id("statement-submit")).await?.click().await?;
            let summary = wait_for(&browser, By::Id("statement-import-result")).await.text().await?;
            assert!(summary.contains("Imported 5 entries"), "{summary}");
            assert!(summary.contains("balances add up"), "{summary}");

            // The queue contains the three credits that need review; match the one from "JONES BOB" to A-2.
            let entries: serde_json::Value =
                app.get(&token, "/api/v1/bank-statement-entries?status=needs_review").await.json().await.unwrap();
            let jones = entries["items"].as_array().unwrap().iter().find(|e| e["bank_reference"] == "BANKREF-002").unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string();
            let row = wait_for(&browser, By::Css(format!("#review-queue tr[data-entry-id='{jones}']"))).await;
            let rows = browser.find_all(By::Css("#review-queue tr[data-entry-id]")).await?;
            assert_eq!(rows.len(), 3);
            let input = row.find(By::ClassName("match-ref")).await?;
            assert_eq!(input.prop("value").await?.as_deref(), Some("A-2"), "the best candidate is filled in");
            row.find(By::ClassName("match-button")).await?.click().await?;
            assert_eq!(wait_for_row_status(&browser, &jones, "manually_matched").await, "manually_matched");

            if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
                let path = Path::new(&path);
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("screenshot");
                browser.screenshot(&path.with_file_name(format!("{stem}-bank-statements.png"))).await?;
            }
            anyhow::Ok(())
        }
        .await;
        browser.quit().await.ok();
        result.unwrap();

        let a2: serde_json::Value = app.get(&token, "/api/v1/accounts?q=A-2").await.json().await.unwrap();
        assert_eq!(a2["items"][0]["balance"]["total"], 0, "the match posted A-2's balance");
    }
}
