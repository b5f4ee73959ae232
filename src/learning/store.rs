//! Enrollment and progress reads and writes. Every function runs inside the tenant door.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{CertificateRef, EnrolledCourse, LearnerState, LessonRef};
use crate::assessment::quizzes::Attempt;
use crate::db::schema::{
    certificates, course_prerequisites, courses, enrollments, lesson_captions, lesson_progress,
    lessons, quiz_attempts, sections, users,
};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollOutcome {
    Enrolled,
    AlreadyEnrolled,
    Full,
    Closed,
    /// These prerequisite courses (titles) are not completed yet.
    Requires(Vec<String>),
}

/// Enrolls `user` in the published course `slug`; enrolling twice is one enrollment. A full or
/// closed course refuses. `None` when there is no such published course at this school.
pub async fn enroll(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    slug: &str,
) -> Result<Option<EnrollOutcome>, AppError> {
    // FOR UPDATE serialises enrollments into one course, so the cap cannot be overrun.
    let course: Option<(Uuid, Option<i32>, Option<chrono::DateTime<Utc>>)> = courses::table
        .filter(courses::slug.eq(slug).and(courses::published))
        .select((
            courses::id,
            courses::enrollment_cap,
            courses::enrollment_ends_at,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some((course, cap, ends)) = course else {
        return Ok(None);
    };
    let existing = enrollments::table
        .filter(
            enrollments::user_id
                .eq(user.0)
                .and(enrollments::course_id.eq(course)),
        )
        .count()
        .get_result::<i64>(conn)
        .await?;
    if existing > 0 {
        return Ok(Some(EnrollOutcome::AlreadyEnrolled));
    }
    if ends.is_some_and(|ends| ends <= Utc::now()) {
        return Ok(Some(EnrollOutcome::Closed));
    }
    // Completed means certified: a certificate is issued when a course is completed, and a
    // revoked one no longer counts.
    let missing: Vec<String> = course_prerequisites::table
        .inner_join(courses::table.on(courses::id.eq(course_prerequisites::required_id)))
        .filter(course_prerequisites::course_id.eq(course))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            certificates::table
                .filter(certificates::user_id.eq(user.0))
                .filter(certificates::course_id.eq(course_prerequisites::required_id))
                .filter(certificates::revoked_at.is_null()),
        )))
        .order(courses::title)
        .select(courses::title)
        .load(conn)
        .await?;
    if !missing.is_empty() {
        return Ok(Some(EnrollOutcome::Requires(missing)));
    }
    if let Some(cap) = cap {
        let taken: i64 = enrollments::table
            .filter(enrollments::course_id.eq(course))
            .count()
            .get_result(conn)
            .await?;
        if taken >= i64::from(cap) {
            return Ok(Some(EnrollOutcome::Full));
        }
    }
    diesel::insert_into(enrollments::table)
        .values((
            enrollments::tenant_id.eq(tenant.0),
            enrollments::user_id.eq(user.0),
            enrollments::course_id.eq(course),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(Some(EnrollOutcome::Enrolled))
}

/// Ends an enrollment (progress is kept, should the learner come back). `false` when there is no
/// such course.
pub async fn unenroll(
    conn: &mut AsyncPgConnection,
    user: UserId,
    slug: &str,
) -> Result<bool, AppError> {
    let course: Option<Uuid> = courses::table
        .filter(courses::slug.eq(slug))
        .select(courses::id)
        .first(conn)
        .await
        .optional()?;
    let Some(course) = course else {
        return Ok(false);
    };
    diesel::delete(
        enrollments::table.filter(
            enrollments::user_id
                .eq(user.0)
                .and(enrollments::course_id.eq(course)),
        ),
    )
    .execute(conn)
    .await?;
    Ok(true)
}

/// Everything the school's actor keeps about one learner.
pub async fn learner_state(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> Result<LearnerState, AppError> {
    let version: i64 = users::table
        .find(user.0)
        .select(users::state_version)
        .first(conn)
        .await?;
    let enrolled: Vec<(Uuid, String, String, DateTime<Utc>)> = enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(user.0))
        .order(enrollments::created_at.desc())
        .select((
            courses::id,
            courses::slug,
            courses::title,
            enrollments::created_at,
        ))
        .load(conn)
        .await?;
    let ids: Vec<Uuid> = enrolled.iter().map(|(id, ..)| *id).collect();
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        bool,
        String,
        Option<i32>,
        Option<DateTime<Utc>>,
    );
    let curriculum: Vec<Row> = lessons::table
        .inner_join(sections::table)
        .filter(sections::course_id.eq_any(&ids))
        .order((sections::course_id, sections::position, lessons::position))
        .select((
            sections::course_id,
            lessons::id,
            lessons::slug,
            lessons::title,
            lessons::optional,
            lessons::kind,
            sections::unlock_after_days,
            sections::unlock_at,
        ))
        .load(conn)
        .await?;
    let progress: Vec<(Uuid, Option<DateTime<Utc>>, i32)> = lesson_progress::table
        .filter(lesson_progress::user_id.eq(user.0))
        .select((
            lesson_progress::lesson_id,
            lesson_progress::completed_at,
            lesson_progress::position_seconds,
        ))
        .load(conn)
        .await?;
    let issued: Vec<(Uuid, Uuid, bool)> = certificates::table
        .filter(certificates::user_id.eq(user.0))
        .select((
            certificates::course_id,
            certificates::id,
            certificates::revoked_at.is_not_null(),
        ))
        .load(conn)
        .await?;
    let completed: HashSet<Uuid> = progress
        .iter()
        .filter(|(_, done, _)| done.is_some())
        .map(|(id, _, _)| *id)
        .collect();
    let positions: HashMap<Uuid, i32> = progress.iter().map(|(id, _, pos)| (*id, *pos)).collect();
    let enrolled_at: HashMap<Uuid, DateTime<Utc>> =
        enrolled.iter().map(|(id, _, _, at)| (*id, *at)).collect();
    let mut by_course: HashMap<Uuid, Vec<LessonRef>> = HashMap::new();
    for (course, id, slug, title, optional, kind, after_days, on) in curriculum {
        let opens_at = crate::assessment::schedule::opens_at(enrolled_at[&course], after_days, on);
        by_course.entry(course).or_default().push(LessonRef {
            id,
            slug,
            title,
            done: completed.contains(&id),
            optional,
            quiz: kind == "quiz",
            opens_at,
        });
    }
    let courses = enrolled
        .into_iter()
        .map(|(id, slug, title, _)| EnrolledCourse {
            lessons: by_course.remove(&id).unwrap_or_default(),
            certificate: issued
                .iter()
                .find(|(course, ..)| *course == id)
                .map(|&(_, id, revoked)| CertificateRef { id, revoked }),
            id,
            slug,
            title,
        })
        .collect();
    let mut attempts: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
    for (lesson, attempt) in quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user.0))
        .order((quiz_attempts::lesson_id, quiz_attempts::number))
        .select((
            quiz_attempts::lesson_id,
            (
                quiz_attempts::id,
                quiz_attempts::number,
                quiz_attempts::score,
                quiz_attempts::passed,
                quiz_attempts::submitted_at,
            ),
        ))
        .load::<(Uuid, Attempt)>(conn)
        .await?
    {
        attempts.entry(lesson).or_default().push(attempt);
    }
    Ok(LearnerState {
        courses,
        positions,
        attempts,
        version,
    })
}

