//! Contact eligibility, logged calls and contact holds. The one account
//! imported here has an address in Springfield, IL 62701 and the phone
//! +12175550143 and nothing else, so its debtor is in America/Chicago only.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Jsonb};
use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, TestApp};

const PHONE: &str = "+12175550143";

/// The standard fixture's debtor D-1 also has a London number, which would
/// put them in two zones, so these tests import this file instead.
const ONE_DEBTOR_IN_CHICAGO: &str = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
A-1,D-1,Ana Smith,USD,1500.00,20.50,35,2025-01-15,1 Main St,Springfield,IL,62701,US,(217) 555-0143,ana@example.com
";

struct Setup {
    app: TestApp,
    manager: String,
    account: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_without_jobs().await;
    let manager = app.token_for(Role::Manager).await;
    app.import_file(&manager, "standard", "Acme", "a.csv", ONE_DEBTOR_IN_CHICAGO.as_bytes().to_vec()).await;
    let page: Value = app.get(&manager, "/api/v1/accounts?q=A-1").await.json().await.unwrap();
    let item = page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == "A-1").expect("account A-1 imported").clone();
    Setup { account: item["id"].as_str().unwrap().to_string(), manager, app }
}

impl Setup {
    async fn eligibility(&self, query: &str) -> reqwest::Response {
        self.app.get(&self.manager, &format!("/api/v1/accounts/{}/contact-eligibility?{query}", self.account)).await
    }

    /// Returns the decision for `query`, failing unless the status is 200.
    async fn decision(&self, query: &str) -> Value {
        let response = self.eligibility(query).await;
        assert_eq!(response.status(), 200, "eligibility for {query}");
        response.json().await.unwrap()
    }

    async fn log_call(&self, token: &str, body: &Value) -> reqwest::Response {
        self.app.post_json(token, &format!("/api/v1/accounts/{}/calls", self.account), body).await
    }

    async fn put_holds(&self, token: &str, body: &Value) -> reqwest::Response {
        self.app.put_json(token, &format!("/api/v1/accounts/{}/contact-holds", self.account), body).await
    }
}

fn codes(decision: &Value) -> Vec<String> {
    decision["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

fn next_allowed(decision: &Value) -> Option<DateTime<Utc>> {
    decision["next_allowed_at"].as_str().map(|text| DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc))
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// `hour`:00 UTC on the day `days` before today.
fn days_ago_at(days: u64, hour: u32) -> DateTime<Utc> {
    let day = Utc::now().date_naive().checked_sub_days(Days::new(days)).unwrap();
    Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap()))
}

/// 08:00 in Chicago on `day` as a UTC instant. Daylight saving time in the
/// United States runs from the second Sunday of March to the first Sunday of
/// November, and both changes happen before 08:00.
fn chicago_eight_am(day: NaiveDate) -> DateTime<Utc> {
    let dst_start = NaiveDate::from_weekday_of_month_opt(day.year(), 3, Weekday::Sun, 2).unwrap();
    let dst_end = NaiveDate::from_weekday_of_month_opt(day.year(), 11, Weekday::Sun, 1).unwrap();
    let utc_hour = if day >= dst_start && day < dst_end { 13 } else { 14 };
    Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(utc_hour, 0, 0).unwrap()))
}

fn no_answer_at(at: DateTime<Utc>) -> Value {
    json!({ "phone_e164": PHONE, "direction": "outbound", "outcome": "no_answer", "started_at": at })
}

fn holds_with(flag: &str) -> Value {
    let mut holds = json!({ "cease_all": false, "cease_channels": [], "bankruptcy": false, "deceased": false,
                            "disputed": false, "manager_hold": false, "time_barred": false });
    if !flag.is_empty() {
        holds[flag] = json!(true);
    }
    holds
}

