//! Authoring input, parsed once: a `CourseInput` or `LessonInput` is valid by construction, and a
//! form that does not parse comes back with one message per field.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::gift::{self, Question};
use crate::assessment::quizzes::Settings;
use crate::i18n::Msg;
use crate::slug::{is_slug, slugify};

/// Messages by field name, shown beside each field when the form is re-shown.
pub type FieldErrors = BTreeMap<&'static str, Msg>;

pub const LEVELS: &[&str] = &["beginner", "intermediate", "advanced"];
const MAX_TAGS: usize = 10;

/// What a form field holds, as typed (re-shown unchanged when something is wrong).
pub trait Fields {
    fn get(&self, name: &str) -> &str;
}

impl Fields for crate::media::upload::UploadForm {
    fn get(&self, name: &str) -> &str {
        self.text(name)
    }
}

impl Fields for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> &str {
        std::collections::HashMap::get(self, name).map_or("", String::as_str)
    }
}

/// `Some(text)` trimmed, if it has 1..=max characters; records why not otherwise.
fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.insert(field, Msg::new("field-required"));
    } else if value.chars().count() > max {
        errors.insert(
            field,
            Msg::new("field-at-most-chars").number("max", max as u32),
        );
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.insert(field, Msg::new("field-control-chars"));
    }
    value.to_owned()
}

fn slug(errors: &mut FieldErrors, given: &str, title: &str, max: usize) -> String {
    let given = given.trim();
    let slug = if given.is_empty() {
        slugify(title, max)
    } else {
        given.to_owned()
    };
    // An empty slug from an empty title is the title's problem, reported there.
    let derived_from_bad_title = given.is_empty() && errors.contains_key("title");
    if !is_slug(&slug, max) && !derived_from_bad_title {
        errors.insert(
            "slug",
            Msg::new("field-slug-rule").number("max", max as u32),
        );
    }
    slug
}

#[derive(Debug, Clone, Serialize)]
pub struct CourseInput {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub level: String,
    pub duration_minutes: i32,
    /// The language it is written in (a tag).
    pub language: String,
    /// At most this many learners (`None`: no limit).
    pub enrollment_cap: Option<i32>,
    /// Enrollment closes at this instant (`None`: never).
    pub enrollment_ends_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Slugs of the school's courses a learner must complete first.
    pub prerequisites: Vec<String>,
}

