//! `tenants …` and `users create`: schools from their files, and their people, on the owner side.

use anyhow::{Context, bail};

use serde_json::json;

use super::clusters;
use super::database::{Database, named};
use super::store::{cluster_store, staging_dir, store_config};
use crate::audit::{self, By, Change};
use crate::config::{Cli, NewUserArgs, SchoolArgs, TenantsCommand};
use crate::db::ClusterName;
use crate::db::clusters::ClusterRecord;
use crate::ids::TenantId;
use crate::tenancy::{files, lifecycle, moving, sync};

pub(super) async fn tenants_cmd(
    cli: &Cli,
    db: &Database,
    command: &TenantsCommand,
) -> anyhow::Result<()> {
    // Owner-side commands work on the cluster the school is on (a new one: the one named).
    let cluster = match command {
        TenantsCommand::Suspend { slug }
        | TenantsCommand::Resume { slug }
        | TenantsCommand::Delete { slug, .. }
        | TenantsCommand::Export { slug, .. } => db.locate(slug).await?.0,
        TenantsCommand::Create(args) | TenantsCommand::Update(args) => {
            placed_for(db, args, matches!(command, TenantsCommand::Create(_))).await?
        }
        TenantsCommand::Import {
            file,
            as_slug,
            cluster,
        } => import_target(db, file, as_slug.as_deref(), cluster).await?,
        _ => db.clusters_main()?,
    };
    let pools = Database::admin_pools_on(&cluster);
    let pool = pools.primary();
    match command {
        TenantsCommand::Check => unreachable!("handled before opening the database"),
        TenantsCommand::Sync => {
            // Each school on its own cluster (a new one on `main`): all files or nothing per
            // cluster.
            let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
            let clusters = db.clusters().await?;
            let placed = clusters::schools_by_cluster(&clusters).await?;
            for cluster in &clusters {
                let here: Vec<files::SchoolSpec> = specs
                    .iter()
                    .filter(|s| {
                        clusters::cluster_of(&placed, &s.slug)
                            .map_or(cluster.name.is_main(), |c| *c == cluster.name)
                    })
                    .cloned()
                    .collect();
                for spec in &here {
                    if let Some(clash) =
                        clusters::clash(&placed, &cluster.name, &spec.slug, &spec.domains)
                    {
                        bail!("{}: {clash}", spec.file.display());
                    }
                }
                if here.is_empty() {
                    continue;
                }
                let pools = Database::admin_pools_on(cluster);
                for (slug, _) in sync::apply(pools.primary(), here, sync::Mode::Upsert).await? {
                    println!("synced {slug}");
                }
            }
        }
        TenantsCommand::Create(args) | TenantsCommand::Update(args) => {
            let create = matches!(command, TenantsCommand::Create(_));
            let spec = school_spec(cli, pool, args, create).await?;
            let clusters = db.clusters().await?;
            let placed = clusters::schools_by_cluster(&clusters).await?;
            let target = clusters::cluster_of(&placed, &spec.slug)
                .cloned()
                .or_else(|| args.cluster.clone())
                .unwrap_or_else(crate::db::ClusterName::main);
            if let Some(clash) = clusters::clash(&placed, &target, &spec.slug, &spec.domains) {
                bail!("{clash}");
            }
            let mode = if create {
                sync::Mode::Create
            } else {
                sync::Mode::Update
            };
            let slug = spec.slug.clone();
            let lrs = lrs_change(args)?;
            // The file's identity providers, as the audit log keeps them (never a secret).
            let sso = spec.sso.as_ref().map(|list| {
                list.iter()
                    .map(crate::sso::providers::shown)
                    .collect::<Vec<_>>()
            });
            sync::apply(pool, vec![spec], mode).await?;
            if !lrs.is_empty() {
                crate::xapi::lrs::set(pool, &slug, lrs).await?;
            }
            let (action, command) = if create {
                ("school.created", "tenants create")
            } else {
                ("school.updated", "tenants update")
            };
            owner_did(
                pool,
                &slug,
                command,
                match sso {
                    Some(sso) => Change::new(action, format!("school:{slug}"))
                        .after(serde_json::json!({ "sso": sso })),
                    None => Change::new(action, format!("school:{slug}")),
                },
            )
            .await?;
            println!("{} {slug}", if create { "created" } else { "updated" });
        }
        TenantsCommand::Suspend { slug } | TenantsCommand::Resume { slug } => {
            let suspend = matches!(command, TenantsCommand::Suspend { .. });
            lifecycle::set_suspended(pool, slug, suspend).await?;
            let (action, command) = if suspend {
                ("school.suspended", "tenants suspend")
            } else {
                ("school.resumed", "tenants resume")
            };
            owner_did(
                pool,
                slug,
                command,
                Change::new(action, format!("school:{slug}")),
            )
            .await?;
            println!("{} {slug}", if suspend { "suspended" } else { "resumed" });
        }
        TenantsCommand::Delete { slug, confirm } => {
            if confirm.as_deref() != Some(slug.as_str()) {
                bail!("deleting {slug} removes all its data and media: add `--confirm {slug}`");
            }
            let store = cluster_store(cli, &cluster)?;
            let deleted = lifecycle::delete(pool, &store, slug).await?;
            println!("deleted {slug}:");
            for (table, n) in deleted.rows.iter().filter(|(_, n)| *n > 0) {
                println!("  {n:>8} {table}");
            }
            println!("  {:>8} media objects", deleted.objects);
        }
        TenantsCommand::Export { slug, out } => {
            let store = cluster_store(cli, &cluster)?;
            let start = std::time::Instant::now();
            let done = crate::tenancy::archive::export(pool, &store, slug, out).await?;
            let change = Change::new("school.exported", format!("school:{slug}"))
                .after(json!({ "rows": done.rows, "objects": done.objects }));
            owner_did(pool, slug, "tenants export", change).await?;
            let size = std::fs::metadata(out)?.len();
            println!(
                "exported {slug} to {}: {} rows, {} media objects ({} MiB of media), {} MiB archive, {:.1} s",
                out.display(),
                done.rows,
                done.objects,
                done.bytes >> 20,
                size >> 20,
                start.elapsed().as_secs_f64()
            );
        }
        TenantsCommand::Import { file, as_slug, .. } => {
            let staging = staging_dir(cli, &store_config(cli)?);
            let store = cluster_store(cli, &cluster)?;
            let start = std::time::Instant::now();
            let done =
                crate::tenancy::archive::import(pool, &store, file, as_slug.as_deref(), &staging)
                    .await?;
            let change = Change::new("school.imported", format!("school:{}", done.slug))
                .after(json!({ "rows": done.rows, "objects": done.objects }));
            owner_did(pool, &done.slug, "tenants import", change).await?;
            println!(
                "imported {} as {}: {} rows, {} media objects, {:.1} s",
                file.display(),
                done.slug,
                done.rows,
                done.objects,
                start.elapsed().as_secs_f64()
            );
        }
        TenantsCommand::Restore {
            slug,
            to,
            from_database,
            as_slug,
            confirm,
            cluster,
        } => {
            let replace = match confirm.as_deref() {
                Some(c) if c == slug => true,
                Some(_) => bail!("--confirm must repeat the slug, {slug}"),
                None => false,
            };
            let source = match (from_database, to) {
                (Some(url), _) => Source::Database(url),
                (None, Some(to)) => Source::Moment(*to),
                (None, None) => bail!("name the moment (--to) or the copy (--from-database)"),
            };
            let on = Restored {
                slug,
                as_slug: as_slug.as_deref(),
                replace,
                cluster: cluster.as_ref(),
            };
            restore(cli, db, on, source).await?;
        }
        TenantsCommand::Move {
            slug,
            to,
            publisher_url,
            subscriber_url,
            patience_secs,
        } => {
            let (source, _) = db.locate(slug).await?;
            let target = &db.cluster(to).await?;
            if target.name == source.name {
                bail!("{slug} is on cluster {to} already");
            }
            // The media are copied when the two clusters keep them apart.
            let media = if source.media == target.media {
                None
            } else {
                Some(moving::MediaMove {
                    from: cluster_store(cli, &source)?,
                    to: cluster_store(cli, target)?,
                    staging: staging_dir(cli, &store_config(cli)?),
                })
            };
            let plan = moving::Plan {
                slug: slug.clone(),
                media,
                source: moving::End {
                    cluster: source.name.to_string(),
                    admin_url: source.admin_url.clone(),
                },
                target: moving::End {
                    cluster: target.name.to_string(),
                    admin_url: target.admin_url.clone(),
                },
                publisher_url: publisher_url.clone(),
                subscriber_url: subscriber_url.clone(),
                patience: std::time::Duration::from_secs(*patience_secs),
            };
            let moved = moving::run(&plan).await?;
            let rows: i64 = moved.rows.iter().map(|(_, n)| n).sum();
            let target_pools = Database::admin_pools_on(target);
            let change = Change::new("school.moved", format!("school:{slug}")).after(json!({
                "from": source.name.to_string(),
                "to": target.name.to_string(),
                "rows": rows,
                "objects": moved.objects,
                "frozen_ms": moved.frozen.as_millis() as u64,
            }));
            owner_did(target_pools.primary(), slug, "tenants move", change).await?;
            println!(
                "moved {slug} from {} to {}: {rows} rows in {} tables and {} media objects, copied \
                 in {:.1} s, writes refused for {:.0} ms, {:.1} s in all; its rows stay on {} \
                 (refusing writes) until `eduflow tenants purge-moved`",
                source.name,
                target.name,
                moved.rows.len(),
                moved.objects,
                moved.copy.as_secs_f64(),
                moved.frozen.as_secs_f64() * 1000.0,
                moved.total.as_secs_f64(),
                source.name
            );
        }
        TenantsCommand::PurgeMoved { older_than_hours } => {
            let before = chrono::Utc::now() - chrono::Duration::hours(i64::from(*older_than_hours));
            let clusters = db.clusters().await?;
            for cluster in &clusters {
                let mut conn = crate::db::connect::establish(&cluster.admin_url).await?;
                for (school, went) in moving::moved_away(&mut conn, before).await? {
                    // Its media first: a failure leaves the rows, and the purge can be run again.
                    let went = clusters.iter().find(|c| c.name.as_str() == went);
                    let mut objects = 0;
                    if went.is_none_or(|to| to.media != cluster.media) {
                        let store = cluster_store(cli, cluster)?;
                        for key in store.school_keys(school).await? {
                            store.delete(&key).await?;
                            objects += 1;
                        }
                    }
                    let rows = moving::purge(&mut conn, school).await?;
                    println!(
                        "purged {rows} rows and {objects} media objects of school {school} from \
                         cluster {}",
                        cluster.name
                    );
                }
            }
        }
        TenantsCommand::List => {
            let mut all = Vec::new();
            for cluster in db.clusters().await? {
                let pools = Database::admin_pools_on(&cluster);
                let schools = lifecycle::list(pools.primary())
                    .await
                    .map_err(|e| anyhow::anyhow!("cluster {}: {e:?}", cluster.name))?;
                all.extend(schools.into_iter().map(|s| (s, cluster.name.clone())));
            }
            all.sort_by(|(a, _), (b, _)| a.slug.cmp(&b.slug));
            for (school, cluster) in all {
                let state = match school.suspended_at {
                    Some(at) => format!("suspended since {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{state}\t{}\t{cluster}",
                    school.slug,
                    school.name,
                    school.domains.join(",")
                );
            }
        }
    }
    Ok(())
}

/// The cluster where `tenants create|update` works: the school's, or for a new one the cluster
/// asked for (default `main`).
async fn placed_for(
    db: &Database,
    args: &SchoolArgs,
    create: bool,
) -> anyhow::Result<ClusterRecord> {
    let clusters = db.clusters().await?;
    let slug = match (&args.slug, &args.from) {
        (Some(slug), _) => slug.clone(),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            files::from_toml(path, &text)
                .map_err(files::FileErrors)?
                .slug
        }
        (None, None) => bail!("name the school: a slug, or --from FILE.toml"),
    };
    let placed = clusters::schools_by_cluster(&clusters).await?;
    let name = match (clusters::cluster_of(&placed, &slug), &args.cluster) {
        (Some(on), _) if create => bail!(
            "a school {slug} already exists on cluster {on}; change it with `eduflow tenants update`"
        ),
        (Some(on), Some(asked)) if on != asked => bail!(
            "{slug} is on cluster {on}; a school changes cluster with `eduflow tenants move {slug} --to {asked}`"
        ),
        (Some(on), _) => on.clone(),
        (None, _) if !create => bail!("no school {slug} on any cluster"),
        (None, asked) => asked.clone().unwrap_or_else(crate::db::ClusterName::main),
    };
    named(clusters, &name)
}

