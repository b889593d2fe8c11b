//! Logging set-up: human-readable lines on stderr, or JSON with `RECOVERY_DESK_LOG_FORMAT=json`.
//! The level comes from `RUST_LOG` (default `info`).

use std::io::IsTerminal;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let json = std::env::var("RECOVERY_DESK_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // A second call (as in tests, which build many servers) keeps the first subscriber.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

const OPT_OUT_PREFIX: &str = "/api/v1/opt-outs/";

/// The span of each HTTP request. It records the path but not the query
/// string, because filters such as `?q=` may carry a debtor's name.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_string());
        let request_id = request.extensions().get::<RequestId>().copied();
        // An opt-out link carries its token in the path, and the token is a credential.
        let path = if request.path().starts_with(OPT_OUT_PREFIX) {
            format!("{OPT_OUT_PREFIX}<token>")
        } else {
            request.path().to_string()
        };
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.path = %path,
            request_id = request_id.map(tracing::field::display),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
