//! `tokens …` and `webhooks …`: a school's API tokens and webhook endpoints on the owner side.

use serde_json::json;

use super::database::Database;
use crate::api_tokens::{Scope, store};
use crate::audit::{self, By, Change};
use crate::config::{TokensCommand, WebhooksCommand};
use crate::db::tenant_tx;
use crate::tenancy::lifecycle;

pub(super) async fn tokens_cmd(db: &Database, command: &TokensCommand) -> anyhow::Result<()> {
    let pools = db.school_pools(command.school()).await?;
    let pool = pools.primary();
    match command {
        TokensCommand::Create(args) => {
            let tenant = lifecycle::school_id(pool, &args.school).await?;
            let name = args.name.trim().to_owned();
            anyhow::ensure!(
                (1..=100).contains(&name.chars().count()),
                "--name is 1 to 100 characters"
            );
            let mut scopes: Vec<Scope> =
                args.scopes.iter().filter_map(|s| Scope::parse(s)).collect();
            scopes.sort();
            scopes.dedup();
            let expires_at = args
                .expires
                .map(|days| chrono::Utc::now() + chrono::Duration::days(days.into()));
            let created = tenant_tx(pool, tenant, "api_tokens", move |conn| {
                Box::pin(async move {
                    let created =
                        store::create(conn, tenant, &name, &scopes, expires_at, None).await?;
                    let listed: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                    let change = Change::new("token.created", format!("token:{}", created.id))
                        .after(json!({ "name": name, "scopes": listed, "expires_at": expires_at }));
                    audit::record(conn, tenant, &By::owner("tokens create"), change).await?;
                    Ok(created)
                })
            })
            .await?;
            println!("{}", created.token);
            eprintln!(
                "token {} for {}: shown once, keep it secret",
                created.id, args.school
            );
        }
        TokensCommand::List { school } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let tokens = tenant_tx(pool, tenant, "api_tokens", move |conn| {
                Box::pin(async move { store::list(conn, tenant).await })
            })
            .await?;
            for t in tokens {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d")),
                    (None, Some(at)) => format!("expires {}", at.format("%Y-%m-%d")),
                    (None, None) => "no expiry".to_owned(),
                };
                println!(
                    "{}\t{}…\t{}\t{}\t{state}",
                    t.id,
                    t.hint,
                    t.name,
                    t.scopes.join(" ")
                );
            }
        }
        TokensCommand::Revoke { school, id } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let token = *id;
            let revoked = tenant_tx(pool, tenant, "api_tokens", move |conn| {
                Box::pin(async move {
                    let revoked = store::revoke(conn, tenant, token).await?;
                    if let Some(name) = &revoked {
                        let change = Change::new("token.revoked", format!("token:{token}"))
                            .before(json!({ "name": name }));
                        audit::record(conn, tenant, &By::owner("tokens revoke"), change).await?;
                    }
                    Ok(revoked)
                })
            })
            .await?;
            let Some(name) = revoked else {
                anyhow::bail!("{school} has no live token {id}");
            };
            println!("revoked {id} ({name})");
        }
    }
    Ok(())
}

pub(super) async fn webhooks_cmd(
    cli: &crate::config::Cli,
    db: &Database,
    command: &WebhooksCommand,
) -> anyhow::Result<()> {
    use crate::outbound as address;
    use crate::webhooks::{parse_events, store as hooks};
    let pools = db.school_pools(command.school()).await?;
    let pool = pools.primary();
    match command {
        WebhooksCommand::Add {
            school,
            url,
            events,
        } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let url = address::parse(url).map_err(|e| anyhow::anyhow!("--url: {e}"))?;
            address::resolve(&url, cli.webhooks_allow_private)
                .await
                .map_err(|e| anyhow::anyhow!("--url: {e}"))?;
            let events =
                parse_events(events.iter().map(String::as_str)).map_err(anyhow::Error::msg)?;
            let secret = tenant_tx(pool, tenant, "webhooks", move |conn| {
                Box::pin(async move {
                    let by = By::owner("webhooks add");
                    hooks::add(conn, tenant, &by, url.as_str(), &events).await
                })
            })
            .await?;
            println!("{secret}");
            eprintln!("webhook endpoint added to {school}: the secret is shown once");
        }
        WebhooksCommand::List { school } => {
            let tenant = lifecycle::school_id(pool, school).await?;
            let endpoints = tenant_tx(pool, tenant, "webhooks", move |conn| {
                Box::pin(async move { hooks::list(conn, tenant).await })
            })
            .await?;
            for e in endpoints {
                let state = match e.disabled_at {
                    Some(at) => format!("disabled {}", at.format("%Y-%m-%d %H:%M")),
                    None => format!("active ({} failures in a row)", e.failures),
                };
                println!("{}\t{}\t{}\t{state}", e.id, e.url, e.events.join(" "));
            }
        }
    }
    Ok(())
}
