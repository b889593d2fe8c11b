//! The prioritised worklist, call and mailing list exports, and bulk
//! reassignment. Every debtor imported here has an Illinois address and a
//! 217 number, so they are in America/Chicago only, and the worklist is
//! checked at 17:00 UTC, inside the Chicago calling window all year.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use chrono::{NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use shared::users::Role;
use uuid::Uuid;

use crate::helpers::{assert_error, TestApp};

const FILE: &str = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
W-1,D-1,Ana Smith,USD,1500.00,20.50,0,2025-01-15,1 Main St,Springfield,IL,62701,US,(217) 555-0143,ana@example.com
W-2,D-2,Bo Jones,USD,50.00,0,0,2026-11-20,2 Oak Ave,Springfield,IL,62702,US,(217) 555-0144,bo@example.com
W-3,D-3,=1+2,USD,900.00,0,0,2025-06-01,3 Elm St,Springfield,IL,62703,US,(217) 555-0145,
";

struct Setup {
    app: TestApp,
    manager: String,
    agent_id: Uuid,
    agent: String,
    ids: Vec<(String, Uuid)>,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_without_jobs().await;
    let manager = app.token_for(Role::Manager).await;
    let report = app.import_file(&manager, "standard", "Acme", "w.csv", FILE.as_bytes().to_vec()).await;
    assert_eq!(report.imported, 3, "import report: {report:?}");
    let agent_id = app.create_user("agent@example.com", "a long test password", Role::Collector);
    let agent = app.token_for_user("agent@example.com", "a long test password").await;
    let page: Value = app.get(&manager, "/api/v1/accounts?sort=account_ref").await.json().await.unwrap();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["account_ref"].as_str().unwrap().to_string(), a["id"].as_str().unwrap().parse().unwrap()))
        .collect();
    Setup { app, manager, agent_id, agent, ids }
}

impl Setup {
    fn id(&self, account_ref: &str) -> Uuid {
        self.ids.iter().find(|(r, _)| r == account_ref).map(|(_, id)| *id).expect("account imported")
    }

    async fn assign_all_to_agent(&self) {
        let ids: Vec<Uuid> = self.ids.iter().map(|(_, id)| *id).collect();
        let response =
            self.app.post_json(&self.manager, "/api/v1/accounts/assignments", &json!({ "account_ids": ids, "agent_id": self.agent_id })).await;
        assert_eq!(response.status(), 200, "bulk assignment: {}", response.text().await.unwrap());
    }

    async fn worklist(&self, token: &str, query: &str) -> Value {
        let response = self.app.get(token, &format!("/api/v1/worklist?{query}")).await;
        assert_eq!(response.status(), 200, "worklist {query}");
        response.json().await.unwrap()
    }
}

/// Today at `hour`:00 UTC, as RFC 3339 with `Z`.
fn today_at(hour: u32) -> String {
    let day = Utc::now().date_naive();
    Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap())).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn refs(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["account_ref"].as_str().unwrap().to_string()).collect()
}

fn left_out(page: &Value, code: &str) -> i64 {
    page["left_out"].as_array().unwrap().iter().find(|c| c["code"] == code).map(|c| c["count"].as_i64().unwrap()).unwrap_or(0)
}

