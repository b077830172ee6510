//! The essnap core as a WebAssembly component (WIT package `essnap:snapshots@0.1.0`, `wit/`).
//!
//! Built for `wasm32-unknown-unknown` and wrapped into a component by `cargo xtask component`
//! (no WASI: the component imports nothing but what its world says).
//!
//! * feature `client` (default): the `client` world — imports `transport` and `host`, exports the
//!   workflows (`operations`) and every pure interface. The machines of `essnap::machine` run
//!   here; the host only executes HTTP, sleeps and renders events.
//! * without it: the import-free `core` world (requests, decoding, compatibility, errors,
//!   planning).

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod convert;
mod pure;
#[cfg(feature = "client")]
mod client;

#[doc(hidden)]
pub mod bindings {
    #[cfg(feature = "client")]
    wit_bindgen::generate!({
        world: "client",
        path: "../../wit",
        pub_export_macro: true,
    });
    #[cfg(not(feature = "client"))]
    wit_bindgen::generate!({
        world: "core",
        path: "../../wit",
        pub_export_macro: true,
    });

    /// The `types` interface: imported in the client world, exported by the core world.
    #[cfg(feature = "client")]
    pub use self::essnap::snapshots::types;
    #[cfg(not(feature = "client"))]
    pub use self::exports::essnap::snapshots::types;
}

/// The component.
pub struct Component;

// Exported only on wasm32: the component's export names (`essnap:snapshots/...`) are not valid
// symbol names for native linkers, and a native build (`cargo test --workspace`) only type-checks.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);
