//! Every language EduFlow speaks: the messages of `locales/<tag>/*.ftl` (compiled in, so one
//! binary carries them all), looked up per request's [`Locale`]. English is the source: a message
//! missing from another language falls back to it, and the tests keep that from happening.

mod catalogue;
mod languages;
mod locale;
mod msg;
mod numbers;
mod pseudo;

pub use catalogue::Args;
pub use languages::{course_languages, is_language_tag, language_dir, language_name};
pub use locale::{Direction, Locale, negotiate, serialize_named};
pub use msg::Msg;
