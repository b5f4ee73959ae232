//! Large data sets for benchmarks: many schools of many courses, and learners with progress.

use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

use super::courses::{CourseRow, Rng, base_time, course_count, gen_course, insert_courses};
use crate::db::schema::{categories, courses, tenants};
use crate::db::{PgPool, global_tx, tenant_tx};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

const BENCH_CATEGORIES: &[(&str, &str)] = &[
    ("programming", "Programming"),
    ("data", "Data"),
    ("design", "Design"),
    ("business", "Business"),
    ("languages", "Languages"),
    ("science", "Science"),
];

const CHUNK: usize = 1000;

/// `n` benchmark schools (`bench-00001`…) with `per_school` published courses each. Schools that
/// already have courses are skipped, so an interrupted run can simply be repeated.
pub async fn generate(
    pool: &PgPool,
    n: u32,
    per_school: u32,
    seed: u64,
    parallel: usize,
) -> Result<(), AppError> {
    let slugs: Vec<String> = (1..=n).map(|i| format!("bench-{i:05}")).collect();
    let ids: Vec<(String, Uuid)> = global_tx(pool, "seed", move |conn| {
        Box::pin(async move {
            for chunk in slugs.chunks(1000) {
                let values: Vec<_> = chunk
                    .iter()
                    .map(|s| {
                        (
                            tenants::slug.eq(s),
                            tenants::name.eq(format!("Bench School {}", &s[6..])),
                        )
                    })
                    .collect();
                diesel::insert_into(tenants::table)
                    .values(values)
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
            }
            Ok(tenants::table
                .filter(tenants::slug.eq_any(&slugs))
                .order(tenants::slug)
                .select((tenants::slug, tenants::id))
                .load(conn)
                .await?)
        })
    })
    .await?;
    let bar = ProgressBar::new(n as u64 * per_school as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} courses ({per_sec}, eta {eta})")
            .expect("valid template"),
    );
    let results: Vec<Result<(), AppError>> =
        futures_util::stream::iter(ids.into_iter().enumerate())
            .map(|(i, (_, id))| {
                let bar = bar.clone();
                async move {
                    let tenant = TenantId(id);
                    if course_count(pool, tenant).await? > 0 {
                        bar.inc(per_school as u64);
                        return Ok(());
                    }
                    let mut rng = Rng::new(
                        seed.wrapping_add(i as u64)
                            .wrapping_mul(0x2545_f491_4f6c_dd1d),
                    );
                    tenant_tx(pool, tenant, "seed", |conn| {
                        Box::pin(async move {
                            let values: Vec<_> = BENCH_CATEGORIES
                                .iter()
                                .enumerate()
                                .map(|(p, (s, name))| {
                                    (
                                        categories::tenant_id.eq(id),
                                        categories::slug.eq(*s),
                                        categories::name.eq(*name),
                                        categories::position.eq(p as i32),
                                    )
                                })
                                .collect();
                            diesel::insert_into(categories::table)
                                .values(values)
                                .on_conflict_do_nothing()
                                .execute(conn)
                                .await?;
                            Ok(())
                        })
                    })
                    .await?;
                    let cats: Vec<(String, String)> = BENCH_CATEGORIES
                        .iter()
                        .map(|(s, n)| ((*s).to_owned(), (*n).to_owned()))
                        .collect();
                    let mut done = 0usize;
                    while done < per_school as usize {
                        let take = CHUNK.min(per_school as usize - done);
                        let rows: Vec<CourseRow> = (done..done + take)
                            .map(|k| {
                                let at = base_time() + Duration::minutes(k as i64);
                                let mut c =
                                    gen_course(&mut rng, k + 1, &cats[k % cats.len()], true, at);
                                c.sections.truncate(1);
                                c
                            })
                            .collect();
                        tenant_tx(pool, tenant, "seed", move |conn| {
                            Box::pin(async move { insert_courses(conn, tenant, &rows).await })
                        })
                        .await?;
                        done += take;
                        bar.inc(take as u64);
                    }
                    Ok(())
                }
            })
            .buffer_unordered(parallel.max(1))
            .collect()
            .await;
    bar.finish();
    results.into_iter().collect()
}