#[tokio::test]
async fn eligibility_window_edges_across_dst() {
    let s = setup().await;
    // (instant checked, Chicago local time, allowed, next allowed instant)
    let cases = [
        // A normal summer day, UTC-5.
        ("2026-06-15T12:59:00Z", "06-15 07:59 CDT", false, "2026-06-15T13:00:00Z"),
        ("2026-06-15T13:00:00Z", "06-15 08:00 CDT", true, "2026-06-15T13:00:00Z"),
        ("2026-06-16T01:59:00Z", "06-15 20:59 CDT", true, "2026-06-16T01:59:00Z"),
        ("2026-06-16T02:00:00Z", "06-15 21:00 CDT", false, "2026-06-16T13:00:00Z"),
        // Clocks go forward at 02:00 on 2026-03-08.
        ("2026-03-08T03:00:00Z", "03-07 21:00 CST", false, "2026-03-08T13:00:00Z"),
        ("2026-03-08T12:59:00Z", "03-08 07:59 CDT", false, "2026-03-08T13:00:00Z"),
        ("2026-03-08T13:00:00Z", "03-08 08:00 CDT", true, "2026-03-08T13:00:00Z"),
        ("2026-03-09T01:59:00Z", "03-08 20:59 CDT", true, "2026-03-09T01:59:00Z"),
        ("2026-03-09T02:00:00Z", "03-08 21:00 CDT", false, "2026-03-09T13:00:00Z"),
        // Clocks go back at 02:00 on 2026-11-01.
        ("2026-11-01T02:00:00Z", "10-31 21:00 CDT", false, "2026-11-01T14:00:00Z"),
        ("2026-11-01T13:59:00Z", "11-01 07:59 CST", false, "2026-11-01T14:00:00Z"),
        ("2026-11-01T14:00:00Z", "11-01 08:00 CST", true, "2026-11-01T14:00:00Z"),
        ("2026-11-02T02:59:00Z", "11-01 20:59 CST", true, "2026-11-02T02:59:00Z"),
        ("2026-11-02T03:00:00Z", "11-01 21:00 CST", false, "2026-11-02T14:00:00Z"),
    ];
    for (at, local, allowed, next) in cases {
        let decision = s.decision(&format!("channel=call&at={at}")).await;
        assert_eq!(decision["allowed"], allowed, "allowed at {local}: {decision}");
        let expected_codes: Vec<String> = if allowed { vec![] } else { vec!["outside_contact_window".to_string()] };
        assert_eq!(codes(&decision), expected_codes, "reasons at {local}");
        assert_eq!(next_allowed(&decision), Some(instant(next)), "next_allowed_at at {local}");
    }

    // Letters have no window, and an offset other than Z is accepted.
    let letter = s.decision("channel=letter&at=2026-06-15T23:30:00-05:00").await;
    assert_eq!(letter["allowed"], true, "letter at night: {letter}");
}

#[tokio::test]
async fn eighth_call_in_seven_days_capped() {
    let s = setup().await;
    let mut attempts: Vec<DateTime<Utc>> = (1..=6).map(|days| days_ago_at(days, 17)).collect();
    attempts.push(days_ago_at(1, 18));
    for at in &attempts {
        let response = s.log_call(&s.manager, &no_answer_at(*at)).await;
        assert_eq!(response.status(), 201, "attempt at {at}: {}", response.text().await.unwrap());
    }

    let decision = s.decision("channel=call").await;
    assert_eq!(decision["allowed"], false, "{decision}");
    assert!(codes(&decision).contains(&"frequency_cap".to_string()), "reasons: {decision}");
    assert!(next_allowed(&decision).is_some(), "the cap lifts with time: {decision}");

    let eighth = days_ago_at(1, 19);
    let refused = assert_error(s.log_call(&s.manager, &no_answer_at(eighth)).await, 422, "contact_not_allowed").await;
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("frequency_cap"), "message lists the reason: {message}");
    assert!(!message.contains("5550143"), "message must not echo the number: {message}");

    let mut overridden = no_answer_at(eighth);
    overridden["override_reason"] = json!("Debtor asked for a call back today");
    let response = s.log_call(&s.manager, &overridden).await;
    assert_eq!(response.status(), 201, "override by a manager");
    let call: Value = response.json().await.unwrap();
    assert_eq!(call["override_reason"], "Debtor asked for a call back today");
    assert_eq!(call["conversation"], false);

    #[derive(QueryableByName)]
    struct Audit {
        #[diesel(sql_type = Jsonb)]
        details: Value,
    }
    let mut conn = s.app.db();
    let audits: Vec<Audit> = diesel::sql_query(format!(
        "SELECT details FROM audit_log WHERE action = 'contact.rule_overridden' AND entity_id = '{}'",
        call["id"].as_str().unwrap()
    ))
    .load(&mut conn)
    .unwrap();
    assert_eq!(audits.len(), 1, "one override audit row");
    assert_eq!(audits[0].details["reasons"], json!(["frequency_cap"]), "audit lists reason codes");
    assert_eq!(audits[0].details["override_reason"], "Debtor asked for a call back today", "audit keeps the manager's reason");

    let page: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/calls", s.account)).await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 8, "every call listed");
    assert_eq!(items[0]["id"], call["id"], "newest first");
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn conversation_starts_quiet_days() {
    let s = setup().await;
    let talked_at = days_ago_at(2, 17);
    let body = json!({ "phone_e164": PHONE, "direction": "outbound", "outcome": "right_party_contact",
                       "started_at": talked_at, "notes": "Discussed the balance", "follow_up_on": "2030-01-02" });
    let response = s.log_call(&s.manager, &body).await;
    assert_eq!(response.status(), 201, "conversation logged");
    let call: Value = response.json().await.unwrap();
    assert_eq!(call["conversation"], true);
    assert_eq!(call["notes"], "Discussed the balance");
    assert_eq!(call["follow_up_on"], "2030-01-02");

    let decision = s.decision("channel=call").await;
    assert_eq!(decision["allowed"], false, "{decision}");
    assert!(codes(&decision).contains(&"recent_conversation".to_string()), "reasons: {decision}");
    let resume_day = talked_at.date_naive().checked_add_days(Days::new(7)).unwrap();
    assert_eq!(next_allowed(&decision), Some(chicago_eight_am(resume_day)), "calls resume 7 days after: {decision}");

    // The quiet days apply to calls only.
    let letter = s.decision("channel=letter").await;
    assert_eq!(letter["allowed"], true, "letter: {letter}");
}

