//! A school's actor. It owns the school's rendered pages; Postgres stays the truth. Loads run as
//! futures beside the mailbox (`wrap_future`), so a slow query never delays a cache hit, and
//! concurrent misses for one page share a single load.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use futures_util::future::BoxFuture;

use super::cache::ByteLru;
use super::context::SchoolContext;
use super::flight::Flights;
use super::learner_states::Learners;
use super::shelf::Shelf;
use crate::catalog::pages::{self, PageKey, Rendered};
use crate::error::AppError;
use crate::tenancy::Tenant;

pub struct SchoolActor {
    tenant: Arc<Tenant>,
    ctx: Arc<SchoolContext>,
    /// Tells the registry this actor has stopped.
    on_stop: Option<Box<dyn FnOnce() + Send>>,
    /// The cached pages, for accounting and eviction; `shelf` publishes the same set to workers.
    pages: ByteLru<PageKey, Arc<Rendered>>,
    shelf: Arc<Shelf>,
    loads: Flights<PageKey, Arc<Rendered>>,
    /// The newest catalog version announced for this school: pages older than it are stale.
    min_version: i64,
    /// Bumped whenever the pages are dropped; a load begun in an older epoch is not cached.
    epoch: u64,
    last_used: Instant,
    pub(super) learners: Learners,
}

impl SchoolActor {
    pub fn new(
        tenant: Arc<Tenant>,
        ctx: Arc<SchoolContext>,
        on_stop: Box<dyn FnOnce() + Send>,
        min_version: i64,
        shelf: Arc<Shelf>,
    ) -> Self {
        let cap = ctx.cache_bytes;
        Self {
            tenant,
            ctx,
            on_stop: Some(on_stop),
            pages: ByteLru::new(cap),
            learners: Learners::new(shelf.clone()),
            shelf,
            loads: Flights::default(),
            min_version,
            epoch: 0,
            last_used: Instant::now(),
        }
    }

    pub(super) fn context(&self) -> &SchoolContext {
        &self.ctx
    }

    pub(super) fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    fn learners_idle(&self) -> bool {
        self.learners.positions.is_empty()
    }

    pub(super) fn touch(&mut self) {
        self.last_used = Instant::now();
    }

    fn drop_pages(&mut self) {
        self.ctx.metrics.cache_bytes.sub(self.pages.held() as i64);
        self.pages.clear();
        self.shelf.clear();
        self.epoch += 1;
        self.loads.detach_all();
    }

    fn catalog_changed(&mut self, version: i64) {
        if version > self.min_version {
            self.min_version = version;
            self.drop_pages();
            self.drop_learners();
        }
    }

    fn finish_load(
        &mut self,
        key: PageKey,
        load: u64,
        epoch: u64,
        result: Result<Arc<Rendered>, AppError>,
    ) {
        if let Ok(page) = &result {
            if epoch == self.epoch && page.version >= self.min_version {
                let (held, evictions) = (self.pages.held(), self.pages.evictions);
                if let Some(evicted) = self.pages.insert(key.clone(), page.clone()) {
                    self.shelf.remove(&evicted);
                    self.shelf.put(key.clone(), page.clone());
                }
                let m = &self.ctx.metrics;
                m.cache_bytes.add(self.pages.held() as i64 - held as i64);
                m.cache_evictions.inc_by(self.pages.evictions - evictions);
            }
        }
        self.loads.finish(&key, load, &result);
    }
}

impl Actor for SchoolActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.ctx.metrics.actors_started.inc();
        self.ctx.metrics.actors_live.inc();
        let idle = self.ctx.idle;
        let tick = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(30));
        ctx.run_interval(tick, move |act, ctx| {
            let evicted = act.learners.evict_idle(idle);
            act.ctx.metrics.learner_states.sub(evicted as i64);
            let unused = act.last_used.elapsed().min(act.shelf.idle_for());
            if unused >= idle && act.loads.is_idle() && act.learners_idle() {
                ctx.stop();
            }
        });
        ctx.run_interval(self.ctx.position_flush, |act, ctx| act.flush_positions(ctx));
        ctx.run_interval(self.ctx.page_max_age, |act, _| act.drop_pages());
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        let m = &self.ctx.metrics;
        m.actors_stopped.inc();
        m.actors_live.dec();
        m.cache_bytes.sub(self.pages.held() as i64);
        m.learner_states.sub(self.learners.len() as i64);
        self.flush_positions_detached();
        if let Some(on_stop) = self.on_stop.take() {
            on_stop();
        }
    }
}

