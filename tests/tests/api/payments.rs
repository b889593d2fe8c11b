//! Posting payments, idempotency, reversals, back-dating and `verify`.

use std::collections::HashSet;

use diesel::prelude::*;
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

/// Imports the standard fixture and returns the app, a manager's token and the id of `account_ref`.
async fn app_with_account(account_ref: &str) -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    let id = account_id(&app, &token, account_ref).await;
    (app, token, id)
}

async fn account_id(app: &TestApp, token: &str, account_ref: &str) -> String {
    let page: Value = app.get(token, &format!("/api/v1/accounts?q={account_ref}")).await.json().await.unwrap();
    page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == account_ref).expect("account imported")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn pay(app: &TestApp, token: &str, account: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/accounts/{account}/payments")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn reverse(app: &TestApp, token: &str, payment: &str, key: &str, reason: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/payments/{payment}/reversal")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({ "reason": reason }))
        .send()
        .await
        .unwrap()
}

async fn balance(app: &TestApp, token: &str, account: &str) -> Value {
    let account: Value = app.get(token, &format!("/api/v1/accounts/{account}")).await.json().await.unwrap();
    account["balance"].clone()
}

fn cheque(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD", "method": "cheque",
            "instrument": { "cheque_number": "000100", "drawee_bank": "First Bank", "cheque_date": chrono::Utc::now().date_naive() } })
}

fn cash(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD", "method": "cash" })
}

fn verify(app: &TestApp) -> std::process::Output {
    crate::cli::run(&app.database_url, &["verify"], None)
}

