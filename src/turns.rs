//! Schools taking turns at an outbox (mail, webhooks): a sender wakes when a school's new rows are
//! announced, sweeps every so often for retries and for announcements it missed, and serves the
//! schools that asked one batch each, in the order they asked, so one school's burst never holds
//! up another's.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::time::Duration;

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use tokio::sync::{mpsc, watch};

use crate::db::{Clusters, PgPool, global_tx};
use crate::ids::TenantId;

/// Schools waiting for a turn, each once, in arrival order.
#[derive(Default)]
struct Turns {
    order: VecDeque<TenantId>,
    queued: HashSet<TenantId>,
}

impl Turns {
    fn push(&mut self, school: TenantId) {
        if self.queued.insert(school) {
            self.order.push_back(school);
        }
    }

    fn next(&mut self) -> Option<TenantId> {
        let school = self.order.pop_front()?;
        self.queued.remove(&school);
        Some(school)
    }
}

/// Serves schools until `stop` turns true (between batches) or `wake` closes: `sweep` (every
/// `every`) names the schools with rows due, `batch` serves one batch of a school and says whether
/// it may have more (then the school queues again, behind the others).
pub async fn take_turns<S, SF, B, BF>(
    mut wake: mpsc::UnboundedReceiver<TenantId>,
    mut stop: watch::Receiver<bool>,
    every: Duration,
    mut sweep: S,
    mut batch: B,
) where
    S: FnMut() -> SF,
    SF: Future<Output = Vec<TenantId>>,
    B: FnMut(TenantId) -> BF,
    BF: Future<Output = bool>,
{
    let mut turns = Turns::default();
    let mut next_sweep = tokio::time::Instant::now();
    while !*stop.borrow() {
        while let Ok(school) = wake.try_recv() {
            turns.push(school);
        }
        if tokio::time::Instant::now() >= next_sweep {
            for school in sweep().await {
                turns.push(school);
            }
            next_sweep = tokio::time::Instant::now() + every;
        }
        if let Some(school) = turns.next() {
            if batch(school).await {
                turns.push(school);
            }
            continue;
        }
        tokio::select! {
            woken = wake.recv() => match woken {
                Some(school) => turns.push(school),
                None => return,
            },
            _ = tokio::time::sleep_until(next_sweep) => {}
            _ = stop.changed() => {}
        }
    }
}

/// [`take_turns`] at an outbox whose schools with rows due `function` lists (see
/// [`due_schools`]).
pub async fn serve_outbox<B, BF>(
    wake: mpsc::UnboundedReceiver<TenantId>,
    stop: watch::Receiver<bool>,
    every: Duration,
    (clusters, function): (&Clusters, &'static str),
    batch: B,
) where
    B: FnMut(TenantId) -> BF,
    BF: Future<Output = bool>,
{
    take_turns(
        wake,
        stop,
        every,
        || async move { due_schools(clusters, function).await.0 },
        batch,
    )
    .await;
}

/// The schools with rows in an outbox, as its `…_due_schools()` function (SECURITY DEFINER: one
/// pass over every school) lists them: the schools with rows due now, and the age in seconds of the
/// oldest waiting row anywhere (0: none), on every cluster; a school counts only on the cluster it
/// is placed on. A failed look is logged and finds nothing there.
pub async fn due_schools(clusters: &Clusters, function: &'static str) -> (Vec<TenantId>, f64) {
    let (mut schools, mut oldest) = (Vec::new(), 0.0f64);
    for (name, pools) in clusters.all() {
        let (due, age) = due_on(pools.primary(), function).await;
        let placement = clusters.placement();
        schools.extend(
            due.into_iter()
                .filter(|s| placement.of(*s).as_ref() == Some(&name)),
        );
        oldest = oldest.max(age);
    }
    (schools, oldest)
}

async fn due_on(pool: &PgPool, function: &'static str) -> (Vec<TenantId>, f64) {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        school: uuid::Uuid,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        due: bool,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        oldest: chrono::DateTime<chrono::Utc>,
    }
    let found = global_tx(pool, "outbox_sweep", move |conn| {
        Box::pin(async move {
            let sql = format!("SELECT school, due, oldest FROM {function}()");
            Ok(diesel::sql_query(sql).load::<Due>(conn).await?)
        })
    })
    .await;
    let due = match found {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = ?e, function, "looking for due rows failed");
            return (Vec::new(), 0.0);
        }
    };
    let now = chrono::Utc::now();
    let oldest = due
        .iter()
        .map(|d| (now - d.oldest).as_seconds_f64())
        .fold(0.0, f64::max);
    let schools = due
        .into_iter()
        .filter(|d| d.due)
        .map(|d| TenantId(d.school))
        .collect();
    (schools, oldest)
}

/// The longest wait between two deliveries to another system (webhooks, xAPI).
pub const DELIVERY_RETRY_CAP: Duration = Duration::from_secs(6 * 3600);

/// The wait before attempt `attempts + 1`: `base`, doubling, at most `cap`.
pub fn backoff(base: Duration, attempts: i32, cap: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 16) as u32;
    (base * 2u32.pow(doublings)).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schools_take_turns_once_each() {
        let (a, b, c) = (TenantId::new(), TenantId::new(), TenantId::new());
        let mut turns = Turns::default();
        for school in [a, b, a, c, b] {
            turns.push(school);
        }
        assert_eq!(turns.next(), Some(a));
        turns.push(a);
        let rest: Vec<_> = std::iter::from_fn(|| turns.next()).collect();
        assert_eq!(rest, [b, c, a]);
    }

    #[test]
    fn the_wait_doubles_up_to_its_cap() {
        let (base, hour) = (Duration::from_secs(30), Duration::from_secs(3600));
        assert_eq!(backoff(base, 1, hour), Duration::from_secs(30));
        assert_eq!(backoff(base, 2, hour), Duration::from_secs(60));
        assert_eq!(backoff(base, 4, hour), Duration::from_secs(240));
        assert_eq!(backoff(base, 20, hour), hour);
    }
}
