//! The queries behind the people pages. Each names its school besides relying on RLS.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::db::schema::{enrollments, users};
use crate::error::AppError;
use crate::ids::{CourseId, TenantId, UserId};
use crate::keyset::{Cursor, contains_pattern};

/// One account in the admins' list.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub verified: bool,
    pub suspended: bool,
    pub created_at: DateTime<Utc>,
}

/// The school's accounts (erased ones excepted), newest first, `limit` after `after`, whose
/// name or email contains `q`.
pub async fn people(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    q: &str,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Person>, AppError> {
    let mut query = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::erased_at.is_null())
        .into_boxed();
    if !q.is_empty() {
        let pattern = contains_pattern(q);
        query = query.filter(
            users::name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern)),
        );
    }
    if let Some(Cursor(at, id)) = after {
        query = query.filter(
            users::created_at
                .lt(at)
                .or(users::created_at.eq(at).and(users::id.lt(id))),
        );
    }
    Ok(query
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit)
        .select(person_columns())
        .load(conn)
        .await?)
}

type PersonColumns = (
    users::id,
    users::name,
    users::email,
    users::role,
    diesel::dsl::IsNotNull<users::email_verified_at>,
    diesel::dsl::IsNotNull<users::suspended_at>,
    users::created_at,
);

fn person_columns() -> PersonColumns {
    (
        users::id,
        users::name,
        users::email,
        users::role,
        users::email_verified_at.is_not_null(),
        users::suspended_at.is_not_null(),
        users::created_at,
    )
}

pub async fn person(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<Person>, AppError> {
    Ok(users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::id.eq(user.0))
        .filter(users::erased_at.is_null())
        .select(person_columns())
        .first(conn)
        .await
        .optional()?)
}

/// Suspends (and signs out everywhere) or reinstates an account. `false`: no such account.
pub async fn set_suspended(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    suspended: bool,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::id.eq(user.0))
            .filter(users::erased_at.is_null()),
    )
    .set(users::suspended_at.eq(suspended.then(Utc::now)))
    .execute(conn)
    .await?;
    if changed > 0 && suspended {
        crate::accounts::sessions::end_all(conn, tenant, user).await?;
    }
    Ok(changed > 0)
}

/// Ends one enrollment (progress is kept, as when a learner leaves). `false`: none.
pub async fn remove_enrollment(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    course: CourseId,
) -> Result<bool, AppError> {
    Ok(diesel::delete(
        enrollments::table
            .filter(enrollments::tenant_id.eq(tenant.0))
            .filter(enrollments::user_id.eq(user.0))
            .filter(enrollments::course_id.eq(course.0)),
    )
    .execute(conn)
    .await?
        > 0)
}

/// One learner of a course and how far they have got.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Enrolled {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Timestamptz)]
    pub enrolled_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub done: i64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_activity: Option<DateTime<Utc>>,
}

impl Enrolled {
    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            self.done * 100 / self.total
        }
    }
}

/// Everyone enrolled in `course`, with their completed lessons out of the course's, in
/// enrollment order.
pub async fn enrolled(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: CourseId,
) -> Result<Vec<Enrolled>, AppError> {
    Ok(diesel::sql_query(
        "SELECT u.id, u.name, u.email, e.created_at AS enrolled_at,
                count(p.lesson_id) FILTER (WHERE p.completed_at IS NOT NULL) AS done,
                (SELECT count(*) FROM lessons l JOIN sections s ON s.id = l.section_id
                  WHERE s.tenant_id = $1 AND s.course_id = $2) AS total,
                max(p.updated_at) AS last_activity
           FROM enrollments e
           JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
           LEFT JOIN lesson_progress p
                  ON p.tenant_id = e.tenant_id AND p.user_id = e.user_id AND p.course_id = e.course_id
          WHERE e.tenant_id = $1 AND e.course_id = $2 AND u.erased_at IS NULL
          GROUP BY u.id, u.name, u.email, e.created_at
          ORDER BY e.created_at, u.id",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course.0)
    .load(conn)
    .await?)
}