#[tokio::test]
async fn each_hold_blocks_contact() {
    let s = setup().await;
    let window = "channel=call&at=2026-06-15T15:00:00Z";
    assert_eq!(s.decision(window).await["allowed"], true, "no holds at first");

    for (flag, code) in [
        ("cease_all", "cease_requested"),
        ("bankruptcy", "bankruptcy"),
        ("deceased", "deceased"),
        ("manager_hold", "manager_hold"),
    ] {
        let response = s.put_holds(&s.manager, &holds_with(flag)).await;
        assert_eq!(response.status(), 200, "set {flag}");
        let stored: Value = response.json().await.unwrap();
        assert_eq!(stored[flag], true, "{flag} stored");
        let decision = s.decision(window).await;
        assert_eq!(decision["allowed"], false, "{flag}: {decision}");
        assert_eq!(codes(&decision), vec![code.to_string()], "{flag} reason");
        assert!(decision["next_allowed_at"].is_null(), "{flag} is not lifted by time: {decision}");
    }

    let mut call_only = holds_with("");
    call_only["cease_channels"] = json!(["call"]);
    assert_eq!(s.put_holds(&s.manager, &call_only).await.status(), 200);
    assert_eq!(codes(&s.decision(window).await), vec!["cease_requested"], "calls stopped");
    let letter = s.decision("channel=letter&at=2026-06-15T15:00:00Z").await;
    assert_eq!(letter["allowed"], true, "letters still allowed: {letter}");

    assert_eq!(s.put_holds(&s.manager, &holds_with("time_barred")).await.status(), 200);
    assert_eq!(s.decision(window).await["allowed"], true, "time-barred debt without legal content");
    let legal = s.decision(&format!("{window}&mentions_legal_action=true")).await;
    assert_eq!(codes(&legal), vec!["time_barred"], "time-barred debt with legal content");
    assert!(legal["next_allowed_at"].is_null());

    assert_eq!(s.put_holds(&s.manager, &holds_with("")).await.status(), 200);
    assert_eq!(s.decision(window).await["allowed"], true, "holds cleared");
    let audited = s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'contact.holds_changed'");
    assert_eq!(audited, 7, "every change audited");

    // The dispute hold follows the disputes, so it cannot be set or cleared here.
    let disputed = s.put_holds(&s.manager, &holds_with("disputed")).await;
    assert_error(disputed, 422, "unprocessable_state").await;

    // The account status `disputed` blocks contact like the hold does.
    let status = s
        .app
        .post_json(&s.manager, &format!("/api/v1/accounts/{}/status", s.account), &json!({ "status": "disputed", "reason": "debtor wrote in" }))
        .await;
    assert_eq!(status.status(), 200, "status changed");
    assert_eq!(codes(&s.decision(window).await), vec!["disputed"], "disputed status");

    let collector = s.app.token_for(Role::Collector).await;
    let forbidden = s.put_holds(&collector, &holds_with("")).await;
    assert_eq!(forbidden.status(), 403, "collectors may not change holds");
}

#[tokio::test]
async fn call_outcomes_set_holds() {
    let s = setup().await;
    // The dispute comes last: only its verification clears its hold.
    for (outcome, flag, code) in [
        ("bankruptcy_reported", "bankruptcy", "bankruptcy"),
        ("deceased_reported", "deceased", "deceased"),
        ("dispute_raised", "disputed", "disputed"),
    ] {
        assert_eq!(s.put_holds(&s.manager, &holds_with("")).await.status(), 200, "clear holds");
        let body = json!({ "direction": "inbound", "outcome": outcome, "started_at": days_ago_at(1, 17) });
        let response = s.log_call(&s.manager, &body).await;
        assert_eq!(response.status(), 201, "{outcome} logged");
        let holds: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/contact-holds", s.account)).await.json().await.unwrap();
        assert_eq!(holds[flag], true, "{outcome} sets {flag}: {holds}");
        let decision = s.decision("channel=letter").await;
        assert!(codes(&decision).contains(&code.to_string()), "{outcome}: {decision}");
    }
}

