//! Emailed receipts, sent through a real SMTP server on loopback.

use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{fixture, TestApp};
use crate::smtp_sink::SmtpSink;

async fn app_with_mail(sink: &SmtpSink) -> (TestApp, String, String) {
    let app = TestApp::spawn_with_mail(sink.port()).await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    let page: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    (app, token, id)
}

async fn post_emailed(app: &TestApp, token: &str, account: &str, key: &str) -> Value {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account}/payments")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({ "amount": 2_500, "currency": "USD", "method": "cash", "receipt_delivery": "email" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Polls the payment until its first delivery leaves `pending`.
async fn settled_delivery(app: &TestApp, token: &str, payment: &Value) -> Value {
    let path = format!("/api/v1/payments/{}", payment["id"].as_str().unwrap());
    for _ in 0..200 {
        let now: Value = app.get(token, &path).await.json().await.unwrap();
        if now["deliveries"][0]["status"] != "pending" {
            return now["deliveries"][0].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery stayed pending for 20 s");
}

#[tokio::test]
async fn an_emailed_receipt_arrives_with_its_pdf() {
    let sink = SmtpSink::start().await.unwrap();
    let (app, token, account) = app_with_mail(&sink).await;
    let payment = post_emailed(&app, &token, &account, "mail-1").await;
    assert_eq!(payment["deliveries"][0]["channel"], "email");

    let messages = sink.wait_for_messages(1, Duration::from_secs(20)).await.expect("the receipt is emailed");
    assert_eq!(messages[0].rcpt_to, ["ana@example.com"]);
    let parsed = MessageParser::default().parse(&messages[0].data).expect("a MIME message");
    assert_eq!(parsed.subject(), Some("Receipt MAIN-000001 from Acme"));
    let attachment = parsed.attachment(0).expect("the PDF is attached");
    assert_eq!(attachment.attachment_name(), Some("receipt-MAIN-000001.pdf"));
    let text = pdf_extract::extract_text_from_mem(attachment.contents()).expect("the attachment is a PDF");
    assert!(text.contains("USD 25.00"), "{text}");
    assert!(text.contains("MAIN-000001"), "{text}");

    let delivery = settled_delivery(&app, &token, &payment).await;
    assert_eq!(delivery["status"], "sent");
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["last_error"].is_null());
    assert_eq!(sink.messages().len(), 1, "sent once");
}

#[tokio::test]
async fn a_refused_address_fails_the_delivery_without_naming_the_address() {
    let sink = SmtpSink::start().await.unwrap();
    sink.reject_recipient("ana@example.com");
    let (app, token, account) = app_with_mail(&sink).await;
    let payment = post_emailed(&app, &token, &account, "mail-2").await;
    let delivery = settled_delivery(&app, &token, &payment).await;
    assert_eq!(delivery["status"], "failed");
    let reason = delivery["last_error"].as_str().unwrap();
    assert!(reason.contains("550"), "{reason}");
    assert!(!reason.contains("ana"), "personal data in {reason}");
}

#[tokio::test]
async fn a_debtor_without_an_email_address_gets_a_failed_delivery_at_once() {
    let sink = SmtpSink::start().await.unwrap();
    let (app, token, _) = app_with_mail(&sink).await;
    let page: Value = app.get(&token, "/api/v1/accounts?q=A-2").await.json().await.unwrap();
    let account = page["items"][0]["id"].as_str().unwrap().to_string();
    let payment = post_emailed(&app, &token, &account, "mail-3").await;
    assert_eq!(payment["deliveries"][0]["status"], "failed");
    assert!(payment["deliveries"][0]["last_error"].as_str().unwrap().contains("no valid email"));
}
