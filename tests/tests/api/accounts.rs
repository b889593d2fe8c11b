use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, fixture, TestApp};

async fn app_with_accounts() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    app.import_file(&token, "standard", "Acme", "a.csv", fixture("standard_clean.csv")).await;
    app.import_file(&token, "lending_club", "Lending Club", "lc.csv", fixture("lending_club_small.csv")).await;
    (app, token)
}

fn refs(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|a| a["account_ref"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn worklist_pages_with_cursor() {
    let (app, token) = app_with_accounts().await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/accounts?limit=2&sort=balance_desc&cursor={c}"),
            None => "/api/v1/accounts?limit=2&sort=balance_desc".to_string(),
        };
        let page: Value = app.get(&token, &path).await.json().await.unwrap();
        let balances: Vec<i64> = page["items"].as_array().unwrap().iter().map(|a| a["balance"]["total"].as_i64().unwrap()).collect();
        seen.extend(balances);
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "3 standard accounts and 4 Lending Club accounts");
    assert_eq!(pages, 4);
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "largest balance first: {seen:?}");
}

#[tokio::test]
async fn worklist_filters_narrow_the_list() {
    let (app, token) = app_with_accounts().await;
    let creditors: Value = app.get(&token, "/api/v1/creditors").await.json().await.unwrap();
    let acme = creditors["items"].as_array().unwrap().iter().find(|c| c["name"] == "Acme").unwrap()["id"].as_str().unwrap().to_string();

    let page: Value = app.get(&token, &format!("/api/v1/accounts?creditor_id={acme}&sort=account_ref")).await.json().await.unwrap();
    assert_eq!(refs(&page), ["A-1", "A-2", "A-3"]);

    let page: Value = app.get(&token, "/api/v1/accounts?no_valid_contact=true&creditor_id=".to_string().as_str()).await.json().await.unwrap();
    assert!(refs(&page).contains(&"A-2".to_string()));
    assert!(!refs(&page).contains(&"A-1".to_string()), "A-1 has a valid phone, address and email");

    let page: Value = app.get(&token, "/api/v1/accounts?min_balance=500000&max_balance=550000&sort=account_ref").await.json().await.unwrap();
    assert_eq!(refs(&page), ["1001", "1003", "1007"]);

    // Every fixture account went delinquent more than a year before today.
    let page: Value = app.get(&token, "/api/v1/accounts?dpd=365%2B&sort=account_ref").await.json().await.unwrap();
    assert_eq!(refs(&page).len(), 7);
    let page: Value = app.get(&token, "/api/v1/accounts?dpd=0-30").await.json().await.unwrap();
    assert!(refs(&page).is_empty());
    let page: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let since = chrono::NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
    assert_eq!(page["items"][0]["days_past_due"], (today - since).num_days(), "days past due count to today in the creditor's zone (UTC)");

    let page: Value = app.get(&token, "/api/v1/accounts?status=disputed").await.json().await.unwrap();
    assert!(refs(&page).is_empty());
    let page: Value = app.get(&token, "/api/v1/accounts?assigned_agent_id=none&limit=500").await.json().await.unwrap();
    assert_eq!(refs(&page).len(), 7);
}

#[tokio::test]
async fn worklist_rejects_bad_parameters() {
    let (app, token) = app_with_accounts().await;
    let body = assert_error(app.get(&token, "/api/v1/accounts?limit=0").await, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "limit");
    assert_error(app.get(&token, "/api/v1/accounts?limit=501").await, 400, "validation_failed").await;
    assert_error(app.get(&token, "/api/v1/accounts?status=closed").await, 400, "validation_failed").await;
    assert_error(app.get(&token, "/api/v1/accounts?cursor=garbage").await, 400, "validation_failed").await;
    assert_error(app.get(&token, "/api/v1/accounts?min_balance=10&max_balance=5").await, 400, "validation_failed").await;
    assert_error(app.get(&token, "/api/v1/accounts/not-a-uuid").await, 400, "invalid_path").await;
    assert_error(app.get(&token, &format!("/api/v1/accounts/{}", uuid::Uuid::now_v7())).await, 404, "not_found").await;
}

