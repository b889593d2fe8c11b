//! Correspondence: templates, letters as PDF files, batches with their
//! print file, emails through a real SMTP server on loopback, opt-out links
//! and the contact rules on every letter and email.

use std::time::Duration;

use chrono::{Timelike, Utc};
use diesel::prelude::*;
use mail_parser::MessageParser;
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, TestApp};
use crate::smtp_sink::SmtpSink;

/// Returns the address of a debtor whose local time is now between about
/// 09:00 and 19:00. That is inside the 08:00 to 21:00 email window of the
/// United States and of the general rules, so an email test does not depend
/// on the hour it runs at. London is UTC+0 or +1, New York UTC-5 or -4 and
/// Tokyo UTC+9, so one of them always fits.
fn daytime_address() -> &'static str {
    let hour = Utc::now().hour();
    if (9..18).contains(&hour) {
        "10 High Street,London,,SW1A 2AA,GB"
    } else if (14..=23).contains(&hour) || hour == 0 {
        "1 State Street,Albany,NY,12207,US"
    } else {
        "1 Chiyoda,Tokyo,,100-0001,JP"
    }
}

/// Returns the address of a debtor whose local time is now between about
/// 22:00 and 06:00, outside the email window. The zones without daylight
/// saving time (Honolulu, Tokyo, Johannesburg) or with it at most an hour
/// later (London, New York) keep every choice outside 08:00 to 21:00.
fn nighttime_address() -> &'static str {
    match Utc::now().hour() {
        0..=4 => "10 High Street,London,,SW1A 2AA,GB",
        5..=9 => "1 State Street,Albany,NY,12207,US",
        10..=14 => "1 Kalakaua Avenue,Honolulu,HI,96815,US",
        15..=19 => "1 Chiyoda,Tokyo,,100-0001,JP",
        _ => "1 Long Street,Cape Town,,8001,ZA",
    }
}

fn placement_file(address: &str) -> String {
    format!(
        "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
A-1,D-1,Ana Smith,USD,1500.00,20.50,35,2025-01-15,{},,ana@example.com
A-2,D-2,Bob Jones,USD,99.99,0,0,2024-06-01,2 Oak Avenue,Springfield,IL,62702,US,,bob@example.com
A-3,D-3,Cara Diaz,EUR,250,0,0,2025-03-01,3 Elm Road,Springfield,IL,62703,US,,
",
        address
    )
}

struct Setup {
    app: TestApp,
    manager: String,
    /// Account ids of.
    accounts: [String; 3],
}

async fn setup_with(app: TestApp, address: &str) -> Setup {
    let manager = app.token_for(Role::Manager).await;
    let report = app.import_file(&manager, "standard", "Acme", "letters.csv", placement_file(address).into_bytes()).await;
    assert_eq!(report.imported, 3, "import report: {report:?}");
    let mut accounts = Vec::new();
    for reference in ["A-1", "A-2", "A-3"] {
        let page: Value = app.get(&manager, &format!("/api/v1/accounts?q={reference}")).await.json().await.unwrap();
        let item = page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == reference).expect("account imported").clone();
        accounts.push(item["id"].as_str().unwrap().to_string());
    }
    Setup { app, manager, accounts: accounts.try_into().unwrap() }
}

async fn setup() -> Setup {
    setup_with(TestApp::spawn_without_jobs().await, daytime_address()).await
}

impl Setup {
    async fn template_id(&self, key: &str) -> String {
        let page: Value = self.app.get(&self.manager, "/api/v1/templates").await.json().await.unwrap();
        let template = page["items"].as_array().unwrap().iter().find(|t| t["key"] == key).unwrap_or_else(|| panic!("template {key} seeded"));
        template["id"].as_str().unwrap().to_string()
    }

