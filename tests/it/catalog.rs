//! The catalog: filters, search, keyset pagination, visibility, bad input, and index use.

use std::collections::HashSet;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use eduflow::catalog::query::Limit;
use eduflow::catalog::{CatalogQuery, store};
use eduflow::ids::TenantId;

use crate::harness::{Response, TestApp, TestDb, settings};

#[derive(QueryableByName)]
struct Slug {
    #[diesel(sql_type = Text)]
    slug: String,
}

/// Ground truth straight from the database, as the superuser.
async fn slugs_where(db: &TestDb, tenant: TenantId, cond: &str) -> HashSet<String> {
    let mut su = db.superuser().await;
    diesel::sql_query(format!(
        "SELECT slug FROM courses WHERE tenant_id = '{tenant}' AND {cond}"
    ))
    .load::<Slug>(&mut su)
    .await
    .unwrap()
    .into_iter()
    .map(|s| s.slug)
    .collect()
}

/// Every slug of a filtered listing, walking `next` cursors through the JSON API.
async fn walk(app: &TestApp, host: &str, filters: &str, limit: usize) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let cursor = next
            .as_ref()
            .map(|c| format!("&after={c}"))
            .unwrap_or_default();
        let res = app
            .get(
                host,
                &format!("/api/v1/courses?limit={limit}{filters}{cursor}"),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let page = res.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        slugs.extend(items.iter().map(|i| i["slug"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => return slugs,
        }
    }
}

fn cards(res: &Response) -> usize {
    res.body.matches("class=\"card\"").count()
}

#[actix_web::test]
async fn filters_and_search_match_the_database() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let app = TestApp::spawn(settings(&db)).await;
    let host = "alpha.localhost";

    let all = walk(&app, host, "", 5).await;
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        all.len(),
        "duplicates across pages"
    );
    assert_eq!(
        all.iter().cloned().collect::<HashSet<_>>(),
        slugs_where(&db, alpha, "published").await
    );

    let data = walk(&app, host, "&category=data", 4).await;
    assert!(!data.is_empty());
    assert_eq!(
        data.into_iter().collect::<HashSet<_>>(),
        slugs_where(&db, alpha, "published AND category = 'data'").await
    );

    let tagged = walk(&app, host, "&tag=hands-on", 4).await;
    assert!(!tagged.is_empty());
    assert_eq!(
        tagged.into_iter().collect::<HashSet<_>>(),
        slugs_where(&db, alpha, "published AND 'hands-on' = ANY(tags)").await
    );

    let both = walk(&app, host, "&tag=hands-on&tag=career", 4).await;
    assert_eq!(
        both.into_iter().collect::<HashSet<_>>(),
        slugs_where(
            &db,
            alpha,
            "published AND tags @> ARRAY['hands-on', 'career']"
        )
        .await
    );

    for q in ["foundations", "practical exercises", "Mastering"] {
        let found = walk(&app, host, &format!("&q={}", q.replace(' ', "+")), 4).await;
        let expected = slugs_where(
            &db,
            alpha,
            &format!("published AND search @@ plainto_tsquery('english', '{q}')"),
        )
        .await;
        assert!(!expected.is_empty(), "{q}");
        assert_eq!(found.into_iter().collect::<HashSet<_>>(), expected, "{q}");
    }
    let combined = walk(&app, host, "&category=data&tag=hands-on&q=course", 3).await;
    assert_eq!(
        combined.into_iter().collect::<HashSet<_>>(),
        slugs_where(&db, alpha, "published AND category = 'data' AND 'hands-on' = ANY(tags) AND search @@ plainto_tsquery('english', 'course')").await
    );
}

#[actix_web::test]
async fn html_catalog_pages_hold_twelve_and_link_both_ways() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let app = TestApp::spawn(settings(&db)).await;
    let first = app.get("alpha.localhost", "/courses").await;
    assert_eq!(first.status, 200);
    assert_eq!(cards(&first), 12);
    assert!(!first.body.contains("rel=\"prev\""));
    let next = link(&first, "next").expect("a next link");
    let second = app.get("alpha.localhost", &next).await;
    assert_eq!(cards(&second), 12);
    let back = app
        .get(
            "alpha.localhost",
            &link(&second, "prev").expect("a prev link"),
        )
        .await;
    assert_eq!(
        titles(&back),
        titles(&first),
        "previous page differs from the first page"
    );
    let third = app
        .get("alpha.localhost", &link(&second, "next").unwrap())
        .await;
    let published = slugs_where(&db, alpha, "published").await.len();
    assert_eq!(cards(&third), published - 24);
    assert!(link(&third, "next").is_none());

    let empty = app.get("alpha.localhost", "/courses?q=zzzyzzy").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("No courses match these filters."));
}

fn link(res: &Response, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = res.body.find(&marker)? + marker.len();
    let end = res.body[start..].find('"')? + start;
    Some(
        res.body[start..end]
            .replace("&#x2F;", "/")
            .replace("&amp;", "&"),
    )
}

