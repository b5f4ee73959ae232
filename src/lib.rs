//! EduFlow: a multi-tenant learning platform. See README.md for the architecture.

pub mod actors;
pub mod assets;
pub mod authoring;
pub mod bytes;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod encoded;
pub mod error;
pub mod freshness;
pub mod health;
pub mod ids;
pub mod input;
pub mod learners;
pub mod learning;
pub mod markdown;
pub mod media;
pub mod metrics;
pub mod regions;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod tenancy;
pub mod views;