/// The cluster an archive's school is imported into: the one named, once no other cluster has
/// a school of its slug or (kept without --as) its domains.
async fn import_target(
    db: &Database,
    file: &std::path::Path,
    as_slug: Option<&str>,
    cluster: &ClusterName,
) -> anyhow::Result<ClusterRecord> {
    let clusters = db.clusters().await?;
    let school = crate::tenancy::archive::school_in(file)?;
    let (slug, domains) = match as_slug {
        Some(slug) => (slug, &[][..]),
        None => (school.slug.as_str(), &school.domains[..]),
    };
    let placed = clusters::schools_by_cluster(&clusters).await?;
    if let Some(clash) = clusters::clash(&placed, cluster, slug, domains) {
        bail!("cannot import {slug} on cluster {cluster}: {clash}");
    }
    named(clusters, cluster)
}

/// Puts an owner-side `command`'s `change` on `school`'s audit log once the command has done it
/// (owner-side commands span several transactions; an entry follows the last of them).
pub(super) async fn owner_did(
    pool: &crate::db::PgPool,
    school: &str,
    command: &'static str,
    change: Change,
) -> anyhow::Result<()> {
    let tenant = lifecycle::school_id(pool, school).await?;
    crate::db::tenant_tx(pool, tenant, "audit", move |conn| {
        Box::pin(async move { audit::record(conn, tenant, &By::owner(command), change).await })
    })
    .await?;
    Ok(())
}

