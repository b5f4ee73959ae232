//! `tokens …`: a school's API tokens on the owner side.

use serde_json::json;

use super::database::Database;
use crate::api_tokens::{Scope, store};
use crate::audit::{self, By, Change};
use crate::config::TokensCommand;
use crate::db::tenant_tx;
use crate::tenancy::lifecycle;

pub(super) async fn tokens_cmd(db: &Database, command: &TokensCommand) -> anyhow::Result<()> {
    let pools = db.admin_pools()?;
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
