//! xAPI (1.0.3) to a school's Learning Record Store. Triggers write a statement row in the
//! transaction of the learning it reports — a lesson launched or completed, the course
//! progressed or completed, a quiz passed or failed, a certificate earned — whoever writes it;
//! the sender posts them after commit, at least once, each under its own id so the LRS keeps a
//! retried statement once. A school without an LRS has no rows written at all.

pub mod lrs;
pub mod sender;
pub mod statement;
pub mod store;
