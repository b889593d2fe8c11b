//! Repayment plans, approvals, promises to pay and the daily run that
//! watches them. The run is driven with explicit days; plans and promises
//! made today are moved back in time by shifting their stored dates.

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

/// The standard fixture's creditor, its accounts and a manager's token.
struct Setup {
    app: TestApp,
    manager: String,
    account: String,
    creditor: String,
}

async fn setup(app: TestApp, account_ref: &str) -> Setup {
    let manager = app.token_for(Role::Manager).await;
    app.import_file(&manager, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    let page: Value = app.get(&manager, &format!("/api/v1/accounts?q={account_ref}")).await.json().await.unwrap();
    let item = page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == account_ref).expect("account imported").clone();
    let detail: Value = app.get(&manager, &format!("/api/v1/accounts/{}", item["id"].as_str().unwrap())).await.json().await.unwrap();
    Setup {
        account: item["id"].as_str().unwrap().to_string(),
        creditor: detail["creditor_id"].as_str().expect("creditor_id on the account").to_string(),
        manager,
        app,
    }
}

fn today() -> NaiveDate {
    // The fixture's creditor keeps the default UTC time zone.
    Utc::now().date_naive()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

fn terms(kind: &str, frequency: &str, count: u32, settlement: Option<i64>) -> Value {
    json!({ "kind": kind, "frequency": frequency, "start_date": today(), "instalment_count": count,
            "down_payment": 0, "settlement_amount": settlement })
}

async fn create_plan(s: &Setup, token: &str, body: &Value) -> reqwest::Response {
    s.app.post_json(token, &format!("/api/v1/accounts/{}/plans", s.account), body).await
}

async fn pay(s: &Setup, amount: i64, received_on: NaiveDate, key: &str) -> Value {
    let response = s
        .app
        .client
        .post(s.app.url(&format!("/api/v1/accounts/{}/payments", s.account)))
        .bearer_auth(&s.manager)
        .header("Idempotency-Key", key)
        .json(&json!({ "amount": amount, "currency": "USD", "method": "cash", "received_on": received_on }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "payment posted");
    response.json().await.unwrap()
}

/// Moves a plan (and its instalments) `n` days into the past.
fn shift_plan(app: &TestApp, plan: &str, n: i32) {
    let mut conn = app.db();
    diesel::sql_query(format!(
        "UPDATE plans SET start_date = start_date - {n}, counts_from = counts_from - {n}, created_at = created_at - interval '{n} days' WHERE id = '{plan}'"
    ))
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(format!("UPDATE plan_instalments SET due_on = due_on - {n} WHERE plan_id = '{plan}'")).execute(&mut conn).unwrap();
}

/// Moves a promise `n` days into the past.
fn shift_promise(app: &TestApp, promise: &str, n: i32) {
    let mut conn = app.db();
    diesel::sql_query(format!(
        "UPDATE promises SET taken_on = taken_on - {n}, promised_on = promised_on - {n}, window_ends_on = window_ends_on - {n},
                taken_at = taken_at - interval '{n} days' WHERE id = '{promise}'"
    ))
    .execute(&mut conn)
    .unwrap();
}

fn run_daily(app: &TestApp, as_of: Option<NaiveDate>) -> shared::plans::DailyRunReport {
    let mut conn = app.db();
    api::services::daily_run::run(&mut conn, as_of).expect("daily run")
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Task {
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    raised_on: NaiveDate,
}

fn tasks(app: &TestApp) -> Vec<Task> {
    diesel::sql_query("SELECT kind, raised_on FROM follow_up_tasks ORDER BY raised_on, kind").load(&mut app.db()).unwrap()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Change {
    #[diesel(sql_type = diesel::sql_types::Text)]
    action: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    change: String,
}

fn state_changes(app: &TestApp) -> Vec<Change> {
    diesel::sql_query(
        "SELECT action, format('%s>%s@%s', details->>'from', details->>'to', details->>'as_of') AS change
         FROM audit_log WHERE action IN ('plan.status_changed', 'promise.status_changed') AND actor_user_id IS NULL ORDER BY id",
    )
    .load(&mut app.db())
    .unwrap()
}

fn verify(app: &TestApp) {
    let output = crate::cli::run(&app.database_url, &["verify"], None);
    assert!(output.status.success(), "verify: {}", String::from_utf8_lossy(&output.stdout));
}

#[tokio::test]
async fn preview_saves_nothing() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    // A-1 owes 1,555.50 in all.
    let body = json!({ "account_id": s.account, "terms": terms("instalment", "monthly", 3, None) });
    let response = s.app.post_json(&s.manager, "/api/v1/plans/preview", &body).await;
    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    assert_eq!(preview["balance"], 155_550);
    let amounts: Vec<i64> = preview["schedule"]["instalments"].as_array().unwrap().iter().map(|i| i["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, vec![51_850, 51_850, 51_850]);
    assert_eq!(preview["findings"], json!([]));
    let saved: i64 = diesel::sql_query("SELECT 1 FROM plans").execute(&mut s.app.db()).unwrap() as i64;
    assert_eq!(saved, 0, "a preview saves nothing");

    // 40 monthly instalments break the 36-month term for a balance this size.
    let body = json!({ "account_id": s.account, "terms": terms("instalment", "monthly", 40, None) });
    let preview: Value = s.app.post_json(&s.manager, "/api/v1/plans/preview", &body).await.json().await.unwrap();
    let codes: Vec<&str> = preview["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["term_too_long"]);
    assert_eq!(preview["required_approver"], Value::Null, "a manager may grant it");
}

#[tokio::test]
async fn invalid_terms_name_the_field() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let mut body = terms("instalment", "monthly", 3, None);
    body["start_date"] = json!(days_ago(1));
    let error = assert_error(create_plan(&s, &s.manager, &json!({ "terms": body })).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "terms.start_date");
    assert_eq!(error["error"]["fields"][0]["code"], "start_date_in_past");

    let body = terms("instalment", "monthly", 3, Some(100_000));
    let error = assert_error(create_plan(&s, &s.manager, &json!({ "terms": body })).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "terms.settlement_amount");

    let unknown = json!({ "terms": terms("instalment", "monthly", 3, None), "extra": 1 });
    assert_error(create_plan(&s, &s.manager, &unknown).await, 400, "malformed_json").await;
}

#[tokio::test]
async fn assistant_discount_needs_manager() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let assistant_id = s.app.create_user("plans-assistant@example.com", "correct horse battery", Role::Assistant);
    s.app.put_json(&s.manager, &format!("/api/v1/accounts/{}/assignment", s.account), &json!({ "agent_id": assistant_id })).await;
    let assistant = s.app.token_for_user("plans-assistant@example.com", "correct horse battery").await;

    // 20% off 1,555.50 is above the assistant's 10% and within the manager's 30%.
    let body = json!({ "terms": terms("settlement", "monthly", 1, Some(124_440)) });
    let error = assert_error(create_plan(&s, &assistant, &body).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "note", "a request for approval must say why");

    let body = json!({ "terms": terms("settlement", "monthly", 1, Some(124_440)), "note": "hardship, lost job" });
    let response = create_plan(&s, &assistant, &body).await;
    assert_eq!(response.status(), 201);
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["status"], "pending_approval");
    assert_eq!(plan["required_approver"], "manager");
    assert_eq!(plan["discount"], 31_110);
    let id = plan["id"].as_str().unwrap();

    let queue: Value = s.app.get(&s.manager, "/api/v1/plans?status=pending_approval").await.json().await.unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);

    let decision = json!({ "approve": true });
    assert_error(s.app.post_json(&assistant, &format!("/api/v1/plans/{id}/decision"), &decision).await, 403, "forbidden").await;
    let response = s.app.post_json(&s.manager, &format!("/api/v1/plans/{id}/decision"), &decision).await;
    assert_eq!(response.status(), 200);
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["status"], "on_track");
    assert!(plan["decided_by"].is_string());
    assert_error(s.app.post_json(&s.manager, &format!("/api/v1/plans/{id}/decision"), &decision).await, 422, "unprocessable_state").await;

    let audited: i64 = diesel::sql_query("SELECT 1 FROM audit_log WHERE action IN ('plan.created', 'plan.approved')")
        .execute(&mut s.app.db())
        .unwrap() as i64;
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn admin_approves_above_manager_limit() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    // 40% off is above the manager's 30%.
    let body = json!({ "terms": terms("settlement", "monthly", 1, Some(93_330)), "note": "estate" });
    let plan: Value = create_plan(&s, &s.manager, &body).await.json().await.unwrap();
    assert_eq!(plan["status"], "pending_approval");
    assert_eq!(plan["required_approver"], "admin");
    let id = plan["id"].as_str().unwrap();
    let approve = json!({ "approve": true });
    assert_error(s.app.post_json(&s.manager, &format!("/api/v1/plans/{id}/decision"), &approve).await, 403, "forbidden").await;
    let admin = s.app.token_for(Role::Admin).await;
    assert_error(s.app.post_json(&admin, &format!("/api/v1/plans/{id}/decision"), &json!({ "approve": false })).await, 400, "validation_failed").await;
    let plan: Value = s
        .app
        .post_json(&admin, &format!("/api/v1/plans/{id}/decision"), &json!({ "approve": false, "note": "too generous" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["status"], "rejected");
}

#[tokio::test]
async fn renegotiation_links_the_plans() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let first: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await.json().await.unwrap();
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(first["status"], "on_track");
    let account: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(account["status"], "in_arrangement");
    let again = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 4, None) })).await;
    assert_error(again, 409, "conflict").await;

    let body = json!({ "terms": terms("instalment", "monthly", 6, None), "replaces_plan_id": first_id });
    let second: Value = create_plan(&s, &s.manager, &body).await.json().await.unwrap();
    assert_eq!(second["replaces_plan_id"], first_id);
    let old: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{first_id}")).await.json().await.unwrap();
    assert_eq!(old["status"], "renegotiated");
    assert_eq!(old["replaced_by_plan_id"], second["id"]);

    let second_id = second["id"].as_str().unwrap();
    let cancel = |reason: &str| json!({ "reason": reason });
    assert_error(s.app.post_json(&s.manager, &format!("/api/v1/plans/{second_id}/cancellation"), &cancel(" ")).await, 400, "validation_failed")
        .await;
    let cancelled: Value = s
        .app
        .post_json(&s.manager, &format!("/api/v1/plans/{second_id}/cancellation"), &cancel("debtor asked"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    let account: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(account["status"], "open", "a cancelled plan returns the account to open");
    let list: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/plans", s.account)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn promise_reopened_by_reversal() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let promised_on = today().checked_add_days(Days::new(3)).unwrap();
    let body = json!({ "amount": 5_000, "promised_on": promised_on, "channel": "call" });
    let response = s.app.post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &body).await;
    assert_eq!(response.status(), 201);
    let promise: Value = response.json().await.unwrap();
    assert_eq!(promise["status"], "open");
    assert_eq!(promise["window_ends_on"], json!(promised_on.checked_add_days(Days::new(5)).unwrap()));

    let status = || async {
        let list: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account)).await.json().await.unwrap();
        let p = &list["items"][0];
        (p["status"].as_str().unwrap().to_string(), p["paid"].as_i64().unwrap())
    };
    pay(&s, 3_000, today(), "p-1").await;
    assert_eq!(status().await, ("open".to_string(), 3_000));
    let second = pay(&s, 2_000, today(), "p-2").await;
    assert_eq!(status().await, ("kept".to_string(), 5_000));
    let reversal = s
        .app
        .client
        .post(s.app.url(&format!("/api/v1/payments/{}/reversal", second["id"].as_str().unwrap())))
        .bearer_auth(&s.manager)
        .header("Idempotency-Key", "r-1")
        .json(&json!({ "reason": "nsf" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reversal.status(), 200);
    assert_eq!(status().await, ("open".to_string(), 3_000));

    for (body, field) in [
        (json!({ "amount": 0, "promised_on": promised_on, "channel": "call" }), "amount"),
        (json!({ "amount": 10_000_000, "promised_on": promised_on, "channel": "call" }), "amount"),
        (json!({ "amount": 100, "promised_on": days_ago(1), "channel": "call" }), "promised_on"),
        (json!({ "amount": 100, "promised_on": today().checked_add_days(Days::new(91)).unwrap(), "channel": "call" }), "promised_on"),
    ] {
        let response = s.app.post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &body).await;
        let error = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error["error"]["fields"][0]["field"], field, "{body}");
    }
}

