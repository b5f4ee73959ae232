//! `serve`: the settings `Application::build` takes, from the flags.

use anyhow::{Context, bail};

use super::database::Database;
use super::store::{staging_dir, store_config};
use super::tenants::create_missing_schools;
use crate::config::{Cli, ServeArgs};
use crate::db::PoolSettings;
use crate::startup::{Application, Settings};
use crate::{regions, seed};

pub(super) async fn serve(cli: &Cli, db: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    if args.sync_tenants || db.cluster.is_some() {
        if db.admin_url.is_none() {
            bail!("--sync-tenants needs DATABASE_ADMIN_URL (the owner role)");
        }
        let schools = create_missing_schools(cli, db).await?;
        if db.cluster.is_some() {
            let store = store_config(cli)?.open()?;
            let seeded =
                seed::demo::demo(db.admin_pools()?.primary(), &schools, 42, &store).await?;
            if seeded > 0 {
                tracing::info!(seeded, "demo content added");
            }
        }
    }
    if let (Some(cluster), Some(repo)) = (&db.cluster, &db.backups) {
        actix_web::rt::spawn(repo.clone().nightly(cluster.clone(), args.backup_at));
    }
    let media_store = store_config(cli)?;
    // Refused at start: an explicit replay mode without the primary region.
    regions::replay_target(
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
        writes: regions::Writes {
            mode: args.write_mode,
            here: args.region.clone(),
        },
        main_region: args.primary_region.clone().unwrap_or_default(),
        pool_total: args.pool_total(),
        trusted_proxies: args.trusted_proxies.clone(),
        signups_per_address: args.signups_per_address,
        api_rate_per_minute: args.api_rate_per_minute,
        webhooks: crate::webhooks::sender::Pace {
            allow_private: cli.webhooks_allow_private,
            ..Default::default()
        },
        xapi: crate::xapi::sender::Pace {
            allow_private: cli.lrs_allow_private,
            ..Default::default()
        },
        sso_allow_private: cli.sso_allow_private,
        lti_allow_private: cli.lti_allow_private,
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
