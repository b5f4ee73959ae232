//! Certificates as PDF, written directly: one A4 landscape page in the standard Helvetica fonts
//! (every PDF reader has them, so nothing is embedded but the logo) and the school's logo as an
//! image with its transparency. Text is encoded in WinAnsi; a character it lacks is drawn as `?`
//! (the verification page always shows the exact name).

use std::fmt::Write as _;
use std::io::Write as _;

/// What a certificate says.
pub struct Certificate<'a> {
    pub school: &'a str,
    /// `#rrggbb`.
    pub accent: &'a str,
    pub logo: Option<&'a Raster>,
    pub learner: &'a str,
    pub course: &'a str,
    pub date: &'a str,
    pub id: &'a str,
    pub verify_url: &'a str,
}

/// An image as PDF wants it: 8-bit RGB and, if any pixel is transparent, 8-bit alpha.
#[derive(Debug, Clone)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
}

/// The widest a logo is rasterised, in pixels (it is drawn 72 points wide: about 250 dpi).
const LOGO_PIXELS: u32 = 256;

impl Raster {
    /// An SVG, PNG, JPEG, GIF or WebP logo; `None` for anything that does not decode.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_lowercase();
        if head.contains("<svg") || head.trim_start().starts_with("<?xml") {
            return Self::svg(bytes);
        }
        let image = image::load_from_memory(bytes).ok()?;
        let image = if image.width() > LOGO_PIXELS {
            image.resize(
                LOGO_PIXELS,
                LOGO_PIXELS * 4,
                image::imageops::FilterType::Triangle,
            )
        } else {
            image
        };
        let rgba = image.to_rgba8();
        Some(Self::from_rgba(
            rgba.width(),
            rgba.height(),
            rgba.pixels().map(|p| p.0),
        ))
    }

    fn svg(bytes: &[u8]) -> Option<Self> {
        use resvg::{tiny_skia, usvg};
        let tree = usvg::Tree::from_data(bytes, &usvg::Options::default()).ok()?;
        let size = tree.size();
        let width = LOGO_PIXELS;
        let height = ((size.height() / size.width()) * width as f32)
            .round()
            .max(1.0) as u32;
        let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
        let scale = width as f32 / size.width();
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let pixels = pixmap.pixels().iter().map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        });
        Some(Self::from_rgba(width, height, pixels))
    }

    fn from_rgba(width: u32, height: u32, pixels: impl Iterator<Item = [u8; 4]>) -> Self {
        let (mut rgb, mut alpha) = (Vec::new(), Vec::new());
        for [r, g, b, a] in pixels {
            rgb.extend([r, g, b]);
            alpha.push(a);
        }
        let opaque = alpha.iter().all(|&a| a == 255);
        Self {
            width,
            height,
            rgb,
            alpha: (!opaque).then_some(alpha),
        }
    }
}

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const TEXT_W: f32 = 700.0;

/// WinAnsi (Windows-1252) byte for `c`, or `?`.
fn win_ansi(c: char) -> u8 {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8a),
        ('‹', 0x8b),
        ('Œ', 0x8c),
        ('Ž', 0x8e),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9a),
        ('›', 0x9b),
        ('œ', 0x9c),
        ('ž', 0x9e),
        ('Ÿ', 0x9f),
    ];
    match c as u32 {
        0x20..=0x7e | 0xa0..=0xff => c as u8,
        _ => HIGH.iter().find(|(h, _)| *h == c).map_or(b'?', |(_, b)| *b),
    }
}

/// Width of `bytes` at `size` points in the font whose widths are `table`.
fn width(bytes: &[u8], table: &[u16; 224], size: f32) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|&b| u32::from(table[usize::from(b.max(32)) - 32]))
        .sum();
    units as f32 * size / 1000.0
}

/// A PDF literal string.
fn literal(bytes: &[u8]) -> String {
    let mut out = String::from("(");
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push(')');
    out
}

fn accent_rgb(hex: &str) -> (f32, f32, f32) {
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.3, |v| f32::from(v) / 255.0)
    };
    (channel(1), channel(3), channel(5))
}

/// Draws `text` centred at height `y`, shrinking it to fit the text width.
fn centred(ops: &mut String, text: &str, bold: bool, size: f32, y: f32) {
    let bytes: Vec<u8> = text.chars().map(win_ansi).collect();
    let table = if bold {
        &widths::BOLD
    } else {
        &widths::REGULAR
    };
    let mut size = size;
    let mut w = width(&bytes, table, size);
    if w > TEXT_W {
        size *= TEXT_W / w;
        w = TEXT_W;
    }
    let font = if bold { "F2" } else { "F1" };
    let x = (PAGE_W - w) / 2.0;
    let _ = writeln!(
        ops,
        "BT /{font} {size:.2} Tf {x:.2} {y:.2} Td {} Tj ET",
        literal(&bytes)
    );
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).expect("writing to memory");
    z.finish().expect("writing to memory")
}

