//! How fixture file names map to APIs. Std only, so other crates' tests include it with
//! `#[path = ".../tests/common/fixture_name.rs"]`.
#![allow(dead_code)]

use std::path::Path;

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
