//! Catalog reads. Every function takes a connection already inside the tenant door; the explicit
//! `tenant_id` conditions are for the planner (row estimates, index choice), not for isolation.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::query::{CatalogQuery, Cursor, PageAt};
use crate::db::schema::{categories, course_prerequisites, courses, lessons, sections, tenants};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

#[derive(Debug, Clone, Serialize, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = courses)]
pub struct CourseCard {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub tags: Vec<String>,
    pub level: String,
    pub duration_minutes: i32,
    /// The language the course is written in (a tag).
    pub language: String,
    pub published_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub cover_image_key: Option<String>,
    #[serde(skip)]
    pub cover_width: Option<i32>,
    #[serde(skip)]
    pub cover_height: Option<i32>,
}

impl CourseCard {
    fn cursor(&self) -> Cursor {
        Cursor {
            published_at_us: self.published_at.map_or(0, |t| t.timestamp_micros()),
            id: self.id,
        }
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct CatalogPage {
    pub items: Vec<CourseCard>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

/// The school's catalog version, read first so the data that follows is at least this new.
/// 0 on a replica that has not replayed the school's creation yet.
pub async fn catalog_version(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<i64, AppError> {
    let version = tenants::table
        .find(tenant.0)
        .select(tenants::catalog_version)
        .get_result(conn)
        .await
        .optional()?;
    Ok(version.unwrap_or(0))
}

pub async fn categories(conn: &mut AsyncPgConnection) -> Result<Vec<Category>, AppError> {
    Ok(categories::table
        .order((categories::position, categories::slug))
        .select(Category::as_select())
        .load(conn)
        .await?)
}

/// The languages the school's published courses are written in, for the catalog's filter.
pub async fn course_languages(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Vec<String>, AppError> {
    Ok(courses::table
        .filter(courses::tenant_id.eq(tenant.0))
        .filter(courses::published)
        .select(courses::language)
        .distinct()
        .order(courses::language)
        .load(conn)
        .await?)
}

pub async fn newest(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    n: i64,
) -> Result<Vec<CourseCard>, AppError> {
    Ok(courses::table
        .filter(courses::tenant_id.eq(tenant.0).and(courses::published))
        .order((courses::published_at.desc(), courses::id.desc()))
        .limit(n)
        .select(CourseCard::as_select())
        .load(conn)
        .await?)
}

/// A query assembled at run time: values are bound in order as their `$n` placeholders are
/// handed out, and the text is appended last.
struct Sql<'a> {
    query: diesel::query_builder::BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>,
    n: usize,
}

impl<'a> Sql<'a> {
    fn new() -> Self {
        Self {
            query: diesel::sql_query("").into_boxed(),
            n: 0,
        }
    }

    fn param<T, V>(&mut self, value: V) -> String
    where
        Pg: diesel::sql_types::HasSqlType<T>,
        V: diesel::serialize::ToSql<T, Pg> + Send + 'a,
        T: Send + 'a,
    {
        self.n += 1;
        let q = std::mem::replace(&mut self.query, diesel::sql_query("").into_boxed());
        self.query = q.bind::<T, V>(value);
        format!("${}", self.n)
    }
}

/// One page of published courses, newest first, by keyset: the database seeks straight to the
/// cursor, so page 1,000 costs what page 1 costs. A tag or a search word drives the scan through
/// its side table (see the migration); the remaining filters apply to the rows it yields.
fn catalog_query(
    tenant: TenantId,
    q: &CatalogQuery,
    prefix: &str,
) -> Result<
    diesel::query_builder::BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery>,
    AppError,
> {
    let mut sql = Sql::new();
    let t = sql.param::<diesel::sql_types::Uuid, _>(tenant.0);
    let mut conds = vec![format!("c.tenant_id = {t}"), "c.published".to_owned()];
    let (from, key, key_id) = if let Some(first) = <[_]>::first(&q.tags) {
        let tag = sql.param::<Text, _>(first.clone());
        conds.push(format!("k.tenant_id = {t} AND k.tag = {tag}"));
        (
            "course_tags k JOIN courses c ON c.tenant_id = k.tenant_id AND c.id = k.course_id",
            "k",
            "course_id",
        )
    } else if let Some(text) = &q.q {
        let words = sql.param::<Text, _>(text.clone());
        // Drive by the query's longest word (usually the rarest); @@ below checks all of them.
        conds.push(format!(
            "k.tenant_id = {t} AND k.term = (SELECT lexeme FROM unnest(to_tsvector('english', {words})) \
             ORDER BY length(lexeme) DESC, lexeme LIMIT 1)"
        ));
        (
            "course_terms k JOIN courses c ON c.tenant_id = k.tenant_id AND c.id = k.course_id",
            "k",
            "course_id",
        )
    } else {
        ("courses c", "c", "id")
    };
    if let Some(category) = &q.category {
        conds.push(format!(
            "c.category = {}",
            sql.param::<Text, _>(category.clone())
        ));
    }
    if let Some(language) = &q.language {
        conds.push(format!(
            "c.language = {}",
            sql.param::<Text, _>(language.clone())
        ));
    }
    // Further tags are probes of course_tags' primary key: leakproof equality again, so the
    // planner keeps walking the first tag's index in catalog order.
    for tag in q.tags.iter().skip(1) {
        let tag = sql.param::<Text, _>(tag.clone());
        conds.push(format!(
            "EXISTS (SELECT 1 FROM course_tags k2 WHERE k2.course_id = c.id AND k2.tag = {tag})"
        ));
    }
    if let Some(text) = &q.q {
        conds.push(format!(
            "c.search @@ plainto_tsquery('english', {})",
            sql.param::<Text, _>(text.clone())
        ));
    }
    let (cmp, dir) = match q.page {
        PageAt::First => (None, "DESC"),
        PageAt::After(c) => (Some((c, "<")), "DESC"),
        PageAt::Before(c) => (Some((c, ">")), "ASC"),
    };
    if let Some((c, op)) = cmp {
        let ts = DateTime::<Utc>::from_timestamp_micros(c.published_at_us)
            .ok_or_else(|| AppError::bad_request(Msg::new("error-malformed-page-cursor")))?;
        let ts = sql.param::<Timestamptz, _>(ts);
        let id = sql.param::<diesel::sql_types::Uuid, _>(c.id);
        conds.push(format!(
            "({key}.published_at, {key}.{key_id}) {op} ({ts}, {id})"
        ));
    }
    let limit = sql.param::<BigInt, _>(q.limit as i64 + 1);
    let text = format!(
        "{prefix}SELECT c.id, c.slug, c.title, c.summary, c.category, c.tags, c.level, c.duration_minutes, c.language, c.published_at, \
         c.cover_image_key, c.cover_width, c.cover_height \
         FROM {from} WHERE {} ORDER BY {key}.published_at {dir}, {key}.{key_id} {dir} LIMIT {limit}",
        conds.join(" AND ")
    );
    Ok(sql.query.sql(text))
}

pub async fn catalog_page(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    q: &CatalogQuery,
) -> Result<CatalogPage, AppError> {
    let mut items: Vec<CourseCard> = catalog_query(tenant, q, "")?.load(conn).await?;
    let more = items.len() > q.limit;
    items.truncate(q.limit);
    if matches!(q.page, PageAt::Before(_)) {
        items.reverse();
    }
    let (first, last) = (
        <[_]>::first(&items).map(CourseCard::cursor),
        items.last().map(CourseCard::cursor),
    );
    let (prev, next) = match q.page {
        PageAt::First => (None, last.filter(|_| more)),
        PageAt::After(_) => (first, last.filter(|_| more)),
        PageAt::Before(_) => (first.filter(|_| more), last),
    };
    Ok(CatalogPage { items, next, prev })
}

#[derive(Debug, Clone, Serialize)]
pub struct CourseDetail {
    #[serde(flatten)]
    pub card: CourseCard,
    pub description: String,
    pub sections: Vec<SectionView>,
    /// Courses to complete before enrolling.
    pub prerequisites: Vec<CourseLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub title: String,
    /// Opens this many days after a learner enrolls (drip).
    pub unlock_after_days: Option<i32>,
    /// Opens at this instant.
    pub unlock_at: Option<DateTime<Utc>>,
    pub lessons: Vec<LessonView>,
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct CourseLink {
    pub slug: String,
    pub title: String,
}

/// The prerequisites of each of `courses` (by course id), in title order.
pub async fn prerequisites(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    of: &[Uuid],
) -> Result<HashMap<Uuid, Vec<CourseLink>>, AppError> {
    let rows: Vec<(Uuid, CourseLink)> = course_prerequisites::table
        .inner_join(courses::table.on(courses::id.eq(course_prerequisites::required_id)))
        .filter(course_prerequisites::tenant_id.eq(tenant.0))
        .filter(course_prerequisites::course_id.eq_any(of))
        .order(courses::title)
        .select((
            course_prerequisites::course_id,
            (courses::slug, courses::title),
        ))
        .load(conn)
        .await?;
    let mut by_course: HashMap<Uuid, Vec<CourseLink>> = HashMap::new();
    for (course, link) in rows {
        by_course.entry(course).or_default().push(link);
    }
    Ok(by_course)
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = lessons)]
pub struct LessonView {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub duration_seconds: i32,
    pub free_preview: bool,
    pub optional: bool,
}

/// A published course with its curriculum; `None` when there is no such published course.
pub async fn course_detail(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    slug: &str,
) -> Result<Option<CourseDetail>, AppError> {
    let found: Option<(CourseCard, String)> = courses::table
        .filter(
            courses::tenant_id
                .eq(tenant.0)
                .and(courses::slug.eq(slug))
                .and(courses::published),
        )
        .select((CourseCard::as_select(), courses::description))
        .first(conn)
        .await
        .optional()?;
    let Some((card, description)) = found else {
        return Ok(None);
    };
    type Row = (
        Uuid,
        String,
        Option<i32>,
        Option<DateTime<Utc>>,
        Option<LessonView>,
    );
    let rows: Vec<Row> = sections::table
        .left_join(lessons::table)
        .filter(sections::course_id.eq(card.id))
        .order((sections::position, lessons::position))
        .select((
            sections::id,
            sections::title,
            sections::unlock_after_days,
            sections::unlock_at,
            Option::<LessonView>::as_select(),
        ))
        .load(conn)
        .await?;
    let mut sections: Vec<(Uuid, SectionView)> = Vec::new();
    for (id, title, unlock_after_days, unlock_at, lesson) in rows {
        if sections.last().is_none_or(|(last, _)| *last != id) {
            sections.push((
                id,
                SectionView {
                    title,
                    unlock_after_days,
                    unlock_at,
                    lessons: Vec::new(),
                },
            ));
        }
        if let (Some(lesson), Some((_, section))) = (lesson, sections.last_mut()) {
            section.lessons.push(lesson);
        }
    }
    let prerequisites = prerequisites(conn, tenant, &[card.id])
        .await?
        .remove(&card.id)
        .unwrap_or_default();
    Ok(Some(CourseDetail {
        card,
        description,
        sections: sections.into_iter().map(|(_, s)| s).collect(),
        prerequisites,
    }))
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan PostgreSQL picks for a catalog page (ops diagnostics and the index tests).
pub async fn explain_catalog_page(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    q: &CatalogQuery,
) -> Result<String, AppError> {
    let lines: Vec<PlanLine> = catalog_query(tenant, q, "EXPLAIN (ANALYZE, COSTS OFF) ")?
        .load(conn)
        .await?;
    Ok(lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n"))
}
