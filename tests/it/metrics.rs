//! Metrics: the right series move, the 0.1 s bucket exists, the school label is capped, the
//! exposition passes promtool, and the dashboards only query metrics the app exports.

use std::collections::HashSet;

use crate::harness::{TestApp, TestDb, request, settings};

async fn scrape(app: &TestApp) -> String {
    let port = app.metrics_port.expect("metrics listener");
    let res = request(port, "GET", "127.0.0.1", "/metrics", &[]).await;
    assert_eq!(res.status, 200);
    res.body
}

/// The value of one series (labels given in exposition order), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[actix_web::test]
async fn requests_move_the_right_series() {
    let (_db, app) = TestApp::two_schools().await;
    let before = scrape(&app).await;
    for _ in 0..3 {
        assert_eq!(
            app.get("alpha.localhost", "/courses?category=data")
                .await
                .status,
            200
        );
    }
    assert_eq!(
        app.get("alpha.localhost", "/courses?after=bad")
            .await
            .status,
        400
    );
    assert_eq!(app.get("nobody.localhost", "/").await.status, 404);
    let after = scrape(&app).await;
    let delta = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(
        delta(r#"eduflow_http_requests_total{method="GET",route="/courses",status="2xx"}"#),
        3.0
    );
    assert_eq!(
        delta(r#"eduflow_http_requests_total{method="GET",route="/courses",status="4xx"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"eduflow_http_requests_total{method="GET",route="/",status="4xx"}"#),
        1.0
    );
    assert_eq!(
        delta(
            r#"eduflow_http_request_duration_seconds_count{method="GET",route="/courses",status="2xx"}"#
        ),
        3.0
    );
    // One miss loaded the page, two hits came from memory.
    assert_eq!(delta("eduflow_page_cache_misses_total"), 1.0);
    assert_eq!(delta("eduflow_page_cache_hits_total"), 2.0);
    assert_eq!(delta("eduflow_page_loads_total"), 1.0);
    assert!(value(&after, "eduflow_page_cache_bytes") > 0.0);
    assert_eq!(value(&after, "eduflow_school_actors"), 1.0);
    assert_eq!(
        delta(r#"eduflow_db_query_duration_seconds_count{pool="primary",query="catalog"}"#),
        1.0
    );
    // "Under 100 ms" can be read straight off the histogram.
    assert!(
        after.contains(
            r#"eduflow_db_query_duration_seconds_bucket{pool="primary",query="catalog",le="0.1"}"#
        ),
        "no 0.1 s bucket"
    );
    assert!(after.contains(r#"eduflow_db_pool_connections{pool="primary",state="idle"}"#));
    assert_eq!(
        delta(r#"eduflow_school_requests_total{school="alpha"}"#),
        4.0
    );
    assert!(after.contains("eduflow_build_info{git_sha="));
    assert!(after.contains("process_resident_memory_bytes"));
    // Never on the public port.
    assert_eq!(app.get("alpha.localhost", "/metrics").await.status, 404);
}

#[actix_web::test]
async fn the_school_label_is_capped() {
    let db = TestDb::new().await;
    let schools: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("s{i}"),
                crate::harness::school_toml(&format!("s{i}"), &[]),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = schools
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    db.sync_schools(&refs).await;
    let mut s = settings(&db);
    s.top_schools = 2;
    let app = TestApp::spawn(s).await;
    for i in 0..5 {
        assert_eq!(
            app.get(&format!("s{i}.localhost"), "/brand.css")
                .await
                .status,
            200
        );
    }
    let text = scrape(&app).await;
    let labels: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("eduflow_school_requests_total{school=\""))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(labels, HashSet::from(["s0", "s1", "other"]));
    assert_eq!(
        value(&text, r#"eduflow_school_requests_total{school="other"}"#),
        3.0
    );
}

#[actix_web::test]
async fn the_exposition_passes_promtool() {
    let (_db, app) = TestApp::two_schools().await;
    app.get("alpha.localhost", "/").await;
    let text = scrape(&app).await;
    let mut child = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian package `prometheus`) must be installed");
    tokio::io::AsyncWriteExt::write_all(child.stdin.as_mut().unwrap(), text.as_bytes())
        .await
        .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every metric a Grafana panel queries must be one the app exports.
#[actix_web::test]
async fn dashboards_query_only_exported_metrics() {
    let db = TestDb::new().await;
    let app = TestApp::spawn(settings(&db)).await;
    let mut exported: HashSet<String> = app.state.metrics.names().iter().cloned().collect();
    // Histograms are queried through their derived series.
    for name in exported.clone() {
        for suffix in ["_bucket", "_sum", "_count"] {
            exported.insert(format!("{name}{suffix}"));
        }
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/grafana/dashboards");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let dashboard: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for panel in dashboard["panels"].as_array().unwrap() {
            let title = panel["title"].as_str().unwrap_or("?");
            let targets = panel["targets"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if panel["type"] != "row" {
                assert!(
                    !targets.is_empty(),
                    "{}: panel {title} has no query",
                    path.display()
                );
            }
            for target in targets {
                let expr = target["expr"].as_str().unwrap();
                let names = metric_names(expr);
                assert!(!names.is_empty(), "{title}: no metric in {expr}");
                for name in names {
                    assert!(
                        exported.contains(&name),
                        "{}: panel {title} queries {name}, which the app does not export",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} metric references checked");
}

/// Metric names in a PromQL expression: identifiers followed by `{`, `[` or a space/`)` that are
/// ours or process metrics (function names and label names never start with these prefixes).
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &expr[start..i];
            let quoted = start > 0 && bytes[start - 1] == b'"';
            if !quoted && (word.starts_with("eduflow_") || word.starts_with("process_")) {
                names.push(word.to_owned());
            }
        } else {
            i += 1;
        }
    }
    names
}
