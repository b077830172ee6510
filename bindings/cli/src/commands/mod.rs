//! One module per subcommand.

pub mod check;
pub mod decode;
pub mod ece;
pub mod info;
pub mod repo;
pub mod repos;
pub mod restore;
pub mod snapshot;
pub mod snapshots;

use crate::host::types;

pub fn version(v: &Option<types::Version>) -> String {
    v.as_ref().map_or("unknown".to_string(), |v| v.text.clone())
}

pub fn distribution(d: types::Distribution) -> &'static str {
    match d {
        types::Distribution::Elasticsearch => "Elasticsearch",
        types::Distribution::Opensearch => "OpenSearch",
    }
}

pub fn state(s: types::SnapshotState) -> &'static str {
    use types::SnapshotState as S;
    match s {
        S::InProgress => "IN_PROGRESS",
        S::Success => "SUCCESS",
        S::Partial => "PARTIAL",
        S::Failed => "FAILED",
        S::Incompatible => "INCOMPATIBLE",
        S::Unknown => "UNKNOWN",
    }
}

pub fn verdict(k: types::VerdictKind) -> &'static str {
    use types::VerdictKind as V;
    match k {
        V::Ok => "ok",
        V::OkWithWarnings => "ok_with_warnings",
        V::ReadOnlyArchive => "read_only_archive",
        V::Incompatible => "incompatible",
    }
}

/// `a,b` and repeated flags, as one list.
pub fn list(v: &[String]) -> Vec<String> {
    v.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// `KEY=VALUE` arguments of a repeatable flag as a JSON object of strings; `None` when none given.
/// A malformed one is not repeated in the error: it may be a secret pasted in the wrong place.
pub fn key_values(flag: &str, args: &[String]) -> Result<Option<serde_json::Map<String, serde_json::Value>>, crate::Fail> {
    let mut m = serde_json::Map::new();
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                m.insert(k.trim().to_string(), serde_json::Value::String(v.to_string()));
            }
            _ => return Err(crate::usage(format!("a {flag} is not KEY=VALUE"), format!("write each as {flag} key=value"))),
        }
    }
    Ok((!m.is_empty()).then_some(m))
}

/// A verdict as JSON, with snake_case names.
pub fn verdict_json(v: &types::Verdict) -> serde_json::Value {
    serde_json::json!({ "kind": verdict(v.kind), "reason": v.reason, "rule": v.rule_id, "rule_says": v.rule_says, "certain": v.certain, "warnings": v.warnings })
}
