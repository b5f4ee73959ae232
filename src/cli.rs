//! What each subcommand does, given parsed settings.

use anyhow::{Context, bail};

use crate::backup;
use crate::config::{
    BackupCommand, Cli, Command, CoursesCommand, NewUserArgs, QuizCommand, SchoolArgs, SeedArgs,
    ServeArgs, TenantsCommand, UsersCommand,
};
use crate::db::embedded::{Cluster, ClusterOptions};
use crate::db::{PoolSettings, Pools, migrate};
use crate::media::store::{S3Config, StoreConfig};
use crate::startup::{Application, Settings};
use crate::tenancy::{files, lifecycle, sync};
use crate::{ids::TenantId, regions, seed};

/// The database a command works on: the one named by DATABASE_URL, or the embedded cluster.
struct Database {
    runtime_url: String,
    admin_url: Option<String>,
    replica_urls: Vec<String>,
    listen_url: Option<String>,
    cluster: Option<Cluster>,
    /// The embedded cluster's pgBackRest repository, when pgBackRest is installed (its WAL is
    /// archived there).
    backups: Option<backup::Repo>,
}

impl Database {
    async fn open(cli: &Cli) -> anyhow::Result<Self> {
        if let Some(url) = &cli.db.database_url {
            return Ok(Self {
                runtime_url: url.clone(),
                admin_url: cli.db.database_admin_url.clone(),
                replica_urls: cli.db.database_replica_urls.clone(),
                listen_url: cli.db.database_listen_url.clone(),
                cluster: None,
                backups: None,
            });
        }
        let root = cli.data_dir.join("pg");
        let repo = backup::Repo::new(&cli.data_dir);
        let archive_command = if backup::Repo::available() {
            std::fs::create_dir_all(&cli.data_dir)?;
            let owner = crate::db::embedded::unprivileged_user()?;
            repo.configure(&std::path::absolute(&root)?, owner)?;
            Some(repo.archive_command())
        } else {
            tracing::warn!("pgbackrest is not installed: the embedded database is not backed up");
            None
        };
        let options = ClusterOptions {
            archive_command,
            ..ClusterOptions::default()
        };
        let archiving = options.archive_command.is_some();
        let cluster = Cluster::start(&root, options).await?;
        // Archiving fails (and WAL piles up in pg_wal) until the stanza exists: create it now,
        // not at the first backup.
        if archiving {
            if let Err(e) = repo.ensure_stanza(&cluster).await {
                tracing::error!(error = %e, "backups: creating the pgBackRest stanza failed");
            }
        }
        let urls = cluster.provision("eduflow").await?;
        migrate::migrate(&urls.admin, &urls.runtime).await?;
        Ok(Self {
            runtime_url: urls.runtime,
            admin_url: Some(urls.admin),
            replica_urls: Vec::new(),
            listen_url: None,
            cluster: Some(cluster),
            backups: archiving.then_some(repo),
        })
    }

    fn admin_url(&self) -> anyhow::Result<&str> {
        self.admin_url
            .as_deref()
            .context("this command needs DATABASE_ADMIN_URL (the owner role)")
    }

    fn admin_pools(&self) -> anyhow::Result<Pools> {
        Ok(Pools::new(
            PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
            self.admin_url()?,
            &[],
            None,
        ))
    }

