//! Reliability (issue 12): the restore (close → restore → poll, with rollback) and snapshot-creation machines
//! driven through a fault-injecting proxy (tests/common/fault_proxy.rs), many seeded runs, in front of the
//! sandbox (always) and of a real OpenSearch 2.19.1 node (with `ESSNAP_REAL_NODES=1`, like tests/real_nodes.rs).
//!
//! Each run's seed picks one fault (sometimes two) and the step it hits — the request (method + path) and
//! which occurrence of it. The faults: 500 / 503 / 429 before acting, a gateway's 502 page before forwarding,
//! a timeout before the node saw anything (held until the client gives up), a timeout after the node acted,
//! a slow body (within and past the client's timeout), a connection dropped before forwarding, a connection
//! dropped after the node acted, and a gateway's 502/504 after the node acted. After each run, read straight
//! from the cluster (not through the proxy):
//!
//! * every pre-existing index is in the state it was (open/closed, document count), or restored as planned
//!   (open, with the snapshot's documents), and it agrees with what the outcome says of it;
//! * no snapshot and no index is lost, and a created snapshot is there exactly when the outcome says so;
//! * no request with side effects (POST/PUT/DELETE) was sent again while the first one was running (the proxy's
//!   timestamps), and a restore or create the node accepted was never sent again.
//!
//! A table (runs, faults, passes per target and workflow) is printed to stderr at the end, also without
//! `--nocapture`. Failed runs print their seed; `ESSNAP_RELIABILITY_REPLAY=sandbox:restore:0x…` runs just that one.
//! `ESSNAP_RELIABILITY_RUNS` (default 40) sets the runs per target and workflow, `ESSNAP_RELIABILITY_SEED` the
//! base seed (default fixed, so CI runs the same faults every time), `ESSNAP_RELIABILITY_ONLY=sandbox|opensearch`
//! one target, and `ESSNAP_RELIABILITY_VERBOSE=1` prints every run with the proxy's log.

#[path = "common/client.rs"]
mod client;
#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/real_node.rs"]
mod real_node;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use client::Client;
use essnap::api::snapshot::CreateSnapshot;
use essnap::machine::create::{CreateOutcome, CreateSnapshotRun, CreateStatus};
use essnap::machine::gather::Gather;
use essnap::machine::restore::{IndexFate, RestoreExecution, RestoreOutcome, RestoreStatus};
use essnap::machine::{Timing, drive};
use essnap::plan::{ItemAction, RestorePlan, RestoreSelection, plan_restore};
use fault_proxy::{Action, FaultProxy, Injection, Seen};
use real_node::{OPENSEARCH, RealNode};
use serde_json::{Value, json};

const DEFAULT_RUNS: usize = 40;
const DEFAULT_SEED: u64 = 0x12e1_1ab1_e5ee_d012;
/// The client gives up on a request after this long (the proxy's holds last until it does).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(3);
/// Concurrent runs per suite: each sandbox run has its own sandbox; each real-node worker its own indices and
/// repository.
const SANDBOX_WORKERS: usize = 6;
const NODE_WORKERS: usize = 3;

fn timing() -> Timing {
    Timing { poll_interval_ms: 200, max_wait_ms: 60_000, backoff_ms: 100, max_retries: 3 }
}

// ---------------------------------------------------------------------------------------------------------------
// seeds, faults, steps

/// splitmix64: small, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Clone>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())].clone()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Status500,
    Status503,
    Status429,
    Gateway502,
    TimeoutBefore,
    TimeoutAfterActing,
    SlowBody,
    SlowBodyPastTimeout,
    DropBefore,
    DropAfterActing,
    GatewayAfterActing,
}

const FAULTS: [Fault; 11] = [
    Fault::Status500,
    Fault::Status503,
    Fault::Status429,
    Fault::Gateway502,
    Fault::TimeoutBefore,
    Fault::TimeoutAfterActing,
    Fault::SlowBody,
    Fault::SlowBodyPastTimeout,
    Fault::DropBefore,
    Fault::DropAfterActing,
    Fault::GatewayAfterActing,
];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Status500 => "500 before acting",
            Fault::Status503 => "503 before acting",
            Fault::Status429 => "429 before acting",
            Fault::Gateway502 => "gateway 502 before forwarding",
            Fault::TimeoutBefore => "timeout before acting",
            Fault::TimeoutAfterActing => "timeout after acting",
            Fault::SlowBody => "slow body",
            Fault::SlowBodyPastTimeout => "slow body past the timeout",
            Fault::DropBefore => "dropped before forwarding",
            Fault::DropAfterActing => "dropped after acting",
            Fault::GatewayAfterActing => "gateway 502/504 after acting",
        }
    }

    fn action(self, rng: &mut Rng) -> Action {
        match self {
            Fault::Status500 => Action::Status(500, "exception"),
            Fault::Status503 => Action::Status(503, "master_not_discovered_exception"),
            Fault::Status429 => Action::Status(429, "es_rejected_execution_exception"),
            Fault::Gateway502 => Action::Gateway(502),
            Fault::TimeoutBefore => Action::Hold,
            Fault::TimeoutAfterActing => Action::ForwardThenHold,
            // A few KB in well under the client's timeout.
            Fault::SlowBody => Action::SlowBody { chunk: 256, delay_ms: 2 },
            // ≥ 40 bytes at 1 byte / 100 ms: always past it.
            Fault::SlowBodyPastTimeout => Action::SlowBody { chunk: 1, delay_ms: 100 },
            Fault::DropBefore => Action::DropBefore,
            Fault::DropAfterActing => Action::ForwardThenDrop,
            Fault::GatewayAfterActing => Action::ForwardThenStatus(if rng.below(2) == 0 { 502 } else { 504 }),
        }
    }
}

