//! A small runner for the official Elasticsearch/OpenSearch YAML REST tests
//! (`do`, `match`, `is_true`, `is_false`, `length`, `gt`, `gte`, `lt`, `lte`, `set`, `catch`, `skip`, `requires`).
//! It talks plain HTTP to any base URL, so it can run against a real node too (`ESSNAP_YAML_URL`).

use serde_json::{Map, Value};
use std::collections::HashMap;

pub struct Outcome {
    pub passed: Vec<String>,
    pub skipped: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
}

/// Cluster facts used to evaluate `skip` / `requires`.
pub struct Target {
    pub distribution: String,
    pub version: (u32, u32, u32),
}

fn spec_dirs(dist: &str) -> Vec<String> {
    let base = "/work/shared/es-spec";
    if dist == "opensearch" {
        vec![format!("{base}/rest-api-spec-opensearch"), format!("{base}/rest-api-spec")]
    } else {
        vec![format!("{base}/rest-api-spec")]
    }
}

/// `(method, path template)` candidates for an API name.
fn api_paths(dist: &str, api: &str) -> Vec<(Vec<String>, String)> {
    for d in spec_dirs(dist) {
        if let Ok(text) = std::fs::read_to_string(format!("{d}/{api}.json")) {
            let v: Value = serde_json::from_str(&text).unwrap_or_default();
            if let Some(paths) = v[api]["url"]["paths"].as_array() {
                return paths
                    .iter()
                    .map(|p| {
                        let methods = p["methods"].as_array().map(|m| m.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
                        (methods, p["path"].as_str().unwrap_or("").to_string())
                    })
                    .collect();
            }
        }
    }
    // APIs the test setups use that are not in the collected specs
    let s = |m: &[&str], p: &str| (m.iter().map(|x| x.to_string()).collect::<Vec<_>>(), p.to_string());
    match api {
        "indices.create" => vec![s(&["PUT"], "/{index}")],
        "indices.delete" => vec![s(&["DELETE"], "/{index}")],
        "indices.recovery" => vec![s(&["GET"], "/_recovery"), s(&["GET"], "/{index}/_recovery")],
        _ => vec![],
    }
}

fn yaml_to_json(v: &serde_yaml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(scalar_string).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn lookup<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() || path == "$body" {
        return Some(body);
    }
    let mut cur = body;
    // split on unescaped dots
    let mut parts = vec![];
    let mut buf = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'.') {
            buf.push('.');
            chars.next();
        } else if c == '.' {
            parts.push(std::mem::take(&mut buf));
        } else {
            buf.push(c);
        }
    }
    parts.push(buf);
    for p in parts {
        cur = match cur {
            Value::Object(o) => o.get(&p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !(s.is_empty() || s == "false"),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        _ => true,
    }
}

fn version_tuple(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split('.').map(|p| p.trim().parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

/// Why a `skip`/`requires` section skips this test, if it does.
fn skip_reason(section: &Value, t: &Target, requires: bool) -> Option<String> {
    let reason = section["reason"].as_str().unwrap_or("").to_string();
    if let Some(features) = section.get("features").or(section.get("test_runner_features")) {
        let list: Vec<String> = match features {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => vec![],
        };
        let supported = ["allowed_warnings", "warnings", "headers", "default_shards", "contains"];
        for f in &list {
            if !supported.contains(&f.as_str()) {
                return Some(format!("runner feature [{f}] not supported ({reason})"));
            }
        }
    }
    if let Some(v) = section["version"].as_str() {
        if v.trim() == "all" {
            return Some(format!("skipped for all versions ({reason})"));
        }
        for range in v.split(',') {
            let (lo, hi) = range.split_once('-').unwrap_or((range, range));
            let lo = version_tuple(lo).unwrap_or((0, 0, 0));
            let hi = version_tuple(hi).unwrap_or((999, 0, 0));
            // OpenSearch's runner puts legacy Elasticsearch versions (5.x-7.x) before every OpenSearch version
            let tv = if t.distribution == "opensearch" && hi.0 >= 5 { (99, 0, 0) } else { t.version };
            if tv >= lo && tv <= hi {
                return Some(format!("version {v} ({reason})"));
            }
        }
    }
    if requires {
        let feats: Vec<String> = match &section["cluster_features"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => vec![],
        };
        for f in feats {
            let ok = match f.strip_prefix("gte_v").and_then(version_tuple) {
                Some(v) => t.distribution == "elasticsearch" && t.version >= v,
                None => f == "get.snapshots.state_parameter" && t.distribution == "elasticsearch" && t.version >= (9, 1, 0),
            };
            if !ok {
                return Some(format!("cluster feature [{f}] not present ({reason})"));
            }
        }
        if section.get("capabilities").is_some() {
            return Some(format!("capabilities checks not supported ({reason})"));
        }
    }
    None
}

fn substitute(v: &Value, stash: &HashMap<String, Value>) -> Value {
    match v {
        Value::String(s) if s.starts_with('$') && stash.contains_key(&s[1..]) => stash[&s[1..]].clone(),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), substitute(v, stash))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, stash)).collect()),
        other => other.clone(),
    }
}

