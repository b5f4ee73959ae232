//! Authoring queries. Every one runs inside the tenant door, so another school's ids simply do
//! not exist here; who may touch which course is checked in the same transaction as the write.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::forms::{CourseInput, LessonInput, Schedule};
use crate::accounts::sessions::{CurrentUser, Role};
use crate::assessment::quizzes;
use crate::db::schema::{
    categories, course_instructors, course_prerequisites, courses, lessons, sections, users,
};
use crate::error::AppError;
use crate::ids::{CourseId, LessonId, SectionId, TenantId, UserId};
use crate::media::upload::Stored;

/// Fails unless `user` may edit `course`: admins edit every course of their school, instructors
/// those they own or are assigned to. A course of another school is not found.
pub async fn may_edit(
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    course: CourseId,
) -> Result<(), AppError> {
    let exists: i64 = courses::table
        .filter(courses::id.eq(course.0))
        .count()
        .get_result(conn)
        .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    if user.role == Role::Admin {
        return Ok(());
    }
    let assigned: i64 = course_instructors::table
        .filter(course_instructors::course_id.eq(course.0))
        .filter(course_instructors::user_id.eq(user.id.0))
        .count()
        .get_result(conn)
        .await?;
    if user.role == Role::Instructor && assigned > 0 {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only this course's instructors and the school's admins can edit it.".into(),
        ))
    }
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct CourseListItem {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub published: bool,
    #[serde(serialize_with = "to_the_minute")]
    pub updated_at: chrono::DateTime<Utc>,
}

fn to_the_minute<S: serde::Serializer>(t: &chrono::DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%Y-%m-%d %H:%M UTC"))
}

/// The courses `user` may edit, most recently changed first.
pub async fn editable_courses(
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    limit: i64,
) -> Result<Vec<CourseListItem>, AppError> {
    let columns = (
        courses::id,
        courses::slug,
        courses::title,
        courses::published,
        courses::updated_at,
    );
    let query = courses::table
        .select(columns)
        .order((courses::updated_at.desc(), courses::id.desc()))
        .limit(limit)
        .into_boxed();
    let query = if user.role == Role::Admin {
        query
    } else {
        query.filter(
            courses::id.eq_any(
                course_instructors::table
                    .filter(course_instructors::user_id.eq(user.id.0))
                    .select(course_instructors::course_id),
            ),
        )
    };
    Ok(query.load(conn).await?)
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct CourseRecord {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub level: String,
    pub duration_minutes: i32,
    pub published: bool,
    pub cover_image_key: Option<String>,
    pub enrollment_cap: Option<i32>,
    pub enrollment_ends_at: Option<chrono::DateTime<Utc>>,
}

pub async fn course(
    conn: &mut AsyncPgConnection,
    course: CourseId,
) -> Result<CourseRecord, AppError> {
    Ok(courses::table
        .find(course.0)
        .select((
            courses::id,
            courses::slug,
            courses::title,
            courses::summary,
            courses::description,
            courses::category,
            courses::tags,
            courses::level,
            courses::duration_minutes,
            courses::published,
            courses::cover_image_key,
            courses::enrollment_cap,
            courses::enrollment_ends_at,
        ))
        .first(conn)
        .await?)
}

/// The school's category slugs and names, in display order.
pub async fn categories(conn: &mut AsyncPgConnection) -> Result<Vec<(String, String)>, AppError> {
    Ok(categories::table
        .select((categories::slug, categories::name))
        .order((categories::position, categories::slug))
        .load(conn)
        .await?)
}

/// A unique-slug violation becomes a message on the slug field.
fn slug_taken(err: diesel::result::Error) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::Conflict("slug".into())
        }
        other => other.into(),
    }
}

