//! A school's accent colour, checked for contrast the way WCAG 2.2 measures it: buttons put white
//! text on it and links put it on the page's light background, so both must reach 4.5:1.
//! Axe does not see every script's text (it skipped low-contrast Arabic in a test here), so the
//! rule is kept in code.

/// Text on a page must reach this against its background (WCAG 2.2 AA, 1.4.3).
pub const MIN_CONTRAST: f64 = 4.5;

/// The lightest surface the accent meets: the page background (`--bg` in `static/app.css`).
const PAGE: [u8; 3] = [0xfa, 0xfa, 0xfa];

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
}