    async fn close(self) {
        if let Some(cluster) = self.cluster {
            if let Err(e) = cluster.stop().await {
                tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed");
            }
        }
    }
}

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
            if db.cluster.is_none() {
                match &args.owner_role {
                    Some(role) => {
                        migrate::migrate_as_owner(db.admin_url()?, &db.runtime_url, role).await?;
                        println!(
                            "EduFlow's objects belong to {role}; give later commands \
                             DATABASE_ADMIN_URL=<this URL>?options=-c%20role%3D{role}"
                        );
                    }
                    None => migrate::migrate(db.admin_url()?, &db.runtime_url).await?,
                }
            }
            println!("migrations applied; runtime role granted");
            Ok(())
        }
        Command::Tenants { command } => tenants_cmd(cli, db, command).await,
        Command::Seed(args) => seed_cmd(cli, db, args).await,
        Command::Backup { command } => backup_cmd(cli, db, command).await,
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
            let lesson = crate::assessment::import::import(
                db.admin_pools()?.primary(),
                &args.school,
                &args.course,
                &args.title,
                &source,
                &settings,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
            println!("{lesson}");
            Ok(())
        }
        Command::Courses { command } => {
            let (r, published) = match command {
                CoursesCommand::Publish(r) => (r, true),
                CoursesCommand::Unpublish(r) => (r, false),
            };
            seed::set_published(db.admin_pools()?.primary(), &r.school, &r.course, published)
                .await?;
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

async fn tenants_cmd(cli: &Cli, db: &Database, command: &TenantsCommand) -> anyhow::Result<()> {
    let pools = db.admin_pools()?;
    let pool = pools.primary();
    match command {
        TenantsCommand::Check => unreachable!("handled before opening the database"),
        TenantsCommand::Sync => {
            let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
            for (slug, _) in sync::apply(pool, specs, sync::Mode::Upsert).await? {
                println!("synced {slug}");
            }
        }
        TenantsCommand::Create(args) | TenantsCommand::Update(args) => {
            let create = matches!(command, TenantsCommand::Create(_));
            let spec = school_spec(cli, pool, args, create).await?;
            let mode = if create {
                sync::Mode::Create
            } else {
                sync::Mode::Update
            };
            let slug = spec.slug.clone();
            sync::apply(pool, vec![spec], mode).await?;
            println!("{} {slug}", if create { "created" } else { "updated" });
        }
        TenantsCommand::Suspend { slug } | TenantsCommand::Resume { slug } => {
            let suspend = matches!(command, TenantsCommand::Suspend { .. });
            lifecycle::set_suspended(pool, slug, suspend).await?;
            println!("{} {slug}", if suspend { "suspended" } else { "resumed" });
        }
        TenantsCommand::Delete { slug, confirm } => {
            if confirm.as_deref() != Some(slug.as_str()) {
                bail!("deleting {slug} removes all its data and media: add `--confirm {slug}`");
            }
            let store = store_config(cli)?.open()?;
            let deleted = lifecycle::delete(pool, &store, slug).await?;
            println!("deleted {slug}:");
            for (table, n) in deleted.rows.iter().filter(|(_, n)| *n > 0) {
                println!("  {n:>8} {table}");
            }
            println!("  {:>8} media objects", deleted.objects);
        }
        TenantsCommand::Export { slug, out } => {
            let store = store_config(cli)?.open()?;
            let start = std::time::Instant::now();
            let done = crate::tenancy::archive::export(pool, &store, slug, out).await?;
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
        TenantsCommand::Import { file, as_slug } => {
            let config = store_config(cli)?;
            let staging = staging_dir(cli, &config);
            let store = config.open()?;
            let start = std::time::Instant::now();
            let done =
                crate::tenancy::archive::import(pool, &store, file, as_slug.as_deref(), &staging)
                    .await?;
            println!(
                "imported {} as {}: {} rows, {} media objects, {:.1} s",
                file.display(),
                done.slug,
                done.rows,
                done.objects,
                start.elapsed().as_secs_f64()
            );
        }
        TenantsCommand::List => {
            for school in lifecycle::list(pool).await? {
                let state = match school.suspended_at {
                    Some(at) => format!("suspended since {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{state}\t{}",
                    school.slug,
                    school.name,
                    school.domains.join(",")
                );
            }
        }
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
            files::from_toml(path, &text).map_err(files::FileErrors)?
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
    if let Some(reply_to) = &args.mail_reply_to {
        school.accounts.mail_reply_to = Some(reply_to.clone()).filter(|r| !r.is_empty());
    }
    Ok(files::validate(&label, school, &cli.base_domain, None).map_err(files::FileErrors)?)
}

/// `serve --sync-tenants`: creates the schools of `tenants/` that do not exist, each on its own,
/// and reports (without stopping) every file or school that cannot be applied.
async fn create_missing_schools(
    cli: &Cli,
    db: &Database,
) -> anyhow::Result<Vec<(String, TenantId)>> {
    let (specs, problems) = files::read_dir(&cli.tenants_dir, &cli.base_domain);
    for problem in &problems {
        tracing::error!(%problem, "school file skipped");
    }
    let pools = db.admin_pools()?;
    let mut schools = Vec::new();
    for spec in specs {
        let file = spec.file.clone();
        match sync::apply(pools.primary(), vec![spec], sync::Mode::CreateMissing).await {
            Ok(mut applied) => schools.append(&mut applied),
            Err(e) => tracing::error!(file = %file.display(), error = %e, "school file skipped"),
        }
    }
    Ok(schools)
}

async fn backup_cmd(cli: &Cli, db: &Database, command: &BackupCommand) -> anyhow::Result<()> {
    let Some(cluster) = &db.cluster else {
        bail!(
            "`eduflow backup` manages the embedded database; back up your own PostgreSQL with \
             pgBackRest next to it (README: Backups)"
        );
    };
    let Some(repo) = &db.backups else {
        bail!("pgbackrest is not installed (Debian: apt-get install pgbackrest)");
    };
    match command {
        BackupCommand::Now => {
            let start = std::time::Instant::now();
            let label = repo.backup_full(cluster).await?;
            println!(
                "full backup {label} taken in {:.1} s",
                start.elapsed().as_secs_f64()
            );
        }
        BackupCommand::List => {
            for b in repo.list(cluster).await? {
                println!(
                    "{}\t{}\t{} → {}\tdatabase {} MiB\trepository {} MiB",
                    b.label,
                    b.kind,
                    b.started.format("%Y-%m-%dT%H:%M:%SZ"),
                    b.stopped.format("%Y-%m-%dT%H:%M:%SZ"),
                    b.database_bytes >> 20,
                    b.repo_bytes >> 20
                );
            }
        }
        BackupCommand::Verify => {
            print!("{}", repo.verify(cluster).await?);
            println!("backups and archived WAL verified: no error");
        }
        BackupCommand::Restore { to, into } => {
            let into = into.clone().unwrap_or_else(|| {
                cli.data_dir
                    .join(format!("restored-{}", to.format("%Y%m%dT%H%M%SZ")))
            });
            let start = std::time::Instant::now();
            repo.restore(cluster, *to, &into).await?;
            println!(
                "restored to {} into {} in {:.1} s; start it with: pg_ctl -D {} start \
                 (or stop EduFlow and put it in place of {})",
                to.to_rfc3339(),
                into.display(),
                start.elapsed().as_secs_f64(),
                into.display(),
                cli.data_dir.join("pg/data").display()
            );
        }
    }
    Ok(())
}

async fn seed_cmd(cli: &Cli, db: &Database, args: &SeedArgs) -> anyhow::Result<()> {
    let pools = db.admin_pools()?;
    match (args.tenants, args.courses_per_tenant) {
        (Some(n), Some(m)) => {
            seed::generate(pools.primary(), n, m, args.seed, 4).await?;
            if args.learners_per_tenant > 0 {
                seed::generate_learners(
                    pools.primary(),
                    n,
                    args.learners_per_tenant,
                    args.enrollments_per_learner,
                    args.seed,
                )
                .await?;
            }
            println!("{n} benchmark school(s) with {m} course(s) each");
        }
        _ => {
            let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
            let schools = sync::apply(pools.primary(), specs, sync::Mode::Upsert).await?;
            let store = store_config(cli)?.open()?;
            let seeded = seed::demo(pools.primary(), &schools, args.seed, &store).await?;
            println!("demo content added to {seeded} school(s)");
        }
    }
    Ok(())
}

async fn serve(cli: &Cli, db: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    if args.sync_tenants || db.cluster.is_some() {
        if db.admin_url.is_none() {
            bail!("--sync-tenants needs DATABASE_ADMIN_URL (the owner role)");
        }
        let schools = create_missing_schools(cli, db).await?;
        if db.cluster.is_some() {
            let store = store_config(cli)?.open()?;
            let seeded = seed::demo(db.admin_pools()?.primary(), &schools, 42, &store).await?;
            if seeded > 0 {
                tracing::info!(seeded, "demo content added");
            }
        }
    }
    if let (Some(cluster), Some(repo)) = (&db.cluster, &db.backups) {
        actix_web::rt::spawn(repo.clone().nightly(cluster.clone(), args.backup_at));
    }
    let media_store = store_config(cli)?;
    let replay_to = regions::replay_target(
        args.write_mode,
        args.region.as_deref(),
        args.primary_region.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let settings = Settings {
        listen: args.listen.clone(),
        base_domain: cli.base_domain.clone(),
        runtime_url: db.runtime_url.clone(),
        listen_url: db
            .listen_url
            .clone()
            .unwrap_or_else(|| db.runtime_url.clone()),
        replica_urls: regions::replica_urls(&db.replica_urls, args.region.as_deref()),
        replica_wait: std::time::Duration::from_millis(args.replica_wait_ms),
        replica_max_lag: std::time::Duration::from_millis(args.replica_max_lag_ms),
        replay_to,
        trusted_proxies: args.trusted_proxies.clone(),
        signups_per_address: args.signups_per_address,
        school_requests: args.school_requests.unwrap_or_else(|| {
            4 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        }),
        page_cache_bytes: args.page_cache_bytes,
        actor_idle: args.actor_idle(),
        pool: PoolSettings {
            max_size: args.pool_size,
            checkout_timeout: args.pool_timeout(),
            pooler: cli.db.database_pooler,
            school_budget: args
                .school_db_budget
                .unwrap_or((args.pool_size as usize).div_ceil(2)),
            limits: crate::db::pools::Limits {
                statement: std::time::Duration::from_millis(args.statement_timeout_ms),
                lock: std::time::Duration::from_millis(args.lock_timeout_ms),
            },
        },
        workers: args.workers,
        metrics_listen: args.metrics_listen.clone(),
        top_schools: args.metrics_top_schools,
        https: args.https,
        position_flush: std::time::Duration::from_millis(args.position_flush_ms),
        media_staging: staging_dir(cli, &media_store),
        media_store,
        upload_limits: crate::media::limits::Limits {
            image: args.max_image_bytes,
            video: args.max_video_bytes,
            hls: args.max_hls_bytes,
        },
        media_secret: media_secret(cli, db, args)?,
        media_url_ttl: std::time::Duration::from_secs(args.media_url_ttl_secs),
        media_links: media_links(cli, args)?,
        cdn_origin_secret: cdn_origin_secret(args)?,
        mail: mail_settings(cli, db, args)?,
        clock: crate::clock::Clock::system(),
    };
    let app = Application::build(settings).await?;
    let port = app.port();
    let state = app.state();
    let schools = state.directory.all();
    if schools.is_empty() {
        tracing::warn!("no schools yet: create one with `eduflow tenants create`");
    }
    println!(
        "EduFlow is serving {} school(s) on port {port}:",
        schools.len()
    );
    for tenant in schools.iter().take(20) {
        println!(
            "  {}  {}/",
            tenant.name,
            state.directory.origin(tenant, "http", Some(port))
        );
    }
    if schools.len() > 20 {
        println!("  … and {} more", schools.len() - 20);
    }
    if let Some(port) = app.metrics_port() {
        println!("Metrics: http://127.0.0.1:{port}/metrics");
    }
    println!("Press Ctrl-C to stop.");
    app.run_until_stopped().await?;
    Ok(())
}

async fn create_user(db: &Database, args: &NewUserArgs) -> anyhow::Result<()> {
    use crate::accounts::password::NewPassword;
    use crate::accounts::sessions::{Role, random_token};
    use crate::accounts::users::{self, NewUser};
    let email = args.email.trim().to_lowercase();
    let (password, generated) = match &args.password {
        Some(p) => (p.clone(), false),
        None => (random_token()[..20].to_owned(), true),
    };
    let password =
        NewPassword::parse(&password, &email).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = password.hash()?;
    let role = Role::parse(&args.role).context("role")?;
    let pools = db.admin_pools()?;
    let tenant = lifecycle::school_id(pools.primary(), &args.school).await?;
    let (name, mail) = (args.name.trim().to_owned(), email.clone());
    let created = crate::db::tenant_tx(pools.primary(), tenant, "users", move |conn| {
        Box::pin(async move {
            users::create(
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
            .await
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

fn store_config(cli: &Cli) -> anyhow::Result<StoreConfig> {
    let args = &cli.store;
    Ok(match args.media_store {
        crate::config::StoreKind::Local => StoreConfig::Local(
            args.media_dir
                .clone()
                .unwrap_or_else(|| cli.data_dir.join("media")),
        ),
        crate::config::StoreKind::S3 => StoreConfig::S3(S3Config {
            bucket: args
                .s3_bucket
                .clone()
                .context("--media-store s3 needs EDUFLOW_S3_BUCKET")?,
            region: args.s3_region.clone(),
            endpoint: args.s3_endpoint.clone(),
            path_style: args.s3_path_style,
            keys: None,
        }),
    })
}

/// Uploads are staged on the local store's own filesystem, so storing one is a rename.
fn staging_dir(cli: &Cli, store: &StoreConfig) -> std::path::PathBuf {
    match store {
        StoreConfig::Local(root) => root.join(".staging"),
        StoreConfig::S3(_) => cli.data_dir.join("staging"),
    }
}

/// SMTP when configured; with the embedded database and no SMTP, `.eml` files in the data dir.
fn mail_settings(
    cli: &Cli,
    db: &Database,
    args: &ServeArgs,
) -> anyhow::Result<crate::startup::MailSettings> {
    let transport = match (&args.smtp_url, &db.cluster) {
        (Some(url), _) => {
            let ca = match &args.smtp_ca_file {
                Some(path) => Some(
                    std::fs::read(path)
                        .with_context(|| format!("reading --smtp-ca-file {}", path.display()))?,
                ),
                None => None,
            };
            crate::mail::transport::Transport::smtp(url, ca)?
        }
        (None, Some(_)) => crate::mail::transport::Transport::files(cli.data_dir.join("mail"))?,
        (None, None) => bail!(
            "set --smtp-url (EDUFLOW_SMTP_URL): schools send mail (password resets, invitations)"
        ),
    };
    let from = args
        .mail_from
        .clone()
        .unwrap_or_else(|| format!("no-reply@{}", cli.base_domain));
    let from = from
        .parse()
        .with_context(|| format!("--mail-from {from:?} is not an email address"))?;
    // The embedded default's links point at the port it listens on.
    let public_port = args.public_port.or_else(|| db.cluster.as_ref().map(|_| 0));
    Ok(crate::startup::MailSettings {
        transport,
        from,
        public_port,
        pace: crate::mail::sender::Pace::default(),
    })
}

/// The media URL key: given, or (embedded default only) generated once and kept in the data dir.
fn media_secret(cli: &Cli, db: &Database, args: &ServeArgs) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(secret) = &args.media_secret {
        if secret.len() < 32 {
            bail!("EDUFLOW_MEDIA_SECRET must be at least 32 characters");
        }
        return Ok(secret.as_bytes().to_vec());
    }
    if db.cluster.is_none() {
        bail!(
            "EDUFLOW_MEDIA_SECRET is required with DATABASE_URL: every instance must sign media URLs alike"
        );
    }
    let path = cli.data_dir.join("media-secret");
    if let Ok(secret) = std::fs::read(&path) {
        return Ok(secret);
    }
    let secret = crate::accounts::sessions::random_token().into_bytes();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    std::io::Write::write_all(&mut file, &secret)?;
    Ok(secret)
}

fn media_links(cli: &Cli, args: &ServeArgs) -> anyhow::Result<crate::media::Links> {
    use crate::config::SignerKind;
    use crate::media::Links;
    let need = |v: &Option<String>, name: &str| {
        v.clone()
            .with_context(|| format!("--media-signer {:?} needs {name}", args.media_signer))
    };
    let base = || -> anyhow::Result<String> {
        let base = need(&args.cdn_base_url, "EDUFLOW_CDN_BASE_URL")?;
        if !base.starts_with("https://") {
            bail!("EDUFLOW_CDN_BASE_URL must be an https:// URL");
        }
        Ok(base.trim_end_matches('/').to_owned())
    };
    Ok(match args.media_signer {
        SignerKind::Origin => Links::Origin,
        SignerKind::Bunny => {
            // The zone pulls from `/media`, which must know it.
            need(&args.cdn_origin_secret, "EDUFLOW_CDN_ORIGIN_SECRET")?;
            Links::Bunny {
                base: base()?,
                key: need(&args.bunny_token_key, "EDUFLOW_BUNNY_TOKEN_KEY")?.into_bytes(),
            }
        }
        SignerKind::Cloudfront => {
            let file = args
                .cloudfront_private_key_file
                .as_ref()
                .context("--media-signer cloudfront needs EDUFLOW_CLOUDFRONT_PRIVATE_KEY_FILE")?;
            let pem = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            Links::CloudFront {
                base: base()?,
                signer: Box::new(crate::media::cloudfront::CloudFrontSigner::new(
                    &need(
                        &args.cloudfront_key_pair_id,
                        "EDUFLOW_CLOUDFRONT_KEY_PAIR_ID",
                    )?,
                    &pem,
                )?),
            }
        }
        SignerKind::Presigned => {
            if cli.store.media_store != crate::config::StoreKind::S3 {
                bail!("--media-signer presigned needs --media-store s3");
            }
            Links::Presigned
        }
    })
}

fn cdn_origin_secret(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    match &args.cdn_origin_secret {
        Some(secret) if secret.len() < 32 => {
            bail!("EDUFLOW_CDN_ORIGIN_SECRET must be at least 32 characters")
        }
        other => Ok(other.clone()),
    }
}
