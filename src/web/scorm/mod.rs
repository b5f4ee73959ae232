//! SCORM packages in the browser: their files, served on the school's own host so the package's
//! pages reach the runtime API in the lesson page that frames them, and the runtime's calls.

pub mod files;
pub mod runtime;
