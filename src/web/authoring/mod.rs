//! Authoring pages for instructors and admins.

pub mod courses;
pub mod editor;
pub mod grades;
pub mod lessons;
pub mod members;
pub mod packages;
pub mod staff;
