//! Courses as their authors edit them: who may, the list, the fields, publishing.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::sessions::{CurrentUser, Role};
use crate::authoring::forms::CourseInput;
use crate::db::schema::{categories, course_instructors, courses};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, TenantId, UserId};
use crate::media::upload::Stored;

/// The school's course with this slug, published or not. Names the school in its statement:
/// owner-side callers may bypass row-level security.
pub async fn course_by_slug(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    slug: &str,
) -> Result<Option<Uuid>, AppError> {
    Ok(courses::table
        .filter(courses::tenant_id.eq(tenant.0))
        .filter(courses::slug.eq(slug))
        .select(courses::id)
        .first(conn)
        .await
        .optional()?)
}

/// [`course_by_slug`] for a command naming the course: one that is not there is the operator's
/// mistake, said as such.
pub async fn named_course(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    slug: &str,
) -> Result<Uuid, AppError> {
    course_by_slug(conn, tenant, slug).await?.ok_or_else(|| {
        AppError::Unprocessable(Msg::new("error-no-course-here").text("course", slug))
    })
}

/// Fails unless `user` may edit `course`: admins edit every course of their school, instructors
/// those they own or are assigned to. A course of another school is not found.
pub async fn may_edit(
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    course: CourseId,
) -> Result<(), AppError> {
    may_edit_as(conn, (user.id.0, user.role), course).await
}

/// [`may_edit`] for the account `user` with `role` (when no session is at hand).
pub async fn may_edit_as(
    conn: &mut AsyncPgConnection,
    (user, role): (Uuid, Role),
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
    if role == Role::Admin {
        return Ok(());
    }
    let assigned: i64 = course_instructors::table
        .filter(course_instructors::course_id.eq(course.0))
        .filter(course_instructors::user_id.eq(user))
        .count()
        .get_result(conn)
        .await?;
    if role == Role::Instructor && assigned > 0 {
        Ok(())
    } else {
        Err(AppError::Forbidden(Msg::new(
            "error-only-this-course-s-instructors",
        )))
    }
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct CourseListItem {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub published: bool,
    pub updated_at: chrono::DateTime<Utc>,
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
    pub language: String,
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
            courses::language,
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
            AppError::Conflict(Msg::new("error-slug-taken"))
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
            courses::language.eq(&input.language),
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
            courses::language.eq(&input.language),
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
