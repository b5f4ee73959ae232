//! The school actor's learner side: each active learner's enrollments and progress in memory,
//! changed only after the database committed; playback positions batched into one write per
//! flush interval.

use std::future::Future;
use std::sync::Arc;

use actix::prelude::*;
use uuid::Uuid;

use super::school::SchoolActor;
use crate::assessment::grading::Outcome;
use crate::assessment::{certificates, quizzes};
use crate::db::{Pools, tenant_tx};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};
use crate::learning::LearnerState;
use crate::learning::store::{self, EnrollOutcome};
/// Positions to write: (learner, lesson, seconds).
type PositionBatch = Vec<(UserId, Uuid, i32)>;

impl SchoolActor {
    /// After a commit: drop the learner's state so the next read sees the database's truth.
    fn learner_written(&mut self, user: UserId) {
        self.learners.writes += 1;
        self.learners.loading.detach(&user);
        if self.learners.remove(user) {
            self.context().metrics.learner_states.dec();
        }
    }

    /// The catalog changed: enrolled courses' curricula may have too, so every learner reloads.
    pub(super) fn drop_learners(&mut self) {
        self.learners.writes += 1;
        self.learners.loading.detach_all();
        self.context()
            .metrics
            .learner_states
            .sub(self.learners.len() as i64);
        self.learners.clear();
    }

    /// Runs a write through the tenant door on the primary; memory changes only if it commits.
    fn write<R, F>(&mut self, user: UserId, work: F) -> ResponseActFuture<Self, Result<R, AppError>>
    where
        R: Send + 'static,
        F: for<'r> FnOnce(
                &'r mut diesel_async::AsyncPgConnection,
            ) -> crate::db::door::TxWork<'r, R>
            + Send
            + 'static,
    {
        let tenant = self.tenant().id;
        let pools = self.context().pools(tenant);
        let fut = async move { tenant_tx(pools?.primary(), tenant, "learner_write", work).await };
        Box::pin(
            actix::fut::wrap_future(fut).map(move |result, act: &mut Self, _| {
                if result.is_ok() {
                    act.learner_written(user);
                }
                result
            }),
        )
    }

    /// The positions heard since the last flush, and a future that writes them in one statement.
    fn take_positions(
        &mut self,
    ) -> Option<impl Future<Output = Result<PositionBatch, AppError>> + 'static> {
        if self.learners.positions.is_empty() {
            return None;
        }
        let batch: PositionBatch = self
            .learners
            .positions
            .drain()
            .map(|((u, l), s)| (u, l, s))
            .collect();
        let tenant = self.tenant().id;
        let pools = self.context().pools(tenant);
        Some(async move {
            let saved = batch.clone();
            tenant_tx(pools?.primary(), tenant, "positions", move |conn| {
                Box::pin(async move { store::save_positions(conn, tenant, batch).await })
            })
            .await
            .map(|_| saved)
        })
    }

    pub(super) fn flush_positions(&mut self, ctx: &mut Context<Self>) {
        let Some(save) = self.take_positions() else {
            return;
        };
        ctx.spawn(
            actix::fut::wrap_future(save).map(|result, act: &mut Self, _| match result {
                Ok(saved) => {
                    for (user, lesson, seconds) in saved {
                        act.learners.update(user, |state| {
                            state.positions.insert(lesson, seconds);
                        });
                    }
                }
                Err(e) => tracing::warn!(error = ?e, "saving playback positions failed"),
            }),
        );
    }

    /// Writes pending positions from outside the actor, as it stops.
    pub(super) fn flush_positions_detached(&mut self) {
        let Some(save) = self.take_positions() else {
            return;
        };
        self.context().drain.spawn(async move {
            if let Err(e) = save.await {
                tracing::warn!(error = ?e, "saving playback positions failed");
            }
        });
    }
}

/// A learner's enrollments and progress at `version` or newer (from memory, or loaded once).
#[derive(Message, Clone)]
#[rtype(result = "Result<Arc<LearnerState>, AppError>")]
pub struct GetLearner {
    pub user: UserId,
    /// The account's `state_version` as the request's session lookup saw it.
    pub version: i64,
}

impl Handler<GetLearner> for SchoolActor {
    type Result = ResponseFuture<Result<Arc<LearnerState>, AppError>>;

    fn handle(
        &mut self,
        GetLearner { user, version }: GetLearner,
        ctx: &mut Self::Context,
    ) -> Self::Result {
        self.touch();
        if let Some(state) = self.learners.get(user).filter(|s| s.version >= version) {
            return Box::pin(async move { Ok(state) });
        }
        let (start, answer) = self.learners.loading.wait(&user, version);
        if let Some(load) = start {
            let (pools, tenant, started) = (
                self.context().pools(self.tenant().id),
                self.tenant().id,
                self.learners.writes,
            );
            let fut = load_learner(pools, tenant, user, version);
            ctx.spawn(
                actix::fut::wrap_future(fut).map(move |result, act: &mut Self, _| {
                    let result = result.map(Arc::new);
                    if let Ok(state) = &result {
                        if act.learners.writes == started {
                            let before = act.learners.len();
                            act.learners.put(user, state.clone());
                            act.context()
                                .metrics
                                .learner_states
                                .add(act.learners.len() as i64 - before as i64);
                        }
                    }
                    act.learners.loading.finish(&user, load, &result);
                }),
            );
        }
        Box::pin(answer)
    }
}

