//! The course catalog: query parsing, the database reads behind it, and its pages (HTML and JSON).

pub mod pages;
pub mod query;
pub mod store;

pub use query::{CatalogQuery, Cursor, PageAt};
