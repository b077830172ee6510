//! Fault injection: latency, error statuses, timeouts, "applied but the connection dropped", slow bodies.
//! Rules are deterministic: each rule has its own seeded RNG, `skip`/`count` bound how often it fires.

use crate::util::{Rng, simple_match};
use serde::{Deserialize, Serialize};

pub const MAX_LATENCY_MS: u64 = 60_000;
pub const MAX_TIMEOUT_MS: u64 = 120_000;
pub const MAX_SLOW_DELAY_MS: u64 = 5_000;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Sleep `ms` before handling the request normally.
    Latency,
    /// Answer `status` (429/5xx) with a real-looking error body; the request is NOT applied.
    Status,
    /// Hold the request for `ms` and then close the connection without answering
    /// (applied first when `apply` is true).
    Timeout,
    /// Apply the request, then close the connection without answering ("502 but it happened").
    Drop,
    /// Answer normally but write the body in `chunk_bytes` pieces with `delay_ms` pauses.
    SlowBody,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// `*`-glob on the request path (without query string); `*` also crosses `/`. Default `*`.
    #[serde(default = "star")]
    pub path: String,
    /// HTTP method or `*` (default).
    #[serde(default = "star")]
    pub method: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Override the error `type` / `reason` of a `status` fault.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Fire at most this many times (default: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Let the first `skip` matching requests through.
    #[serde(default)]
    pub skip: u32,
    /// Chance (0..=1) that a matching request fires; decided by the rule's seeded RNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_bytes: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// For `timeout`: apply the request before hanging (default false).
    #[serde(default)]
    pub apply: bool,
}

fn star() -> String {
    "*".into()
}

impl FaultSpec {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p) {
                return Err(format!("probability: must be between 0 and 1, got [{p}]"));
            }
        match self.action {
            Action::Latency => {
                let ms = self.ms.ok_or("ms: required for action [latency]")?;
                if ms > MAX_LATENCY_MS {
                    return Err(format!("ms: at most {MAX_LATENCY_MS} for action [latency]"));
                }
            }
            Action::Status => {
                let s = self.status.ok_or("status: required for action [status]")?;
                if !(s == 429 || (500..=599).contains(&s) || (400..=499).contains(&s)) {
                    return Err(format!("status: must be a 4xx or 5xx status, got [{s}]"));
                }
            }
            Action::Timeout => {
                if self.ms.unwrap_or(30_000) > MAX_TIMEOUT_MS {
                    return Err(format!("ms: at most {MAX_TIMEOUT_MS} for action [timeout]"));
                }
            }
            Action::Drop => {}
            Action::SlowBody => {
                if self.delay_ms.unwrap_or(100) > MAX_SLOW_DELAY_MS {
                    return Err(format!("delay_ms: at most {MAX_SLOW_DELAY_MS}"));
                }
                if self.chunk_bytes == Some(0) {
                    return Err("chunk_bytes: must be at least 1".into());
                }
            }
        }
        if self.method != "*" && !self.method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("method: invalid method [{}]", self.method));
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: u64,
    pub spec: FaultSpec,
    pub seen: u64,
    pub fired: u64,
    rng: Rng,
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
    next_id: u64,
}

/// Parse `--faults`: a JSON array (or single object) inline, or a path to a file containing one.
pub fn parse_specs(text_or_path: &str) -> Result<Vec<FaultSpec>, String> {
    let t = text_or_path.trim_start();
    let text = if t.starts_with('[') || t.starts_with('{') {
        text_or_path.to_string()
    } else {
        std::fs::read_to_string(text_or_path).map_err(|e| format!("cannot read faults file {text_or_path}: {e}"))?
    };
    parse_specs_json(&text)
}

pub fn parse_specs_json(text: &str) -> Result<Vec<FaultSpec>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("invalid faults JSON: {e}"))?;
    let list = match v {
        serde_json::Value::Array(a) => a,
        o @ serde_json::Value::Object(_) => vec![o],
        _ => return Err("faults: expected a JSON array of fault objects".into()),
    };
    let mut out = vec![];
    for (i, item) in list.into_iter().enumerate() {
        let spec: FaultSpec = serde_json::from_value(item).map_err(|e| format!("faults[{i}]: {e}"))?;
        spec.validate().map_err(|e| format!("faults[{i}].{e}"))?;
        out.push(spec);
    }
    Ok(out)
}

impl Faults {
    pub fn add(&mut self, spec: FaultSpec) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        let seed = spec.seed.unwrap_or(id.wrapping_mul(0x9E37_79B9));
        self.rules.push(Rule { id, spec, seen: 0, fired: 0, rng: Rng::new(seed) });
        id
    }
    pub fn clear(&mut self) {
        self.rules.clear();
    }
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }
    pub fn list(&self) -> serde_json::Value {
        let items: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(&r.spec).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("id".into(), r.id.into());
                    o.insert("seen".into(), r.seen.into());
                    o.insert("fired".into(), r.fired.into());
                    if let Some(c) = r.spec.count {
                        o.insert("remaining".into(), (c as u64).saturating_sub(r.fired).into());
                    }
                }
                v
            })
            .collect();
        serde_json::json!({ "faults": items })
    }

    /// Returns the specs of all rules that fire for this request, in order.
    pub fn check(&mut self, method: &str, path: &str) -> Vec<FaultSpec> {
        let mut out = vec![];
        for r in self.rules.iter_mut() {
            if !(r.spec.method == "*" || r.spec.method.eq_ignore_ascii_case(method)) || !simple_match(&r.spec.path, path) {
                continue;
            }
            r.seen += 1;
            if r.seen <= r.spec.skip as u64 {
                continue;
            }
            if r.spec.count.is_some_and(|c| r.fired >= c as u64) {
                continue;
            }
            if let Some(p) = r.spec.probability {
                let roll = (r.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                if roll >= p {
                    continue;
                }
            }
            r.fired += 1;
            out.push(r.spec.clone());
        }
        out
    }
}

/// Real-looking error bodies for injected statuses.
pub fn status_error(spec: &FaultSpec, uri: &str) -> (String, String) {
    let status = spec.status.unwrap_or(500);
    let (t, r) = match status {
        429 => (
            "es_rejected_execution_exception",
            format!("rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0] for request [{uri}]"),
        ),
        503 => ("master_not_discovered_exception", "no master node discovered yet".to_string()),
        504 => ("process_cluster_event_timeout_exception", format!("failed to process cluster event within 30s for request [{uri}]")),
        408 => ("timeout_exception", "Timed out after 30s".to_string()),
        _ => ("exception", format!("sandbox injected fault for [{uri}]")),
    };
    (spec.error_type.clone().unwrap_or_else(|| t.to_string()), spec.reason.clone().unwrap_or(r))
}
