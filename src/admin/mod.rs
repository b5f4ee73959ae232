//! A school's admins run their people: invitations (one, or a CSV of many), the learner list
//! with each learner's progress, suspension, and removal from a course.

pub mod invitations;
