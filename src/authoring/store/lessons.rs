//! Lessons: adding, editing (text, media, a quiz), ordering and removing them.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::outline::{section_of, swap_with_neighbour};
use crate::assessment::quizzes;
use crate::authoring::forms::LessonInput;
use crate::db::schema::{lesson_captions, lessons, sections};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, LessonId, SectionId, TenantId};
use crate::media::captions::StoredCaptions;

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct LessonRecord {
    pub id: Uuid,
    pub section_id: Uuid,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub transcript: String,
    pub free_preview: bool,
    pub video_key: Option<String>,
    pub hls_key: Option<String>,
    pub optional: bool,
    pub kind: String,
}

/// A lesson of `course`.
pub async fn lesson(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    lesson: LessonId,
) -> Result<LessonRecord, AppError> {
    Ok(lessons::table
        .inner_join(sections::table)
        .filter(lessons::id.eq(lesson.0))
        .filter(sections::course_id.eq(course.0))
        .select((
            lessons::id,
            lessons::section_id,
            lessons::slug,
            lessons::title,
            lessons::body,
            lessons::transcript,
            lessons::free_preview,
            lessons::video_key,
            lessons::hls_key,
            lessons::optional,
            lessons::kind,
        ))
        .first(conn)
        .await?)
}

/// A lesson's captions: (language, WebVTT key), by language.
pub async fn captions(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: LessonId,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(lesson_captions::table
        .filter(lesson_captions::tenant_id.eq(tenant.0))
        .filter(lesson_captions::lesson_id.eq(lesson.0))
        .order(lesson_captions::language)
        .select((lesson_captions::language, lesson_captions::vtt_key))
        .load(conn)
        .await?)
}

