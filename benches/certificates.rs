//! Certificate PDF drawing time and size: the school's SVG logo rasterised and the page written,
//! as `certificates::draw` does after a course is completed. Drawing without a logo is the
//! baseline the logo's cost is quoted against (same process, interleaved runs).
//!
//!     cargo bench --bench certificates [-- RUNS]

use std::time::{Duration, Instant};

use eduflow::assessment::pdf::{Certificate, Raster, render};

fn draw(logo: Option<&[u8]>) -> (Duration, usize) {
    let start = Instant::now();
    let raster = logo.and_then(Raster::decode);
    let pdf = render(&Certificate {
        school: "Northwind Academy",
        accent: "#0f766e",
        logo: raster.as_ref(),
        learner: "Zoë Marie-Hélène Fairweather-Lindqvist",
        course: "Data Visualization with Python and Matplotlib, Part Two",
        date: "30 November 2026",
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
    let (mut plain, mut logo) = (Vec::new(), Vec::new());
    let (mut plain_size, mut logo_size) = (0, 0);
    for _ in 0..runs {
        let (t, n) = draw(None);
        plain.push(t);
        plain_size = n;
        let (t, n) = draw(Some(svg));
        logo.push(t);
        logo_size = n;
    }
    plain.sort();
    logo.sort();
    for (name, times, size) in [
        ("without a logo", &plain, plain_size),
        ("with the SVG logo", &logo, logo_size),
    ] {
        println!(
            "{name}: p50 {:.2} ms, p99 {:.2} ms, {size} bytes ({runs} runs)",
            pct(times, 0.5).as_secs_f64() * 1000.0,
            pct(times, 0.99).as_secs_f64() * 1000.0,
        );
    }
    println!(
        "the logo costs {:.1}× the page alone at p50",
        pct(&logo, 0.5).as_secs_f64() / pct(&plain, 0.5).as_secs_f64()
    );
}
