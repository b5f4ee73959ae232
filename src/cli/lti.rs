//! `lti …`: a school's LTI tools and platform keys, on the owner side (every statement names the
//! school; the owner may bypass row-level security).

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::database::Database;
use crate::audit::By;
use crate::authoring::store::{append_lesson, named_course};
use crate::config::{Cli, LtiCommand, PublicUrlArgs};
use crate::db::schema::tenants;
use crate::db::{global_tx, tenant_tx};
use crate::error::AppError;
use crate::hostname::Origins;
use crate::i18n::Msg;
use crate::lti::links::{self, NewLink};
use crate::lti::tools::{self, KeySource, NewTool};
use crate::lti::{Endpoints, keys};
use crate::tenancy::lifecycle;

fn refused(m: Msg) -> anyhow::Error {
    anyhow::anyhow!("{m}")
}

pub(super) async fn lti_cmd(cli: &Cli, db: &Database, command: &LtiCommand) -> anyhow::Result<()> {
    let pools = db.school_pools(command.school()).await?;
    let pool = pools.primary();
    match command {
        LtiCommand::AddTool {
            school,
            name,
            login_url,
            redirect_uris,
            jwks_url,
            public_key_file,
            deep_linking_url,
            public,
        } => {
            let keys =
                match (jwks_url, public_key_file) {
                    (Some(url), _) => KeySource::Url(url.clone()),
                    (None, Some(file)) => {
                        let text = std::fs::read_to_string(file)
                            .with_context(|| format!("reading {}", file.display()))?;
                        KeySource::Static(serde_json::from_str(&text).map_err(|e| {
                            anyhow::anyhow!("{}: not a JSON key ({e})", file.display())
                        })?)
                    }
                    (None, None) => anyhow::bail!("--jwks-url or --public-key-file is required"),
                };
            let new = NewTool::parse(
                name,
                login_url,
                redirect_uris,
                keys,
                deep_linking_url.as_deref(),
            )
            .map_err(refused)?;
            let tenant = lifecycle::school_id(pool, school).await?;
            let tool = tenant_tx(pool, tenant, "lti_tools", move |conn| {
                Box::pin(
                    async move { tools::add(conn, tenant, &By::owner("lti add-tool"), &new).await },
                )
            })
            .await?;
            let at = endpoints(cli, public, pool, school).await?;
            println!("client_id\t{}", tool.client_id);
            println!("deployment_id\t{}", tool.deployment_id);
            println!("issuer\t{}", at.issuer);
            println!("jwks\t{}", at.jwks());
            println!("authorize\t{}", at.authorize());
            println!("token\t{}", at.token());
            println!("deep_link_return\t{}", at.deep_link_return());
        }
        LtiCommand::AddLesson {
            school,
            course,
            tool,
            title,
            url,
            pass_mark,
            score_maximum,
        } => {
            let new = NewLink::parse(title, url, *pass_mark, *score_maximum).map_err(refused)?;
            let tenant = lifecycle::school_id(pool, school).await?;
            let (course, tool) = (course.clone(), tool.clone());
            let lesson = tenant_tx(pool, tenant, "lti_links", move |conn| {
                Box::pin(async move {
                    let course_id = named_course(conn, tenant, &course).await?;
                    let tool = tools::by_name(conn, tenant, &tool).await?.ok_or_else(|| {
                        AppError::Unprocessable(Msg::new("lti-no-tool").text("name", tool))
                    })?;
                    let lesson = append_lesson(
                        conn,
                        tenant,
                        course_id,
                        None,
                        (&new.title, "lti"),
                        "Activities",
                    )
                    .await?;
                    links::attach(conn, tenant, (course_id, lesson), &tool, &new).await?;
                    Ok(lesson)
                })
            })
            .await?;
            println!("{lesson}");
        }
        LtiCommand::Tools { school } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let list = tenant_tx(pool, tenant, "lti_tools", move |conn| {
                Box::pin(async move { tools::list(conn, tenant).await })
            })
            .await?;
            for t in list {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.name,
                    t.client_id,
                    t.deployment_id,
                    t.jwks_url.as_deref().unwrap_or("(static key)")
                );
            }
        }
        LtiCommand::RotateKey {
            school,
            overlap_hours,
        } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let overlap = std::time::Duration::from_secs(overlap_hours * 3600);
            let n = tenant_tx(pool, tenant, "lti_keys", move |conn| {
                Box::pin(async move {
                    keys::rotate(conn, tenant, &By::owner("lti rotate-key"), overlap).await
                })
            })
            .await?;
            println!(
                "{n} key(s) of {school} retire in {overlap_hours} h; the next launch signs with a new key"
            );
        }
    }
    Ok(())
}

/// The school's platform URLs, as `serve` with the same settings makes them.
async fn endpoints(
    cli: &Cli,
    public: &PublicUrlArgs,
    pool: &crate::db::PgPool,
    school: &str,
) -> anyhow::Result<Endpoints> {
    let slug = school.to_owned();
    let domains: Vec<String> = global_tx(pool, "tenants", move |conn| {
        Box::pin(async move {
            Ok(tenants::table
                .filter(tenants::slug.eq(&slug))
                .select(tenants::domains)
                .first(conn)
                .await?)
        })
    })
    .await?;
    let origins = Origins::new(&cli.base_domain, public.https, public.public_port);
    Ok(Endpoints::new(&origins.of(school, &domains)))
}