/// A request of the workflow a fault can hit: `method` + a glob on the path, and how many of its occurrences a
/// fault may let pass first. `weight` 0: only as a second fault (a rollback's request, say, which only a first
/// fault brings about).
#[derive(Clone, Debug)]
struct Step {
    name: &'static str,
    method: &'static str,
    glob: String,
    max_skip: usize,
    weight: usize,
}

fn restore_steps(repo: &str, snap: &str) -> Vec<Step> {
    vec![
        Step { name: "close", method: "POST", glob: "*/_close".into(), max_skip: 0, weight: 3 },
        Step { name: "restore", method: "POST", glob: format!("/_snapshot/{repo}/{snap}/_restore"), max_skip: 0, weight: 4 },
        Step { name: "recovery", method: "GET", glob: "*/_recovery".into(), max_skip: 2, weight: 2 },
        Step { name: "cat-indices", method: "GET", glob: "/_cat/indices*".into(), max_skip: 1, weight: 1 },
        Step { name: "reopen", method: "POST", glob: "*/_open".into(), max_skip: 1, weight: 0 },
    ]
}

fn create_steps(repo: &str, snap: &str) -> Vec<Step> {
    vec![
        Step { name: "running-check", method: "GET", glob: "/_snapshot/_status".into(), max_skip: 0, weight: 1 },
        Step { name: "create", method: "PUT", glob: format!("/_snapshot/{repo}/{snap}"), max_skip: 0, weight: 4 },
        Step { name: "status", method: "GET", glob: format!("/_snapshot/{repo}/{snap}/_status"), max_skip: 1, weight: 2 },
        Step { name: "get", method: "GET", glob: format!("/_snapshot/{repo}/{snap}"), max_skip: 0, weight: 1 },
    ]
}

#[derive(Clone, Debug)]
struct Planned {
    fault: Fault,
    step: &'static str,
    skip: usize,
    injection: Injection,
}

/// One fault on a step picked by weight, and (one run in three) a second one on another step, any of them: a
/// failure and a fault in its rollback, say.
fn plan_faults(rng: &mut Rng, steps: &[Step]) -> Vec<Planned> {
    let weighted: Vec<&Step> = steps.iter().flat_map(|s| std::iter::repeat_n(s, s.weight)).collect();
    let mut out: Vec<Planned> = Vec::new();
    let second = rng.below(3) == 0;
    for n in 0..if second { 2 } else { 1 } {
        let step = if n == 0 { weighted[rng.below(weighted.len())].clone() } else { rng.pick(steps) };
        let fault = rng.pick(&FAULTS);
        let skip = rng.below(step.max_skip + 1);
        let action = fault.action(rng);
        if out.iter().any(|p| p.step == step.name) {
            continue;
        }
        let injection = Injection { method: step.method.into(), path_glob: step.glob.clone(), action, skip, times: 1 };
        out.push(Planned { fault, step: step.name, skip, injection });
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// targets and reports

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Sandbox,
    OpenSearch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Workflow {
    Restore,
    Create,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Sandbox => "sandbox",
            Target::OpenSearch => "opensearch",
        }
    }
}

impl Workflow {
    fn name(self) -> &'static str {
        match self {
            Workflow::Restore => "restore",
            Workflow::Create => "create",
        }
    }
}

struct Report {
    target: Target,
    workflow: Workflow,
    seed: u64,
    /// What the run was about (the sandbox's cluster, the real node's worker).
    setting: String,
    planned: Vec<Planned>,
    fired: Vec<Fault>,
    outcome: String,
    violations: Vec<String>,
    log: Vec<Seen>,
}

impl Report {
    fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "{}:{}:{:#x} ({}) — replay with ESSNAP_RELIABILITY_REPLAY={}:{}:{:#x}\n  faults: {}\n  outcome: {}\n",
            self.target.name(),
            self.workflow.name(),
            self.seed,
            self.setting,
            self.target.name(),
            self.workflow.name(),
            self.seed,
            self.planned.iter().map(|p| format!("{} at {} (after {} passed)", p.fault.name(), p.step, p.skip)).collect::<Vec<_>>().join("; "),
            self.outcome
        );
        for v in &self.violations {
            s.push_str(&format!("  VIOLATION: {v}\n"));
        }
        if let Some(t0) = self.log.iter().map(|r| r.started).min() {
            let ms = |t: Instant| t.duration_since(t0).as_millis();
            let mut log = self.log.clone();
            log.sort_by_key(|r| r.seq);
            for r in &log {
                let up = r.upstream.map(|(a, b)| format!(" node {}..{} ms", ms(a), ms(b))).unwrap_or_default();
                let fault = r.fault.as_ref().map(|f| format!(" FAULT {f:?}")).unwrap_or_default();
                s.push_str(&format!("    #{} {}..{} ms {} {} -> {:?}{up}{fault}\n", r.seq, ms(r.started), ms(r.finished), r.method, r.path, r.status));
            }
        }
        s
    }
}

fn seen_faults(log: &[Seen], planned: &[Planned]) -> Vec<Fault> {
    log.iter()
        .filter_map(|r| r.fault.as_ref())
        .filter_map(|a| planned.iter().find(|p| &p.injection.action == a).map(|p| p.fault))
        .collect()
}

/// No request with side effects was sent while an identical one was still running, and a restore or create the
/// node accepted was never sent again.
fn side_effect_violations(log: &[Seen], never_twice: &dyn Fn(&Seen) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_key: BTreeMap<(String, String), Vec<&Seen>> = BTreeMap::new();
    for r in log.iter().filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "DELETE")) {
        by_key.entry((r.method.clone(), r.path.clone())).or_default().push(r);
    }
    for ((method, path), mut rs) in by_key {
        rs.sort_by_key(|r| r.started);
        for w in rs.windows(2) {
            if w[1].started < w[0].finished {
                out.push(format!("{method} {path} was sent again (#{}) while the first (#{}) was still running", w[1].seq, w[0].seq));
            }
        }
        if let Some(first_ok) = rs.iter().position(|r| r.upstream.is_some() && r.status.is_some_and(|s| (200..300).contains(&s)) && never_twice(r)) {
            for later in &rs[first_ok + 1..] {
                out.push(format!("{method} {path} was sent again (#{}) after the node had accepted it (#{})", later.seq, rs[first_ok].seq));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// the cluster as the checks see it (straight, not through the proxy)

#[derive(Clone, Debug, PartialEq, Eq)]
struct IndexState {
    open: bool,
    /// Documents, when open.
    docs: Option<u64>,
}

impl std::fmt::Display for IndexState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.open, self.docs) {
            (true, Some(d)) => write!(f, "open/{d} docs"),
            (true, None) => write!(f, "open"),
            (false, _) => write!(f, "closed"),
        }
    }
}

