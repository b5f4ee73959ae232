//! Two regions on loopback: a primary and its streaming replica; an "ams" instance in the primary
//! region and a "syd" instance reading its own region's replica; a stand-in for Fly's edge in
//! front of syd that replays what syd refuses to run. Everything behind the edge is real.

use std::time::Instant;

use eduflow::db::embedded::RUNTIME_ROLE;

use crate::fleet::{instructor_edit, learner_journey};
use crate::harness::{
    Browser, FlyEdge, TestApp, TestDb, operator_sets_role, post_form, replica_of, replica_turn,
    request, settings,
};

/// Families of queries that write: none of them may run on syd.
const WRITES: &[&str] = &[
    "signup",
    "login",
    "learner_write",
    "authoring",
    "primary_lsn",
];

async fn median_ms(mut f: impl AsyncFnMut() -> u16, n: usize) -> f64 {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        assert!(f().await < 400);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[n / 2]
}

/// Beside `ams` (the primary region's instance): a "syd" instance that reads its region's replica
/// and replays writes to ams, and the edge in front of syd.
async fn replica_region(db: &TestDb, ams: &TestApp) -> (TestApp, FlyEdge) {
    let mut syd = settings(db);
    syd.replica_urls = vec![replica_of(db, RUNTIME_ROLE).await];
    syd.main_region = "ams".into();
    syd.writes.here = Some("syd".into());
    let syd = TestApp::spawn(syd).await;
    let edge = FlyEdge::start(
        ("syd", syd.port),
        vec![("ams".into(), ams.port), ("syd".into(), syd.port)],
    )
    .await;
    (syd, edge)
}

#[actix_web::test]
async fn two_regions_read_locally_and_replay_writes_to_the_primary() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    db.two_schools().await;
    let ams = TestApp::spawn(settings(&db)).await;
    let (syd, edge) = replica_region(&db, &ams).await;

    // Sent to syd itself, a write is not run: the answer is the replay header and nothing else.
    let users = db.count("SELECT count(*) AS n FROM users").await;
    let refused = post_form(
        syd.port,
        "alpha.localhost",
        "/signup",
        &[("email", "x@example.org")],
        &[],
    )
    .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.header("fly-replay"), Some("region=ams"));
    assert!(refused.body.is_empty());
    assert!(refused.header("set-cookie").is_none());
    assert_eq!(db.count("SELECT count(*) AS n FROM users").await, users);

    let course = crate::learning::course_with_lessons(&db, "alpha").await.0;
    // Through the edge, the whole journey and an instructor's edit work.
    let mut ada = learner_journey(edge.port, &db, "ada@example.org").await;
    instructor_edit(edge.port, &db, "ines@alpha.test").await;
    assert!(edge.replays.load(std::sync::atomic::Ordering::Relaxed) >= 6);

    // Which database served what: syd read its replica and wrote nothing; ams did the writes.
    for family in ["session", "learner", "lesson", "catalog"] {
        assert!(
            syd.queries("replica-0", family).await > 0,
            "syd never read {family} from its replica"
        );
    }
    for family in WRITES {
        assert_eq!(
            syd.queries("primary", family).await,
            0,
            "syd wrote ({family})"
        );
    }
    assert!(ams.queries("primary", "learner_write").await >= 2);
    assert!(ams.queries("primary", "signup").await >= 2);

    // Figures for the closing note: a replayed POST against one sent to ams directly, and a
    // signed-in read in syd (replica) against the same read in ams (primary).
    let cookies = ada.cookie_header();
    let enroll = format!("/courses/{course}/enroll");
    let csrf = ada.get(ams.port, "/learn").await.csrf_token();
    let post = |port: u16| {
        let (enroll, csrf, cookies) = (enroll.clone(), csrf.clone(), cookies.clone());
        async move {
            post_form(
                port,
                "alpha.localhost",
                &enroll,
                &[("csrf", &csrf)],
                &[("Cookie", &cookies)],
            )
            .await
            .status
        }
    };
    // The same edge in front of ams: the request lands in the primary region and is not replayed.
    let at_primary = FlyEdge::start(
        ("ams", ams.port),
        vec![("ams".into(), ams.port), ("syd".into(), syd.port)],
    )
    .await;
    let direct = median_ms(async || post(at_primary.port).await, 21).await;
    let replayed = median_ms(async || post(edge.port).await, 21).await;
    let read = |port: u16| {
        let cookies = cookies.clone();
        async move {
            request(
                port,
                "GET",
                "alpha.localhost",
                "/learn",
                &[("Cookie", &cookies)],
            )
            .await
            .status
        }
    };
    let primary_read = median_ms(async || read(at_primary.port).await, 21).await;
    let replica_read = median_ms(async || read(edge.port).await, 21).await;
    println!(
        "replay round trip: POST enroll median {replayed:.2} ms through the edge vs {direct:.2} ms \
         landing in ams ({:.2}x); signed-in /learn median {replica_read:.2} ms in syd (replica) vs \
         {primary_read:.2} ms in ams (primary) ({:.2}x)",
        replayed / direct,
        replica_read / primary_read
    );
}