/// A weekly plan made 20 days ago with its first instalment paid and its
/// second missed, and a promise broken 4 days ago.
async fn history() -> (Setup, String) {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let plan: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "weekly", 5, None) })).await.json().await.unwrap();
    let plan_id = plan["id"].as_str().unwrap().to_string();
    // Instalments of 311.10 fall due 13 and 6 days ago, then in 1, 8 and 15 days.
    shift_plan(&s.app, &plan_id, 20);
    let promise: Value = s
        .app
        .post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &json!({ "amount": 7_500, "promised_on": today(), "channel": "sms" }))
        .await
        .json()
        .await
        .unwrap();
    // Taken 12 days ago for 10 days ago; with 5 grace days its window closed 5 days ago.
    shift_promise(&s.app, promise["id"].as_str().unwrap(), 10);
    diesel::sql_query(format!("UPDATE promises SET taken_on = taken_on - 2, taken_at = taken_at - interval '2 days'"))
        .execute(&mut s.app.db())
        .unwrap();
    pay(&s, 31_110, days_ago(14), "h-1").await;
    (s, plan_id)
}

#[tokio::test]
async fn daily_run_twice_changes_nothing() {
    let (s, plan_id) = history().await;
    let report = run_daily(&s.app, None);
    // Every day from the plan's first counting day (20 days ago) to today.
    assert_eq!(report.days.len(), 21);
    assert_eq!(report.days.first().unwrap().day, days_ago(20));
    assert_eq!(report.days.last().unwrap().day, today());

    let plan: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{plan_id}")).await.json().await.unwrap();
    assert_eq!(plan["status"], "in_arrears");
    assert_eq!(plan["missed_count"], 1);
    assert_eq!(plan["evaluated_through"], json!(today()));
    let statuses: Vec<&str> = plan["instalments"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["paid", "missed", "pending", "pending", "pending"]);

    // The second instalment was due 6 days ago; grace ended yesterday, so today is the first day it is missed.
    // The promise's window closed 5 days ago, so it broke 4 days ago.
    let expected = vec![
        Task { kind: "broken_promise".into(), raised_on: days_ago(4) },
        Task { kind: "missed_instalment".into(), raised_on: today() },
    ];
    assert_eq!(tasks(&s.app), expected);
    let expected_changes = vec![
        Change { action: "promise.status_changed".into(), change: format!("open>broken@{}", days_ago(4)) },
        Change { action: "plan.status_changed".into(), change: format!("on_track>in_arrears@{}", today()) },
    ];
    assert_eq!(state_changes(&s.app), expected_changes);

    let again = run_daily(&s.app, None);
    assert!(again.days.is_empty(), "a second run evaluates nothing: {again:?}");
    assert_eq!(tasks(&s.app), expected);
    assert_eq!(state_changes(&s.app), expected_changes);
    // Evaluating a day again by hand changes nothing either.
    let mut conn = s.app.db();
    diesel::sql_query("DELETE FROM daily_runs WHERE run_on = CURRENT_DATE").execute(&mut conn).unwrap();
    run_daily(&s.app, None);
    assert_eq!(tasks(&s.app), expected);
    assert_eq!(state_changes(&s.app), expected_changes);
}

