//! Text for the PDF certificate in any language DejaVu Sans covers (Latin, Greek, Cyrillic,
//! Arabic, Hebrew…): each line is split into runs by the Unicode bidi algorithm, each run shaped
//! by rustybuzz (so Arabic letters join and lam-alef ligates), and the fonts are embedded as
//! subsets holding only the glyphs drawn, with a ToUnicode map so the text can be searched and
//! copied. A character the font lacks is drawn as its empty box; the verification page always
//! shows the exact name.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use rustybuzz::ttf_parser::GlyphId;
use rustybuzz::{Direction, Face, UnicodeBuffer};
use subsetter::GlyphRemapper;
use unicode_bidi::{BidiInfo, Level};

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

static FACES: LazyLock<[Face<'static>; 2]> = LazyLock::new(|| {
    [REGULAR, BOLD].map(|data| Face::from_slice(data, 0).expect("the bundled font parses"))
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn data(self) -> &'static [u8] {
        match self {
            Self::Regular => REGULAR,
            Self::Bold => BOLD,
        }
    }

    fn face(self) -> &'static Face<'static> {
        &FACES[self as usize]
    }

    fn name(self) -> &'static str {
        match self {
            Self::Regular => "DejaVuSans",
            Self::Bold => "DejaVuSans-Bold",
        }
    }
}

/// A glyph placed on a line: its id in the embedded subset, and where it sits, in thousandths
/// of the font size from the line's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub cid: u16,
    pub x: f32,
    pub y: f32,
}

/// A shaped line in visual order (left to right as drawn).
#[derive(Debug)]
pub struct Line {
    pub glyphs: Vec<Placed>,
    /// Its advance, in thousandths of the font size.
    pub width: f32,
}

/// One font as the document uses it: which glyphs were drawn (renumbered for the subset) and the
/// text each stands for.
pub struct Font {
    weight: Weight,
    glyphs: GlyphRemapper,
    text: BTreeMap<u16, String>,
    /// Each glyph's advance as shaped (a mark set on its letter advances nothing, though the
    /// font gives it a width), which readers use to tell the characters apart.
    advances: BTreeMap<u16, f32>,
}

impl Font {
    pub fn new(weight: Weight) -> Self {
        Self {
            weight,
            glyphs: GlyphRemapper::new(),
            text: BTreeMap::new(),
            advances: BTreeMap::new(),
        }
    }

    /// Shapes `text` as one line. `rtl` is the paragraph's direction where the text itself does
    /// not decide (a line of only digits or Latin letters in an Arabic certificate stays as is).
    pub fn shape(&mut self, text: &str, rtl: bool) -> Line {
        let face = self.weight.face();
        let scale = 1000.0 / face.units_per_em() as f32;
        let base = if rtl { Level::rtl() } else { Level::ltr() };
        let bidi = BidiInfo::new(text, Some(base));
        let mut line = Line {
            glyphs: Vec::new(),
            width: 0.0,
        };
        let Some(paragraph) = bidi.paragraphs.first() else {
            return line;
        };
        let (levels, runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let piece = &text[run.clone()];
            let mut buffer = UnicodeBuffer::new();
            buffer.push_str(piece);
            buffer.set_direction(if levels[run.start].is_rtl() {
                Direction::RightToLeft
            } else {
                Direction::LeftToRight
            });
            buffer.guess_segment_properties();
            let shaped = rustybuzz::shape(face, &[], buffer);
            let texts = cluster_texts(piece, shaped.glyph_infos(), levels[run.start].is_rtl());
            for ((info, at), text) in shaped
                .glyph_infos()
                .iter()
                .zip(shaped.glyph_positions())
                .zip(texts)
            {
                let cid = self.glyphs.remap(u16::try_from(info.glyph_id).unwrap_or(0));
                if !text.is_empty() {
                    self.text.entry(cid).or_insert(text);
                }
                let advance = at.x_advance as f32 * scale;
                self.advances.entry(cid).or_insert(advance);
                line.glyphs.push(Placed {
                    cid,
                    x: line.width + at.x_offset as f32 * scale,
                    y: at.y_offset as f32 * scale,
                });
                line.width += advance;
            }
        }
        line
    }

    /// What embedding this font takes: the subset of the glyphs drawn (renumbered from 0, in
    /// the order of the ids `shape` handed out) and its metrics in thousandths of an em.
    pub fn embedding(&self) -> Embedding<'_> {
        let face = self.weight.face();
        let scale = 1000.0 / face.units_per_em() as f32;
        let bbox = face.global_bounding_box();
        Embedding {
            name: format!("{}+{}", self.tag(), self.weight.name()),
            subset: subsetter::subset(self.weight.data(), 0, &self.glyphs)
                .expect("the bundled font subsets"),
            widths: self
                .glyphs
                .remapped_gids()
                .enumerate()
                .map(|(cid, gid)| {
                    self.advances
                        .get(&(cid as u16))
                        .copied()
                        .unwrap_or_else(|| {
                            f32::from(face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) * scale
                        })
                })
                .collect(),
            bbox: [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max].map(|v| f32::from(v) * scale),
            ascent: f32::from(face.ascender()) * scale,
            descent: f32::from(face.descender()) * scale,
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) * scale,
            text: &self.text,
        }
    }

    /// Six capitals naming this subset, as PDF asks of an embedded subset's name.
    fn tag(&self) -> String {
        let mut crc = crc32fast::Hasher::new();
        for gid in self.glyphs.remapped_gids() {
            crc.update(&gid.to_be_bytes());
        }
        let mut n = crc.finalize();
        (0..6)
            .map(|_| {
                let c = char::from(b'A' + (n % 26) as u8);
                n /= 26;
                c
            })
            .collect()
    }
}