#[tokio::test]
async fn wrong_number_invalidates_phone() {
    let s = setup().await;
    let body = json!({ "phone_e164": PHONE, "direction": "outbound", "outcome": "wrong_number", "started_at": days_ago_at(1, 17) });
    assert_eq!(s.log_call(&s.manager, &body).await.status(), 201, "wrong number logged");

    let valid = s.app.count("SELECT count(*) AS n FROM debtor_phones WHERE e164 = '+12175550143' AND is_valid");
    assert_eq!(valid, 0, "phone marked invalid");
    let audited = s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'debtor_phone.marked_invalid'");
    assert_eq!(audited, 1, "change audited");

    let decision = s.decision("channel=call&at=2026-06-15T15:00:00Z").await;
    assert_eq!(codes(&decision), vec!["no_valid_channel"], "{decision}");
    assert!(decision["next_allowed_at"].is_null());

    let again = assert_error(s.log_call(&s.manager, &no_answer_at(days_ago_at(1, 18))).await, 422, "contact_not_allowed").await;
    assert!(again["error"]["message"].as_str().unwrap().contains("no_valid_channel"), "{again}");

    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = Bool)]
        no_valid_phone: bool,
    }
    let mut conn = s.app.db();
    let flag: Flag =
        diesel::sql_query(format!("SELECT no_valid_phone FROM accounts WHERE id = '{}'", s.account)).get_result(&mut conn).unwrap();
    assert!(flag.no_valid_phone, "account flag refreshed");
}

#[tokio::test]
async fn eligibility_rejects_bad_query() {
    let s = setup().await;
    for (query, field) in [
        ("", "channel"),
        ("channel=fax", "channel"),
        ("channel=call&at=yesterday", "at"),
        ("channel=call&at=2026-06-15T15:00:00+01:00", "at"),
        ("channel=call&mentions_legal_action=maybe", "mentions_legal_action"),
    ] {
        let body = assert_error(s.eligibility(query).await, 400, "validation_failed").await;
        assert_eq!(body["error"]["fields"][0]["field"], field, "query {query}: {body}");
    }

    let other = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/contact-eligibility?channel=call", uuid::Uuid::now_v7())).await;
    assert_error(other, 404, "not_found").await;
}

#[tokio::test]
async fn call_rejects_bad_body() {
    let s = setup().await;
    let mut future = no_answer_at(Utc::now() + chrono::Duration::hours(2));
    future["outcome"] = json!("voicemail");
    let mut card = no_answer_at(days_ago_at(1, 17));
    card["notes"] = json!("paid with 4111 1111 1111 1111");
    let mut long = no_answer_at(days_ago_at(1, 17));
    long["notes"] = json!("x".repeat(2001));
    let stranger = json!({ "phone_e164": "+12175550199", "direction": "outbound", "outcome": "no_answer", "started_at": days_ago_at(1, 17) });
    let no_phone = json!({ "direction": "outbound", "outcome": "no_answer", "started_at": days_ago_at(1, 17) });
    for (body, field, code) in [
        (future, "started_at", "in_future"),
        (card, "notes", "card_number"),
        (long, "notes", "too_long"),
        (stranger, "phone_e164", "unknown_number"),
        (no_phone, "phone_e164", "missing"),
    ] {
        let error = assert_error(s.log_call(&s.manager, &body).await, 400, "validation_failed").await;
        assert_eq!(error["error"]["fields"][0]["field"], field, "{error}");
        assert_eq!(error["error"]["fields"][0]["code"], code, "{error}");
        assert!(!error.to_string().contains("5550199"), "the number dialled is not echoed: {error}");
    }

    let mut unknown_outcome = no_answer_at(days_ago_at(1, 17));
    unknown_outcome["outcome"] = json!("chatted");
    let error = assert_error(s.log_call(&s.manager, &unknown_outcome).await, 400, "malformed_json").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("outcome 'chatted'"), "{error}");

    let mut extra = no_answer_at(days_ago_at(1, 17));
    extra["colour"] = json!("blue");
    let error = assert_error(s.log_call(&s.manager, &extra).await, 400, "malformed_json").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("colour"), "{error}");

    let stored = s.app.count("SELECT count(*) AS n FROM calls");
    assert_eq!(stored, 0, "no call stored");
}

#[tokio::test]
async fn assistant_sees_only_assigned_accounts() {
    let s = setup().await;
    let assistant = s.app.token_for(Role::Assistant).await;
    let eligibility = s.app.get(&assistant, &format!("/api/v1/accounts/{}/contact-eligibility?channel=call", s.account)).await;
    assert_error(eligibility, 404, "not_found").await;
    let calls = s.app.get(&assistant, &format!("/api/v1/accounts/{}/calls", s.account)).await;
    assert_error(calls, 404, "not_found").await;
    let logged = s.log_call(&assistant, &no_answer_at(days_ago_at(1, 17))).await;
    assert_error(logged, 404, "not_found").await;
}

