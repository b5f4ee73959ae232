//! A lesson's page, shared by everyone who may see it: rendered once per catalog version (the
//! markdown, the media links) with slots for what is the viewer's own — their form token, the
//! free-preview label, the playback position, the completion form — which [`slots`] fills per
//! request from the learner state, with no template and no query.

use chrono::{DateTime, Utc};

use super::store::LessonPage;
use super::{LearnerState, LessonRef};
use crate::accounts::sessions::Viewer;
use crate::accounts::{ACCOUNT_SLOT, account_slot};
use crate::error::{AppError, escape_html};
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::media::Media;
use crate::media::key::MediaKey;
use crate::tenancy::Tenant;
use crate::views::Views;

const CSRF_SLOT: &str = "<!--eduflow:csrf-->";
const PREVIEW_SLOT: &str = "<!--eduflow:preview-->";
const POSITION_SLOT: &str = "<!--eduflow:position-->";
const PROGRESS_SLOT: &str = "<!--eduflow:progress-->";

/// The lesson's media as links (signed: the cached page lives shorter than they do).
#[derive(Debug, Default)]
pub struct Links {
    video: Option<String>,
    hls: Option<String>,
    poster: Option<String>,
    /// Each language's captions: its tag, its name in itself, the file's signed link.
    captions: Vec<Track>,
}

#[derive(Debug, serde::Serialize)]
struct Track {
    language: String,
    name: String,
    url: String,
}

/// Links to the lesson's video, HLS ladder and poster, if they are this school's.
pub async fn links(media: &Media, tenant: TenantId, page: &LessonPage) -> Result<Links, AppError> {
    let own = |key: &Option<String>| {
        key.as_deref()
            .and_then(MediaKey::parse)
            .filter(|k| k.tenant == tenant)
    };
    let video = match own(&page.video_key) {
        Some(k) => Some(media.url(&k).await?),
        None => None,
    };
    let poster = match own(&page.cover_key) {
        Some(k) => Some(media.url(&k).await?),
        None => None,
    };
    let hls = own(&page.hls_key).map(|k| crate::media::hls::playlist_url(media, &k));
    let mut captions = Vec::new();
    for (language, key) in &page.captions {
        if let Some(key) = MediaKey::parse(key).filter(|k| k.tenant == tenant) {
            captions.push(Track {
                language: language.clone(),
                name: crate::i18n::language_name(language).to_owned(),
                url: media.url(&key).await?,
            });
        }
    }
    Ok(Links {
        video,
        hls,
        poster,
        captions,
    })
}

/// The shared page, slots in place.
pub fn render(
    views: &Views,
    locale: Locale,
    tenant: &Tenant,
    page: &LessonPage,
    links: &Links,
) -> Result<String, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", tenant);
    c.insert("lesson", page);
    c.insert("video_url", &links.video);
    c.insert("hls_url", &links.hls);
    c.insert("poster_url", &links.poster);
    c.insert("captions", &links.captions);
    views.render(locale, "lesson.html", &c)
}

/// The lesson as this learner has it: enrolled, completed, where playback stopped.
fn progress<'a>(learner: Option<&'a LearnerState>, page: &LessonPage) -> Option<&'a LessonRef> {
    learner?
        .courses
        .iter()
        .find(|c| c.id == page.course_id)?
        .lessons
        .iter()
        .find(|l| l.id == page.lesson_id)
}

/// What fills the page's slots for this viewer (in the page's order). An enrolled learner whose
/// curriculum does not list the lesson yet still sees it as enrolled, not done.
pub fn slots(
    locale: Locale,
    viewer: &Viewer,
    learner: Option<&LearnerState>,
    page: &LessonPage,
) -> Vec<(&'static str, String)> {
    let t = |id| escape_html(&locale.t(id));
    let csrf = viewer.0.as_ref().map(|u| escape_html(&u.csrf));
    let enrolled = learner.is_some_and(|l| l.enrolled_in(page.course_id));
    let is_staff = viewer
        .0
        .as_ref()
        .is_some_and(|u| !matches!(u.role, crate::role::Role::Learner));
    let done = progress(learner, page).is_some_and(|l| l.done);
    let position = learner
        .and_then(|l| l.positions.get(&page.lesson_id))
        .copied()
        .unwrap_or(0);
    let launch = || {
        format!(
            "<p><a class=\"button\" href=\"/courses/{}/lessons/{}/launch\">{}</a></p>",
            escape_html(&page.course_slug),
            escape_html(&page.slug),
            t("lti-open")
        )
    };
    let form = match (&csrf, enrolled, done) {
        // A tool's activity is completed by the grade the tool sends back, not by a button.
        (_, true, true) if page.kind == "lti" => {
            format!(
                "<p class=\"done\">✓ {}</p>\n    {}",
                t("completed"),
                launch()
            )
        }
        (Some(_), true, false) if page.kind == "lti" => {
            format!(
                "{}\n    <p class=\"hint\">{}</p>",
                launch(),
                t("lti-completes-with-grade")
            )
        }
        (Some(_), false, _) if page.kind == "lti" && is_staff => launch(),
        // A package records its own completion, by its own rules.
        (Some(_), true, false) if page.kind == "scorm" => {
            format!("<p class=\"hint\">{}</p>", t("scorm-completes-itself"))
        }
        (_, true, true) => format!("<p class=\"done\">✓ {}</p>", t("completed")),
        (Some(csrf), true, false) => format!(
            "<form method=\"post\" action=\"/courses/{}/lessons/{}/complete\">\n      \
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n      \
             <button type=\"submit\">{}</button>\n    </form>",
            escape_html(&page.course_slug),
            escape_html(&page.slug),
            t("mark-complete")
        ),
        _ => String::new(),
    };
    vec![
        (
            CSRF_SLOT,
            csrf.as_ref()
                .filter(|c| !c.is_empty())
                .map_or(String::new(), |c| {
                    format!("<meta name=\"csrf-token\" content=\"{c}\">")
                }),
        ),
        (ACCOUNT_SLOT, account_slot(locale, viewer)),
        (
            PREVIEW_SLOT,
            if enrolled {
                String::new()
            } else {
                format!("<p class=\"preview\">{}</p>", t("free-preview-label"))
            },
        ),
        (POSITION_SLOT, position.to_string()),
        (PROGRESS_SLOT, form),
    ]
}

/// Refuses a lesson of a section that has not opened for this learner at `now` (drip), saying
/// when it opens.
pub fn gate(page: &LessonPage, learner: &LearnerState, now: DateTime<Utc>) -> Result<(), AppError> {
    match progress(Some(learner), page)
        .filter(|l| !l.open_at(now))
        .and_then(|l| l.opens_at)
    {
        Some(at) => Err(AppError::Forbidden(
            Msg::new("error-lesson-opens-on").instant("date", at),
        )),
        None => Ok(()),
    }
}
