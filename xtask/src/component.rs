//! `cargo xtask component`: builds the essnap WebAssembly components.
//!
//! The guest crate (`bindings/component`) is compiled for `wasm32-unknown-unknown` (no WASI)
//! twice — the `client` world (default feature) and the import-free `core` world — and each
//! core module is wrapped into a component with `wit-component`'s `ComponentEncoder`, then
//! validated with `wasmparser`. Output: `<target>/component/essnap-client.wasm` (what the CLI
//! embeds) and `<target>/component/essnap-core.wasm`.

use std::io::Write as _;
use std::path::PathBuf;

use crate::util::{root, run};

/// Where cargo puts build output (`CARGO_TARGET_DIR` or `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let p = PathBuf::from(d);
            if p.is_absolute() { p } else { root().join(p) }
        }
        None => root().join("target"),
    }
}

pub fn main() -> Result<(), String> {
    let out = target_dir().join("component");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let module = target_dir().join("wasm32-unknown-unknown/release/essnap_component.wasm");
    for (world, features) in [("core", &["--no-default-features"][..]), ("client", &[][..])] {
        let mut args = vec!["build", "-p", "essnap-component", "--release", "--target", "wasm32-unknown-unknown"];
        args.extend(features);
        run("cargo", &args)?;
        let bytes = std::fs::read(&module).map_err(|e| format!("{}: {e}", module.display()))?;
        let component = wit_component::ComponentEncoder::default()
            .module(&bytes)
            .and_then(|e| e.validate(true).encode())
            .map_err(|e| format!("wrapping the {world} module into a component: {e:#}"))?;
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&component)
            .map_err(|e| format!("the {world} component does not validate: {e}"))?;
        let path = out.join(format!("essnap-{world}.wasm"));
        std::fs::write(&path, &component).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!(
            "component ({world} world): {} — {} bytes, {} bytes gzipped (valid)",
            path.display(),
            component.len(),
            gzip_len(&component)
        );
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(bytes);
    gz.finish().map(|v| v.len()).unwrap_or(0)
}