#[tokio::test]
async fn call_with_promise_reaches_timeline() {
    let s = setup().await;
    let promised_on = Utc::now().date_naive() + chrono::Days::new(5);
    let follow_up_on = Utc::now().date_naive() + chrono::Days::new(6);
    let body = json!({
        "direction": "inbound", "outcome": "promise_taken", "notes": "Will pay after payday",
        "follow_up_on": follow_up_on, "promise": { "amount": 12_500, "promised_on": promised_on }
    });
    let response = s.log_call(&s.manager, &body).await;
    assert_eq!(response.status(), 201, "call logged");
    let call: Value = response.json().await.unwrap();
    let promise_id = call["promise_id"].as_str().expect("the call links its promise").to_string();

    let promises: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account)).await.json().await.unwrap();
    let promise = promises["items"].as_array().unwrap().iter().find(|p| p["id"] == promise_id.as_str()).expect("promise listed").clone();
    assert_eq!(promise["amount"], 12_500);
    assert_eq!(promise["channel"], "call");
    assert_eq!(promise["promised_on"], promised_on.to_string());

    let tasks: Value = s.app.get(&s.manager, "/api/v1/tasks?done=false").await.json().await.unwrap();
    let task = tasks["items"].as_array().unwrap().iter().find(|t| t["kind"] == "call_follow_up").expect("follow-up task").clone();
    assert_eq!(task["raised_on"], follow_up_on.to_string());
    assert_eq!(task["subject_id"], call["id"]);

    let timeline: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/timeline", s.account)).await.json().await.unwrap();
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["call.logged", "promise.taken", "task.raised"] {
        assert!(kinds.contains(&kind), "{kind} on the timeline: {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| **k == "call.logged").count(), 1, "the call is listed once: {kinds:?}");
    let entry = timeline["items"].as_array().unwrap().iter().find(|e| e["kind"] == "call.logged").unwrap();
    assert_eq!(entry["details"]["notes"], "Will pay after payday");
    assert_eq!(entry["summary"], format!("Inbound call: promise taken. Follow up on {follow_up_on}."));
    assert_eq!(timeline["truncated"], false);

    let one: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/timeline?limit=1", s.account)).await.json().await.unwrap();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["truncated"], true);
    let bad = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/timeline?limit=0", s.account)).await;
    let error = assert_error(bad, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "limit");
}

#[tokio::test]
async fn call_retried_with_key_logged_once() {
    let s = setup().await;
    let promised_on = Utc::now().date_naive() + chrono::Days::new(3);
    let body = json!({ "direction": "inbound", "outcome": "promise_taken", "promise": { "amount": 5_000, "promised_on": promised_on } });
    let post = |body: &Value| {
        s.app
            .client
            .post(s.app.url(&format!("/api/v1/accounts/{}/calls", s.account)))
            .bearer_auth(&s.manager)
            .header("Idempotency-Key", "call-retry-1")
            .json(body)
            .send()
    };
    let first = post(&body).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let retry = post(&body).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["id"], first["id"], "the retry returns the first call");

    let calls: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/calls", s.account)).await.json().await.unwrap();
    assert_eq!(calls["items"].as_array().unwrap().len(), 1, "{calls}");
    let promises: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account)).await.json().await.unwrap();
    assert_eq!(promises["items"].as_array().unwrap().len(), 1, "{promises}");

    // The same key with another body is a client error, not a second call.
    let other = json!({ "direction": "inbound", "outcome": "refused" });
    let response = post(&other).await.unwrap();
    assert_eq!(response.status(), 422, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn call_promise_checked_with_call() {
    let s = setup().await;
    let without = json!({ "direction": "inbound", "outcome": "promise_taken" });
    let error = assert_error(s.log_call(&s.manager, &without).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "promise");
    assert_eq!(error["error"]["fields"][0]["code"], "missing");

    let tomorrow = Utc::now().date_naive() + chrono::Days::new(1);
    let stray = json!({ "direction": "inbound", "outcome": "no_answer", "promise": { "amount": 100, "promised_on": tomorrow } });
    let error = assert_error(s.log_call(&s.manager, &stray).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["code"], "not_allowed");

    let too_much = json!({ "direction": "inbound", "outcome": "promise_taken", "promise": { "amount": 999_999_999, "promised_on": tomorrow } });
    let error = assert_error(s.log_call(&s.manager, &too_much).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "promise.amount", "{error}");
    assert!(error["error"]["message"].as_str().unwrap().starts_with("promise.amount"), "{error}");

    let yesterday = Utc::now().date_naive() - chrono::Days::new(1);
    let late = json!({ "direction": "inbound", "outcome": "no_answer", "follow_up_on": yesterday - chrono::Days::new(1), "started_at": days_ago_at(1, 17) });
    let error = assert_error(s.log_call(&s.manager, &late).await, 400, "validation_failed").await;
    assert_eq!(error["error"]["fields"][0]["field"], "follow_up_on");

    assert_eq!(s.app.count("SELECT count(*) AS n FROM calls"), 0, "no call stored");
    assert_eq!(s.app.count("SELECT count(*) AS n FROM promises"), 0, "no promise stored");

    // The call's day is the creditor's: 03:00 UTC is still the evening before in New York.
    diesel::sql_query("UPDATE creditors SET time_zone = 'America/New_York'").execute(&mut s.app.db()).unwrap();
    let evening_before = Utc::now().date_naive() - chrono::Days::new(2);
    let evening = json!({ "direction": "inbound", "outcome": "no_answer", "follow_up_on": evening_before, "started_at": days_ago_at(1, 3) });
    let response = s.log_call(&s.manager, &evening).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn dispute_pauses_until_verified() {
    let s = setup().await;
    let raised = s.app.post_json(&s.manager, &format!("/api/v1/accounts/{}/disputes", s.account), &json!({ "note": "Debtor says the balance is wrong" })).await;
    assert_eq!(raised.status(), 201, "dispute raised");
    let dispute: Value = raised.json().await.unwrap();
    assert_eq!(dispute["status"], "open");
    assert!(codes(&s.decision("channel=letter").await).contains(&"disputed".to_string()), "a dispute blocks letters");
    let tomorrow = Utc::now().date_naive() + chrono::Days::new(1);
    let promise = s
        .app
        .post_json(&s.manager, &format!("/api/v1/accounts/{}/promises", s.account), &json!({ "amount": 1000, "promised_on": tomorrow, "channel": "call" }))
        .await;
    let error = assert_error(promise, 422, "unprocessable_state").await;
    assert!(error["error"]["message"].as_str().unwrap().contains("disputed"), "{error}");
    let clear = s.put_holds(&s.manager, &holds_with("")).await;
    assert_error(clear, 422, "unprocessable_state").await;

    // A second dispute, raised on a call, keeps the hold after the first is verified.
    let call = json!({ "direction": "inbound", "outcome": "dispute_raised", "started_at": days_ago_at(0, 0) });
    assert_eq!(s.log_call(&s.manager, &call).await.status(), 201, "dispute raised on a call");
    let listed: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/disputes", s.account)).await.json().await.unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    assert!(items.iter().any(|d| d["call_id"].is_string()), "the call's dispute links the call");

    let today = Utc::now().date_naive();
    let verification = json!({ "note": "Statement and signed agreement sent", "sent_via": "letter", "sent_on": today });
    for item in items {
        let path = format!("/api/v1/disputes/{}/verification", item["id"].as_str().unwrap());
        let before = codes(&s.decision("channel=letter").await);
        assert!(before.contains(&"disputed".to_string()), "still disputed before each verification: {before:?}");
        let response = s.app.post_json(&s.manager, &path, &verification).await;
        assert_eq!(response.status(), 200, "verified");
        let again = s.app.post_json(&s.manager, &path, &verification).await;
        assert_error(again, 422, "unprocessable_state").await;
    }
    assert_eq!(codes(&s.decision("channel=letter").await), Vec::<String>::new(), "contact resumes once every dispute is verified");

    let timeline: Value = s.app.get(&s.manager, &format!("/api/v1/accounts/{}/timeline", s.account)).await.json().await.unwrap();
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "dispute.verified").count(), 2, "{kinds:?}");
}