/// Reads the IdP metadata that `[[sso]]` SAML entries name by URL (under the same address rules
/// as every call to a provider), so the file is checked with it.
async fn fetch_saml_metadata(cli: &Cli, file: &mut files::TenantFile) -> anyhow::Result<()> {
    let directory = crate::sso::directory::Directory::new(cli.sso_allow_private);
    for entry in file.sso.iter_mut().flatten() {
        let Some(url) = entry
            .idp_metadata
            .as_deref()
            .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
        else {
            continue;
        };
        let xml = directory.fetch_text(url).await.map_err(|e| {
            anyhow::anyhow!("[[sso]] {}: idp_metadata: {}", entry.name, e.cause_text())
        })?;
        entry.idp_metadata_xml = Some(xml);
    }
    Ok(())
}

/// The school that `tenants create|update` flags (and `--from`) describe, checked like a file.
async fn school_spec(
    cli: &Cli,
    pool: &crate::db::PgPool,
    args: &SchoolArgs,
    create: bool,
) -> anyhow::Result<files::SchoolSpec> {
    use files::{CategoryFile, TenantFile};
    let label = args.from.clone().unwrap_or_else(|| "(command line)".into());
    let mut school = match (&args.from, &args.slug) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut file = files::from_toml(path, &text).map_err(files::FileErrors)?;
            fetch_saml_metadata(cli, &mut file).await?;
            file
        }
        (None, Some(slug)) if !create => TenantFile::from(&lifecycle::current(pool, slug).await?),
        (None, Some(slug)) => TenantFile {
            slug: slug.clone(),
            name: String::new(),
            tagline: String::new(),
            domains: Vec::new(),
            branding: Default::default(),
            categories: Vec::new(),
            admins: Vec::new(),
            accounts: Default::default(),
            locale: None,
            locales: None,
            sso: None,
            lti: None,
        },
        (None, None) => bail!("name the school: a slug, or --from FILE.toml"),
    };
    if let Some(slug) = args.slug.as_ref().filter(|s| **s != school.slug) {
        bail!("the slug {slug} differs from the file's {}", school.slug);
    }
    if let Some(name) = &args.name {
        school.name = name.clone();
    }
    if let Some(tagline) = &args.tagline {
        school.tagline = tagline.clone();
    }
    if let Some(domains) = &args.domains {
        school.domains = domains.iter().filter(|d| !d.is_empty()).cloned().collect();
    }
    if let Some(colour) = &args.accent_color {
        school.branding.accent_color = Some(colour.clone());
    }
    if let Some(logo) = &args.logo {
        school.branding.logo = Some(logo.clone()).filter(|l| !l.is_empty());
    }
    if let Some(categories) = &args.categories {
        school.categories = categories
            .iter()
            .map(|c| {
                let (slug, name) = c
                    .split_once('=')
                    .with_context(|| format!("--category {c:?}: write SLUG=NAME"))?;
                Ok(CategoryFile {
                    slug: slug.trim().to_owned(),
                    name: name.trim().to_owned(),
                })
            })
            .collect::<anyhow::Result<_>>()?;
    }
    if let Some(admins) = &args.admins {
        school.admins = admins.clone();
    }
    if let Some(required) = args.require_verified_email {
        school.accounts.require_verified_email = required;
    }
    if let Some(name) = &args.mail_sender_name {
        school.accounts.mail_sender_name = Some(name.clone()).filter(|n| !n.is_empty());
    }
    if let Some(locale) = &args.locale {
        school.locale = Some(locale.clone());
    }
    if let Some(locales) = &args.locales {
        school.locales = Some(locales.iter().filter(|l| !l.is_empty()).cloned().collect());
        // Offering fewer languages keeps the default when it is still offered, else the first.
        if args.locale.is_none() && !locales.iter().any(|l| Some(l) == school.locale.as_ref()) {
            school.locale = None;
        }
    }
    if let Some(reply_to) = &args.mail_reply_to {
        school.accounts.mail_reply_to = Some(reply_to.clone()).filter(|r| !r.is_empty());
    }
    Ok(files::validate(&label, school, &cli.base_domain, None).map_err(files::FileErrors)?)
}

