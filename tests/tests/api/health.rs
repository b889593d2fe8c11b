use crate::helpers::TestApp;

#[tokio::test]
async fn health_answers_ok_without_token() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn unknown_api_route_gets_error_envelope() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/no-such-thing")).send().await.unwrap();
    crate::helpers::assert_error(response, 404, "not_found").await;
}

#[tokio::test]
async fn wrong_method_gets_405_envelope() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/auth/login")).send().await.unwrap();
    crate::helpers::assert_error(response, 405, "method_not_allowed").await;
    let response = app.client.head(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn other_api_versions_get_json_404() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v2/accounts")).send().await.unwrap();
    crate::helpers::assert_error(response, 404, "not_found").await;
}
