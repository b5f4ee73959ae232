//! A whole school in one file, and back: `eduflow tenants export|import`.
//!
//! The archive is a zip: `manifest.json` (format, version, the school's record, and the SHA-256
//! and size of every other entry), `tables/<table>.ndjson` (one JSON object per row) and
//! `media/<kind>/<file>` (the school's objects). Sessions are left out (they are logins on one
//! installation) and so are `course_tags`/`course_terms` (the import's triggers rebuild them).
//! Password hashes travel with the accounts, so learners keep their logins: keep archives safe.
//!
//! Import checks the version and every checksum before writing anything, gives every row a new
//! id (and the school a new one), moves every key to the new school's prefix, and writes all
//! rows in one transaction; objects written before a failed transaction are removed again.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::lifecycle::{TABLES, school_id};
use crate::db::schema::tenants;
use crate::db::{PgPool, global_tx, switch_tenant, tenant_tx};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::media::key::{MediaKey, hex};
use crate::media::store::Store;

pub const FORMAT: &str = "eduflow-school";
pub const VERSION: u32 = 1;

/// Tables that are not exported: per-installation logins, API tokens, webhooks and identity
/// providers (their secrets never leave the database in clear; a school file's `[[sso]]` sets
/// providers again), mail, mailed links and xAPI statements owed to an LRS (like the school's LRS
/// settings, they belong to the installation), the LTI platform keys (sealed with this
/// installation's secret; the importing one makes its own when first asked), access tokens and
/// used nonces, and indexes rebuilt by triggers. LTI tools, lessons, line items and scores are
/// exported. Which provider
/// subject is which account is exported, so accounts stay linked.
const SKIPPED: &[&str] = &[
    "sessions",
    "sso_assertions",
    "sso_logins",
    "sso_providers",
    "sso_settings",
    "api_tokens",
    "webhook_endpoints",
    "webhook_deliveries",
    "xapi_statements",
    "lti_keys",
    "lti_access_tokens",
    "lti_used",
    "course_tags",
    "course_terms",
    "outbox",
    "account_tokens",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SchoolRecord {
    pub id: uuid::Uuid,
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub domains: Vec<String>,
    pub accent_color: String,
    pub logo_url: Option<String>,
    pub admin_emails: Vec<String>,
    #[serde(default)]
    pub accounts: super::AccountSettings,
    /// Language tags; archives from before languages read as English.
    #[serde(default = "english")]
    pub locale: String,
    #[serde(default = "english_only")]
    pub locales: Vec<String>,
}

fn english() -> String {
    "en".into()
}

fn english_only() -> Vec<String> {
    vec![english()]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Rows, for a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub school: SchoolRecord,
    pub entries: Vec<Entry>,
}

/// The tenant tables an archive carries (the others hold secrets, sessions or derived rows).
pub fn exported_tables() -> impl Iterator<Item = &'static str> {
    TABLES.iter().copied().filter(|t| !SKIPPED.contains(t))
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub rows: u64,
    pub objects: usize,
    pub bytes: u64,
}

