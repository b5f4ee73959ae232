//! Generated courses: a deterministic generator (the same sequence on every machine) and the
//! statements that write its courses, sections and lessons through the tenant door.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{courses, lessons, sections};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
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

pub(super) fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .expect("valid date")
}

/// A generated lesson: id, title, kind, free preview.
type LessonSeed = (Uuid, String, &'static str, bool);

/// A generated section: id, title, lessons.
type SectionSeed = (Uuid, String, Vec<LessonSeed>);

/// One generated course and its curriculum.
pub(super) struct CourseRow {
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
    pub(super) sections: Vec<SectionSeed>,
}

pub(super) fn gen_course(
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

pub(super) async fn insert_courses(
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

pub(super) async fn course_count(pool: &PgPool, tenant: TenantId) -> Result<i64, AppError> {
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
