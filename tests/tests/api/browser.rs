//! The web app in headless Chromium, driven through ChromeDriver: sign in,
//! import a small file and find its accounts in the worklist; post a cheque
//! on an account, open its receipt and reverse it; design a settlement that
//! needs approval and approve it as a manager; log a call with a promise and
//! see why a late-evening call is not allowed; preview and generate a letter
//! from a template; raise a dispute and record its verification.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use shared::plans::RepaymentPolicy;
use shared::users::Role;
use thirtyfour::prelude::*;

use crate::helpers::{fixture, tempdir::TempDir, TestApp};

/// ChromeDriver on a free loopback port, stopped on drop.
struct ChromeDriver {
    child: Child,
    port: u16,
    _scratch: TempDir,
}

impl ChromeDriver {
    fn start(scratch: TempDir) -> ChromeDriver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch.path())
            .env("XDG_CACHE_HOME", scratch.path())
            .env("XDG_CONFIG_HOME", scratch.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed; run `make test`, which installs chromium and chromium-driver");
        ChromeDriver { child, port, _scratch: scratch }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn web_dist() -> PathBuf {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    assert!(dist.join("index.html").is_file(), "web/dist is not built; run `make web` (make test does) before the browser test");
    dist
}

async fn browser(driver: &ChromeDriver, profile_dir: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Chromium is not installed; run `make test`, which installs it");
    caps.set_binary(chromium).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile_dir.display())).unwrap();
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..50 {
        if let Ok(browser) = WebDriver::new(&url, caps.clone()).await {
            return browser;
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

/// Signs in through the login page and waits for the signed-in page.
async fn sign_in(browser: &WebDriver, app: &TestApp, email: &str, password: &str) -> WebDriverResult<()> {
    browser.goto(&app.url("/")).await?;
    wait_for(browser, By::Id("login-email")).await.send_keys(email).await?;
    browser.find(By::Id("login-password")).await?.send_keys(password).await?;
    browser.find(By::Id("login-submit")).await?.click().await?;
    wait_for(browser, By::Id("nav-worklist")).await;
    Ok(())
}

/// Polls the text of the element `by` finds until `done` accepts it, for 30 s,
/// and returns the last text. The element is found again on every poll,
/// because the page may redraw it.
async fn wait_for_text(browser: &WebDriver, by: By, done: impl Fn(&str) -> bool) -> String {
    let mut text = String::new();
    for _ in 0..300 {
        if let Ok(element) = browser.find(by.clone()).await {
            text = element.text().await.unwrap_or_default();
            if done(&text) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    text
}

/// Sets a date input as a user's pick does. Typing into a date input depends
/// on the browser's locale, so the value is set in JavaScript and the same
/// `input` event fires.
async fn set_date(browser: &WebDriver, element: &WebElement, date: chrono::NaiveDate) -> WebDriverResult<()> {
    let script = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));";
    browser.execute(script, vec![element.to_json()?, Value::from(date.format("%Y-%m-%d").to_string())]).await?;
    Ok(())
}

/// Returns the path of the payment-page screenshot: `shot.png` becomes `shot-payment.png`,
/// so the worklist test running at the same time does not overwrite it.
fn payment_screenshot_path(worklist_path: &str) -> PathBuf {
    named_screenshot_path(worklist_path, "payment")
}

/// Returns the path of a screenshot of another page: `shot.png` becomes
/// `shot-{suffix}.png`, so tests running at the same time do not overwrite each other's.
fn named_screenshot_path(worklist_path: &str, suffix: &str) -> PathBuf {
    let path = Path::new(worklist_path);
    let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("screenshot");
    path.with_file_name(format!("{stem}-{suffix}.png"))
}

/// Waits for `by` like `wait_for`, but when it does not appear, the panic
/// message includes the text of the elements with `error_ids`, such as the
/// page's error banners.
async fn wait_for_or_report(browser: &WebDriver, by: By, error_ids: &[&str]) -> WebElement {
    let found = browser.query(by.clone()).wait(Duration::from_secs(30), Duration::from_millis(100)).first().await;
    match found {
        Ok(element) => element,
        Err(error) => {
            let mut shown = Vec::new();
            for id in error_ids {
                if let Ok(element) = browser.find(By::Id(*id)).await {
                    shown.push(format!("#{id}: {}", element.text().await.unwrap_or_default()));
                }
            }
            panic!("{by:?} did not appear: {error}; the page shows {shown:?}");
        }
    }
}

/// Polls until `by` finds exactly `count` elements, for 30 s, and returns the last count.
async fn wait_for_count(browser: &WebDriver, by: By, count: usize) -> usize {
    let mut found = usize::MAX;
    for _ in 0..300 {
        found = browser.find_all(by.clone()).await.map(|elements| elements.len()).unwrap_or(usize::MAX);
        if found == count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_login_import_and_worklist() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        wait_for(&browser, By::Id("nav-imports")).await.click().await?;

        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lending_club_small.csv").canonicalize()?;
        wait_for(&browser, By::Id("import-creditor")).await.send_keys("Lending Club").await?;
        let profile = browser.find(By::Id("import-profile")).await?;
        profile.find(By::Css("option[value='lending_club']")).await?.click().await?;
        browser.find(By::Id("import-file")).await?.send_keys(fixture.to_string_lossy()).await?;
        browser.find(By::Id("import-submit")).await?.click().await?;

        let status = wait_for(&browser, By::Id("import-status")).await;
        let mut text = String::new();
        for _ in 0..300 {
            text = status.text().await?.to_lowercase();
            if text.contains("completed") || text.contains("failed") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(text.contains("completed"), "import status reads: {text}");
        let counts = browser.find(By::Id("import-counts")).await?.text().await?;
        assert!(counts.contains('4'), "the counts show 4 imported accounts: {counts}");
        let rejected = browser.find(By::Id("import-rejected")).await?.text().await?;
        assert!(rejected.contains("unknown_status") || rejected.contains("Something Else") || rejected.contains("11"), "rejected rows are listed: {rejected}");

        browser.find(By::Id("nav-worklist")).await?.click().await?;
        wait_for(&browser, By::Css("#worklist-table tr[data-account-ref='1001']")).await;
        let rows = browser.find_all(By::Css("#worklist-table tr[data-account-ref]")).await?;
        assert_eq!(rows.len(), 4, "the worklist shows the four imported loans");

        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(Path::new(&path)).await?;
        }
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_cheque_receipt_and_reversal() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let login: Value = app.login("manager@example.com", "a long browser password").await.json().await.unwrap();
    let token = login["access_token"].as_str().expect("login returns access_token").to_string();
    // A-1 owes 1,500.00 principal, 20.50 interest and 35.00 fees. The creditor charges no returned-payment fee.
    app.import_file(&token, "standard", "Acme", "standard_clean.csv", fixture("standard_clean.csv")).await;
    let accounts: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let items = accounts["items"].as_array().expect("the account list has items");
    let account = items.iter().find(|account| account["account_ref"] == "A-1").expect("A-1 is imported");
    let account_id = account["id"].as_str().expect("the account has an id").to_string();

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;
        let balance_before = wait_for(&browser, By::Id("account-balance-total")).await.text().await?;
        assert_eq!(balance_before, "USD 1,555.50");

        // Post a cheque dated today. A double click must not post it twice.
        let method = wait_for(&browser, By::Id("payment-method")).await;
        method.find(By::Css("option[value='cheque']")).await?.click().await?;
        wait_for(&browser, By::Id("payment-cheque-number")).await.send_keys("000123").await?;
        browser.find(By::Id("payment-drawee-bank")).await?.send_keys("First Test Bank").await?;
        let cheque_date = browser.find(By::Id("payment-cheque-date")).await?;
        set_date(&browser, &cheque_date, chrono::Utc::now().date_naive()).await?;
        browser.find(By::Id("payment-amount")).await?.send_keys("100.00").await?;
        let submit = browser.find(By::Id("payment-submit")).await?;
        browser.action_chain().double_click_element(&submit).perform().await?;

        let receipt_number = wait_for(&browser, By::Id("payment-receipt-number")).await.text().await?;
        assert_eq!(receipt_number, "MAIN-000001");
        let status = browser.find(By::Id("payment-status")).await?.text().await?;
        assert!(status.contains("Posted"), "the cheque dated today is posted: {status}");
        let allocation = browser.find(By::Id("payment-allocation")).await?.text().await?;
        for part in ["USD 35.00", "USD 20.50", "USD 44.50"] {
            assert!(allocation.contains(part), "the allocation shows {part}: {allocation}");
        }
        let new_balance = browser.find(By::Id("payment-new-balance")).await?.text().await?;
        assert_eq!(new_balance, "USD 1,455.50");
        let balance_after_payment = wait_for_text(&browser, By::Id("account-balance-total"), |text| text != balance_before).await;
        assert_eq!(balance_after_payment, "USD 1,455.50");

        let rows = browser.find_all(By::Css("#payments-table tr[data-payment-id]")).await?;
        assert_eq!(rows.len(), 1, "the payment list shows the one payment");
        let payment_id = rows[0].attr("data-payment-id").await?.expect("row has data-payment-id");
        let payments: Value = app.get(&token, &format!("/api/v1/accounts/{account_id}/payments")).await.json().await.unwrap();
        assert_eq!(payments["items"].as_array().unwrap().len(), 1, "the double click posted once: {payments}");

        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&payment_screenshot_path(&path)).await?;
        }

        // The receipt link fetches the PDF with the token and shows it in a new tab.
        let link = browser.find(By::Id("payment-receipt-link")).await?;
        let href = link.attr("href").await?.unwrap_or_default();
        assert!(href.ends_with(&format!("/api/v1/payments/{payment_id}/receipt")), "receipt link: {href}");
        let page_window = browser.window().await?;
        link.click().await?;
        let mut receipt_window = None;
        for _ in 0..100 {
            receipt_window = browser.windows().await?.into_iter().find(|handle| *handle != page_window);
            if receipt_window.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let receipt_window = receipt_window.expect("the receipt opens in a new tab");
        browser.switch_to_window(receipt_window).await?;
        let mut receipt_url = String::new();
        for _ in 0..100 {
            receipt_url = browser.current_url().await?.to_string();
            if receipt_url.starts_with("blob:") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(receipt_url.starts_with("blob:"), "the receipt tab shows an object URL: {receipt_url}");
        let magic = browser
            .execute_async(
                "const done = arguments[0];
                 fetch(location.href).then((response) => response.arrayBuffer())
                     .then((bytes) => done(String.fromCharCode(...new Uint8Array(bytes).slice(0, 5))))
                     .catch((error) => done(String(error)));",
                Vec::new(),
            )
            .await?;
        assert_eq!(magic.json(), "%PDF-", "the receipt tab holds a PDF");
        browser.close_window().await?;
        browser.switch_to_window(page_window).await?;

        // Reverse the cheque as bounced, which restores the balance.
        let row = browser.find(By::Css(&format!("#payments-table tr[data-payment-id='{payment_id}']"))).await?;
        row.find(By::Css(".payment-reverse")).await?.click().await?;
        let reason = wait_for(&browser, By::Id("reversal-reason")).await;
        reason.find(By::Css("option[value='nsf']")).await?.click().await?;
        browser.find(By::Id("reversal-note")).await?.send_keys("Return advice 42").await?;
        browser.find(By::Id("reversal-submit")).await?.click().await?;

        let notice = wait_for(&browser, By::Id("reversal-result")).await.text().await?;
        assert!(notice.contains("MAIN-000001"), "the reversal notice names the receipt: {notice}");
        assert!(notice.contains("not sufficient funds"), "the reversal notice names the reason: {notice}");
        let reversed_row = browser.find(By::Css(&format!("#payments-table tr[data-payment-id='{payment_id}']"))).await?;
        assert_eq!(reversed_row.attr("data-status").await?.as_deref(), Some("reversed"));
        assert!(reversed_row.find_all(By::Css(".payment-reverse")).await?.is_empty(), "a reversed payment offers no reversal");
        let balance_after_reversal = wait_for_text(&browser, By::Id("account-balance-total"), |text| text == balance_before).await;
        assert_eq!(balance_after_reversal, balance_before, "the reversal restores the balance");
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_settlement_approval() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let assistant_id = app.create_user("assistant@example.com", "a long browser password", Role::Assistant);
    let login: Value = app.login("manager@example.com", "a long browser password").await.json().await.unwrap();
    let token = login["access_token"].as_str().expect("login returns access_token").to_string();
    // A-1 owes 1,555.50 in all.
    app.import_file(&token, "standard", "Acme", "standard_clean.csv", fixture("standard_clean.csv")).await;
    let accounts: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let items = accounts["items"].as_array().expect("the account list has items");
    let account = items.iter().find(|account| account["account_ref"] == "A-1").expect("A-1 is imported");
    let account_id = account["id"].as_str().expect("the account has an id").to_string();
    let creditor_id = account["creditor_id"].as_str().expect("the account has a creditor_id").to_string();

    // The default policy: an assistant may grant up to 10% discount, a manager up to 30%.
    let policy = RepaymentPolicy::default();
    assert_eq!((policy.assistant_max_discount_bp, policy.manager_max_discount_bp), (1_000, 3_000));
    let response = app
        .client
        .put(app.url(&format!("/api/v1/creditors/{creditor_id}/repayment-policy")))
        .bearer_auth(&token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "policy not set: {}", response.text().await.unwrap_or_default());
    // Assistants see only the accounts assigned to them.
    let response = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{account_id}/assignment")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "agent_id": assistant_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "account not assigned: {}", response.text().await.unwrap_or_default());

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "assistant@example.com", "a long browser password").await?;
        assert!(browser.find_all(By::Id("nav-approvals")).await?.is_empty(), "assistants have no Approvals link");
        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;

        // A settlement of 1,200.00 (a 22.8% discount) in 600 weekly instalments breaks two rules.
        let kind = wait_for(&browser, By::Id("plan-kind")).await;
        kind.find(By::Css("option[value='settlement']")).await?.click().await?;
        let frequency = browser.find(By::Id("plan-frequency")).await?;
        frequency.find(By::Css("option[value='weekly']")).await?.click().await?;
        wait_for(&browser, By::Id("plan-settlement-amount")).await.send_keys("1200.00").await?;
        let count = browser.find(By::Id("plan-instalment-count")).await?;
        count.send_keys("600").await?;

        let count_finding = wait_for(
            &browser,
            By::Css("[data-field='instalment_count'] [data-finding-field='instalment_count'][data-finding-code='instalment_count_invalid']"),
        )
        .await;
        assert_eq!(count_finding.attr("data-finding-severity").await?.as_deref(), Some("error"));
        let count_text = count_finding.text().await?;
        assert!(count_text.contains("600 instalments is out of range"), "the count finding reads: {count_text}");
        let discount_finding = wait_for(
            &browser,
            By::Css("[data-field='settlement_amount'] [data-finding-code='discount_above_assistant_limit']"),
        )
        .await;
        assert_eq!(discount_finding.attr("data-finding-severity").await?.as_deref(), Some("approval"));
        assert!(browser.find_all(By::Css("#plan-schedule")).await?.is_empty(), "terms with errors have no schedule");

        // Six instalments are within the rules; the discount still needs a manager.
        count.clear().await?;
        count.send_keys("6").await?;
        let count_findings = By::Css("[data-finding-field='instalment_count']");
        assert_eq!(wait_for_count(&browser, count_findings, 0).await, 0, "the count finding goes away");
        let schedule_rows = By::Css("#plan-schedule tr[data-instalment-number]");
        assert_eq!(wait_for_count(&browser, schedule_rows, 6).await, 6, "the preview lists six instalments");
        let total = browser.find(By::Id("plan-schedule-total")).await?.text().await?;
        assert!(total.contains("USD 1,200.00"), "the schedule totals the settlement amount: {total}");
        let approval = browser.find(By::Id("plan-approval")).await?;
        assert_eq!(approval.attr("data-required-approver").await?.as_deref(), Some("manager"));
        let discount_text = browser.find(By::Id("plan-discount")).await?.text().await?;
        assert!(discount_text.contains("USD 355.50"), "the discount is shown: {discount_text}");

        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "plan")).await?;
        }

        // A plan that needs approval needs a note.
        browser.find(By::Id("plan-save")).await?.click().await?;
        let note_error = wait_for_text(&browser, By::Id("plan-note-error"), |text| !text.is_empty()).await;
        assert!(note_error.starts_with("Note is missing"), "the note message reads: {note_error}");
        browser.find(By::Id("plan-note")).await?.send_keys("Debtor lost their job; lump sums from savings.").await?;
        browser.find(By::Id("plan-save")).await?.click().await?;

        let pending = By::Css("#plans-table [data-plan-id][data-plan-status='pending_approval']");
        let saved = wait_for_or_report(&browser, pending, &["plan-error", "plans-error"]).await;
        let plan_id = saved.attr("data-plan-id").await?.expect("the plan has data-plan-id");
        let notice = browser.find(By::Id("plan-notice")).await?.text().await?;
        assert!(notice.contains("waits for approval by a manager"), "the notice reads: {notice}");

        // The manager approves it from the queue.
        browser.find(By::Id("signout")).await?.click().await?;
        wait_for(&browser, By::Id("login-email")).await;
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        wait_for(&browser, By::Id("nav-approvals")).await.click().await?;
        let queued = By::Css(&format!("#approvals-table tr[data-plan-id='{plan_id}']"));
        let row = wait_for_or_report(&browser, queued, &["approvals-error"]).await;
        let row_text = row.text().await?;
        assert!(row_text.contains("A-1"), "the queue names the account: {row_text}");
        assert!(row_text.contains("USD 355.50"), "the queue shows the discount: {row_text}");
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "approvals")).await?;
        }
        browser.find(By::Id(&format!("approve-{plan_id}"))).await?.click().await?;
        let approved_row = By::Css(&format!("#approvals-table tr[data-plan-id='{plan_id}']"));
        assert_eq!(wait_for_count(&browser, approved_row, 0).await, 0, "the approved plan leaves the queue");

        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;
        let plan_row = By::Css(&format!("#plans-table [data-plan-id='{plan_id}'][data-plan-status='on_track']"));
        assert_eq!(wait_for_count(&browser, plan_row, 1).await, 1, "the plan is on track after approval");
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

