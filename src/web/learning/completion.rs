//! Completing a lesson for a learner, whatever completed it (the learner's button, a quiz, a
//! tool's grade, a package, a system through the API): the school's actor records it and the
//! course's completion, and a certificate that completion issues is drawn at once.

use std::sync::Arc;

use uuid::Uuid;

use crate::actors::learners::Complete;
use crate::error::AppError;
use crate::ids::UserId;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// Completes `lesson` of `course` for `user`; the certificate it issued, if any.
pub async fn complete(
    state: &AppState,
    tenant: &Arc<Tenant>,
    user: UserId,
    (course, lesson): (Uuid, Uuid),
) -> Result<Option<Uuid>, AppError> {
    let certificate = state
        .registry
        .ask(
            tenant,
            Complete {
                user,
                course,
                lesson,
            },
        )
        .await??;
    crate::assessment::certificates::issued(&state.printer(tenant.id)?, tenant, certificate).await;
    Ok(certificate)
}