    async fn generate(&self, account: &str, template: &str, key: &str) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/api/v1/accounts/{account}/correspondence")))
            .bearer_auth(&self.manager)
            .header("Idempotency-Key", key)
            .json(&json!({ "template_id": template }))
            .send()
            .await
            .unwrap()
    }

    async fn batch(&self, template: &str, accounts: &[&String], key: &str) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url("/api/v1/correspondence-batches"))
            .bearer_auth(&self.manager)
            .header("Idempotency-Key", key)
            .json(&json!({ "template_id": template, "account_ids": accounts }))
            .send()
            .await
            .unwrap()
    }

    async fn pdf_text(&self, path: &str) -> String {
        let response = self.app.get(&self.manager, path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let bytes = response.bytes().await.unwrap();
        pdf_extract::extract_text_from_mem(&bytes).expect("a readable PDF")
    }

    async fn put_holds(&self, account: &str, change: Value) {
        let mut holds = json!({ "cease_all": false, "cease_channels": [], "bankruptcy": false, "deceased": false,
                                "disputed": false, "manager_hold": false, "time_barred": false });
        for (name, value) in change.as_object().unwrap() {
            holds[name] = value.clone();
        }
        let response = self.app.put_json(&self.manager, &format!("/api/v1/accounts/{account}/contact-holds"), &holds).await;
        assert_eq!(response.status(), 200);
    }
}

fn item_for<'a>(batch: &'a Value, account: &str) -> &'a Value {
    batch["items"].as_array().unwrap().iter().find(|item| item["account_id"] == account).expect("account in the batch report")
}

#[tokio::test]
async fn letter_pdf_has_merged_fields() {
    let s = setup().await;
    let reminder = s.template_id("reminder").await;
    let response = s.generate(&s.accounts[0], &reminder, "letter-1").await;
    assert_eq!(response.status(), 201);
    let letter: Value = response.json().await.unwrap();
    assert_eq!(letter["status"], "generated");
    assert_eq!(letter["channel"], "letter");
    assert_eq!(letter["version"], 1);
    assert_eq!(letter["template_key"], "reminder");
    assert!(letter["body"].as_str().unwrap().contains("a balance of USD 1,555.50"), "{letter}");

    let text = s.pdf_text(&format!("/api/v1/correspondence/{}/pdf", letter["id"].as_str().unwrap())).await;
    assert!(text.contains("Dear Ana Smith,"), "{text}");
    assert!(text.contains("USD 1,555.50"), "{text}");
    assert!(text.contains("Reminder: account A-1"), "{text}");
    assert!(text.contains("Acme"), "{text}");
    assert!(!text.contains("{{"), "an unfilled merge field in {text}");
    let second: Value = s.generate(&s.accounts[1], &reminder, "letter-2").await.json().await.unwrap();
    let second_text = s.pdf_text(&format!("/api/v1/correspondence/{}/pdf", second["id"].as_str().unwrap())).await;
    assert!(second_text.contains("Springfield, IL 62702"), "the US address layout: {second_text}");
    assert!(second_text.contains("UNITED STATES"), "the country's name: {second_text}");

    let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/correspondence", s.accounts[0])).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["template_version_id"], letter["template_version_id"]);
    assert_eq!(s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'correspondence.generated'"), 2);
}

#[tokio::test]
async fn validation_notice_prints_itemization() {
    let s = setup().await;
    let notice = s.template_id("validation_notice").await;
    let letter: Value = s.generate(&s.accounts[2], &notice, "notice-1").await.json().await.unwrap();
    assert_eq!(letter["status"], "generated", "{letter}");
    let text = s.pdf_text(&format!("/api/v1/correspondence/{}/pdf", letter["id"].as_str().unwrap())).await;
    assert!(text.contains("As of 1 March 2025, the itemization date, you owed EUR 250.00."), "{text}");
    assert!(text.contains("Cara Diaz"), "{text}");
    assert!(text.contains("3 Elm Road"), "{text}");
}

#[tokio::test]
async fn batch_print_file_has_every_letter() {
    let s = setup().await;
    let reminder = s.template_id("reminder").await;
    let accounts: Vec<&String> = s.accounts.iter().collect();
    let response = s.batch(&reminder, &accounts, "batch-1").await;
    assert_eq!(response.status(), 201);
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["requested"], 3);
    assert_eq!(batch["generated"], 3);
    assert_eq!(batch["blocked"], 0);

    let text = s.pdf_text(&format!("/api/v1/correspondence-batches/{}/print-file", batch["id"].as_str().unwrap())).await;
    for name in ["Dear Ana Smith,", "Dear Bob Jones,", "Dear Cara Diaz,"] {
        assert!(text.contains(name), "{name} missing from the print file: {text}");
    }
    assert_eq!(text.matches("page 1 of 1").count(), 3, "one page per letter: {text}");
    for account in &s.accounts {
        let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{account}/correspondence")).await.json().await.unwrap();
        assert_eq!(listed["items"][0]["batch_id"], batch["id"]);
    }
}

