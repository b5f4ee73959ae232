//! What every learner page asks first: the viewer's learner state from the school's actor, the
//! lesson they asked for, and whether it is theirs to see now.

use std::sync::Arc;

use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::learning::LearnerState;
use crate::learning::store::{self, LessonPage};
use crate::slug::is_slug;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// The learner's state from the school's actor, when someone is signed in.
pub async fn learner(
    state: &AppState,
    tenant: &Arc<Tenant>,
    viewer: &Viewer,
) -> Result<Option<Arc<LearnerState>>, AppError> {
    match &viewer.0 {
        Some(user) => Ok(Some(state_of(state, tenant, user).await?)),
        None => Ok(None),
    }
}

/// `user`'s state, at least as new as their session says it is.
pub async fn state_of(
    state: &AppState,
    tenant: &Arc<Tenant>,
    user: &CurrentUser,
) -> Result<Arc<LearnerState>, AppError> {
    state
        .registry
        .learner(tenant, user.id, user.state_version)
        .await
}

pub fn course_slug(slug: &str) -> Result<(), AppError> {
    if is_slug(slug, 120) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn load_lesson(
    state: &AppState,
    tenant: &Tenant,
    course: &str,
    lesson: &str,
) -> Result<LessonPage, AppError> {
    course_slug(course)?;
    course_slug(lesson)?;
    let tenant = tenant.id;
    let pools = state.pools(tenant)?;
    pools
        .found_or_primary(pools.primary(), |pool| {
            let (course, lesson) = (course.to_owned(), lesson.to_owned());
            async move {
                tenant_tx(&pool, tenant, "lesson", move |conn| {
                    Box::pin(async move { store::lesson_page(conn, &course, &lesson).await })
                })
                .await
            }
        })
        .await?
        .ok_or(AppError::NotFound)
}

pub fn is_staff(viewer: &Viewer) -> bool {
    viewer
        .0
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Instructor | Role::Admin))
}

/// Enrolled learners, the school's instructors and admins, and anyone for a free preview.
pub fn may_view(page: &LessonPage, viewer: &Viewer, learner: Option<&LearnerState>) -> bool {
    page.free_preview || is_staff(viewer) || learner.is_some_and(|l| l.enrolled_in(page.course_id))
}

/// Refuses a lesson of a section that has not opened for this learner yet (drip), saying when
/// it opens.
pub fn lesson_gate(
    state: &AppState,
    page: &LessonPage,
    learner: &LearnerState,
) -> Result<(), AppError> {
    crate::learning::lesson_page::gate(page, learner, state.clock.now())
}
