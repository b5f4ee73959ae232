//! Content the owner side writes: the demo schools' courses, and large generated data sets for
//! benchmarks. Everything is written through the tenant door, as the owner role.

pub mod bench;
pub mod courses;
pub mod demo;
