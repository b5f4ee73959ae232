//! Finds or starts a school's actor. Shared by every worker thread; an actor lives on the worker
//! that first needed it and leaves the registry when it stops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};

use actix::prelude::*;

use super::context::SchoolContext;
use super::learners::{GetLearner, LearnerChanged};
use super::school::{CacheStats, CatalogChanged, GetPage, Refresh, SchoolActor, Stats};
use super::shelf::Shelf;
use crate::catalog::pages::{PageKey, Rendered};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};
use crate::learning::LearnerState;
use crate::tenancy::{Directory, Tenant};

struct Entry {
    generation: u64,
    tenant: Arc<Tenant>,
    addr: Addr<SchoolActor>,
    shelf: Arc<Shelf>,
}

pub struct Registry {
    ctx: Arc<SchoolContext>,
    actors: Mutex<HashMap<TenantId, Entry>>,
    /// Each live actor's published pages, read by workers without a message.
    shelves: RwLock<HashMap<TenantId, Arc<Shelf>>>,
    /// Newest announced catalog version per school, so an actor started after an announcement
    /// still refuses replica data older than it.
    versions: Mutex<HashMap<TenantId, i64>>,
    next_generation: AtomicU64,
    me: Weak<Registry>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Registry {
    pub fn new(ctx: SchoolContext) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            ctx: Arc::new(ctx),
            actors: Mutex::default(),
            shelves: RwLock::default(),
            versions: Mutex::default(),
            next_generation: AtomicU64::new(0),
            me: me.clone(),
        })
    }

    fn actor(&self, tenant: &Arc<Tenant>) -> Addr<SchoolActor> {
        let mut actors = lock(&self.actors);
        if let Some(entry) = actors.get(&tenant.id).filter(|e| e.addr.connected()) {
            return entry.addr.clone();
        }
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        let min_version = lock(&self.versions).get(&tenant.id).copied().unwrap_or(0);
        let shelf = Arc::new(Shelf::new(min_version));
        let (me, id) = (self.me.clone(), tenant.id);
        let on_stop = Box::new(move || {
            if let Some(registry) = me.upgrade() {
                registry.forget(id, generation);
            }
        });
        let addr = SchoolActor::new(
            tenant.clone(),
            self.ctx.clone(),
            on_stop,
            min_version,
            shelf.clone(),
        )
        .start();
        self.shelves
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.id, shelf.clone());
        actors.insert(
            tenant.id,
            Entry {
                generation,
                tenant: tenant.clone(),
                addr: addr.clone(),
                shelf,
            },
        );
        addr
    }

    /// What `tenant`'s actor published, if it runs.
    fn shelf(&self, tenant: &Tenant) -> Option<Arc<Shelf>> {
        self.shelves
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tenant.id)
            .cloned()
    }

    /// A rendered page of `tenant`: from the shelf its actor published, or through the actor.
    pub async fn page(
        &self,
        tenant: &Arc<Tenant>,
        key: PageKey,
    ) -> Result<Arc<Rendered>, AppError> {
        if let Some(page) = self.shelf(tenant).and_then(|shelf| shelf.get(&key)) {
            self.ctx.metrics.cache_hits.inc();
            return Ok(page);
        }
        self.ask(
            tenant,
            GetPage {
                key,
                sent: std::time::Instant::now(),
            },
        )
        .await?
    }

    /// `user`'s learner state at `version` or newer: from the shelf, or through the actor.
    pub async fn learner(
        &self,
        tenant: &Arc<Tenant>,
        user: UserId,
        version: i64,
    ) -> Result<Arc<LearnerState>, AppError> {
        match self.shelf(tenant).and_then(|s| s.learner(user, version)) {
            Some(state) => Ok(state),
            None => self.ask(tenant, GetLearner { user, version }).await?,
        }
    }

    /// Sends `message` to the school's actor, starting one if needed. An actor may stop for
    /// idleness between lookup and delivery: then a new one is started and asked.
    pub async fn ask<M>(&self, tenant: &Arc<Tenant>, message: M) -> Result<M::Result, AppError>
    where
        M: Message + Clone + Send + 'static,
        M::Result: Send,
        SchoolActor: Handler<M>,
    {
        for _ in 0..3 {
            match self.actor(tenant).send(message.clone()).await {
                Ok(result) => return Ok(result),
                Err(MailboxError::Closed) => continue,
                Err(e @ MailboxError::Timeout) => return Err(AppError::Unavailable(e.into())),
            }
        }
        Err(AppError::Unavailable(anyhow::anyhow!(
            "school actor keeps stopping"
        )))
    }

    /// Called by a stopping actor; a newer actor for the same school is left alone.
    pub(super) fn forget(&self, tenant: TenantId, generation: u64) {
        let mut actors = lock(&self.actors);
        if actors
            .get(&tenant)
            .is_some_and(|e| e.generation == generation)
        {
            if let Some(entry) = actors.remove(&tenant) {
                let mut shelves = self.shelves.write().unwrap_or_else(PoisonError::into_inner);
                if shelves
                    .get(&tenant)
                    .is_some_and(|s| Arc::ptr_eq(s, &entry.shelf))
                {
                    shelves.remove(&tenant);
                }
            }
        }
    }

    /// A version a browser saw its own write reach (see `freshness`): like an announcement that
    /// has not arrived yet. Known versions cost a map lookup.
    pub fn catalog_seen(&self, tenant: TenantId, version: i64) {
        let known = lock(&self.versions).get(&tenant).copied().unwrap_or(0);
        if version > known {
            self.catalog_changed(tenant, version);
        }
    }

    pub fn catalog_changed(&self, tenant: TenantId, version: i64) {
        self.catalog_versions(vec![(tenant, version)]);
    }

    /// A learner's state reached `version` somewhere: the school's actor here (if any) drops an
    /// older copy.
    pub fn learner_changed(&self, tenant: TenantId, user: UserId, version: i64) {
        if let Some(entry) = lock(&self.actors).get(&tenant) {
            entry.addr.do_send(LearnerChanged { user, version });
        }
    }

    /// Versions read from the primary: without them, an instance that starts (or reconnects)
    /// while a replica lags would cache the replica's older pages until the next change. Each
    /// lock is taken once for the whole batch (a reload carries every school).
    pub fn catalog_versions(&self, changes: Vec<(TenantId, i64)>) {
        let mut versions = lock(&self.versions);
        for (tenant, version) in &changes {
            let known = versions.entry(*tenant).or_insert(*version);
            *known = (*known).max(*version);
        }
        drop(versions);
        let actors = lock(&self.actors);
        for (tenant, version) in changes {
            if let Some(entry) = actors.get(&tenant) {
                entry.shelf.raise(version);
                entry.addr.do_send(CatalogChanged(version));
            }
        }
    }

    /// After the school list was reloaded: rebrand changed schools, drop removed ones. With
    /// `resynced`, the actors of those clusters' schools drop their pages (changes may have been missed).
    pub fn refresh(&self, directory: &Directory, resynced: &[crate::db::ClusterName]) {
        lock(&self.actors).retain(|id, entry| match directory.by_id(*id) {
            Some(tenant) => {
                if resynced.contains(&tenant.cluster) || tenant != entry.tenant {
                    entry.tenant = tenant.clone();
                    // Until the actor has dropped them, its pages carry the old branding (and,
                    // after a reconnect, anything may be stale).
                    entry.shelf.clear();
                    entry.shelf.clear_learners();
                    entry.addr.do_send(Refresh(tenant));
                }
                true
            }
            None => {
                entry.shelf.clear();
                self.shelves
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(id);
                false
            }
        });
    }

    /// Waits (up to `limit`) for what stopped actors left to write; returns what is left.
    pub async fn drained(&self, limit: std::time::Duration) -> usize {
        let deadline = std::time::Instant::now() + limit;
        // Workers' actors stop as their threads wind down, possibly just after the server has.
        while self.live() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.ctx
            .drain
            .wait(deadline.saturating_duration_since(std::time::Instant::now()))
            .await
    }

    pub fn live(&self) -> usize {
        lock(&self.actors).len()
    }

    /// Page loads that reached the database so far.
    pub fn loads(&self) -> u64 {
        self.ctx.metrics.page_loads.get()
    }

    pub async fn stats(&self, tenant: TenantId) -> Option<CacheStats> {
        let addr = lock(&self.actors).get(&tenant).map(|e| e.addr.clone())?;
        addr.send(Stats).await.ok()
    }
}
