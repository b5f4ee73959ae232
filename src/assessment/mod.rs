//! Assessment and completion: quiz lessons written in Moodle's GIFT format and graded on the
//! server, certificates for completed courses, and drip schedules.

pub mod certificates;
pub mod gift;
pub mod grading;
pub mod pdf;
pub mod quizzes;
pub mod schedule;
mod typeset;
