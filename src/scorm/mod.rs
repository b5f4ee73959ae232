//! SCORM 1.2 and 2004 packages: reading one safely, storing it as a `scorm` lesson, and what
//! its runtime commits come to.

pub mod cmi;
pub mod manifest;
pub mod package;
pub mod store;
