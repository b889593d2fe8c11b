//! Settings shared by the subcommands: where the data lives and how to reach the database.

use std::path::PathBuf;

use clap::Args;

/// Database location options. Every subcommand takes these, so all of them reach
/// the same database as `serve`.
#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory for the private PostgreSQL cluster and its settings, used when
    /// DATABASE_URL is not set. Created if missing.
    #[arg(long, env = "RECOVERY_DESK_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// PostgreSQL URL such as postgres://user:password@host/db. When set, the
    /// private cluster is not used.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Lifetimes of the tokens issued at login.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Access-token lifetime in seconds.
    pub access_ttl_seconds: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_ttl_seconds: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { access_ttl_seconds: 15 * 60, refresh_ttl_seconds: 30 * 24 * 3600 }
    }
}

/// Everything `Application::build` needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    pub database_url: String,
    /// Directory of the built web app (index.html and its assets), if it exists.
    pub web_dir: Option<PathBuf>,
    pub auth: AuthSettings,
    /// Directory for uploaded files while they are imported.
    pub upload_dir: PathBuf,
    /// Maximum upload size in bytes.
    pub max_upload_bytes: usize,
    /// The SMTP server receipts are emailed through; none keeps emailed receipts queued.
    pub mail: Option<crate::mail::MailConfig>,
    /// Whether to run the background jobs (emails, post-dated cheques, the daily run).
    pub run_jobs: bool,
    /// The base URL debtors reach the server at, which opt-out links in
    /// emails start with; `None` uses `http://` and the bound address.
    pub public_url: Option<String>,
}
