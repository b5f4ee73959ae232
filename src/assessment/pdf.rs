//! Certificates as PDF, written directly: one A4 landscape page in the learner's language, its
//! text shaped and set in embedded subsets of DejaVu Sans (`typeset`), and the school's logo as
//! an image with its transparency.

use std::fmt::Write as _;
use std::io::Write as _;

use chrono::{DateTime, Utc};

use super::typeset::{Font, Weight};
use crate::i18n::{Direction, Locale};

/// What a certificate says.
pub struct Certificate<'a> {
    /// The language its own words are in; the school's, learner's and course's names stay as
    /// written.
    pub locale: Locale,
    pub school: &'a str,
    /// `#rrggbb`.
    pub accent: &'a str,
    pub logo: Option<&'a Raster>,
    pub learner: &'a str,
    pub course: &'a str,
    pub issued: DateTime<Utc>,
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

fn accent_rgb(hex: &str) -> (f32, f32, f32) {
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.3, |v| f32::from(v) / 255.0)
    };
    (channel(1), channel(3), channel(5))
}

/// Draws `text` centred at height `y`, shrinking it to fit the text width.
fn centred(
    ops: &mut String,
    font: &mut Font,
    resource: &str,
    text: &str,
    rtl: bool,
    size: f32,
    y: f32,
) {
    let line = font.shape(text, rtl);
    let size = if line.width * size / 1000.0 > TEXT_W {
        size * TEXT_W * 1000.0 / line.width
    } else {
        size
    };
    let x = (PAGE_W - line.width * size / 1000.0) / 2.0;
    let _ = writeln!(ops, "BT /{resource} {size:.2} Tf");
    for g in &line.glyphs {
        let _ = writeln!(
            ops,
            "1 0 0 1 {:.2} {:.2} Tm <{:04X}> Tj",
            x + g.x * size / 1000.0,
            y + g.y * size / 1000.0,
            g.cid
        );
    }
    ops.push_str("ET\n");
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
    let l = c.locale;
    let rtl = l.direction() == Direction::Rtl;
    let words = |id: &str, name: &str, value: &str| l.tr(id, &[(name, value.to_owned().into())]);
    let (title, certifies, completed) = (
        l.t("pdf-certificate-of-completion"),
        l.t("pdf-this-certifies-that"),
        l.t("pdf-has-completed-the-course"),
    );
    let (on, id, verify) = (
        words("pdf-completed-on", "date", &l.date(c.issued)),
        words("pdf-certificate-number", "id", c.id),
        words("pdf-verify-at", "url", c.verify_url),
    );
    let mut fonts = [Font::new(Weight::Regular), Font::new(Weight::Bold)];
    // (fill colour, text, weight, size, baseline)
    let lines: [(&str, &str, Weight, f32, f32); 9] = [
        ("0.1 0.1 0.1", c.school, Weight::Bold, 18.0, top - 20.0),
        (&accent, &title, Weight::Regular, 30.0, top - 66.0),
        (grey, &certifies, Weight::Regular, 13.0, top - 104.0),
        (dark, c.learner, Weight::Bold, 30.0, top - 144.0),
        (grey, &completed, Weight::Regular, 13.0, top - 178.0),
        (dark, c.course, Weight::Bold, 22.0, top - 212.0),
        (grey, &on, Weight::Regular, 13.0, top - 240.0),
        (light, &id, Weight::Regular, 9.0, 84.0),
        (light, &verify, Weight::Regular, 9.0, 72.0),
    ];
    for (colour, text, weight, size, y) in lines {
        let _ = writeln!(ops, "{colour} rg");
        let resource = ["F1", "F2"][weight as usize];
        centred(
            &mut ops,
            &mut fonts[weight as usize],
            resource,
            text,
            rtl,
            size,
            y,
        );
    }

    let content = deflate(ops.as_bytes());
    // Objects 1–3 are the catalog, page tree and page; then the content, the logo, the fonts.
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        Vec::new(),
        stream(
            &format!("<< /Length {} /Filter /FlateDecode >>", content.len()),
            &content,
        ),
    ];
    let mut image_ref = String::new();
    if let Some(logo) = c.logo {
        let mask = logo.alpha.as_ref().map_or(String::new(), |_| {
            format!(" /SMask {} 0 R", objects.len() + 2)
        });
        image_ref = format!("/XObject << /Logo {} 0 R >> ", objects.len() + 1);
        objects.push(image(logo, "DeviceRGB", &logo.rgb, &mask));
        if let Some(alpha) = &logo.alpha {
            objects.push(image(logo, "DeviceGray", alpha, ""));
        }
    }
    let mut font_refs = String::new();
    for (font, resource) in fonts.iter().zip(["F1", "F2"]) {
        let first = objects.len() + 1;
        let _ = write!(font_refs, "/{resource} {first} 0 R ");
        objects.extend(font_objects(font, first));
    }
    objects[2] = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
         /Resources << /Font << {font_refs}>> {image_ref}>> /Contents 4 0 R >>"
    )
    .into_bytes();
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

/// A font's objects, numbered from `first`: the Type 0 font the page names, its CID font,
/// descriptor, embedded subset and ToUnicode map (so the text can be searched and copied).
fn font_objects(font: &Font, first: usize) -> Vec<Vec<u8>> {
    let e = font.embedding();
    let name = &e.name;
    let mut widths = String::new();
    for (cid, w) in e.widths.iter().enumerate() {
        let _ = write!(widths, "{cid} [{w:.0}] ");
    }
    let [x0, y0, x1, y1] = e.bbox;
    let packed = deflate(&e.subset);
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = e.text.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (cid, text) in chunk {
            let _ = write!(cmap, "<{cid:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(cmap, "{unit:04X}");
            }
            cmap.push_str(">\n");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    vec![
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
             /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
            first + 1,
            first + 4
        )
        .into_bytes(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor {} 0 R /CIDToGIDMap /Identity /DW 0 /W [{widths}] >>",
            first + 2
        )
        .into_bytes(),
        format!(
            "<< /Type /FontDescriptor /FontName /{name} /Flags 4 \
             /FontBBox [{x0:.0} {y0:.0} {x1:.0} {y1:.0}] /ItalicAngle 0 /Ascent {:.0} \
             /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile2 {} 0 R >>",
            e.ascent,
            e.descent,
            e.cap_height,
            first + 3
        )
        .into_bytes(),
        stream(
            &format!(
                "<< /Length {} /Length1 {} /Filter /FlateDecode >>",
                packed.len(),
                e.subset.len()
            ),
            &packed,
        ),
        stream(&format!("<< /Length {} >>", cmap.len()), cmap.as_bytes()),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

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
