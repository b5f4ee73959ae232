//! A package's files in the media store (content-addressed, under the school's prefix, like all
//! media) and its rows: the package with its SCOs, and which object each path in it is.

use diesel::sql_types::{BigInt, Integer, Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::manifest::Version;
use super::package::Package;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::media::key::MediaKey;
use crate::media::store::Store;

/// A stored file: its path in the package, its object, its type.
#[derive(Debug, Clone)]
pub struct Stored {
    pub path: String,
    pub key: String,
    pub content_type: &'static str,
}

/// The type a browser is told a package's file is, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "xml" | "xsd" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Puts every file of `package` in the store (streamed from staging); what was stored where.
pub async fn put_files(
    store: &Store,
    tenant: TenantId,
    package: &Package,
) -> anyhow::Result<Vec<Stored>> {
    let mut stored = Vec::with_capacity(package.files.len());
    for (path, file) in &package.files {
        let ext = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .filter(|e| {
                !e.is_empty() && e.len() <= 10 && e.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .unwrap_or_else(|| "bin".into());
        let key = MediaKey::new(tenant, "scorm", &file.sha256, &ext);
        let content_type = content_type(path);
        store.put_file(&key, file.path(), content_type).await?;
        stored.push(Stored {
            path: path.clone(),
            key: key.as_str().to_owned(),
            content_type,
        });
    }
    Ok(stored)
}

/// Makes the new `scorm` lesson `lesson` play `package`, whose files are `stored`. Names the
/// school in every statement.
pub async fn attach(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
    package: &Package,
    stored: &[Stored],
) -> Result<(), AppError> {
    let version = package.manifest.version.as_str();
    diesel::sql_query(
        "INSERT INTO scorm_packages (lesson_id, tenant_id, version, scos, files, bytes)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind::<SqlUuid, _>(lesson)
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(version)
    .bind::<Jsonb, _>(serde_json::to_value(&package.manifest.scos).map_err(AppError::internal)?)
    .bind::<Integer, _>(stored.len() as i32)
    .bind::<BigInt, _>(package.bytes() as i64)
    .execute(conn)
    .await?;
    for chunk in stored.chunks(500) {
        let paths: Vec<&str> = chunk.iter().map(|s| s.path.as_str()).collect();
        let keys: Vec<&str> = chunk.iter().map(|s| s.key.as_str()).collect();
        let types: Vec<&str> = chunk.iter().map(|s| s.content_type).collect();
        diesel::sql_query(
            "INSERT INTO scorm_files (tenant_id, lesson_id, path, key, content_type)
             SELECT $1, $2, p, k, t FROM unnest($3::text[], $4::text[], $5::text[]) AS f(p, k, t)",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(lesson)
        .bind::<diesel::sql_types::Array<Text>, _>(paths)
        .bind::<diesel::sql_types::Array<Text>, _>(keys)
        .bind::<diesel::sql_types::Array<Text>, _>(types)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// A file of a school's package, with the course its lesson is in.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct File {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub content_type: String,
    #[diesel(sql_type = SqlUuid)]
    pub course_id: Uuid,
}

/// The file at `path` in the package of the lesson `lesson`.
pub async fn file(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
    path: &str,
) -> Result<Option<File>, AppError> {
    use diesel::OptionalExtension;
    Ok(diesel::sql_query(
        "SELECT f.key, f.content_type, s.course_id
           FROM scorm_files f
           JOIN lessons l ON l.tenant_id = f.tenant_id AND l.id = f.lesson_id
           JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE f.tenant_id = $1 AND f.lesson_id = $2 AND f.path = $3",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .bind::<Text, _>(path)
    .get_result(conn)
    .await
    .optional()?)
}

/// What the lesson's package is: its version and SCOs.
#[derive(Debug, Clone)]
pub struct Played {
    pub version: super::manifest::Version,
    pub scos: Vec<super::manifest::Sco>,
}

/// The package of the lesson `lesson`, if it is a SCORM lesson.
pub async fn played(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
) -> Result<Option<Played>, AppError> {
    use diesel::OptionalExtension;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        version: String,
        #[diesel(sql_type = Jsonb)]
        scos: serde_json::Value,
    }
    let row: Option<Row> = diesel::sql_query(
        "SELECT version, scos FROM scorm_packages WHERE tenant_id = $1 AND lesson_id = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .get_result(conn)
    .await
    .optional()?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Played {
        version: Version::stored(&row.version),
        scos: serde_json::from_value(row.scos).map_err(AppError::internal)?,
    }))
}

/// Keeps what `user`'s SCO `sco` committed in its attempt `attempt` (the latest, or the one
/// after it: attempts have no gaps), and answers whether every SCO of the lesson has now been
/// completed in some attempt. `None`: no such attempt may be written.
pub async fn commit(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    (user, lesson, sco, attempt): (Uuid, Uuid, &str, i32),
    commit: &super::cmi::Commit,
    outcome: super::cmi::Outcome,
) -> Result<Option<bool>, AppError> {
    use diesel::sql_types::{Bool, Double, Nullable};
    #[derive(diesel::QueryableByName)]
    struct Latest {
        #[diesel(sql_type = Integer)]
        attempt: i32,
    }
    let latest: Latest = diesel::sql_query(
        "SELECT coalesce(max(attempt), 0) AS attempt FROM scorm_attempts
          WHERE tenant_id = $1 AND user_id = $2 AND lesson_id = $3 AND sco = $4",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(lesson)
    .bind::<Text, _>(sco)
    .get_result(conn)
    .await?;
    if attempt < 1 || attempt > latest.attempt + 1 {
        return Ok(None);
    }
    diesel::sql_query(
        "INSERT INTO scorm_attempts (tenant_id, user_id, lesson_id, sco, attempt, cmi, status,
                                     success, score, location, suspend_data, session_seconds,
                                     completed, status_set, passed, suspended)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (tenant_id, user_id, lesson_id, sco, attempt) DO UPDATE SET
            cmi = EXCLUDED.cmi, status = EXCLUDED.status, success = EXCLUDED.success,
            score = EXCLUDED.score, location = EXCLUDED.location,
            suspend_data = EXCLUDED.suspend_data, session_seconds = EXCLUDED.session_seconds,
            completed = scorm_attempts.completed OR EXCLUDED.completed,
            status_set = scorm_attempts.status_set OR EXCLUDED.status_set,
            passed = coalesce(EXCLUDED.passed, scorm_attempts.passed),
            suspended = EXCLUDED.suspended, updated_at = now()",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(lesson)
    .bind::<Text, _>(sco)
    .bind::<Integer, _>(attempt)
    .bind::<Jsonb, _>(&commit.cmi)
    .bind::<Nullable<Text>, _>(&commit.status)
    .bind::<Nullable<Text>, _>(&commit.success)
    .bind::<Nullable<Double>, _>(commit.score)
    .bind::<Nullable<Text>, _>(&commit.location)
    .bind::<Nullable<Text>, _>(&commit.suspend_data)
    .bind::<Nullable<Double>, _>(commit.session_seconds)
    .bind::<Bool, _>(outcome.completed)
    .bind::<Bool, _>(outcome.status_set)
    .bind::<Nullable<Bool>, _>(outcome.passed)
    .bind::<Bool, _>(commit.suspended)
    .execute(conn)
    .await?;
    // A package's first commit is the learner's start of the lesson, as a video's first position
    // is (the lesson's progress row; xAPI `launched`).
    diesel::sql_query(
        "INSERT INTO lesson_progress (tenant_id, user_id, course_id, lesson_id)
         SELECT $1, $2, s.course_id, l.id
           FROM lessons l JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE l.tenant_id = $1 AND l.id = $3
         ON CONFLICT (tenant_id, user_id, lesson_id) DO NOTHING",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(lesson)
    .execute(conn)
    .await?;
    #[derive(diesel::QueryableByName)]
    struct Done {
        #[diesel(sql_type = Bool)]
        done: bool,
    }
    let done: Done = diesel::sql_query(
        "SELECT (SELECT jsonb_array_length(scos) FROM scorm_packages WHERE tenant_id = $1 AND lesson_id = $2)
                 = (SELECT count(DISTINCT sco) FROM scorm_attempts
                     WHERE tenant_id = $1 AND lesson_id = $2 AND user_id = $3 AND completed) AS done",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await?;
    Ok(Some(done.done))
}

/// Where a learner stands in one SCO: the attempt to write to next and, when that attempt is
/// one to resume, what it committed last; whether any attempt completed it.
#[derive(Debug, Clone)]
pub struct Standing {
    pub sco: String,
    pub attempt: i32,
    pub resume: Option<serde_json::Value>,
    pub completed: bool,
}

/// `user`'s standing in each SCO of the lesson they have played. An attempt completed and left
/// without suspending is over: the next launch starts the next one, from nothing.
pub async fn standings(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: Uuid,
    lesson: Uuid,
) -> Result<Vec<Standing>, AppError> {
    use diesel::sql_types::Bool;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        sco: String,
        #[diesel(sql_type = Integer)]
        attempt: i32,
        #[diesel(sql_type = Jsonb)]
        cmi: serde_json::Value,
        #[diesel(sql_type = Bool)]
        over: bool,
        #[diesel(sql_type = Bool)]
        ever: bool,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT DISTINCT ON (sco) sco, attempt, cmi, completed AND NOT suspended AS over,
                bool_or(completed) OVER (PARTITION BY sco) AS ever
           FROM scorm_attempts
          WHERE tenant_id = $1 AND user_id = $2 AND lesson_id = $3
          ORDER BY sco, attempt DESC",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(lesson)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Standing {
            sco: r.sco,
            attempt: r.attempt + i32::from(r.over),
            resume: (!r.over).then_some(r.cmi),
            completed: r.ever,
        })
        .collect())
}

/// One attempt of a SCO, as the learner's personal-data export shows it.
#[derive(Debug, diesel::QueryableByName, serde::Serialize)]
pub struct PersonAttempt {
    #[diesel(sql_type = Text)]
    pub lesson: String,
    #[diesel(sql_type = Text)]
    pub sco: String,
    #[diesel(sql_type = Integer)]
    pub attempt: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub status: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub success: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub score: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub location: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub suspend_data: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub session_seconds: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Every attempt `user` made at a SCORM package (for their personal-data export).
pub async fn of_person(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: Uuid,
) -> Result<Vec<PersonAttempt>, AppError> {
    Ok(diesel::sql_query(
        "SELECT l.title AS lesson, a.sco, a.attempt, a.status, a.success, a.score, a.location,
                a.suspend_data, a.session_seconds, a.updated_at
           FROM scorm_attempts a JOIN lessons l ON l.tenant_id = a.tenant_id AND l.id = a.lesson_id
          WHERE a.tenant_id = $1 AND a.user_id = $2 ORDER BY a.updated_at",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?)
}
