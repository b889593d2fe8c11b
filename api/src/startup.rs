//! Building the application: pool, migrations, shared secrets, routes, and
//! the listening socket. `build` binds the port itself so tests can use port 0.

use std::net::TcpListener;
use std::path::PathBuf;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, Server, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::jobs::{self, CorrespondenceWaker, MailWaker};
use crate::mail::Mailer;
use crate::postgres::{self, PgPool};
use crate::routes;
use crate::services::sessions;
use crate::telemetry::RequestSpan;

pub struct Application {
    port: u16,
    server: Server,
    pool: PgPool,
    mailer: Option<Mailer>,
    mail_waker: MailWaker,
    correspondence_waker: CorrespondenceWaker,
    run_jobs: bool,
}

/// The base URL that links in emails start with, such as opt-out links.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

impl Application {
    /// Connects to the database, applies migrations and binds the listening socket.
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let pool = postgres::build_pool(&settings.database_url, 16)?;
        let keys = {
            let mut conn = pool.get()?;
            let applied = postgres::run_migrations(&mut conn)?;
            if !applied.is_empty() {
                tracing::info!(count = applied.len(), "applied database migrations");
            }
            sessions::load_jwt_keys(&mut conn)?
        };
        std::fs::create_dir_all(&settings.upload_dir)?;
        let mailer = settings.mail.clone().map(Mailer::new).transpose().map_err(|e| anyhow::anyhow!("the SMTP settings are invalid: {e}"))?;
        let mail_waker = MailWaker::default();
        let correspondence_waker = CorrespondenceWaker::default();
        let run_jobs = settings.run_jobs;

        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("failed to listen on {}: {e}; choose another address with --bind", settings.bind))?;
        let local_address = listener.local_addr()?;
        let port = local_address.port();
        if settings.mail.is_some() && settings.public_url.is_none() {
            // Opt-out links in emails are built from the public URL.
            if local_address.ip().is_unspecified() {
                anyhow::bail!(
                    "emails carry opt-out links, and {local_address} is not an address debtors can reach; \
                     set --public-url (RECOVERY_DESK_PUBLIC_URL) to the address the server is reached at"
                );
            }
            tracing::warn!(
                bind = %local_address,
                "no --public-url is set, so the opt-out links in emails point at the listening address"
            );
        }
        let public_url = web::Data::new(PublicUrl(
            settings.public_url.clone().unwrap_or_else(|| format!("http://{local_address}")).trim_end_matches('/').to_string(),
        ));

        let pool_data = web::Data::new(pool.clone());
        let keys = web::Data::new(keys);
        let auth_settings = web::Data::new(settings.auth.clone());
        let web_dir = settings.web_dir.clone();
        let settings = web::Data::new(settings);
        let waker_data = web::Data::new(mail_waker.clone());
        let correspondence_waker_data = web::Data::new(correspondence_waker.clone());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(TracingLogger::<RequestSpan>::new())
                .app_data(pool_data.clone())
                .app_data(keys.clone())
                .app_data(auth_settings.clone())
                .app_data(settings.clone())
                .app_data(waker_data.clone())
                .app_data(correspondence_waker_data.clone())
                .app_data(public_url.clone())
                .configure(routes::configure)
                .configure(|cfg| serve_web_app(cfg, web_dir.clone()))
        })
        .listen(listener)?
        .run();
        Ok(Application { port, server, pool, mailer, mail_waker, correspondence_waker, run_jobs })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// Serves until the server is stopped (SIGINT or SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.into_server().await
    }

    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Starts the background jobs on the current runtime and returns the server to await.
    pub fn into_server(self) -> Server {
        if self.run_jobs {
            tokio::spawn(jobs::held_cheques::run(self.pool.clone()));
            tokio::spawn(jobs::daily_run::run(self.pool.clone()));
            match self.mailer {
                Some(mailer) => {
                    tokio::spawn(jobs::receipt_emails::run(self.pool.clone(), mailer.clone(), self.mail_waker));
                    tokio::spawn(jobs::correspondence_emails::run(self.pool.clone(), mailer, self.correspondence_waker));
                }
                None => tracing::info!("receipt and correspondence emails stay queued: no SMTP server is configured (--smtp-host)"),
            }
        }
        self.server
    }
}

/// Serves the built web app, answering unknown paths with `index.html` so the
/// app's own routes work on reload. Without a build, `/` explains how to make one.
fn serve_web_app(cfg: &mut web::ServiceConfig, web_dir: Option<PathBuf>) {
    match web_dir.filter(|dir| dir.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            cfg.service(Files::new("/", dir).index_file("index.html").default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let file = NamedFile::open(&index)?;
                    let response = file.into_response(&req);
                    Ok(ServiceResponse::new(req, response))
                }
            })));
        }
        None => {
            cfg.default_service(web::to(|| async {
                HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body(
                    "The web app is not built. Run `make run` (or `make web` and restart the server); the API is under /api/v1.",
                )
            }));
        }
    }
}
