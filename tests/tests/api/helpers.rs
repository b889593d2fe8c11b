//! The test harness: one private PostgreSQL cluster per test process, a
//! fresh database per test cloned from a migrated template, and the real
//! server on port 0. Dropping a `TestApp` drops its database.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use api::config::{AuthSettings, Settings};
use api::postgres::Cluster;
use api::startup::Application;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::Value;
use shared::imports::{ImportReport, ImportStatus};
use shared::users::{CreateUserRequest, Role};

const TEMPLATE: &str = "recovery_desk_template";

/// Where test databases are created: the server named by
/// `TEST_DATABASE_ADMIN_URL` (any database on it, as a superuser), or a
/// private cluster this process starts under the system's temporary directory.
struct Server {
    admin_url: String,
    url_for: Box<dyn Fn(&str) -> String + Send + Sync>,
    _cluster: Option<Cluster>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        api::telemetry::init();
        let server = match std::env::var("TEST_DATABASE_ADMIN_URL") {
            Ok(url) if !url.is_empty() => {
                let base = url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(url.clone());
                Server { admin_url: url, url_for: Box::new(move |db| format!("{base}/{db}")), _cluster: None }
            }
            _ => {
                remove_stale_clusters();
                let dir = cluster_root().join(std::process::id().to_string());
                let cluster = Cluster::start(&dir, api::postgres::cluster::THROWAWAY_SETTINGS).expect("start test PostgreSQL cluster");
                let admin_url = cluster.url_for("postgres");
                let base = cluster.url_for("");
                Server {
                    admin_url,
                    url_for: Box::new(move |db| format!("{base}{db}")),
                    _cluster: Some(cluster),
                }
            }
        };
        create_template(&server);
        server
    })
}

fn cluster_root() -> PathBuf {
    std::env::temp_dir().join("recovery-desk-tests")
}

/// Clusters of test processes that have ended are removed; the kernel already stopped their servers.
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(cluster_root()) else { return };
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().to_string();
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(&pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn create_template(server: &Server) {
    let mut admin = PgConnection::establish(&server.admin_url).expect("connect to test server");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")).execute(&mut admin).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {TEMPLATE}")).execute(&mut admin).unwrap();
    let mut conn = PgConnection::establish(&(server.url_for)(TEMPLATE)).unwrap();
    api::postgres::run_migrations(&mut conn).expect("migrate template database");
}

/// Creates an empty, migrated database for one test.
pub fn create_test_database() -> (String, String) {
    static CREATE_LOCK: Mutex<()> = Mutex::new(());
    let server = server();
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    let _guard = CREATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut admin = PgConnection::establish(&server.admin_url).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}")).execute(&mut admin).unwrap();
    let url = (server.url_for)(&name);
    (name, url)
}

pub fn drop_test_database(name: &str) {
    let server = server();
    if let Ok(mut admin) = PgConnection::establish(&server.admin_url) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    database_name: String,
    _upload_dir: tempdir::TempDir,
}

/// A temporary directory removed on drop, without another dependency.
pub mod tempdir {
    use std::path::{Path, PathBuf};

    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new(prefix: &str) -> TempDir {
            let path = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop_test_database(&self.database_name);
    }
}

