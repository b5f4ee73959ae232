//! Catalog pages: the keys actors cache them under, and how a miss is loaded and rendered (the
//! handlers are in `web::catalog`).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::Bytes;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::query::{CatalogQuery, PageAt};
use super::store::{self, CatalogPage, Category, CourseCard, CourseDetail, CourseLink};
use crate::accounts::sessions::Viewer;
use crate::accounts::{ACCOUNT_SLOT, account_slot};
use crate::assessment::quizzes::{self, Quiz};
use crate::db::{PgPool, Pools, tenant_tx};
use crate::encoded::Page;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::learning::store::{self as lesson_store, LessonPage};
use crate::learning::{DASHBOARD_SLOT, ENROLLMENT_SLOT, enrollment_slot};
use crate::learning::{lesson_page, quiz_page};
use crate::media::Media;
use crate::media::key::MediaKey;
use crate::media::variants::{Picture, picture};
use crate::tenancy::Tenant;
use crate::views::Views;

/// What rendering a page takes: where to read, the templates, and the signer of its image links.
pub struct Renderer<'a> {
    pub pools: std::sync::Arc<Pools>,
    pub views: &'a Views,
    pub media: &'a Media,
    /// Keep compressed copies too (the page cache is on).
    pub compress: bool,
}

/// A page as the actor caches it: the same bytes for every visitor of the school who reads it
/// in the same language (JSON has none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageKey {
    Home(Locale),
    Catalog(CatalogQuery, Locale),
    Course(String, Locale),
    CatalogJson(CatalogQuery),
    CourseJson(String),
    /// A lesson, by course and lesson slug.
    Lesson(String, String, Locale),
    /// `/learn`, without the learner's courses.
    Learn(Locale),
}

/// A cached page and, for a lesson, what deciding who may see it and filling its slots take.
#[derive(Debug)]
pub struct Rendered {
    pub page: Page,
    /// The lesson's facts (its body is in the page).
    pub lesson: Option<LessonPage>,
    /// A quiz lesson's questions and settings.
    pub quiz: Option<Quiz>,
}

impl std::ops::Deref for Rendered {
    type Target = Page;

    fn deref(&self) -> &Page {
        &self.page
    }
}

impl Rendered {
    /// Bytes held, for the cache's memory cap.
    pub fn size(&self) -> usize {
        self.page.size()
            + self.lesson.as_ref().map_or(0, |_| 256)
            + self.quiz.as_ref().map_or(0, |q| 2 * q.gift.len())
    }
}

impl PageKey {
    /// The language the page is written in.
    pub fn locale(&self) -> Locale {
        match self {
            Self::Home(l) | Self::Catalog(_, l) | Self::Course(_, l) | Self::Learn(l) => *l,
            Self::Lesson(_, _, l) => *l,
            Self::CatalogJson(_) | Self::CourseJson(_) => Locale::SOURCE,
        }
    }

    /// What an anonymous visitor sees in the page's slots.
    fn anonymous_slots(
        &self,
        lesson: Option<&LessonPage>,
        quiz: Option<&Quiz>,
    ) -> Vec<(&'static str, String)> {
        let (nobody, locale) = (Viewer(None), self.locale());
        match self {
            Self::Home(_) | Self::Catalog(..) => {
                vec![(ACCOUNT_SLOT, account_slot(locale, &nobody))]
            }
            Self::Learn(_) => vec![
                (ACCOUNT_SLOT, account_slot(locale, &nobody)),
                (DASHBOARD_SLOT, String::new()),
            ],
            Self::Lesson(..) => match (lesson, quiz) {
                (Some(l), Some(q)) => quiz_page::slots(locale, &nobody, None, l, q),
                (Some(l), None) => lesson_page::slots(locale, &nobody, None, l),
                _ => Vec::new(),
            },
            Self::Course(slug, _) => vec![
                (ACCOUNT_SLOT, account_slot(locale, &nobody)),
                (
                    ENROLLMENT_SLOT,
                    enrollment_slot(locale, &nobody, None, slug, chrono::Utc::now()),
                ),
            ],
            Self::CatalogJson(_) | Self::CourseJson(_) => Vec::new(),
        }
    }

