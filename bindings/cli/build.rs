//! Finds the client component (built by `cargo xtask component`) and embeds it: sets
//! `ESSNAP_COMPONENT_PATH` (for `include_bytes!`) and `ESSNAP_COMPONENT_HASH` (the cache key).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=ESSNAP_COMPONENT");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().and_then(|p| p.parent()).expect("bindings/cli is two levels below the root").to_path_buf();
    let path = match std::env::var_os("ESSNAP_COMPONENT") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).map(|t| if t.is_absolute() { t } else { root.join(t) });
            target.unwrap_or_else(|| root.join("target")).join("component/essnap-client.wasm")
        }
    };
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the essnap component is not built ({}: {e}).\nRun `cargo xtask component` (or `cargo xtask build` / `cargo xtask test`) first, \
             or point ESSNAP_COMPONENT at a built essnap-client.wasm.",
            path.display()
        )
    });
    // FNV-1a 64: a stable key for the compiled-code cache (the runtime adds wasmtime's own).
    let mut h: u64 = 0xcbf29ce484222325;
    for b in &bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    println!("cargo:rustc-env=ESSNAP_COMPONENT_PATH={}", path.display());
    println!("cargo:rustc-env=ESSNAP_COMPONENT_HASH={h:016x}{:08x}", bytes.len());
}
