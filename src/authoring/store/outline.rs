//! A course's outline: sections, their order and prerequisites.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::authoring::forms::Schedule;
use crate::db::schema::{course_prerequisites, courses, lessons, sections};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, SectionId, TenantId};

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
            unlock_at: unlock_at.map(crate::authoring::forms::show_instant),
            lessons: all.iter().filter(|l| l.section_id == id).cloned().collect(),
        })
        .collect())
}

/// The section, if it belongs to `course`.
pub(super) async fn section_of(
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

/// Appends a lesson of `kind` titled `title` to the course: to `section` when given (it must be
/// the course's), else to its last section, made (titled `first_section`) when it has none; under
/// a slug from the title that no other lesson of the course uses. Every statement names the
/// school: owner-side callers may bypass row-level security.
pub async fn append_lesson(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: Uuid,
    section: Option<Uuid>,
    (title, kind): (&str, &str),
    first_section: &str,
) -> Result<Uuid, AppError> {
    let mut query = sections::table
        .filter(sections::tenant_id.eq(tenant.0))
        .filter(sections::course_id.eq(course))
        .into_boxed();
    if let Some(s) = section {
        query = query.filter(sections::id.eq(s));
    }
    let chosen: Option<Uuid> = query
        .order(sections::position.desc())
        .select(sections::id)
        .first(conn)
        .await
        .optional()?;
    let section = match (chosen, section) {
        (Some(s), _) => s,
        (None, Some(_)) => return Err(AppError::NotFound),
        (None, None) => {
            add_section(conn, tenant.0, CourseId(course), first_section)
                .await?
                .0
        }
    };
    let taken: Vec<String> = lessons::table
        .inner_join(sections::table)
        .filter(sections::tenant_id.eq(tenant.0))
        .filter(sections::course_id.eq(course))
        .select(lessons::slug)
        .load(conn)
        .await?;
    let base = match crate::slug::slugify(title, 100) {
        s if s.is_empty() => kind.to_owned(),
        s => s,
    };
    let slug = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|s| !taken.contains(s))
        .expect("an unused slug");
    let position: Option<i32> = lessons::table
        .filter(lessons::tenant_id.eq(tenant.0))
        .filter(lessons::section_id.eq(section))
        .select(diesel::dsl::max(lessons::position))
        .first(conn)
        .await?;
    Ok(diesel::insert_into(lessons::table)
        .values((
            lessons::tenant_id.eq(tenant.0),
            lessons::section_id.eq(section),
            lessons::position.eq(position.unwrap_or(0) + 1),
            lessons::slug.eq(slug),
            lessons::title.eq(title),
            lessons::kind.eq(kind),
        ))
        .returning(lessons::id)
        .get_result(conn)
        .await?)
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
        return Err(AppError::Unprocessable(
            Msg::new("error-no-course-named").text("course", missing.as_str()),
        ));
    }
    if found.iter().any(|(id, _)| *id == course.0) {
        return Err(AppError::Unprocessable(Msg::new(
            "error-a-course-cannot-require-itself",
        )));
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
pub(super) async fn swap_with_neighbour(
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
