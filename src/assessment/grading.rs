//! Grading, on the server only: what a learner submitted against the questions' answers. The form
//! a learner sees ([`shown`]) carries the questions and the options' positions, never a weight, a
//! right answer or a feedback.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::gift::{Choice, Kind, Question};

/// What a learner sent for each question, by the question's position in the quiz.
#[derive(Debug, Default)]
pub struct Submission(HashMap<usize, Vec<String>>);

/// The longest answer kept from a text field.
const MAX_TYPED: usize = 500;

impl Submission {
    /// Reads the form's `q<N>` fields (repeated for checkboxes); anything else is ignored.
    pub fn parse(body: &[u8], questions: usize) -> Self {
        let mut answers: HashMap<usize, Vec<String>> = HashMap::new();
        for (key, value) in form_urlencoded::parse(body) {
            let Some(n) = key.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            if n < questions {
                let value: String = value.trim().chars().take(MAX_TYPED).collect();
                answers.entry(n).or_default().push(value);
            }
        }
        Self(answers)
    }

    fn first(&self, n: usize) -> Option<&str> {
        self.0
            .get(&n)
            .and_then(|v| v.first())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The option indexes chosen for question `n` (each once, in range).
    fn chosen(&self, n: usize, options: usize) -> Vec<usize> {
        let mut picked: Vec<usize> = self
            .0
            .get(&n)
            .into_iter()
            .flatten()
            .filter_map(|v| v.parse().ok())
            .filter(|&i| i < options)
            .collect();
        picked.sort_unstable();
        picked.dedup();
        picked
    }
}

/// One question's result, as the result page shows it (and as the attempt keeps it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Marked {
    pub text: String,
    pub given: String,
    /// Share of the question's mark earned, 0 to 1.
    pub earned: f64,
    pub feedback: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    /// Percent, rounded down.
    pub score: i32,
    pub passed: bool,
    pub questions: Vec<Marked>,
}

/// Typed text compared without case or extra spaces.
fn normalized(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn share(weight: f64) -> f64 {
    (weight / 100.0).clamp(0.0, 1.0)
}

fn mark(n: usize, q: &Question, given: &Submission) -> Marked {
    let mut feedback = Vec::new();
    let (shown, earned) = match &q.kind {
        Kind::TrueFalse {
            answer,
            wrong,
            right,
        } => match given.first(n).map(|v| v == "true") {
            Some(said) => {
                let ok = said == *answer;
                feedback.extend(if ok { right } else { wrong }.clone());
                (
                    if said { "True" } else { "False" }.to_owned(),
                    f64::from(u8::from(ok)),
                )
            }
            None => (String::new(), 0.0),
        },
        Kind::Single { options } => match given.chosen(n, options.len()).first() {
            Some(&i) => {
                feedback.extend(options[i].feedback.clone());
                (options[i].text.clone(), share(options[i].weight))
            }
            None => (String::new(), 0.0),
        },
        Kind::Multiple { options } => {
            let picked = given.chosen(n, options.len());
            let picked: Vec<&Choice> = picked.iter().map(|&i| &options[i]).collect();
            feedback.extend(picked.iter().filter_map(|c| c.feedback.clone()));
            let texts: Vec<&str> = picked.iter().map(|c| c.text.as_str()).collect();
            (
                texts.join(", "),
                share(picked.iter().map(|c| c.weight).sum()),
            )
        }
        Kind::Short { answers } => {
            let typed = given.first(n).unwrap_or("");
            let found = answers
                .iter()
                .find(|a| !typed.is_empty() && normalized(&a.text) == normalized(typed));
            feedback.extend(found.and_then(|a| a.feedback.clone()));
            (typed.to_owned(), found.map_or(0.0, |a| share(a.weight)))
        }
        Kind::Numeric { answers } => {
            let typed = given.first(n).unwrap_or("");
            let value = typed
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite());
            let found = value.and_then(|v| {
                answers
                    .iter()
                    // A hair of slack, so 0.1 + 0.2 counts as 0.3.
                    .find(|a| (v - a.value).abs() <= a.tolerance + 1e-9 * a.value.abs().max(1.0))
            });
            feedback.extend(found.and_then(|a| a.feedback.clone()));
            (typed.to_owned(), found.map_or(0.0, |a| share(a.weight)))
        }
    };
    feedback.extend(q.general_feedback.clone());
    Marked {
        text: q.text.clone(),
        given: shown,
        earned,
        feedback,
    }
}

