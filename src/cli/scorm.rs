//! `scorm import`: a SCORM package as a lesson, on the owner side (every statement names the
//! school).

use super::database::Database;
use crate::authoring::store::append_lesson;
use crate::config::{Cli, ScormCommand};
use crate::db::tenant_tx;
use crate::error::AppError;
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
    let path = file.clone();
    let read =
        tokio::task::spawn_blocking(move || package::read(&path, package::Limits::default()))
            .await?
            .map_err(|why| anyhow::anyhow!("{}: {why}", file.display()))?;
    let pools = db.admin_pools()?;
    let pool = pools.primary();
    let tenant = lifecycle::school_id(pool, school).await?;
    // The course first: files are stored only for a package that will be a lesson.
    let slug = course.clone();
    let course_id = tenant_tx(pool, tenant, "scorm_import", move |conn| {
        Box::pin(async move {
            crate::gradebook::course_by_slug(conn, tenant, &slug)
                .await?
                .ok_or_else(|| {
                    AppError::Unprocessable(Msg::new("error-no-course-here").text("course", slug))
                })
        })
    })
    .await?;
    let store = super::store::store_config(cli)?.open()?;
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