fn show(s: Option<&IndexState>) -> String {
    s.map_or("absent".to_string(), |s| s.to_string())
}

/// `name -> state` of every index matching `pattern`.
fn observe(c: &Client, pattern: &str, real: bool) -> BTreeMap<String, IndexState> {
    let v = c.ok("GET", &format!("/_cat/indices/{pattern}?format=json&h=index,status,docs.count&expand_wildcards=all"), None);
    let mut out = BTreeMap::new();
    for row in v.as_array().cloned().unwrap_or_default() {
        let name = row["index"].as_str().unwrap_or_default().to_string();
        let open = row["status"] == "open";
        let docs = match (open, real) {
            (false, _) => None,
            // `_count` searches: what a user would see.
            (true, true) => Some(c.count(&name)),
            (true, false) => row["docs.count"].as_str().and_then(|d| d.parse().ok()),
        };
        out.insert(name, IndexState { open, docs });
    }
    out
}

/// `snapshot -> state` of a repository.
fn snapshots(c: &Client, repo: &str) -> BTreeMap<String, (String, Vec<String>, Value)> {
    let v = c.ok("GET", &format!("/_snapshot/{repo}/_all"), None);
    v["snapshots"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let mut idx: Vec<String> = s["indices"].as_array().cloned().unwrap_or_default().iter().filter_map(|i| i.as_str().map(String::from)).collect();
            idx.sort();
            (s["snapshot"].as_str().unwrap_or_default().to_string(), (s["state"].as_str().unwrap_or_default().to_string(), idx, s["shards"].clone()))
        })
        .collect()
}

fn sandbox_seed(dist: (&str, &str), indices: Value, snapshots: Value) -> essnap_sandbox::Handle {
    let seed = json!({
        "cluster": {"distribution": dist.0, "version": dist.1},
        "indices": indices,
        "repositories": [{"name": "rel", "type": "fs", "settings": {"location": "/mnt/rel"}, "snapshots": snapshots}],
    });
    let seed = essnap_sandbox::seed::Seed::from_json(&seed.to_string()).expect("seed");
    essnap_sandbox::start(essnap_sandbox::Config::new(seed)).expect("sandbox starts")
}

/// Sandbox clusters a run may get.
const SANDBOX_CLUSTERS: [(&str, &str); 3] = [("opensearch", "2.19.1"), ("elasticsearch", "8.12.2"), ("elasticsearch", "7.17.29")];

// ---------------------------------------------------------------------------------------------------------------
// restore: a (2 shards) and b open with documents added since the snapshot, c closed, d deleted since, keep not
// in the snapshot. The plan closes a and b, restores over c, creates d.

const SNAP_DOCS: [(&str, u64); 4] = [("a", 10), ("b", 5), ("c", 3), ("d", 4)];
/// Documents before each run (c is closed).
const PRE_DOCS: [(&str, u64); 3] = [("a", 17), ("b", 6), ("keep", 3)];

struct RestoreEnv {
    upstream: String,
    /// Index names start with it (`{prefix}-a`, ...).
    prefix: String,
    repo: String,
    snap: String,
    real: bool,
}