#[tokio::test]
async fn ten_day_gap_evaluates_each_day() {
    let (s, _plan) = history().await;
    // The server ran up to 11 days ago, then was down for 10 days.
    let first = run_daily(&s.app, Some(days_ago(11)));
    assert_eq!(first.days.last().unwrap().day, days_ago(11));
    assert!(tasks(&s.app).is_empty());
    let catch_up = run_daily(&s.app, None);
    let days: Vec<NaiveDate> = catch_up.days.iter().map(|d| d.day).collect();
    let expected: Vec<NaiveDate> = (0..=10).rev().map(days_ago).collect();
    assert_eq!(days, expected);
    assert_eq!(
        tasks(&s.app),
        vec![
            Task { kind: "broken_promise".into(), raised_on: days_ago(4) },
            Task { kind: "missed_instalment".into(), raised_on: today() },
        ]
    );
    let run_on: Vec<NaiveDate> = diesel::dsl::sql::<diesel::sql_types::Date>("SELECT run_on FROM daily_runs ORDER BY run_on")
        .load(&mut s.app.db())
        .unwrap();
    assert_eq!(run_on, (0..=20).rev().map(days_ago).collect::<Vec<_>>(), "every day once, no gap");
}

#[tokio::test]
async fn concurrent_runs_claim_each_day() {
    let (s, _plan) = history().await;
    let url = s.app.database_url.clone();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                api::services::daily_run::run(&mut conn, None).expect("daily run").days.len()
            })
        })
        .collect();
    let evaluated: usize = runs.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(evaluated, 21, "the four runs share the 21 days between them");
    assert_eq!(tasks(&s.app).len(), 2);
    assert_eq!(state_changes(&s.app).len(), 2);
}

