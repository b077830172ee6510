//! The host side of the core's machines for tests against a real node or the sandbox: blocking HTTP with ureq
//! (one connection per request), transport failures mapped to [`TransportError`]s, and the setup and check
//! helpers the real-node and reliability suites share. Include it with
//! `#[path = "common/client.rs"] mod client;`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use essnap::api::snapshot::{CreateRepository, CreateSnapshot, RepositorySettings};
use essnap::machine::create::{CreateOutcome, CreateSnapshotRun};
use essnap::machine::gather::Gather;
use essnap::machine::restore::{RestoreExecution, RestoreOutcome};
use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive};
use essnap::model::Info;
use essnap::plan::{RestorePlan, RestoreSelection, plan_restore};
use essnap::{Dialect, Request, Response};
use serde_json::{Value, json};

pub fn timing() -> Timing {
    Timing { poll_interval_ms: 200, max_wait_ms: 120_000, backoff_ms: 100, max_retries: 3 }
}

/// The host side of the machines: blocking HTTP with ureq, errors mapped to [`TransportError`]s.
pub struct Client {
    pub base: String,
    pub agent: ureq::Agent,
    pub timing: Timing,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::with_timeout(base, Duration::from_secs(60))
    }

    /// A client whose every request gives up after `timeout` (a [`TransportErrorKind::Timeout`]).
    pub fn with_timeout(base: &str, timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            // one connection per request: the fault proxy closes every connection anyway
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        Client { base: base.trim_end_matches('/').to_string(), agent, timing: timing() }
    }

    pub fn send(&self, req: &Request) -> Result<Response, TransportError> {
        let mut b = ureq::http::Request::builder().method(req.method.as_str()).uri(format!("{}{}", self.base, req.path));
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let result = match &req.body {
            Some(body) => self.agent.run(b.body(body.clone()).expect("request")),
            None => self.agent.run(b.body(()).expect("request")),
        };
        let mut resp = result.map_err(transport_error)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let body = resp.body_mut().with_config().limit(200 << 20).read_to_vec().map_err(transport_error)?;
        Ok(Response { status, headers, body })
    }

    /// Setup and checks outside the core: `(status, JSON body)`.
    pub fn raw(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut b = ureq::http::Request::builder().method(method).uri(format!("{}{}", self.base, path));
        if body.is_some() {
            let ct = if path.contains("_bulk") { "application/x-ndjson" } else { "application/json" };
            b = b.header("content-type", ct);
        }
        let mut resp = match body {
            Some(s) => self.agent.run(b.body(s.as_bytes().to_vec()).unwrap()),
            None => self.agent.run(b.body(()).unwrap()),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let (s, v) = self.raw(method, path, body);
        assert!((200..300).contains(&s), "{method} {path} -> {s}: {v}");
        v
    }

    pub fn dialect(&self) -> Dialect {
        let r = self.send(&essnap::api::cluster::info()).expect("GET /");
        essnap::api::decode::<Info>("info", &r).expect("info").dialect()
    }

    /// An index with `shards` primaries, no replicas, and `docs` documents (refreshed).
    pub fn index(&self, name: &str, shards: u32, docs: usize) {
        let settings = json!({"settings": {"number_of_shards": shards, "number_of_replicas": 0}}).to_string();
        self.ok("PUT", &format!("/{name}"), Some(&settings));
        self.add_docs(name, docs);
        self.ok("GET", &format!("/_cluster/health/{name}?wait_for_status=green&timeout=30s"), None);
    }

    pub fn add_docs(&self, name: &str, docs: usize) {
        if docs == 0 {
            return;
        }
        let mut bulk = String::new();
        for i in 0..docs {
            bulk.push_str(&format!("{{\"index\":{{}}}}\n{{\"n\":{i},\"text\":\"document {i} of {name}\"}}\n"));
        }
        let d = self.dialect();
        let es6 = d.distribution == essnap::Distribution::Elasticsearch && d.version.is_some_and(|v| v.major < 7);
        let path = if es6 { format!("/{name}/_doc/_bulk?refresh=true") } else { format!("/{name}/_bulk?refresh=true") };
        let r = self.ok("POST", &path, Some(&bulk));
        assert_eq!(r["errors"], false, "{r}");
    }

    pub fn count(&self, name: &str) -> u64 {
        self.ok("GET", &format!("/{name}/_count"), None)["count"].as_u64().expect("count")
    }

    /// `index -> open|close` for the given names.
    pub fn states(&self, names: &[&str]) -> BTreeMap<String, String> {
        let v = self.ok("GET", &format!("/_cat/indices/{}?format=json&h=index,status&expand_wildcards=all", names.join(",")), None);
        v.as_array().unwrap().iter().map(|r| (r["index"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string())).collect()
    }

    pub fn fs_repository(&self, d: &Dialect, name: &str) {
        let r = CreateRepository::new(name, RepositorySettings::fs(name)).build(d).expect("builds");
        let resp = self.send(&r).expect("put repository");
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    }

    /// Takes a snapshot with the core's machine; returns its outcome and events.
    pub fn snapshot(&self, d: &Dialect, repo: &str, snap: &str, indices: &[&str]) -> (CreateOutcome, Vec<Event>) {
        let req = CreateSnapshot {
            indices: indices.iter().map(|s| s.to_string()).collect(),
            include_global_state: Some(false),
            ..CreateSnapshot::new(repo, snap)
        };
        let mut m = CreateSnapshotRun::new(req, d.clone(), self.timing.clone()).expect("valid create");
        let mut events = Vec::new();
        let out = drive(&mut m, |r| self.send(r), sleep, |e| events.push(e));
        (out, events)
    }

    pub fn plan(&self, repo: &str, snap: &str, sel: &RestoreSelection) -> RestorePlan {
        let mut g = Gather::new(repo, snap, self.timing.clone());
        let inputs = drive(&mut g, |r| self.send(r), sleep, |_| {}).expect("gather");
        plan_restore(&inputs, sel).expect("valid selection")
    }

    pub fn execute(&self, plan: RestorePlan) -> (RestoreOutcome, Vec<Event>) {
        let mut m = RestoreExecution::new(plan, self.timing.clone());
        let mut events = Vec::new();
        let out = drive(&mut m, |r| self.send(r), sleep, |e| events.push(e));
        (out, events)
    }
}

pub fn sleep(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

pub fn transport_error(e: ureq::Error) -> TransportError {
    use std::io::ErrorKind as K;
    let kind = match &e {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => TransportErrorKind::Connect,
        ureq::Error::Io(io) if matches!(io.kind(), K::ConnectionRefused | K::AddrNotAvailable) => TransportErrorKind::Connect,
        ureq::Error::Io(io) if matches!(io.kind(), K::TimedOut | K::WouldBlock) => TransportErrorKind::Timeout,
        ureq::Error::Io(_) | ureq::Error::Protocol(_) => TransportErrorKind::Dropped,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, e.to_string())
}