/// Reads a learner from the read pool, or from the primary when that copy is older than
/// `version` (a lagging replica) or cannot be had.
async fn load_learner(
    pools: Result<Arc<Pools>, AppError>,
    tenant: TenantId,
    user: UserId,
    version: i64,
) -> Result<LearnerState, AppError> {
    let read = |pool: crate::db::PgPool| async move {
        tenant_tx(&pool, tenant, "learner", move |conn| {
            Box::pin(async move { store::learner_state(conn, user).await })
        })
        .await
    };
    let pools = pools?;
    if pools.has_replicas() {
        match read(pools.read().clone()).await {
            Ok(state) if state.version >= version => return Ok(state),
            Ok(_) | Err(AppError::NotFound | AppError::Unavailable(_)) => {}
            Err(e) => return Err(e),
        }
    }
    read(pools.primary().clone()).await
}

/// A learner's state reached `version` on some instance: an older copy here is dropped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LearnerChanged {
    pub user: UserId,
    pub version: i64,
}

impl Handler<LearnerChanged> for SchoolActor {
    type Result = ();

    fn handle(&mut self, LearnerChanged { user, version }: LearnerChanged, _: &mut Self::Context) {
        // With no copy as new, a load that is running may be older too: it is not kept.
        let fresh = self
            .learners
            .peek(user)
            .is_some_and(|state| state.version >= version);
        if !fresh {
            self.learner_written(user);
        }
    }
}

/// Enroll a learner in a course, by slug. `None`: no such published course here.
#[derive(Message, Clone)]
#[rtype(result = "Result<Option<EnrollOutcome>, AppError>")]
pub struct Enroll {
    pub user: UserId,
    pub course: String,
    /// Mailed, in the same transaction, when this enrolls them.
    pub notice: Option<crate::learning::notices::EnrollNotice>,
}

impl Handler<Enroll> for SchoolActor {
    type Result = ResponseActFuture<Self, Result<Option<EnrollOutcome>, AppError>>;

    fn handle(
        &mut self,
        Enroll {
            user,
            course,
            notice,
        }: Enroll,
        _: &mut Self::Context,
    ) -> Self::Result {
        self.touch();
        let tenant = self.tenant().id;
        self.write(user, move |conn| {
            Box::pin(async move {
                let outcome = store::enroll(conn, tenant, user, &course).await?;
                if let (Some(EnrollOutcome::Enrolled), Some(notice)) = (&outcome, notice) {
                    notice.send(conn, user, &course).await?;
                }
                Ok(outcome)
            })
        })
    }
}

/// End a learner's enrollment. `false`: no such course here.
#[derive(Message, Clone)]
#[rtype(result = "Result<bool, AppError>")]
pub struct Unenroll {
    pub user: UserId,
    pub course: String,
}

impl Handler<Unenroll> for SchoolActor {
    type Result = ResponseActFuture<Self, Result<bool, AppError>>;

    fn handle(
        &mut self,
        Unenroll { user, course }: Unenroll,
        _: &mut Self::Context,
    ) -> Self::Result {
        self.touch();
        self.write(user, move |conn| {
            Box::pin(async move { store::unenroll(conn, user, &course).await })
        })
    }
}

/// Mark a lesson complete: written at once, a completion is never batched or lost. Answers the
/// certificate issued if this completed the course.
#[derive(Message, Clone)]
#[rtype(result = "Result<Option<Uuid>, AppError>")]
pub struct Complete {
    pub user: UserId,
    pub course: Uuid,
    pub lesson: Uuid,
}

impl Handler<Complete> for SchoolActor {
    type Result = ResponseActFuture<Self, Result<Option<Uuid>, AppError>>;

    fn handle(
        &mut self,
        Complete {
            user,
            course,
            lesson,
        }: Complete,
        _: &mut Self::Context,
    ) -> Self::Result {
        self.touch();
        let tenant = self.tenant().id;
        self.write(user, move |conn| {
            Box::pin(async move {
                store::complete(conn, tenant, user, course, lesson).await?;
                certificates::award_if_complete(conn, tenant, user, course).await
            })
        })
    }
}

/// Record a graded quiz attempt; a pass completes the lesson (and perhaps the course). Answers
/// the attempt and the certificate issued, if any.
#[derive(Message, Clone)]
#[rtype(result = "Result<(Uuid, Option<Uuid>), AppError>")]
pub struct SubmitAttempt {
    pub user: UserId,
    pub course: Uuid,
    pub lesson: Uuid,
    pub outcome: Outcome,
    pub max_attempts: Option<i32>,
}

impl Handler<SubmitAttempt> for SchoolActor {
    type Result = ResponseActFuture<Self, Result<(Uuid, Option<Uuid>), AppError>>;

    fn handle(&mut self, msg: SubmitAttempt, _: &mut Self::Context) -> Self::Result {
        self.touch();
        let tenant = self.tenant().id;
        let user = msg.user;
        self.write(user, move |conn| {
            Box::pin(async move {
                let attempt = quizzes::record(
                    conn,
                    tenant,
                    user,
                    msg.course,
                    msg.lesson,
                    &msg.outcome,
                    msg.max_attempts,
                )
                .await?;
                if !msg.outcome.passed {
                    return Ok((attempt, None));
                }
                store::complete(conn, tenant, user, msg.course, msg.lesson).await?;
                let certificate =
                    certificates::award_if_complete(conn, tenant, user, msg.course).await?;
                Ok((attempt, certificate))
            })
        })
    }
}

/// A playback position beacon: remembered, and written with the others at the next flush.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct Position {
    pub user: UserId,
    pub lesson: Uuid,
    pub seconds: i32,
}

impl Handler<Position> for SchoolActor {
    type Result = ();

    fn handle(
        &mut self,
        Position {
            user,
            lesson,
            seconds,
        }: Position,
        _: &mut Self::Context,
    ) {
        self.touch();
        self.learners.positions.insert((user, lesson), seconds);
    }
}