#[tokio::test]
async fn verification_checked() {
    let s = setup().await;
    let dispute: Value =
        s.app.post_json(&s.manager, &format!("/api/v1/accounts/{}/disputes", s.account), &json!({})).await.json().await.unwrap();
    let path = format!("/api/v1/disputes/{}/verification", dispute["id"].as_str().unwrap());
    let today = Utc::now().date_naive();

    let collector = s.app.token_for(Role::Collector).await;
    let forbidden = s.app.post_json(&collector, &path, &json!({ "note": "sent", "sent_via": "letter", "sent_on": today })).await;
    assert_error(forbidden, 403, "forbidden").await;

    for (body, field) in [
        (json!({ "note": "  ", "sent_via": "letter", "sent_on": today }), "note"),
        (json!({ "note": "sent", "sent_via": "call", "sent_on": today }), "sent_via"),
        (json!({ "note": "sent", "sent_via": "letter", "sent_on": today + chrono::Days::new(1) }), "sent_on"),
        (json!({ "note": "sent", "sent_via": "letter", "sent_on": today - chrono::Days::new(30) }), "sent_on"),
    ] {
        let error = assert_error(s.app.post_json(&s.manager, &path, &body).await, 400, "validation_failed").await;
        assert_eq!(error["error"]["fields"][0]["field"], field, "{error}");
    }
    let missing = s.app.post_json(&s.manager, &format!("/api/v1/disputes/{}/verification", uuid::Uuid::now_v7()), &json!({ "note": "sent", "sent_via": "letter", "sent_on": today })).await;
    assert_error(missing, 404, "not_found").await;
    assert!(codes(&s.decision("channel=letter").await).contains(&"disputed".to_string()), "still disputed");
}

