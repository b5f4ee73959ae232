//! Names and Role Provisioning Services 2.0: who is in a course — its enrolled learners, and the
//! staff who teach it — for the tools placed in it. Active members only; erased and suspended
//! accounts are not listed.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use uuid::Uuid;

use super::claims::roles;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::role::Role;

#[derive(Debug, QueryableByName)]
pub struct Member {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    /// `learner` (enrolled) or `instructor` (teaches it).
    #[diesel(sql_type = Text)]
    pub role: String,
}

impl Member {
    pub fn json(&self) -> Value {
        let role = Role::parse(&self.role).unwrap_or(Role::Learner);
        json!({
            "status": "Active",
            "user_id": self.id.to_string(),
            "name": self.name,
            "email": self.email,
            "roles": roles(role),
        })
    }
}

/// Up to `limit` members after the id `after`, by id.
pub async fn members(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Member>, AppError> {
    Ok(diesel::sql_query(
        "SELECT u.id, u.name, u.email,
                CASE WHEN EXISTS (SELECT 1 FROM course_instructors ci
                                   WHERE ci.tenant_id = u.tenant_id AND ci.course_id = $2
                                     AND ci.user_id = u.id)
                     THEN 'instructor' ELSE 'learner' END AS role
           FROM users u
          WHERE u.tenant_id = $1 AND u.erased_at IS NULL AND u.suspended_at IS NULL
            AND ($3::uuid IS NULL OR u.id > $3)
            AND (EXISTS (SELECT 1 FROM enrollments e
                          WHERE e.tenant_id = u.tenant_id AND e.course_id = $2 AND e.user_id = u.id)
              OR EXISTS (SELECT 1 FROM course_instructors ci
                          WHERE ci.tenant_id = u.tenant_id AND ci.course_id = $2 AND ci.user_id = u.id))
          ORDER BY u.id LIMIT $4",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<Nullable<SqlUuid>, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}
