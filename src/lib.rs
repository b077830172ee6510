//! # essnap — sans-IO snapshot & restore core for Elasticsearch and OpenSearch
//!
//! This crate performs no I/O. It builds HTTP [`Request`] values, decodes HTTP [`Response`]
//! values into typed models, and maps error bodies into one typed [`ApiError`]. A host (the
//! wasmtime CLI, the browser/Node package, a test) executes the requests.
//!
//! ```
//! use essnap::{Connection, api::snapshot::GetSnapshots, Dialect};
//!
//! let conn = Connection::parse("https://admin:s3cret@es.example:9200/proxy").unwrap();
//! let req = GetSnapshots { size: Some(50), ..GetSnapshots::new("backups", ["nightly-*"]) }
//!     .build(&Dialect::default())
//!     .unwrap();
//! let prepared = conn.prepare(&req);
//! assert_eq!(prepared.url, "https://es.example:9200/proxy/_snapshot/backups/nightly-*?size=50");
//! assert!(!format!("{conn:?}").contains("s3cret"));
//! ```

// Derived JSON code names `::essnap::json`, in this crate too.
extern crate self as essnap;

pub mod api;
pub mod compat;
pub mod connection;
pub mod dialect;
pub mod ece;
pub mod error;
pub mod json;
pub mod machine;
mod lenient;
pub mod model;
pub mod names;
pub mod plan;
mod sort;
pub mod request;
pub mod version;

pub use connection::{Connection, Credentials, PreparedRequest, Secret};
pub use dialect::{Dialect, Distribution};
pub use error::{ApiError, ErrorCode, InputError, RetryAdvice};
pub use request::{Method, Request, Response};
pub use version::Version;
