//! Schools: their records, the in-memory host map every request is resolved against, and the
//! `tenants/*.toml` files they are described in.

pub mod archive;
pub mod files;
pub mod lifecycle;
pub mod look;
pub mod moving;
pub mod sync;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::{school_moves, tenants};
use crate::db::{ClusterName, Clusters, global_tx};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::TenantId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub domains: Vec<String>,
    pub accent_color: String,
    pub logo_url: Option<String>,
    /// Emails that become admins of this school when they sign up.
    #[serde(skip)]
    pub admin_emails: Vec<String>,
    /// Suspended by an operator: every route answers 503, the data stays.
    #[serde(skip)]
    pub suspended: bool,
    #[serde(skip)]
    pub accounts: AccountSettings,
    /// The language pages and mail fall back to.
    pub locale: Locale,
    /// The languages its people may choose (the default among them); pages list them by name.
    #[serde(serialize_with = "crate::i18n::serialize_named")]
    pub locales: Vec<Locale>,
    /// The cluster its records and data are on (see `db::clusters`).
    #[serde(skip)]
    pub cluster: ClusterName,
}

impl Tenant {
    /// The language for someone whose account chose `account` (a tag): theirs when the school
    /// still offers it, else the school's.
    pub fn locale_for(&self, account: Option<&str>) -> Locale {
        account
            .and_then(Locale::parse)
            .filter(|l| self.locales.contains(l))
            .unwrap_or(self.locale)
    }
}

/// A school's account and mail settings (`[accounts]` in its school file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    /// Learners verify their email address before they can enroll.
    pub require_verified_email: bool,
    /// The name the school's mail is signed with (default: the school's name).
    pub mail_sender_name: Option<String>,
    /// Where replies to the school's mail go (default: nowhere but the sending address).
    pub mail_reply_to: Option<String>,
}

/// What every reader of a school's record selects, in [`TenantRow`]'s order.
pub(crate) type TenantColumns = (
    tenants::id,
    tenants::slug,
    tenants::name,
    tenants::tagline,
    tenants::domains,
    tenants::accent_color,
    tenants::logo_url,
    tenants::admin_emails,
    diesel::dsl::IsNotNull<tenants::suspended_at>,
    tenants::require_verified_email,
    tenants::mail_sender_name,
    tenants::mail_reply_to,
    tenants::locale,
    tenants::locales,
);

pub(crate) fn tenant_columns() -> TenantColumns {
    (
        tenants::id,
        tenants::slug,
        tenants::name,
        tenants::tagline,
        tenants::domains,
        tenants::accent_color,
        tenants::logo_url,
        tenants::admin_emails,
        tenants::suspended_at.is_not_null(),
        tenants::require_verified_email,
        tenants::mail_sender_name,
        tenants::mail_reply_to,
        tenants::locale,
        tenants::locales,
    )
}

/// One school's record.
pub(crate) async fn record(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: TenantId,
) -> Result<Tenant, AppError> {
    let row: TenantRow = tenants::table
        .filter(tenants::id.eq(tenant.0))
        .select(tenant_columns())
        .first(conn)
        .await?;
    Ok(row.into())
}

pub(crate) type TenantRow = (
    Uuid,
    String,
    String,
    String,
    Vec<String>,
    String,
    Option<String>,
    Vec<String>,
    bool,
    bool,
    Option<String>,
    Option<String>,
    String,
    Vec<String>,
);

impl From<TenantRow> for Tenant {
    fn from(
        (
            id,
            slug,
            name,
            tagline,
            domains,
            accent_color,
            logo_url,
            admin_emails,
            suspended,
            require_verified_email,
            mail_sender_name,
            mail_reply_to,
            locale,
            locales,
        ): TenantRow,
    ) -> Self {
        // A language this build no longer carries (a folder removed) reads as English.
        let locale = Locale::parse(&locale).unwrap_or(Locale::SOURCE);
        let mut locales: Vec<Locale> = locales.iter().filter_map(|l| Locale::parse(l)).collect();
        if !locales.contains(&locale) {
            locales.insert(0, locale);
        }
        Self {
            id: TenantId(id),
            slug,
            name,
            tagline,
            domains,
            accent_color,
            logo_url,
            admin_emails,
            suspended,
            accounts: AccountSettings {
                require_verified_email,
                mail_sender_name,
                mail_reply_to,
            },
            locale,
            locales,
            cluster: ClusterName::main(),
        }
    }
}

/// Where a request's host points.
#[derive(Debug, Clone)]
pub enum HostTarget {
    School(Arc<Tenant>),
    /// The bare base domain: EduFlow's own landing page.
    Platform,
    Unknown,
}

#[derive(Default)]
struct Maps {
    by_subdomain: HashMap<String, Arc<Tenant>>,
    by_domain: HashMap<String, Arc<Tenant>>,
    by_id: HashMap<TenantId, Arc<Tenant>>,
}

/// Every school's host names, held in memory so resolving a request never queries the database
/// (an unknown host costs nothing). Each cluster's schools are reloaded when its `tenants`
/// change; the maps join them all.
pub struct Directory {
    base_domain: String,
    /// Each cluster's schools as last loaded.
    parts: std::sync::Mutex<HashMap<ClusterName, Vec<Arc<Tenant>>>>,
    maps: RwLock<Arc<Maps>>,
}

impl Directory {
    pub fn new(base_domain: &str) -> Self {
        Self {
            base_domain: base_domain.to_ascii_lowercase(),
            parts: Default::default(),
            maps: RwLock::default(),
        }
    }