fn values_equal(expected: &Value, actual: Option<&Value>) -> bool {
    let Some(actual) = actual else { return expected.is_null() };
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e.len() > 1 && e.starts_with('/') && e.trim_end().ends_with('/') => {
            let pat = e.trim().trim_matches('/');
            regex::Regex::new(&format!("(?x){pat}")).map(|r| r.is_match(a)).unwrap_or(false)
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        (Value::String(e), Value::Number(a)) => e.parse::<f64>().ok() == a.as_f64(),
        (Value::Number(e), Value::String(a)) => a.parse::<f64>().ok() == e.as_f64(),
        (Value::Object(e), Value::Object(a)) => e.len() == a.len() && e.iter().all(|(k, v)| values_equal(v, a.get(k))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| values_equal(x, Some(y))),
        (e, a) => e == a,
    }
}

struct Runner<'a> {
    base: &'a str,
    target: &'a Target,
    agent: ureq::Agent,
    stash: HashMap<String, Value>,
    last: Value,
}

impl Runner<'_> {
    fn do_step(&mut self, spec: &Map<String, Value>) -> Result<(), String> {
        let catch = spec.get("catch").and_then(|c| c.as_str()).map(String::from);
        let (api, args) = spec
            .iter()
            .find(|(k, _)| !["catch", "headers", "warnings", "allowed_warnings", "node_selector", "warnings_regex", "allowed_warnings_regex"].contains(&k.as_str()))
            .ok_or("do without api")?;
        let args = substitute(args, &self.stash);
        let args = args.as_object().cloned().unwrap_or_default();
        let paths = api_paths(&self.target.distribution, api);
        if paths.is_empty() {
            return Err(format!("unknown api [{api}]"));
        }
        // pick the path using the most provided parts
        let mut best: Option<(usize, &(Vec<String>, String))> = None;
        for p in &paths {
            let parts: Vec<&str> = p.1.split('{').skip(1).map(|s| s.split('}').next().unwrap_or("")).collect();
            if parts.iter().all(|x| args.contains_key(*x)) && best.is_none_or(|(n, _)| parts.len() > n) {
                best = Some((parts.len(), p));
            }
        }
        let (_, (methods, template)) = best.ok_or_else(|| format!("no path of [{api}] matches the arguments"))?;
        let mut path = template.clone();
        let mut query = vec![];
        let mut body: Option<String> = None;
        for (k, v) in &args {
            if k == "body" {
                body = Some(match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            } else if path.contains(&format!("{{{k}}}")) {
                path = path.replace(&format!("{{{k}}}"), &scalar_string(v));
            } else {
                query.push(format!("{k}={}", scalar_string(v)));
            }
        }
        let method = if body.is_some() && methods.iter().any(|m| m == "PUT" || m == "POST") {
            methods.iter().find(|m| *m == "PUT").or(methods.iter().find(|m| *m == "POST")).unwrap().clone()
        } else {
            methods[0].clone()
        };
        let url = format!("{}{}{}{}", self.base, path, if query.is_empty() { "" } else { "?" }, query.join("&"));
        let resp = super::call_with(&self.agent, &method, &url, body.as_deref(), &[]).map_err(|e| format!("{method} {url}: {e}"))?;
        self.last = serde_json::from_str(&resp.text).unwrap_or(Value::String(resp.text.clone()));
        let ok = (200..300).contains(&resp.status);
        match catch.as_deref() {
            None if ok => Ok(()),
            None => Err(format!("{method} {url} -> {}: {}", resp.status, resp.text)),
            Some(c) => {
                let expected = match c {
                    "missing" => resp.status == 404,
                    "bad_request" => resp.status == 400,
                    "conflict" => resp.status == 409,
                    "forbidden" => resp.status == 403,
                    "unauthorized" => resp.status == 401,
                    "request_timeout" => resp.status == 408,
                    "unavailable" => resp.status == 503,
                    "request" => resp.status >= 400,
                    r if r.starts_with('/') => {
                        resp.status >= 400 && regex::Regex::new(r.trim_matches('/')).map(|re| re.is_match(&resp.text)).unwrap_or(false)
                    }
                    _ => false,
                };
                if expected { Ok(()) } else { Err(format!("catch [{c}] but got {}: {}", resp.status, resp.text)) }
            }
        }
    }

    fn step(&mut self, step: &Value) -> Result<(), String> {
        let (kind, arg) = step.as_object().and_then(|o| o.iter().next()).ok_or("empty step")?;
        let pair = || -> Result<(String, Value), String> {
            let o = arg.as_object().ok_or("expected a map")?;
            let (k, v) = o.iter().next().ok_or("empty map")?;
            Ok((k.clone(), substitute(v, &self.stash)))
        };
        match kind.as_str() {
            "do" => self.do_step(arg.as_object().ok_or("bad do")?),
            "match" => {
                let (k, v) = pair()?;
                let actual = lookup(&self.last, &k);
                if values_equal(&v, actual) { Ok(()) } else { Err(format!("match {k}: expected {v}, got {actual:?}")) }
            }
            "is_true" | "is_false" => {
                let k = arg.as_str().unwrap_or("");
                let t = truthy(lookup(&self.last, k));
                if t == (kind == "is_true") { Ok(()) } else { Err(format!("{kind} {k}: got {:?}", lookup(&self.last, k))) }
            }
            "length" => {
                let (k, v) = pair()?;
                let n = match lookup(&self.last, &k) {
                    Some(Value::Array(a)) => a.len(),
                    Some(Value::Object(o)) => o.len(),
                    Some(Value::String(s)) => s.len(),
                    other => return Err(format!("length {k}: not a collection: {other:?}")),
                };
                if Some(n as f64) == v.as_f64() { Ok(()) } else { Err(format!("length {k}: expected {v}, got {n}")) }
            }
            "gt" | "gte" | "lt" | "lte" => {
                let (k, v) = pair()?;
                let a = lookup(&self.last, &k).and_then(|x| x.as_f64().or_else(|| x.as_str().and_then(|s| s.parse().ok())));
                let (Some(a), Some(e)) = (a, v.as_f64()) else { return Err(format!("{kind} {k}: not numeric")) };
                let ok = match kind.as_str() {
                    "gt" => a > e,
                    "gte" => a >= e,
                    "lt" => a < e,
                    _ => a <= e,
                };
                if ok { Ok(()) } else { Err(format!("{kind} {k}: {a} vs {e}")) }
            }
            "set" => {
                let o = arg.as_object().ok_or("bad set")?;
                for (k, name) in o {
                    let v = lookup(&self.last, k).cloned().ok_or(format!("set: {k} missing"))?;
                    self.stash.insert(name.as_str().unwrap_or("").to_string(), v);
                }
                Ok(())
            }
            "skip" | "requires" => Ok(()),
            other => Err(format!("unsupported step [{other}]")),
        }
    }
}

