//! Shared helpers for the sandbox integration tests.
#![allow(dead_code)]

pub mod yaml_runner;

use essnap_sandbox::{Config, Handle, seed::Seed, start};
use serde_json::Value;

pub fn sandbox(seed: &str) -> Handle {
    let seed = Seed::from_json(seed).expect("seed");
    start(Config::new(seed)).expect("start")
}

pub fn demo() -> Handle {
    sandbox(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/demo.json")).unwrap())
}

pub fn opensearch() -> Handle {
    sandbox(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/opensearch.json")).unwrap())
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(20)))
        .build()
        .into()
}

pub fn call(method: &str, url: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Resp {
    call_with(&agent(), method, url, body, headers).expect("request")
}

pub fn call_with(agent: &ureq::Agent, method: &str, url: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Result<Resp, ureq::Error> {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut resp = match body {
        Some(body) => agent.run(b.body(body.as_bytes().to_vec()).unwrap())?,
        None => agent.run(b.body(()).unwrap())?,
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Ok(Resp { status, headers, text })
}

/// Empties a real cluster between tests (what the official REST test framework does): every snapshot, every
/// repository, every index.
pub fn wipe(agent: &ureq::Agent, base: &str) {
    let get = |p: &str| call_with(agent, "GET", &format!("{base}{p}"), None, &[]).map(|r| serde_json::from_str(&r.text).unwrap_or(Value::Null)).unwrap_or(Value::Null);
    let del = |p: &str| {
        let _ = call_with(agent, "DELETE", &format!("{base}{p}"), None, &[]);
    };
    // Names an older server accepted (a space in a repository name, `<dm-{now/d}>` left
    // unresolved) go into the path encoded.
    let encode = |name: &str| -> String {
        name.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
    };
    if let Value::Object(repos) = get("/_snapshot/_all") {
        for repo in repos.keys().map(|r| encode(r)) {
            if let Some(snaps) = get(&format!("/_snapshot/{repo}/_all"))["snapshots"].as_array() {
                for s in snaps {
                    del(&format!("/_snapshot/{repo}/{}", encode(s["snapshot"].as_str().unwrap_or(""))));
                }
            }
            del(&format!("/_snapshot/{repo}"));
        }
    }
    // Data streams first: their write indices can't be deleted as indices (nodes without the
    // API just refuse these).
    del("/_data_stream/*");
    del("/_index_template/d-*");
    del("/*?expand_wildcards=all");
}

pub fn get(h: &Handle, path: &str) -> Resp {
    call("GET", &format!("{}{}", h.url, path), None, &[])
}
pub fn send(h: &Handle, method: &str, path: &str, body: Option<&str>) -> Resp {
    call(method, &format!("{}{}", h.url, path), body, &[])
}

/// Recursive shape comparison: every key of `example` must exist in `actual` with the same JSON type
/// (unless listed in `optional`, paths like `snapshots.*.metadata`); keys of `actual` missing in the example
/// must be listed in `extra`. Array elements are compared against the example's first element.
pub fn shape_diff(example: &Value, actual: &Value, optional: &[&str], extra: &[&str]) -> Vec<String> {
    let mut out = vec![];
    walk(example, actual, "", optional, extra, &mut out);
    out
}

/// The JSON type of a value, for shape comparisons.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn listed(list: &[&str], path: &str) -> bool {
    list.iter().any(|p| essnap_sandbox::util::simple_match(p, path))
}

fn walk(e: &Value, a: &Value, path: &str, optional: &[&str], extra: &[&str], out: &mut Vec<String>) {
    if kind(e) != kind(a) {
        out.push(format!("{path}: example is {} but sandbox is {}", kind(e), kind(a)));
        return;
    }
    const OPAQUE: &[&str] = &["metadata", "*.metadata", "settings", "*.settings", "_meta", "*._meta"];
    const DYNAMIC: &[&str] = &["indices", "nodes", "snapshots.*.indices", "snapshots.*.indices.*.shards", "snapshots.*.index_details"];
    if listed(OPAQUE, path) {
        return;
    }
    if let (Value::Object(eo), Value::Object(ao), true) = (e, a, listed(DYNAMIC, path)) {
        if let Some(e0) = eo.values().next() {
            for av in ao.values() {
                walk(e0, av, &format!("{path}.*"), optional, extra, out);
            }
        }
        return;
    }
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            // maps keyed by names (index names, repo names, node ids) compare by value shape
            for (k, ev) in eo {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match ao.get(k) {
                    Some(av) => walk(ev, av, &p, optional, extra, out),
                    None if listed(optional, &p) => {}
                    None => out.push(format!("{p}: missing in sandbox")),
                }
            }
            for k in ao.keys() {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if !eo.contains_key(k) && !listed(extra, &p) {
                    out.push(format!("{p}: not in example"));
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if let (Some(e0), false) = (ea.first(), aa.is_empty()) {
                for av in aa {
                    walk(e0, av, &format!("{path}.*"), optional, extra, out);
                }
            }
        }
        _ => {}
    }
}

/// Re-keys a map's single dynamic key so name-keyed maps (`{"my_repository": {...}}`) can be compared.
pub fn first_value(v: &Value) -> Value {
    v.as_object().and_then(|o| o.values().next().cloned()).unwrap_or(Value::Null)
}

pub fn example(rel: &str) -> Value {
    let p = format!("/work/shared/es-spec/examples/{rel}");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
}

pub const ES_EMPTY: &str = r#"{"cluster":{"distribution":"elasticsearch","version":"8.12.2"}}"#;
pub const OS_EMPTY: &str = r#"{"cluster":{"distribution":"opensearch","version":"2.19.1"}}"#;
