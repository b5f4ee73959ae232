//! What each subcommand does, given parsed settings.

mod clusters;
mod data;
mod database;
mod lti;
mod scorm;
mod serve;
mod store;
mod systems;
mod tenants;

use anyhow::Context;

use self::data::{backup_cmd, seed_cmd};
use self::database::Database;
use self::serve::serve;
use self::systems::{tokens_cmd, webhooks_cmd};
use self::tenants::{create_user, owner_did, tenants_cmd};
use crate::audit::Change;
use crate::config::{Cli, Command, CoursesCommand, QuizCommand, TenantsCommand, UsersCommand};
use crate::db::migrate;
use crate::seed;
use crate::tenancy::files;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Tenants {
        command: TenantsCommand::Check,
    } = &cli.command
    {
        let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
        println!("{} school file(s) are valid", specs.len());
        return Ok(());
    }
    let db = Database::open(&cli).await?;
    let result = run_with(&cli, &db).await;
    db.close().await;
    result
}

async fn run_with(cli: &Cli, db: &Database) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(args) => serve(cli, db, args).await,
        Command::Migrate(args) => {
            let main = async {
                if db.cluster.is_none() {
                    match &args.owner_role {
                        Some(role) => {
                            migrate::migrate_as_owner(db.admin_url()?, &db.runtime_url, role)
                                .await?;
                            println!(
                                "EduFlow's objects belong to {role}; give later commands \
                                 DATABASE_ADMIN_URL=<this URL>?options=-c%20role%3D{role}"
                            );
                        }
                        None => migrate::migrate(db.admin_url()?, &db.runtime_url).await?,
                    }
                }
                Ok(())
            };
            clusters::migrate_all(db, main).await?;
            println!("migrations applied; runtime role granted");
            Ok(())
        }
        Command::Clusters { command } => clusters::clusters_cmd(db, command).await,
        Command::Tenants { command } => tenants_cmd(cli, db, command).await,
        Command::Seed(args) => seed_cmd(cli, db, args).await,
        Command::Backup { cluster, command } => backup_cmd(cli, db, cluster, command).await,
        Command::Tokens { command } => tokens_cmd(db, command).await,
        Command::Webhooks { command } => webhooks_cmd(cli, db, command).await,
        Command::Lti { command } => lti::lti_cmd(cli, db, command).await,
        Command::Scorm { command } => scorm::scorm_cmd(cli, db, command).await,
        Command::Users {
            command: UsersCommand::Create(args),
        } => create_user(db, args).await,
        Command::Quiz {
            command: QuizCommand::Import(args),
        } => {
            let source = std::fs::read_to_string(&args.file)
                .with_context(|| format!("reading {}", args.file.display()))?;
            let settings = crate::assessment::quizzes::Settings {
                pass_mark: args.pass_mark,
                max_attempts: args.attempts,
                shuffle: !args.no_shuffle,
            };
            let pools = db.school_pools(&args.school).await?;
            let lesson = crate::authoring::quiz_import::import(
                pools.primary(),
                &args.school,
                &args.course,
                &args.title,
                &source,
                &settings,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
            let change = Change::new("quiz.imported", format!("lesson:{lesson}"))
                .after(serde_json::json!({ "course": args.course, "title": args.title }));
            owner_did(pools.primary(), &args.school, "quiz import", change).await?;
            println!("{lesson}");
            Ok(())
        }
        Command::Courses { command } => {
            let (r, published) = match command {
                CoursesCommand::Publish(r) => (r, true),
                CoursesCommand::Unpublish(r) => (r, false),
            };
            let pools = db.school_pools(&r.school).await?;
            seed::bench::set_published(pools.primary(), &r.school, &r.course, published).await?;
            let (action, command) = if published {
                ("course.published", "courses publish")
            } else {
                ("course.unpublished", "courses unpublish")
            };
            let change = Change::new(action, format!("course:{}", r.course));
            owner_did(pools.primary(), &r.school, command, change).await?;
            println!(
                "{} {}/{}",
                if published {
                    "published"
                } else {
                    "unpublished"
                },
                r.school,
                r.course
            );
            Ok(())
        }
    }
}
