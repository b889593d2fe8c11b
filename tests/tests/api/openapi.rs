use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn openapi_lists_every_route() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    let paths = doc["paths"].as_object().expect("paths object");
    for path in [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/imports",
        "/api/v1/imports/{id}",
        "/api/v1/import-profiles",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["AccountSummary"].is_object());
}