/// One debtor in Springfield, IL, with one Illinois number, so the contact
/// rules place them in America/Chicago only.
const ONE_DEBTOR_IN_CHICAGO: &str = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
A-1,D-1,Ana Smith,USD,1500.00,20.50,35,2025-01-15,1 Main St,Springfield,IL,62701,US,(217) 555-0143,ana@example.com
";

/// Returns 22:00 in Chicago on `day` as `YYYY-MM-DDTHH:MM` in UTC, the form
/// the call form's start time takes. Daylight saving time in the United
/// States runs from the second Sunday of March to the first Sunday of
/// November (UTC-5), and standard time is UTC-6.
fn chicago_ten_pm_utc(day: chrono::NaiveDate) -> String {
    use chrono::{Datelike, Weekday};
    let dst_start = chrono::NaiveDate::from_weekday_of_month_opt(day.year(), 3, Weekday::Sun, 2).unwrap();
    let dst_end = chrono::NaiveDate::from_weekday_of_month_opt(day.year(), 11, Weekday::Sun, 1).unwrap();
    let utc_hour = if day >= dst_start && day < dst_end { 3 } else { 4 };
    format!("{}T{utc_hour:02}:00", day.succ_opt().unwrap().format("%Y-%m-%d"))
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_call_promise_and_late_call() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let login: Value = app.login("manager@example.com", "a long browser password").await.json().await.unwrap();
    let token = login["access_token"].as_str().expect("login returns access_token").to_string();
    app.import_file(&token, "standard", "Acme", "chicago.csv", ONE_DEBTOR_IN_CHICAGO.as_bytes().to_vec()).await;
    let accounts: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let account_id = accounts["items"][0]["id"].as_str().expect("A-1 is imported").to_string();

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;

        // The debtor calls in and promises 125.00 in five days.
        let direction = wait_for(&browser, By::Id("call-direction")).await;
        direction.find(By::Css("option[value='inbound']")).await?.click().await?;
        browser.find(By::Id("call-outcome")).await?.find(By::Css("option[value='promise_taken']")).await?.click().await?;
        wait_for(&browser, By::Id("call-promise-amount")).await.send_keys("125.00").await?;
        let promised_on = chrono::Utc::now().date_naive() + chrono::Days::new(5);
        let date_input = browser.find(By::Id("call-promise-on")).await?;
        set_date(&browser, &date_input, promised_on).await?;
        browser.find(By::Id("call-notes")).await?.send_keys("Will pay on Friday").await?;
        browser.find(By::Id("call-save")).await?.click().await?;

        let call_entry = By::Css("#timeline [data-kind='call.logged']");
        let entry = wait_for_or_report(&browser, call_entry, &["call-error", "timeline-error"]).await;
        let entry_text = entry.text().await?;
        assert!(entry_text.contains("Inbound call: promise taken."), "the call is on the timeline: {entry_text}");
        assert!(entry_text.contains("Will pay on Friday"), "the notes are on the timeline: {entry_text}");
        let promise_entry = wait_for(&browser, By::Css("#timeline [data-kind='promise.taken']")).await.text().await?;
        assert!(promise_entry.contains("USD 125.00"), "the promise is on the timeline: {promise_entry}");
        let promise_row = By::Css("#promises-table tbody tr");
        assert!(wait_for_count(&browser, promise_row, 1).await >= 1, "the promise is listed");

        // An outbound call at 22:00 the debtor's time is outside the window.
        let direction = browser.find(By::Id("call-direction")).await?;
        direction.find(By::Css("option[value='outbound']")).await?.click().await?;
        let late = chicago_ten_pm_utc(chrono::Utc::now().date_naive() - chrono::Days::new(3));
        let started = browser.find(By::Id("call-started-at")).await?;
        let script = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));";
        browser.execute(script, vec![started.to_json()?, Value::from(late)]).await?;
        let reason = wait_for(&browser, By::Css("#contact-check li[data-code='outside_contact_window']")).await.text().await?;
        assert!(reason.contains("22:00 in America/Chicago"), "the reason names the debtor's time: {reason}");
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "call")).await?;
        }

        browser.find(By::Id("call-save")).await?.click().await?;
        let refused = wait_for_text(&browser, By::Id("call-error"), |text| !text.is_empty()).await;
        assert!(refused.contains("outside_contact_window"), "the server refuses the call: {refused}");
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

