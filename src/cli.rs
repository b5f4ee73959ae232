//! What each subcommand does, given parsed settings.

use anyhow::{Context, bail};

use crate::config::{
    Cli, Command, CoursesCommand, NewUserArgs, SeedArgs, ServeArgs, TenantsCommand, UsersCommand,
};
use crate::db::embedded::{Cluster, ClusterOptions};
use crate::db::{PoolSettings, Pools, migrate};
use crate::media::store::LocalStore;
use crate::startup::{Application, Settings};
use crate::tenancy::{files, sync};
use crate::{ids::TenantId, seed};

/// The database a command works on: the one named by DATABASE_URL, or the embedded cluster.
struct Database {
    runtime_url: String,
    admin_url: Option<String>,
    replica_urls: Vec<String>,
    cluster: Option<Cluster>,
}

impl Database {
    async fn open(cli: &Cli) -> anyhow::Result<Self> {
        if let Some(url) = &cli.db.database_url {
            return Ok(Self {
                runtime_url: url.clone(),
                admin_url: cli.db.database_admin_url.clone(),
                replica_urls: cli.db.database_replica_urls.clone(),
                cluster: None,
            });
        }
        let cluster = Cluster::start(&cli.data_dir.join("pg"), ClusterOptions::default()).await?;
        let urls = cluster.provision("eduflow").await?;
        migrate::migrate(&urls.admin, &urls.runtime).await?;
        Ok(Self {
            runtime_url: urls.runtime,
            admin_url: Some(urls.admin),
            replica_urls: Vec::new(),
            cluster: Some(cluster),
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
        Command::Migrate => {
            if db.cluster.is_none() {
                migrate::migrate(db.admin_url()?, &db.runtime_url).await?;
            }
            println!("migrations applied; runtime role granted");
            Ok(())
        }
        Command::Tenants {
            command: TenantsCommand::Sync,
        } => {
            for (slug, _) in sync_tenants(cli, db).await? {
                println!("synced {slug}");
            }
            Ok(())
        }
        Command::Tenants {
            command: TenantsCommand::Check,
        } => unreachable!("handled before opening the database"),
        Command::Seed(args) => seed_cmd(cli, db, args).await,
        Command::Users {
            command: UsersCommand::Create(args),
        } => create_user(db, args).await,
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

async fn sync_tenants(cli: &Cli, db: &Database) -> anyhow::Result<Vec<(String, TenantId)>> {
    let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
    Ok(sync::apply(db.admin_pools()?.primary(), specs).await?)
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
            let schools = sync_tenants(cli, db).await?;
            let store = LocalStore::new(media_dir(cli));
            let seeded = seed::demo(pools.primary(), &schools, args.seed, &store).await?;
            println!("demo content added to {seeded} school(s)");
        }
    }
    Ok(())
}

async fn serve(cli: &Cli, db: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    if db.admin_url.is_some() {
        let schools = sync_tenants(cli, db).await?;
        if db.cluster.is_some() {
            let store = LocalStore::new(media_dir(cli));
            let seeded = seed::demo(db.admin_pools()?.primary(), &schools, 42, &store).await?;
            if seeded > 0 {
                tracing::info!(seeded, "demo content added");
            }
        }
    } else {
        tracing::info!("no DATABASE_ADMIN_URL: serving without syncing tenants/");
    }
    let settings = Settings {
        listen: args.listen.clone(),
        base_domain: cli.base_domain.clone(),
        runtime_url: db.runtime_url.clone(),
        replica_urls: db.replica_urls.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        page_cache_bytes: args.page_cache_bytes,
        actor_idle: args.actor_idle(),
        pool: PoolSettings {
            max_size: args.pool_size,
            checkout_timeout: args.pool_timeout(),
        },
        workers: args.workers,
        metrics_listen: args.metrics_listen.clone(),
        top_schools: args.metrics_top_schools,
        https: args.https,
        position_flush: std::time::Duration::from_millis(args.position_flush_ms),
        media_dir: media_dir(cli),
        media_secret: media_secret(cli, db, args)?,
        media_url_ttl: std::time::Duration::from_secs(args.media_url_ttl_secs),
        media_links: media_links(args)?,
    };
    let app = Application::build(settings).await?;
    let port = app.port();
    let state = app.state();
    let schools = state.directory.all();
    if schools.is_empty() {
        bail!(
            "no schools: add a file to {} and restart",
            cli.tenants_dir.display()
        );
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
    use crate::learners::password::NewPassword;
    use crate::learners::sessions::{Role, random_token};
    use crate::learners::users::{self, NewUser};
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
    let tenant = seed::school_id(pools.primary(), &args.school).await?;
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

fn media_dir(cli: &Cli) -> std::path::PathBuf {
    cli.media_dir
        .clone()
        .unwrap_or_else(|| cli.data_dir.join("media"))
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
    let secret = crate::learners::sessions::random_token().into_bytes();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    std::io::Write::write_all(&mut file, &secret)?;
    Ok(secret)
}

fn media_links(args: &ServeArgs) -> anyhow::Result<crate::media::Links> {
    if args.media_signer == "origin" {
        return Ok(crate::media::Links::Origin);
    }
    let need = |v: &Option<String>, name: &str| {
        v.clone()
            .with_context(|| format!("--media-signer bunny needs {name}"))
    };
    let base = need(&args.cdn_base_url, "EDUFLOW_CDN_BASE_URL")?
        .trim_end_matches('/')
        .to_owned();
    if !base.starts_with("https://") {
        bail!("EDUFLOW_CDN_BASE_URL must be an https:// URL");
    }
    let origin_secret = need(&args.cdn_origin_secret, "EDUFLOW_CDN_ORIGIN_SECRET")?;
    if origin_secret.len() < 32 {
        bail!("EDUFLOW_CDN_ORIGIN_SECRET must be at least 32 characters");
    }
    Ok(crate::media::Links::Bunny {
        base,
        key: need(&args.bunny_token_key, "EDUFLOW_BUNNY_TOKEN_KEY")?.into_bytes(),
        origin_secret,
    })
}
