//! Image variant time for a 12-megapixel photo: decode, resize and encode one variant, as the
//! `/img` route does on a variant's first request. JPEG output is the baseline; WebP and AVIF are
//! quoted against it (same process, same source, interleaved runs).
//!
//!     cargo bench --bench variants [-- RUNS]
//!
//! The source is generated (this machine has no photo library): smooth gradients, fine noise and
//! hard edges, 4000×3000, saved as a quality-90 JPEG — the shape of a phone photo for an encoder.

use std::time::{Duration, Instant};

use eduflow::media::image::{Format, encode};

fn photo() -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 24) as i32 - 12;
        let sky = y < h / 3 + (x / 40) % 50;
        let base = if sky {
            [90 + (y * 80 / h) as i32, 140 + (y * 60 / h) as i32, 220]
        } else {
            let ridge = ((x / 7 + y / 5) % 60) as i32;
            [60 + ridge, 110 + ridge / 2, 40 + (x * 50 / w) as i32]
        };
        image::Rgb(base.map(|c| (c + noise).clamp(0, 255) as u8))
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3);
    let source = photo();
    println!(
        "source: 4000x3000 JPEG, {:.1} MiB; {runs} runs each, interleaved",
        source.len() as f64 / (1 << 20) as f64
    );
    let formats = [Format::Jpeg, Format::Webp, Format::Avif];
    for width in [1280u32, 1920] {
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); formats.len()];
        let mut sizes = vec![0usize; formats.len()];
        for _ in 0..runs {
            for (i, format) in formats.iter().enumerate() {
                let start = Instant::now();
                let (bytes, w, h) = encode(&source, width, *format).unwrap();
                times[i].push(start.elapsed());
                assert_eq!((w, h), (width, width * 3 / 4));
                sizes[i] = bytes.len();
            }
        }
        let median = |t: &mut Vec<Duration>| {
            t.sort();
            t[t.len() / 2]
        };
        let base = median(&mut times[0]);
        println!("\nwidth {width}:");
        println!("| format | median | vs JPEG | bytes |");
        println!("| --- | --- | --- | --- |");
        for (i, format) in formats.iter().enumerate() {
            let m = median(&mut times[i]);
            println!(
                "| {} | {:.0} ms | {:.2}x | {} KiB |",
                format.ext(),
                m.as_secs_f64() * 1000.0,
                m.as_secs_f64() / base.as_secs_f64(),
                sizes[i] / 1024
            );
        }
    }
}