/// Runs every test of one YAML file. `fresh` gives a clean cluster base URL per test (sandbox: a new
/// in-process server; real node: the same URL).
pub fn run_file(path: &std::path::Path, target: &Target, fresh: &mut dyn FnMut() -> (String, Box<dyn FnOnce()>)) -> Outcome {
    let text = std::fs::read_to_string(path).expect("yaml file");
    let mut docs: Vec<(String, Vec<Value>)> = vec![];
    for d in serde_yaml::Deserializer::from_str(&text) {
        let v: serde_yaml::Value = match serde::Deserialize::deserialize(d) {
            Ok(v) => v,
            Err(_) => continue,
        };
        if let Some(m) = yaml_to_json(&v).as_object() {
            for (k, steps) in m {
                docs.push((k.clone(), steps.as_array().cloned().unwrap_or_default()));
            }
        }
    }
    let setup = docs.iter().find(|(k, _)| k == "setup").map(|(_, s)| s.clone()).unwrap_or_default();
    let teardown = docs.iter().find(|(k, _)| k == "teardown").map(|(_, s)| s.clone()).unwrap_or_default();
    let file = path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let mut out = Outcome { passed: vec![], skipped: vec![], failed: vec![] };
    for (name, steps) in docs.iter().filter(|(k, _)| k != "setup" && k != "teardown") {
        let id = format!("{file} / {name}");
        let mut skip = None;
        for s in setup.iter().chain(steps.iter()) {
            if let Some(sec) = s.get("skip") {
                skip = skip.or(skip_reason(sec, target, false));
            }
            if let Some(sec) = s.get("requires") {
                skip = skip.or(skip_reason(sec, target, true));
            }
        }
        if let Some(r) = skip {
            out.skipped.push((id, r));
            continue;
        }
        let (base, done) = fresh();
        let mut runner = Runner { base: &base, target, agent: super::agent(), stash: HashMap::new(), last: Value::Null };
        let mut result = Ok(());
        for s in setup.iter().chain(steps.iter()) {
            if let Err(e) = runner.step(s) {
                result = Err(e);
                break;
            }
        }
        for s in &teardown {
            let _ = runner.step(s);
        }
        done();
        match result {
            Ok(()) => out.passed.push(id),
            Err(e) => out.failed.push((id, e)),
        }
    }
    out
}