/// Writes the school `slug` to `out`.
pub async fn export(
    pool: &PgPool,
    store: &Store,
    slug: &str,
    out: &Path,
) -> anyhow::Result<Exported> {
    let tenant = school_id(pool, slug).await?;
    let school = global_tx(pool, "export", move |conn| {
        Box::pin(async move { super::record(conn, tenant).await })
    })
    .await?;
    let school = SchoolRecord {
        id: school.id.0,
        slug: school.slug,
        name: school.name,
        tagline: school.tagline,
        domains: school.domains,
        accent_color: school.accent_color,
        logo_url: school.logo_url,
        admin_emails: school.admin_emails,
        accounts: school.accounts,
        locale: school.locale.tag().to_owned(),
        locales: school.locales.iter().map(|l| l.tag().to_owned()).collect(),
    };
    // One transaction: every table as of the same snapshot.
    let tables: Vec<(&'static str, Vec<String>)> = tenant_tx(pool, tenant, "export", move |conn| {
        Box::pin(async move {
            let mut tables = Vec::new();
            for table in exported_tables() {
                let rows: Vec<JsonRow> = diesel::sql_query(format!(
                    "SELECT row_to_json(x)::text AS row FROM {table} x WHERE tenant_id = $1"
                ))
                .bind::<SqlUuid, _>(tenant.0)
                .load(conn)
                .await?;
                tables.push((table, rows.into_iter().map(|r| r.row).collect()));
            }
            Ok(tables)
        })
    })
    .await?;

    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let mut entries = Vec::new();
    let mut total_rows = 0;
    for (table, rows) in &tables {
        let mut text = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        let path = format!("tables/{table}.ndjson");
        zip.start_file(&path, deflated)?;
        zip.write_all(text.as_bytes())?;
        total_rows += rows.len() as u64;
        entries.push(Entry {
            path,
            sha256: hex(&Sha256::digest(text.as_bytes())),
            bytes: text.len() as u64,
            rows: Some(rows.len() as u64),
        });
    }
    let keys = store.school_keys(tenant).await?;
    let prefix = format!("t/{tenant}/");
    let mut media_bytes = 0;
    for key in &keys {
        let len = store.size(key).await?.unwrap_or(0);
        let path = format!("media/{}", &key.as_str()[prefix.len()..]);
        zip.start_file(&path, stored)?;
        let mut hasher = Sha256::new();
        let mut stream = store.read(key, 0, len).await?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            zip.write_all(&chunk)?;
        }
        media_bytes += len;
        entries.push(Entry {
            path,
            sha256: hex(&hasher.finalize()),
            bytes: len,
            rows: None,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: chrono::Utc::now(),
        school,
        entries,
    };
    zip.start_file("manifest.json", deflated)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    zip.finish()?.flush()?;
    Ok(Exported {
        rows: total_rows,
        objects: keys.len(),
        bytes: media_bytes,
    })
}

/// What an import wrote.
#[derive(Debug)]
pub struct Imported {
    pub slug: String,
    pub tenant: TenantId,
    pub rows: u64,
    pub objects: usize,
}

/// The school an archive holds, as its manifest says (nothing else is read or checked): what
/// an import must place before it starts.
pub fn school_in(path: &Path) -> anyhow::Result<SchoolRecord> {
    Ok(open(path)?.0.school)
}

fn open(path: &Path) -> anyhow::Result<(Manifest, zip::ZipArchive<std::fs::File>)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file).context("the archive is not a readable zip")?;
    let manifest: Manifest = {
        let mut text = String::new();
        zip.by_name("manifest.json")
            .context("the archive has no manifest.json")?
            .read_to_string(&mut text)?;
        serde_json::from_str(&text).context("manifest.json is not an EduFlow manifest")?
    };
    Ok((manifest, zip))
}

/// Reads and checks an archive: its manifest, and every entry against its checksum. Nothing is
/// written before this has succeeded.
fn open_checked(path: &Path) -> anyhow::Result<(Manifest, zip::ZipArchive<std::fs::File>)> {
    let (manifest, mut zip) = open(path)?;
    if manifest.format != FORMAT {
        bail!(
            "not an EduFlow school archive (format {:?})",
            manifest.format
        );
    }
    if manifest.version != VERSION {
        bail!(
            "archive version {} is not supported (this EduFlow reads version {VERSION})",
            manifest.version
        );
    }
    let listed: std::collections::HashSet<&str> =
        manifest.entries.iter().map(|e| e.path.as_str()).collect();
    for i in 0..zip.len() {
        let name = zip.by_index(i)?.name().to_owned();
        if name != "manifest.json" && !listed.contains(name.as_str()) {
            bail!("{name} is in the archive but not in its manifest");
        }
    }
    for entry in &manifest.entries {
        let safe = entry.path.starts_with("tables/") || entry.path.starts_with("media/");
        if !safe || entry.path.contains("..") {
            bail!("{} is not a valid entry name", entry.path);
        }
        let mut file = zip
            .by_name(&entry.path)
            .with_context(|| format!("{} is missing from the archive", entry.path))?;
        let mut hasher = Sha256::new();
        let copied = std::io::copy(&mut file, &mut hasher)?;
        if copied != entry.bytes || hex(&hasher.finalize()) != entry.sha256 {
            bail!(
                "{} does not match its checksum: the archive is damaged",
                entry.path
            );
        }
    }
    Ok((manifest, zip))
}

