//! The service's metrics, rendered as Prometheus text for `GET /metrics`.
//!
//! Each server state has its own recorder (no global one: tests build
//! many routers in one process), and every series is registered once, up
//! front, so recording is an atomic add rather than a look-up by name.
//! Histograms get explicit buckets (without them the exporter renders
//! summaries). The active bundle is one line written at render time, so
//! that a swapped-out digest disappears instead of lingering at 0; the
//! time of the last rules loaded is set then too, from the snapshot
//! serving.

use std::time::{Duration, SystemTime};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Metadata, Recorder, SharedString};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The routes whose durations are recorded, in [`Metrics::route`] order.
pub(crate) const ROUTES: [&str; 11] = [
    "/v1/decide",
    "/v1/decide/batch",
    "/v1/visible",
    "/access/v1/evaluation",
    "/access/v1/evaluations",
    "/.well-known/authzen-configuration",
    "/v1/bundle",
    "/health/live",
    "/health/ready",
    "/metrics",
    "other",
];

const DURATION_BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
    10.0,
];
const BATCH_BUCKETS: [f64; 7] = [1.0, 10.0, 100.0, 500.0, 1000.0, 5000.0, 10000.0];

/// The server's metrics.
#[derive(Debug)]
pub(crate) struct Metrics {
    handle: PrometheusHandle,
    allowed: Counter,
    denied: Counter,
    batch_size: Histogram,
    durations: Vec<Histogram>,
    reloads_ok: Counter,
    reloads_failed: Counter,
    last_reload: Gauge,
    pub(crate) log_dropped: Counter,
}

const META: Metadata<'static> = Metadata::new("authgate", metrics::Level::INFO, None);

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let builder = PrometheusBuilder::new();
        // Only a bucket list that is empty is refused: these are not.
        let builder = builder
            .set_buckets_for_metric(
                Matcher::Full("authgate_request_duration_seconds".to_owned()),
                &DURATION_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("authgate_batch_size".to_owned()),
                    &BATCH_BUCKETS,
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let describe = |name: &'static str, help: &'static str| {
            (KeyName::from_const_str(name), SharedString::const_str(help))
        };
        for (name, help) in [
            describe("authgate_decisions_total", "Decisions made, by result"),
            describe("authgate_reloads_total", "Rule reloads, by result"),
            describe(
                "authgate_decision_log_dropped_total",
                "Decision log lines dropped because the writer fell behind",
            ),
        ] {
            recorder.describe_counter(name, None, help);
        }
        for (name, help) in [
            describe("authgate_batch_size", "Items per batch request"),
            describe(
                "authgate_request_duration_seconds",
                "Request durations by route, in seconds",
            ),
        ] {
            recorder.describe_histogram(name, None, help);
        }
        let (name, help) = describe(
            "authgate_last_reload_success_timestamp_seconds",
            "Unix time of the last rules loaded (at startup or by a reload)",
        );
        recorder.describe_gauge(name, None, help);
        let counter = |name: &'static str, label: &'static str, value: &'static str| {
            let key = Key::from_static_parts(name, &[]);
            let key = if label.is_empty() {
                key
            } else {
                Key::from_parts(name, vec![Label::from_static_parts(label, value)])
            };
            recorder.register_counter(&key, &META)
        };
        Metrics {
            allowed: counter("authgate_decisions_total", "result", "allow"),
            denied: counter("authgate_decisions_total", "result", "deny"),
            reloads_ok: counter("authgate_reloads_total", "result", "ok"),
            reloads_failed: counter("authgate_reloads_total", "result", "error"),
            log_dropped: counter("authgate_decision_log_dropped_total", "", ""),
            batch_size: recorder
                .register_histogram(&Key::from_static_parts("authgate_batch_size", &[]), &META),
            durations: ROUTES
                .iter()
                .map(|&route| {
                    let key = Key::from_parts(
                        "authgate_request_duration_seconds",
                        vec![Label::from_static_parts("route", route)],
                    );
                    recorder.register_histogram(&key, &META)
                })
                .collect(),
            last_reload: recorder.register_gauge(
                &Key::from_static_parts("authgate_last_reload_success_timestamp_seconds", &[]),
                &META,
            ),
            handle: recorder.handle(),
        }
    }

    /// Counts decisions.
    pub(crate) fn decisions(&self, allowed: u64, denied: u64) {
        self.allowed.increment(allowed);
        self.denied.increment(denied);
    }

    pub(crate) fn batch(&self, size: usize) {
        self.batch_size.record(size as f64);
    }

    /// Records the duration of a request to `route` (an index of [`ROUTES`]).
    pub(crate) fn request(&self, route: usize, took: Duration) {
        if let Some(histogram) = self.durations.get(route) {
            histogram.record(took.as_secs_f64());
        }
    }

    /// The index in [`ROUTES`] of a matched path.
    pub(crate) fn route(path: Option<&str>) -> usize {
        path.and_then(|path| ROUTES.iter().position(|&route| route == path))
            .unwrap_or(ROUTES.len() - 1)
    }

    pub(crate) fn reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.increment(1);
        } else {
            self.reloads_failed.increment(1);
        }
    }

    /// Folds recorded histogram samples into their buckets; the exporter
    /// keeps samples until then, so the server calls this periodically.
    pub(crate) fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The Prometheus text, with the rules serving: their digest and when
    /// they were loaded.
    pub(crate) fn render(&self, digest: &str, loaded_at: SystemTime) -> String {
        let seconds = loaded_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.last_reload.set(seconds);
        let mut text = self.handle.render();
        text.push_str(
            "# HELP authgate_bundle_info The bundle digest of the rules serving\n\
             # TYPE authgate_bundle_info gauge\n",
        );
        text.push_str(&format!("authgate_bundle_info{{digest=\"{digest}\"}} 1\n"));
        text
    }
}
