//! School administration pages: members and invitations, learners, course rosters.

pub mod invitations;
pub mod learners;
pub mod roster;
