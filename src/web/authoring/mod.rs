//! Authoring pages for instructors and admins.

pub mod pages;
pub mod staff;
