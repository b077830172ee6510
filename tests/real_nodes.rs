//! The core against real nodes (issue 10): essnap's machines driven with a tiny ureq transport against a real
//! OpenSearch 2.19.1 and Elasticsearch 7.17.29 node (one of each per run of this binary), a fault-injecting
//! proxy in front of them for the rollback paths, and a real 2-node OpenSearch cluster for restore progress
//! across nodes. Gated by `ESSNAP_REAL_NODES=1` (`cargo xtask test` sets it); see tests/common/real_node.rs.

#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/real_node.rs"]
mod real_node;

use std::collections::BTreeMap;
use std::time::Duration;

use essnap::api::snapshot::{CreateRepository, CreateSnapshot, Order, RepositorySettings, SnapshotSort};
use essnap::machine::create::{CreateOutcome, CreateSnapshotRun, CreateStatus};
use essnap::machine::gather::Gather;
use essnap::machine::list::SnapshotPager;
use essnap::machine::restore::{IndexFate, RestoreExecution, RestoreOutcome, RestoreStatus};
use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive};
use essnap::model::Info;
use essnap::plan::{ItemAction, RestorePlan, RestoreSelection, plan_restore};
use essnap::{Dialect, Request, Response};
use fault_proxy::{Action, FaultProxy, Rule};
use real_node::{ELASTICSEARCH, OPENSEARCH, RealNode};
use serde_json::{Value, json};

fn timing() -> Timing {
    Timing { poll_interval_ms: 200, max_wait_ms: 120_000, backoff_ms: 100, max_retries: 3 }
}

/// The host side of the machines: blocking HTTP with ureq, errors mapped to [`TransportError`]s.
struct Client {
    base: String,
    agent: ureq::Agent,
    timing: Timing,
}

