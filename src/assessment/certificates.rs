//! Certificates: the row is written in the transaction that completes a course (so no completion
//! goes without one), the PDF is drawn after it commits, in the learner's language, and kept in
//! the media store like a paper one (drawn again on demand if that failed). The pages are in
//! `web::assessment::certificates`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::pdf::{self, Raster};
use crate::db::schema::{certificates, courses, users};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};
use crate::mail::Composer;
use crate::media::Media;
use crate::media::key::MediaKey;
use crate::media::record::NewMedia;
use crate::metrics::Metrics;
use crate::tenancy::Tenant;

/// What drawing and storing a certificate takes.
pub struct Printer<'a> {
    /// The primary: a drawn PDF is recorded at once.
    pub pool: PgPool,
    pub media: &'a Media,
    /// Knows the school's public address, which the certificate prints for verification.
    pub mail: &'a Composer,
    pub metrics: &'a Metrics,
}

#[derive(QueryableByName)]
struct Issued {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Issues `user`'s certificate for `course` if every lesson that is not optional is complete (a
/// quiz lesson is complete once passed) and none was issued yet. Returns the new certificate.
pub async fn award_if_complete(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    course: Uuid,
) -> Result<Option<Uuid>, AppError> {
    let issued: Option<Issued> = diesel::sql_query(
        "INSERT INTO certificates (tenant_id, user_id, course_id, learner_name, course_title)
         SELECT $1, u.id, c.id, u.name, c.title
           FROM users u, courses c
          WHERE u.tenant_id = $1 AND u.id = $2 AND c.tenant_id = $1 AND c.id = $3
            AND EXISTS (SELECT 1 FROM enrollments e
                         WHERE e.tenant_id = $1 AND e.user_id = u.id AND e.course_id = c.id)
            AND EXISTS (SELECT 1 FROM lessons l JOIN sections s ON s.id = l.section_id
                         WHERE s.tenant_id = $1 AND s.course_id = c.id AND NOT l.optional)
            AND NOT EXISTS (
                SELECT 1 FROM lessons l JOIN sections s ON s.id = l.section_id
                 WHERE s.tenant_id = $1 AND s.course_id = c.id AND NOT l.optional
                   AND NOT EXISTS (SELECT 1 FROM lesson_progress p
                                    WHERE p.tenant_id = $1 AND p.user_id = u.id
                                      AND p.lesson_id = l.id AND p.completed_at IS NOT NULL))
         ON CONFLICT (tenant_id, user_id, course_id) DO NOTHING
         RETURNING id",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user.0)
    .bind::<SqlUuid, _>(course)
    .get_result(conn)
    .await
    .optional()?;
    Ok(issued.map(|i| i.id))
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Record {
    pub id: Uuid,
    pub user_id: Uuid,
    pub learner_name: String,
    pub course_title: String,
    pub course_slug: String,
    pub issued_at: DateTime<Utc>,
    #[serde(skip)]
    pub pdf_key: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    /// The learner's language, which their certificate is printed in (else the school's).
    #[serde(skip)]
    pub learner_locale: Option<String>,
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Record>, AppError> {
    Ok(certificates::table
        .inner_join(courses::table)
        .filter(certificates::id.eq(id))
        .select((
            certificates::id,
            certificates::user_id,
            certificates::learner_name,
            certificates::course_title,
            courses::slug,
            certificates::issued_at,
            certificates::pdf_key,
            certificates::revoked_at,
            certificates::revoked_reason,
            users::table
                .filter(users::tenant_id.eq(certificates::tenant_id))
                .filter(users::id.eq(certificates::user_id))
                .select(users::locale)
                .single_value(),
        ))
        .first(conn)
        .await
        .optional()?)
}

/// The school's logo as the certificate draws it: a file of EduFlow's own `/static/`, or one in
/// the school's media store. A logo elsewhere on the web is not fetched.
async fn logo(p: &Printer<'_>, tenant: &Tenant) -> Option<Raster> {
    let url = tenant.logo_url.as_deref()?;
    let bytes = if let Some(path) = url.strip_prefix("/static/") {
        crate::assets::find(path)?.1.to_vec()
    } else {
        let key = url
            .split_once("/t/")
            .and_then(|(_, rest)| MediaKey::parse(&format!("t/{}", rest.split('?').next()?)))
            .filter(|k| k.tenant == tenant.id)?;
        p.media.store.read_all(&key, 8 << 20).await.ok()??
    };
    Raster::decode(&bytes)
}

/// The certificate's PDF, drawn now.
pub async fn draw(p: &Printer<'_>, tenant: &Tenant, record: &Record) -> Vec<u8> {
    let logo = logo(p, tenant).await;
    let id = record.id.to_string();
    let verify_url = format!("{}/certificates/{id}", p.mail.origin(tenant));
    pdf::render(&pdf::Certificate {
        locale: tenant.locale_for(record.learner_locale.as_deref()),
        school: &tenant.name,
        accent: &tenant.accent_color,
        logo: logo.as_ref(),
        learner: &record.learner_name,
        course: &record.course_title,
        issued: record.issued_at,
        id: &id,
        verify_url: &verify_url,
    })
}

/// The key of the certificate's PDF in the media store, drawing and storing it first if it is
/// not there yet.
pub async fn pdf_key(
    p: &Printer<'_>,
    tenant: &Arc<Tenant>,
    record: &Record,
) -> Result<MediaKey, AppError> {
    if let Some(key) = record
        .pdf_key
        .as_deref()
        .and_then(MediaKey::parse)
        .filter(|k| k.tenant == tenant.id)
    {
        return Ok(key);
    }
    let started = std::time::Instant::now();
    let bytes = draw(p, tenant, record).await;
    let key = MediaKey::of_bytes(tenant.id, "certificates", &bytes, "pdf");
    p.media
        .store
        .put_bytes(&key, &bytes, "application/pdf")
        .await
        .map_err(AppError::internal)?;
    let row = NewMedia {
        key: key.clone(),
        content_type: "application/pdf".into(),
        len: bytes.len() as u64,
        info: Default::default(),
        original_name: format!("certificate-{}.pdf", record.id),
        uploader: None,
    };
    let (id, stored) = (record.id, key.as_str().to_owned());
    tenant_tx(&p.pool, tenant.id, "certificate_write", move |conn| {
        Box::pin(async move {
            row.insert(conn).await?;
            diesel::update(certificates::table.find(id))
                .set(certificates::pdf_key.eq(stored))
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await?;
    p.metrics
        .certificate_drawing
        .observe(started.elapsed().as_secs_f64());
    tracing::info!(certificate = %record.id, bytes = bytes.len(), "certificate drawn");
    Ok(key)
}

/// After a completion committed: draws the new certificate's PDF. A failure is logged; the PDF
/// is drawn on its first download instead.
pub async fn issued(p: &Printer<'_>, tenant: &Arc<Tenant>, certificate: Option<Uuid>) {
    let Some(id) = certificate else { return };
    let result = async {
        let record = load(&p.pool, tenant, id).await?;
        pdf_key(p, tenant, &record).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = ?e, certificate = %id, "drawing a certificate failed");
    }
}

/// A certificate of `tenant`, read on `pool`.
pub async fn load(pool: &PgPool, tenant: &Tenant, id: Uuid) -> Result<Record, AppError> {
    tenant_tx(pool, tenant.id, "certificate", move |conn| {
        Box::pin(async move { find(conn, id).await })
    })
    .await?
    .ok_or(AppError::NotFound)
}
