//! Who teaches: a course's instructors, and the school's member roles.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::sessions::Role;
use crate::db::schema::{course_instructors, users};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, UserId};

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
        return Err(AppError::Unprocessable(
            Msg::new("error-nobody-has-email").text("email", email),
        ));
    };
    if role == "learner" {
        return Err(AppError::Unprocessable(
            Msg::new("error-is-a-learner").text("email", email),
        ));
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

/// Gives `user` the role `role`; returns the role they had.
pub async fn set_role(
    conn: &mut AsyncPgConnection,
    user: UserId,
    role: Role,
) -> Result<String, AppError> {
    let before: Option<String> = users::table
        .find(user.0)
        .select(users::role)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let before = before.ok_or(AppError::NotFound)?;
    diesel::update(users::table.find(user.0))
        .set(users::role.eq(role.as_str()))
        .execute(conn)
        .await?;
    Ok(before)
}
