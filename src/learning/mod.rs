//! Enrollment, lessons and progress. The school's actor keeps each active learner's state in
//! memory (after commit only); pages compose it into the shared, cached course pages.

pub mod lesson_page;
pub mod notices;
pub mod quiz_page;
pub mod store;
pub mod unsubscribe;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::sessions::Viewer;
use crate::error::escape_html;
use crate::i18n::Locale;

/// What the actor holds for one learner: enrolled courses with their curriculum and progress.
#[derive(Debug, Clone, Default)]
pub struct LearnerState {
    pub courses: Vec<EnrolledCourse>,
    /// Last playback position per lesson, in seconds.
    pub positions: HashMap<Uuid, i32>,
    /// Quiz attempts per quiz lesson, first first.
    pub attempts: HashMap<Uuid, Vec<crate::assessment::quizzes::Attempt>>,
    /// The account's `state_version` this was read at: a session lookup that finds a newer one
    /// makes the actor reload.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnrolledCourse {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub lessons: Vec<LessonRef>,
    /// The certificate issued when the learner completed the course.
    pub certificate: Option<CertificateRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonRef {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub done: bool,
    /// Not needed to complete the course.
    pub optional: bool,
    pub quiz: bool,
    /// When its section opens for this learner (drip); `None`: open from enrollment.
    pub opens_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateRef {
    pub id: Uuid,
    pub revoked: bool,
}

impl LessonRef {
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_none_or(|at| at <= now)
    }
}

/// One enrolled course's progress, as the dashboard and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressSummary<'a> {
    pub course: &'a str,
    pub title: &'a str,
    pub completed: usize,
    pub total: usize,
    pub percent: usize,
    pub next_lesson: Option<&'a str>,
    /// Every lesson that is not optional is complete (quizzes: passed).
    pub complete: bool,
    /// The certificate, once issued (and not revoked).
    pub certificate_id: Option<Uuid>,
    /// Its verification page.
    pub certificate_url: Option<String>,
    /// The certificate's PDF.
    pub certificate_pdf: Option<String>,
}

impl EnrolledCourse {
    pub fn summary(&self) -> ProgressSummary<'_> {
        ProgressSummary {
            course: &self.slug,
            title: &self.title,
            completed: self.done(),
            total: self.lessons.len(),
            percent: self.percent(),
            next_lesson: self.next_lesson().map(|l| l.slug.as_str()),
            complete: self.complete(),
            certificate_id: self.valid_certificate(),
            certificate_url: self
                .valid_certificate()
                .map(|id| format!("/certificates/{id}")),
            certificate_pdf: self
                .valid_certificate()
                .map(|id| format!("/certificates/{id}/pdf")),
        }
    }

    fn valid_certificate(&self) -> Option<Uuid> {
        self.certificate
            .as_ref()
            .filter(|c| !c.revoked)
            .map(|c| c.id)
    }

    /// Every lesson that is not optional is complete, and there is at least one.
    pub fn complete(&self) -> bool {
        let mut required = self.lessons.iter().filter(|l| !l.optional).peekable();
        required.peek().is_some() && required.all(|l| l.done)
    }

    pub fn done(&self) -> usize {
        self.lessons.iter().filter(|l| l.done).count()
    }

    /// Completed share in whole percent (0 for a course without lessons).
    pub fn percent(&self) -> usize {
        (self.done() * 100)
            .checked_div(self.lessons.len())
            .unwrap_or(0)
    }

    /// Where "continue" leads: the first lesson not yet completed.
    pub fn next_lesson(&self) -> Option<&LessonRef> {
        self.lessons.iter().find(|l| !l.done)
    }

    /// Lessons not open yet at `now`, counted by when they open (earliest first).
    pub fn locked(&self, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, usize)> {
        let mut by_time: Vec<(DateTime<Utc>, usize)> = Vec::new();
        for at in self
            .lessons
            .iter()
            .filter_map(|l| l.opens_at)
            .filter(|at| *at > now)
        {
            match by_time.iter_mut().find(|(t, _)| *t == at) {
                Some((_, n)) => *n += 1,
                None => by_time.push((at, 1)),
            }
        }
        by_time.sort();
        by_time
    }
}

impl LearnerState {
    pub fn course(&self, slug: &str) -> Option<&EnrolledCourse> {
        self.courses.iter().find(|c| c.slug == slug)
    }

    pub fn enrolled_in(&self, course: Uuid) -> bool {
        self.courses.iter().any(|c| c.id == course)
    }
}

/// Where a shared course page shows this viewer's enrollment.
pub const ENROLLMENT_SLOT: &str = "<!--eduflow:enrollment-->";