#[tokio::test]
async fn a_cash_payment_pays_fees_then_interest_then_principal_and_gets_a_receipt() {
    // A-1 owes 1,500.00 principal, 20.50 interest and 35.00 fees.
    let (app, token, account) = app_with_account("A-1").await;
    let response = pay(&app, &token, &account, "k-1", &cash(10_000)).await;
    assert_eq!(response.status(), 201);
    let payment: Value = response.json().await.unwrap();
    assert_eq!(payment["receipt_number"], "MAIN-000001");
    assert_eq!(payment["receipt_sequence"], 1);
    assert_eq!(payment["status"], "posted");
    assert_eq!(payment["allocation"], json!({ "fees": 3_500, "interest": 2_050, "principal": 4_450, "unapplied": 0 }));
    assert_eq!(payment["account_balance"], json!({ "principal": 145_550, "interest": 0, "fees": 0, "total": 145_550 }));
    assert_eq!(balance(&app, &token, &account).await["total"], 145_550);

    let second: Value = pay(&app, &token, &account, "k-2", &cash(500)).await.json().await.unwrap();
    assert_eq!(second["receipt_number"], "MAIN-000002");

    let page: Value = app.get(&token, &format!("/api/v1/accounts/{account}/payments?limit=1")).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], second["id"], "newest first");
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let page: Value = app.get(&token, &format!("/api/v1/accounts/{account}/payments?limit=1&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], payment["id"]);
    assert!(page["next_cursor"].is_null());

    let detail: Value = app.get(&token, &format!("/api/v1/accounts/{account}")).await.json().await.unwrap();
    let kinds: Vec<&str> = detail["ledger"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["placement", "payment", "payment"]);
    assert!(verify(&app).status.success());
}

#[tokio::test]
async fn an_overpayment_is_kept_as_unapplied_credit() {
    // A-2 owes 99.99.
    let (app, token, account) = app_with_account("A-2").await;
    let payment: Value = pay(&app, &token, &account, "k", &cash(12_000)).await.json().await.unwrap();
    assert_eq!(payment["allocation"], json!({ "fees": 0, "interest": 0, "principal": 9_999, "unapplied": 2_001 }));
    assert_eq!(payment["account_unapplied_credit"], 2_001);
    let detail: Value = app.get(&token, &format!("/api/v1/accounts/{account}")).await.json().await.unwrap();
    assert_eq!(detail["unapplied_credit"], 2_001);
    assert_eq!(payment["account_balance"]["total"], 0);
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_result() {
    let (app, token, account) = app_with_account("A-1").await;
    let first = pay(&app, &token, &account, "same-key", &cash(1_000)).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();

    // Same body with other spacing and key order is the same request.
    let retry = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account}/payments")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "same-key")
        .header("Content-Type", "application/json")
        .body(r#"{ "method": "cash",  "currency": "USD", "amount": 1000 }"#)
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["Idempotent-Replayed"], "true");
    let retried: Value = retry.json().await.unwrap();
    assert_eq!(retried, first);

    let other_body = pay(&app, &token, &account, "same-key", &cash(2_000)).await;
    assert_error(other_body, 422, "idempotency_key_reused").await;

    let no_key = app.post_json(&token, &format!("/api/v1/accounts/{account}/payments"), &cash(1_000)).await;
    let body = assert_error(no_key, 400, "idempotency_key_missing").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("Idempotency-Key"));

    let twice = app
        .client
        .post(app.url(&format!("/api/v1/accounts/{account}/payments")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&cash(1_000))
        .send()
        .await
        .unwrap();
    assert_error(twice, 400, "idempotency_key_invalid").await;
    let spaced = pay(&app, &token, &account, "two words", &cash(1_000)).await;
    assert_error(spaced, 400, "idempotency_key_invalid").await;

    // The same key from another user is another request.
    let other_user = app.token_for(Role::Manager).await;
    let theirs: Value = pay(&app, &other_user, &account, "same-key", &cash(1_000)).await.json().await.unwrap();
    assert_ne!(theirs["id"], first["id"]);

    let page: Value = app.get(&token, &format!("/api/v1/accounts/{account}/payments")).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn simultaneous_requests_with_one_key_post_one_payment() {
    let (app, token, account) = app_with_account("A-1").await;
    let body = cash(700);
    let requests = (0..24).map(|_| pay(&app, &token, &account, "one-key", &body));
    let responses = futures_join_all(requests).await;
    let mut ids = HashSet::new();
    for response in responses {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        match status {
            201 => {
                ids.insert(body["id"].as_str().unwrap().to_string());
            }
            409 => assert_eq!(body["error"]["code"], "request_in_progress"),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "every successful response names the same payment");
    let page: Value = app.get(&token, &format!("/api/v1/accounts/{account}/payments")).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(balance(&app, &token, &account).await["total"], 155_550 - 700);
}

#[tokio::test]
async fn simultaneous_postings_get_gap_free_receipt_numbers() {
    let (app, token, account) = app_with_account("A-1").await;
    let requests = (0..40).map(|i| {
        let key = format!("key-{i}");
        let app = &app;
        let token = &token;
        let account = &account;
        async move { pay(app, token, account, &key, &cash(100)).await }
    });
    let mut sequences = Vec::new();
    for response in futures_join_all(requests).await {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        sequences.push(body["receipt_sequence"].as_i64().unwrap());
    }
    sequences.sort();
    assert_eq!(sequences, (1..=40).collect::<Vec<_>>());
    assert_eq!(balance(&app, &token, &account).await["total"], 155_550 - 4_000);
    let output = verify(&app);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

/// Runs the futures at once on this task and returns their results in order.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.extend(outputs.into_iter().map(|o| o.expect("every future finished")));
    results
}

#[tokio::test]
async fn a_reversal_restores_every_component_and_cannot_be_repeated() {
    let (app, token, account) = app_with_account("A-1").await;
    let before = balance(&app, &token, &account).await;
    let payment: Value = pay(
        &app,
        &token,
        &account,
        "cheque-1",
        &json!({ "amount": 6_000, "currency": "USD", "method": "cheque",
                 "instrument": { "cheque_number": "001234", "drawee_bank": "First Bank", "cheque_date": chrono::Utc::now().date_naive() } }),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = payment["id"].as_str().unwrap();
    assert_ne!(balance(&app, &token, &account).await, before);

    let reversed = reverse(&app, &token, id, "rev-1", "nsf").await;
    assert_eq!(reversed.status(), 200);
    let reversed: Value = reversed.json().await.unwrap();
    assert_eq!(reversed["status"], "reversed");
    assert_eq!(reversed["reversal"]["reason"], "nsf");
    assert!(reversed["reversal"]["fee_charged"].is_null());
    assert!(reversed["reversal"]["fee_decision"].as_str().unwrap().contains("no returned-payment fee"));
    assert_eq!(reversed["allocation"], json!({ "fees": 0, "interest": 0, "principal": 0, "unapplied": 0 }));
    assert_eq!(balance(&app, &token, &account).await, before, "every component is back where it was");

    let again = reverse(&app, &token, id, "rev-2", "nsf").await;
    assert_error(again, 409, "already_reversed").await;
    let replay = reverse(&app, &token, id, "rev-1", "nsf").await;
    assert_eq!(replay.status(), 200, "the first reversal's key replays its result");

    let mut conn = app.db();
    let annotations: serde_json::Value = diesel::sql_query(
        "SELECT annotations AS value FROM receipts WHERE payment_id = $1::uuid",
    )
    .bind::<diesel::sql_types::Text, _>(id)
    .get_result::<JsonRow>(&mut conn)
    .unwrap()
    .value;
    assert!(annotations[0].as_str().unwrap().contains("not sufficient funds"), "{annotations}");
    assert!(verify(&app).status.success());
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    value: serde_json::Value,
}

async fn creditor_of(app: &TestApp, token: &str, account: &str) -> String {
    let detail: Value = app.get(token, &format!("/api/v1/accounts/{account}")).await.json().await.unwrap();
    detail["creditor_id"].as_str().unwrap().to_string()
}

async fn set_policy(app: &TestApp, token: &str, creditor: &str, policy: Value) -> reqwest::Response {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/creditors/{creditor}/payment-policy")))
        .bearer_auth(token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    response
}

#[tokio::test]
async fn a_payment_policy_is_checked_and_changes_the_allocation_order() {
    let (app, token, account) = app_with_account("A-1").await;
    let creditor = creditor_of(&app, &token, &account).await;
    let bad = set_policy(&app, &token, &creditor, json!({ "allocation_order": ["fees", "fees", "principal"],
        "returned_payment_fee": -5, "returned_payment_fee_jurisdictions": ["Illinois"] })).await;
    let error = assert_error(bad, 400, "validation_failed").await;
    let fields: Vec<&str> = error["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["allocation_order", "returned_payment_fee", "returned_payment_fee_jurisdictions"]);

    let assistant = app.token_for(Role::Assistant).await;
    let policy = json!({ "allocation_order": ["principal", "interest", "fees"], "returned_payment_fee": null, "returned_payment_fee_jurisdictions": [] });
    assert_error(set_policy(&app, &assistant, &creditor, policy.clone()).await, 403, "forbidden").await;
    assert_eq!(set_policy(&app, &token, &creditor, policy.clone()).await.status(), 200);
    let stored: Value = app.get(&token, &format!("/api/v1/creditors/{creditor}/payment-policy")).await.json().await.unwrap();
    assert_eq!(stored, policy);

    let payment: Value = pay(&app, &token, &account, "principal-first", &cash(150_100)).await.json().await.unwrap();
    assert_eq!(payment["allocation"], json!({ "fees": 0, "interest": 100, "principal": 150_000, "unapplied": 0 }));
}

#[tokio::test]
async fn a_collectors_own_book_numbers_their_receipts() {
    let (app, token, account) = app_with_account("A-1").await;
    let creditor = creditor_of(&app, &token, &account).await;
    let collector_id = app.create_user("field@example.com", "a long test password", Role::Collector);
    let book = app.post_json(&token, "/api/v1/receipt-books", &json!({ "creditor_id": creditor, "code": "C07", "collector_id": collector_id })).await;
    assert_eq!(book.status(), 201);
    let again = app.post_json(&token, "/api/v1/receipt-books", &json!({ "creditor_id": creditor, "code": "C07" })).await;
    assert_error(again, 409, "conflict").await;
    let bad = app.post_json(&token, "/api/v1/receipt-books", &json!({ "creditor_id": creditor, "code": "c-7" })).await;
    assert_error(bad, 400, "validation_failed").await;

    let response = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{account}/assignment")))
        .bearer_auth(&token)
        .json(&json!({ "agent_id": collector_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let login: Value = app.login("field@example.com", "a long test password").await.json().await.unwrap();
    let collector = login["access_token"].as_str().unwrap();
    let payment: Value = pay(&app, collector, &account, "field-1", &cash(100)).await.json().await.unwrap();
    assert_eq!(payment["receipt_number"], "C07-000001");
    let office: Value = pay(&app, &token, &account, "office-1", &cash(100)).await.json().await.unwrap();
    assert_eq!(office["receipt_number"], "MAIN-000001");
    let borrowed = pay(&app, &token, &account, "office-2", &json!({ "amount": 100, "currency": "USD", "method": "cash", "receipt_book": "C07" })).await;
    assert_error(borrowed, 403, "forbidden").await;

    let books: Value = app.get(&token, &format!("/api/v1/receipt-books?creditor_id={creditor}")).await.json().await.unwrap();
    let issued: Vec<(String, i64)> = books["items"].as_array().unwrap().iter().map(|b| (b["code"].as_str().unwrap().to_string(), b["issued"].as_i64().unwrap())).collect();
    assert_eq!(issued, [("C07".to_string(), 1), ("MAIN".to_string(), 1)]);
}

#[tokio::test]
async fn a_returned_payment_fee_is_charged_only_where_the_policy_allows_it() {
    let (app, token, account) = app_with_account("A-1").await;
    let creditor = creditor_of(&app, &token, &account).await;
    // A-1's debtor lives in Illinois; the policy first allows the fee only in Texas.
    set_policy(&app, &token, &creditor, json!({ "allocation_order": ["fees", "interest", "principal"],
        "returned_payment_fee": 2_500, "returned_payment_fee_jurisdictions": ["US-TX"] })).await;
    let first: Value = pay(&app, &token, &account, "p1", &cheque(1_000)).await.json().await.unwrap();
    let reversed: Value = reverse(&app, &token, first["id"].as_str().unwrap(), "r1", "nsf").await.json().await.unwrap();
    assert!(reversed["reversal"]["fee_charged"].is_null());
    assert!(reversed["reversal"]["fee_decision"].as_str().unwrap().contains("US-IL"), "{reversed}");

    set_policy(&app, &token, &creditor, json!({ "allocation_order": ["fees", "interest", "principal"],
        "returned_payment_fee": 2_500, "returned_payment_fee_jurisdictions": ["US-IL"] })).await;
    let second: Value = pay(&app, &token, &account, "p2", &cheque(1_000)).await.json().await.unwrap();
    let disputed: Value = reverse(&app, &token, second["id"].as_str().unwrap(), "r2", "disputed").await.json().await.unwrap();
    assert!(disputed["reversal"]["fee_charged"].is_null(), "a dispute is not a returned payment");

    let cash_payment: Value = pay(&app, &token, &account, "p-cash", &cash(1_000)).await.json().await.unwrap();
    let cash_reversed: Value = reverse(&app, &token, cash_payment["id"].as_str().unwrap(), "r-cash", "nsf").await.json().await.unwrap();
    assert!(cash_reversed["reversal"]["fee_charged"].is_null(), "cash is not returned by a bank");

    let third: Value = pay(&app, &token, &account, "p3", &cheque(1_000)).await.json().await.unwrap();
    let before = balance(&app, &token, &account).await;
    let charged: Value = reverse(&app, &token, third["id"].as_str().unwrap(), "r3", "nsf").await.json().await.unwrap();
    assert_eq!(charged["reversal"]["fee_charged"], 2_500);
    let after = balance(&app, &token, &account).await;
    assert_eq!(after["fees"].as_i64().unwrap(), before["fees"].as_i64().unwrap() + 1_000 + 2_500);
    assert!(verify(&app).status.success());
}

#[tokio::test]
async fn a_back_dated_payment_re_allocates_a_later_one_and_its_receipt_keeps_its_words() {
    // A-2 owes 99.99. Today's payment pays it all.
    let (app, token, account) = app_with_account("A-2").await;
    let today = chrono::Utc::now().date_naive();
    let later: Value = pay(&app, &token, &account, "later", &cash(9_999)).await.json().await.unwrap();
    assert_eq!(later["allocation"]["principal"], 9_999);

    // A payment received a week ago arrives now: it paid first, so the
    // later one paid only what was left and the rest is credit.
    let week_ago = (today - chrono::Duration::days(7)).to_string();
    let earlier: Value = pay(
        &app,
        &token,
        &account,
        "earlier",
        &json!({ "amount": 5_000, "currency": "USD", "method": "bank_transfer", "received_on": week_ago,
                 "instrument": { "reference": "TRF-1" } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(earlier["allocation"], json!({ "fees": 0, "interest": 0, "principal": 5_000, "unapplied": 0 }));
    let later_now: Value = app.get(&token, &format!("/api/v1/payments/{}", later["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(later_now["allocation"], json!({ "fees": 0, "interest": 0, "principal": 4_999, "unapplied": 5_000 }));
    assert_eq!(later_now["account_unapplied_credit"], 5_000);

    let detail: Value = app.get(&token, &format!("/api/v1/accounts/{account}")).await.json().await.unwrap();
    let kinds: Vec<&str> = detail["ledger"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"reallocation"), "{kinds:?}");

    // The later payment's receipt still says what it said when issued.
    let mut conn = app.db();
    let content = diesel::sql_query("SELECT content AS value FROM receipts WHERE payment_id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(later["id"].as_str().unwrap())
        .get_result::<JsonRow>(&mut conn)
        .unwrap()
        .value;
    assert_eq!(content["allocation"]["principal"], 9_999);
    assert_eq!(content["allocation"]["unapplied"], 0);

    // Reversing the earlier one puts everything back on the later one.
    reverse(&app, &token, earlier["id"].as_str().unwrap(), "undo", "other").await;
    let later_again: Value = app.get(&token, &format!("/api/v1/payments/{}", later["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(later_again["allocation"], json!({ "fees": 0, "interest": 0, "principal": 9_999, "unapplied": 0 }));
    assert!(verify(&app).status.success());
}

#[tokio::test]
async fn a_post_dated_cheque_is_held_and_changes_nothing_yet() {
    let (app, token, account) = app_with_account("A-1").await;
    let before = balance(&app, &token, &account).await;
    let next_month = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let held: Value = pay(
        &app,
        &token,
        &account,
        "pdc",
        &json!({ "amount": 5_000, "currency": "USD", "method": "cheque",
                 "instrument": { "cheque_number": "77", "drawee_bank": "Second Bank", "cheque_date": next_month } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(held["status"], "held");
    assert_eq!(held["held_until"], next_month.as_str());
    assert_eq!(held["receipt_number"], "MAIN-000001", "the collector hands over a receipt for the cheque at once");
    assert_eq!(balance(&app, &token, &account).await, before);
    assert!(verify(&app).status.success());
}

#[tokio::test]
async fn a_payment_spread_over_a_debtors_accounts_follows_the_rule() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = "account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since\n\
                S-1,D-9,Sam Lee,USD,100.00,0,0,2025-05-01\n\
                S-2,D-9,Sam Lee,USD,50.00,0,0,2024-01-01\n";
    app.import_file(&token, "standard", "Acme", "s.csv", file.as_bytes().to_vec()).await;
    let s1 = account_id(&app, &token, "S-1").await;
    let s2 = account_id(&app, &token, "S-2").await;
    let body = json!({ "amount": 8_000, "currency": "USD", "method": "cash",
                       "spread": { "rule": "oldest_first", "other_accounts": [s2] } });
    let payment: Value = pay(&app, &token, &s1, "spread", &body).await.json().await.unwrap();
    let parts = payment["parts"].as_array().unwrap();
    let part = |id: &str| parts.iter().find(|p| p["account_id"] == id).unwrap()["amount"].as_i64().unwrap();
    assert_eq!(part(&s2), 5_000, "S-2 is the older delinquency and is paid off first");
    assert_eq!(part(&s1), 3_000);
    assert_eq!(balance(&app, &token, &s2).await["total"], 0);
    assert!(verify(&app).status.success());
}

#[tokio::test]
async fn bad_payments_are_refused_with_the_field_named() {
    let (app, token, account) = app_with_account("A-1").await;
    let cases = [
        (json!({ "amount": 0, "currency": "USD", "method": "cash" }), "amount"),
        (json!({ "amount": i64::MAX, "currency": "USD", "method": "cash" }), "amount"),
        (json!({ "amount": 100, "currency": "EUR", "method": "cash" }), "currency"),
        (json!({ "amount": 100, "currency": "USD", "method": "cheque" }), "instrument.cheque_number"),
        (json!({ "amount": 100, "currency": "USD", "method": "card",
                 "instrument": { "card_last4": "4242", "gateway_reference": "4111 1111 1111 1111" } }), "instrument.gateway_reference"),
        (json!({ "amount": 100, "currency": "USD", "method": "cash", "received_on": "2999-01-01" }), "received_on"),
    ];
    for (i, (body, field)) in cases.iter().enumerate() {
        let response = pay(&app, &token, &account, &format!("bad-{i}"), body).await;
        let error = assert_error(response, 400, "validation_failed").await;
        let fields: Vec<&str> = error["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(field), "{body}: {error}");
        assert!(!error.to_string().contains("4111 1111"), "a card number must never be echoed");
    }
    let unknown = pay(&app, &token, &account, "bad-x", &json!({ "amount": 100, "currency": "USD", "method": "cash", "card_number": "4111111111111111" })).await;
    let error = assert_error(unknown, 400, "malformed_json").await;
    assert!(!error.to_string().contains("4111111111111111"));
    let bad_method = pay(&app, &token, &account, "bad-y", &json!({ "amount": 100, "currency": "USD", "method": "bitcoin" })).await;
    assert_error(bad_method, 400, "malformed_json").await;
    // Nothing was posted and no receipt number was used.
    let ok: Value = pay(&app, &token, &account, "good", &cash(100)).await.json().await.unwrap();
    assert_eq!(ok["receipt_sequence"], 1);
}

#[tokio::test]
async fn an_assistant_cannot_post_to_an_account_that_is_not_theirs() {
    let (app, _token, account) = app_with_account("A-1").await;
    let assistant = app.token_for(Role::Assistant).await;
    let response = pay(&app, &assistant, &account, "x", &cash(100)).await;
    assert_error(response, 404, "not_found").await;
}

#[tokio::test]
async fn verify_names_an_account_whose_stored_balance_drifted() {
    let (app, token, account) = app_with_account("A-1").await;
    pay(&app, &token, &account, "k", &cash(1_000)).await;
    assert!(verify(&app).status.success());
    let mut conn = app.db();
    diesel::sql_query("UPDATE accounts SET principal_balance = principal_balance + 1 WHERE id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(&account)
        .execute(&mut conn)
        .unwrap();
    let output = verify(&app);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains(&account) && stdout.contains("principal"), "{stdout}");
    assert!(stderr.contains(&account), "{stderr}");
}

async fn receipt_text(app: &TestApp, token: &str, payment: &str) -> String {
    let response = app.get(token, &format!("/api/v1/payments/{payment}/receipt")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    pdf_extract::extract_text_from_mem(&bytes).expect("the receipt is a readable PDF")
}

#[tokio::test]
async fn the_receipt_is_a_pdf_and_every_later_copy_is_a_duplicate() {
    let (app, token, account) = app_with_account("A-1").await;
    let payment: Value = pay(
        &app,
        &token,
        &account,
        "receipt",
        &json!({ "amount": 123_456, "currency": "USD", "method": "cheque", "receipt_delivery": "print",
                 "instrument": { "cheque_number": "000981", "drawee_bank": "First Bank", "cheque_date": chrono::Utc::now().date_naive() - chrono::Duration::days(3) } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(payment["deliveries"][0]["channel"], "print");
    assert_eq!(payment["deliveries"][0]["status"], "pending");
    let id = payment["id"].as_str().unwrap();

    let text = receipt_text(&app, &token, id).await;
    for expected in ["MAIN-000001", "Ana Smith", "A-1", "USD 1,234.56", "One thousand two hundred thirty-four US dollars and 56/100", "000981", "First Bank"] {
        assert!(text.contains(expected), "{expected:?} missing from the receipt:\n{text}");
    }
    assert!(!text.contains("DUPLICATE"));
    let printed: Value = app.get(&token, &format!("/api/v1/payments/{id}")).await.json().await.unwrap();
    assert_eq!(printed["deliveries"][0]["status"], "printed");

    reverse(&app, &token, id, "bounce", "nsf").await;
    let copy = receipt_text(&app, &token, id).await;
    assert!(copy.contains("DUPLICATE"), "{copy}");
    assert!(copy.contains("not sufficient funds"), "the reversal annotates the receipt:\n{copy}");
    assert!(copy.contains("USD 1,234.56"), "the copy keeps the amount it was issued for");

    let other = app.token_for(Role::Assistant).await;
    assert_error(app.get(&other, &format!("/api/v1/payments/{id}/receipt")).await, 404, "not_found").await;
}

#[tokio::test]
async fn first_postings_on_several_accounts_at_once_share_the_new_main_book() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "lending_club", "Lending Club", "lc.csv", fixture("lending_club_small.csv")).await;
    let page: Value = app.get(&token, "/api/v1/accounts").await.json().await.unwrap();
    let accounts: Vec<(String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_string(), a["currency"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(accounts.len(), 4);
    let requests = accounts.iter().map(|(id, currency)| {
        let body = json!({ "amount": 100, "currency": currency, "method": "cash" });
        let app = &app;
        let token = &token;
        async move { pay(app, token, id, &format!("first-{id}"), &body).await }
    });
    let mut sequences = Vec::new();
    for response in futures_join_all(requests).await {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        sequences.push(body["receipt_sequence"].as_i64().unwrap());
    }
    sequences.sort();
    assert_eq!(sequences, [1, 2, 3, 4]);
}

#[tokio::test]
async fn receipt_that_cannot_be_drawn_stays_unprinted() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = "account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since\n\
                H-1,D-7,עברית ישראלי,USD,100.00,0,0,2025-05-01\n";
    app.import_file(&token, "standard", "Acme", "h.csv", file.as_bytes().to_vec()).await;
    let account = account_id(&app, &token, "H-1").await;
    let body = json!({ "amount": 500, "currency": "USD", "method": "cash", "receipt_delivery": "print" });
    let payment: Value = pay(&app, &token, &account, "rtl", &body).await.json().await.unwrap();
    let id = payment["id"].as_str().unwrap();

    let response = app.get(&token, &format!("/api/v1/payments/{id}/receipt")).await;
    let error = assert_error(response, 422, "unprocessable_state").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("right-to-left"), "{error}");
    assert!(!error.to_string().contains("עברית"), "the payer's name must not be echoed");

    let after: Value = app.get(&token, &format!("/api/v1/payments/{id}")).await.json().await.unwrap();
    assert_eq!(after["deliveries"][0]["status"], "pending");
}
