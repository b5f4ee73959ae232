//! The course catalog: query parsing, the database reads behind it, and the keys and rendering of
//! its pages (HTML and JSON); the handlers are in `web::catalog` and `web::api::catalog`.

pub mod pages;
pub mod query;
pub mod store;

pub use query::{CatalogQuery, Cursor, PageAt};