impl RestoreEnv {
    fn name(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    fn pattern(&self) -> String {
        format!("{}-*", self.prefix)
    }

    /// The state every index must be in before a run (and after a run that did not restore).
    fn pre_state(&self) -> BTreeMap<String, IndexState> {
        let mut m: BTreeMap<String, IndexState> = PRE_DOCS.iter().map(|(n, d)| (self.name(n), IndexState { open: true, docs: Some(*d) })).collect();
        m.insert(self.name("c"), IndexState { open: false, docs: None });
        m
    }

    /// The state after the restore happened.
    fn restored_state(&self) -> BTreeMap<String, IndexState> {
        let mut m: BTreeMap<String, IndexState> = SNAP_DOCS.iter().map(|(n, d)| (self.name(n), IndexState { open: true, docs: Some(*d) })).collect();
        m.insert(self.name("keep"), IndexState { open: true, docs: Some(3) });
        m
    }
}

/// A real node's restore fixture for one worker: created once, brought back to the pre-run state before each run.
fn node_restore_fixture(node: &RealNode, prefix: &str) -> RestoreEnv {
    let c = Client::new(&node.url);
    let d = c.dialect();
    let env = RestoreEnv { upstream: node.url.clone(), prefix: prefix.into(), repo: prefix.into(), snap: format!("{prefix}-snap"), real: true };
    c.fs_repository(&d, &env.repo);
    for (n, docs) in SNAP_DOCS {
        c.index(&env.name(n), if n == "a" { 2 } else { 1 }, docs as usize);
    }
    c.index(&env.name("keep"), 1, 3);
    let names: Vec<String> = SNAP_DOCS.iter().map(|(n, _)| env.name(n)).collect();
    let (out, _) = c.snapshot(&d, &env.repo, &env.snap, &names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status, CreateStatus::Success, "fixture snapshot: {out:?}");
    c.add_docs(&env.name("c"), 2);
    c.ok("DELETE", &format!("/{}", env.name("d")), None);
    reset_node_restore(&c, &env);
    env
}

/// Back to: a 17 docs, b 6 (open), c closed, d absent, keep 3.
fn reset_node_restore(c: &Client, env: &RestoreEnv) {
    let now = observe(c, &env.pattern(), true);
    if now.contains_key(&env.name("d")) {
        c.ok("DELETE", &format!("/{}", env.name("d")), None);
    }
    let abc = format!("{},{},{}", env.name("a"), env.name("b"), env.name("c"));
    c.ok("POST", &format!("/{abc}/_open"), None);
    c.raw("GET", &format!("/_cluster/health/{abc}?wait_for_status=green&timeout=60s"), None);
    for (n, extra) in [("a", 7usize), ("b", 1), ("c", 2)] {
        let name = env.name(n);
        let snap = SNAP_DOCS.iter().find(|(s, _)| *s == n).unwrap().1;
        let count = c.count(&name);
        if count == snap {
            c.add_docs(&name, extra);
        } else {
            assert_eq!(count, snap + extra as u64, "{name}: the fixture is neither restored nor as before");
        }
    }
    c.ok("POST", &format!("/{}/_close", env.name("c")), None);
}

fn plan(c: &Client, env: &RestoreEnv) -> RestorePlan {
    let mut g = Gather::new(&env.repo, &env.snap, timing());
    let inputs = drive(&mut g, |r| c.send(r), client::sleep, |_| {}).expect("gather");
    let plan = plan_restore(&inputs, &RestoreSelection { close_conflicting: true, ..Default::default() }).expect("plans");
    let mut to_close = plan.to_close.clone();
    to_close.sort();
    assert_eq!(to_close, [env.name("a"), env.name("b")], "{}", plan.render());
    let action = |n: &str| plan.items.iter().find(|i| i.target == env.name(n)).map(|i| i.action);
    assert_eq!(
        ["a", "b", "c", "d"].map(action),
        [Some(ItemAction::CloseAndRestoreOver), Some(ItemAction::CloseAndRestoreOver), Some(ItemAction::RestoreOverClosed), Some(ItemAction::Create)],
        "{}",
        plan.render()
    );
    plan
}

fn settle(c: &Client, env: &RestoreEnv) {
    if env.real {
        c.raw("GET", &format!("/_cluster/health/{}?wait_for_status=green&timeout=60s", env.pattern()), None);
    } else {
        c.raw("GET", "/_cluster/health?wait_for_status=green&timeout=30s", None);
    }
}

fn restore_summary(out: &RestoreOutcome) -> String {
    let fates: Vec<String> = out.indices.iter().map(|i| format!("{}={:?}", i.name, i.fate)).collect();
    format!("{:?} ({} requests) error={:?} [{}]", out.status, out.requests_sent, out.error.as_ref().map(|e| e.to_string()), fates.join(", "))
}

/// How a run executes the plan through the proxy: essnap's machine, or (to show the checks bite) a naive host.
type Executor = fn(&Client, RestorePlan) -> RestoreOutcome;

fn essnap_executor(c: &Client, plan: RestorePlan) -> RestoreOutcome {
    let mut m = RestoreExecution::new(plan, timing());
    drive(&mut m, |r| c.send(r), client::sleep, |_| {})
}

fn restore_run(target: Target, env: &RestoreEnv, seed: u64, setting: String) -> Report {
    let mut rng = Rng(seed);
    let planned = plan_faults(&mut rng, &restore_steps(&env.repo, &env.snap));
    restore_checked(target, env, seed, setting, planned, essnap_executor)
}

fn restore_checked(target: Target, env: &RestoreEnv, seed: u64, setting: String, planned: Vec<Planned>, execute: Executor) -> Report {
    let direct = Client::new(&env.upstream);
    let before = observe(&direct, &env.pattern(), env.real);
    let snaps_before = snapshots(&direct, &env.repo);
    let mut violations = Vec::new();
    if before != env.pre_state() {
        violations.push(format!("the run did not start from the planned state: {before:?}"));
    }
    let plan = plan(&direct, env);

    let proxy = FaultProxy::start(&env.upstream);
    for p in &planned {
        proxy.inject(p.injection.clone());
    }
    let mut c = Client::with_timeout(&proxy.url, CLIENT_TIMEOUT);
    c.timing = timing();
    let out = execute(&c, plan);
    let log = proxy.finish();

    if matches!(out.status, RestoreStatus::Completed | RestoreStatus::StillRunning) {
        settle(&direct, env);
    }
    let after = observe(&direct, &env.pattern(), env.real);
    let restored = env.restored_state();
    let pre = env.pre_state();
    let fate = |n: &str| out.indices.iter().find(|i| i.name == env.name(n)).map(|i| i.fate.clone());
    let diff = |want: &BTreeMap<String, IndexState>| -> Vec<String> {
        let names: BTreeSet<&String> = want.keys().chain(after.keys()).collect();
        names.into_iter().filter(|n| want.get(*n) != after.get(*n)).map(|n| format!("{n}: {} (expected {})", show(after.get(n)), show(want.get(n)))).collect()
    };
    match out.status {
        RestoreStatus::Completed => {
            for d in diff(&restored) {
                violations.push(format!("completed, but not restored as planned: {d}"));
            }
            if out.indices.iter().any(|i| i.fate != IndexFate::Restored) {
                violations.push("completed, but not every index is reported restored".into());
            }
        }
        RestoreStatus::Failed => {
            // Nothing restored (the restore restores all four or none: d would exist), and each index is as the
            // outcome says: reopened or unchanged = as before, left closed = closed and reported.
            let mut want = pre.clone();
            for n in ["a", "b"] {
                if let Some(IndexFate::LeftClosed { .. }) = fate(n) {
                    want.insert(env.name(n), IndexState { open: false, docs: None });
                }
            }
            for d in diff(&want) {
                violations.push(format!("failed, but an index is not as it was (or as the outcome says): {d}"));
            }
            for n in ["c", "d"] {
                if fate(n) != Some(IndexFate::Unchanged) {
                    violations.push(format!("failed, but {} is reported {:?}", env.name(n), fate(n)));
                }
            }
        }
        RestoreStatus::StillRunning => {
            // essnap stopped watching, or could not tell whether the restore started: after it settled, either it
            // was restored, or everything is as it was — never indices left closed that the outcome calls
            // `restoring`.
            let (r, p) = (diff(&restored), diff(&pre));
            if !r.is_empty() && !p.is_empty() {
                violations.push(format!("still running, and after settling neither restored ({}) nor as before ({})", r.join("; "), p.join("; ")));
            }
        }
        RestoreStatus::NotStarted => violations.push("the plan was not blocked, yet nothing started".into()),
    }
    let snaps_after = snapshots(&direct, &env.repo);
    if snaps_after.keys().collect::<Vec<_>>() != snaps_before.keys().collect::<Vec<_>>() {
        violations.push(format!("the repository's snapshots changed: {:?} -> {:?}", snaps_before.keys(), snaps_after.keys()));
    }
    violations.extend(side_effect_violations(&log, &|r| r.path.contains("/_restore")));
    Report {
        target,
        workflow: Workflow::Restore,
        seed,
        setting,
        fired: seen_faults(&log, &planned),
        planned,
        outcome: restore_summary(&out),
        violations,
        log,
    }
}

fn sandbox_restore(seed: u64) -> Report {
    let mut rng = Rng(seed ^ 0x5a5a);
    let dist = rng.pick(&SANDBOX_CLUSTERS);
    let sb = restore_sandbox(dist);
    let env = RestoreEnv { upstream: sb.url.clone(), prefix: "rel".into(), repo: "rel".into(), snap: "rel-snap".into(), real: false };
    restore_run(Target::Sandbox, &env, seed, format!("{} {}", dist.0, dist.1))
}

fn restore_sandbox(dist: (&str, &str)) -> essnap_sandbox::Handle {
    let v = dist.1;
    sandbox_seed(
        dist,
        json!([
            {"name": "rel-a", "shards": 2, "docs": 17}, {"name": "rel-b", "docs": 6},
            {"name": "rel-c", "state": "closed", "docs": 5}, {"name": "rel-keep", "docs": 3},
        ]),
        json!([
            {"name": "rel-snap", "version": v, "indices": [
                {"name": "rel-a", "shards": 2, "docs": 10}, {"name": "rel-b", "docs": 5}, {"name": "rel-c", "docs": 3}, {"name": "rel-d", "docs": 4}]},
            {"name": "rel-other", "version": v, "indices": [{"name": "rel-keep", "docs": 3}]},
        ]),
    )
}

// ---------------------------------------------------------------------------------------------------------------
// create: a snapshot of x (2 shards) and y; closed z and the repository's earlier snapshots must stay as they are.

struct CreateEnv {
    upstream: String,
    prefix: String,
    repo: String,
    real: bool,
}

impl CreateEnv {
    fn name(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }
}

fn node_create_fixture(node: &RealNode, prefix: &str) -> CreateEnv {
    let c = Client::new(&node.url);
    let d = c.dialect();
    let env = CreateEnv { upstream: node.url.clone(), prefix: prefix.into(), repo: prefix.into(), real: true };
    c.fs_repository(&d, &env.repo);
    c.index(&env.name("x"), 2, 7);
    c.index(&env.name("y"), 1, 3);
    c.index(&env.name("z"), 1, 2);
    c.ok("POST", &format!("/{}/_close", env.name("z")), None);
    let (out, _) = c.snapshot(&d, &env.repo, &format!("{prefix}-base"), &[&env.name("x")]);
    assert_eq!(out.status, CreateStatus::Success, "fixture snapshot: {out:?}");
    env
}

fn create_summary(out: &CreateOutcome) -> String {
    format!(
        "{:?} ({} requests) error={:?} state={:?}",
        out.status,
        out.requests_sent,
        out.error.as_ref().map(|e| e.to_string()),
        out.snapshot.as_ref().and_then(|s| s.state.clone())
    )
}

fn create_run(target: Target, env: &CreateEnv, seed: u64, setting: String) -> Report {
    let direct = Client::new(&env.upstream);
    let dialect = direct.dialect();
    let snap = format!("{}-s{:x}", env.prefix, seed & 0xffff_ffff);
    let mut rng = Rng(seed);
    let planned = plan_faults(&mut rng, &create_steps(&env.repo, &snap));
    let pattern = format!("{}-*", env.prefix);
    let before = observe(&direct, &pattern, env.real);
    let snaps_before = snapshots(&direct, &env.repo);
    let mut violations = Vec::new();

    let proxy = FaultProxy::start(&env.upstream);
    for p in &planned {
        proxy.inject(p.injection.clone());
    }
    let mut c = Client::with_timeout(&proxy.url, CLIENT_TIMEOUT);
    c.timing = timing();
    let req = CreateSnapshot { indices: vec![env.name("x"), env.name("y")], include_global_state: Some(false), ..CreateSnapshot::new(&env.repo, &snap) };
    let mut m = CreateSnapshotRun::new(req, dialect, timing()).expect("valid create");
    let out = drive(&mut m, |r| c.send(r), client::sleep, |_| {});
    let log = proxy.finish();

    // Let a snapshot the machine stopped watching finish (bounded; not an assertion on time).
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut snaps_after = snapshots(&direct, &env.repo);
    while snaps_after.get(&snap).is_some_and(|(s, _, _)| s == "IN_PROGRESS") && Instant::now() < deadline {
        client::sleep(200);
        snaps_after = snapshots(&direct, &env.repo);
    }
    let created = snaps_after.get(&snap);
    let want_indices = vec![env.name("x"), env.name("y")];
    let complete = |(state, idx, shards): &(String, Vec<String>, Value)| {
        state == "SUCCESS" && idx == &want_indices && shards["total"] == 3 && shards["successful"] == 3 && shards["failed"] == 0
    };
    match (out.status, created) {
        (CreateStatus::Success, Some(s)) if complete(s) => {
            if out.snapshot.as_ref().map(|s| s.snapshot.as_str()) != Some(snap.as_str()) {
                violations.push("success, but the outcome carries no final snapshot info".into());
            }
        }
        (CreateStatus::NotCreated, None) => {}
        (CreateStatus::StillRunning, None) => {}
        (CreateStatus::StillRunning, Some(s)) if complete(s) => {}
        (status, s) => violations.push(format!("outcome {status:?}, but the repository has {snap}: {s:?}")),
    }
    for name in snaps_before.keys() {
        if !snaps_after.contains_key(name) {
            violations.push(format!("snapshot {name} was lost"));
        }
    }
    let extra: Vec<&String> = snaps_after.keys().filter(|n| !snaps_before.contains_key(*n) && **n != snap).collect();
    if !extra.is_empty() {
        violations.push(format!("snapshots appeared that nobody asked for: {extra:?}"));
    }
    let after = observe(&direct, &pattern, env.real);
    if after != before {
        violations.push(format!("the indices changed: {before:?} -> {after:?}"));
    }
    violations.extend(side_effect_violations(&log, &|r| r.method == "PUT"));
    Report {
        target,
        workflow: Workflow::Create,
        seed,
        setting,
        fired: seen_faults(&log, &planned),
        planned,
        outcome: create_summary(&out),
        violations,
        log,
    }
}

fn sandbox_create(seed: u64) -> Report {
    let mut rng = Rng(seed ^ 0xa5a5);
    let dist = rng.pick(&SANDBOX_CLUSTERS);
    let v = dist.1;
    let sb = sandbox_seed(
        dist,
        json!([{"name": "rel-x", "shards": 2, "docs": 7}, {"name": "rel-y", "docs": 3}, {"name": "rel-z", "state": "closed", "docs": 2}]),
        json!([
            {"name": "rel-base-1", "version": v, "indices": [{"name": "rel-x", "shards": 2, "docs": 5}]},
            {"name": "rel-base-2", "version": v, "indices": [{"name": "rel-y", "docs": 1}]},
        ]),
    );
    let env = CreateEnv { upstream: sb.url.clone(), prefix: "rel".into(), repo: "rel".into(), real: false };
    create_run(Target::Sandbox, &env, seed, format!("{} {}", dist.0, dist.1))
}

// ---------------------------------------------------------------------------------------------------------------
// suites

fn run_seed(base: u64, target: Target, workflow: Workflow, i: usize) -> u64 {
    let mut r = Rng(base ^ ((target as u64) << 40) ^ ((workflow as u64) << 32) ^ i as u64);
    r.next()
}

fn caught(target: Target, workflow: Workflow, seed: u64, setting: &str, f: impl FnOnce() -> Report) -> Report {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(e) => {
            let why = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Report {
                target,
                workflow,
                seed,
                setting: setting.into(),
                planned: Vec::new(),
                fired: Vec::new(),
                outcome: "the run panicked".into(),
                violations: vec![format!("panicked: {why}")],
                log: Vec::new(),
            }
        }
    }
}