/// Creates a draft course owned by `owner`.
pub async fn create_course(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    owner: UserId,
    input: &CourseInput,
    cover: Option<&Stored>,
) -> Result<CourseId, AppError> {
    let id: Uuid = diesel::insert_into(courses::table)
        .values((
            courses::tenant_id.eq(tenant),
            courses::slug.eq(&input.slug),
            courses::title.eq(&input.title),
            courses::summary.eq(&input.summary),
            courses::description.eq(&input.description),
            courses::category.eq(&input.category),
            courses::tags.eq(&input.tags),
            courses::level.eq(&input.level),
            courses::duration_minutes.eq(input.duration_minutes),
            courses::enrollment_cap.eq(input.enrollment_cap),
            courses::enrollment_ends_at.eq(input.enrollment_ends_at),
            courses::cover_image_key.eq(cover.map(|c| c.key.as_str())),
            courses::cover_width.eq(cover.and_then(|c| c.info.width)),
            courses::cover_height.eq(cover.and_then(|c| c.info.height)),
        ))
        .returning(courses::id)
        .get_result(conn)
        .await
        .map_err(slug_taken)?;
    diesel::insert_into(course_instructors::table)
        .values((
            course_instructors::tenant_id.eq(tenant),
            course_instructors::course_id.eq(id),
            course_instructors::user_id.eq(owner.0),
            course_instructors::is_owner.eq(true),
        ))
        .execute(conn)
        .await?;
    Ok(CourseId(id))
}

