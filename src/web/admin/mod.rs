//! School administration pages: members and invitations, learners, course rosters, the audit log.

pub mod audit;
pub mod invitations;
pub mod learners;
pub mod roster;