#[tokio::test]
async fn time_barred_by_statute() {
    let app = TestApp::spawn_without_jobs().await;
    let manager = app.token_for(Role::Manager).await;
    // England and Wales: six years from the default; a later payment is not on record.
    let file = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
OLD-1,D-1,Ann Old,GBP,900.00,0,0,2015-02-01,1 High St,Leeds,,LS1 1AA,GB,,old@example.com
NEW-1,D-2,Ben New,GBP,900.00,0,0,2024-02-01,2 High St,Leeds,,LS1 1AA,GB,,new@example.com
";
    app.import_file(&manager, "standard", "Acme", "gb.csv", file.as_bytes().to_vec()).await;
    let page: Value = app.get(&manager, "/api/v1/accounts").await.json().await.unwrap();
    let id_of = |reference: &str| {
        page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == reference).unwrap()["id"].as_str().unwrap().to_string()
    };
    let (old, new) = (id_of("OLD-1"), id_of("NEW-1"));

    let limitation: Value = app.get(&manager, &format!("/api/v1/accounts/{old}/limitation")).await.json().await.unwrap();
    assert_eq!(limitation["time_barred"], true, "{limitation}");
    assert_eq!(limitation["barred_from"], "2021-02-01");
    assert_eq!(limitation["rule"], "GB any: 6 years from default");
    let recent: Value = app.get(&manager, &format!("/api/v1/accounts/{new}/limitation")).await.json().await.unwrap();
    assert_eq!(recent["time_barred"], false, "{recent}");
    assert_eq!(recent["barred_from"], "2030-02-01");

    let decide = |account: String, query: &'static str| {
        let app = &app;
        let manager = &manager;
        async move {
            let response = app.get(manager, &format!("/api/v1/accounts/{account}/contact-eligibility?{query}")).await;
            let body: Value = response.json().await.unwrap();
            codes(&body)
        }
    };
    let legal = "channel=letter&mentions_legal_action=true";
    assert_eq!(decide(old.clone(), legal).await, vec!["time_barred"], "no legal threats on a time-barred debt");
    assert_eq!(decide(old.clone(), "channel=letter").await, Vec::<String>::new(), "other letters still go out");
    assert_eq!(decide(new.clone(), legal).await, Vec::<String>::new(), "a recent debt may mention legal action");
}

#[tokio::test]
async fn debt_type_picks_limitation_period() {
    let app = TestApp::spawn_without_jobs().await;
    let manager = app.token_for(Role::Manager).await;
    // A rule for written contracts in England and Wales, beside the seeded
    // six years for any debt; the second line's debt type is not a known kind.
    diesel::sql_query(
        "INSERT INTO limitation_periods (country, region, debt_type, years, runs_from, payment_restarts, source)
         VALUES ('GB', '', 'written_contract', 12, 'default', true, 'test: a deed')",
    )
    .execute(&mut app.db())
    .unwrap();
    let file = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email,debt_type
DEED-1,D-1,Ann Deed,GBP,900.00,0,0,2015-02-01,1 High St,Leeds,,LS1 1AA,GB,,deed@example.com,Written contract
PAY-1,D-2,Ben Pay,GBP,900.00,0,0,2015-02-01,2 High St,Leeds,,LS1 1AA,GB,,pay@example.com,payday
CARD-1,D-3,Cy Card,GBP,900.00,0,0,2015-02-01,3 High St,Leeds,,LS1 1AA,GB,,card@example.com,
";
    let report = app.import_file(&manager, "standard", "Acme", "types.csv", file.as_bytes().to_vec()).await;
    assert_eq!(report.imported, 2, "{report:?}");
    assert_eq!(report.rejected_rows.len(), 1, "{report:?}");
    let rejected = &report.rejected_rows[0];
    assert_eq!((rejected.line, rejected.column.as_deref(), rejected.code.as_str()), (3, Some("debt_type"), "invalid_debt_type"));
    assert!(rejected.message.contains("credit_card"), "the message lists the known kinds: {}", rejected.message);

    let page: Value = app.get(&manager, "/api/v1/accounts").await.json().await.unwrap();
    let id_of = |reference: &str| {
        page["items"].as_array().unwrap().iter().find(|a| a["account_ref"] == reference).unwrap()["id"].as_str().unwrap().to_string()
    };
    let deed: Value = app.get(&manager, &format!("/api/v1/accounts/{}/limitation", id_of("DEED-1"))).await.json().await.unwrap();
    assert_eq!(deed["rule"], "GB written_contract: 12 years from default", "{deed}");
    assert_eq!(deed["time_barred"], false, "{deed}");
    let card: Value = app.get(&manager, &format!("/api/v1/accounts/{}/limitation", id_of("CARD-1"))).await.json().await.unwrap();
    assert_eq!(card["rule"], "GB any: 6 years from default", "{card}");
    assert_eq!(card["time_barred"], true, "{card}");

    // A later file without the column updates the balance and keeps the debt type.
    let update = "\
account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,address_line1,city,region,postal_code,country,phone,email
DEED-1,D-1,Ann Deed,GBP,950.00,0,0,2015-02-01,1 High St,Leeds,,LS1 1AA,GB,,deed@example.com
";
    let report = app.import_file(&manager, "standard", "Acme", "update.csv", update.as_bytes().to_vec()).await;
    assert_eq!(report.updated, 1, "{report:?}");
    let deed: Value = app.get(&manager, &format!("/api/v1/accounts/{}/limitation", id_of("DEED-1"))).await.json().await.unwrap();
    assert_eq!(deed["rule"], "GB written_contract: 12 years from default", "{deed}");
}

