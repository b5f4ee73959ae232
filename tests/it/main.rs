//! Integration tests: one binary, one PostgreSQL cluster, a fresh database per test.

mod harness;

mod accounts;
mod actors;
mod archive;
mod authoring;
mod backup;
mod catalog;
mod cloudfront;
mod coherence;
mod fairness;
mod fleet;
mod fuzz;
mod hosts;
mod hot;
mod images;
mod invitations;
mod junk;
mod learning;
mod lifecycle;
mod mail;
mod media;
mod metrics;
mod openapi;
mod outage;
mod people;
mod pooler;
mod proxy;
mod regions;
mod replica;
mod rls;
mod s3;
mod shutdown;
mod startup;
mod tenant_files;
mod timeouts;