#[tokio::test]
async fn batch_selects_accounts_by_filter() {
    let s = setup().await;
    let reminder = s.template_id("reminder").await;
    let post = |body: Value, key: &'static str| {
        s.app.client.post(s.app.url("/api/v1/correspondence-batches")).bearer_auth(&s.manager).header("Idempotency-Key", key).json(&body).send()
    };
    // The balance filter keeps A-1 (1,555.50) and A-3 (250.00) and leaves out A-2 (99.99).
    let response = post(json!({ "template_id": reminder, "filter": { "min_balance": "10000" } }), "filtered").await.unwrap();
    assert_eq!(response.status(), 201);
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["requested"], 2, "{batch}");
    let listed: Vec<&str> = batch["items"].as_array().unwrap().iter().map(|i| i["account_id"].as_str().unwrap()).collect();
    assert!(listed.contains(&s.accounts[0].as_str()), "A-1 is in the batch: {batch}");
    assert!(listed.contains(&s.accounts[2].as_str()), "A-3 is in the batch: {batch}");

    let response = post(json!({ "template_id": reminder, "filter": { "min_balance": "99999999" } }), "none").await.unwrap();
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "filter", "{body}");
    let response = post(json!({ "template_id": reminder, "filter": { "colour": "red" } }), "unknown-key").await.unwrap();
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_key", "{body}");
    let response = post(json!({ "template_id": reminder, "filter": { "dpd": "lots" } }), "bad-value").await.unwrap();
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "filter.dpd", "{body}");
    let response = post(json!({ "template_id": reminder, "filter": {}, "account_ids": [s.accounts[0]] }), "both").await.unwrap();
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "account_ids", "{body}");
    let response = post(json!({ "template_id": reminder }), "neither").await.unwrap();
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["code"], "missing", "{body}");

    // A retry returns the first batch even though the filter now selects more.
    diesel::sql_query("UPDATE accounts SET principal_balance = principal_balance + 100000").execute(&mut s.app.db()).unwrap();
    let response = post(json!({ "template_id": reminder, "filter": { "min_balance": "10000" } }), "filtered").await.unwrap();
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    let replayed: Value = response.json().await.unwrap();
    assert_eq!(replayed["id"], batch["id"]);
    assert_eq!(replayed["requested"], 2);
}

