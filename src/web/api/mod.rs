//! The JSON API under `/api/v1` (described at `/api/v1/openapi.json`).

pub mod catalog;
pub mod learning;
