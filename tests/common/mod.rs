//! Helpers shared by the integration tests: where the shared spec data is, how fixture file
//! names map to APIs, and a lenient JSON comparison.
#![allow(dead_code)]

pub mod fake;
#[path = "fixture_name.rs"]
pub mod fixture_name;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `../shared/es-spec` from the repository root (read in place, never copied).
pub fn spec_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/es-spec");
    assert!(dir.join("README.md").exists(), "the shared spec data is missing at {}; CI clones it beside the repository", dir.display());
    dir
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file below `dir` (sorted), recursively.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

#[allow(unused_imports)]
pub use fixture_name::{FixtureName, parse_fixture_name};

/// Scalars that mean the same: `"1393245486349"` = `1393245486349`, `"87.1%"` = `87.1`, `"true"` = `true`.
fn same_scalar(enc: &Value, orig: &Value) -> bool {
    if enc == orig {
        return true;
    }
    let num = |v: &Value| -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().trim_end_matches('%').parse().ok(),
            _ => None,
        }
    };
    if let (Some(a), Some(b)) = (num(enc), num(orig)) {
        return (a - b).abs() < 1e-9;
    }
    match (enc, orig) {
        (Value::Bool(b), Value::String(s)) => s == &b.to_string(),
        _ => false,
    }
}

/// Asserts that every value in `encoded` is present, equal, at the same place in `original`:
/// re-encoding a model invents nothing and changes nothing it named.
pub fn assert_subset(encoded: &Value, original: &Value, path: &str) {
    match (encoded, original) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, v) in e {
                let ov = o.get(k).unwrap_or_else(|| panic!("{path}.{k}: re-encoded field is not in the original"));
                assert_subset(v, ov, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            assert_eq!(e.len(), o.len(), "{path}: array length changed");
            for (i, (a, b)) in e.iter().zip(o).enumerate() {
                assert_subset(a, b, &format!("{path}[{i}]"));
            }
        }
        (e, o) => assert!(same_scalar(e, o), "{path}: re-encoded {e} but the original has {o}"),
    }
}

/// Counts the leaves of a JSON value (to show that a model kept something).
pub fn leaves(v: &Value) -> usize {
    match v {
        Value::Object(o) => o.values().map(leaves).sum(),
        Value::Array(a) => a.iter().map(leaves).sum(),
        _ => 1,
    }
}
