//! Certificate PDF drawing time and size: the text shaped and the fonts subset, the school's SVG
//! logo rasterised and the page written, as `certificates::draw` does after a course is
//! completed. Drawing in English without a logo is the baseline the logo's and Arabic's costs
//! are quoted against (same process, interleaved runs).
//!
//!     cargo bench --bench certificates [-- RUNS]

use std::time::{Duration, Instant};

use eduflow::assessment::pdf::{Certificate, Raster, render};
use eduflow::i18n::Locale;

fn draw(locale: &str, logo: Option<&[u8]>) -> (Duration, usize) {
    let start = Instant::now();
    let raster = logo.and_then(Raster::decode);
    let pdf = render(&Certificate {
        locale: Locale::parse(locale).expect("a shipped locale"),
        school: "Northwind Academy",
        accent: "#0f766e",
        logo: raster.as_ref(),
        learner: "Zoë Marie-Hélène Fairweather-Lindqvist",
        course: "Data Visualization with Python and Matplotlib, Part Two",
        issued: chrono::DateTime::from_timestamp(1_796_000_000, 0).expect("a date"),
        id: "0b9e8f0c-5a4e-4cf4-9d52-7a0f3c2f8e11",
        verify_url: "https://learn.northwind.test/certificates/0b9e8f0c-5a4e-4cf4-9d52-7a0f3c2f8e11",
    });
    (start.elapsed(), pdf.len())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(500);
    let (_, svg) = eduflow::assets::find("logos/northwind.svg").expect("the demo logo");
    // (name, locale, logo, times, size)
    let mut kinds = [
        ("English, no logo", "en", None, Vec::new(), 0),
        ("English, the SVG logo", "en", Some(svg), Vec::new(), 0),
        ("Arabic, no logo", "ar", None, Vec::new(), 0),
    ];
    for _ in 0..runs {
        for (_, locale, logo, times, size) in &mut kinds {
            let (t, n) = draw(locale, *logo);
            times.push(t);
            *size = n;
        }
    }
    let base = {
        kinds[0].3.sort();
        pct(&kinds[0].3, 0.5).as_secs_f64()
    };
    for (name, _, _, times, size) in &mut kinds {
        times.sort();
        println!(
            "{name}: p50 {:.2} ms, p99 {:.2} ms, {size} bytes, {:.2}× the baseline at p50 ({runs} runs)",
            pct(times, 0.5).as_secs_f64() * 1000.0,
            pct(times, 0.99).as_secs_f64() * 1000.0,
            pct(times, 0.5).as_secs_f64() / base,
        );
    }
}