/// Marks every question; the score is the earned share of all questions, in whole percent.
pub fn grade(questions: &[Question], given: &Submission, pass_mark: i32) -> Outcome {
    let marked: Vec<Marked> = questions
        .iter()
        .enumerate()
        .map(|(n, q)| mark(n, q, given))
        .collect();
    let earned: f64 = marked.iter().map(|m| m.earned).sum();
    let score = if questions.is_empty() {
        0
    } else {
        // Rounded down, with slack for float sums such as 3 × (1/3).
        ((earned / questions.len() as f64) * 100.0 + 1e-6).floor() as i32
    };
    Outcome {
        score,
        passed: score >= pass_mark,
        questions: marked,
    }
}

/// A question as the learner's form shows it: its position (the field name), its text, how it is
/// answered and its options' positions. Nothing here says which answer is right.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub n: usize,
    pub title: Option<String>,
    pub text: String,
    /// `radio`, `checkbox`, `truefalse`, `text` or `number`.
    pub input: &'static str,
    pub options: Vec<(usize, String)>,
}

/// The form's questions, in order or shuffled (questions and options alike).
pub fn shown(questions: &[Question], shuffle: bool) -> Vec<Shown> {
    let mut out: Vec<Shown> = questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let (input, options): (&'static str, &[Choice]) = match &q.kind {
                Kind::TrueFalse { .. } => ("truefalse", &[]),
                Kind::Single { options } => ("radio", options),
                Kind::Multiple { options } => ("checkbox", options),
                Kind::Short { .. } => ("text", &[]),
                Kind::Numeric { .. } => ("number", &[]),
            };
            let mut options: Vec<(usize, String)> = options
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.text.clone()))
                .collect();
            if shuffle {
                shuffle_in_place(&mut options);
            }
            Shown {
                n,
                title: q.title.clone(),
                text: q.text.clone(),
                input,
                options,
            }
        })
        .collect();
    if shuffle {
        shuffle_in_place(&mut out);
    }
    out
}

/// Fisher–Yates with the operating system's randomness.
fn shuffle_in_place<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the OS has randomness");
        let j = (u64::from_le_bytes(bytes) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::super::gift;
    use super::*;

    const QUIZ: &str = "Capital of France? {=Paris#Yes. ~Lyon#No, Paris. ~Nice}

The sun rises in the east. {T#Look again.#Right.}

Primes? {~%50%2 ~%50%3 ~%-100%4#4 is 2 × 2}

Two plus two? {=four =%50%for#Spelling!}

Pi? {#3.14:0.01#Good.}
";

    fn submit(pairs: &[(&str, &str)]) -> Submission {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Submission::parse(body.as_bytes(), 5)
    }

    #[test]
    fn every_type_is_marked_with_its_feedback() {
        let q = gift::parse(QUIZ).unwrap();
        let all_right = submit(&[
            ("q0", "0"),
            ("q1", "true"),
            ("q2", "0"),
            ("q2", "1"),
            ("q3", "  FOUR "),
            ("q4", "3,141"),
            ("csrf", "x"),
        ]);
        let o = grade(&q, &all_right, 70);
        assert_eq!((o.score, o.passed), (100, true));
        assert_eq!(o.questions[0].feedback, ["Yes."]);
        assert_eq!(o.questions[1].feedback, ["Right."]);
        assert_eq!(o.questions[4].feedback, ["Good."]);
        assert_eq!(o.questions[2].given, "2, 3");

        let mixed = submit(&[
            ("q0", "1"),
            ("q1", "false"),
            ("q2", "0"),
            ("q2", "2"),
            ("q3", "for"),
            ("q4", "3.2"),
        ]);
        let o = grade(&q, &mixed, 70);
        // 0 + 0 + max(0, 50 - 100) + 0.5 + 0 of 5 questions.
        assert_eq!((o.score, o.passed), (10, false));
        assert_eq!(o.questions[0].feedback, ["No, Paris."]);
        assert_eq!(o.questions[1].feedback, ["Look again."]);
        assert_eq!(o.questions[2].feedback, ["4 is 2 × 2"]);
        assert_eq!(o.questions[3].feedback, ["Spelling!"]);
        assert!(o.questions[4].feedback.is_empty());

        let nothing = grade(&q, &submit(&[("q9", "0"), ("q0", "17")]), 0);
        assert_eq!((nothing.score, nothing.passed), (0, true));
    }

    #[test]
    fn the_form_never_carries_answers_or_feedback() {
        let q = gift::parse(QUIZ).unwrap();
        let json = serde_json::to_string(&shown(&q, true)).unwrap();
        for secret in [
            "Yes.",
            "Look again",
            "Right.",
            "four",
            "3.14",
            "Good.",
            "100",
            "-100",
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        let mut order: Vec<usize> = shown(&q, true).iter().map(|s| s.n).collect();
        order.sort_unstable();
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }
}