/// Saves the course's fields; `cover` replaces the cover image when given.
pub async fn update_course(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    input: &CourseInput,
    cover: Option<&Stored>,
) -> Result<(), AppError> {
    let target = courses::table.find(course.0);
    diesel::update(target)
        .set((
            courses::slug.eq(&input.slug),
            courses::title.eq(&input.title),
            courses::summary.eq(&input.summary),
            courses::description.eq(&input.description),
            courses::category.eq(&input.category),
            courses::tags.eq(&input.tags),
            courses::level.eq(&input.level),
            courses::duration_minutes.eq(input.duration_minutes),
            courses::enrollment_cap.eq(input.enrollment_cap),
            courses::enrollment_ends_at.eq(input.enrollment_ends_at),
            courses::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map_err(slug_taken)?;
    if let Some(cover) = cover {
        diesel::update(target)
            .set((
                courses::cover_image_key.eq(cover.key.as_str()),
                courses::cover_width.eq(cover.info.width),
                courses::cover_height.eq(cover.info.height),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Publishes or withdraws a course; the first publication dates it in the catalog.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    published: bool,
) -> Result<(), AppError> {
    let target = courses::table.find(course.0);
    if published {
        diesel::update(target)
            .set((
                courses::published.eq(true),
                courses::published_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("coalesce(published_at, now())")),
                courses::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
    } else {
        diesel::update(target)
            .set((
                courses::published.eq(false),
                courses::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlineSection {
    pub id: Uuid,
    pub title: String,
    pub unlock_after_days: Option<i32>,
    /// As the editor's `datetime-local` field shows it.
    pub unlock_at: Option<String>,
    pub lessons: Vec<OutlineLesson>,
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct OutlineLesson {
    pub id: Uuid,
    pub section_id: Uuid,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub free_preview: bool,
}

/// Sections and lessons of a course, in order.
pub async fn outline(
    conn: &mut AsyncPgConnection,
    course: CourseId,
) -> Result<Vec<OutlineSection>, AppError> {
    type Row = (Uuid, String, Option<i32>, Option<chrono::DateTime<Utc>>);
    let secs: Vec<Row> = sections::table
        .filter(sections::course_id.eq(course.0))
        .order(sections::position)
        .select((
            sections::id,
            sections::title,
            sections::unlock_after_days,
            sections::unlock_at,
        ))
        .load(conn)
        .await?;
    let ids: Vec<Uuid> = secs.iter().map(|(id, ..)| *id).collect();
    let all: Vec<OutlineLesson> = lessons::table
        .filter(lessons::section_id.eq_any(&ids))
        .order((lessons::section_id, lessons::position))
        .select((
            lessons::id,
            lessons::section_id,
            lessons::slug,
            lessons::title,
            lessons::kind,
            lessons::free_preview,
        ))
        .load(conn)
        .await?;
    Ok(secs
        .into_iter()
        .map(|(id, title, unlock_after_days, unlock_at)| OutlineSection {
            id,
            title,
            unlock_after_days,
            unlock_at: unlock_at.map(super::forms::show_instant),
            lessons: all.iter().filter(|l| l.section_id == id).cloned().collect(),
        })
        .collect())
}

/// The section, if it belongs to `course`.
async fn section_of(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    section: SectionId,
) -> Result<(), AppError> {
    let n: i64 = sections::table
        .filter(sections::id.eq(section.0))
        .filter(sections::course_id.eq(course.0))
        .count()
        .get_result(conn)
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn add_section(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    course: CourseId,
    title: &str,
) -> Result<SectionId, AppError> {
    let next: Option<i32> = sections::table
        .filter(sections::course_id.eq(course.0))
        .select(diesel::dsl::max(sections::position))
        .first(conn)
        .await?;
    let id = diesel::insert_into(sections::table)
        .values((
            sections::tenant_id.eq(tenant),
            sections::course_id.eq(course.0),
            sections::position.eq(next.unwrap_or(0) + 1),
            sections::title.eq(title),
        ))
        .returning(sections::id)
        .get_result(conn)
        .await?;
    Ok(SectionId(id))
}

/// Renames a section and sets when it opens.
pub async fn save_section(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    section: SectionId,
    title: &str,
    schedule: Schedule,
) -> Result<(), AppError> {
    section_of(conn, course, section).await?;
    diesel::update(sections::table.find(section.0))
        .set((
            sections::title.eq(title),
            sections::unlock_after_days.eq(schedule.after_days),
            sections::unlock_at.eq(schedule.at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The slugs of the courses `course` requires, in order.
pub async fn prerequisite_slugs(
    conn: &mut AsyncPgConnection,
    course: CourseId,
) -> Result<Vec<String>, AppError> {
    Ok(course_prerequisites::table
        .inner_join(courses::table.on(courses::id.eq(course_prerequisites::required_id)))
        .filter(course_prerequisites::course_id.eq(course.0))
        .order(courses::slug)
        .select(courses::slug)
        .load(conn)
        .await?)
}

/// Replaces the course's prerequisites with the school's courses named by `slugs`.
pub async fn set_prerequisites(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: CourseId,
    slugs: &[String],
) -> Result<(), AppError> {
    let found: Vec<(Uuid, String)> = courses::table
        .filter(courses::slug.eq_any(slugs))
        .select((courses::id, courses::slug))
        .load(conn)
        .await?;
    if let Some(missing) = slugs.iter().find(|s| !found.iter().any(|(_, f)| f == *s)) {
        return Err(AppError::Unprocessable(format!(
            "There is no course “{missing}” at this school."
        )));
    }
    if found.iter().any(|(id, _)| *id == course.0) {
        return Err(AppError::Unprocessable(
            "A course cannot require itself.".into(),
        ));
    }
    diesel::delete(
        course_prerequisites::table.filter(course_prerequisites::course_id.eq(course.0)),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = found
        .iter()
        .map(|(id, _)| {
            (
                course_prerequisites::tenant_id.eq(tenant.0),
                course_prerequisites::course_id.eq(course.0),
                course_prerequisites::required_id.eq(*id),
            )
        })
        .collect();
    diesel::insert_into(course_prerequisites::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_section(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    section: SectionId,
) -> Result<(), AppError> {
    section_of(conn, course, section).await?;
    diesel::delete(sections::table.find(section.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Swaps a section with its neighbour above (`up`) or below. Positions are unique per course,
/// so the swap parks one row at a free position first.
pub async fn move_section(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    section: SectionId,
    up: bool,
) -> Result<(), AppError> {
    section_of(conn, course, section).await?;
    let order: Vec<(Uuid, i32)> = sections::table
        .filter(sections::course_id.eq(course.0))
        .order(sections::position)
        .select((sections::id, sections::position))
        .load(conn)
        .await?;
    swap_with_neighbour(conn, "sections", &order, section.0, up).await
}

/// Swaps `id` with its neighbour above (`up`) or below in `order` (ids by position) of `table`.
/// Positions are unique per parent, so the swap parks one row at a free position first.
async fn swap_with_neighbour(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    order: &[(Uuid, i32)],
    id: Uuid,
    up: bool,
) -> Result<(), AppError> {
    let Some(at) = order.iter().position(|(row, _)| *row == id) else {
        return Err(AppError::NotFound);
    };
    let other = if up {
        at.checked_sub(1)
    } else {
        (at + 1 < order.len()).then_some(at + 1)
    };
    let Some(other) = other else {
        return Ok(());
    };
    let ((a, pa), (b, pb)) = (order[at], order[other]);
    for (row, pos) in [(a, -1), (b, pa), (a, pb)] {
        diesel::sql_query(format!("UPDATE {table} SET position = $1 WHERE id = $2"))
            .bind::<diesel::sql_types::Integer, _>(pos)
            .bind::<diesel::sql_types::Uuid, _>(row)
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct LessonRecord {
    pub id: Uuid,
    pub section_id: Uuid,
    pub slug: String,
    pub title: String,
    pub body: String,
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
            lessons::free_preview,
            lessons::video_key,
            lessons::hls_key,
            lessons::optional,
            lessons::kind,
        ))
        .first(conn)
        .await?)
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
        return Err(AppError::Conflict("slug".into()));
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

fn kind(input: &LessonInput, video: bool) -> &'static str {
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
        return Err(AppError::Conflict("slug".into()));
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
            lessons::free_preview.eq(input.free_preview),
            lessons::optional.eq(input.optional),
            lessons::kind.eq(kind(input, video.is_some() || hls.is_some())),
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

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// The course's instructors (owner first).
pub async fn instructors(
    conn: &mut AsyncPgConnection,
    course: CourseId,
) -> Result<Vec<(Member, bool)>, AppError> {
    Ok(course_instructors::table
        .inner_join(users::table)
        .filter(course_instructors::course_id.eq(course.0))
        .order((course_instructors::is_owner.desc(), users::name))
        .select((
            (users::id, users::name, users::email, users::role),
            course_instructors::is_owner,
        ))
        .load(conn)
        .await?)
}

/// Assigns the school's instructor or admin with `email` to the course.
pub async fn assign(
    conn: &mut AsyncPgConnection,
    tenant: Uuid,
    course: CourseId,
    email: &str,
) -> Result<(), AppError> {
    let user: Option<(Uuid, String)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::role))
        .first(conn)
        .await
        .optional()?;
    let Some((user, role)) = user else {
        return Err(AppError::Unprocessable(format!(
            "Nobody at this school has the email {email}."
        )));
    };
    if role == "learner" {
        return Err(AppError::Unprocessable(format!(
            "{email} is a learner; an admin must make them an instructor first."
        )));
    }
    diesel::insert_into(course_instructors::table)
        .values((
            course_instructors::tenant_id.eq(tenant),
            course_instructors::course_id.eq(course.0),
            course_instructors::user_id.eq(user),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes an assigned instructor off the course (the owner stays).
pub async fn unassign(
    conn: &mut AsyncPgConnection,
    course: CourseId,
    user: UserId,
) -> Result<(), AppError> {
    diesel::delete(
        course_instructors::table
            .filter(course_instructors::course_id.eq(course.0))
            .filter(course_instructors::user_id.eq(user.0))
            .filter(course_instructors::is_owner.eq(false)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Everyone at the school, staff first.
pub async fn members(conn: &mut AsyncPgConnection) -> Result<Vec<Member>, AppError> {
    Ok(users::table
        .order((
            diesel::dsl::sql::<diesel::sql_types::Integer>(
                "CASE role WHEN 'admin' THEN 0 WHEN 'instructor' THEN 1 ELSE 2 END",
            ),
            users::name,
        ))
        .select((users::id, users::name, users::email, users::role))
        .limit(500)
        .load(conn)
        .await?)
}

pub async fn set_role(
    conn: &mut AsyncPgConnection,
    user: UserId,
    role: Role,
) -> Result<(), AppError> {
    let n = diesel::update(users::table.find(user.0))
        .set(users::role.eq(role.as_str()))
        .execute(conn)
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
