//! School files: bad ones are rejected with file, field and reason, and nothing is applied.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::harness::{TestDb, eduflow_cli, school_toml, tempdir};

async fn school_names(db: &TestDb) -> Vec<String> {
    let mut conn = db.admin().await;
    diesel::sql_query("SELECT name FROM tenants ORDER BY slug")
        .load::<Name>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[actix_web::test]
async fn sync_is_all_or_nothing_and_names_file_field_and_reason() {
    let db = TestDb::new().await;
    let dir = tempdir("tenants");
    std::fs::write(
        dir.join("alpha.toml"),
        school_toml("alpha", &["learn.alpha.test"]),
    )
    .unwrap();
    let ok = eduflow_cli(&db, &db.admin_url, &dir, &["tenants", "sync"]).await;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(school_names(&db).await, ["School alpha"]);

    // A rename of alpha, a new valid school, and three kinds of bad file: nothing may change.
    std::fs::write(
        dir.join("alpha.toml"),
        school_toml("alpha", &["learn.alpha.test"]).replace("School alpha", "Renamed"),
    )
    .unwrap();
    std::fs::write(dir.join("beta.toml"), school_toml("beta", &[])).unwrap();
    std::fs::write(
        dir.join("gamma.toml"),
        school_toml("gamma", &[]) + "colour = \"red\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("Bad_Slug.toml"), school_toml("Bad_Slug", &[])).unwrap();
    std::fs::write(
        dir.join("delta.toml"),
        school_toml("delta", &["LEARN.alpha.test"]),
    )
    .unwrap();
    let out = eduflow_cli(&db, &db.admin_url, &dir, &["tenants", "sync"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "gamma.toml: `colour`: unknown field",
        "Bad_Slug.toml: `slug`:",
        "delta.toml: `domains[0]`: `learn.alpha.test` is already used by",
        "nothing applied",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert_eq!(
        school_names(&db).await,
        ["School alpha"],
        "a rejected sync changed the database"
    );

    // `tenants check` reports the same without a database.
    let check = eduflow_cli(&db, &db.admin_url, &dir, &["tenants", "check"]).await;
    assert!(
        !check.status.success() && String::from_utf8_lossy(&check.stderr).contains("gamma.toml")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn a_category_with_courses_cannot_be_removed() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let dir = tempdir("tenants");
    let without_programming = school_toml("alpha", &["learn.alpha.test"])
        .replace(
            "[[categories]]\nslug = \"programming\"\nname = \"Programming\"\n",
            "",
        )
        .replace("School alpha", "Renamed");
    std::fs::write(dir.join("alpha.toml"), without_programming).unwrap();
    let out = eduflow_cli(&db, &db.admin_url, &dir, &["tenants", "sync"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "alpha.toml: `categories`: category `programming` was removed but still has courses"
        ),
        "{stderr}"
    );
    assert_eq!(
        school_names(&db).await,
        ["School alpha", "School beta"],
        "the rename was applied"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
