//! A school's accent colour, checked for contrast the way WCAG 2.2 measures it: buttons put white
//! text on it and links put it on the page's light background, so both must reach 4.5:1. In the
//! dark theme links take a lighter shade of it, found here, that reaches 4.5:1 on dark surfaces.
//! Axe does not see every script's text (it skipped low-contrast Arabic in a test here), so the
//! rule is kept in code.

/// Text on a page must reach this against its background (WCAG 2.2 AA, 1.4.3).
pub const MIN_CONTRAST: f64 = 4.5;

/// The lightest surface the accent meets: the page background (`--bg` in `static/app.css`).
const PAGE: [u8; 3] = [0xfa, 0xfa, 0xfa];

/// The lightest surface links sit on in the dark theme (`--surface` there: cards, the header).
const DARK_SURFACE: [u8; 3] = [0x1f, 0x29, 0x37];

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NotHex,
    /// Too light: the ratio it reaches, and the nearest darker shade that passes.
    LowContrast {
        ratio: f64,
        suggestion: String,
    },
}

/// `#rrggbb`, lower-cased, when it is readable both as a button's background and as link text.
pub fn accent(text: &str) -> Result<String, Refusal> {
    let rgb = parse(text).ok_or(Refusal::NotHex)?;
    let ratio = contrast(rgb, PAGE);
    if ratio >= MIN_CONTRAST {
        return Ok(text.to_ascii_lowercase());
    }
    Err(Refusal::LowContrast {
        ratio: (ratio * 100.0).floor() / 100.0,
        suggestion: hex(darkened(rgb)),
    })
}

/// The shade of an accent that links take in the dark theme: the accent itself if it reads on
/// dark surfaces, else mixed towards white step by step until it does.
pub fn on_dark(accent: &str) -> String {
    let rgb = parse(accent).unwrap_or([0x25, 0x63, 0xeb]);
    let mut shade = rgb;
    for step in 0..=100 {
        let mix = f64::from(step) / 100.0;
        shade = rgb.map(|c| (f64::from(c) + (255.0 - f64::from(c)) * mix).round() as u8);
        if contrast(shade, DARK_SURFACE) >= MIN_CONTRAST {
            break;
        }
    }
    hex(shade)
}

fn parse(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The same hue, darkened step by step until it passes.
fn darkened(rgb: [u8; 3]) -> [u8; 3] {
    let mut shade = rgb;
    for step in 1..=100 {
        let keep = 1.0 - f64::from(step) / 100.0;
        shade = rgb.map(|c| (f64::from(c) * keep).round() as u8);
        if contrast(shade, PAGE) >= MIN_CONTRAST {
            break;
        }
    }
    shade
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_accents_pass_and_light_ones_are_refused_with_a_darker_shade() {
        // WCAG's own examples: black on white is 21:1; #767676 on white is 4.54:1.
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!((contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54).abs() < 0.01);
        assert_eq!(accent("#0F766E"), Ok("#0f766e".into()));
        assert_eq!(accent("#2563eb"), Ok("#2563eb".into()));
        assert_eq!(accent("blue"), Err(Refusal::NotHex));
        assert_eq!(accent("#12345"), Err(Refusal::NotHex));
        let Err(Refusal::LowContrast { ratio, suggestion }) = accent("#f59e0b") else {
            panic!("amber on a light page is unreadable");
        };
        assert!(ratio < 2.2, "{ratio}");
        let suggested = parse(&suggestion).unwrap();
        assert!(contrast(suggested, PAGE) >= MIN_CONTRAST);
        assert_eq!(accent(&suggestion), Ok(suggestion.clone()));
    }

    #[test]
    fn links_in_the_dark_theme_take_a_lighter_shade_that_reads_there() {
        for accent in ["#0f766e", "#2563eb", "#9333ea", "#000000", "#7c2d12"] {
            let shade = parse(&on_dark(accent)).unwrap();
            assert!(contrast(shade, DARK_SURFACE) >= MIN_CONTRAST, "{accent}");
            // Only as light as it must be: one step less would not read.
            let rgb = parse(accent).unwrap();
            assert!(shade.iter().zip(rgb).all(|(s, c)| *s >= c), "{accent}");
        }
        // Already light enough: kept as it is.
        assert_eq!(on_dark("#60a5fa"), "#60a5fa");
    }
}
