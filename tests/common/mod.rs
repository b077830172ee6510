//! Helpers shared by the integration tests: where the shared spec data is, how fixture file
//! names map to APIs, and a lenient JSON comparison.
#![allow(dead_code)]

pub mod fake;

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

/// What a fixture file name says: `[source.]<api>.<status>.<case>.json` or
/// `error.<api>.<status>.<type>.json`.
#[derive(Debug, Clone)]
pub struct FixtureName {
    pub api: String,
    pub status: u16,
    pub is_error: bool,
    /// For error files: the server's error type.
    pub case: String,
}

pub fn parse_fixture_name(file: &Path) -> Option<FixtureName> {
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json")?;
    if stem.ends_with(".meta") {
        return None;
    }
    let tokens: Vec<&str> = stem.split('.').collect();
    let si = tokens.iter().position(|t| t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()))?;
    let mut head = &tokens[..si];
    let is_error = head.first() == Some(&"error");
    if is_error {
        head = &head[1..];
    }
    // The API is the last one or two words before the status (`info`, `snapshot.get`); anything
    // before it names the source (`es-spec`, `opensearch-2.19.1.from.elasticsearch-7.17.29`).
    const NAMESPACES: &[&str] = &["snapshot", "indices", "cat", "cluster", "slm", "nodes"];
    let n = head.len();
    if n >= 2 && NAMESPACES.contains(&head[n - 2]) {
        head = &head[n - 2..];
    } else if n >= 1 {
        head = &head[n - 1..];
    }
    // Error files: `error.<api>.<status>.<error type>[.<variant>]`.
    let case = if is_error { tokens.get(si + 1).map(|t| t.to_string()).unwrap_or_default() } else { tokens[si + 1..].join(".") };
    Some(FixtureName { api: head.join("."), status: tokens[si].parse().ok()?, is_error, case })
}

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
