//! School administration pages: members and invitations, learners, course rosters, API tokens, webhooks, the audit log.

pub mod api_tokens;
pub mod audit;
pub mod invitations;
pub mod learners;
pub mod lti;
pub mod roster;
pub mod school;
pub mod sso;
pub mod webhooks;