/// Sets the lesson's captions in `language` (replacing those it had in it).
pub async fn set_captions(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: LessonId,
    language: &str,
    stored: &StoredCaptions,
) -> Result<(), AppError> {
    diesel::insert_into(lesson_captions::table)
        .values((
            lesson_captions::tenant_id.eq(tenant.0),
            lesson_captions::lesson_id.eq(lesson.0),
            lesson_captions::language.eq(language),
            lesson_captions::vtt_key.eq(stored.vtt.as_str()),
            lesson_captions::playlist_key.eq(stored.playlist.as_str()),
        ))
        .on_conflict((
            lesson_captions::tenant_id,
            lesson_captions::lesson_id,
            lesson_captions::language,
        ))
        .do_update()
        .set((
            lesson_captions::vtt_key.eq(stored.vtt.as_str()),
            lesson_captions::playlist_key.eq(stored.playlist.as_str()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the lesson's captions in `languages`.
pub async fn remove_captions(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: LessonId,
    languages: &[String],
) -> Result<(), AppError> {
    if !languages.is_empty() {
        diesel::delete(
            lesson_captions::table
                .filter(lesson_captions::tenant_id.eq(tenant.0))
                .filter(lesson_captions::lesson_id.eq(lesson.0))
                .filter(lesson_captions::language.eq_any(languages)),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Whether another lesson of the course already uses `slug` (lesson URLs are per course).
async fn lesson_slug_taken(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    slug: &str,
    except: Option<LessonId>,
) -> Result<bool, AppError> {
    let mut query = lessons::table
        .inner_join(sections::table)
        .filter(sections::course_id.eq(course.0))
        .filter(lessons::slug.eq(slug))
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(lessons::id.ne(except.0));
    }
    let n: i64 = query.count().get_result(conn).await?;
    Ok(n > 0)
}

/// The media a lesson plays, as it changes with an edit.
#[derive(Debug, Clone, Default)]
pub struct LessonMedia {
    /// A new video (replaces the old one).
    pub video: Option<String>,
    /// The new video's length, when its headers tell it.
    pub duration_seconds: Option<i32>,
    /// A new HLS ladder's master playlist.
    pub hls: Option<String>,
    /// Drop the video and ladder.
    pub remove: bool,
}

pub async fn add_lesson(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    course: CourseId,
    section: SectionId,
    input: &LessonInput,
    media: &LessonMedia,
) -> Result<LessonId, AppError> {
    section_of(conn, course, section).await?;
    if lesson_slug_taken(conn, course, &input.slug, None).await? {
        return Err(AppError::Conflict(Msg::new("error-slug-taken")));
    }
    let next: Option<i32> = lessons::table
        .filter(lessons::section_id.eq(section.0))
        .select(diesel::dsl::max(lessons::position))
        .first(conn)
        .await?;
    let id = diesel::insert_into(lessons::table)
        .values((
            lessons::tenant_id.eq(tenant),
            lessons::section_id.eq(section.0),
            lessons::position.eq(next.unwrap_or(0) + 1),
            lessons::slug.eq(&input.slug),
            lessons::title.eq(&input.title),
            lessons::body.eq(&input.body),
            lessons::transcript.eq(&input.transcript),
            lessons::free_preview.eq(input.free_preview),
            lessons::optional.eq(input.optional),
            lessons::video_key.eq(&media.video),
            lessons::hls_key.eq(&media.hls),
            lessons::kind.eq(kind(input, media.video.is_some() || media.hls.is_some())),
            lessons::duration_seconds.eq(media.duration_seconds.unwrap_or(0)),
        ))
        .returning(lessons::id)
        .get_result(conn)
        .await?;
    save_quiz(conn, TenantId(tenant), id, input).await?;
    Ok(LessonId(id))
}

pub(super) fn kind(input: &LessonInput, video: bool) -> &'static str {
    match (&input.quiz, video) {
        (Some(_), _) => "quiz",
        (None, true) => "video",
        (None, false) => "text",
    }
}

/// A lesson with questions is a quiz; without, it is not (its attempts stay).
async fn save_quiz(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
    input: &LessonInput,
) -> Result<(), AppError> {
    match &input.quiz {
        Some(q) => quizzes::save(conn, tenant, lesson, &q.gift, &q.settings).await,
        None => quizzes::remove(conn, lesson).await,
    }
}

pub async fn update_lesson(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: CourseId,
    id: LessonId,
    input: &LessonInput,
    media: &LessonMedia,
) -> Result<(), AppError> {
    let current = lesson(conn, course, id).await?;
    if lesson_slug_taken(conn, course, &input.slug, Some(id)).await? {
        return Err(AppError::Conflict(Msg::new("error-slug-taken")));
    }
    let (video, hls) = if media.remove {
        (None, None)
    } else {
        (
            media.video.clone().or(current.video_key),
            media.hls.clone().or(current.hls_key),
        )
    };
    let target = lessons::table.find(id.0);
    diesel::update(target)
        .set((
            lessons::slug.eq(&input.slug),
            lessons::title.eq(&input.title),
            lessons::body.eq(&input.body),
            lessons::transcript.eq(&input.transcript),
            lessons::free_preview.eq(input.free_preview),
            lessons::optional.eq(input.optional),
            // A tool's or a package's lesson stays one: the editor changes its words, not what
            // it launches or plays.
            lessons::kind.eq(if matches!(current.kind.as_str(), "lti" | "scorm") {
                current.kind.as_str()
            } else {
                kind(input, video.is_some() || hls.is_some())
            }),
            lessons::video_key.eq(video),
            lessons::hls_key.eq(hls),
        ))
        .execute(conn)
        .await?;
    if let Some(seconds) = media.duration_seconds.filter(|_| !media.remove) {
        diesel::update(target)
            .set(lessons::duration_seconds.eq(seconds))
            .execute(conn)
            .await?;
    }
    save_quiz(conn, tenant, id.0, input).await
}

pub async fn delete_lesson(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    id: LessonId,
) -> Result<(), AppError> {
    lesson(conn, course, id).await?;
    diesel::delete(lessons::table.find(id.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Swaps a lesson with its neighbour in its section.
pub async fn move_lesson(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    id: LessonId,
    up: bool,
) -> Result<(), AppError> {
    let current = lesson(conn, course, id).await?;
    let order: Vec<(Uuid, i32)> = lessons::table
        .filter(lessons::section_id.eq(current.section_id))
        .order(lessons::position)
        .select((lessons::id, lessons::position))
        .load(conn)
        .await?;
    swap_with_neighbour(conn, "lessons", &order, id.0, up).await
}
