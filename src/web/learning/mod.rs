//! A learner's pages: enrollment, lessons, progress, and course announcements.

pub mod access;
pub mod announcements;
pub mod completion;
pub mod pages;