#[tokio::test]
async fn two_servers_run_day_once() {
    let (s, _plan) = history().await;
    let (a, b) = tokio::join!(s.app.spawn_instance(), s.app.spawn_instance());
    assert_ne!(a, b);
    let mut conn = s.app.db();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let done: i64 = diesel::sql_query("SELECT 1 FROM daily_runs WHERE run_on = CURRENT_DATE").execute(&mut conn).unwrap() as i64;
        if done == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the servers' daily run did not reach today within 60 s");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(tasks(&s.app).len(), 2);
    assert_eq!(state_changes(&s.app).len(), 2);
    let days: i64 = diesel::sql_query("SELECT 1 FROM daily_runs").execute(&mut conn).unwrap() as i64;
    assert_eq!(days, 21);
}

#[tokio::test]
async fn completed_settlement_writes_down_rest() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    // 10% off is within an assistant's limit, so it is active at once.
    let plan: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("settlement", "weekly", 1, Some(140_000)) })).await.json().await.unwrap();
    assert_eq!(plan["status"], "on_track");
    let payment = pay(&s, 140_000, today(), "s-1").await;
    // The payment completes the plan at once; the daily run has nothing left to do.
    let plan_path = format!("/api/v1/plans/{}", plan["id"].as_str().unwrap());
    let plan: Value = s.app.get(&s.manager, &plan_path).await.json().await.unwrap();
    assert_eq!(plan["status"], "completed");
    assert_eq!(plan["paid_to_date"], 140_000);
    run_daily(&s.app, None);
    let account: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(account["balance"]["total"], 0);
    assert_eq!(account["status"], "settled");
    let written: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT sum(amount)::bigint FROM journal_lines WHERE ledger_account = 'creditor_writedowns'",
    )
    .get_result(&mut s.app.db())
    .unwrap();
    assert_eq!(written, 15_550);
    verify(&s.app);

    // The cheque bounces: the plan reopens, the write-down is undone and the debt is back.
    let reversal = s
        .app
        .client
        .post(s.app.url(&format!("/api/v1/payments/{}/reversal", payment["id"].as_str().unwrap())))
        .bearer_auth(&s.manager)
        .header("Idempotency-Key", "s-r")
        .json(&json!({ "reason": "nsf" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reversal.status(), 200);
    let plan: Value = s.app.get(&s.manager, &plan_path).await.json().await.unwrap();
    assert_eq!(plan["status"], "on_track");
    let account: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(account["balance"]["total"], 155_550);
    assert_eq!(account["status"], "in_arrangement");
    let written: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT sum(amount)::bigint FROM journal_lines WHERE ledger_account = 'creditor_writedowns'",
    )
    .get_result(&mut s.app.db())
    .unwrap();
    assert_eq!(written, 0);
    verify(&s.app);
}

