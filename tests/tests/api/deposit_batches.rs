//! Field collections: payments a collector took, gathered into deposit
//! batches with control totals that closing the batch reconciles.

use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

struct Field {
    app: TestApp,
    collector: String,
    account: String,
    creditor: String,
}

/// A collector with account A-1 assigned to them.
async fn field() -> Field {
    let app = TestApp::spawn().await;
    let manager = app.token_for(Role::Manager).await;
    app.import_file(&manager, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    let page: Value = app.get(&manager, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let account = page["items"][0]["id"].as_str().unwrap().to_string();
    let creditor = page["items"][0]["creditor_id"].as_str().unwrap().to_string();
    let collector_id = app.create_user("collector@example.com", "a long test password", Role::Collector);
    let response = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{account}/assignment")))
        .bearer_auth(&manager)
        .json(&json!({ "agent_id": collector_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let login: Value = app.login("collector@example.com", "a long test password").await.json().await.unwrap();
    let collector = login["access_token"].as_str().unwrap().to_string();
    Field { app, collector, account, creditor }
}

impl Field {
    async fn take(&self, key: &str, body: Value) -> String {
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/api/v1/accounts/{}/payments", self.account)))
            .bearer_auth(&self.collector)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let payment: Value = response.json().await.unwrap();
        payment["id"].as_str().unwrap().to_string()
    }

    async fn open(&self, count: i32, amount: i64) -> String {
        let response = self
            .app
            .post_json(
                &self.collector,
                "/api/v1/deposit-batches",
                &json!({ "creditor_id": self.creditor, "currency": "USD", "control_count": count, "control_amount": amount }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let batch: Value = response.json().await.unwrap();
        assert_eq!(batch["status"], "open");
        batch["id"].as_str().unwrap().to_string()
    }

    async fn add(&self, batch: &str, payments: &[&str]) -> reqwest::Response {
        self.app.post_json(&self.collector, &format!("/api/v1/deposit-batches/{batch}/payments"), &json!({ "payment_ids": payments })).await
    }

    async fn close(&self, batch: &str) -> reqwest::Response {
        self.app.post_json(&self.collector, &format!("/api/v1/deposit-batches/{batch}/close"), &json!({ "deposit_reference": "SLIP-1" })).await
    }
}

fn cash(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD", "method": "cash" })
}

#[tokio::test]
async fn a_batch_that_matches_its_control_totals_closes_balanced() {
    let field = field().await;
    let first = field.take("c1", cash(2_000)).await;
    let second = field.take("c2", cash(500)).await;
    let cheque = field
        .take("c3", json!({ "amount": 10_000, "currency": "USD", "method": "cheque",
                            "instrument": { "cheque_number": "55", "drawee_bank": "First Bank", "cheque_date": chrono::Utc::now().date_naive() } }))
        .await;
    let batch = field.open(3, 12_500).await;
    let response = field.add(&batch, &[&first, &second, &cheque]).await;
    assert_eq!(response.status(), 200);
    let again = field.add(&batch, &[&first]).await;
    assert_eq!(again.status(), 200, "adding a payment already in the batch changes nothing");
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["actual_count"], 3);

    let closed: Value = field.close(&batch).await.json().await.unwrap();
    assert_eq!(closed["status"], "balanced");
    assert_eq!(closed["actual_amount"], 12_500);
    assert_eq!(closed["amount_difference"], 0);
    assert_eq!(closed["deposit_reference"], "SLIP-1");
    // Custody: who took each payment and who put it into the batch.
    for payment in closed["payments"].as_array().unwrap() {
        assert_eq!(payment["received_by"], closed["collector_id"]);
        assert_eq!(payment["batched_by"], closed["collector_id"]);
    }
    assert_error(field.add(&batch, &[&first]).await, 422, "unprocessable_state").await;
    assert_error(field.close(&batch).await, 422, "unprocessable_state").await;
}

#[tokio::test]
async fn a_batch_short_of_its_control_totals_is_flagged() {
    let field = field().await;
    let first = field.take("c1", cash(2_000)).await;
    let batch = field.open(2, 4_000).await;
    field.add(&batch, &[&first]).await;
    let closed: Value = field.close(&batch).await.json().await.unwrap();
    assert_eq!(closed["status"], "difference");
    assert_eq!(closed["count_difference"], -1);
    assert_eq!(closed["amount_difference"], -2_000);
}

#[tokio::test]
async fn only_the_collectors_own_cash_and_cheques_go_into_a_batch() {
    let field = field().await;
    let transfer = field
        .take("t1", json!({ "amount": 700, "currency": "USD", "method": "bank_transfer", "instrument": { "reference": "TRF-9" } }))
        .await;
    let cash_payment = field.take("c1", cash(300)).await;
    let batch = field.open(1, 300).await;
    let error = assert_error(field.add(&batch, &[&transfer]).await, 400, "validation_failed").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("cash, by cheque or by money order"), "{error}");

    let next_week = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
    let held = field
        .take("h1", json!({ "amount": 900, "currency": "USD", "method": "cheque",
                            "instrument": { "cheque_number": "9", "drawee_bank": "First Bank", "cheque_date": next_week } }))
        .await;
    let error = assert_error(field.add(&batch, &[&held]).await, 400, "validation_failed").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("held until its date"), "{error}");

    field.add(&batch, &[&cash_payment]).await;
    let other = field.open(1, 300).await;
    let error = assert_error(field.add(&other, &[&cash_payment]).await, 400, "validation_failed").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("another deposit batch"), "{error}");

    let stranger = field.app.token_for(Role::Collector).await;
    assert_error(field.app.get(&stranger, &format!("/api/v1/deposit-batches/{batch}")).await, 404, "not_found").await;
    let mine: Value = field.app.get(&field.collector, "/api/v1/deposit-batches?status=open").await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert_error(field.app.get(&field.collector, "/api/v1/deposit-batches?status=shut").await, 400, "validation_failed").await;
}