#[tokio::test]
async fn assistant_sees_only_assigned_accounts() {
    let (app, manager) = app_with_accounts().await;
    let assistant_id = app.create_user("agent@example.com", "a long test password", Role::Assistant);
    let login: Value = app.login("agent@example.com", "a long test password").await.json().await.unwrap();
    let assistant = login["access_token"].as_str().unwrap().to_string();

    let page: Value = app.get(&assistant, "/api/v1/accounts").await.json().await.unwrap();
    assert!(refs(&page).is_empty());

    let page: Value = app.get(&manager, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    assert_error(app.get(&assistant, &format!("/api/v1/accounts/{id}")).await, 404, "not_found").await;
    let forbidden = app.client.put(app.url(&format!("/api/v1/accounts/{id}/assignment"))).bearer_auth(&assistant).json(&json!({ "agent_id": assistant_id })).send().await.unwrap();
    assert_error(forbidden, 403, "forbidden").await;

    let missing_key = app.client.put(app.url(&format!("/api/v1/accounts/{id}/assignment"))).bearer_auth(&manager).json(&json!({ "agentId": assistant_id })).send().await.unwrap();
    assert_error(missing_key, 400, "malformed_json").await;

    let assigned = app.client.put(app.url(&format!("/api/v1/accounts/{id}/assignment"))).bearer_auth(&manager).json(&json!({ "agent_id": assistant_id })).send().await.unwrap();
    assert_eq!(assigned.status(), 200);
    let page: Value = app.get(&assistant, "/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(refs(&page), ["A-1"]);
    let detail: Value = app.get(&assistant, &format!("/api/v1/accounts/{id}")).await.json().await.unwrap();
    assert_eq!(detail["debtor"]["phones"][0]["e164"], "+12175550143");
    assert_eq!(detail["assigned_agent_id"], assistant_id.to_string());
}

#[tokio::test]
async fn status_changes_follow_allowed_transitions() {
    let (app, token) = app_with_accounts().await;
    let page: Value = app.get(&token, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/accounts/{id}/status");

    let missing_reason = app.post_json(&token, &path, &json!({ "status": "disputed", "reason": " " })).await;
    assert_error(missing_reason, 400, "validation_failed").await;
    let ok = app.post_json(&token, &path, &json!({ "status": "written_off", "reason": "debtor insolvent" })).await;
    assert_eq!(ok.status(), 200);
    let detail: Value = ok.json().await.unwrap();
    assert_eq!(detail["status"], "written_off");
    assert_eq!(detail["allowed_next_statuses"], json!([]));
    let refused = app.post_json(&token, &path, &json!({ "status": "open", "reason": "reopen" })).await;
    assert_error(refused, 409, "invalid_status_transition").await;
    let unknown = app.post_json(&token, &path, &json!({ "status": "closed", "reason": "x" })).await;
    assert_error(unknown, 400, "malformed_json").await;

    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let audited: Count = diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = 'account.status_changed'")
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(audited.n, 1);
}

#[tokio::test]
async fn account_balance_equals_ledger_sum() {
    let (app, token) = app_with_accounts().await;
    use diesel::prelude::*;
    #[derive(QueryableByName, Debug)]
    #[allow(dead_code, reason = "read through Debug in the assertion message")]
    struct Mismatch {
        #[diesel(sql_type = diesel::sql_types::Text)]
        account_ref: String,
    }
    let mismatches: Vec<Mismatch> = diesel::sql_query(
        "SELECT a.account_ref FROM accounts a
         LEFT JOIN journal_lines l ON l.account_id = a.id AND l.ledger_account LIKE 'debtor_%'
         GROUP BY a.id HAVING coalesce(sum(l.amount), 0) <> a.total_balance",
    )
    .load(&mut app.db())
    .unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let _ = token;
}

#[tokio::test]
async fn date_sorts_page_past_missing_dates() {
    let app = TestApp::spawn().await;
    let token = app.token_for(Role::Manager).await;
    let file = b"account_ref,principal,delinquent_since\nN-1,10.00,\nN-2,11.00,2025-01-01\nN-3,12.00,\n".to_vec();
    app.import_file(&token, "standard", "Acme", "n.csv", file).await;
    for sort in ["dpd_asc", "dpd_desc"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/accounts?limit=1&sort={sort}&cursor={c}"),
                None => format!("/api/v1/accounts?limit=1&sort={sort}"),
            };
            let response = app.get(&token, &path).await;
            assert_eq!(response.status(), 200, "{sort} page after {seen:?}");
            let page: Value = response.json().await.unwrap();
            seen.extend(refs(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 3, "{sort}: {seen:?}");
        assert_eq!(seen[0], "N-2", "{sort}: dated accounts come before undated ones");
    }
}