#[tokio::test]
async fn plan_interest_charged_when_due() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let mut policy: Value = s.app.get(&s.manager, &format!("/api/v1/creditors/{}/repayment-policy", s.creditor)).await.json().await.unwrap();
    policy["interest_during_plan"] = json!(true);
    policy["annual_rate_bp"] = json!(1_200);
    let response = s.app.put_json(&s.manager, &format!("/api/v1/creditors/{}/repayment-policy", s.creditor), &policy).await;
    assert_eq!(response.status(), 200);
    let plan: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await.json().await.unwrap();
    let first_interest = plan["instalments"][0]["interest"].as_i64().unwrap();
    // 1% a month on 1,555.50.
    assert_eq!(first_interest, 1_556);
    assert_eq!(plan["total_interest"], plan["instalments"].as_array().unwrap().iter().map(|i| i["interest"].as_i64().unwrap()).sum::<i64>());
    shift_plan(&s.app, plan["id"].as_str().unwrap(), 35);
    let before: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    run_daily(&s.app, None);
    run_daily(&s.app, None);
    let after: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(after["balance"]["interest"].as_i64().unwrap() - before["balance"]["interest"].as_i64().unwrap(), first_interest);
    verify(&s.app);

    let mut bad = policy.clone();
    bad["manager_max_discount_bp"] = json!(500);
    bad["term_bands"] = json!([]);
    let response = s.app.put_json(&s.manager, &format!("/api/v1/creditors/{}/repayment-policy", s.creditor), &bad).await;
    let error = assert_error(response, 400, "validation_failed").await;
    assert!(error["error"]["fields"].as_array().unwrap().len() >= 2, "{error}");
}

