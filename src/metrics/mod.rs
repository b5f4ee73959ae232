//! Prometheus metrics, one registry per application (so tests running side by side never mix),
//! exposed on their own listener and never on the public port.

pub mod schools;

use std::collections::HashMap;
use std::sync::Mutex;

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

pub use schools::SchoolLabels;

/// Latency buckets in seconds; 0.1 is one of them, so "under 100 ms" reads straight off the histogram.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

pub struct Metrics {
    registry: Registry,
    names: Vec<String>,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub school_requests: IntCounterVec,
    pub schools: SchoolLabels,
    pub db_query: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_waits: IntCounterVec,
    pool_timeouts: IntCounterVec,
    pub replica_lag: prometheus::GaugeVec,
    pub actors_live: IntGauge,
    pub actors_started: IntCounter,
    pub actors_stopped: IntCounter,
    pub mailbox_wait: Histogram,
    pub cache_hits: IntCounter,
    pub cache_misses: IntCounter,
    pub cache_evictions: IntCounter,
    pub cache_bytes: IntGauge,
    pub page_loads: IntCounter,
    pub learner_states: IntGauge,
    pub image_variants: HistogramVec,
    /// Mail accepted by the SMTP server (or written to disk), by kind.
    pub mail_sent: IntCounterVec,
    /// Mail given up on (refused for good, or out of attempts), by kind.
    pub mail_failed: IntCounterVec,
    /// Deliveries that failed for now and were rescheduled.
    pub mail_retries: IntCounter,
    /// Age of the oldest pending mail across schools, as of the sender's last sweep.
    pub mail_queue_age: prometheus::Gauge,
    /// From the commit that wrote a mail to its acceptance by the SMTP server.
    pub mail_delivery: Histogram,
    /// Webhook attempts, by outcome (`delivered`, `retry`, `failed`).
    pub webhook_attempts: IntCounterVec,
    /// From the commit that wrote a webhook delivery to the endpoint's 2xx.
    pub webhook_delivery: Histogram,
    /// xAPI statements sent, by outcome (`delivered`, `retry`, `failed`).
    pub xapi_statements: IntCounterVec,
    /// From the commit that wrote an xAPI statement to the LRS storing it.
    pub xapi_delivery: Histogram,
    /// LTI messages, by event (`launch`, `deep_link_request`, `deep_link_added`, `token`,
    /// `score`, `refused`).
    pub lti: IntCounterVec,
    /// Grading a quiz submission and recording the attempt.
    pub quiz_grading: Histogram,
    /// Drawing a certificate's PDF and storing it.
    pub certificate_drawing: Histogram,
    /// bb8's cumulative counters as last seen, per pool: (waited, timed out).
    last_pool_stats: Mutex<HashMap<String, (u64, u64)>>,
}

/// Per-pool figures read from bb8 at scrape time.
pub struct PoolReading {
    pub pool: String,
    pub connections: u32,
    pub idle: u32,
    pub waited: u64,
    pub timed_out: u64,
}