    pub fn base_domain(&self) -> &str {
        &self.base_domain
    }

    /// Reloads every cluster's schools from its primary, then places them all at once. Every
    /// cluster is read whenever one announces a change: a school moving between clusters is
    /// switched on by one and off by the other, the two announcements may arrive in either order,
    /// and the school must never be missing from the map in between. A cluster in `strict`
    /// that cannot be read fails the reload; any other keeps what was loaded before (logged).
    /// Returns each school's current catalog version: the oldest data a replica may serve for
    /// it from now on.
    pub async fn reload(
        &self,
        clusters: &Clusters,
        strict: &[ClusterName],
    ) -> Result<Vec<(TenantId, i64)>, AppError> {
        let mut versions = Vec::new();
        let mut loaded = Vec::new();
        for record in clusters.records() {
            let Some(pools) = clusters.named(&record.name) else {
                continue;
            };
            match Self::load(pools.primary(), &record.name).await {
                Ok(schools) => {
                    versions.extend(schools.iter().map(|(t, v)| (t.id, *v)));
                    loaded.push((record.name, schools.into_iter().map(|(t, _)| t).collect()));
                }
                Err(e) if strict.contains(&record.name) => return Err(e),
                Err(e) => {
                    tracing::warn!(cluster = %record.name, error = ?e, "loading a cluster's schools failed")
                }
            }
        }
        self.parts.lock().expect("directory lock").extend(loaded);
        self.forget_unlisted(clusters);
        Ok(versions)
    }

    /// One cluster's schools and their catalog versions.
    async fn load(
        pool: &crate::db::PgPool,
        cluster: &ClusterName,
    ) -> Result<Vec<(Arc<Tenant>, i64)>, AppError> {
        let rows: Vec<(TenantRow, i64)> = global_tx(pool, "directory", |conn| {
            Box::pin(async move {
                // A school arriving from another cluster, or gone to one, is not served here.
                let elsewhere = school_moves::table
                    .filter(school_moves::school.eq(tenants::id))
                    .filter(school_moves::serving.eq(false));
                Ok(tenants::table
                    .filter(diesel::dsl::not(diesel::dsl::exists(elsewhere)))
                    .select((tenant_columns(), tenants::catalog_version))
                    .load(conn)
                    .await?)
            })
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|(row, version)| {
                let mut tenant = Tenant::from(row);
                tenant.cluster = cluster.clone();
                (Arc::new(tenant), version)
            })
            .collect())
    }

    /// Drops the schools of clusters no longer listed.
    fn forget_unlisted(&self, clusters: &Clusters) {
        let listed: Vec<ClusterName> = clusters.records().into_iter().map(|r| r.name).collect();
        self.parts
            .lock()
            .expect("directory lock")
            .retain(|name, _| listed.contains(name));
        self.rebuild(clusters);
    }

    /// Joins the clusters' schools, in the clusters' order: should one slug, domain or id be on
    /// two clusters (a copy an operator made by hand), the first cluster keeps it.
    fn rebuild(&self, clusters: &Clusters) {
        let parts = self.parts.lock().expect("directory lock");
        let mut maps = Maps::default();
        let mut placement = Vec::new();
        for record in clusters.records() {
            let Some(schools) = parts.get(&record.name) else {
                continue;
            };
            for tenant in schools {
                if maps.by_id.contains_key(&tenant.id)
                    || maps.by_subdomain.contains_key(&tenant.slug)
                {
                    tracing::warn!(school = tenant.slug, cluster = %record.name, "school is on an earlier cluster too; ignored here");
                    continue;
                }
                for domain in &tenant.domains {
                    maps.by_domain
                        .entry(domain.to_ascii_lowercase())
                        .or_insert_with(|| tenant.clone());
                }
                maps.by_subdomain
                    .insert(tenant.slug.clone(), tenant.clone());
                maps.by_id.insert(tenant.id, tenant.clone());
                placement.push((tenant.id, record.name.clone()));
            }
        }
        // Placement first: a school the new map shows is placed by the time a request finds it.
        clusters.place(placement);
        *self.maps.write().expect("directory lock") = Arc::new(maps);
    }

    fn maps(&self) -> Arc<Maps> {
        self.maps.read().expect("directory lock").clone()
    }

    pub fn by_id(&self, id: TenantId) -> Option<Arc<Tenant>> {
        self.maps().by_id.get(&id).cloned()
    }

    pub fn all(&self) -> Vec<Arc<Tenant>> {
        let mut all: Vec<_> = self.maps().by_id.values().cloned().collect();
        all.sort_by(|a, b| a.slug.cmp(&b.slug));
        all
    }

    /// Resolves an already normalised host name (see [`crate::hostname::normalize`]).
    pub fn resolve(&self, host: &str) -> HostTarget {
        if host == self.base_domain {
            return HostTarget::Platform;
        }
        let maps = self.maps();
        let found = match host
            .strip_suffix(&self.base_domain)
            .and_then(|s| s.strip_suffix('.'))
        {
            Some(label) if !label.contains('.') => maps.by_subdomain.get(label),
            _ => maps.by_domain.get(host),
        };
        found.map_or(HostTarget::Unknown, |t| HostTarget::School(t.clone()))
    }

    /// The school's canonical origin, built from stored names, never from request headers.
    pub fn origin(&self, tenant: &Tenant, scheme: &str, port: Option<u16>) -> String {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{scheme}://{}.{}{port}", tenant.slug, self.base_domain)
    }
}