impl CourseInput {
    /// Parses the course form; `categories` are the school's category slugs; a form that names
    /// no language keeps `language` (the course's, or the school's for a new one).
    pub fn parse(
        form: &impl Fields,
        categories: &[String],
        language: &str,
    ) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = text(&mut e, "title", form.get("title"), true, 200);
        let slug = slug(&mut e, form.get("slug"), &title, 120);
        let summary = text(&mut e, "summary", form.get("summary"), false, 500);
        let description = text(
            &mut e,
            "description",
            form.get("description"),
            false,
            20_000,
        );
        let category = form.get("category").trim().to_owned();
        if !categories.contains(&category) {
            e.insert("category", Msg::new("field-choose-category"));
        }
        let mut tags = Vec::new();
        for tag in form.get("tags").split(',') {
            let tag = tag.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if !is_slug(&tag, 40) {
                e.insert("tags", Msg::new("field-not-a-tag").text("tag", tag.clone()));
            } else if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            e.insert(
                "tags",
                Msg::new("field-at-most-tags").number("max", MAX_TAGS as u32),
            );
        }
        let level = form.get("level").trim().to_owned();
        if !LEVELS.contains(&level.as_str()) {
            e.insert("level", Msg::new("field-choose-level"));
        }
        let duration_minutes = match form.get("duration_minutes").trim() {
            "" => 0,
            n => match n.parse::<i32>() {
                Ok(n) if (0..=100_000).contains(&n) => n,
                _ => {
                    e.insert("duration_minutes", Msg::new("field-minutes"));
                    0
                }
            },
        };
        let language = match form.get("language").trim() {
            "" => language.to_owned(),
            given => given.to_owned(),
        };
        if !crate::i18n::is_language_tag(&language) {
            e.insert("language", Msg::new("field-choose-language"));
        }
        let enrollment_cap = match form.get("enrollment_cap").trim() {
            "" => None,
            n => match n.parse::<i32>() {
                Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
                _ => {
                    e.insert("enrollment_cap", Msg::new("field-cap"));
                    None
                }
            },
        };
        let enrollment_ends_at = match form.get("enrollment_ends_at").trim() {
            "" => None,
            raw => match parse_instant(raw) {
                Some(at) => Some(at),
                None => {
                    e.insert("enrollment_ends_at", Msg::new("field-closes-at"));
                    None
                }
            },
        };
        let mut prerequisites: Vec<String> = Vec::new();
        for p in form.get("prerequisites").split(',') {
            let p = p.trim().to_lowercase();
            if p.is_empty() || prerequisites.contains(&p) {
                continue;
            }
            if !is_slug(&p, 120) {
                e.insert(
                    "prerequisites",
                    Msg::new("field-not-a-course-slug").text("slug", p.clone()),
                );
            }
            prerequisites.push(p);
        }
        if prerequisites.len() > MAX_TAGS {
            e.insert(
                "prerequisites",
                Msg::new("field-at-most-prerequisites").number("max", MAX_TAGS as u32),
            );
        }
        if e.is_empty() {
            Ok(Self {
                prerequisites,
                title,
                slug,
                summary,
                description,
                category,
                tags,
                level,
                duration_minutes,
                language,
                enrollment_cap,
                enrollment_ends_at,
            })
        } else {
            Err(e)
        }
    }
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`), read as UTC, within years 2000-9999.
fn parse_instant(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw, f).ok())
        .filter(|t| (2000..=9999).contains(&chrono::Datelike::year(t)))
        .map(|t| t.and_utc())
}

/// How the editor shows a stored closing time.
pub fn show_instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonInput {
    pub title: String,
    pub slug: String,
    pub body: String,
    /// Shown below the player (Markdown).
    pub transcript: String,
    pub free_preview: bool,
    /// Not needed to complete the course.
    pub optional: bool,
    /// Questions make the lesson a quiz.
    pub quiz: Option<QuizInput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuizInput {
    pub gift: String,
    pub questions: Vec<Question>,
    pub settings: Settings,
}

fn checked_box(form: &impl Fields, name: &str) -> bool {
    matches!(form.get(name), "on" | "true" | "1")
}

impl LessonInput {
    pub fn parse(form: &impl Fields) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = text(&mut e, "title", form.get("title"), true, 200);
        let slug = slug(&mut e, form.get("slug"), &title, 120);
        let body = text(&mut e, "body", form.get("body"), false, 100_000);
        let transcript = text(&mut e, "transcript", form.get("transcript"), false, 200_000);
        let free_preview = checked_box(form, "free_preview");
        let optional = checked_box(form, "optional");
        let source = form.get("gift").trim();
        let quiz = if source.is_empty() {
            None
        } else {
            let questions = gift::parse(source)
                .map_err(|err| e.insert("gift", err.message))
                .ok();
            let settings = Settings::parse(
                form.get("pass_mark"),
                form.get("max_attempts"),
                checked_box(form, "shuffle"),
            )
            .map_err(|(field, message)| e.insert(field, message))
            .ok();
            questions
                .zip(settings)
                .map(|(questions, settings)| QuizInput {
                    gift: source.to_owned(),
                    questions,
                    settings,
                })
        };
        if e.is_empty() {
            Ok(Self {
                title,
                slug,
                body,
                transcript,
                free_preview,
                optional,
                quiz,
            })
        } else {
            Err(e)
        }
    }
}

/// A section title.
pub fn section_title(form: &impl Fields) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = text(&mut e, "title", form.get("title"), true, 200);
    if e.is_empty() { Ok(title) } else { Err(e) }
}

/// When a section opens: some days after enrollment, at an instant, both, or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    pub after_days: Option<i32>,
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A section's drip fields, `unlock_after_days` and `unlock_at`.
pub fn section_schedule(form: &impl Fields) -> Result<Schedule, FieldErrors> {
    let mut e = FieldErrors::new();
    let after_days = match form.get("unlock_after_days").trim() {
        "" | "0" => None,
        n => n
            .parse()
            .ok()
            .filter(|n| (1..=3650).contains(n))
            .or_else(|| {
                e.insert("unlock_after_days", Msg::new("field-days"));
                None
            }),
    };
    let at = match form.get("unlock_at").trim() {
        "" => None,
        raw => parse_instant(raw).or_else(|| {
            e.insert("unlock_at", Msg::new("field-opens-at"));
            None
        }),
    };
    if e.is_empty() {
        Ok(Schedule { after_days, at })
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_good_course_form_parses_with_a_slug_from_its_title() {
        let cats = vec!["data".to_owned()];
        let c = CourseInput::parse(
            &form(&[
                ("title", "  SQL: Joins & Windows! "),
                ("category", "data"),
                ("tags", "sql, Joins ,sql,"),
                ("level", "advanced"),
                ("duration_minutes", "90"),
            ]),
            &cats,
            "de",
        )
        .unwrap();
        assert_eq!(c.language, "de", "no language given keeps the one passed");
        assert_eq!(c.title, "SQL: Joins & Windows!");
        assert_eq!(c.slug, "sql-joins-windows");
        assert_eq!(c.tags, ["sql", "joins"]);
        assert_eq!(c.duration_minutes, 90);
    }

    #[test]
    fn a_section_schedule_is_days_an_instant_or_nothing() {
        let s = section_schedule(&form(&[("unlock_after_days", "7"), ("unlock_at", "")])).unwrap();
        assert_eq!((s.after_days, s.at), (Some(7), None));
        let s = section_schedule(&form(&[("unlock_at", "2027-01-02T09:30")])).unwrap();
        assert_eq!(s.at.unwrap().to_rfc3339(), "2027-01-02T09:30:00+00:00");
        assert_eq!(section_schedule(&form(&[])).unwrap(), Schedule::default());
        let e = section_schedule(&form(&[("unlock_after_days", "-1"), ("unlock_at", "soon")]))
            .unwrap_err();
        assert!(e.contains_key("unlock_after_days") && e.contains_key("unlock_at"));
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let e = CourseInput::parse(
            &form(&[
                ("title", ""),
                ("slug", "Not A Slug"),
                ("category", "cooking"),
                ("tags", "ok, <script>"),
                ("level", "expert"),
                ("duration_minutes", "-5"),
                ("language", "Deutsch"),
            ]),
            &["data".to_owned()],
            "en",
        )
        .unwrap_err();
        for field in [
            "title",
            "slug",
            "category",
            "tags",
            "level",
            "duration_minutes",
            "language",
        ] {
            assert!(e.contains_key(field), "{field}: {e:?}");
        }
        let long = "x".repeat(201);
        let e = LessonInput::parse(&form(&[("title", &long)])).unwrap_err();
        assert_eq!(e["title"].to_string(), "At most 200 characters.");
        let e = LessonInput::parse(&form(&[
            ("title", "Quiz"),
            ("gift", "Q1 {=a ~b}\n\nQ2 {=x -> y}"),
            ("pass_mark", "101"),
        ]))
        .unwrap_err();
        assert_eq!(
            e["gift"].to_string(),
            "line 3: Matching questions (->) are not supported."
        );
        assert_eq!(
            e["pass_mark"].to_string(),
            "A whole percentage from 0 to 100."
        );
        let quiz = LessonInput::parse(&form(&[
            ("title", "Quiz"),
            ("gift", "Q1 {=a ~b}"),
            ("max_attempts", "3"),
            ("optional", "on"),
        ]))
        .unwrap();
        assert!(quiz.optional);
        let quiz = quiz.quiz.unwrap();
        assert_eq!(
            (quiz.questions.len(), quiz.settings.max_attempts),
            (1, Some(3))
        );
        assert!(!quiz.settings.shuffle);
    }
}