/// Runs `seeds` on `workers` threads; a real node's worker keeps its fixture between runs (a new one after a
/// panicked run).
fn suite(target: Target, workflow: Workflow, node: Option<&RealNode>, seeds: &[u64], workers: usize) -> Vec<Report> {
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..workers.min(seeds.len()) {
            let (next, reports) = (&next, &reports);
            s.spawn(move || {
                let mut generation = 0;
                let mut restore_env: Option<RestoreEnv> = None;
                let mut create_env: Option<CreateEnv> = None;
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&seed) = seeds.get(i) else { break };
                    let report = match (target, workflow, node) {
                        (Target::Sandbox, Workflow::Restore, _) => caught(target, workflow, seed, "sandbox", || sandbox_restore(seed)),
                        (Target::Sandbox, Workflow::Create, _) => caught(target, workflow, seed, "sandbox", || sandbox_create(seed)),
                        (Target::OpenSearch, Workflow::Restore, Some(node)) => {
                            let setting = format!("worker {w}.{generation}");
                            let r = caught(target, workflow, seed, &setting, || {
                                match &restore_env {
                                    Some(env) => reset_node_restore(&Client::new(&node.url), env),
                                    None => restore_env = Some(node_restore_fixture(node, &format!("rel-r{w}g{generation}"))),
                                }
                                restore_run(target, restore_env.as_ref().unwrap(), seed, setting.clone())
                            });
                            if r.outcome == "the run panicked" {
                                restore_env = None;
                                generation += 1;
                            }
                            r
                        }
                        (Target::OpenSearch, Workflow::Create, Some(node)) => {
                            let setting = format!("worker {w}.{generation}");
                            let r = caught(target, workflow, seed, &setting, || {
                                if create_env.is_none() {
                                    create_env = Some(node_create_fixture(node, &format!("rel-c{w}g{generation}")));
                                }
                                create_run(target, create_env.as_ref().unwrap(), seed, setting.clone())
                            });
                            if r.outcome == "the run panicked" {
                                create_env = None;
                                generation += 1;
                            }
                            r
                        }
                        (Target::OpenSearch, _, None) => unreachable!("no node"),
                    };
                    reports.lock().unwrap().push(report);
                }
            });
        }
    });
    reports.into_inner().unwrap()
}

