//! The JSON API under `/api/v1` (described at `/api/v1/openapi.json`): the catalog, a learner's
//! own data (session cookie), and what a school's systems do with a token.

pub mod catalog;
pub mod client;
pub mod learning;
pub mod systems;