/// The certificate as a PDF file.
pub fn render(c: &Certificate<'_>) -> Vec<u8> {
    let (r, g, b) = accent_rgb(c.accent);
    let mut ops = String::new();
    // Accent bands and a thin frame.
    let _ = writeln!(
        ops,
        "{r:.3} {g:.3} {b:.3} rg 0 {:.0} {PAGE_W} 28 re f",
        PAGE_H - 28.0
    );
    let _ = writeln!(ops, "0 0 {PAGE_W} 28 re f");
    let _ = writeln!(
        ops,
        "{r:.3} {g:.3} {b:.3} RG 1.5 w 40 60 {:.0} {:.0} re S",
        PAGE_W - 80.0,
        PAGE_H - 120.0
    );
    let mut top = PAGE_H - 80.0;
    if let Some(logo) = c.logo {
        let w = 72.0;
        let h = w * logo.height as f32 / logo.width as f32;
        top -= h;
        let _ = writeln!(
            ops,
            "q {w:.2} 0 0 {h:.2} {:.2} {top:.2} cm /Logo Do Q",
            (PAGE_W - w) / 2.0
        );
        top -= 12.0;
    }
    let accent = format!("{r:.3} {g:.3} {b:.3}");
    let (dark, grey, light) = ("0.05 0.05 0.05", "0.25 0.25 0.25", "0.4 0.4 0.4");
    let (on, id, verify) = (
        format!("on {}", c.date),
        format!("Certificate {}", c.id),
        format!("Verify at {}", c.verify_url),
    );
    // (fill colour, text, bold, size, baseline)
    let lines: [(&str, &str, bool, f32, f32); 9] = [
        ("0.1 0.1 0.1", c.school, true, 18.0, top - 20.0),
        (
            &accent,
            "Certificate of Completion",
            false,
            30.0,
            top - 66.0,
        ),
        (grey, "This certifies that", false, 13.0, top - 104.0),
        (dark, c.learner, true, 30.0, top - 144.0),
        (grey, "has completed the course", false, 13.0, top - 178.0),
        (dark, c.course, true, 22.0, top - 212.0),
        (grey, &on, false, 13.0, top - 240.0),
        (light, &id, false, 9.0, 84.0),
        (light, &verify, false, 9.0, 72.0),
    ];
    for (colour, text, bold, size, y) in lines {
        let _ = writeln!(ops, "{colour} rg");
        centred(&mut ops, text, bold, size, y);
    }

    let content = deflate(ops.as_bytes());
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let image_ref = c.logo.map(|_| "/XObject << /Logo 7 0 R >> ").unwrap_or("");
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 4 0 R /F2 5 0 R >> {image_ref}>> /Contents 6 0 R >>"
        )
        .into_bytes(),
    );
    for font in ["Helvetica", "Helvetica-Bold"] {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>"
            )
            .into_bytes(),
        );
    }
    objects.push(stream(
        &format!("<< /Length {} /Filter /FlateDecode >>", content.len()),
        &content,
    ));
    if let Some(logo) = c.logo {
        let mask = logo.alpha.as_ref().map_or("", |_| " /SMask 8 0 R");
        objects.push(image(logo, "DeviceRGB", &logo.rgb, mask));
        if let Some(alpha) = &logo.alpha {
            objects.push(image(logo, "DeviceGray", alpha, ""));
        }
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out
}

/// An 8-bit image XObject of the logo's size: its colour samples or its alpha.
fn image(logo: &Raster, color_space: &str, samples: &[u8], extra: &str) -> Vec<u8> {
    let packed = deflate(samples);
    stream(
        &format!(
            "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /{color_space} \
             /BitsPerComponent 8 /Filter /FlateDecode /Length {}{extra} >>",
            logo.width,
            logo.height,
            packed.len()
        ),
        &packed,
    )
}

fn stream(dict: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = dict.as_bytes().to_vec();
    out.extend(b"\nstream\n");
    out.extend(bytes);
    out.extend(b"\nendstream");
    out
}

/// Helvetica's advance widths (per 1000 units) for WinAnsi bytes 32–255, as in Adobe's metrics
/// (read from the metric-compatible Liberation Sans).
mod widths {
    pub const REGULAR: [u16; 224] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584, 0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333,
        1000, 0, 611, 0, 0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500,
        667, 278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400,
        549, 333, 333, 333, 576, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, 667, 667, 667,
        667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778,
        778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889,
        500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556, 556, 556, 556, 556, 556, 549, 611,
        556, 556, 556, 556, 500, 556, 500,
    ];
    pub const BOLD: [u16; 224] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722,
        722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
        611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556,
        500, 389, 280, 389, 584, 0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333,
        1000, 0, 611, 0, 0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500,
        667, 278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400,
        549, 333, 333, 333, 576, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, 722, 722, 722,
        722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778,
        778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889,
        556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611, 611, 611, 611, 611, 611, 549, 611,
        611, 611, 611, 611, 556, 611, 556,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_for_win_ansi_and_escaped() {
        assert_eq!(
            literal(&"Zoë (A) \\".chars().map(win_ansi).collect::<Vec<_>>()),
            "(Zo\\353 \\(A\\) \\\\)"
        );
        assert_eq!(win_ansi('€'), 0x80);
        assert_eq!(win_ansi('Ł'), b'?');
        // "AV" in Helvetica: 667 + 667 units.
        assert_eq!(width(b"AV", &widths::REGULAR, 10.0), 13.34);
    }

    #[test]
    fn the_school_logo_is_rasterised_with_its_transparency() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 16"><rect width="16" height="16" fill="#ff0000"/></svg>"##;
        let r = Raster::decode(svg).unwrap();
        assert_eq!((r.width, r.height), (256, 128));
        assert_eq!(&r.rgb[..3], [255, 0, 0]);
        let alpha = r.alpha.unwrap();
        assert_eq!((alpha[0], alpha[255]), (255, 0));
        assert!(Raster::decode(b"not an image").is_none());
    }
}
