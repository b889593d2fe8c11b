use serde_json::{json, Value};
use shared::users::Role;

use crate::helpers::{assert_error, TestApp};

#[tokio::test]
async fn login_returns_token_pair() {
    let app = TestApp::spawn().await;
    app.create_user("ana@example.com", "correct horse battery", Role::Assistant);
    let response = app.login("ana@example.com", "correct horse battery").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3, "access token is a JWT");
    assert!(!body["refresh_token"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn login_email_is_case_insensitive() {
    let app = TestApp::spawn().await;
    app.create_user("Ana@Example.com", "correct horse battery", Role::Assistant);
    assert_eq!(app.login("ana@example.COM", "correct horse battery").await.status(), 200);
}

#[tokio::test]
async fn login_wrong_password_is_rejected() {
    let app = TestApp::spawn().await;
    app.create_user("ana@example.com", "correct horse battery", Role::Assistant);
    let body = assert_error(app.login("ana@example.com", "wrong horse battery").await, 401, "invalid_credentials").await;
    assert!(!body.to_string().contains("ana@example.com"), "error body must not echo the email");
    assert_error(app.login("nobody@example.com", "whatever password").await, 401, "invalid_credentials").await;
}

#[tokio::test]
async fn login_missing_fields_are_named() {
    let app = TestApp::spawn().await;
    let body = assert_error(app.login("", "").await, 400, "validation_failed").await;
    let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password"]);
}

#[tokio::test]
async fn malformed_json_gets_envelope() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "malformed_json").await;
    let response = app.client.post(app.url("/api/v1/auth/login")).body("email=a").send().await.unwrap();
    assert_error(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn protected_route_needs_token() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/accounts")).send().await.unwrap();
    assert_error(response, 401, "unauthenticated").await;
    let response = app.client.get(app.url("/api/v1/accounts")).bearer_auth("not.a.jwt").send().await.unwrap();
    assert_error(response, 401, "invalid_token").await;
}

#[tokio::test]
async fn refresh_rotates_and_detects_reuse() {
    let app = TestApp::spawn().await;
    app.create_user("ana@example.com", "correct horse battery", Role::Manager);
    let first: Value = app.login("ana@example.com", "correct horse battery").await.json().await.unwrap();
    let old_refresh = first["refresh_token"].as_str().unwrap().to_string();

    let response = app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({ "refresh_token": old_refresh })).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    let new_refresh = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(app.get(second["access_token"].as_str().unwrap(), "/api/v1/me").await.status(), 200);

    // The used token is refused, and presenting it revokes the whole session.
    let reuse = app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({ "refresh_token": old_refresh })).send().await.unwrap();
    assert_error(reuse, 401, "invalid_token").await;
    let after = app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({ "refresh_token": new_refresh })).send().await.unwrap();
    assert_error(after, 401, "invalid_token").await;
}

#[tokio::test]
async fn logout_revokes_refresh_token() {
    let app = TestApp::spawn().await;
    app.create_user("ana@example.com", "correct horse battery", Role::Assistant);
    let pair: Value = app.login("ana@example.com", "correct horse battery").await.json().await.unwrap();
    let access = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap();
    let response = app.post_json(access, "/api/v1/auth/logout", &json!({ "refresh_token": refresh })).await;
    assert_eq!(response.status(), 204);
    let response = app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({ "refresh_token": refresh })).send().await.unwrap();
    assert_error(response, 401, "invalid_token").await;
}

#[tokio::test]
async fn roles_limit_user_management() {
    let app = TestApp::spawn().await;
    let assistant = app.token_for(Role::Assistant).await;
    let admin = app.token_for(Role::Admin).await;
    let request = json!({ "email": "new@example.com", "password": "a long enough password", "role": "collector" });
    assert_error(app.post_json(&assistant, "/api/v1/users", &request).await, 403, "forbidden").await;
    assert_eq!(app.post_json(&admin, "/api/v1/users", &request).await.status(), 201);
    let duplicate = assert_error(app.post_json(&admin, "/api/v1/users", &request).await, 409, "conflict").await;
    assert_eq!(duplicate["error"]["fields"][0]["field"], "email");
    let weak = json!({ "email": "x@example.com", "password": "short", "role": "assistant" });
    let body = assert_error(app.post_json(&admin, "/api/v1/users", &weak).await, 400, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "password");
}
