//! Moodle's GIFT format, read and written: the question types a quiz grades (true/false, single
//! and multiple choice, short answer, numeric), with per-answer feedback and general feedback.
//! Anything else (matching, essays, descriptions, embedded answers) is refused with its line.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;

/// The most questions one quiz may hold, and answers one question may offer.
pub const MAX_QUESTIONS: usize = 500;
pub const MAX_ANSWERS: usize = 50;
/// The longest GIFT text accepted, in bytes.
pub const MAX_GIFT_BYTES: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub title: Option<String>,
    pub text: String,
    pub kind: Kind,
    /// Shown with the result whatever was answered (GIFT's `####`).
    pub general_feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    TrueFalse {
        answer: bool,
        /// Shown when the answer is wrong, and when it is right.
        wrong: Option<String>,
        right: Option<String>,
    },
    /// One option may be chosen; the `=` option earns full marks, others their weight.
    Single {
        options: Vec<Choice>,
    },
    /// Any options may be chosen; their weights (percent, some negative) are added up.
    Multiple {
        options: Vec<Choice>,
    },
    /// Typed text matched against the accepted answers, ignoring case and extra spaces.
    Short {
        answers: Vec<Choice>,
    },
    Numeric {
        answers: Vec<Number>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    /// Percent of the question's mark (100 for `=`).
    pub weight: f64,
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Number {
    pub value: f64,
    pub tolerance: f64,
    pub weight: f64,
    pub feedback: Option<String>,
}

/// Why GIFT text was refused: the line (1-based), and the reason naming it, worded in the
/// reader's language when shown (in English here: `line 3: …`).
#[derive(Debug, Clone, PartialEq)]
pub struct GiftError {
    pub line: usize,
    pub message: Msg,
}

impl GiftError {
    fn new(line: usize, reason: Msg) -> Self {
        Self {
            line,
            message: reason.number("line", line as f64),
        }
    }
}

impl std::fmt::Display for GiftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message.fmt(f)
    }
}

fn fail<T>(line: usize, reason: Msg) -> Result<T, GiftError> {
    Err(GiftError::new(line, reason))
}

/// Parses a whole GIFT text: questions are separated by blank lines; `//` lines are comments and
/// `$CATEGORY:` lines are accepted and ignored (Moodle writes them in every export).
pub fn parse(source: &str) -> Result<Vec<Question>, GiftError> {
    if source.len() > MAX_GIFT_BYTES {
        return fail(
            1,
            Msg::new("gift-too-long").number("max", MAX_GIFT_BYTES as f64),
        );
    }
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut questions = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut lines: Vec<&str> = source.lines().collect();
    lines.push("");
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") || trimmed.starts_with("$CATEGORY:") {
            continue;
        }
        // A blank line ends a question, unless its answers are still open.
        if trimmed.is_empty() && !block.is_empty() && !opens_more(&block) {
            questions.push(question(&block.join("\n"), start)?);
            if questions.len() > MAX_QUESTIONS {
                return fail(
                    start,
                    Msg::new("gift-too-many-questions").number("max", MAX_QUESTIONS as f64),
                );
            }
            block.clear();
        } else if !trimmed.is_empty() || !block.is_empty() {
            if block.is_empty() {
                start = i + 1;
            }
            block.push(line);
        }
    }
    if !block.is_empty() {
        // Only an unclosed `{` keeps a block open past the end.
        question(&block.join("\n"), start)?;
    }
    if questions.is_empty() {
        return fail(1, Msg::new("gift-no-questions"));
    }
    Ok(questions)
}

