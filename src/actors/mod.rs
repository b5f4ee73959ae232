//! One actor per school per instance: it holds the school's hot pages in memory and loads misses
//! without blocking its mailbox. The registry starts actors on demand and forgets idle ones.

pub mod cache;
pub mod context;
pub mod drain;
pub mod flight;
pub mod learner_states;
pub mod learners;
pub mod registry;
pub mod school;
pub mod shelf;