impl Metrics {
    pub fn new(top_schools: usize) -> Self {
        let registry = Registry::new();
        let mut names = Vec::new();
        let mut reg = |c: Box<dyn Collector>| {
            names.extend(c.desc().iter().map(|d| d.fq_name.clone()));
            registry.register(c).expect("metric names are unique");
        };
        macro_rules! metric {
            ($ctor:expr) => {{
                let m = $ctor.expect("valid metric");
                reg(Box::new(m.clone()));
                m
            }};
        }
        let hist = |name: &str, help: &str| {
            HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec())
        };
        let http_requests = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_http_requests_total",
                "HTTP requests by route template, method and status class"
            ),
            &["route", "method", "status"]
        ));
        let http_duration = metric!(HistogramVec::new(
            hist(
                "eduflow_http_request_duration_seconds",
                "HTTP request duration by route template, method and status class"
            ),
            &["route", "method", "status"]
        ));
        let school_requests = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_school_requests_total",
                "Requests per school: the busiest schools by name, the rest as `other`"
            ),
            &["school"]
        ));
        let db_query = metric!(HistogramVec::new(
            hist(
                "eduflow_db_query_duration_seconds",
                "Database transaction duration by query family and pool"
            ),
            &["query", "pool"]
        ));
        let pool_connections = metric!(IntGaugeVec::new(
            Opts::new(
                "eduflow_db_pool_connections",
                "Pooled connections by pool and state (in_use, idle)"
            ),
            &["pool", "state"]
        ));
        let pool_waits = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_db_pool_waits_total",
                "Checkouts that had to wait for a connection"
            ),
            &["pool"]
        ));
        let pool_timeouts = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_db_pool_checkout_timeouts_total",
                "Checkouts that gave up (answered 503)"
            ),
            &["pool"]
        ));
        let replica_lag = metric!(prometheus::GaugeVec::new(
            Opts::new(
                "eduflow_db_replica_lag_seconds",
                "How far each read replica's replay is behind (0 when caught up)"
            ),
            &["replica"]
        ));
        let actors_live = metric!(IntGauge::new(
            "eduflow_school_actors",
            "School actors alive on this instance"
        ));
        let actors_started = metric!(IntCounter::new(
            "eduflow_school_actors_started_total",
            "School actors started"
        ));
        let actors_stopped = metric!(IntCounter::new(
            "eduflow_school_actors_stopped_total",
            "School actors stopped (idle)"
        ));
        let mailbox_wait = metric!(Histogram::with_opts(hist(
            "eduflow_actor_mailbox_wait_seconds",
            "Time a page request waited in a school actor's mailbox"
        )));
        let cache_hits = metric!(IntCounter::new(
            "eduflow_page_cache_hits_total",
            "Pages served from an actor's memory"
        ));
        let cache_misses = metric!(IntCounter::new(
            "eduflow_page_cache_misses_total",
            "Page requests not in memory"
        ));
        let cache_evictions = metric!(IntCounter::new(
            "eduflow_page_cache_evictions_total",
            "Pages evicted to stay under the memory cap"
        ));
        let cache_bytes = metric!(IntGauge::new(
            "eduflow_page_cache_bytes",
            "Bytes of rendered pages held by all school actors"
        ));
        let page_loads = metric!(IntCounter::new(
            "eduflow_page_loads_total",
            "Page loads from the database (concurrent misses share one)"
        ));
        let learner_states = metric!(IntGauge::new(
            "eduflow_learner_states",
            "Learners whose enrollment state school actors hold in memory"
        ));
        let image_variants = metric!(HistogramVec::new(
            HistogramOpts::new(
                "eduflow_image_variant_seconds",
                "Time to compute one image variant (decode, resize, encode), by format"
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
            &["format"]
        ));
        let mail_sent = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_mail_sent_total",
                "Mail accepted by the SMTP server (or written as .eml), by kind"
            ),
            &["kind"]
        ));
        let mail_failed = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_mail_failed_total",
                "Mail given up on: refused for good or out of attempts, by kind"
            ),
            &["kind"]
        ));
        let mail_retries = metric!(IntCounter::new(
            "eduflow_mail_retries_total",
            "Deliveries that failed for now and were rescheduled"
        ));
        let mail_queue_age = metric!(prometheus::Gauge::new(
            "eduflow_mail_queue_age_seconds",
            "Age of the oldest pending mail, as of the sender's last sweep (0: none pending)"
        ));
        let mail_delivery = metric!(Histogram::with_opts(
            HistogramOpts::new(
                "eduflow_mail_delivery_seconds",
                "From the commit that wrote a mail to its acceptance by the SMTP server"
            )
            .buckets(vec![
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0, 3600.0
            ])
        ));
        let webhook_attempts = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_webhook_attempts_total",
                "Webhook attempts, by outcome: delivered, retry (rescheduled), failed (given up)"
            ),
            &["outcome"]
        ));
        let webhook_delivery = metric!(Histogram::with_opts(
            HistogramOpts::new(
                "eduflow_webhook_delivery_seconds",
                "From the commit that wrote a webhook delivery to the endpoint's 2xx"
            )
            .buckets(vec![
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0, 3600.0
            ])
        ));
        let xapi_statements = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_xapi_statements_total",
                "xAPI statements sent to schools' LRSs, by outcome: delivered, retry, failed"
            ),
            &["outcome"]
        ));
        let xapi_delivery = metric!(Histogram::with_opts(
            HistogramOpts::new(
                "eduflow_xapi_delivery_seconds",
                "From the commit that wrote an xAPI statement to the LRS storing it"
            )
            .buckets(vec![
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0, 3600.0
            ])
        ));
        let lti = metric!(IntCounterVec::new(
            Opts::new(
                "eduflow_lti_total",
                "LTI messages, by event: launch, deep_link_request, deep_link_added, token, score, refused"
            ),
            &["event"]
        ));
        let quiz_grading = metric!(Histogram::with_opts(hist(
            "eduflow_quiz_grading_seconds",
            "Grading a quiz submission and committing the attempt"
        )));
        let certificate_drawing = metric!(Histogram::with_opts(hist(
            "eduflow_certificate_drawing_seconds",
            "Drawing a certificate's PDF and storing it in the media store"
        )));
        let build_info = metric!(IntGaugeVec::new(
            Opts::new("eduflow_build_info", "Version and git commit of this build"),
            &["version", "git_sha"]
        ));
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), env!("EDUFLOW_GIT_SHA")])
            .set(1);
        #[cfg(target_os = "linux")]
        reg(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ));
        Self {
            registry,
            names,
            http_requests,
            http_duration,
            school_requests,
            schools: SchoolLabels::new(top_schools),
            db_query,
            pool_connections,
            pool_waits,
            pool_timeouts,
            replica_lag,
            actors_live,
            actors_started,
            actors_stopped,
            mailbox_wait,
            cache_hits,
            cache_misses,
            cache_evictions,
            cache_bytes,
            page_loads,
            learner_states,
            image_variants,
            mail_sent,
            mail_failed,
            mail_retries,
            mail_queue_age,
            mail_delivery,
            webhook_attempts,
            webhook_delivery,
            xapi_statements,
            xapi_delivery,
            lti,
            quiz_grading,
            certificate_drawing,
            last_pool_stats: Mutex::default(),
        }
    }

    /// Every metric name this registry can export (dashboards are checked against it).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn observe_pools(&self, readings: &[PoolReading]) {
        let mut last = self
            .last_pool_stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for r in readings {
            let pool = r.pool.as_str();
            self.pool_connections
                .with_label_values(&[pool, "in_use"])
                .set(i64::from(r.connections - r.idle));
            self.pool_connections
                .with_label_values(&[pool, "idle"])
                .set(i64::from(r.idle));
            let (waited, timed_out) = last.get(pool).copied().unwrap_or_default();
            self.pool_waits
                .with_label_values(&[pool])
                .inc_by(r.waited.saturating_sub(waited));
            self.pool_timeouts
                .with_label_values(&[pool])
                .inc_by(r.timed_out.saturating_sub(timed_out));
            last.insert(r.pool.clone(), (r.waited, r.timed_out));
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding cannot fail");
        out
    }
}

/// HTTP status class label: a bounded set, unlike raw codes.
pub fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}
