//! Logging set-up: human-readable lines on stderr, or JSON with `RECOVERY_DESK_LOG_FORMAT=json`.
//! The level comes from `RUST_LOG` (default `info`).

use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let json = std::env::var("RECOVERY_DESK_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second call (as in tests, which build many servers) keeps the first subscriber.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