/// Marks a lesson complete (idempotent: the first completion time stays).
pub async fn complete(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    course: Uuid,
    lesson: Uuid,
) -> Result<(), AppError> {
    diesel::insert_into(lesson_progress::table)
        .values((
            lesson_progress::tenant_id.eq(tenant.0),
            lesson_progress::user_id.eq(user.0),
            lesson_progress::course_id.eq(course),
            lesson_progress::lesson_id.eq(lesson),
            lesson_progress::completed_at.eq(Some(Utc::now())),
        ))
        .on_conflict((
            lesson_progress::tenant_id,
            lesson_progress::user_id,
            lesson_progress::lesson_id,
        ))
        .do_update()
        .set((
            lesson_progress::completed_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >(
                "coalesce(lesson_progress.completed_at, now())"
            )),
            lesson_progress::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes a batch of playback positions in one statement. Lessons not of this school are not
/// visible through the door, so their rows are silently dropped.
pub async fn save_positions(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    batch: Vec<(UserId, Uuid, i32)>,
) -> Result<usize, AppError> {
    let users: Vec<Uuid> = batch.iter().map(|(u, _, _)| u.0).collect();
    let lessons: Vec<Uuid> = batch.iter().map(|(_, l, _)| *l).collect();
    let seconds: Vec<i32> = batch.iter().map(|(_, _, s)| *s).collect();
    Ok(diesel::sql_query(
        "INSERT INTO lesson_progress (tenant_id, user_id, course_id, lesson_id, position_seconds)
         SELECT $1, x.user_id, s.course_id, l.id, x.seconds
           FROM unnest($2::uuid[], $3::uuid[], $4::int[]) AS x(user_id, lesson_id, seconds)
           JOIN lessons l ON l.id = x.lesson_id JOIN sections s ON s.id = l.section_id
         ON CONFLICT (tenant_id, user_id, lesson_id)
         DO UPDATE SET position_seconds = EXCLUDED.position_seconds, updated_at = now()",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(users)
    .bind::<Array<SqlUuid>, _>(lessons)
    .bind::<Array<Integer>, _>(seconds)
    .execute(conn)
    .await?)
}

/// A lesson with its neighbours in the curriculum, for the lesson page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonPage {
    pub course_id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    pub lesson_id: Uuid,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub body: String,
    /// Shown below the player (Markdown).
    pub transcript: String,
    pub free_preview: bool,
    /// Captions by language: (tag, WebVTT key).
    #[serde(skip)]
    pub captions: Vec<(String, String)>,
    #[serde(skip)]
    pub video_key: Option<String>,
    #[serde(skip)]
    pub hls_key: Option<String>,
    #[serde(skip)]
    pub cover_key: Option<String>,
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub position: usize,
    pub total: usize,
}

pub async fn lesson_page(
    conn: &mut AsyncPgConnection,
    course_slug: &str,
    lesson_slug: &str,
) -> Result<Option<LessonPage>, AppError> {
    let course: Option<(Uuid, String, Option<String>)> = courses::table
        .filter(courses::slug.eq(course_slug).and(courses::published))
        .select((courses::id, courses::title, courses::cover_image_key))
        .first(conn)
        .await
        .optional()?;
    let Some((course_id, course_title, cover_key)) = course else {
        return Ok(None);
    };
    type Row = (
        Uuid,
        String,
        String,
        String,
        String,
        String,
        bool,
        Option<String>,
        Option<String>,
    );
    let all: Vec<Row> = lessons::table
        .inner_join(sections::table)
        .filter(sections::course_id.eq(course_id))
        .order((sections::position, lessons::position))
        .select((
            lessons::id,
            lessons::slug,
            lessons::title,
            lessons::kind,
            lessons::body,
            lessons::transcript,
            lessons::free_preview,
            lessons::video_key,
            lessons::hls_key,
        ))
        .load(conn)
        .await?;
    let Some(i) = all.iter().position(|(_, slug, ..)| slug == lesson_slug) else {
        return Ok(None);
    };
    let link = |j: usize| {
        all.get(j)
            .map(|(_, slug, title, ..)| (slug.clone(), title.clone()))
    };
    let (lesson_id, slug, title, kind, body, transcript, free_preview, video_key, hls_key) =
        all[i].clone();
    let captions = lesson_captions::table
        .filter(lesson_captions::lesson_id.eq(lesson_id))
        .order(lesson_captions::language)
        .select((lesson_captions::language, lesson_captions::vtt_key))
        .load(conn)
        .await?;
    Ok(Some(LessonPage {
        course_id,
        course_slug: course_slug.to_owned(),
        course_title,
        lesson_id,
        slug,
        title,
        kind,
        body,
        transcript,
        free_preview,
        captions,
        video_key,
        hls_key,
        cover_key,
        prev: i.checked_sub(1).and_then(link),
        next: link(i + 1),
        position: i + 1,
        total: all.len(),
    }))
}

/// The subtitles playlists of the lesson whose HLS master is `master`: (tag, name, key).
pub async fn hls_subtitles(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    master: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let rows: Vec<(String, String)> = lesson_captions::table
        .inner_join(lessons::table.on(lessons::id.eq(lesson_captions::lesson_id)))
        .filter(lesson_captions::tenant_id.eq(tenant.0))
        .filter(lessons::hls_key.eq(master))
        .order(lesson_captions::language)
        .select((lesson_captions::language, lesson_captions::playlist_key))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(tag, key)| {
            let name = crate::i18n::language_name(&tag).to_owned();
            (tag, name, key)
        })
        .collect())
}

/// A lesson of a published course at `tenant`, by slugs: (course id, lesson id, kind).
pub async fn lesson_of(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: &str,
    lesson: &str,
) -> Result<Option<(Uuid, Uuid, String)>, AppError> {
    Ok(lessons::table
        .inner_join(sections::table.inner_join(courses::table))
        .filter(courses::tenant_id.eq(tenant.0))
        .filter(courses::published.eq(true))
        .filter(courses::slug.eq(course))
        .filter(lessons::slug.eq(lesson))
        .select((courses::id, lessons::id, lessons::kind))
        .first(conn)
        .await
        .optional()?)
}

/// Whether `user` is enrolled in the course `slug` at `tenant`.
pub async fn is_enrolled(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    slug: &str,
) -> Result<bool, AppError> {
    let n: i64 = enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::tenant_id.eq(tenant.0))
        .filter(enrollments::user_id.eq(user.0))
        .filter(courses::slug.eq(slug))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}