/// A rendered page of this school (from memory, or loaded once however many ask at once).
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<Rendered>, AppError>")]
pub struct GetPage {
    pub key: PageKey,
    /// When the request was sent, for the mailbox-wait histogram.
    pub sent: Instant,
}

impl Handler<GetPage> for SchoolActor {
    type Result = ResponseFuture<Result<Arc<Rendered>, AppError>>;

    fn handle(&mut self, GetPage { key, sent }: GetPage, ctx: &mut Self::Context) -> Self::Result {
        self.last_used = Instant::now();
        let m = &self.ctx.metrics;
        m.mailbox_wait.observe(sent.elapsed().as_secs_f64());
        if let Some(body) = self.pages.get(&key) {
            m.cache_hits.inc();
            return Box::pin(async move { Ok(body) });
        }
        m.cache_misses.inc();
        let (start, answer) = self.loads.wait(&key, self.min_version);
        if let Some(load) = start {
            self.ctx.metrics.page_loads.inc();
            let (school_ctx, tenant, min_version, epoch) = (
                self.ctx.clone(),
                self.tenant.clone(),
                self.min_version,
                self.epoch,
            );
            let fetch_key = key.clone();
            let fut = async move {
                pages::load(
                    &school_ctx.renderer(tenant.id)?,
                    &tenant,
                    &fetch_key,
                    min_version,
                )
                .await
            };
            ctx.spawn(
                actix::fut::wrap_future(fut).map(move |result, act: &mut Self, _| {
                    act.finish_load(key, load, epoch, result)
                }),
            );
        }
        Box::pin(answer)
    }
}

/// A committed change reached `version`: everything cached before it is stale.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CatalogChanged(pub i64);

impl Handler<CatalogChanged> for SchoolActor {
    type Result = ();

    fn handle(&mut self, CatalogChanged(version): CatalogChanged, _: &mut Self::Context) {
        self.catalog_changed(version);
    }
}

/// A catalog write made through this school (authoring). It runs beside the mailbox; once it has
/// committed, this instance drops its stale pages at once — the editor sees the change on their
/// next request — while NOTIFY tells every other instance.
/// The write sits in a shared slot so the registry may retry delivery (an actor can stop
/// between lookup and send); whichever actor receives it takes it, so it runs at most once.
pub struct Edit<R>(Arc<std::sync::Mutex<Option<WriteFuture<R>>>>);

type WriteFuture<R> = BoxFuture<'static, Result<Written<R>, AppError>>;

impl<R> Edit<R> {
    pub fn new(write: WriteFuture<R>) -> Self {
        Self(Arc::new(std::sync::Mutex::new(Some(write))))
    }
}

impl<R> Clone for Edit<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// What a committed edit returns, and the school's catalog version after it.
pub struct Written<R> {
    pub value: R,
    pub version: i64,
}

impl<R: Send + 'static> Message for Edit<R> {
    type Result = Result<R, AppError>;
}

impl<R: Send + 'static> Handler<Edit<R>> for SchoolActor {
    type Result = ResponseActFuture<Self, Result<R, AppError>>;

    fn handle(&mut self, Edit(slot): Edit<R>, _: &mut Self::Context) -> Self::Result {
        self.touch();
        let write = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let write: WriteFuture<R> = match write {
            Some(write) => write,
            None => Box::pin(async {
                Err(AppError::internal(anyhow::anyhow!(
                    "an edit was delivered twice"
                )))
            }),
        };
        Box::pin(
            actix::fut::wrap_future(write).map(|written, act: &mut Self, _| {
                written.map(|w| {
                    act.catalog_changed(w.version);
                    w.value
                })
            }),
        )
    }
}

/// The school's record changed (name, branding, domains) or changes may have been missed
/// (the listener reconnected): pages and learners are read again.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Refresh(pub Arc<Tenant>);

impl Handler<Refresh> for SchoolActor {
    type Result = ();

    fn handle(&mut self, Refresh(tenant): Refresh, _: &mut Self::Context) {
        self.tenant = tenant;
        self.drop_pages();
        self.drop_learners();
    }
}

/// What the actor holds, for tests and metrics.
#[derive(Message)]
#[rtype(result = "CacheStats")]
pub struct Stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub pages: usize,
    pub bytes: usize,
    pub evictions: u64,
    /// Learners whose state is held.
    pub learners: usize,
}

impl Handler<Stats> for SchoolActor {
    type Result = MessageResult<Stats>;

    fn handle(&mut self, _: Stats, _: &mut Self::Context) -> Self::Result {
        MessageResult(CacheStats {
            pages: self.pages.len(),
            bytes: self.pages.held(),
            evictions: self.pages.evictions,
            learners: self.learners.len(),
        })
    }
}
