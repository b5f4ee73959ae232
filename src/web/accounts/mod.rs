//! Account pages: sign-up and sign-in, recovery, verification, email change, personal data.

pub mod email_change;
pub mod language;
pub mod personal;
pub mod recovery;
pub mod sign_in;
pub mod sso;
pub mod verification;
