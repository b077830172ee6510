//! # essnap-web — the raw wasm-bindgen layer of the `essnap` npm package
//!
//! The npm package's `index.js` wraps these exports into the typed, promise-based API; nothing
//! here is meant to be called directly. The split of work:
//!
//! * Rust builds every request, sends it with gloo-net ([`transport`]), keeps the response as
//!   bytes, decodes it and hands JS one JSON string per result (cheaper than building JS objects
//!   from Rust, see perf-notes).
//! * JS drives the sans-IO machines ([`runner`]): each `step` is a synchronous call, so a panic
//!   surfaces as an exception at the call site, where the wrapper turns it into an `EssnapError`
//!   with code `internal`.
//!
//! Errors cross the boundary as a JS `Error` named `EssnapRawError` whose message is the JSON of
//! the error ([`errors`]); the wrapper re-throws them as `EssnapError`.

mod errors;
mod pure;
mod runner;
mod transport;

pub use errors::*;
pub use pure::*;
pub use runner::*;
pub use transport::*;