#[tokio::test]
async fn worklist_ranks_with_reasons() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    // A broken promise on W-2 adds 10 points but does not lift it above W-3.
    let mut conn = s.app.db();
    diesel::sql_query(
        "INSERT INTO promises (id, creditor_id, account_id, amount, currency, promised_on, window_ends_on, channel, taken_by, taken_on, status)
         SELECT gen_random_uuid(), a.creditor_id, a.id, 100, 'USD', current_date - 10, current_date - 5, 'call', $2, current_date - 12, 'broken'
         FROM accounts a WHERE a.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(s.id("W-2"))
    .bind::<diesel::sql_types::Uuid, _>(s.agent_id)
    .execute(&mut conn)
    .unwrap();

    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(refs(&page), ["W-1", "W-3", "W-2"], "order by score: {page}");
    assert_eq!(page["left_out_total"], 0);
    assert!(page["next_cursor"].is_null());

    for item in page["items"].as_array().unwrap() {
        let reasons = item["score_reasons"].as_array().unwrap();
        let sum: i64 = reasons.iter().map(|r| r["points"].as_i64().unwrap()).sum();
        assert_eq!(item["score"].as_i64().unwrap(), sum, "score is the sum of its reasons: {item}");
        assert_eq!(reasons.len(), 5, "every part is explained: {item}");
        assert_eq!(item["eligibility"]["allowed"], true);
    }
    let first = &page["items"][0];
    let balance = first["score_reasons"].as_array().unwrap().iter().find(|r| r["code"] == "balance").unwrap();
    // log10(1,520.50) = 3.18, so 31 points.
    assert_eq!(balance["points"], 31);
    assert_eq!(balance["message"], "balance USD 1,520.50: +31");
    let contact = first["score_reasons"].as_array().unwrap().iter().find(|r| r["code"] == "since_last_contact").unwrap();
    assert_eq!(contact["points"], 30, "never called gets the maximum");
    let w2 = &page["items"][2];
    let promise = w2["score_reasons"].as_array().unwrap().iter().find(|r| r["code"] == "broken_promises").unwrap();
    assert_eq!(promise["points"], 10);
    assert_eq!(w2["broken_promises"], 1);

    // Pages of one continue after the cursor in the same order.
    let first_page = s.worklist(&s.agent, &format!("at={}&limit=1", today_at(17))).await;
    assert_eq!(refs(&first_page), ["W-1"]);
    let cursor = first_page["next_cursor"].as_str().expect("a next page");
    let second_page = s.worklist(&s.agent, &format!("at={}&limit=1&cursor={cursor}", today_at(17))).await;
    assert_eq!(refs(&second_page), ["W-3"]);
}

/// Returns the item of one account on a page.
fn item<'a>(page: &'a Value, account_ref: &str) -> &'a Value {
    page["items"].as_array().unwrap().iter().find(|i| i["account_ref"] == account_ref).unwrap_or_else(|| panic!("{account_ref} on {page}"))
}