/// `serve --sync-tenants`: creates the schools of `tenants/` that do not exist on any cluster,
/// each on its own on `main`, and reports (without stopping) every file or school that cannot be applied.
pub(super) async fn create_missing_schools(
    cli: &Cli,
    db: &Database,
) -> anyhow::Result<Vec<(String, TenantId)>> {
    let (specs, problems) = files::read_dir(&cli.tenants_dir, &cli.base_domain);
    for problem in &problems {
        tracing::error!(%problem, "school file skipped");
    }
    let pools = db.admin_pools()?;
    // A school that lives on another cluster exists already.
    let elsewhere = clusters::schools_by_cluster(&db.clusters().await?[1..]).await?;
    let mut schools = Vec::new();
    for spec in specs {
        if clusters::cluster_of(&elsewhere, &spec.slug).is_some() {
            continue;
        }
        let file = spec.file.clone();
        match sync::apply(pools.primary(), vec![spec], sync::Mode::CreateMissing).await {
            Ok(mut applied) => schools.append(&mut applied),
            Err(e) => tracing::error!(file = %file.display(), error = %e, "school file skipped"),
        }
    }
    Ok(schools)
}

pub(super) async fn create_user(db: &Database, args: &NewUserArgs) -> anyhow::Result<()> {
    use crate::accounts::password::NewPassword;
    use crate::accounts::sessions::{Role, random_token};
    use crate::accounts::users::{self, NewUser};
    let email = args.email.trim().to_lowercase();
    let (password, generated) = match &args.password {
        Some(p) => (p.clone(), false),
        None => (random_token()[..20].to_owned(), true),
    };
    let password = NewPassword::parse(&password, &email)
        .map_err(|e| anyhow::anyhow!("password: {}", crate::i18n::Locale::SOURCE.t(e)))?;
    let hash = password.hash()?;
    let role = Role::parse(&args.role).context("role")?;
    let pools = db.school_pools(&args.school).await?;
    let tenant = lifecycle::school_id(pools.primary(), &args.school).await?;
    let (name, mail) = (args.name.trim().to_owned(), email.clone());
    let created = crate::db::tenant_tx(pools.primary(), tenant, "users", move |conn| {
        Box::pin(async move {
            let created = users::create(
                conn,
                tenant,
                NewUser {
                    email: &mail,
                    name: &name,
                    password_hash: &hash,
                    role,
                    verified: true,
                },
            )
            .await?;
            if let Some(id) = created {
                let change = Change::new("member.created", format!("user:{id}"))
                    .after(json!({ "role": role.as_str() }));
                audit::record(conn, tenant, &By::owner("users create"), change).await?;
            }
            Ok(created)
        })
    })
    .await?;
    if created.is_none() {
        bail!("{} already has an account for {email}", args.school);
    }
    println!("created {} {email} at {}", role.as_str(), args.school);
    if generated {
        println!("password (shown once): {}", password.expose());
    }
    Ok(())
}

