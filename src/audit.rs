//! A school's audit log: every change its staff or its owner side makes, on record. An entry is
//! written by [`record`] inside the transaction of the change itself, so a change that rolls back
//! leaves no entry and a change that commits always has one. Entries are never changed: the
//! runtime role may only insert and read them (see `db::migrate`), and a trigger refuses any
//! update whoever asks.
//!
//! Erasing a person keeps the entries about them, which name accounts by id, not by address;
//! the acting member's address is kept as it was, because "who did this" is what the log is for.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::{TenantId, UserId};
use crate::keyset::{Cursor, contains_pattern};

/// Every action the log records, as admins filter by it.
pub const ACTIONS: &[&str] = &[
    "member.role",
    "member.invited",
    "member.created",
    "learner.suspended",
    "learner.reinstated",
    "learner.removed",
    "learner.exported",
    "learner.erased",
    "course.published",
    "course.unpublished",
    "course.section_deleted",
    "course.lesson_deleted",
    "course.instructor_assigned",
    "course.instructor_removed",
    "certificate.revoked",
    "certificate.restored",
    "quiz.imported",
    "school.created",
    "school.updated",
    "school.suspended",
    "school.resumed",
    "school.exported",
    "school.imported",
    "school.restored",
    "school.moved",
    "token.created",
    "token.revoked",
    "webhook.added",
    "webhook.rotated",
    "webhook.enabled",
    "webhook.removed",
    "webhook.redelivered",
    "sso.provider_added",
    "sso.provider_changed",
    "sso.provider_removed",
    "sso.only_changed",
    "school.look_changed",
    "lti.tool_added",
    "lti.tool_removed",
    "lti.key_rotated",
    "grade.overridden",
];

/// Who acted, and from where.
#[derive(Debug, Clone)]
pub struct By {
    actor_id: Option<UserId>,
    actor: String,
    ip: Option<IpAddr>,
    user_agent: Option<String>,
}

impl By {
    /// A signed-in member, from the client address and user agent of their request.
    pub fn member(id: UserId, email: &str, ip: Option<IpAddr>, user_agent: Option<&str>) -> Self {
        Self {
            actor_id: Some(id),
            actor: email.to_owned(),
            ip,
            user_agent: user_agent.map(|ua| ua.chars().take(300).collect()),
        }
    }

    /// A school's system, through the API token `token` named `name`.
    pub fn token(token: Uuid, name: &str, ip: Option<IpAddr>, user_agent: Option<&str>) -> Self {
        Self {
            actor_id: None,
            actor: format!("token {name} ({token})")
                .chars()
                .take(320)
                .collect(),
            ip,
            user_agent: user_agent.map(|ua| ua.chars().take(300).collect()),
        }
    }

    /// The owner side: an `eduflow` command run by the operating-system user `$USER`.
    pub fn owner(command: &str) -> Self {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Self {
            actor_id: None,
            actor: format!("owner ({who})"),
            ip: None,
            user_agent: Some(format!("eduflow {command}").chars().take(300).collect()),
        }
    }
}

/// One change: what was done (one of [`ACTIONS`]) to which subject (`kind:id`), and — when
/// small — the state before and after.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub subject: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(action: &'static str, subject: impl Into<String>) -> Self {
        debug_assert!(ACTIONS.contains(&action), "{action} is not listed");
        Self {
            action,
            subject: subject.into(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }
}

/// Adds `change` by `by` to `tenant`'s log, inside the caller's transaction.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    change: Change,
) -> Result<(), AppError> {
    diesel::sql_query(
        "INSERT INTO audit_log (tenant_id, actor_id, actor, action, subject, ip, user_agent, before, after)
         VALUES ($1, $2, $3, $4, $5, $6::inet, $7, $8, $9)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Nullable<SqlUuid>, _>(by.actor_id.map(|u| u.0))
    .bind::<Text, _>(&by.actor)
    .bind::<Text, _>(change.action)
    .bind::<Text, _>(&change.subject)
    .bind::<Nullable<Text>, _>(by.ip.map(|ip| ip.to_string()))
    .bind::<Nullable<Text>, _>(&by.user_agent)
    .bind::<Nullable<Jsonb>, _>(&change.before)
    .bind::<Nullable<Jsonb>, _>(&change.after)
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry as admins read it.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Entry {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub actor: String,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub ip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub user_agent: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub after: Option<Value>,
}

/// Which entries to list: one action, and/or an actor whose name contains some text.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<&'static str>,
    pub actor: Option<String>,
}

/// `tenant`'s entries matching `filter`, newest first, `limit` of them after `after`.
pub async fn entries(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    filter: &Filter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Entry>, AppError> {
    let (at, id) = after.map(|Cursor(at, id)| (at, id)).unzip();
    Ok(diesel::sql_query(
        "SELECT id, at, actor_id, actor, action, subject, host(ip) AS ip, user_agent, before, after
           FROM audit_log
          WHERE tenant_id = $1
            AND ($2::text IS NULL OR action = $2)
            AND ($3::text IS NULL OR actor ILIKE $3)
            AND ($4::timestamptz IS NULL OR (at, id) < ($4, $5))
          ORDER BY at DESC, id DESC
          LIMIT $6",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Nullable<Text>, _>(filter.action)
    .bind::<Nullable<Text>, _>(filter.actor.as_deref().map(contains_pattern))
    .bind::<Nullable<Timestamptz>, _>(at)
    .bind::<Nullable<SqlUuid>, _>(id)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?)
}