/// Every id in `value` found in `ids` is replaced, alone or named by kind (`quiz:<id>`, as the
/// gradebook's overrides and the audit log's subjects name them); every key of the old school
/// moves to the new school's prefix.
fn remap(value: &mut Value, ids: &HashMap<String, String>, old_prefix: &str, new_prefix: &str) {
    match value {
        Value::String(s) => {
            let named = s
                .split_once(':')
                .and_then(|(kind, id)| Some(format!("{kind}:{}", ids.get(id)?)));
            if let Some(new) = ids.get(s.as_str()) {
                *s = new.clone();
            } else if let Some(named) = named {
                *s = named;
            } else if s.contains(old_prefix) {
                *s = s.replace(old_prefix, new_prefix);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| remap(v, ids, old_prefix, new_prefix)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| remap(v, ids, old_prefix, new_prefix)),
        _ => {}
    }
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Imports the archive at `path` as `as_slug` (default: the slug it was exported with).
pub async fn import(
    pool: &PgPool,
    store: &Store,
    path: &Path,
    as_slug: Option<&str>,
    staging: &Path,
) -> anyhow::Result<Imported> {
    let (manifest, mut zip) = open_checked(path)?;
    let school = &manifest.school;
    let slug = as_slug.unwrap_or(&school.slug).to_owned();
    if !crate::slug::is_slug(&slug, 63) {
        bail!("{slug} is not a valid school slug");
    }
    let new_tenant = TenantId(uuid::Uuid::new_v4());
    let old_prefix = format!("t/{}/", school.id);
    let new_prefix = format!("t/{new_tenant}/");

    // Rows, with fresh ids for everything that has one.
    let mut tables: Vec<(&'static str, Vec<Value>)> = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert(school.id.to_string(), new_tenant.to_string());
    for table in exported_tables() {
        let path = format!("tables/{table}.ndjson");
        let mut text = String::new();
        if let Ok(mut entry) = zip.by_name(&path) {
            entry.read_to_string(&mut text)?;
        }
        let rows: Vec<Value> = text
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .with_context(|| format!("reading {path}"))?;
        for row in &rows {
            if let Some(id) = row.get("id").and_then(Value::as_str) {
                ids.insert(id.to_owned(), uuid::Uuid::new_v4().to_string());
            }
        }
        tables.push((table, rows));
    }
    for (_, rows) in &mut tables {
        for row in rows.iter_mut() {
            remap(row, &ids, &old_prefix, &new_prefix);
        }
    }

    // Objects first, under the new prefix (unreachable until the rows commit).
    std::fs::create_dir_all(staging)?;
    let mut written = Vec::new();
    let media: Vec<Entry> = manifest
        .entries
        .iter()
        .filter(|e| e.path.starts_with("media/"))
        .cloned()
        .collect();
    let stored = async {
        for entry in &media {
            let raw = format!("{new_prefix}{}", &entry.path["media/".len()..]);
            let key = MediaKey::parse(&raw)
                .with_context(|| format!("{} is not a media key", entry.path))?;
            let content_type = key.inline_type().unwrap_or("application/octet-stream");
            let mut file = zip.by_name(&entry.path)?;
            if key.ext == "m3u8" {
                // Playlists name their segments by key: they move to the new prefix too.
                let mut text = String::new();
                file.read_to_string(&mut text)?;
                let text = text.replace(&old_prefix, &new_prefix);
                store.put_bytes(&key, text.as_bytes(), content_type).await?;
            } else {
                let tmp = staging.join(format!("import-{}", uuid::Uuid::new_v4()));
                std::io::copy(&mut file, &mut std::fs::File::create(&tmp)?)?;
                drop(file);
                let put = store.put_file(&key, &tmp, content_type).await;
                let _ = std::fs::remove_file(&tmp);
                put?;
            }
            written.push(key);
        }
        anyhow::Ok(())
    }
    .await;
    let rows = match stored {
        Ok(()) => write_rows(pool, school, &slug, as_slug.is_some(), new_tenant, tables).await,
        Err(e) => Err(e),
    };
    match rows {
        Ok(rows) => Ok(Imported {
            slug,
            tenant: new_tenant,
            rows,
            objects: written.len(),
        }),
        Err(e) => {
            for key in &written {
                let _ = store.delete(key).await;
            }
            Err(e)
        }
    }
}

async fn write_rows(
    pool: &PgPool,
    school: &SchoolRecord,
    slug: &str,
    renamed: bool,
    tenant: TenantId,
    tables: Vec<(&'static str, Vec<Value>)>,
) -> anyhow::Result<u64> {
    let school = school.clone();
    let slug = slug.to_owned();
    let rows = global_tx(pool, "import", move |conn| {
        Box::pin(async move {
            let taken: i64 = tenants::table
                .filter(tenants::slug.eq(&slug))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(AppError::Conflict(Msg::plain(format!(
                    "a school `{slug}` exists already; import with --as <new slug>"
                ))));
            }
            // Under a new slug, the custom domains stay with the original school.
            let domains = if renamed {
                Vec::new()
            } else {
                school.domains.clone()
            };
            let clash: Vec<String> = tenants::table
                .filter(tenants::domains.overlaps_with(&domains))
                .select(tenants::slug)
                .load(conn)
                .await?;
            if !clash.is_empty() {
                return Err(AppError::Conflict(Msg::plain(format!(
                    "its domains are used by `{}`",
                    clash.join("`, `")
                ))));
            }
            diesel::insert_into(tenants::table)
                .values((
                    tenants::id.eq(tenant.0),
                    tenants::slug.eq(&slug),
                    tenants::name.eq(&school.name),
                    tenants::tagline.eq(&school.tagline),
                    tenants::domains.eq(&domains),
                    tenants::accent_color.eq(&school.accent_color),
                    tenants::logo_url.eq(&school.logo_url),
                    tenants::admin_emails.eq(&school.admin_emails),
                    tenants::require_verified_email.eq(school.accounts.require_verified_email),
                    tenants::mail_sender_name.eq(&school.accounts.mail_sender_name),
                    tenants::mail_reply_to.eq(&school.accounts.mail_reply_to),
                    tenants::locale.eq(&school.locale),
                    tenants::locales.eq(&school.locales),
                ))
                .execute(conn)
                .await?;
            switch_tenant(conn, tenant).await?;
            let mut total = 0u64;
            // Parents before children: the reverse of the deletion order.
            for (table, rows) in tables.iter().rev() {
                if rows.is_empty() {
                    continue;
                }
                let columns: Vec<Column> = diesel::sql_query(
                    "SELECT column_name::text AS name FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
                      ORDER BY ordinal_position",
                )
                .bind::<Text, _>(*table)
                .load(conn)
                .await?;
                let list = columns
                    .iter()
                    .map(|c| format!("\"{}\"", c.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                for chunk in rows.chunks(1000) {
                    // Every row names the new school; the check is explicit, not only RLS's.
                    if chunk
                        .iter()
                        .any(|r| r["tenant_id"].as_str() != Some(&tenant.to_string()))
                    {
                        return Err(AppError::bad_request(Msg::plain(format!(
                            "a row of {table} belongs to another school"
                        ))));
                    }
                    let json = Value::Array(chunk.to_vec()).to_string();
                    total += diesel::sql_query(format!(
                        "INSERT INTO {table} ({list}) SELECT {list}
                           FROM json_populate_recordset(NULL::{table}, $1::json)"
                    ))
                    .bind::<Text, _>(json)
                    .execute(conn)
                    .await? as u64;
                }
            }
            Ok(total)
        })
    })
    .await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_move_alone_named_by_kind_and_inside_media_keys() {
        let (old, new) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        let ids = HashMap::from([(old.clone(), new.clone())]);
        let mut row = serde_json::json!({
            "lesson_id": old,
            "item": format!("quiz:{old}"),
            "other": "quiz:not-an-id",
            "key": "t/school-a/covers/x.png",
            "title": "Ratios: a primer",
        });
        remap(&mut row, &ids, "t/school-a/", "t/school-b/");
        assert_eq!(row["lesson_id"], new);
        assert_eq!(row["item"], format!("quiz:{new}"));
        assert_eq!(row["other"], "quiz:not-an-id");
        assert_eq!(row["key"], "t/school-b/covers/x.png");
        assert_eq!(row["title"], "Ratios: a primer");
    }
}
