//! The web layer: request handlers grouped by what they serve, their extractors and middleware.
//! A handler takes the request's school and viewer and the state it needs; what it reads and
//! writes goes through the actors and the domain modules below.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod assessment;
pub mod assets;
pub mod authoring;
pub mod catalog;
pub mod csrf;
pub mod forms;
pub mod freshness;
pub mod gate;
pub mod health;
pub mod host;
pub mod lang;
pub mod learning;
pub mod lti;
pub mod media;
pub mod notice;
pub mod regions;
pub mod scorm;
pub mod session;