fn titles(res: &Response) -> Vec<String> {
    res.body
        .split("<h3><a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn keyset_pagination_is_stable_while_courses_are_added() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let app = TestApp::spawn(settings(&db)).await;
    let before = slugs_where(&db, alpha, "published").await;
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    let mut inserted = 0;
    loop {
        let cursor = next
            .as_ref()
            .map(|c| format!("&after={c}"))
            .unwrap_or_default();
        let page = app
            .get(
                "alpha.localhost",
                &format!("/api/v1/courses?limit=5{cursor}"),
            )
            .await
            .json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["slug"].as_str().unwrap().to_owned()),
        );
        // Between every two pages, newer courses arrive at the front of the catalog.
        insert_course(&db, alpha, &format!("fresh-{inserted}"), "now()").await;
        inserted += 1;
        match page["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a course appeared twice");
    assert_eq!(unique, before, "pages skipped or invented courses");
    assert!(inserted > 5);
}

pub async fn insert_course(db: &TestDb, tenant: TenantId, slug: &str, published_at: &str) {
    let mut conn = db.admin().await;
    conn.batch_execute(&format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true);
         INSERT INTO courses (tenant_id, slug, title, summary, category, tags, published, published_at)
         VALUES ('{tenant}', '{slug}', 'Fresh {slug}', 'Brand new', 'data', ARRAY['fresh'], true, {published_at});
         COMMIT;"
    ))
    .await
    .unwrap();
}

#[actix_web::test]
async fn unpublished_courses_are_invisible_everywhere() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let drafts = slugs_where(&db, alpha, "NOT published").await;
    assert!(!drafts.is_empty());
    let app = TestApp::spawn(settings(&db)).await;
    let home = app.get("alpha.localhost", "/").await;
    let listing = walk(&app, "alpha.localhost", "", 50).await;
    for draft in &drafts {
        assert_eq!(
            app.get("alpha.localhost", &format!("/courses/{draft}"))
                .await
                .status,
            404
        );
        assert_eq!(
            app.get("alpha.localhost", &format!("/api/v1/courses/{draft}"))
                .await
                .status,
            404
        );
        assert!(!home.body.contains(draft.as_str()));
        assert!(!listing.contains(draft));
    }
}