#[tokio::test]
async fn batch_skips_ceased_account() {
    let s = setup().await;
    s.put_holds(&s.accounts[1], json!({ "cease_channels": ["letter"] })).await;
    let reminder = s.template_id("reminder").await;
    let accounts: Vec<&String> = s.accounts.iter().collect();
    let batch: Value = s.batch(&reminder, &accounts, "batch-2").await.json().await.unwrap();
    assert_eq!(batch["generated"], 2, "{batch}");
    assert_eq!(batch["blocked"], 1, "{batch}");
    let blocked = item_for(&batch, &s.accounts[1]);
    assert_eq!(blocked["status"], "blocked");
    assert_eq!(blocked["blocked_reasons"], json!(["cease_requested"]));

    let text = s.pdf_text(&format!("/api/v1/correspondence-batches/{}/print-file", batch["id"].as_str().unwrap())).await;
    assert!(!text.contains("Bob Jones"), "the ceased account is printed: {text}");
    assert!(text.contains("Ana Smith"), "{text}");

    let stored: Value = s.app.get(&s.manager, &format!("/api/v1/correspondence-batches/{}", batch["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(item_for(&stored, &s.accounts[1])["blocked_reasons"], json!(["cease_requested"]));
    let pdf = s.app.get(&s.manager, &format!("/api/v1/correspondence/{}/pdf", blocked["correspondence_id"].as_str().unwrap())).await;
    assert_error(pdf, 422, "unprocessable_state").await;
}

#[tokio::test]
async fn time_barred_refused_legal_template() {
    let s = setup().await;
    s.put_holds(&s.accounts[0], json!({ "time_barred": true })).await;
    let final_demand = s.template_id("final_demand").await;

    let refused = s.generate(&s.accounts[0], &final_demand, "demand-1").await;
    let body = assert_error(refused, 422, "contact_not_allowed").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("time_barred"), "{body}");
    assert_eq!(s.app.count("SELECT count(*) AS n FROM correspondence"), 0);

    // No limitation rule covers Illinois, so legal content waits for one.
    let unknown: Value = s.batch(&final_demand, &[&s.accounts[1]], "demand-unknown").await.json().await.unwrap();
    assert_eq!(item_for(&unknown, &s.accounts[1])["blocked_reasons"], json!(["limitation_unknown"]));
    diesel::sql_query(
        "INSERT INTO limitation_periods (country, region, debt_type, years, runs_from, payment_restarts, source)
         VALUES ('US', 'IL', 'any', 5, 'default', false, 'a rule for this test')",
    )
    .execute(&mut s.app.db())
    .unwrap();

    let batch: Value = s.batch(&final_demand, &[&s.accounts[0], &s.accounts[1]], "demand-batch").await.json().await.unwrap();
    assert_eq!(item_for(&batch, &s.accounts[0])["blocked_reasons"], json!(["time_barred"]));
    assert_eq!(item_for(&batch, &s.accounts[1])["status"], "generated");

    // Content without legal action still goes to a time-barred debt.
    let reminder = s.template_id("reminder").await;
    assert_eq!(s.generate(&s.accounts[0], &reminder, "reminder-1").await.status(), 201);
}

#[tokio::test]
async fn email_sent_with_opt_out_link() {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup_with(TestApp::spawn_with_mail(sink.port()).await, daytime_address()).await;
    let reminder = s.template_id("reminder_email").await;
    let response = s.generate(&s.accounts[0], &reminder, "email-1").await;
    assert_eq!(response.status(), 201);
    let email: Value = response.json().await.unwrap();
    assert_eq!(email["status"], "queued", "{email}");

    let messages = sink.wait_for_messages(1, Duration::from_secs(20)).await.expect("the email arrives");
    assert_eq!(messages[0].rcpt_to, ["ana@example.com"]);
    let parsed = MessageParser::default().parse(&messages[0].data).expect("a MIME message");
    assert_eq!(parsed.subject(), Some("Reminder: account A-1"));
    let text = parsed.body_text(0).expect("a text body").to_string();
    assert!(text.contains("a balance of USD 1,555.50"), "{text}");
    assert!(text.contains("To stop emails about this account, open"), "{text}");
    let link = text.split_whitespace().find(|word| word.contains("/api/v1/opt-outs/")).expect("an opt-out link").to_string();
    assert!(link.starts_with(&s.app.address), "{link}");

    let mut sent = Value::Null;
    for _ in 0..100 {
        let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/correspondence", s.accounts[0])).await.json().await.unwrap();
        sent = listed["items"][0].clone();
        if sent["status"] != "queued" && sent["status"] != "sending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sent["status"], "sent", "{sent}");
    assert!(sent["sent_at"].is_string());

    // Following the link shows a confirmation page and changes nothing.
    let page = s.app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Stop emails"));
    assert_eq!(s.app.count("SELECT count(*) AS n FROM debtor_emails WHERE opted_out"), 0);

    let confirmed = s.app.client.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["opted_out"], true);

    let decision: Value =
        s.app.get(&s.manager, &format!("/api/v1/accounts/{}/contact-eligibility?channel=email", s.accounts[0])).await.json().await.unwrap();
    assert_eq!(decision["allowed"], false);
    let holds: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/contact-holds", s.accounts[0])).await.json().await.unwrap();
    assert_eq!(holds["cease_channels"], json!(["email"]));
    assert_eq!(s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'debtor_email.opted_out'"), 1);
    let again = s.app.client.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 200, "confirming twice is fine");
    assert_eq!(s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'debtor_email.opted_out'"), 1, "and audited once");

    let refused = s.generate(&s.accounts[0], &reminder, "email-2").await;
    let body = assert_error(refused, 422, "contact_not_allowed").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("cease_requested"), "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().contains("ana@"), "personal data in {body}");
    // A letter is another channel and still allowed.
    let letter = s.template_id("reminder").await;
    assert_eq!(s.generate(&s.accounts[0], &letter, "letter-after-opt-out").await.status(), 201);
    assert_eq!(sink.messages().len(), 1, "sent once");
}

#[tokio::test]
async fn email_outside_window_waits_queued() {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup_with(TestApp::spawn_with_mail(sink.port()).await, nighttime_address()).await;
    let reminder = s.template_id("reminder_email").await;
    let response = s.generate(&s.accounts[0], &reminder, "night-email").await;
    assert_eq!(response.status(), 201);
    let email: Value = response.json().await.unwrap();
    assert_eq!(email["status"], "queued", "{email}");

    let batch: Value = s.batch(&reminder, &[&s.accounts[0]], "night-batch").await.json().await.unwrap();
    assert_eq!(batch["queued"], 1, "{batch}");
    assert_eq!(batch["blocked"], 0, "{batch}");

    // The mailer wakes on each queued email; give it time to (wrongly) send.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sink.messages().is_empty(), "an email went out at night");
    let waiting = s.app.count("SELECT count(*) AS n FROM correspondence WHERE status = 'queued' AND next_attempt_at > now() + interval '30 minutes'");
    assert_eq!(waiting, 2);

    // Letters have no contact window.
    let letter = s.template_id("reminder").await;
    assert_eq!(s.generate(&s.accounts[0], &letter, "night-letter").await.status(), 201);
}

#[tokio::test]
async fn unknown_opt_out_token_not_found() {
    let s = setup().await;
    let response = s.app.client.post(s.app.url("/api/v1/opt-outs/not-a-token")).send().await.unwrap();
    assert_error(response, 404, "not_found").await;
}

#[tokio::test]
async fn generation_retry_is_idempotent() {
    let s = setup().await;
    let reminder = s.template_id("reminder").await;
    let first = s.generate(&s.accounts[0], &reminder, "retry-1").await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = s.generate(&s.accounts[0], &reminder, "retry-1").await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["Idempotent-Replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(s.app.count("SELECT count(*) AS n FROM correspondence"), 1);

    let other = s.template_id("notice").await;
    let reused = s.generate(&s.accounts[0], &other, "retry-1").await;
    assert_error(reused, 422, "idempotency_key_reused").await;

    let missing = s
        .app
        .client
        .post(s.app.url(&format!("/api/v1/accounts/{}/correspondence", s.accounts[0])))
        .bearer_auth(&s.manager)
        .json(&json!({ "template_id": reminder }))
        .send()
        .await
        .unwrap();
    assert_error(missing, 400, "idempotency_key_missing").await;
}

#[tokio::test]
async fn bad_template_input_rejected() {
    let s = setup().await;
    let template = |key: &str, body: &str, legal: bool| {
        json!({ "key": key, "name": "Test", "channel": "letter", "mentions_legal_action": legal, "subject": "Account {{account.reference}}", "body": body })
    };
    let cases = [
        (template("unknown", "Dear {{debtor.nmae}}", false), "unknown_field", "{{debtor.nmae}}"),
        (template("unclosed", "Dear {{debtor.name", false), "unclosed_field", "character 6"),
        (template("legal", "We may take you to court.", false), "mentions_legal_action", "court"),
        (template("Bad Key", "Dear {{debtor.name}}", false), "invalid", "Bad Key"),
    ];
    for (request, code, named) in cases {
        let response = s.app.post_json(&s.manager, "/api/v1/templates", &request).await;
        let body = assert_error(response, 400, "validation_failed").await;
        let field = &body["error"]["fields"][0];
        assert_eq!(field["code"], code, "{body}");
        assert!(field["message"].as_str().unwrap().contains(named), "{body}");
    }

    let collector = s.app.token_for(Role::Collector).await;
    let forbidden = s.app.post_json(&collector, "/api/v1/templates", &template("mine", "Dear {{debtor.name}}", false)).await;
    assert_error(forbidden, 403, "forbidden").await;

    let taken = s.app.post_json(&s.manager, "/api/v1/templates", &template("reminder", "Dear {{debtor.name}}", false)).await;
    let body = assert_error(taken, 409, "conflict").await;
    assert_eq!(body["error"]["fields"][0]["code"], "taken");

    // The plan confirmation needs a plan, which A-1 does not have.
    let confirmation = s.template_id("plan_confirmation").await;
    let preview = s.app.post_json(&s.manager, &format!("/api/v1/templates/{confirmation}/preview"), &json!({ "account_id": s.accounts[0] })).await;
    let body = assert_error(preview, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["code"], "missing_value");
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap().contains("{{plan.instalment_count}}"), "{body}");
    let generated = s.generate(&s.accounts[0], &confirmation, "confirmation-1").await;
    assert_error(generated, 400, "validation_failed").await;
    assert_eq!(s.app.count("SELECT count(*) AS n FROM correspondence"), 0);
}

#[tokio::test]
async fn new_version_leaves_old_letters() {
    let s = setup().await;
    let reminder = s.template_id("reminder").await;
    let first: Value = s.generate(&s.accounts[0], &reminder, "v1").await.json().await.unwrap();

    let change = json!({ "subject": "Second reminder: {{account.reference}}", "body": "Dear {{debtor.name}}, you still owe {{account.balance}}." });
    let response = s.app.post_json(&s.manager, &format!("/api/v1/templates/{reminder}/versions"), &change).await;
    assert_eq!(response.status(), 201);
    let version: Value = response.json().await.unwrap();
    assert_eq!(version["version"], 2);

    let preview: Value =
        s.app.post_json(&s.manager, &format!("/api/v1/templates/{reminder}/preview"), &json!({ "account_id": s.accounts[0] })).await.json().await.unwrap();
    assert_eq!(preview["body"], "Dear Ana Smith, you still owe USD 1,555.50.");
    assert_eq!(preview["contact"]["allowed"], true);
    let old_preview: Value = s
        .app
        .post_json(&s.manager, &format!("/api/v1/templates/{reminder}/preview"), &json!({ "account_id": s.accounts[0], "version": 1 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old_preview["version"], 1);

    let second: Value = s.generate(&s.accounts[0], &reminder, "v2").await.json().await.unwrap();
    assert_eq!(second["version"], 2);
    assert_eq!(second["subject"], "Second reminder: A-1");

    let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/correspondence", s.accounts[0])).await.json().await.unwrap();
    let old = listed["items"].as_array().unwrap().iter().find(|item| item["id"] == first["id"]).unwrap();
    assert_eq!(old["version"], 1);
    assert_eq!(old["body"], first["body"]);

    let mut conn = s.app.db();
    let changed = diesel::sql_query("UPDATE template_versions SET body = 'changed'").execute(&mut conn);
    assert!(changed.is_err(), "a stored version was changed");
}

#[tokio::test]
async fn email_left_sending_fails_once() {
    let sink = SmtpSink::start().await.unwrap();
    let s = setup_with(TestApp::spawn_with_mail(sink.port()).await, daytime_address()).await;
    let reminder = s.template_id("reminder_email").await;
    let email: Value = s.generate(&s.accounts[0], &reminder, "email-stale").await.json().await.unwrap();
    sink.wait_for_messages(1, Duration::from_secs(20)).await.expect("the email arrives");
    for _ in 0..100 {
        if s.app.count("SELECT count(*) AS n FROM correspondence WHERE status = 'sent'") == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // As if the mailer had stopped after handing the email over: the row is
    // still `sending` and its lease has run out.
    diesel::sql_query(format!(
        "UPDATE correspondence SET status = 'sending', sent_at = NULL, next_attempt_at = now() - interval '1 minute' WHERE id = '{}'",
        email["id"].as_str().unwrap()
    ))
    .execute(&mut s.app.db())
    .unwrap();

    let mut stale = Value::Null;
    for _ in 0..200 {
        let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/correspondence", s.accounts[0])).await.json().await.unwrap();
        stale = listed["items"][0].clone();
        if stale["status"] != "sending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stale["status"], "failed", "{stale}");
    assert!(stale["last_error"].as_str().unwrap().contains("may have been sent"), "{stale}");
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(sink.messages().len(), 1, "the email is not sent again");
}