/// Whether the block has an unescaped `{` not yet closed.
fn opens_more(block: &[&str]) -> bool {
    let mut depth = 0i32;
    for line in block {
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

/// Indexes of the unescaped occurrences of `wanted` in `s`.
fn unescaped(s: &str, wanted: char) -> Vec<usize> {
    let mut at = Vec::new();
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == wanted {
            at.push(i);
        }
    }
    at
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(next) => out.push(next),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// The line of byte `at` in a block starting on line `start`.
fn line_of(block: &str, start: usize, at: usize) -> usize {
    start + block[..at].matches('\n').count()
}

fn question(block: &str, start: usize) -> Result<Question, GiftError> {
    let mut rest = block.trim_start();
    let mut title = None;
    if let Some(after) = rest.strip_prefix("::") {
        let Some(end) = after.find("::") else {
            return fail(start, Msg::new("gift-title-not-closed"));
        };
        title = Some(unescape(&after[..end])).filter(|t| !t.is_empty());
        rest = &after[end + 2..];
    }
    let offset = block.len() - rest.len();
    let opens = unescaped(rest, '{');
    let closes = unescaped(rest, '}');
    let Some(&open) = opens.first() else {
        return fail(start, Msg::new("gift-no-answers"));
    };
    let Some(&close) = closes.iter().find(|&&c| c > open) else {
        return fail(
            line_of(block, start, offset + open),
            Msg::new("gift-answers-not-closed"),
        );
    };
    if opens.len() > 1 || closes.len() > 1 {
        let second = opens.get(1).copied().unwrap_or(close);
        return fail(
            line_of(block, start, offset + second),
            Msg::new("gift-one-answer-set"),
        );
    }
    let answers_line = line_of(block, start, offset + open);
    let mut before = rest[..open].trim();
    for format in ["[plain]", "[moodle]", "[markdown]", "[html]"] {
        if let Some(stripped) = before.strip_prefix(format) {
            before = stripped;
        }
    }
    let before = unescape(before);
    let after = unescape(&rest[close + 1..]);
    // Moodle's "missing word" form: answers in the middle of the sentence.
    let text = if after.is_empty() {
        before
    } else {
        format!("{before} _____ {after}")
    };
    if text.is_empty() {
        return fail(start, Msg::new("gift-no-text"));
    }
    let (inside, general_feedback) = match rest[open + 1..close].split_once("####") {
        Some((inside, general)) => (inside, Some(unescape(general)).filter(|g| !g.is_empty())),
        None => (&rest[open + 1..close], None),
    };
    let kind = answers(inside, answers_line)?;
    Ok(Question {
        title,
        text,
        kind,
        general_feedback,
    })
}

/// Splits `s` at its first unescaped `#`: (before, feedback after).
fn with_feedback(s: &str) -> (&str, Option<String>) {
    match unescaped(s, '#').first() {
        Some(&i) => (
            &s[..i],
            Some(unescape(&s[i + 1..])).filter(|f| !f.is_empty()),
        ),
        None => (s, None),
    }
}

/// `%50%rest` → (Some(50), rest).
fn weight(s: &str, line: usize) -> Result<(Option<f64>, &str), GiftError> {
    let t = s.trim_start();
    let Some(after) = t.strip_prefix('%') else {
        return Ok((None, s));
    };
    let Some(end) = after.find('%') else {
        return fail(line, Msg::new("gift-weight-syntax"));
    };
    match after[..end].trim().parse::<f64>() {
        Ok(w) if (-100.0..=100.0).contains(&w) => Ok((Some(w), &after[end + 1..])),
        _ => fail(line, Msg::new("gift-weight-range")),
    }
}

fn answers(inside: &str, line: usize) -> Result<Kind, GiftError> {
    let trimmed = inside.trim();
    if trimmed.is_empty() {
        return fail(line, Msg::new("gift-essay"));
    }
    if let Some(numeric) = trimmed.strip_prefix('#') {
        return numbers(numeric, line);
    }
    let (head, feedback) = {
        let marks = unescaped(trimmed, '#');
        match marks.first() {
            Some(&i) => (&trimmed[..i], Some(&trimmed[i..])),
            None => (trimmed, None),
        }
    };
    let truth = match head.trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    };
    if let Some(answer) = truth {
        let mut parts = feedback
            .unwrap_or("")
            .split('#')
            .skip(1)
            .map(|f| Some(unescape(f)).filter(|f| !f.is_empty()));
        return Ok(Kind::TrueFalse {
            answer,
            wrong: parts.next().flatten(),
            right: parts.next().flatten(),
        });
    }
    if inside.contains("->") {
        return fail(line, Msg::new("gift-matching"));
    }
    let mut marks: Vec<(usize, char)> = unescaped(inside, '=')
        .into_iter()
        .map(|i| (i, '='))
        .chain(unescaped(inside, '~').into_iter().map(|i| (i, '~')))
        .collect();
    marks.sort_unstable();
    let Some(&(first, _)) = marks.first() else {
        return fail(line, Msg::new("gift-answer-marks"));
    };
    if !inside[..first].trim().is_empty() {
        return fail(line, Msg::new("gift-answer-marks"));
    }
    if marks.len() > MAX_ANSWERS {
        return fail(
            line,
            Msg::new("gift-too-many-answers").number("max", MAX_ANSWERS as f64),
        );
    }
    let mut right = Vec::new();
    let mut wrong = Vec::new();
    for (n, &(at, mark)) in marks.iter().enumerate() {
        let end = marks.get(n + 1).map_or(inside.len(), |&(next, _)| next);
        let (w, body) = weight(&inside[at + 1..end], line)?;
        let (text, feedback) = with_feedback(body);
        let text = unescape(text);
        if text.is_empty() {
            return fail(line, Msg::new("gift-empty-answer"));
        }
        let choice = Choice {
            text,
            weight: w.unwrap_or(if mark == '=' { 100.0 } else { 0.0 }),
            feedback,
        };
        if mark == '=' {
            right.push(choice);
        } else {
            wrong.push(choice);
        }
    }
    match (right.len(), wrong.is_empty()) {
        (0, _) => {
            let total: f64 = wrong.iter().map(|c| c.weight.max(0.0)).sum();
            if total <= 0.0 {
                return fail(line, Msg::new("gift-no-right-answer"));
            }
            if (total - 100.0).abs() > 0.5 {
                return fail(line, Msg::new("gift-weights-total").number("total", total));
            }
            Ok(Kind::Multiple { options: wrong })
        }
        (_, true) => Ok(Kind::Short { answers: right }),
        (1, false) => {
            let mut options = right;
            options.extend(wrong);
            Ok(Kind::Single { options })
        }
        _ => fail(line, Msg::new("gift-one-right-answer")),
    }
}

/// `3.14:0.01`, `1..5` or `3` → (value, tolerance).
fn number(s: &str, line: usize) -> Result<(f64, f64), GiftError> {
    let s = s.trim();
    let bad = || GiftError::new(line, Msg::new("gift-not-a-number").text("text", s));
    let parse = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    if let Some((lo, hi)) = s.split_once("..") {
        let (lo, hi) = (parse(lo).ok_or_else(bad)?, parse(hi).ok_or_else(bad)?);
        if lo > hi {
            return Err(bad());
        }
        return Ok(((lo + hi) / 2.0, (hi - lo) / 2.0));
    }
    let (value, tolerance) = match s.split_once(':') {
        Some((v, t)) => (parse(v).ok_or_else(bad)?, parse(t).ok_or_else(bad)?),
        None => (parse(s).ok_or_else(bad)?, 0.0),
    };
    if tolerance < 0.0 {
        return Err(bad());
    }
    Ok((value, tolerance))
}

fn numbers(inside: &str, line: usize) -> Result<Kind, GiftError> {
    let marks = unescaped(inside, '=');
    let mut answers = Vec::new();
    if marks.is_empty() {
        let (body, feedback) = with_feedback(inside);
        let (value, tolerance) = number(&unescape_colons(body), line)?;
        answers.push(Number {
            value,
            tolerance,
            weight: 100.0,
            feedback,
        });
    } else {
        if !inside[..marks[0]].trim().is_empty() {
            return fail(line, Msg::new("gift-numeric-syntax"));
        }
        for (n, &at) in marks.iter().enumerate() {
            let end = marks.get(n + 1).copied().unwrap_or(inside.len());
            let (w, body) = weight(&inside[at + 1..end], line)?;
            let (body, feedback) = with_feedback(body);
            let (value, tolerance) = number(&unescape_colons(body), line)?;
            answers.push(Number {
                value,
                tolerance,
                weight: w.unwrap_or(100.0),
                feedback,
            });
        }
    }
    Ok(Kind::Numeric { answers })
}

/// Numbers may carry Moodle's escaped colon (`3\:0.5`).
fn unescape_colons(s: &str) -> String {
    s.replace("\\:", ":")
}

/// Writes questions back as GIFT: `parse(&write(q)) == q` for every parsed `q`.
pub fn write(questions: &[Question]) -> String {
    let mut out = String::new();
    for q in questions {
        if let Some(title) = &q.title {
            let _ = write!(out, "::{}::", escape(title));
        }
        out.push_str(&escape(&q.text));
        out.push_str(" {");
        let choice = |out: &mut String, mark: char, full: f64, c: &Choice| {
            out.push_str("\n\t");
            out.push(mark);
            if c.weight != full {
                let _ = write!(out, "%{}%", c.weight);
            }
            out.push_str(&escape(&c.text));
            if let Some(f) = &c.feedback {
                let _ = write!(out, "#{}", escape(f));
            }
        };
        match &q.kind {
            Kind::TrueFalse {
                answer,
                wrong,
                right,
            } => {
                out.push_str(if *answer { "TRUE" } else { "FALSE" });
                if wrong.is_some() || right.is_some() {
                    let _ = write!(out, "#{}", escape(wrong.as_deref().unwrap_or("")));
                }
                if let Some(r) = right {
                    let _ = write!(out, "#{}", escape(r));
                }
            }
            Kind::Single { options } => {
                for (i, c) in options.iter().enumerate() {
                    if i == 0 {
                        choice(&mut out, '=', 100.0, c);
                    } else {
                        choice(&mut out, '~', 0.0, c);
                    }
                }
                out.push('\n');
            }
            Kind::Multiple { options } => {
                for c in options {
                    choice(&mut out, '~', f64::NAN, c);
                }
                out.push('\n');
            }
            Kind::Short { answers } => {
                for c in answers {
                    choice(&mut out, '=', 100.0, c);
                }
                out.push('\n');
            }
            Kind::Numeric { answers } => {
                out.push('#');
                for a in answers {
                    out.push_str("\n\t=");
                    if a.weight != 100.0 {
                        let _ = write!(out, "%{}%", a.weight);
                    }
                    let _ = write!(out, "{}:{}", a.value, a.tolerance);
                    if let Some(f) = &a.feedback {
                        let _ = write!(out, "#{}", escape(f));
                    }
                }
                out.push('\n');
            }
        }
        if let Some(g) = &q.general_feedback {
            let _ = write!(out, "####{}", escape(g));
        }
        out.push_str("}\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BANK: &str = "// A Moodle export
$CATEGORY: $course$/Geography

::Capital::What is the capital of France? {
  =Paris#Right, Paris.
  ~Lyon#Lyon is the third city.
  ~Marseille
}

::Sun:: The sun rises in the east.{T#It does rise in the east.#Yes.}

Which are prime numbers? {
  ~%50%2#2 is prime
  ~%50%3
  ~%-100%4#4 is 2 × 2
####Primes have exactly two divisors.}

Two plus two is {=four =4 =%50%for} exactly.

What is five halves? {#2.5:0.005}

When was Ulysses S. Grant born? {#
  =1822:0 # Right.
  =%50%1822:2 # Close.
}

A number between 1 and 5 {#1..5}

Escapes\\: a \\{brace\\} and an \\= sign {=yes\\#1}
";

    #[test]
    fn every_supported_type_parses() {
        let q = parse(BANK).unwrap();
        assert_eq!(q.len(), 8);
        assert_eq!(q[0].title.as_deref(), Some("Capital"));
        assert_eq!(q[0].text, "What is the capital of France?");
        let Kind::Single { options } = &q[0].kind else {
            panic!("{:?}", q[0].kind)
        };
        assert_eq!(options[0].text, "Paris");
        assert_eq!(options[0].weight, 100.0);
        assert_eq!(
            options[1].feedback.as_deref(),
            Some("Lyon is the third city.")
        );
        assert_eq!(
            q[1].kind,
            Kind::TrueFalse {
                answer: true,
                wrong: Some("It does rise in the east.".into()),
                right: Some("Yes.".into())
            }
        );
        let Kind::Multiple { options } = &q[2].kind else {
            panic!()
        };
        assert_eq!(
            options.iter().map(|o| o.weight).collect::<Vec<_>>(),
            [50.0, 50.0, -100.0]
        );
        assert_eq!(
            q[2].general_feedback.as_deref(),
            Some("Primes have exactly two divisors.")
        );
        assert_eq!(q[3].text, "Two plus two is _____ exactly.");
        let Kind::Short { answers } = &q[3].kind else {
            panic!()
        };
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[2].weight, 50.0);
        let Kind::Numeric { answers } = &q[4].kind else {
            panic!()
        };
        assert_eq!((answers[0].value, answers[0].tolerance), (2.5, 0.005));
        let Kind::Numeric { answers } = &q[5].kind else {
            panic!()
        };
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[1].weight, 50.0);
        assert_eq!(answers[0].feedback.as_deref(), Some("Right."));
        let Kind::Numeric { answers } = &q[6].kind else {
            panic!()
        };
        assert_eq!((answers[0].value, answers[0].tolerance), (3.0, 2.0));
        assert_eq!(q[7].text, "Escapes: a {brace} and an = sign");
        let Kind::Short { answers } = &q[7].kind else {
            panic!()
        };
        assert_eq!(answers[0].text, "yes#1");
    }

    #[test]
    fn what_is_written_parses_back_to_the_same_questions() {
        let q = parse(BANK).unwrap();
        let again = parse(&write(&q)).unwrap();
        assert_eq!(q, again);
    }

    #[test]
    fn unsupported_constructs_name_their_line() {
        let cases = [
            (
                "Q1 {=a ~b}\n\nMatch {\n=a -> 1\n=b -> 2\n}\n",
                3,
                "Matching",
            ),
            ("\n\nWrite an essay {}\n", 3, "Essay"),
            ("Just a description\n", 1, "descriptions"),
            ("Q {=a ~b} and {=c ~d}\n", 1, "one set"),
            ("// c\nQ {=a =b ~c}\n", 2, "one right answer"),
            ("Q {~a ~b}\n", 1, "No answer is right"),
            ("Q {~%50%a ~%20%b}\n", 1, "add up to 100"),
            ("Q\n{#abc}\n", 2, "not a number"),
            ("Q {=a\n\n~b\n", 1, "never closed"),
            ("Q {~%500%a}\n", 1, "weight"),
            ("", 1, "no questions"),
        ];
        for (text, line, says) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.to_string().contains(says), "{text:?}: {e}");
            assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
        }
    }
}
