//! A quiz lesson's page, shared like a lesson's: the rules, the instructions and the pager are
//! rendered once per catalog version; what is the viewer's own — the attempts they have left,
//! whether they passed, their attempts, and the form with its questions (in a new order on every
//! showing, when the quiz shuffles) — is filled in per request from the learner state and the
//! cached quiz, with no template and no query.

use super::LearnerState;
use super::store::LessonPage;
use crate::accounts::sessions::{Role, Viewer};
use crate::accounts::{ACCOUNT_SLOT, account_slot};
use crate::assessment::grading;
use crate::assessment::quizzes::{Attempt, Quiz};
use crate::error::{AppError, escape_html};
use crate::i18n::Locale;
use crate::tenancy::Tenant;
use crate::views::Views;

const LEFT_SLOT: &str = "<!--eduflow:quiz-left-->";
const QUIZ_SLOT: &str = "<!--eduflow:quiz-->";

/// The shared page, slots in place.
pub fn render(
    views: &Views,
    locale: Locale,
    tenant: &Tenant,
    page: &LessonPage,
    quiz: &Quiz,
) -> Result<String, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", tenant);
    c.insert("lesson", page);
    c.insert("settings", &quiz.settings);
    views.render(locale, "quiz.html", &c)
}

/// What fills the page's slots for this viewer, in the page's order.
pub fn slots(
    locale: Locale,
    viewer: &Viewer,
    learner: Option<&LearnerState>,
    page: &LessonPage,
    quiz: &Quiz,
) -> Vec<(&'static str, String)> {
    let enrolled = learner.is_some_and(|l| l.enrolled_in(page.course_id));
    let attempts: &[Attempt] = learner
        .and_then(|l| l.attempts.get(&page.lesson_id))
        .map_or(&[], Vec::as_slice);
    let remaining = quiz
        .settings
        .max_attempts
        .map(|m| (m - attempts.len() as i32).max(0));
    let left = match remaining {
        Some(n) if enrolled => {
            escape_html(&locale.tr("quiz-attempts-left", &[("count", n.into())]))
        }
        _ => String::new(),
    };
    vec![
        (ACCOUNT_SLOT, account_slot(locale, viewer)),
        (LEFT_SLOT, left),
        (
            QUIZ_SLOT,
            block(locale, viewer, page, quiz, attempts, enrolled, remaining),
        ),
    ]
}

/// Passed or not, the attempts so far, and the form (or why there is none).
fn block(
    locale: Locale,
    viewer: &Viewer,
    page: &LessonPage,
    quiz: &Quiz,
    attempts: &[Attempt],
    enrolled: bool,
    remaining: Option<i32>,
) -> String {
    let t = |id| escape_html(&locale.t(id));
    let (course, lesson) = (escape_html(&page.course_slug), escape_html(&page.slug));
    let mut out = String::new();
    if attempts.iter().any(|a| a.passed) {
        out += &format!("<p class=\"done\">✓ {}</p>\n", t("quiz-you-passed"));
    }
    if !attempts.is_empty() {
        out += &format!(
            "<table class=\"attempts\">\n<caption>{}</caption>\n\
             <thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            t("quiz-your-attempts"),
            t("score"),
            t("result"),
            t("when"),
        );
        for a in attempts {
            out += &format!(
                "<tr><td><a href=\"/courses/{course}/lessons/{lesson}/attempts/{}\">{}</a></td><td>{}</td>\
                 <td>{}</td><td>{}</td></tr>\n",
                a.id,
                locale.number(f64::from(a.number)),
                escape_html(&locale.tr("percent", &[("n", a.score.into())])),
                if a.passed {
                    t("passed")
                } else {
                    t("not-passed")
                },
                escape_html(&locale.date_time(a.submitted_at)),
            );
        }
        out += "</tbody>\n</table>\n";
    }
    let staff = viewer
        .0
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Instructor | Role::Admin));
    let csrf = viewer
        .0
        .as_ref()
        .map_or(String::new(), |u| escape_html(&u.csrf));
    if (enrolled || staff) && remaining != Some(0) {
        if staff && !enrolled {
            out += &format!("<p class=\"notice\">{}</p>\n", t("quiz-staff-view"));
        }
        out += &format!(
            "<form method=\"post\" action=\"/courses/{course}/lessons/{lesson}/attempts\" class=\"stacked quiz-form\">\n\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n<ol class=\"questions\">\n"
        );
        for q in grading::shown(&quiz.questions, quiz.settings.shuffle) {
            out += &question(locale, &q);
        }
        out += &format!(
            "</ol>\n<button type=\"submit\">{}</button>\n</form>\n",
            t("quiz-submit")
        );
    } else if enrolled && remaining == Some(0) {
        out += &format!(
            "<p class=\"notice\" role=\"status\">{}</p>\n",
            t("quiz-no-attempts-left")
        );
    } else if !enrolled {
        out += &format!(
            "<p><a class=\"button\" href=\"/courses/{course}\">{}</a></p>\n",
            t("quiz-enroll-to-take")
        );
    }
    out
}

fn question(locale: Locale, q: &grading::Shown) -> String {
    let t = |id| escape_html(&locale.t(id));
    let name = format!("q{}", q.n);
    let title = q.title.as_ref().map_or(String::new(), |t| {
        format!("<strong>{}</strong> · ", escape_html(t))
    });
    let input = match q.input {
        "radio" | "checkbox" => q
            .options
            .iter()
            .map(|(value, text)| {
                format!(
                    "<label><input type=\"{}\" name=\"{name}\" value=\"{value}\"> {}</label>",
                    q.input,
                    escape_html(text)
                )
            })
            .collect(),
        "truefalse" => format!(
            "<label><input type=\"radio\" name=\"{name}\" value=\"true\"> {}</label>\n\
             <label><input type=\"radio\" name=\"{name}\" value=\"false\"> {}</label>",
            t("true"),
            t("false")
        ),
        "number" => format!(
            "<input type=\"text\" inputmode=\"decimal\" name=\"{name}\" aria-label=\"{}\" autocomplete=\"off\">",
            t("your-answer")
        ),
        _ => format!(
            "<input type=\"text\" name=\"{name}\" aria-label=\"{}\" autocomplete=\"off\">",
            t("your-answer")
        ),
    };
    format!(
        "<li class=\"question\">\n<fieldset>\n<legend>{title}<span class=\"question-text\">{}</span></legend>\n\
         {input}\n</fieldset>\n</li>\n",
        escape_html(&q.text)
    )
}