/// Publishes or unpublishes one course; the change reaches every running instance's pages.
pub async fn set_published(
    pool: &PgPool,
    school: &str,
    course: &str,
    published: bool,
) -> Result<(), AppError> {
    let tenant = crate::tenancy::lifecycle::school_id(pool, school).await?;
    let course = course.to_owned();
    let changed = tenant_tx(pool, tenant, "seed", move |conn| {
        Box::pin(async move {
            Ok(diesel::update(
                courses::table
                    .filter(courses::tenant_id.eq(tenant.0))
                    .filter(courses::slug.eq(course)),
            )
            .set((
                courses::published.eq(published),
                courses::published_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("coalesce(published_at, now())")),
                courses::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?)
        })
    })
    .await?;
    if changed == 0 {
        return Err(AppError::bad_request(Msg::new(
            "error-no-such-course-at-that",
        )));
    }
    Ok(())
}

/// `learners` accounts per benchmark school, each enrolled in `per_learner` random courses (for
/// the enrollment indexes and load). All share one password hash: hashing each would take hours.
pub async fn generate_learners(
    pool: &PgPool,
    schools: u32,
    learners: u32,
    per_learner: u32,
    seed: u64,
) -> Result<(), AppError> {
    use crate::db::schema::{enrollments, users};
    let hash = crate::accounts::password::NewPassword::parse("bench learner password", "")
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?
        .hash()
        .map_err(AppError::internal)?;
    let bar = ProgressBar::new(u64::from(schools) * u64::from(learners)).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} learners ({per_sec})")
            .expect("valid template"),
    );
    for i in 1..=schools {
        let tenant = crate::tenancy::lifecycle::school_id(pool, &format!("bench-{i:05}")).await?;
        let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(u64::from(i)));
        let hash = hash.clone();
        tenant_tx(pool, tenant, "seed", move |conn| {
            Box::pin(async move {
                let course_ids: Vec<Uuid> = courses::table
                    .filter(courses::tenant_id.eq(tenant.0))
                    .filter(courses::published)
                    .select(courses::id)
                    .load(conn)
                    .await?;
                if course_ids.is_empty() {
                    return Ok(());
                }
                for chunk in (0..learners).collect::<Vec<_>>().chunks(1000) {
                    let rows: Vec<_> = chunk
                        .iter()
                        .map(|n| {
                            (
                                users::id.eq(rng.uuid()),
                                users::tenant_id.eq(tenant.0),
                                users::email.eq(format!("learner{n}@bench.test")),
                                users::name.eq(format!("Learner {n}")),
                                users::password_hash.eq(hash.clone()),
                            )
                        })
                        .collect();
                    let ids: Vec<Uuid> = diesel::insert_into(users::table)
                        .values(rows)
                        .on_conflict_do_nothing()
                        .returning(users::id)
                        .get_results(conn)
                        .await?;
                    let picks: Vec<_> = ids
                        .iter()
                        .flat_map(|u| {
                            (0..per_learner)
                                .map(|_| *rng.pick(&course_ids))
                                .collect::<Vec<_>>()
                                .into_iter()
                                .map(move |c| (*u, c))
                        })
                        .collect();
                    let rows: Vec<_> = picks
                        .iter()
                        .map(|(u, c)| {
                            (
                                enrollments::tenant_id.eq(tenant.0),
                                enrollments::user_id.eq(*u),
                                enrollments::course_id.eq(*c),
                            )
                        })
                        .collect();
                    for part in rows.chunks(10_000) {
                        diesel::insert_into(enrollments::table)
                            .values(part)
                            .on_conflict_do_nothing()
                            .execute(conn)
                            .await?;
                    }
                }
                Ok(())
            })
        })
        .await?;
        bar.inc(u64::from(learners));
    }
    bar.finish();
    Ok(())
}
