//! Demo content for the schools in `tenants/`, and a deterministic generator of large data sets
//! for benchmarks. Everything is written through the tenant door, as the owner role.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

use crate::db::schema::{categories, courses, lessons, sections, tenants};
use crate::db::{PgPool, global_tx, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::media::key::MediaKey;
use crate::media::probe::{self, MediaInfo};
use crate::media::record::NewMedia;
use crate::media::store::Store;
use crate::slug::slugify;

/// splitmix64: tiny, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random (version 4) UUID, reproducible from the seed.
    pub fn uuid(&mut self) -> Uuid {
        let bytes = ((self.next_u64() as u128) << 64 | self.next_u64() as u128).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

const SUBJECTS: &[(&str, &[&str])] = &[
    (
        "programming",
        &[
            "Python",
            "Rust",
            "JavaScript",
            "Go",
            "SQL",
            "Git",
            "Testing",
            "Web APIs",
            "Algorithms",
        ],
    ),
    (
        "data",
        &[
            "Statistics",
            "Data Visualisation",
            "Spreadsheets",
            "Machine Learning",
            "Dashboards",
            "Data Cleaning",
        ],
    ),
    (
        "design",
        &[
            "Typography",
            "Colour Theory",
            "UX Research",
            "Figma",
            "Accessibility",
            "Illustration",
        ],
    ),
    (
        "business",
        &[
            "Negotiation",
            "Accounting",
            "Marketing",
            "Project Management",
            "Leadership",
            "Sales",
        ],
    ),
    (
        "languages",
        &[
            "Spanish",
            "French",
            "German",
            "Japanese",
            "Italian",
            "Portuguese",
            "Mandarin",
        ],
    ),
    (
        "music",
        &[
            "Guitar",
            "Piano",
            "Music Theory",
            "Songwriting",
            "Ear Training",
            "Home Recording",
        ],
    ),
    (
        "science",
        &[
            "Astronomy",
            "Chemistry",
            "Ecology",
            "Physics",
            "Human Biology",
            "Geology",
        ],
    ),
    (
        "wellbeing",
        &[
            "Yoga",
            "Mindfulness",
            "Nutrition",
            "Sleep",
            "Running",
            "Stress Management",
        ],
    ),
];
const FORMS: &[&str] = &[
    "Introduction to {}",
    "{} Foundations",
    "Practical {}",
    "{} in Depth",
    "{} for Busy People",
    "Advanced {}",
    "{} Workshop",
    "The {} Toolkit",
    "{} Step by Step",
    "Mastering {}",
];
const TAGS: &[&str] = &[
    "beginner-friendly",
    "project-based",
    "certificate",
    "self-paced",
    "hands-on",
    "quizzes",
    "career",
    "weekend",
    "theory",
    "live-sessions",
    "exercises",
    "community",
];
const LEVELS: &[&str] = &["beginner", "intermediate", "advanced"];
const SECTION_TITLES: &[&str] = &[
    "Getting started",
    "Core ideas",
    "Practice",
    "Going further",
    "Wrapping up",
];
const LESSON_TITLES: &[&str] = &[
    "Overview",
    "Key terms",
    "A worked example",
    "Your turn",
    "Common mistakes",
    "Recap",
];

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .expect("valid date")
}

/// A generated lesson: id, title, kind, free preview.
type LessonSeed = (Uuid, String, &'static str, bool);
/// A generated section: id, title, lessons.
type SectionSeed = (Uuid, String, Vec<LessonSeed>);

/// One generated course and its curriculum.
struct CourseRow {
    id: Uuid,
    slug: String,
    title: String,
    summary: String,
    description: String,
    category: String,
    tags: Vec<String>,
    level: String,
    duration_minutes: i32,
    published: bool,
    published_at: Option<DateTime<Utc>>,
    sections: Vec<SectionSeed>,
}

fn gen_course(
    rng: &mut Rng,
    index: usize,
    category: &(String, String),
    published: bool,
    at: DateTime<Utc>,
) -> CourseRow {
    let subjects: &[&str] = SUBJECTS
        .iter()
        .find(|(slug, _)| *slug == category.0)
        .map_or(&[], |(_, s)| *s);
    let subject = if subjects.is_empty() {
        category.1.as_str()
    } else {
        rng.pick(subjects)
    };
    let title = rng.pick(FORMS).replace("{}", subject);
    let mut tags: Vec<String> = vec![slugify(subject, usize::MAX)];
    for _ in 0..1 + rng.below(3) {
        tags.push((*rng.pick(TAGS)).to_owned());
    }
    tags.sort();
    tags.dedup();
    let level = (*rng.pick(LEVELS)).to_owned();
    let sections = (0..2 + rng.below(2))
        .map(|s| {
            let lessons = (0..2 + rng.below(3))
                .map(|l| {
                    let kind = if rng.below(3) == 0 { "video" } else { "text" };
                    (
                        rng.uuid(),
                        LESSON_TITLES[(s + l) % LESSON_TITLES.len()].to_owned(),
                        kind,
                        s == 0 && l == 0,
                    )
                })
                .collect();
            (
                rng.uuid(),
                SECTION_TITLES[s % SECTION_TITLES.len()].to_owned(),
                lessons,
            )
        })
        .collect();
    CourseRow {
        id: rng.uuid(),
        slug: format!("{}-{index}", slugify(&title, usize::MAX)),
        summary: format!(
            "{} {level} course on {subject}: short lessons, practical exercises and a clear path from first steps to confident use.",
            if level.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "An"
            } else {
                "A"
            }
        ),
        description: format!(
            "{title} takes you through {subject} one idea at a time. Each section ends with an exercise, and every lesson is short enough for a lunch break."
        ),
        title,
        category: category.0.clone(),
        tags,
        level,
        duration_minutes: 30 + 15 * rng.below(20) as i32,
        published,
        published_at: published.then_some(at),
        sections,
    }
}

async fn insert_courses(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    rows: &[CourseRow],
) -> Result<(), AppError> {
    let course_values: Vec<_> = rows
        .iter()
        .map(|c| {
            (
                courses::id.eq(c.id),
                courses::tenant_id.eq(tenant.0),
                courses::slug.eq(&c.slug),
                courses::title.eq(&c.title),
                courses::summary.eq(&c.summary),
                courses::description.eq(&c.description),
                courses::category.eq(&c.category),
                courses::tags.eq(&c.tags),
                courses::level.eq(&c.level),
                courses::duration_minutes.eq(c.duration_minutes),
                courses::published.eq(c.published),
                courses::published_at.eq(c.published_at),
            )
        })
        .collect();
    diesel::insert_into(courses::table)
        .values(course_values)
        .execute(conn)
        .await?;
    let section_values: Vec<_> = rows
        .iter()
        .flat_map(|c| {
            c.sections
                .iter()
                .enumerate()
                .map(move |(i, (id, title, _))| {
                    (
                        sections::id.eq(*id),
                        sections::tenant_id.eq(tenant.0),
                        sections::course_id.eq(c.id),
                        sections::position.eq(i as i32),
                        sections::title.eq(title),
                    )
                })
        })
        .collect();
    diesel::insert_into(sections::table)
        .values(section_values)
        .execute(conn)
        .await?;
    let lesson_values: Vec<_> = rows
        .iter()
        .flat_map(|c| c.sections.iter())
        .flat_map(|(section, _, lessons)| {
            lessons
                .iter()
                .enumerate()
                .map(move |(i, (id, title, kind, preview))| {
                    (
                        lessons::id.eq(*id),
                        lessons::tenant_id.eq(tenant.0),
                        lessons::section_id.eq(*section),
                        lessons::position.eq(i as i32),
                        lessons::slug.eq(format!("{}-{}", slugify(title, usize::MAX), i + 1)),
                        lessons::title.eq(title),
                        lessons::kind.eq(*kind),
                        lessons::body
                            .eq("Read the notes, try the exercise, then mark the lesson complete."),
                        lessons::duration_seconds.eq(300),
                        lessons::free_preview.eq(*preview),
                    )
                })
        })
        .collect();
    for chunk in lesson_values.chunks(4000) {
        diesel::insert_into(lessons::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn course_count(pool: &PgPool, tenant: TenantId) -> Result<i64, AppError> {
    tenant_tx(pool, tenant, "seed", |conn| {
        Box::pin(async move {
            Ok(courses::table
                .filter(courses::tenant_id.eq(tenant.0))
                .count()
                .get_result(conn)
                .await?)
        })
    })
    .await
}

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
const DEMO_VIDEO: &[u8] = include_bytes!("../static/demo/lesson.webm");

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
        return Err(AppError::bad_request("no such course at that school"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic() {
        let cat = ("data".to_owned(), "Data".to_owned());
        let a = gen_course(&mut Rng::new(7), 1, &cat, true, base_time());
        let b = gen_course(&mut Rng::new(7), 1, &cat, true, base_time());
        assert_eq!((a.id, &a.slug, &a.tags), (b.id, &b.slug, &b.tags));
        let c = gen_course(&mut Rng::new(8), 1, &cat, true, base_time());
        assert_ne!(a.id, c.id);
        assert_eq!(a.id.get_version_num(), 4);
    }
}