/// The enrollment part of a course page for this viewer, at `now` (drip schedules).
pub fn enrollment_slot(
    locale: Locale,
    viewer: &Viewer,
    state: Option<&LearnerState>,
    course_slug: &str,
    now: DateTime<Utc>,
) -> String {
    let t = |id| escape_html(&locale.t(id));
    let slug = escape_html(course_slug);
    let Some(user) = &viewer.0 else {
        return format!(
            "<p class=\"enroll\"><a class=\"button\" href=\"/login?next=/courses/{slug}\">{}</a></p>",
            t("log-in-to-enroll")
        );
    };
    let csrf = escape_html(&user.csrf);
    match state.and_then(|s| s.course(course_slug)) {
        Some(course) => {
            let next = course.next_lesson().map_or(String::new(), |l| {
                format!(
                    " <a class=\"button\" href=\"/courses/{slug}/lessons/{}\">{}</a>",
                    escape_html(&l.slug),
                    t("continue")
                )
            });
            let locked: String = course
                .locked(now)
                .iter()
                .map(|(at, n)| {
                    let said = locale.tr(
                        "lessons-open-on",
                        &[
                            ("count", (*n).into()),
                            ("date", locale.date_time(*at).into()),
                        ],
                    );
                    format!("<p class=\"drip\">{}</p>", escape_html(&said))
                })
                .collect();
            let (done, total) = (course.done(), course.lessons.len());
            let count = locale.tr(
                "lessons-complete-of",
                &[("done", done.into()), ("total", total.into())],
            );
            format!(
                "<div class=\"enroll enrolled\"><p><strong>{}</strong> {}{next}</p>\
                 <progress max=\"{total}\" value=\"{done}\">{}</progress>{locked}\
                 <form class=\"inline\" method=\"post\" action=\"/courses/{slug}/unenroll\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{}</button></form></div>",
                t("you-are-enrolled"),
                escape_html(&count),
                escape_html(&locale.tr("percent", &[("n", course.percent().into())])),
                t("unenroll"),
            )
        }
        None => format!(
            "<form class=\"enroll\" method=\"post\" action=\"/courses/{slug}/enroll\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{}</button></form>",
            t("enroll")
        ),
    }
}

/// Where `/learn` lists the learner's courses.
pub const DASHBOARD_SLOT: &str = "<!--eduflow:dashboard-->";

/// The learner's courses on `/learn`, each with its progress and where to go next.
pub fn dashboard_slot(locale: Locale, state: &LearnerState) -> String {
    let t = |id| escape_html(&locale.t(id));
    if state.courses.is_empty() {
        return format!(
            "<p class=\"empty\">{} <a href=\"/courses\">{}</a></p>",
            t("dashboard-empty"),
            t("browse-the-catalog")
        );
    }
    let mut out = String::from("<ul class=\"dashboard\">\n");
    for course in &state.courses {
        let c = course.summary();
        let slug = escape_html(c.course);
        let label = locale.tr("lessons-complete-label", &[("total", c.total.into())]);
        out += &format!(
            "  <li class=\"card\">\n    <h2><a href=\"/courses/{slug}\">{title}</a></h2>\n    \
             <progress max=\"{total}\" value=\"{done}\">{percent}</progress>\n    \
             <p class=\"meta\"><span class=\"progress-count\">{shown_done}/{shown_total}</span> {label}</p>\n",
            title = escape_html(c.title),
            total = c.total,
            done = c.completed,
            shown_done = locale.number(c.completed as f64),
            shown_total = locale.number(c.total as f64),
            percent = escape_html(&locale.tr("percent", &[("n", c.percent.into())])),
            label = escape_html(&label),
        );
        if c.complete {
            out += &format!("    <p class=\"done\">✓ {}</p>\n", t("course-complete"));
        }
        if let Some(id) = c.certificate_id {
            out += &format!(
                "    <p class=\"certificate-links\"><a class=\"button\" href=\"/certificates/{id}/pdf\">\
                 {}</a> <a href=\"/certificates/{id}\">{}</a></p>\n",
                t("download-certificate"),
                t("verification-page")
            );
        }
        match c.next_lesson {
            Some(next) => {
                out += &format!(
                    "    <a class=\"button\" href=\"/courses/{slug}/lessons/{}\">{}</a>\n",
                    escape_html(next),
                    t("continue")
                );
            }
            None if !c.complete => {
                out += &format!("    <p class=\"done\">✓ {}</p>\n", t("finished"))
            }
            None => {}
        }
        out += "  </li>\n";
    }
    out + "</ul>"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(done: &[bool]) -> EnrolledCourse {
        EnrolledCourse {
            id: Uuid::nil(),
            slug: "c".into(),
            title: "C".into(),
            lessons: done
                .iter()
                .enumerate()
                .map(|(i, d)| LessonRef {
                    id: Uuid::from_u128(i as u128),
                    slug: format!("l{i}"),
                    title: String::new(),
                    done: *d,
                    optional: i == 0,
                    quiz: false,
                    opens_at: None,
                })
                .collect(),
            certificate: None,
        }
    }

    #[test]
    fn progress_is_completed_over_total() {
        let c = course(&[true, false, true, false]);
        assert_eq!((c.done(), c.percent()), (2, 50));
        assert_eq!(c.next_lesson().unwrap().slug, "l1");
        assert_eq!(course(&[true, true, true]).percent(), 100);
        assert!(course(&[true, true, true]).next_lesson().is_none());
        assert_eq!(course(&[]).percent(), 0);
        assert_eq!(course(&[false, false, true]).percent(), 33);
        // The first lesson of these courses is optional.
        assert!(course(&[false, true, true]).complete());
        assert!(!course(&[true, false, true]).complete());
        assert!(!course(&[true]).complete());
    }

    #[test]
    fn locked_lessons_are_counted_by_when_they_open() {
        let now = Utc::now();
        let mut c = course(&[false, false, false, false]);
        let (soon, later) = (
            now + chrono::Duration::days(2),
            now + chrono::Duration::days(9),
        );
        c.lessons[0].opens_at = Some(now - chrono::Duration::days(1));
        c.lessons[1].opens_at = Some(later);
        c.lessons[2].opens_at = Some(soon);
        c.lessons[3].opens_at = Some(later);
        assert_eq!(c.locked(now), [(soon, 1), (later, 2)]);
        assert!(c.lessons[0].open_at(now) && !c.lessons[1].open_at(now));
    }
}