/// The LRS settings given, the password read from the variable named.
fn lrs_change(args: &SchoolArgs) -> anyhow::Result<crate::xapi::lrs::Change> {
    let password = match &args.lrs_password_env {
        Some(var) => Some(
            std::env::var(var)
                .map_err(|_| anyhow::anyhow!("--lrs-password-env names {var}, which is not set"))?,
        ),
        None => None,
    };
    Ok(crate::xapi::lrs::Change {
        endpoint: args.lrs_endpoint.clone(),
        username: args.lrs_username.clone(),
        password,
        mbox: args.lrs_mbox,
    })
}

/// Where a restored school comes from.
enum Source<'a> {
    /// The embedded cluster as it was then, from its pgBackRest repository.
    Moment(chrono::DateTime<chrono::Utc>),
    /// A copy the operator restored and started (the owner role's URL).
    Database(&'a str),
}

/// Which school a restore brings back, and where to.
struct Restored<'a> {
    slug: &'a str,
    as_slug: Option<&'a str>,
    replace: bool,
    /// The cluster of a school deleted since.
    cluster: Option<&'a ClusterName>,
}

/// `tenants restore`: the school exported from a point-in-time copy — its cluster restored from
/// that cluster's repository into a scratch directory and started on its own socket, or the
/// operator's copy — and imported on its cluster under a new slug, then, with `replace`, swapped
/// into the live school's place. A scratch copy goes whatever happens.
async fn restore(
    cli: &Cli,
    db: &Database,
    Restored {
        slug,
        as_slug,
        replace,
        cluster,
    }: Restored<'_>,
    source: Source<'_>,
) -> anyhow::Result<()> {
    // Restored on the school's own cluster (a school deleted since: on the one named, or `main`).
    let (cluster, pools) = match (db.locate(slug).await, cluster) {
        (Ok((on, _)), Some(asked)) if &on.name != asked => {
            bail!("{slug} is on cluster {}, not {asked}", on.name)
        }
        (Ok(found), _) => found,
        (Err(_), Some(asked)) => {
            let record = db.cluster(asked).await?;
            let pools = Database::admin_pools_on(&record);
            (record, pools)
        }
        (Err(_), None) => (db.clusters_main()?, db.admin_pools()?),
    };
    // Checked before anything is done: the cluster must name its repository.
    let backups = match source {
        Source::Moment(_) => Some(db.backups_of(&cluster)?),
        Source::Database(_) => None,
    };
    let live = pools.primary();
    let live_exists = lifecycle::school_id(live, slug).await.is_ok();
    let short_id = || uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    // A school deleted since comes back under its own slug when asked to replace it.
    let new_slug = match (as_slug, &source) {
        (Some(s), _) => s.to_owned(),
        (None, _) if replace && !live_exists => slug.to_owned(),
        // Only until it takes the live school's place.
        (None, _) if replace => format!("{slug}-restoring-{}", short_id()),
        (None, Source::Moment(to)) => format!("{slug}-{}", to.format("%Y%m%d%H%M")),
        (None, Source::Database(_)) => format!("{slug}-restored"),
    };
    if db.locate(&new_slug).await.is_ok() {
        bail!("a school {new_slug} exists already; name another with --as");
    }
    let retired = format!(
        "{slug}-replaced-{}",
        chrono::Utc::now().format("%Y%m%d%H%M")
    );
    if replace && live_exists && lifecycle::school_id(live, &retired).await.is_ok() {
        bail!("a school {retired} exists already; try again in a minute");
    }
    let config = store_config(cli)?;
    let staging = staging_dir(cli, &config);
    let store = config.at(cluster.media.as_ref()).open()?;
    let start = std::time::Instant::now();
    // Short: a scratch copy's socket lives under it, and socket paths are limited to 107 bytes.
    let scratch = Scratch(cli.data_dir.join(format!("restore-{}", short_id())));
    std::fs::create_dir_all(&scratch.0)?;
    let archive = scratch.0.join("school.zip");
    let (moment, restoring) = match source {
        Source::Moment(to) => {
            let (tools, repo) = backups.expect("checked above");
            let from = Restoring {
                tools: &tools,
                repo: &repo,
                cluster: &cluster,
                to,
            };
            let restoring = from.export(&scratch.0, slug, &store, &archive).await?;
            (Some(to.to_rfc3339()), Some(restoring))
        }
        Source::Database(url) => {
            let pools = crate::db::Pools::new(crate::db::PoolSettings::default(), url, &[], None);
            crate::tenancy::archive::export(pools.primary(), &store, slug, &archive)
                .await
                .with_context(|| format!("{slug} in the copy"))?;
            (None, None)
        }
    };
    let done =
        crate::tenancy::archive::import(live, &store, &archive, Some(&new_slug), &staging).await?;
    let mut place = new_slug.clone();
    if replace && live_exists {
        lifecycle::swap_in(live, slug, &new_slug, &retired).await?;
        place = slug.to_owned();
    }
    let change = Change::new("school.restored", format!("school:{place}")).after(json!({
        "from": slug,
        "to": moment,
        "from_database": moment.is_none(),
        "rows": done.rows,
        "objects": done.objects,
        "replaced": (replace && live_exists).then_some(&retired),
    }));
    owner_did(live, &place, "tenants restore", change).await?;
    let restoring = restoring.map_or_else(String::new, |d: std::time::Duration| {
        format!(" ({:.1} s of it restoring the database)", d.as_secs_f64())
    });
    let when = moment.map_or_else(|| "in the copy".to_owned(), |m| format!("at {m}"));
    println!(
        "restored {slug} as it was {when} as {place}: {} rows, {} media objects, {:.1} s{restoring}",
        done.rows,
        done.objects,
        start.elapsed().as_secs_f64(),
    );
    if replace && live_exists {
        println!(
            "the school it replaced is kept, suspended, as {retired}: \
             `eduflow tenants delete {retired} --confirm {retired}` once it is no longer needed"
        );
    }
    Ok(())
}