/// Imports the one debtor in Chicago as the manager and returns the manager's token and the account id.
async fn import_chicago_account(app: &TestApp) -> (String, String) {
    let login: Value = app.login("manager@example.com", "a long browser password").await.json().await.unwrap();
    let token = login["access_token"].as_str().expect("login returns access_token").to_string();
    app.import_file(&token, "standard", "Acme", "chicago.csv", ONE_DEBTOR_IN_CHICAGO.as_bytes().to_vec()).await;
    let accounts: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let account_id = accounts["items"][0]["id"].as_str().expect("A-1 is imported").to_string();
    (token, account_id)
}

/// Creates a letter template with a version 1 that merges the debtor's name
/// and the balance, and returns the template's id.
async fn create_letter_template(app: &TestApp, token: &str, key: &str, name: &str) -> String {
    let template = serde_json::json!({
        "key": key,
        "name": name,
        "channel": "letter",
        "mentions_legal_action": false,
        "subject": "Account {{account.reference}}",
        "body": "Dear {{debtor.name}}, you owe {{account.balance}}.",
    });
    let response = app.post_json(token, "/api/v1/templates", &template).await;
    assert_eq!(response.status(), 201, "template not created: {}", response.text().await.unwrap_or_default());
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().expect("the template has an id").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_letter_preview_and_generate() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let (token, account_id) = import_chicago_account(&app).await;

    // A template of the test's own, with a second version, so the list must name version 2.
    let template_id = create_letter_template(&app, &token, "browser_reminder", "Browser reminder").await;
    let second = serde_json::json!({
        "subject": "Account {{account.reference}} with {{creditor.name}}",
        "body": "Dear {{debtor.name}}, please pay {{account.balance}} to {{creditor.name}}.",
    });
    let response = app.post_json(&token, &format!("/api/v1/templates/{template_id}/versions"), &second).await;
    assert_eq!(response.status(), 201, "version not created: {}", response.text().await.unwrap_or_default());

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;

        let choice = By::Css(&format!("#letter-template option[value='{template_id}']"));
        wait_for_or_report(&browser, choice.clone(), &["letter-templates-error"]).await.click().await?;
        let preview = wait_for_or_report(&browser, By::Id("letter-preview"), &["letter-preview-error"]).await;
        assert_eq!(preview.attr("data-version").await?.as_deref(), Some("2"), "the newest version is previewed");
        let preview_text = preview.text().await?;
        assert!(preview_text.contains("Account A-1 with Acme"), "the subject is merged: {preview_text}");
        assert!(
            preview_text.contains("Dear Ana Smith, please pay USD 1,555.50 to Acme."),
            "the body is merged: {preview_text}"
        );
        let decision = browser.find(By::Id("letter-preview-contact")).await?.text().await?;
        assert!(decision.contains("The contact rules allow this letter now."), "the rules allow the letter: {decision}");
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "letter")).await?;
        }

        browser.find(By::Id("letter-generate")).await?.click().await?;
        let generated = By::Css("#correspondence-table tr[data-status='generated'][data-version='2']");
        let row = wait_for_or_report(&browser, generated, &["letter-error", "correspondence-error"]).await;
        let row_text = row.text().await?;
        assert!(row_text.contains("Browser reminder"), "the row names the template: {row_text}");
        assert!(row_text.contains("v2"), "the row names the version: {row_text}");
        assert!(row_text.contains("Ready to print"), "the row shows the status: {row_text}");
        let letter_id = row.attr("data-correspondence-id").await?.expect("the row has data-correspondence-id");
        let link = row.find(By::Id(&format!("letter-pdf-{letter_id}"))).await?;
        let href = link.attr("href").await?.unwrap_or_default();
        assert!(href.ends_with(&format!("/api/v1/correspondence/{letter_id}/pdf")), "the PDF link: {href}");
        let notice = browser.find(By::Id("letter-notice")).await?.text().await?;
        assert!(notice.contains("Letter generated"), "the notice reads: {notice}");

        let listed: Value = app.get(&token, &format!("/api/v1/accounts/{account_id}/correspondence")).await.json().await?;
        let items = listed["items"].as_array().expect("the list has items");
        assert_eq!(items.len(), 1, "one letter was made: {listed}");
        assert_eq!(items[0]["version"], 2);
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "letter-list")).await?;
        }
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_dispute_raised_and_verified() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let (token, account_id) = import_chicago_account(&app).await;

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        browser.goto(&app.url(&format!("/accounts/{account_id}"))).await?;

        wait_for(&browser, By::Id("dispute-note")).await.send_keys("Debtor says the goods never arrived").await?;
        browser.find(By::Id("dispute-raise")).await?.click().await?;
        let open = By::Css("#disputes-table tr[data-dispute-status='open']");
        let row = wait_for_or_report(&browser, open, &["dispute-error", "disputes-error"]).await;
        assert!(row.text().await?.contains("Debtor says the goods never arrived"), "the note is listed");
        let dispute_id = row.attr("data-dispute-id").await?.expect("the row has data-dispute-id");

        // The call form's contact check loads again and names the dispute.
        let disputed = wait_for(&browser, By::Css("#contact-check li[data-code='disputed']")).await.text().await?;
        assert!(!disputed.is_empty(), "the contact check names the dispute");
        let entry = wait_for(&browser, By::Css("#timeline [data-kind='dispute.raised']")).await.text().await?;
        assert!(!entry.is_empty(), "the dispute is on the timeline");

        // A verification needs a note.
        browser.find(By::Id(&format!("verify-submit-{dispute_id}"))).await?.click().await?;
        let note_error = wait_for_text(&browser, By::Id(&format!("verify-note-error-{dispute_id}")), |text| !text.is_empty()).await;
        assert!(note_error.contains("Say how the debt was verified"), "the note message reads: {note_error}");
        browser.find(By::Id(&format!("verify-note-{dispute_id}"))).await?.send_keys("Statement and contract sent").await?;
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "dispute")).await?;
        }
        browser.find(By::Id(&format!("verify-submit-{dispute_id}"))).await?.click().await?;

        let verified = By::Css(&format!("#disputes-table tr[data-dispute-id='{dispute_id}'][data-dispute-status='verified']"));
        let row = wait_for_or_report(&browser, verified, &[&format!("verify-error-{dispute_id}"), "disputes-error"]).await;
        let row_text = row.text().await?;
        assert!(row_text.contains("Sent by letter"), "the verification is shown: {row_text}");
        let disputed_reasons = By::Css("#contact-check li[data-code='disputed']");
        assert_eq!(wait_for_count(&browser, disputed_reasons, 0).await, 0, "the dispute no longer blocks calls");

        let holds: Value = app.get(&token, &format!("/api/v1/accounts/{account_id}/contact-holds")).await.json().await?;
        assert_eq!(holds["disputed"], false, "the hold is lifted: {holds}");
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_template_version_and_exports() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let (token, _) = import_chicago_account(&app).await;
    let template_id = create_letter_template(&app, &token, "browser_notice", "Browser notice").await;

    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        sign_in(&browser, &app, "manager@example.com", "a long browser password").await?;
        wait_for(&browser, By::Id("nav-templates")).await.click().await?;
        let row = By::Css(&format!("#templates-table tr[data-template-id='{template_id}']"));
        let row = wait_for_or_report(&browser, row, &["templates-error"]).await;
        row.find(By::Css(".template-open")).await?.click().await?;

        // Text that speaks of legal action is refused before it is sent.
        let body = wait_for(&browser, By::Id("version-body")).await;
        body.clear().await?;
        body.send_keys("Dear {{debtor.name}}, we may take you to court.").await?;
        browser.find(By::Id("version-save")).await?.click().await?;
        let body_error = wait_for_text(&browser, By::Id("version-body-error"), |text| !text.is_empty()).await;
        assert!(body_error.contains("court"), "the body message names the word: {body_error}");

        body.clear().await?;
        body.send_keys("Dear {{debtor.name}}, please call us about {{account.balance}}.").await?;
        browser.find(By::Id("version-save")).await?.click().await?;
        let shown = By::Css("#template-version-text[data-version='2']");
        wait_for_or_report(&browser, shown, &["version-error", "versions-error"]).await;

        browser.find(By::Id("template-preview-account")).await?.send_keys("A-1").await?;
        browser.find(By::Id("template-preview-submit")).await?.click().await?;
        let preview = wait_for_or_report(&browser, By::Id("template-preview"), &["template-preview-error", "template-preview-account-error"]).await;
        let preview_text = preview.text().await?;
        assert!(preview_text.contains("Dear Ana Smith, please call us about USD 1,555.50."), "the preview is merged: {preview_text}");
        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(&named_screenshot_path(&path, "templates")).await?;
        }

        // The call list export of the worklist names the accounts left out.
        browser.find(By::Id("nav-worklist")).await?.click().await?;
        wait_for(&browser, By::Id("export-call-csv")).await.click().await?;
        let notice = wait_for_or_report(&browser, By::Id("export-notice"), &["export-error"]).await.text().await?;
        assert!(notice.contains("Call list (CSV) saved as call-list-"), "the export notice reads: {notice}");
        assert!(notice.contains("with 1 row."), "the export has the one number: {notice}");
        assert!(notice.contains("No account was left out."), "the export names the accounts left out: {notice}");
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}