fn reason_points(item: &Value, code: &str) -> i64 {
    item["score_reasons"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()["points"].as_i64().unwrap()
}

#[tokio::test]
async fn worklist_rescores_when_inputs_change() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    let before = item(&page, "W-1")["score"].as_i64().unwrap();
    assert_eq!(reason_points(item(&page, "W-1"), "since_last_contact"), 30);

    // A call just now expires the stored score on its own.
    let mut conn = s.app.db();
    diesel::sql_query(
        "INSERT INTO calls (id, creditor_id, account_id, debtor_id, direction, outcome, conversation, started_at, logged_by)
         SELECT gen_random_uuid(), a.creditor_id, a.id, a.debtor_id, 'outbound', 'no_answer', false, now() - interval '1 minute', $2
         FROM accounts a WHERE a.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(s.id("W-1"))
    .bind::<diesel::sql_types::Uuid, _>(s.agent_id)
    .execute(&mut conn)
    .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    let w1 = item(&page, "W-1");
    assert_eq!(w1["recent_attempts"], 1, "{w1}");
    assert_eq!(reason_points(w1, "since_last_contact"), 0, "called today");

    // So does a smaller balance, and a promise the daily run breaks.
    diesel::sql_query("UPDATE accounts SET principal_balance = 5000, interest_balance = 0 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(s.id("W-1"))
        .execute(&mut conn)
        .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    let w1 = item(&page, "W-1");
    assert_eq!(w1["recent_attempts"], 1, "{w1}");
    assert_eq!(reason_points(w1, "recent_attempts"), -5);
    assert_eq!(reason_points(w1, "since_last_contact"), 0, "called today");
    // log10(50.00) = 1.7, so 16 points instead of 31.
    assert_eq!(reason_points(w1, "balance"), 16);
    assert_eq!(w1["score"].as_i64().unwrap(), before - 5 - 30 - 15, "{w1}");

    diesel::sql_query(
        "INSERT INTO promises (id, creditor_id, account_id, amount, currency, promised_on, window_ends_on, channel, taken_by, taken_on, status)
         SELECT gen_random_uuid(), a.creditor_id, a.id, 100, 'USD', current_date - 10, current_date - 5, 'call', $2, current_date - 12, 'open'
         FROM accounts a WHERE a.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(s.id("W-3"))
    .bind::<diesel::sql_types::Uuid, _>(s.agent_id)
    .execute(&mut conn)
    .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(reason_points(item(&page, "W-3"), "broken_promises"), 0, "an open promise adds nothing");
    diesel::sql_query("UPDATE promises SET status = 'broken' WHERE account_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(s.id("W-3"))
        .execute(&mut conn)
        .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(reason_points(item(&page, "W-3"), "broken_promises"), 10, "the broken promise counts: {page}");

    // A stored score is read as it is until it expires, then recomputed.
    diesel::sql_query("UPDATE accounts SET worklist_score = 1000 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(s.id("W-3"))
        .execute(&mut conn)
        .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(refs(&page)[0], "W-3", "the stored score orders the page: {page}");
    diesel::sql_query("UPDATE accounts SET worklist_scored_until = now() - interval '1 second' WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(s.id("W-3"))
        .execute(&mut conn)
        .unwrap();
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    let w3 = item(&page, "W-3");
    let sum: i64 = w3["score_reasons"].as_array().unwrap().iter().map(|r| r["points"].as_i64().unwrap()).sum();
    assert_eq!(w3["score"].as_i64().unwrap(), sum, "an expired score is recomputed: {w3}");
}

#[tokio::test]
async fn daily_run_stores_worklist_scores() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    let output = crate::cli::run(&s.app.database_url, &["run-daily"], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().any(|line| line == "3 worklist score(s) recomputed"), "{stdout}");
    let mut conn = s.app.db();
    let fresh: i64 = diesel::sql_query("SELECT count(*) AS n FROM accounts WHERE worklist_scored_until > now()")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(fresh, 3);

    let output = crate::cli::run(&s.app.database_url, &["run-daily"], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().any(|line| line == "0 worklist score(s) recomputed"), "scores hold for the rest of the day: {stdout}");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn worklist_leaves_out_blocked_accounts() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    let holds = json!({ "cease_all": true, "cease_channels": [], "bankruptcy": false, "deceased": false,
                        "disputed": false, "manager_hold": false, "time_barred": false });
    let response = s.app.put_json(&s.manager, &format!("/api/v1/accounts/{}/contact-holds", s.id("W-1")), &holds).await;
    assert_eq!(response.status(), 200);

    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(refs(&page), ["W-3", "W-2"]);
    assert_eq!(left_out(&page, "cease_requested"), 1, "{page}");
    assert_eq!(page["left_out_total"], 1);

    let all = s.worklist(&s.agent, &format!("at={}&include_blocked=true", today_at(17))).await;
    assert_eq!(refs(&all), ["W-1", "W-3", "W-2"]);
    let held = &all["items"][0];
    assert_eq!(held["eligibility"]["allowed"], false);
    assert_eq!(held["eligibility"]["reasons"][0]["code"], "cease_requested");
    assert!(held["eligibility"]["next_allowed_at"].is_null(), "time does not lift a cease request");

    // At 05:00 UTC it is night in Chicago: the window is closed for everyone.
    let night = s.worklist(&s.agent, &format!("at={}", today_at(5))).await;
    assert!(refs(&night).is_empty(), "{night}");
    assert_eq!(left_out(&night, "outside_contact_window"), 2, "{night}");
    assert_eq!(night["left_out_total"], 3);

    // Lifting the hold brings the account back.
    let lifted = json!({ "cease_all": false, "cease_channels": [], "bankruptcy": false, "deceased": false,
                         "disputed": false, "manager_hold": false, "time_barred": false });
    let response = s.app.put_json(&s.manager, &format!("/api/v1/accounts/{}/contact-holds", s.id("W-1")), &lifted).await;
    assert_eq!(response.status(), 200);
    let page = s.worklist(&s.agent, &format!("at={}", today_at(17))).await;
    assert_eq!(refs(&page), ["W-1", "W-3", "W-2"], "{page}");
    assert_eq!(page["left_out_total"], 0);
}

#[tokio::test]
async fn worklist_shows_only_own_accounts() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    let other_id = s.app.create_user("other@example.com", "a long test password", Role::Collector);
    let other = s.app.token_for_user("other@example.com", "a long test password").await;

    let page = s.worklist(&other, &format!("at={}", today_at(17))).await;
    assert!(refs(&page).is_empty(), "another agent's accounts: {page}");
    assert_eq!(page["agent_id"], other_id.to_string());

    let response = s.app.get(&other, &format!("/api/v1/worklist?agent_id={}", s.agent_id)).await;
    assert_error(response, 403, "forbidden").await;

    let page = s.worklist(&s.manager, &format!("agent_id={}&at={}", s.agent_id, today_at(17))).await;
    assert_eq!(refs(&page).len(), 3, "a manager sees the agent's worklist");

    let response = s.app.get(&s.manager, &format!("/api/v1/worklist?agent_id={}", Uuid::now_v7())).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "agent_id");
    let response = s.app.get(&s.agent, "/api/v1/worklist?at=noon").await;
    assert_error(response, 400, "validation_failed").await;
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} missing from {header:?}"))
}

#[tokio::test]
async fn call_list_csv_and_xlsx() {
    let s = setup().await;
    let response = s.app.get(&s.manager, "/api/v1/accounts/call-list.csv?sort=account_ref").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let rows = csv_rows(&response.bytes().await.unwrap());
    let header = &rows[0];
    assert_eq!(rows.len(), 4, "a header and one row per phone: {rows:?}");
    let w1 = &rows[1];
    assert_eq!(w1[column(header, "account_ref")], "W-1");
    assert_eq!(w1[column(header, "debtor_name")], "Ana Smith");
    assert_eq!(w1[column(header, "address")], "1 Main St\nSpringfield, IL 62701\nUNITED STATES");
    assert_eq!(w1[column(header, "phone_e164")], "+12175550143");
    assert!(!w1[column(header, "phone_type")].is_empty());
    assert_eq!(w1[column(header, "email")], "ana@example.com");
    assert_eq!(w1[column(header, "time_zones")], "America/Chicago");
    let local = &w1[column(header, "local_time")];
    assert!(local.ends_with("CST") || local.ends_with("CDT"), "local time in Chicago: {local}");
    let next = &w1[column(header, "next_allowed_call_at")];
    assert!(chrono::DateTime::parse_from_rfc3339(next).is_ok(), "next allowed call: {next}");

    // The name that is a formula starts with an apostrophe.
    assert_eq!(rows[3][column(header, "debtor_name")], "'=1+2");

    let response = s.app.get(&s.manager, "/api/v1/accounts/call-list.xlsx?sort=account_ref").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a readable XLSX");
    let range = workbook.worksheet_range("call_list").expect("sheet call_list");
    let cell = |row: usize, name: &str| {
        let index = range.rows().next().unwrap().iter().position(|c| c.to_string() == name).unwrap();
        range.rows().nth(row).unwrap()[index].to_string()
    };
    assert_eq!(range.rows().count(), 4);
    assert_eq!(cell(1, "address"), "1 Main St\nSpringfield, IL 62701\nUNITED STATES");
    assert_eq!(cell(1, "phone_e164"), "+12175550143");
    assert_eq!(cell(1, "time_zones"), "America/Chicago");
    assert_eq!(cell(1, "next_allowed_call_at"), *next);
    assert_eq!(cell(3, "debtor_name"), "=1+2", "XLSX stores text, never a formula");

    // Both exports are audited, without the debtors' names.
    #[derive(QueryableByName)]
    struct Details {
        #[diesel(sql_type = diesel::sql_types::Text)]
        details: String,
    }
    let mut conn = s.app.db();
    let audits: Vec<Details> =
        diesel::sql_query("SELECT details::text AS details FROM audit_log WHERE action = 'accounts.exported' ORDER BY created_at")
            .load(&mut conn)
            .unwrap();
    assert_eq!(audits.len(), 2);
    assert!(audits[0].details.contains("\"list\": \"call_list\""), "{}", audits[0].details);

    // A search by name is audited as given, without the name.
    let searched = s.app.get(&s.manager, "/api/v1/accounts/call-list.csv?q=Ana").await;
    assert_eq!(searched.status(), 200);
    let audits: Vec<Details> =
        diesel::sql_query("SELECT details::text AS details FROM audit_log WHERE action = 'accounts.exported' ORDER BY created_at")
            .load(&mut conn)
            .unwrap();
    assert_eq!(audits.len(), 3);
    assert!(audits[2].details.contains("\"q_given\": true"), "{}", audits[2].details);
    assert!(!audits.iter().any(|a| a.details.contains("Ana")), "no personal data in the audit row");

    // An account whose debtor asked to stop contact is left out and counted.
    let page: Value = s.app.get(&s.manager, "/api/v1/accounts?q=W-1").await.json().await.unwrap();
    let w1_id = page["items"][0]["id"].as_str().unwrap().to_string();
    let holds = json!({ "cease_all": true, "cease_channels": [], "bankruptcy": false, "deceased": false,
                        "disputed": false, "manager_hold": false, "time_barred": false });
    assert_eq!(s.app.put_json(&s.manager, &format!("/api/v1/accounts/{w1_id}/contact-holds"), &holds).await.status(), 200);
    let response = s.app.get(&s.manager, "/api/v1/accounts/call-list.csv?sort=account_ref").await;
    assert_eq!(response.headers()["x-blocked-account-count"], "1");
    let rows = csv_rows(&response.bytes().await.unwrap());
    assert_eq!(rows.len(), 3, "the ceased account has no row: {rows:?}");
    assert!(!rows.iter().any(|row| row[0] == "W-1"), "{rows:?}");
}

#[tokio::test]
async fn mailing_list_and_export_errors() {
    let s = setup().await;
    let response = s.app.get(&s.manager, "/api/v1/accounts/mailing-list.csv?status=open&sort=account_ref&q=W-2").await;
    assert_eq!(response.status(), 200);
    let rows = csv_rows(&response.bytes().await.unwrap());
    assert_eq!(rows.len(), 2, "{rows:?}");
    let header = &rows[0];
    assert_eq!(rows[1][column(header, "address")], "2 Oak Ave\nSpringfield, IL 62702\nUNITED STATES");
    assert_eq!(rows[1][column(header, "phone_e164")], "+12175550144");
    // Letters have no window, so one is allowed at once.
    assert!(!rows[1][column(header, "next_allowed_letter_at")].is_empty());

    let response = s.app.get(&s.manager, "/api/v1/accounts/mailing-list.pdf").await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "format");
    let response = s.app.get(&s.manager, "/api/v1/accounts/call-list.csv?dpd=12").await;
    assert_error(response, 400, "validation_failed").await;

    // An agent exports only their own accounts: none yet.
    let response = s.app.get(&s.agent, "/api/v1/accounts/call-list.csv").await;
    assert_eq!(csv_rows(&response.bytes().await.unwrap()).len(), 1, "only the header");
}

#[tokio::test]
async fn bulk_reassignment_to_agent_and_team() {
    let s = setup().await;
    s.assign_all_to_agent().await;
    let response = s
        .app
        .post_json(&s.manager, "/api/v1/accounts/assignments", &json!({ "account_ids": [s.id("W-1")], "agent_id": s.agent_id }))
        .await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["moved"], 0);
    assert_eq!(report["unchanged"], 1);

    let team: Value = s.app.post_json(&s.manager, "/api/v1/teams", &json!({ "name": "North" })).await.json().await.unwrap();
    let team_id = team["id"].as_str().unwrap().to_string();
    let empty = s.app.post_json(&s.manager, "/api/v1/accounts/assignments", &json!({ "filter": {}, "team_id": team_id })).await;
    assert_error(empty, 422, "unprocessable_state").await;

    let first = s.app.create_user("t1@example.com", "a long test password", Role::Collector);
    let second = s.app.create_user("t2@example.com", "a long test password", Role::Collector);
    for member in [first, second] {
        let response = s.app.put_json(&s.manager, &format!("/api/v1/users/{member}/team"), &json!({ "team_id": team_id })).await;
        assert_eq!(response.status(), 204);
    }
    let response = s
        .app
        .post_json(&s.manager, "/api/v1/accounts/assignments", &json!({ "filter": { "status": "open" }, "team_id": team_id }))
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["selected"], 3);
    assert_eq!(report["moved"], 3);
    let counts: Vec<i64> = report["per_agent"].as_array().unwrap().iter().map(|c| c["accounts"].as_i64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<i64>(), 3);
    assert!(counts.iter().all(|c| *c >= 1), "round-robin gives each member some: {report}");

    let page: Value = s.app.get(&s.manager, "/api/v1/accounts").await.json().await.unwrap();
    let agents: Vec<&str> = page["items"].as_array().unwrap().iter().map(|a| a["assigned_agent_id"].as_str().unwrap()).collect();
    assert!(agents.iter().all(|a| *a == first.to_string() || *a == second.to_string()), "{agents:?}");

    let mut conn = s.app.db();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let batches: Count = diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = 'accounts.bulk_assigned'").get_result(&mut conn).unwrap();
    assert_eq!(batches.n, 3, "one audit row per request that reached the database");
}

