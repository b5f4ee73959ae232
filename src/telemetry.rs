//! Logs through `tracing`: readable by default, JSON on request; levels from RUST_LOG.
//!
//! ERROR pages the on-call, so a client must not be able to write one. actix-http logs every
//! malformed request head ("stream error: request parse error: …") at ERROR; those lines are
//! written at WARN instead, in the same format. Its other ERRORs (a response body stream that
//! failed on our side) stay ERRORs.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

const HTTP_DISPATCHER: &str = "actix_http::h1::dispatcher";

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn"));
    let not_dispatcher_errors =
        filter_fn(|meta| !(meta.target() == HTTP_DISPATCHER && *meta.level() == Level::ERROR));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(DispatcherErrors { format });
    let _ = match format {
        LogFormat::Pretty => registry
            .with(fmt.with_filter(not_dispatcher_errors))
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt.json()
                    .flatten_event(true)
                    .with_filter(not_dispatcher_errors),
            )
            .try_init(),
    };
}

/// Writes actix-http's ERROR lines itself, at WARN when a client caused them.
struct DispatcherErrors {
    format: LogFormat,
}

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for DispatcherErrors {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() != HTTP_DISPATCHER || *meta.level() != Level::ERROR {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        let level = if message.0.starts_with("stream error") {
            "WARN"
        } else {
            "ERROR"
        };
        let now = chrono::Utc::now();
        let line = match self.format {
            LogFormat::Json => serde_json::json!({
                "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "level": level,
                "message": message.0,
                "target": HTTP_DISPATCHER,
            })
            .to_string(),
            LogFormat::Pretty => format!(
                "{} {level:>5} {HTTP_DISPATCHER}: {}",
                now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                message.0
            ),
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