impl TestApp {
    /// Starts the real server on a free port against a fresh database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(None).await
    }

    /// Starts the server, serving the built web app from `web_dir` when given.
    pub async fn spawn_with(web_dir: Option<PathBuf>) -> TestApp {
        Self::spawn_full(web_dir, None, true).await
    }

    /// Starts the server without its background jobs, so a test decides
    /// when the daily run evaluates a day.
    pub async fn spawn_without_jobs() -> TestApp {
        Self::spawn_full(None, None, false).await
    }

    /// Starts another server instance on this app's database, with its jobs.
    pub async fn spawn_instance(&self) -> String {
        let settings = Self::settings(self.database_url.clone(), None, None, self._upload_dir.path().to_path_buf(), true);
        let app = tokio::task::spawn_blocking(move || Application::build(settings)).await.unwrap().expect("build application");
        let port = app.port();
        tokio::spawn(app.into_server());
        format!("http://127.0.0.1:{port}")
    }

    /// Starts the server, emailing receipts through the SMTP server at `smtp_port` on loopback.
    pub async fn spawn_with_mail(smtp_port: u16) -> TestApp {
        let mail = api::mail::MailConfig {
            host: "127.0.0.1".to_string(),
            port: smtp_port,
            from: "Recovery Desk <receipts@recovery-desk.test>".to_string(),
            username: None,
            password: None,
            tls: api::mail::TlsMode::None,
            timeout: Duration::from_secs(10),
        };
        Self::spawn_full(None, Some(mail), true).await
    }

    fn settings(
        database_url: String,
        web_dir: Option<PathBuf>,
        mail: Option<api::mail::MailConfig>,
        upload_dir: PathBuf,
        run_jobs: bool,
    ) -> Settings {
        Settings {
            bind: "127.0.0.1:0".to_string(),
            database_url,
            web_dir,
            auth: AuthSettings::default(),
            upload_dir,
            max_upload_bytes: 8 << 20,
            mail,
            run_jobs,
            public_url: None,
        }
    }

    async fn spawn_full(web_dir: Option<PathBuf>, mail: Option<api::mail::MailConfig>, run_jobs: bool) -> TestApp {
        let (database_name, database_url) = tokio::task::spawn_blocking(create_test_database).await.unwrap();
        let upload_dir = tempdir::TempDir::new("recovery-desk-uploads");
        let settings = Self::settings(database_url.clone(), web_dir, mail, upload_dir.path().to_path_buf(), run_jobs);
        let app = tokio::task::spawn_blocking(move || Application::build(settings)).await.unwrap().expect("build application");
        let port = app.port();
        tokio::spawn(app.into_server());
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
            database_url,
            database_name,
            _upload_dir: upload_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn db(&self) -> PgConnection {
        PgConnection::establish(&self.database_url).unwrap()
    }

    /// Runs `sql`, a query that returns one bigint column named `n`, and returns it.
    pub fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db();
        diesel::sql_query(sql).get_result::<Count>(&mut conn).unwrap().n
    }

    /// Creates a user straight in the database and returns its id.
    pub fn create_user(&self, email: &str, password: &str, role: Role) -> uuid::Uuid {
        let mut conn = self.db();
        let request = CreateUserRequest { email: email.into(), password: password.into(), role, display_name: None };
        api::services::users::create_user(&mut conn, None, &request).expect("create user").id
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Creates a user of `role` and returns an access token for it.
    pub async fn token_for(&self, role: Role) -> String {
        let email = format!("{}-{}@example.com", role.as_str(), uuid::Uuid::now_v7().simple());
        let password = "a long test password";
        self.create_user(&email, password, role);
        let body: Value = self.login(&email, password).await.json().await.unwrap();
        body["access_token"].as_str().expect("login returns access_token").to_string()
    }

    /// Logs in as an existing user and returns the access token.
    pub async fn token_for_user(&self, email: &str, password: &str) -> String {
        let body: Value = self.login(email, password).await.json().await.unwrap();
        body["access_token"].as_str().expect("login returns access_token").to_string()
    }

    pub async fn put_json(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.put(self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    /// Uploads a placement file to `POST /api/v1/imports`.
    pub async fn upload(&self, token: &str, profile: &str, creditor: &str, file_name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .text("profile", profile.to_string())
            .text("creditor", creditor.to_string())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
        self.client.post(self.url("/api/v1/imports")).bearer_auth(token).multipart(form).send().await.unwrap()
    }

    /// Uploads a file and polls until the import ends, returning its report.
    pub async fn import_file(&self, token: &str, profile: &str, creditor: &str, file_name: &str, bytes: Vec<u8>) -> ImportReport {
        let response = self.upload(token, profile, creditor, file_name, bytes).await;
        assert_eq!(response.status(), 202, "upload failed: {}", response.text().await.unwrap_or_default());
        let started: ImportReport = response.json().await.unwrap();
        self.wait_for_import(token, started.id).await
    }

    pub async fn wait_for_import(&self, token: &str, id: uuid::Uuid) -> ImportReport {
        for _ in 0..600 {
            let report: ImportReport = self.get(token, &format!("/api/v1/imports/{id}")).await.json().await.unwrap();
            if report.status != ImportStatus::Running {
                return report;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("import {id} did not finish within 60 s");
    }
}

/// Reads a fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read fixture {}: {e}", path.display()))
}

/// Checks the body is the error envelope with `code`, returning it for further checks.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "unexpected error code in {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "error message missing in {body}");
    assert!(body["error"]["fields"].is_array(), "fields missing in {body}");
    body
}