#[tokio::test]
async fn bulk_reassignment_errors() {
    let s = setup().await;
    let url = "/api/v1/accounts/assignments";
    let response = s.app.post_json(&s.agent, url, &json!({ "account_ids": [s.id("W-1")], "agent_id": s.agent_id })).await;
    assert_error(response, 403, "forbidden").await;

    let response = s.app.post_json(&s.manager, url, &json!({ "account_ids": [s.id("W-1")], "agent_id": Uuid::now_v7() })).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "agent_id");

    let mut conn = s.app.db();
    diesel::sql_query("UPDATE users SET active = false WHERE id = $1").bind::<diesel::sql_types::Uuid, _>(s.agent_id).execute(&mut conn).unwrap();
    let response = s.app.post_json(&s.manager, url, &json!({ "account_ids": [s.id("W-1")], "agent_id": s.agent_id })).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("deactivated"), "{body}");

    let manager_id: String = {
        let me: Value = s.app.get(&s.manager, "/api/v1/me").await.json().await.unwrap();
        me["id"].as_str().unwrap().to_string()
    };
    let unknown = Uuid::now_v7();
    let response = s.app.post_json(&s.manager, url, &json!({ "account_ids": [s.id("W-1"), unknown], "agent_id": manager_id })).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert!(body["error"]["message"].as_str().unwrap().contains(&unknown.to_string()), "{body}");

    let response = s.app.post_json(&s.manager, url, &json!({ "account_ids": [s.id("W-1")], "filter": {}, "agent_id": manager_id })).await;
    assert_error(response, 400, "validation_failed").await;
    let response = s.app.post_json(&s.manager, url, &json!({ "filter": { "colour": "red" }, "agent_id": manager_id })).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_key");
    let response = s.app.post_json(&s.manager, url, &json!({ "filter": { "dpd": "12" }, "agent_id": manager_id })).await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "filter.dpd");

    // Nothing moved.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let assigned: Count =
        diesel::sql_query("SELECT count(*) AS n FROM accounts WHERE assigned_agent_id IS NOT NULL").get_result(&mut conn).unwrap();
    assert_eq!(assigned.n, 0);
}