    /// The query family this page's load is measured under.
    pub fn query_name(&self) -> &'static str {
        match self {
            Self::Home(_) => "home",
            Self::Catalog(..) | Self::CatalogJson(_) => "catalog",
            Self::Course(..) | Self::CourseJson(_) => "course",
            Self::Lesson(..) => "lesson",
            Self::Learn(_) => "learn",
        }
    }
}

/// What a page needs, or why it does not exist: decided only once the data is known to be
/// fresh enough (a lagging replica must not turn a new course into a 404).
enum Data {
    Home {
        categories: Vec<Category>,
        newest: Vec<CourseCard>,
        requires: Requires,
    },
    Catalog {
        categories: Vec<Category>,
        languages: Vec<String>,
        page: CatalogPage,
        requires: Requires,
    },
    UnknownCategory(String),
    Course(Option<CourseDetail>),
    Lesson(Option<(LessonPage, Option<Quiz>)>),
    Learn,
}

/// The prerequisites of the courses on a page, by course.
type Requires = HashMap<Uuid, Vec<CourseLink>>;

const NEWEST_ON_HOME: i64 = 6;

async fn requires(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: TenantId,
    cards: &[CourseCard],
) -> Result<Requires, AppError> {
    let ids: Vec<Uuid> = cards.iter().map(|c| c.id).collect();
    store::prerequisites(conn, tenant, &ids).await
}

/// Loads a page from the read pool, or from the primary when the replica has not yet caught up
/// with the newest version known for the school (read-your-writes across instances) or cannot
/// be reached.
pub async fn load(
    ctx: &Renderer<'_>,
    tenant: &Tenant,
    key: &PageKey,
    min_version: i64,
) -> Result<Arc<Rendered>, AppError> {
    let (version, data) = match fetch(ctx.pools.read(), tenant.id, key).await {
        Ok((version, _)) if version < min_version && ctx.pools.has_replicas() => {
            fetch(ctx.pools.primary(), tenant.id, key).await?
        }
        // An unreachable replica degrades to the primary rather than to an error page.
        Err(AppError::Unavailable(e)) if ctx.pools.has_replicas() => {
            tracing::warn!(error = %e, "replica unavailable; reading from the primary");
            fetch(ctx.pools.primary(), tenant.id, key).await?
        }
        other => other?,
    };
    let (shared, lesson, quiz) = match data {
        Data::Lesson(Some((page, Some(quiz)))) => {
            let html = quiz_page::render(ctx.views, key.locale(), tenant, &page, &quiz)?;
            (html.into_bytes(), Some(page), Some(quiz))
        }
        Data::Lesson(Some((page, None))) => {
            let links = lesson_page::links(ctx.media, tenant.id, &page).await?;
            let html = lesson_page::render(ctx.views, key.locale(), tenant, &page, &links)?;
            (html.into_bytes(), Some(page), None)
        }
        data => (render(ctx, tenant, key, data)?, None, None),
    };
    let slots = key.anonymous_slots(lesson.as_ref(), quiz.as_ref());
    let compress = ctx.compress;
    let lesson = lesson.map(|l| LessonPage {
        // In the page already.
        body: String::new(),
        ..l
    });
    let shared = Bytes::from(shared);
    let page =
        actix_web::rt::task::spawn_blocking(move || Page::build(shared, slots, version, compress))
            .await
            .map_err(AppError::internal)?;
    Ok(Arc::new(Rendered { page, lesson, quiz }))
}

async fn fetch(pool: &PgPool, tenant: TenantId, key: &PageKey) -> Result<(i64, Data), AppError> {
    let (name, key) = (key.query_name(), key.clone());
    tenant_tx(pool, tenant, name, move |conn| {
        Box::pin(async move {
            let version = store::catalog_version(conn, tenant).await?;
            let data = match &key {
                PageKey::Home(_) => {
                    let newest = store::newest(conn, tenant, NEWEST_ON_HOME).await?;
                    Data::Home {
                        categories: store::categories(conn).await?,
                        requires: requires(conn, tenant, &newest).await?,
                        newest,
                    }
                }
                PageKey::Catalog(q, _) | PageKey::CatalogJson(q) => {
                    let categories = store::categories(conn).await?;
                    match &q.category {
                        Some(c) if !categories.iter().any(|k| &k.slug == c) => {
                            Data::UnknownCategory(c.clone())
                        }
                        _ => {
                            let page = store::catalog_page(conn, tenant, q).await?;
                            Data::Catalog {
                                requires: requires(conn, tenant, &page.items).await?,
                                languages: store::course_languages(conn, tenant).await?,
                                page,
                                categories,
                            }
                        }
                    }
                }
                PageKey::Course(slug, _) | PageKey::CourseJson(slug) => {
                    Data::Course(store::course_detail(conn, tenant, slug).await?)
                }
                PageKey::Lesson(course, lesson, _) => {
                    match lesson_store::lesson_page(conn, course, lesson).await? {
                        Some(page) if page.kind == "quiz" => {
                            let quiz = quizzes::load(conn, page.lesson_id)
                                .await?
                                .ok_or(AppError::NotFound)?;
                            Data::Lesson(Some((page, Some(quiz))))
                        }
                        page => Data::Lesson(page.map(|p| (p, None))),
                    }
                }
                PageKey::Learn(_) => Data::Learn,
            };
            Ok((version, data))
        })
    })
    .await
}