#[tokio::test]
async fn run_daily_rejects_future_day() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let tomorrow = today().checked_add_days(Days::new(2)).unwrap().to_string();
    let output = crate::cli::run(&s.app.database_url, &["run-daily", "--as-of", &tomorrow], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is in the future"));
    let output = crate::cli::run(&s.app.database_url, &["run-daily"], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = crate::cli::run(&s.app.database_url, &["run-daily"], None);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Nothing to evaluate"));
}

#[tokio::test]
async fn run_days_follow_creditor_time_zone() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let path = format!("/api/v1/creditors/{}/time-zone", s.creditor);
    let response = s.app.put_json(&s.manager, &path, &json!({ "time_zone": "Mars/Olympus" })).await;
    let error = assert_error(response, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "time_zone");

    // Kiritimati is UTC+14 all year, so its day starts 14 hours before the server's (UTC).
    let response = s.app.put_json(&s.manager, &path, &json!({ "time_zone": "Pacific/Kiritimati" })).await;
    assert_eq!(response.status(), 200);
    let before = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    let promise: Value = s
        .app
        .post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &json!({ "amount": 100, "promised_on": before, "channel": "call" }))
        .await
        .json()
        .await
        .unwrap();
    let after = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    let taken_on: NaiveDate = serde_json::from_value(promise["taken_on"].clone()).unwrap();
    assert!(taken_on == before || taken_on == after, "taken on {taken_on}, the creditor's today");

    let report = run_daily(&s.app, None);
    let last = report.days.last().expect("the creditor's today is evaluated").day;
    assert!(last == before || last == (Utc::now() + chrono::Duration::hours(14)).date_naive(), "evaluated up to {last}");
}