#[actix_web::test]
async fn writes_that_reach_a_read_only_database_never_answer_500() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    db.two_schools().await;
    let replica = replica_of(&db, RUNTIME_ROLE).await;
    // Misconfigured: the "primary" of this instance is the replica.
    let mut direct = settings(&db);
    direct.runtime_url = replica.clone();
    direct.listen_url = db.runtime_url.clone();
    let direct = TestApp::spawn(direct).await;
    let mut bob = Browser::new("alpha");
    bob.get(direct.port, "/signup").await;
    let res = bob
        .post(
            direct.port,
            "/signup",
            &[
                ("name", "Bob"),
                ("email", "bob@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert_eq!(res.header("retry-after"), Some("1"));

    // In the replica region the same request is sent to the primary region instead.
    let mut replaying = settings(&db);
    replaying.runtime_url = replica;
    replaying.listen_url = db.runtime_url.clone();
    replaying.main_region = "ams".into();
    replaying.writes.here = Some("syd".into());
    let replaying = TestApp::spawn(replaying).await;
    let res = bob
        .post(
            replaying.port,
            "/signup",
            &[("name", "Bob"), ("email", "bob@example.org")],
        )
        .await;
    assert_eq!(
        (res.status, res.header("fly-replay")),
        (409, Some("region=ams"))
    );
}

#[actix_web::test]
async fn an_image_variant_not_yet_computed_is_replayed_to_the_primary_region() {
    let _turn = replica_turn().await;
    let (db, ams, _) = crate::authoring::published_course(|_| {}).await;
    let (syd, edge) = replica_region(&db, &ams).await;
    let catalog = syd.get("alpha.localhost", "/courses").await;
    let src = crate::images::cover_attr(&catalog, "src");
    let webp = |port: u16| {
        let src = src.clone();
        async move {
            request(
                port,
                "GET",
                "alpha.localhost",
                &src,
                &[("Accept", "image/webp")],
            )
            .await
        }
    };
    let at_syd = webp(syd.port).await;
    assert_eq!(
        (at_syd.status, at_syd.header("fly-replay")),
        (409, Some("region=ams"))
    );
    let through = webp(edge.port).await;
    assert_eq!(through.status, 200);
    assert_eq!(through.header("content-type"), Some("image/webp"));
    // Recorded now: once the replica has the row, syd serves it itself.
    replica_of(&db, RUNTIME_ROLE).await;
    assert_eq!(webp(syd.port).await.status, 200);
}

/// An image of noise: it does not compress, so its PNG is about `w * h * 3` bytes.
fn noise_png(w: u32, h: u32) -> Vec<u8> {
    let mut x: u32 = 2_463_534_242;
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        image::Rgb([x as u8, (x >> 8) as u8, (x >> 16) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[actix_web::test]
async fn uploads_over_the_replay_limit_go_straight_to_the_primary_region() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    db.two_schools().await;
    let ams = TestApp::spawn(settings(&db)).await;
    let (syd, edge) = replica_region(&db, &ams).await;
    let mut ines = Browser::new("alpha");
    ines.sign_up(edge.port, "ines@alpha.test").await;
    let ines_cookie = ines.cookie_header();
    operator_sets_role(
        &db,
        (edge.port, &ines.host, &ines_cookie),
        "ines@alpha.test",
        "instructor",
    )
    .await;
    replica_of(&db, RUNTIME_ROLE).await;
    let form = ines.get(edge.port, "/author/courses/new").await;
    assert!(
        form.body.contains("data-prefer-region=\"ams\""),
        "{}",
        form.body
    );
    assert!(form.body.contains("/static/upload.js"));
    let script = syd.get("alpha.localhost", "/static/upload.js").await;
    assert!(script.body.contains("fly-prefer-region"));
    // What ams renders itself (no replay) needs no redirection.
    let at_ams = request(
        ams.port,
        "GET",
        "alpha.localhost",
        "/author/courses/new",
        &[("Cookie", &ines.cookie_header())],
    )
    .await;
    assert!(!at_ams.body.contains("data-prefer-region"));

    let cover = noise_png(700, 520);
    assert!(cover.len() > 1 << 20, "{} bytes", cover.len());
    let csrf = form.csrf_token();
    let fields = [crate::authoring::COURSE, &[("csrf", csrf.as_str())]].concat();
    let send = |extra: Vec<(&'static str, String)>| {
        let (cover, fields, cookies) = (cover.clone(), fields.clone(), ines.cookie_header());
        async move {
            let mut headers = vec![("Cookie", cookies.as_str())];
            headers.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
            crate::harness::post_multipart(
                edge.port,
                "alpha.localhost",
                "/author/courses",
                &fields,
                &[("cover", "cover.png", "image/png", &cover)],
                &headers,
            )
            .await
        }
    };
    // Without the header the body is too large to replay: nothing is written.
    let before = db.count("SELECT count(*) AS n FROM courses").await;
    assert_eq!(send(vec![]).await.status, 502);
    assert_eq!(db.count("SELECT count(*) AS n FROM courses").await, before);
    // As the form's script sends it: straight to the primary region.
    let sent = send(vec![("fly-prefer-region", "ams".into())]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM courses").await,
        before + 1
    );
}
