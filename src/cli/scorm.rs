//! `scorm import`: a SCORM package as a lesson, on the owner side (every statement names the
//! school).

use super::database::Database;
use crate::authoring::store::{append_lesson, named_course};
use crate::config::{Cli, ScormCommand};
use crate::db::tenant_tx;
use crate::i18n::Msg;
use crate::tenancy::lifecycle;
/// `scorm import`: the package is read and checked whole before anything is stored; its files go
/// to the media store, then the lesson and its rows in one transaction.
pub(super) async fn scorm_cmd(
    cli: &Cli,
    db: &Database,
    command: &ScormCommand,
) -> anyhow::Result<()> {
    use crate::scorm::{package, store as scorm_store};
    let ScormCommand::Import {
        school,
        course,
        title,
        file,
    } = command;
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        anyhow::bail!("{}", Msg::new("error-the-title-has-1-to"));
    }
    let config = super::store::store_config(cli)?;
    let (path, staging) = (file.clone(), super::store::staging_dir(cli, &config));
    let read = tokio::task::spawn_blocking(move || {
        package::read(&path, &staging, package::Limits::default())
    })
    .await?
    .map_err(|why| anyhow::anyhow!("{}: {why}", file.display()))?;
    let (cluster, pools) = db.locate(school).await?;
    let pool = pools.primary();
    let tenant = lifecycle::school_id(pool, school).await?;
    // The course first: files are stored only for a package that will be a lesson.
    let slug = course.clone();
    let course_id = tenant_tx(pool, tenant, "scorm_import", move |conn| {
        Box::pin(async move { named_course(conn, tenant, &slug).await })
    })
    .await?;
    let store = config.at(cluster.media.as_ref()).open()?;
    let stored = scorm_store::put_files(&store, tenant, &read).await?;
    let package = std::sync::Arc::new(read);
    let lesson = tenant_tx(pool, tenant, "scorm_import", move |conn| {
        Box::pin(async move {
            let lesson =
                append_lesson(conn, tenant, course_id, None, (&title, "scorm"), "Packages").await?;
            scorm_store::attach(conn, tenant, lesson, &package, &stored).await?;
            Ok(lesson)
        })
    })
    .await?;
    println!("{lesson}");
    Ok(())
}