/// The text each shaped glyph stands for. A cluster drawn as one glyph (a ligature) stands for
/// all its characters; one drawn as several (a letter and its marks) gives them out one each,
/// in reading order.
fn cluster_texts(piece: &str, glyphs: &[rustybuzz::GlyphInfo], rtl: bool) -> Vec<String> {
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, g) in glyphs.iter().enumerate() {
        clusters.entry(g.cluster as usize).or_default().push(i);
    }
    let ends: Vec<usize> = clusters
        .keys()
        .skip(1)
        .copied()
        .chain([piece.len()])
        .collect();
    let mut texts = vec![String::new(); glyphs.len()];
    for ((start, members), end) in clusters.into_iter().zip(ends) {
        let mut members = members;
        if rtl {
            members.reverse();
        }
        let chars: Vec<char> = piece[start..end].chars().collect();
        let last = members.len() - 1;
        for (j, g) in members.into_iter().enumerate() {
            let end = if j == last { chars.len() } else { j + 1 };
            texts[g] = chars.get(j..end).map(String::from_iter).unwrap_or_default();
        }
    }
    texts
}

/// A font subset ready to embed.
pub struct Embedding<'a> {
    /// `ABCDEF+DejaVuSans`.
    pub name: String,
    /// A TrueType file without a cmap: glyphs are addressed by their ids in the subset.
    pub subset: Vec<u8>,
    /// Advance of each glyph of the subset, by id.
    pub widths: Vec<f32>,
    pub bbox: [f32; 4],
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    /// The text each glyph of the subset stands for, where it stands for any.
    pub text: &'a BTreeMap<u16, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gid(weight: Weight, c: char) -> u16 {
        weight.face().glyph_index(c).expect("in the font").0
    }

    #[test]
    fn arabic_letters_join_and_read_right_to_left() {
        let mut font = Font::new(Weight::Regular);
        // "شهادة" (certificate): sheen starts the word, so it takes its initial form (U+FEB7 in
        // the font's presentation forms), heh its medial (U+FEEC), alef its final (U+FE8E).
        let line = font.shape("شهادة", true);
        let drawn: Vec<u16> = line
            .glyphs
            .iter()
            .map(|g| font.glyphs.remapped_gids().nth(usize::from(g.cid)).unwrap())
            .collect();
        assert_eq!(drawn.len(), 5);
        // Visual order: the word's last letter is drawn leftmost.
        assert_eq!(drawn[2], gid(Weight::Regular, '\u{FE8E}'));
        assert_eq!(drawn[3], gid(Weight::Regular, '\u{FEEC}'));
        assert_eq!(drawn[4], gid(Weight::Regular, '\u{FEB7}'));
        assert_ne!(drawn[4], gid(Weight::Regular, 'ش'));
        assert!(line.glyphs.windows(2).all(|w| w[0].x < w[1].x));
        // The text each glyph stands for is kept in logical order for copying.
        assert_eq!(font.text[&line.glyphs[4].cid], "ش");
    }

    #[test]
    fn a_latin_name_inside_arabic_keeps_its_own_order() {
        let mut font = Font::new(Weight::Regular);
        let line = font.shape("أتمّ Ada الدورة", true);
        let texts: String = line
            .glyphs
            .iter()
            .map(|g| font.text.get(&g.cid).cloned().unwrap_or_default())
            .collect();
        // Drawn left to right: the second Arabic word first, "Ada" as written, the first last.
        let ada = texts.find("Ada").expect("Latin run kept in order");
        assert!(texts[..ada].contains("ل"), "{texts}");
        assert!(texts[ada..].contains("ت"), "{texts}");
    }

    #[test]
    fn the_subset_holds_only_what_was_drawn() {
        let mut font = Font::new(Weight::Bold);
        let line = font.shape("Zoë Łukasz", false);
        assert_eq!(line.glyphs.len(), 10);
        assert!(
            line.width > 1000.0 && line.width < 10_000.0,
            "{}",
            line.width
        );
        let embedding = font.embedding();
        // .notdef and the ten distinct characters.
        assert_eq!(embedding.widths.len(), 11);
        assert!(
            embedding.subset.len() < 20_000,
            "{} bytes",
            embedding.subset.len()
        );
        assert_eq!(embedding.text.get(&line.glyphs[4].cid).unwrap(), "Ł");
        assert!(embedding.name.ends_with("+DejaVuSans-Bold"));
    }
}