#[tokio::test]
async fn pending_renegotiation_keeps_active_plan() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let assistant_id = s.app.create_user("reneg-assistant@example.com", "correct horse battery", Role::Assistant);
    s.app.put_json(&s.manager, &format!("/api/v1/accounts/{}/assignment", s.account), &json!({ "agent_id": assistant_id })).await;
    let assistant = s.app.token_for_user("reneg-assistant@example.com", "correct horse battery").await;
    let active: Value = create_plan(&s, &assistant, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await.json().await.unwrap();
    let active_id = active["id"].as_str().unwrap();
    assert_eq!(active["status"], "on_track");

    // A 20% settlement needs a manager; until one decides, the active plan runs on.
    let body = json!({ "terms": terms("settlement", "monthly", 1, Some(124_440)), "note": "lump sum offer", "replaces_plan_id": active_id });
    let request: Value = create_plan(&s, &assistant, &body).await.json().await.unwrap();
    assert_eq!(request["status"], "pending_approval");
    let still: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{active_id}")).await.json().await.unwrap();
    assert_eq!(still["status"], "on_track");

    let request_id = request["id"].as_str().unwrap();
    let reject = json!({ "approve": false, "note": "too low" });
    s.app.post_json(&s.manager, &format!("/api/v1/plans/{request_id}/decision"), &reject).await;
    let still: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{active_id}")).await.json().await.unwrap();
    assert_eq!(still["status"], "on_track", "a rejected renegotiation leaves the plan running");

    // A withdrawn request leaves the running plan, and the account, as they are.
    let withdrawn: Value = create_plan(&s, &assistant, &body).await.json().await.unwrap();
    let withdrawn_id = withdrawn["id"].as_str().unwrap();
    let response = s.app.post_json(&assistant, &format!("/api/v1/plans/{withdrawn_id}/cancellation"), &json!({ "reason": "debtor changed mind" })).await;
    assert_eq!(response.status(), 200);
    let account: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}", s.account)).await.json().await.unwrap();
    assert_eq!(account["status"], "in_arrangement");

    let request: Value = create_plan(&s, &assistant, &body).await.json().await.unwrap();
    let request_id = request["id"].as_str().unwrap();
    let approved: Value = s
        .app
        .post_json(&s.manager, &format!("/api/v1/plans/{request_id}/decision"), &json!({ "approve": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "on_track");
    let old: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{active_id}")).await.json().await.unwrap();
    assert_eq!(old["status"], "renegotiated");
    assert_eq!(old["close_reason"], "renegotiated");
}

#[tokio::test]
async fn paused_accounts_take_no_plans() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let plan: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await.json().await.unwrap();
    let status_path = format!("/api/v1/accounts/{}/status", s.account);
    let dispute = json!({ "status": "disputed", "reason": "debtor disputes the amount" });
    assert_error(s.app.post_json(&s.manager, &status_path, &dispute).await, 422, "unprocessable_state").await;

    let cancel = json!({ "reason": "dispute" });
    s.app.post_json(&s.manager, &format!("/api/v1/plans/{}/cancellation", plan["id"].as_str().unwrap()), &cancel).await;
    assert_eq!(s.app.post_json(&s.manager, &status_path, &dispute).await.status(), 200);
    let again = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await;
    assert_error(again, 422, "unprocessable_state").await;
    let promise = json!({ "amount": 100, "promised_on": today(), "channel": "call" });
    let response = s.app.post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &promise).await;
    assert_error(response, 422, "unprocessable_state").await;
}

#[tokio::test]
async fn new_promise_supersedes_open_one() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    let path = format!("/api/v1/accounts/{}/promises", s.account);
    let first: Value = s.app.post_json(&s.manager, &path, &json!({ "amount": 1_000, "promised_on": today(), "channel": "call" })).await.json().await.unwrap();
    let second: Value = s.app.post_json(&s.manager, &path, &json!({ "amount": 2_000, "promised_on": today(), "channel": "call" })).await.json().await.unwrap();
    pay(&s, 1_000, today(), "n-1").await;
    let list: Value = s.app.get(&s.manager, &path).await.json().await.unwrap();
    let by_id = |id: &Value| list["items"].as_array().unwrap().iter().find(|p| p["id"] == *id).unwrap().clone();
    assert_eq!(by_id(&first["id"])["status"], "cancelled");
    assert_eq!(by_id(&second["id"])["status"], "open");
    assert_eq!(by_id(&second["id"])["paid"], 1_000);
}

#[tokio::test]
async fn earlier_payments_do_not_count_twice() {
    let s = setup(TestApp::spawn_without_jobs().await, "A-1").await;
    // Paid this morning; the plan is then made for what is left.
    pay(&s, 10_000, today(), "e-1").await;
    let plan: Value = create_plan(&s, &s.manager, &json!({ "terms": terms("instalment", "monthly", 3, None) })).await.json().await.unwrap();
    assert_eq!(plan["balance_at_creation"], 145_550);
    run_daily(&s.app, None);
    let plan: Value = s.app.get(&s.manager, &format!("/api/v1/plans/{}", plan["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(plan["paid_to_date"], 0);
    assert_eq!(plan["instalments"][0]["paid"], 0);
}