/// A course card as pages show it: the course and its responsive cover.
#[derive(Serialize)]
struct Card<'a> {
    #[serde(flatten)]
    course: &'a CourseCard,
    cover: Option<Picture>,
    requires: &'a [CourseLink],
}

fn cards<'a>(
    ctx: &Renderer<'_>,
    tenant: &Tenant,
    items: &'a [CourseCard],
    requires: &'a Requires,
) -> Vec<Card<'a>> {
    items
        .iter()
        .map(|course| Card {
            course,
            cover: cover(ctx, tenant, course),
            requires: requires.get(&course.id).map_or(&[], Vec::as_slice),
        })
        .collect()
}

fn cover(ctx: &Renderer<'_>, tenant: &Tenant, card: &CourseCard) -> Option<Picture> {
    let key =
        MediaKey::parse(card.cover_image_key.as_deref()?).filter(|k| k.tenant == tenant.id)?;
    Some(picture(
        ctx.media,
        &key,
        card.cover_width?,
        card.cover_height?,
    ))
}

fn render(
    ctx: &Renderer<'_>,
    tenant: &Tenant,
    key: &PageKey,
    data: Data,
) -> Result<Vec<u8>, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", tenant);
    let locale = key.locale();
    let html =
        |name: &str, c: &tera::Context| ctx.views.render(locale, name, c).map(String::into_bytes);
    match (key, data) {
        (_, Data::UnknownCategory(c)) => Err(AppError::bad_request(
            Msg::new("error-unknown-category").text("category", c),
        )),
        (_, Data::Course(None) | Data::Lesson(None)) => Err(AppError::NotFound),
        (PageKey::Learn(_), Data::Learn) => html("learn.html", &c),
        (
            PageKey::Home(_),
            Data::Home {
                categories,
                newest,
                requires,
            },
        ) => {
            c.insert("categories", &categories);
            c.insert("newest", &cards(ctx, tenant, &newest, &requires));
            html("home.html", &c)
        }
        (
            PageKey::Catalog(q, _),
            Data::Catalog {
                categories,
                languages,
                page,
                requires,
            },
        ) => {
            c.insert("languages", &languages);
            c.insert("language", &q.language);
            let link = |at: PageAt| format!("/courses?{}", q.to_query_string(at));
            c.insert("categories", &categories);
            c.insert("items", &cards(ctx, tenant, &page.items, &requires));
            c.insert("category", &q.category);
            c.insert("tags", &q.tags);
            c.insert("q", &q.q.clone().unwrap_or_default());
            c.insert("filtered", &q.is_filtered());
            c.insert("next_url", &page.next.map(|n| link(PageAt::After(n))));
            c.insert("prev_url", &page.prev.map(|p| link(PageAt::Before(p))));
            html("catalog.html", &c)
        }
        (PageKey::CatalogJson(_), Data::Catalog { page, .. }) => {
            let body = json!({ "items": page.items, "next": page.next.map(|n| n.encode()) });
            serde_json::to_vec(&body).map_err(AppError::internal)
        }
        (PageKey::Course(..), Data::Course(Some(detail))) => {
            c.insert("course", &detail);
            c.insert("cover", &cover(ctx, tenant, &detail.card));
            html("course.html", &c)
        }
        (PageKey::CourseJson(_), Data::Course(Some(detail))) => {
            serde_json::to_vec(&detail).map_err(AppError::internal)
        }
        _ => Err(AppError::internal(anyhow::anyhow!(
            "page data does not match its key"
        ))),
    }
}