#[tokio::test]
async fn contact_rules_configurable() {
    let s = setup().await;
    let rules: Value = s.app.get(&s.manager, "/api/v1/contact-rules").await.json().await.unwrap();
    let us_call = rules["items"].as_array().unwrap().iter().find(|r| r["jurisdiction"] == "US" && r["channel"] == "call").unwrap().clone();
    assert_eq!(us_call["window_start"], "08:00");
    assert_eq!(us_call["window_end"], "21:00");
    assert_eq!(us_call["cap_attempts"], 7);
    assert_eq!(us_call["quiet_days_after_conversation"], 7);

    // 08:30 in Chicago on a summer day is allowed by Regulation F.
    let half_past_eight = "channel=call&at=2026-06-15T13:30:00Z";
    assert_eq!(s.decision(half_past_eight).await["allowed"], true);

    let admin = s.app.token_for(Role::Admin).await;
    let stricter = json!({ "window_start": "09:00", "window_end": "20:00", "cap_attempts": 7, "cap_days": 7, "quiet_days_after_conversation": 7 });
    let forbidden = s.app.put_json(&s.manager, "/api/v1/contact-rules/US/call", &stricter).await;
    assert_error(forbidden, 403, "forbidden").await;
    let changed = s.app.put_json(&admin, "/api/v1/contact-rules/US/call", &stricter).await;
    assert_eq!(changed.status(), 200, "rule changed");
    let decision = s.decision(half_past_eight).await;
    assert_eq!(codes(&decision), vec!["outside_contact_window"], "{decision}");
    assert_eq!(next_allowed(&decision), Some(instant("2026-06-15T14:00:00Z")), "09:00 CDT");
    let audited = s.app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'contact_rule.changed'");
    assert_eq!(audited, 1);

    for (path, body, field) in [
        ("/api/v1/contact-rules/USA/call", stricter.clone(), "jurisdiction"),
        ("/api/v1/contact-rules/US/fax", stricter.clone(), "channel"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": "21:00", "window_end": "08:00", "cap_attempts": null, "cap_days": null, "quiet_days_after_conversation": 0 }), "window_end"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": "8am", "window_end": "20:00", "cap_attempts": null, "cap_days": null, "quiet_days_after_conversation": 0 }), "window_start"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": null, "window_end": null, "cap_attempts": 7, "cap_days": null, "quiet_days_after_conversation": 0 }), "cap_days"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": "08:00", "window_end": "21:00", "cap_attempts": 7, "cap_days": 7, "quiet_days_after_conversation": 15 }), "quiet_days_after_conversation"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": "07:00", "window_end": "21:00", "cap_attempts": 7, "cap_days": 7, "quiet_days_after_conversation": 7 }), "window_start"),
        ("/api/v1/contact-rules/US/call", json!({ "window_start": "08:00", "window_end": "21:00", "cap_attempts": 8, "cap_days": 7, "quiet_days_after_conversation": 7 }), "cap_attempts"),
        ("/api/v1/contact-rules/US/email", json!({ "window_start": null, "window_end": null, "cap_attempts": null, "cap_days": null, "quiet_days_after_conversation": 0 }), "window_start"),
    ] {
        let error = assert_error(s.app.put_json(&admin, path, &body).await, 400, "validation_failed").await;
        assert_eq!(error["error"]["fields"][0]["field"], field, "{path}: {error}");
    }
}
