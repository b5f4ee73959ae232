//! Quiz and certificate pages.

pub mod certificates;
pub mod quizzes;
