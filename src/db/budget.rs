//! A per-school budget of concurrent database work on each pool: one school's flood of uncached
//! requests queues on its own budget instead of taking every pooled connection, so the other
//! schools on the instance keep getting connections at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;
use crate::ids::TenantId;

/// Schools remembered before idle ones (every permit free) are forgotten.
const KEEP: usize = 10_000;

#[derive(Debug)]
pub struct Budget {
    /// Transactions one school may run at once on this pool (0: no limit).
    per_school: usize,
    schools: Mutex<HashMap<TenantId, Arc<Semaphore>>>,
}

impl Budget {
    pub fn new(per_school: usize) -> Self {
        Self {
            per_school,
            schools: Mutex::default(),
        }
    }

    /// A slot for `tenant`, waiting at most `limit` (then a 503: this school is busy).
    pub async fn enter(
        &self,
        tenant: TenantId,
        limit: Duration,
    ) -> Result<Option<OwnedSemaphorePermit>, AppError> {
        if self.per_school == 0 {
            return Ok(None);
        }
        let semaphore = {
            let mut schools = self.schools.lock().unwrap_or_else(PoisonError::into_inner);
            if schools.len() >= KEEP {
                let full = self.per_school;
                schools.retain(|_, s| s.available_permits() < full);
            }
            schools
                .entry(tenant)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_school)))
                .clone()
        };
        match tokio::time::timeout(limit, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            _ => Err(AppError::Unavailable(anyhow::anyhow!(
                "school {tenant} has used its database budget ({}) for {limit:?}",
                self.per_school
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_school_waits_on_its_own_budget_only() {
        let budget = Budget::new(2);
        let (a, b) = (
            TenantId(uuid::Uuid::new_v4()),
            TenantId(uuid::Uuid::new_v4()),
        );
        let short = Duration::from_millis(20);
        let held = [
            budget.enter(a, short).await.unwrap(),
            budget.enter(a, short).await.unwrap(),
        ];
        assert!(matches!(
            budget.enter(a, short).await,
            Err(AppError::Unavailable(_))
        ));
        assert!(
            budget.enter(b, short).await.unwrap().is_some(),
            "b is not held up by a"
        );
        drop(held);
        assert!(budget.enter(a, short).await.unwrap().is_some());
        let unlimited = Budget::new(0);
        assert!(unlimited.enter(a, short).await.unwrap().is_none());
    }
}
