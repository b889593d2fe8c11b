use std::path::PathBuf;

use clap::Args;
use diesel::Connection;
use rand::distributions::{Alphanumeric, DistString};

use crate::mail::{MailConfig, TlsMode};
use crate::config::{AuthSettings, DatabaseArgs, Settings};
use crate::postgres::{self, Database};
use crate::services::users;
use crate::startup::Application;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "RECOVERY_DESK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Directory of the built web app (the output of `trunk build`).
    #[arg(long, env = "RECOVERY_DESK_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,

    /// Email of the first administrator, created with a random password when the database has no administrator.
    #[arg(long, default_value = "admin@recovery-desk.local")]
    pub admin_email: String,

    /// Largest placement file the web upload accepts, in MiB.
    #[arg(long, default_value_t = 512)]
    pub max_upload_mib: usize,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub smtp: SmtpArgs,

    /// Base URL that debtors reach this server at, such as https://desk.example.org; opt-out links in emails start with it. Defaults to http:// and the listening address.
    #[arg(long, env = "RECOVERY_DESK_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Where emailed receipts are sent from. Without --smtp-host, emailed
/// receipts stay queued and show as pending.
#[derive(clap::Args, Debug)]
pub struct SmtpArgs {
    /// SMTP server host name.
    #[arg(long, env = "RECOVERY_DESK_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP server port.
    #[arg(long, env = "RECOVERY_DESK_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// `starttls` (the default), `implicit` (TLS from the first byte) or `none` (only for a server on this machine).
    #[arg(long, env = "RECOVERY_DESK_SMTP_TLS", default_value = "starttls", value_parser = ["starttls", "implicit", "none"])]
    pub smtp_tls: String,

    #[arg(long, env = "RECOVERY_DESK_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// Read from the environment only, so it never shows in the process list.
    #[arg(skip = std::env::var("RECOVERY_DESK_SMTP_PASSWORD").ok())]
    pub smtp_password: Option<String>,

    /// Sender of receipt emails.
    #[arg(long, env = "RECOVERY_DESK_MAIL_FROM", default_value = "Recovery Desk <receipts@recovery-desk.local>")]
    pub mail_from: String,
}

impl SmtpArgs {
    fn config(&self) -> Option<MailConfig> {
        let host = self.smtp_host.clone()?;
        let tls = match self.smtp_tls.as_str() {
            "implicit" => TlsMode::Implicit,
            "none" => TlsMode::None,
            _ => TlsMode::StartTls,
        };
        Some(MailConfig {
            host,
            port: self.smtp_port,
            from: self.mail_from.clone(),
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            tls,
            timeout: std::time::Duration::from_secs(30),
        })
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<i32> {
    let database = Database::open(args.database.database_url.as_deref(), &args.database.data_dir)?;
    let url = database.url();
    {
        let mut conn = diesel::PgConnection::establish(&url)?;
        postgres::run_migrations(&mut conn)?;
        ensure_first_admin(&mut conn, &args.admin_email)?;
    }
    let settings = Settings {
        bind: args.bind.clone(),
        database_url: url,
        web_dir: Some(args.web_dir.clone()),
        auth: AuthSettings::default(),
        upload_dir: args.database.data_dir.join("uploads"),
        max_upload_bytes: args.max_upload_mib << 20,
        mail: args.smtp.config(),
        run_jobs: true,
        public_url: args.public_url.clone(),
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        println!("Recovery Desk is running at http://{}", display_address(&args.bind, app.port()));
        if !args.web_dir.join("index.html").is_file() {
            println!("The web app is not built ({} has no index.html); run `make web` to build it.", args.web_dir.display());
        }
        app.run_until_stopped().await?;
        tracing::info!("server stopped");
        anyhow::Ok(())
    });
    // Dropping the database handle stops the private cluster if this process started it.
    drop(database);
    result.map(|_| 0)
}

fn display_address(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
    let host = if host == "0.0.0.0" || host == "[::]" { "127.0.0.1" } else { host };
    format!("{host}:{port}")
}

/// Creates the first administrator with a random password, printed once, when there is none.
fn ensure_first_admin(conn: &mut diesel::PgConnection, email: &str) -> anyhow::Result<()> {
    if users::count_admins(conn)? > 0 {
        println!("Sign in with an existing user, or add one with `recovery-desk user create --email EMAIL --role ROLE`.");
        return Ok(());
    }
    let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 20);
    let request = shared::users::CreateUserRequest {
        email: email.to_string(),
        password: password.clone(),
        role: shared::users::Role::Admin,
        display_name: Some("Administrator".to_string()),
    };
    users::create_user(conn, None, &request).map_err(|e| anyhow::anyhow!("failed to create the first administrator: {e}"))?;
    println!();
    println!("Created the first administrator. Sign in with:");
    println!("  email:    {email}");
    println!("  password: {password}");
    println!("This password is shown only once. Create more users with `recovery-desk user create`.");
    println!();
    Ok(())
}