fn table(reports: &[Report], base: u64, runs: usize, elapsed: Duration) -> String {
    let mut s = format!(
        "\nreliability: {runs} seeded runs per target and workflow, base seed {base:#x}, {:.1} s\n\n{:<11} {:<8} {:>5} {:>8} {:>7} {:>7}  {}\n",
        elapsed.as_secs_f64(),
        "target",
        "workflow",
        "runs",
        "planned",
        "faults",
        "passes",
        "outcomes"
    );
    let mut groups: BTreeMap<(Target, Workflow), Vec<&Report>> = BTreeMap::new();
    for r in reports {
        groups.entry((r.target, r.workflow)).or_default().push(r);
    }
    for ((t, w), rs) in &groups {
        let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
        for r in rs {
            *outcomes.entry(r.outcome.split(' ').next().unwrap_or("").to_string()).or_default() += 1;
        }
        s.push_str(&format!(
            "{:<11} {:<8} {:>5} {:>8} {:>7} {:>7}  {}\n",
            t.name(),
            w.name(),
            rs.len(),
            rs.iter().map(|r| r.planned.len()).sum::<usize>(),
            rs.iter().map(|r| r.fired.len()).sum::<usize>(),
            rs.iter().filter(|r| r.passed()).count(),
            outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        ));
    }
    s.push_str(&format!("\n{:<30} {}\n", "faults injected (fired)", groups.keys().map(|(t, w)| format!("{:>20}", format!("{}/{}", t.name(), w.name()))).collect::<String>()));
    for f in FAULTS {
        s.push_str(&format!("{:<30} {}\n", f.name(), groups.values().map(|rs| format!("{:>20}", rs.iter().map(|r| r.fired.iter().filter(|x| **x == f).count()).sum::<usize>())).collect::<String>()));
    }
    s
}