impl Client {
    fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            // one connection per request: the fault proxy closes every connection anyway
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        Client { base: base.trim_end_matches('/').to_string(), agent, timing: timing() }
    }

    fn send(&self, req: &Request) -> Result<Response, TransportError> {
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
    fn raw(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
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

    fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let (s, v) = self.raw(method, path, body);
        assert!((200..300).contains(&s), "{method} {path} -> {s}: {v}");
        v
    }

    fn dialect(&self) -> Dialect {
        let r = self.send(&essnap::api::cluster::info()).expect("GET /");
        essnap::api::decode::<Info>("info", &r).expect("info").dialect()
    }

    /// An index with `shards` primaries, no replicas, and `docs` documents (refreshed).
    fn index(&self, name: &str, shards: u32, docs: usize) {
        let settings = json!({"settings": {"number_of_shards": shards, "number_of_replicas": 0}}).to_string();
        self.ok("PUT", &format!("/{name}"), Some(&settings));
        self.add_docs(name, docs);
        self.ok("GET", &format!("/_cluster/health/{name}?wait_for_status=green&timeout=30s"), None);
    }

    fn add_docs(&self, name: &str, docs: usize) {
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

    fn count(&self, name: &str) -> u64 {
        self.ok("GET", &format!("/{name}/_count"), None)["count"].as_u64().expect("count")
    }

    /// `index -> open|close` for the given names.
    fn states(&self, names: &[&str]) -> BTreeMap<String, String> {
        let v = self.ok("GET", &format!("/_cat/indices/{}?format=json&h=index,status&expand_wildcards=all", names.join(",")), None);
        v.as_array().unwrap().iter().map(|r| (r["index"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string())).collect()
    }

    fn fs_repository(&self, d: &Dialect, name: &str) {
        let r = CreateRepository::new(name, RepositorySettings::fs(name)).build(d).expect("builds");
        let resp = self.send(&r).expect("put repository");
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    }

    /// Takes a snapshot with the core's machine; returns its outcome and events.
    fn snapshot(&self, d: &Dialect, repo: &str, snap: &str, indices: &[&str]) -> (CreateOutcome, Vec<Event>) {
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

    fn plan(&self, repo: &str, snap: &str, sel: &RestoreSelection) -> RestorePlan {
        let mut g = Gather::new(repo, snap, self.timing.clone());
        let inputs = drive(&mut g, |r| self.send(r), sleep, |_| {}).expect("gather");
        plan_restore(&inputs, sel).expect("valid selection")
    }

    fn execute(&self, plan: RestorePlan) -> (RestoreOutcome, Vec<Event>) {
        let mut m = RestoreExecution::new(plan, self.timing.clone());
        let mut events = Vec::new();
        let out = drive(&mut m, |r| self.send(r), sleep, |e| events.push(e));
        (out, events)
    }
}

fn sleep(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

fn transport_error(e: ureq::Error) -> TransportError {
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

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn progress(events: &[Event]) -> Vec<essnap::machine::Progress> {
    events.iter().filter_map(|e| if let Event::Progress(p) = e { Some(p.clone()) } else { None }).collect()
}

fn assert_snapshot_ok(out: &CreateOutcome, events: &[Event], ctx: &str) {
    assert_eq!(out.status, CreateStatus::Success, "{ctx}: {out:?}");
    let p = progress(events);
    assert!(!p.is_empty(), "{ctx}: no progress events: {events:?}");
    assert_eq!(p.last().unwrap().percent, 100.0, "{ctx}: {p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "{ctx}: progress only grows: {p:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// create + list + plan + restore over open indices

fn snapshot_list_restore(node: &RealNode) {
    let c = Client::new(&node.url);
    let d = c.dialect();
    assert_eq!(d.distribution.to_string().to_lowercase(), node.dist);
    c.fs_repository(&d, "happy");
    c.index("happy-a", 2, 25);
    c.index("happy-b", 1, 7);

    // three snapshots: the machine's progress and final state
    for (i, snap) in ["happy-1", "happy-2", "happy-3"].iter().enumerate() {
        let (out, events) = c.snapshot(&d, "happy", snap, &["happy-a", "happy-b"]);
        assert_snapshot_ok(&out, &events, snap);
        let s = out.snapshot.as_ref().expect("final snapshot info");
        let mut idx = s.indices.clone();
        idx.sort();
        assert_eq!(idx, ["happy-a", "happy-b"], "{snap}");
        if i == 0 {
            // the restore below must bring these counts back
            c.add_docs("happy-a", 5);
            c.add_docs("happy-b", 3);
        }
    }
    assert_eq!((c.count("happy-a"), c.count("happy-b")), (30, 10));

    // listing, two per page
    for verbose in [true, false] {
        let mut pager = SnapshotPager::new("happy", d.clone(), 2, SnapshotSort::Name, Order::Asc, verbose).expect("pager");
        let mut names = Vec::new();
        let mut pages = 0;
        while let Some(req) = pager.next_request() {
            let resp = c.send(&req.expect("builds")).expect("list");
            let page = pager.on_response(&resp).unwrap_or_else(|e| panic!("page {pages}: {e}"));
            names.extend(page.snapshots.iter().map(|s| s.snapshot.clone()));
            pages += 1;
            assert!(pages < 10, "the pager does not end");
        }
        assert_eq!(names, ["happy-1", "happy-2", "happy-3"], "verbose={verbose}");
    }

    // plan over the open indices, closing them, and execute
    let sel = RestoreSelection { close_conflicting: true, ..Default::default() };
    let plan = c.plan("happy", "happy-1", &sel);
    assert!(!plan.is_blocked(), "{}", plan.render());
    assert_eq!(sorted(&plan.to_close), ["happy-a", "happy-b"], "{}", plan.render());
    assert!(plan.items.iter().all(|i| i.action == ItemAction::CloseAndRestoreOver), "{}", plan.render());
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Restored), "{:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Closed { indices } if indices.len() == 2)), "{events:?}");
    let p = progress(&events);
    assert!(!p.is_empty() && p.last().unwrap().percent == 100.0, "{p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "progress only grows: {p:?}");
    assert_eq!(p.last().unwrap().shards_total, 3, "{p:?}");

    let states = c.states(&["happy-a", "happy-b"]);
    assert!(states.values().all(|s| s == "open"), "{states:?}");
    c.ok("GET", "/_cluster/health/happy-a,happy-b?wait_for_status=green&timeout=30s", None);
    assert_eq!((c.count("happy-a"), c.count("happy-b")), (25, 7), "the documents of happy-1");

    // a plan that is not allowed to close is blocked and sends nothing
    let blocked = c.plan("happy", "happy-2", &RestoreSelection::default());
    assert!(blocked.is_blocked());
    let (out, _) = c.execute(blocked);
    assert_eq!(out.status, RestoreStatus::NotStarted);
    assert_eq!(out.requests_sent, 0);
}

#[test]
fn opensearch_snapshot_list_and_restore_over_open_indices() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        snapshot_list_restore(node);
    }
}

#[test]
fn elasticsearch_snapshot_list_and_restore_over_open_indices() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        snapshot_list_restore(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// rollback after injected failures

fn rollback(node: &RealNode) {
    let direct = Client::new(&node.url);
    let d = direct.dialect();
    direct.fs_repository(&d, "rb");
    direct.index("rb-a", 2, 10);
    direct.index("rb-b", 1, 5);
    direct.index("rb-keep", 1, 3);
    let (out, events) = direct.snapshot(&d, "rb", "rb-1", &["rb-a", "rb-b"]);
    assert_snapshot_ok(&out, &events, "rb-1");
    direct.add_docs("rb-a", 7);
    direct.add_docs("rb-b", 1);
    let all = ["rb-a", "rb-b", "rb-keep"];
    let counts = |c: &Client| all.map(|n| c.count(n));
    let all_open = |ctx: &str| {
        let s = direct.states(&all);
        assert_eq!(s.len(), 3, "{ctx}: {s:?}");
        assert!(s.values().all(|v| v == "open"), "{ctx}: every index is open again: {s:?}");
    };
    let sel = RestoreSelection { close_conflicting: true, ..Default::default() };

    let proxy = FaultProxy::start(&node.url);
    let mut c = Client::new(&proxy.url);
    // The default poll interval (1 s): after an unanswered restore the machine looks for it 3 times before it
    // would resend; 3 × 200 ms is too short a window for a busy CI machine to show the recoveries.
    c.timing = Timing { poll_interval_ms: 1000, ..timing() };
    let restore_posts = |p: &FaultProxy| p.seen().into_iter().filter(|s| s.method == "POST" && s.path.contains("/_restore")).collect::<Vec<_>>();

    // A: the restore POST is answered 500 without reaching the node: nothing restored, closed indices reopened.
    proxy.add(Rule { method: "POST", path_contains: "/_restore", action: Action::Status(500, "exception"), times: 1 });
    let plan = c.plan("rb", "rb-1", &sel);
    assert_eq!(sorted(&plan.to_close), ["rb-a", "rb-b"]);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Failed, "A: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Reopened), "A: {:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Reopened { .. })), "A: {events:?}");
    all_open("A");
    assert_eq!(counts(&direct), [17, 6, 3], "A: nothing was restored");
    assert_eq!(restore_posts(&proxy).len(), 1, "A: a refused restore is not sent again");

    // B: the close is forwarded (indices really close), then the connection drops: the machine reopens them.
    proxy.clear();
    proxy.add(Rule { method: "POST", path_contains: "/_close", action: Action::ForwardThenDrop, times: 1 });
    let plan = c.plan("rb", "rb-1", &sel);
    let (out, _) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Failed, "B: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Reopened), "B: {:?}", out.indices);
    all_open("B");
    assert_eq!(counts(&direct), [17, 6, 3], "B: nothing was restored");
    assert_eq!(restore_posts(&proxy).len(), 1, "B: no restore was sent");
    let closes: Vec<_> = proxy.seen().into_iter().filter(|s| s.path.contains("/_close")).collect();
    assert_eq!(closes.last().and_then(|s| s.status), Some(200), "B: the node did close them");

    // C: the restore POST reaches the node and starts, but the answer is lost: the machine finds the running
    // restore, never sends it again, and follows it to the end.
    proxy.clear();
    proxy.add(Rule { method: "POST", path_contains: "/_restore", action: Action::ForwardThenDrop, times: 1 });
    let before = restore_posts(&proxy).len();
    let plan = c.plan("rb", "rb-1", &sel);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "C: {out:?}");
    assert!(out.indices.iter().all(|i| i.fate == IndexFate::Restored), "C: {:?}", out.indices);
    assert!(events.iter().any(|e| matches!(e, Event::Warning { .. })), "C: {events:?}");
    let posts = restore_posts(&proxy);
    assert_eq!(posts.len() - before, 1, "C: the restore was sent again: {posts:?}");
    assert_eq!(posts.last().unwrap().status, Some(200), "C: the node accepted it");
    all_open("C");
    direct.ok("GET", "/_cluster/health/rb-a,rb-b?wait_for_status=green&timeout=30s", None);
    assert_eq!(counts(&direct), [10, 5, 3], "C: rb-a and rb-b restored as planned, rb-keep untouched");
}

#[test]
fn opensearch_rollback_after_injected_failures() {
    if let Some(node) = real_node::shared(OPENSEARCH) {
        rollback(node);
    }
}

#[test]
fn elasticsearch_rollback_after_injected_failures() {
    if let Some(node) = real_node::shared(ELASTICSEARCH) {
        rollback(node);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// restore progress across the nodes of a real 2-node cluster

#[test]
fn opensearch_two_nodes_restore_progress_across_nodes() {
    if !real_node::require("opensearch_two_nodes_restore_progress_across_nodes") {
        return;
    }
    let (dist, version) = OPENSEARCH;
    let node = RealNode::start(dist, version, 2).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&node.url);
    let health = c.ok("GET", "/_cluster/health?wait_for_nodes=2&timeout=30s", None);
    assert_eq!(health["number_of_nodes"], 2, "{health}");
    let d = c.dialect();
    c.fs_repository(&d, "two");
    c.index("spread", 6, 300);
    c.index("single", 1, 20);
    let (out, events) = c.snapshot(&d, "two", "two-1", &["spread", "single"]);
    assert_snapshot_ok(&out, &events, "two-1");
    c.add_docs("spread", 50);

    let plan = c.plan("two", "two-1", &RestoreSelection { close_conflicting: true, ..Default::default() });
    assert_eq!(sorted(&plan.to_close), ["single", "spread"]);
    let (out, events) = c.execute(plan);
    assert_eq!(out.status, RestoreStatus::Completed, "{out:?}");
    let p = progress(&events);
    let last = p.last().expect("progress events");
    assert_eq!((last.shards_done, last.shards_total, last.percent), (7, 7, 100.0), "{p:?}");
    assert!(p.windows(2).all(|w| w[0].percent <= w[1].percent), "{p:?}");

    // the restored shards were recovered on both nodes
    let rec = c.ok("GET", "/spread/_recovery", None);
    let mut targets: Vec<String> = rec["spread"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|s| assert_eq!(s["type"], "SNAPSHOT", "{s}"))
        .map(|s| s["target"]["name"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets, ["node-0", "node-1"], "{rec}");
    assert!(c.states(&["spread", "single"]).values().all(|s| s == "open"));
    c.ok("GET", "/_cluster/health/spread,single?wait_for_status=green&timeout=30s", None);
    assert_eq!((c.count("spread"), c.count("single")), (300, 20));
    drop(node);
}
