//! Demo content for the schools in `tenants/`: generated courses with covers and a video lesson,
//! written as the owner role through the tenant door.

use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::courses::{CourseRow, Rng, base_time, course_count, gen_course, insert_courses};
use crate::db::schema::{categories, lessons};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::media::key::MediaKey;
use crate::media::probe::{self, MediaInfo};
use crate::media::record::NewMedia;
use crate::media::store::Store;

/// Stores one demo file for a school with its metadata row.
async fn store_demo(
    pool: &PgPool,
    store: &Store,
    tenant: TenantId,
    bytes: &[u8],
    ext: &str,
    content_type: &str,
    info: MediaInfo,
) -> Result<MediaKey, AppError> {
    let folder = if content_type.starts_with("image/") {
        "image"
    } else {
        "video"
    };
    let key = MediaKey::of_bytes(tenant, folder, bytes, ext);
    store
        .put_bytes(&key, bytes, content_type)
        .await
        .map_err(AppError::internal)?;
    NewMedia {
        key: key.clone(),
        content_type: content_type.to_owned(),
        len: bytes.len() as u64,
        info,
        original_name: format!("demo.{ext}"),
        uploader: None,
    }
    .record(pool)
    .await?;
    Ok(key)
}

/// Demo cover art: a few generated 1280×720 JPEGs (diagonal bands in one hue each), made once
/// per process and shared by every school's demo courses.
static DEMO_COVERS: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(|| {
    const HUES: &[(u8, u8, u8)] = &[
        (37, 99, 235),
        (5, 150, 105),
        (217, 119, 6),
        (190, 24, 93),
        (124, 58, 237),
        (14, 116, 144),
    ];
    HUES.iter()
        .map(|&(r, g, b)| {
            let img = image::RgbImage::from_fn(COVER_SIZE.0, COVER_SIZE.1, |x, y| {
                let band = ((x + y) / 90) % 2 == 0;
                let shade = |c: u8| {
                    let lit = u32::from(c) + (255 - u32::from(c)) * y / COVER_SIZE.1 / 2;
                    if band { lit as u8 } else { (lit * 7 / 8) as u8 }
                };
                image::Rgb([shade(r), shade(g), shade(b)])
            });
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
                .encode_image(&img)
                .expect("encoding a generated cover");
            out
        })
        .collect()
});

const COVER_SIZE: (u32, u32) = (1280, 720);

/// Gives every demo course of the school a cover.
async fn attach_demo_covers(
    pool: &PgPool,
    store: &Store,
    tenant: TenantId,
) -> Result<(), AppError> {
    let size = (COVER_SIZE.0 as i32, COVER_SIZE.1 as i32);
    let mut keys = Vec::new();
    for cover in DEMO_COVERS.iter() {
        let info = MediaInfo {
            width: Some(size.0),
            height: Some(size.1),
            duration_seconds: None,
        };
        let key = store_demo(pool, store, tenant, cover, "jpg", "image/jpeg", info).await?;
        keys.push(key.as_str().to_owned());
    }
    tenant_tx(pool, tenant, "seed", move |conn| {
        Box::pin(async move {
            // One statement, so the school's catalog version moves once, not once per course.
            diesel::sql_query(
                "UPDATE courses AS c
                    SET cover_image_key = ($1::text[])[1 + o.n % cardinality($1::text[])],
                        cover_width = $2, cover_height = $3
                   FROM (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS n
                           FROM courses WHERE tenant_id = $4) AS o
                  WHERE o.id = c.id AND c.tenant_id = $4",
            )
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&keys)
            .bind::<diesel::sql_types::Integer, _>(size.0)
            .bind::<diesel::sql_types::Integer, _>(size.1)
            .bind::<diesel::sql_types::Uuid, _>(tenant.0)
            .execute(conn)
            .await?;
            Ok(())
        })
    })
    .await
}

/// A short generated clip (VP9, 6 s) so a newcomer sees real video on the first start.
const DEMO_VIDEO: &[u8] = include_bytes!("../../static/demo/lesson.webm");

/// Stores the demo clip for a school and makes the first lesson of each of its courses (the free
/// preview) a video lesson playing it.
async fn attach_demo_video(pool: &PgPool, store: &Store, tenant: TenantId) -> Result<(), AppError> {
    let key = store_demo(
        pool,
        store,
        tenant,
        DEMO_VIDEO,
        "webm",
        "video/webm",
        probe::video_info("webm", DEMO_VIDEO, &[]),
    )
    .await?;
    tenant_tx(pool, tenant, "seed", move |conn| {
        Box::pin(async move {
            diesel::update(
                lessons::table
                    .filter(lessons::tenant_id.eq(tenant.0))
                    .filter(lessons::free_preview),
            )
            .set((
                lessons::kind.eq("video"),
                lessons::video_key.eq(key.as_str()),
            ))
            .execute(conn)
            .await?;
            Ok(())
        })
    })
    .await
}

pub const DEMO_COURSES: usize = 36;

pub const DEMO_DRAFTS: usize = 3;

/// Demo courses for each given school that has none yet. Returns how many schools were seeded.
pub async fn demo(
    pool: &PgPool,
    schools: &[(String, TenantId)],
    seed: u64,
    store: &Store,
) -> Result<usize, AppError> {
    let mut seeded = 0;
    for (slug, tenant) in schools {
        let tenant = *tenant;
        if course_count(pool, tenant).await? > 0 {
            continue;
        }
        let cats: Vec<(String, String)> = tenant_tx(pool, tenant, "seed", |conn| {
            Box::pin(async move {
                Ok(categories::table
                    .filter(categories::tenant_id.eq(tenant.0))
                    .order(categories::position)
                    .select((categories::slug, categories::name))
                    .load(conn)
                    .await?)
            })
        })
        .await?;
        if cats.is_empty() {
            continue;
        }
        let mut rng = Rng::new(
            seed ^ slug
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)),
        );
        let rows: Vec<CourseRow> = (0..DEMO_COURSES)
            .map(|i| {
                let at = base_time() + Duration::hours(37 * i as i64);
                gen_course(&mut rng, i + 1, &cats[i % cats.len()], i >= DEMO_DRAFTS, at)
            })
            .collect();
        tenant_tx(pool, tenant, "seed", move |conn| {
            Box::pin(async move { insert_courses(conn, tenant, &rows).await })
        })
        .await?;
        attach_demo_video(pool, store, tenant).await?;
        attach_demo_covers(pool, store, tenant).await?;
        seeded += 1;
    }
    Ok(seeded)
}
