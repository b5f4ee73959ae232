//! A school's admins and instructors run their people: invitations (one, or a CSV of many), the
//! learner list with each learner's progress, suspension, removal from a course, and each
//! course's roster.

pub mod invitations;
pub mod learners;
pub mod roster;
pub mod store;
