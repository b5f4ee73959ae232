//! Authoring: instructors and admins build their school's courses. The forms' input, parsed once,
//! and the queries that store it; the pages are in `web::authoring`.

pub mod forms;
pub mod quiz_import;
pub mod store;