#[actix_web::test]
async fn another_schools_course_is_not_found() {
    let db = TestDb::new().await;
    let (alpha, beta) = db.two_schools().await;
    let only_alpha: Vec<_> = slugs_where(&db, alpha, "published")
        .await
        .difference(&slugs_where(&db, beta, "true").await)
        .cloned()
        .collect();
    assert!(!only_alpha.is_empty());
    let app = TestApp::spawn(settings(&db)).await;
    for slug in only_alpha.iter().take(5) {
        let mine = app
            .get("alpha.localhost", &format!("/courses/{slug}"))
            .await;
        assert_eq!(mine.status, 200);
        assert!(mine.body.contains("Curriculum"));
        assert_eq!(
            app.get("beta.localhost", &format!("/courses/{slug}"))
                .await
                .status,
            404
        );
        assert_eq!(
            app.get("beta.localhost", &format!("/api/v1/courses/{slug}"))
                .await
                .status,
            404
        );
        assert!(!walk(&app, "beta.localhost", "", 50).await.contains(slug));
    }
    let detail = app
        .get(
            "alpha.localhost",
            &format!("/api/v1/courses/{}", only_alpha[0]),
        )
        .await
        .json();
    assert!(
        detail["sections"].as_array().unwrap()[0]["lessons"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );
}

#[actix_web::test]
async fn bad_parameters_are_400_with_a_reason() {
    let (_db, app) = TestApp::two_schools().await;
    for (query, reason) in [
        ("category=cooking", "unknown category"),
        ("category=Not%20A%20Slug", "unknown category"),
        ("after=garbage", "malformed page cursor"),
        ("before=MTIz", "malformed page cursor"),
        ("limit=51", "limit must be"),
        ("limit=-1", "limit must be"),
        ("tag=%3Cscript%3E", "is not a tag"),
    ] {
        let api = app
            .get("alpha.localhost", &format!("/api/v1/courses?{query}"))
            .await;
        assert_eq!(api.status, 400, "{query}");
        assert!(
            api.json()["error"].as_str().unwrap().contains(reason),
            "{query}: {}",
            api.body
        );
        if !query.starts_with("limit") {
            let page = app
                .get("alpha.localhost", &format!("/courses?{query}"))
                .await;
            assert_eq!(page.status, 400, "{query}");
            assert!(
                page.header("content-type")
                    .unwrap()
                    .starts_with("text/html")
            );
            assert!(
                page.body.contains(reason) && !page.body.contains("<script>"),
                "{query}: {}",
                page.body
            );
        }
    }
    assert_eq!(
        app.get("alpha.localhost", "/api/v1/courses/no-such-course")
            .await
            .json()["status"],
        404
    );
    assert_eq!(
        app.get("alpha.localhost", "/api/v1/nothing-here")
            .await
            .json()["status"],
        404
    );
    assert_eq!(
        app.get("alpha.localhost", "/courses/%2E%2E%2Fetc")
            .await
            .status,
        404
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Under RLS only leakproof operators can drive an index; each catalog query must still seek.
#[actix_web::test]
async fn catalog_queries_use_indexes_as_the_runtime_role() {
    let db = TestDb::new().await;
    eduflow::seed::bench::generate(db.admin_pools().primary(), 2, 3000, 1, 2)
        .await
        .unwrap();
    let mut su = db.superuser().await;
    su.batch_execute("ANALYZE").await.unwrap();
    let tenant: uuid::Uuid = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: uuid::Uuid,
        }
        diesel::sql_query("SELECT id FROM tenants WHERE slug = 'bench-00002'")
            .get_result::<Id>(&mut su)
            .await
            .unwrap()
            .id
    };
    let tenant = TenantId(tenant);
    let mut conn = diesel_async::AsyncPgConnection::establish(&db.runtime_url)
        .await
        .unwrap();
    conn.batch_execute(&format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true)"
    ))
    .await
    .unwrap();
    let deep = {
        let mut q = CatalogQuery::parse("limit=12", Limit::Client).unwrap();
        let mut cursor = None;
        for _ in 0..100 {
            let page = store::catalog_page(&mut conn, tenant, &q).await.unwrap();
            cursor = page.next;
            q.page = eduflow::catalog::PageAt::After(cursor.unwrap());
        }
        assert!(cursor.is_some());
        q
    };
    let cases = [
        ("", "courses_catalog_idx"),
        ("category=data", "courses_category_idx"),
        ("tag=hands-on", "course_tags_catalog_idx"),
        ("tag=hands-on&tag=career", "course_tags_catalog_idx"),
        ("q=foundations", "course_terms_catalog_idx"),
    ];
    for (qs, index) in cases {
        let q = CatalogQuery::parse(qs, Limit::Client).unwrap();
        let plan = store::explain_catalog_page(&mut conn, tenant, &q)
            .await
            .unwrap();
        assert!(plan.contains(index), "{qs}: expected {index} in\n{plan}");
        assert!(
            !plan.contains("Seq Scan"),
            "{qs}: sequential scan in\n{plan}"
        );
    }
    let plan = store::explain_catalog_page(&mut conn, tenant, &deep)
        .await
        .unwrap();
    assert!(
        plan.contains("courses_catalog_idx") && !plan.contains("Seq Scan"),
        "deep page:\n{plan}"
    );
    // The deep page reads about as many rows as the first page, not 1,200.
    let rows_removed = plan.lines().filter(|l| l.contains("Rows Removed")).count();
    assert_eq!(rows_removed, 0, "deep page filtered rows:\n{plan}");
    let n = diesel::sql_query("SELECT count(*) AS n FROM courses")
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n;
    assert_eq!(n, 3000, "the runtime role sees exactly one school");
    conn.batch_execute("ROLLBACK").await.unwrap();
}

/// Input Postgres cannot hold is a 400 before it gets there: a NUL in a search, a cursor before
/// PostgreSQL's first timestamp.
#[actix_web::test]
async fn unstorable_input_is_a_400_never_a_500() {
    use base64::Engine;
    let (_db, app) = TestApp::two_schools().await;
    let before_time = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "-300000000000000000.{}",
        uuid::Uuid::nil().simple()
    ));
    for path in [
        "/courses?q=rust%00web".to_owned(),
        format!("/courses?after={before_time}"),
    ] {
        let page = app.get("alpha.localhost", &path).await;
        assert_eq!(page.status, 400, "{path}: {}", page.body);
        let api = app.get("alpha.localhost", &format!("/api/v1{path}")).await;
        assert_eq!(api.status, 400, "{path}");
        assert!(api.json()["error"].is_string());
    }
}

/// Every answer carries the browser protections; over HTTPS, also Strict-Transport-Security.
#[actix_web::test]
async fn answers_carry_security_headers_and_hsts_over_https() {
    let db = crate::harness::TestDb::new().await;
    db.two_schools().await;
    for https in [false, true] {
        let mut s = crate::harness::settings(&db);
        s.https = https;
        let app = TestApp::spawn(s).await;
        for path in ["/", "/courses", "/api/v1/courses", "/static/app.css"] {
            let res = app.get("alpha.localhost", path).await;
            assert_eq!(
                res.header("cross-origin-opener-policy"),
                Some("same-origin")
            );
            assert!(
                res.header("permissions-policy")
                    .unwrap()
                    .contains("camera=()")
            );
            assert_eq!(
                res.header("strict-transport-security"),
                https.then_some("max-age=31536000"),
                "{path}"
            );
        }
    }
}