/// Straight to the process's stderr: shown even when the harness captures the test's output.
fn print_uncaptured(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[test]
fn seeded_faults_during_restore_and_snapshot_creation() {
    let runs = std::env::var("ESSNAP_RELIABILITY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_RUNS);
    let base = std::env::var("ESSNAP_RELIABILITY_SEED")
        .ok()
        .and_then(|v| u64::from_str_radix(v.trim_start_matches("0x"), 16).ok())
        .unwrap_or(DEFAULT_SEED);
    let only = std::env::var("ESSNAP_RELIABILITY_ONLY").ok();
    let replay = std::env::var("ESSNAP_RELIABILITY_REPLAY").ok().map(|r| {
        let p: Vec<&str> = r.split(':').collect();
        assert_eq!(p.len(), 3, "ESSNAP_RELIABILITY_REPLAY=target:workflow:0xSEED, got {r}");
        let t = if p[0] == "opensearch" { Target::OpenSearch } else { Target::Sandbox };
        let w = if p[1] == "create" { Workflow::Create } else { Workflow::Restore };
        (t, w, u64::from_str_radix(p[2].trim_start_matches("0x"), 16).expect("hex seed"))
    });
    let wanted = |t: Target, w: Workflow| match &replay {
        Some((rt, rw, _)) => *rt == t && *rw == w,
        None => only.as_deref().is_none_or(|o| o == t.name()),
    };
    let seeds = |t: Target, w: Workflow| -> Vec<u64> {
        match &replay {
            Some((_, _, s)) => vec![*s],
            None => (0..runs).map(|i| run_seed(base, t, w, i)).collect(),
        }
    };
    let node_wanted = wanted(Target::OpenSearch, Workflow::Restore) || wanted(Target::OpenSearch, Workflow::Create);
    let node_enabled = node_wanted && real_node::require("reliability against a real OpenSearch node");

    let started = Instant::now();
    let reports = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in [Workflow::Restore, Workflow::Create] {
            if wanted(Target::Sandbox, w) {
                let (reports, seeds) = (&reports, seeds(Target::Sandbox, w));
                s.spawn(move || {
                    let r = suite(Target::Sandbox, w, None, &seeds, SANDBOX_WORKERS);
                    reports.lock().unwrap().extend(r);
                });
            }
        }
        if node_enabled {
            // Started here, so the sandbox runs go on while the node boots.
            let node = real_node::shared(OPENSEARCH).expect("enabled");
            for w in [Workflow::Restore, Workflow::Create] {
                if wanted(Target::OpenSearch, w) {
                    let (reports, seeds) = (&reports, seeds(Target::OpenSearch, w));
                    s.spawn(move || {
                        let r = suite(Target::OpenSearch, w, Some(node), &seeds, NODE_WORKERS);
                        reports.lock().unwrap().extend(r);
                    });
                }
            }
        }
    });
    let mut reports = reports.into_inner().unwrap();
    reports.sort_by_key(|r| (r.target, r.workflow, r.seed));
    let failed: Vec<&Report> = reports.iter().filter(|r| !r.passed()).collect();
    for r in &failed {
        print_uncaptured(&format!("\nFAILED RUN {}", r.describe()));
    }
    if replay.is_some() || std::env::var("ESSNAP_RELIABILITY_VERBOSE").is_ok_and(|v| v == "1") {
        for r in &reports {
            print_uncaptured(&format!("\n{}", r.describe()));
        }
    }
    print_uncaptured(&table(&reports, base, if replay.is_some() { 1 } else { runs }, started.elapsed()));
    assert!(!reports.is_empty(), "nothing ran (ESSNAP_RELIABILITY_ONLY / _REPLAY select nothing?)");
    assert!(
        failed.is_empty(),
        "{} of {} runs broke an invariant; seeds: {}",
        failed.len(),
        reports.len(),
        failed.iter().map(|r| format!("{}:{}:{:#x}", r.target.name(), r.workflow.name(), r.seed)).collect::<Vec<_>>().join(", ")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// the proxy's faults do what the suite counts on

#[test]
fn proxy_faults_behave_as_described() {
    let sb = sandbox_seed(("elasticsearch", "8.12.2"), json!([{"name": "p-a", "docs": 1}, {"name": "p-b", "docs": 1}, {"name": "p-c", "docs": 1}]), json!([]));
    let direct = Client::new(&sb.url);
    let proxy = FaultProxy::start(&sb.url);
    let c = Client::with_timeout(&proxy.url, Duration::from_millis(800));
    let inject = |method: &str, glob: &str, action: Action, skip: usize| {
        proxy.inject(Injection { method: method.into(), path_glob: glob.into(), action, skip, times: 1 });
    };
    let post = |path: String| essnap::Request { api: "test", method: essnap::Method::Post, path, headers: Vec::new(), body: None };
    let close = |n: &str| post(format!("/{n}/_close"));
    let open = |n: &str| direct.states(&[n]).get(n).is_some_and(|s| s == "open");

    // held: a timeout, nothing reached the node, and the proxy lets go when the client does
    inject("POST", "/p-a/_close", Action::Hold, 0);
    let e = c.send(&close("p-a")).unwrap_err();
    assert_eq!(e.kind, essnap::machine::TransportErrorKind::Timeout, "{e}");
    assert!(open("p-a"), "a held request never reaches the node");
    // acted, then held: a timeout, but the node closed it
    inject("POST", "/p-a/_close", Action::ForwardThenHold, 0);
    assert_eq!(c.send(&close("p-a")).unwrap_err().kind, essnap::machine::TransportErrorKind::Timeout);
    assert!(!open("p-a"));
    // a gateway's page after acting; skip lets the first matching request through
    inject("POST", "/p-*/_close", Action::ForwardThenStatus(504), 1);
    assert_eq!(c.send(&close("p-b")).unwrap().status, 200);
    let r = c.send(&close("p-c")).unwrap();
    assert_eq!(r.status, 504);
    assert_eq!(essnap::ApiError::from_response(&r).code, essnap::ErrorCode::GatewayTimeout);
    assert!(!open("p-c"), "the node acted behind the 504");
    // a slow body arrives whole; past the timeout it is a timeout mid-body
    inject("GET", "/", Action::SlowBody { chunk: 64, delay_ms: 1 }, 0);
    let r = c.send(&essnap::api::cluster::info()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&r.body).unwrap()["version"]["number"], "8.12.2");
    inject("GET", "/", Action::SlowBody { chunk: 1, delay_ms: 100 }, 0);
    assert!(c.send(&essnap::api::cluster::info()).is_err());
    // dropped before: nothing reached the node
    inject("POST", "/p-b/_open", Action::DropBefore, 0);
    assert_eq!(c.send(&post("/p-b/_open".into())).unwrap_err().kind, essnap::machine::TransportErrorKind::Dropped);
    assert!(!open("p-b"));

    let log = proxy.finish();
    let held = log.iter().find(|r| r.fault == Some(Action::Hold)).unwrap();
    assert!(held.upstream.is_none() && held.status.is_none());
    let after = log.iter().find(|r| r.fault == Some(Action::ForwardThenHold)).unwrap();
    assert_eq!(after.status, Some(200));
    assert!(after.upstream.is_some_and(|(a, b)| a >= after.started && b <= after.finished));
    assert_eq!(log.iter().filter(|r| r.fault.is_some()).count(), 6, "{log:#?}");
    assert!(fault_proxy::glob("/_snapshot/*/_status", "/_snapshot/r/s/_status") && !fault_proxy::glob("/_snapshot/r/s", "/_snapshot/r/s/_status"));
}

/// A host without essnap's care: resends an unanswered restore at once and never reopens what it closed.
fn naive_executor(c: &Client, plan: RestorePlan) -> RestoreOutcome {
    for r in &plan.close_requests {
        let _ = c.send(r);
    }
    let ok = |r: &Result<essnap::Response, _>| r.as_ref().is_ok_and(|r: &essnap::Response| r.is_success());
    let mut sent = plan.close_requests.len() as u32 + 1;
    let mut accepted = ok(&c.send(&plan.restore_request));
    if !accepted {
        sent += 1;
        accepted = ok(&c.send(&plan.restore_request));
    }
    let fate = if accepted { IndexFate::Restored } else { IndexFate::Unchanged };
    RestoreOutcome {
        status: if accepted { RestoreStatus::Completed } else { RestoreStatus::Failed },
        error: None,
        rule: None,
        indices: plan.items.iter().map(|i| essnap::machine::restore::IndexOutcome { name: i.target.clone(), fate: fate.clone() }).collect(),
        requests_sent: sent,
        progress: None,
    }
}

#[test]
fn the_checks_catch_a_careless_host() {
    let env = |sb: &essnap_sandbox::Handle| RestoreEnv { upstream: sb.url.clone(), prefix: "rel".into(), repo: "rel".into(), snap: "rel-snap".into(), real: false };
    let fault = |fault: Fault, step: &'static str, glob: &str, method: &str| {
        let mut rng = Rng(1);
        let action = fault.action(&mut rng);
        // Twice: a refusal stays a refusal when sent again.
        vec![Planned { fault, step, skip: 0, injection: Injection { method: method.into(), path_glob: glob.into(), action, skip: 0, times: 2 } }]
    };
    // The restore got through but the answer was lost: the naive host sends it again.
    let sb = restore_sandbox(("opensearch", "2.19.1"));
    let r = restore_checked(Target::Sandbox, &env(&sb), 1, "naive".into(), fault(Fault::DropAfterActing, "restore", "*/_restore", "POST"), naive_executor);
    assert!(r.violations.iter().any(|v| v.contains("after the node had accepted it")), "{}", r.describe());
    // The restore was refused: the naive host leaves the indices it closed closed.
    let sb = restore_sandbox(("opensearch", "2.19.1"));
    let r = restore_checked(Target::Sandbox, &env(&sb), 2, "naive".into(), fault(Fault::Status500, "restore", "*/_restore", "POST"), naive_executor);
    assert!(r.violations.iter().any(|v| v.contains("rel-a: closed (expected open/17 docs)")), "{}", r.describe());
    // The same faults for essnap: no violation.
    for (f, n) in [(Fault::DropAfterActing, 3), (Fault::Status500, 4)] {
        let sb = restore_sandbox(("opensearch", "2.19.1"));
        let r = restore_checked(Target::Sandbox, &env(&sb), n, "essnap".into(), fault(f, "restore", "*/_restore", "POST"), essnap_executor);
        assert!(r.passed(), "{}", r.describe());
    }
}