/// A cluster as it was at a moment, from its pgBackRest repository.
struct Restoring<'a> {
    tools: &'a crate::db::embedded::Tools,
    repo: &'a crate::backup::Repo,
    cluster: &'a crate::db::clusters::ClusterRecord,
    to: chrono::DateTime<chrono::Utc>,
}

impl Restoring<'_> {
    /// The cluster restored under `scratch`, started on its own socket, `slug` exported from it
    /// to `archive`, and the copy stopped; returns how long the restore took.
    async fn export(
        &self,
        scratch: &std::path::Path,
        slug: &str,
        store: &crate::media::store::Store,
        archive: &std::path::Path,
    ) -> anyhow::Result<std::time::Duration> {
        // The copy holds the owner role and database the cluster's owner URL names.
        let owner: tokio_postgres::Config = self
            .cluster
            .admin_url
            .parse()
            .with_context(|| format!("cluster {}'s owner URL", self.cluster.name))?;
        let (Some(user), Some(database)) = (owner.get_user(), owner.get_dbname()) else {
            bail!(
                "cluster {}'s owner URL names no user or database",
                self.cluster.name
            );
        };
        let start = std::time::Instant::now();
        self.repo
            .restore(self.tools, self.to, &scratch.join("data"))
            .await?;
        let restoring = start.elapsed();
        let copy = crate::db::embedded::Cluster::start_restored(scratch).await?;
        let exported = async {
            let pools = crate::db::Pools::new(
                crate::db::PoolSettings::default(),
                &copy.url(user, database),
                &[],
                None,
            );
            crate::tenancy::archive::export(pools.primary(), store, slug, archive)
                .await
                .with_context(|| format!("{slug} as it was at {}", self.to.to_rfc3339()))
        }
        .await;
        copy.stop().await?;
        exported?;
        Ok(restoring)
    }
}

/// A scratch directory, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
