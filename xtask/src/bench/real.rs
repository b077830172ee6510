//! The real-node rows (groups `list` and `restore`): an Elasticsearch 7.17.29 and an OpenSearch 2.19.1 node
//! (`cargo xtask cluster`'s launcher), each behind the counting proxy, with essnap and the tools users use today:
//! curator 5.8.1 (Debian's `elasticsearch-curator`, Elasticsearch only), the official Python clients in short
//! scripts (benches/python/), plain curl and the manual procedure (benches/sh/restore_manual.sh).
//!
//! Node data and the repository live on tmpfs (`/dev/shm`) when there is one: this machine's disk makes every
//! cluster-state update wait for fsync (0.3–1 s each under load), which would measure the disk, not the tools.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::proxy::{Logged, Proxy};
use super::{Report, s};
use crate::cluster::{Cluster, Http};
use crate::component::target_dir;
use crate::util::{output, root};

/// A per-index close loop that has not reached the restore after this long stops; the bench closes the rest
/// and restores (untimed for the tool) and projects the tool's figure from its measured close rate.
const CLOSE_CAP_S: u64 = 30;
/// Snapshots in the listed repository.
const LIST_SNAPSHOTS: usize = 1000;
/// essnap's progress poll interval in the restore rows (`--poll-interval`).
const ESSNAP_POLL_MS: u64 = 200;

// ---------------------------------------------------------------------------------------------
// Peers: installed when missing

pub struct Peers {
    /// `curator` (action files) and `/usr/bin/python3` for curator_cli through the shim.
    pub curator: Result<String, String>,
    /// The venv's python with `elasticsearch` 7.17 and `opensearch-py`.
    pub python: Result<(PathBuf, String), String>,
}

impl Peers {
    pub fn install() -> Peers {
        let curator = curator();
        let python = venv();
        if let Err(e) = &curator {
            eprintln!("bench: curator unavailable: {e}");
        }
        if let Err(e) = &python {
            eprintln!("bench: Python clients unavailable: {e}");
        }
        Peers { curator, python }
    }

    fn figures(&self) -> Value {
        json!({
            "curator": match &self.curator { Ok(v) => json!(v), Err(e) => json!({ "error": e }) },
            "python_clients": match &self.python { Ok((p, v)) => json!({ "python": s(p), "versions": v }), Err(e) => json!({ "error": e }) },
        })
    }
}

fn curator_version() -> Option<String> {
    output("curator", &["--version"]).map(|v| v.trim().to_string())
}

/// Debian's `elasticsearch-curator` (apt-get install when missing).
fn curator() -> Result<String, String> {
    if let Some(v) = curator_version() {
        return Ok(v);
    }
    crate::util::apt_install(&["elasticsearch-curator"]).map_err(|e| format!("apt-get install elasticsearch-curator failed: {e}"))?;
    curator_version().ok_or_else(|| "installed elasticsearch-curator, but `curator --version` still fails".into())
}

/// A venv under `<target>/bench-cache/pyvenv` with `elasticsearch==7.17.*` and `opensearch-py` from PyPI.
fn venv() -> Result<(PathBuf, String), String> {
    let dir = target_dir().join("bench-cache/pyvenv");
    let py = dir.join("bin/python");
    let versions = |py: &Path| {
        Command::new(py)
            .args(["-c", "import elasticsearch, opensearchpy; print('elasticsearch', elasticsearch.__versionstr__, '/ opensearch-py', opensearchpy.__versionstr__)"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    if let Some(v) = versions(&py) {
        return Ok((py, v));
    }
    let _ = std::fs::create_dir_all(dir.parent().expect("has a parent"));
    let make = |python: &str| Command::new(python).args(["-m", "venv", "--clear"]).arg(&dir).status().is_ok_and(|s| s.success());
    if !make("python3") && !make("/usr/bin/python3") {
        crate::util::apt_install(&["python3-venv"]).map_err(|e| format!("python3 -m venv failed and apt-get install python3-venv failed: {e}"))?;
        if !make("/usr/bin/python3") {
            return Err("python3 -m venv failed (even with python3-venv installed)".into());
        }
    }
    eprintln!("+ {} -m pip install elasticsearch==7.17.* opensearch-py", py.display());
    let st = Command::new(&py)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "elasticsearch==7.17.*", "opensearch-py"])
        .status()
        .map_err(|e| format!("pip: {e}"))?;
    if !st.success() {
        return Err(format!("pip install elasticsearch==7.17.* opensearch-py failed ({st}); PyPI unreachable?"));
    }
    versions(&py).map(|v| (py, v)).ok_or_else(|| "pip installed the clients, but they do not import".into())
}

// ---------------------------------------------------------------------------------------------
// Nodes

struct Node {
    dist: &'static str,
    label: String,
    /// Direct to the node (setup and checks, never timed through the proxy).
    http: Http,
    proxy: Proxy,
    repo: PathBuf,
    _cluster: Cluster,
    _scratch: Scratch,
}

impl Node {
    fn start(dist: &'static str, version: &'static str, tmp: &Path) -> Result<Node, String> {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.join(format!("essnap-bench-{}-{dist}", std::process::id())) } else { tmp.join(format!("node-{dist}")) };
        let _ = std::fs::remove_dir_all(&base);
        let repo = base.join("repo");
        std::fs::create_dir_all(&repo).map_err(|e| format!("{}: {e}", repo.display()))?;
        let settings = vec![
            format!("path.data={}", base.join("data").display()),
            // 1,000 bench indices plus the system ones exceed the default 1,000 shards per node
            "cluster.max_shards_per_node=5000".to_string(),
            // the same for every tool: restores of many one-shard indices are not throttled to 4 at a time
            "cluster.routing.allocation.node_initial_primaries_recoveries=32".to_string(),
            // the serial GC leaves garbage until the heap is full: a real-memory parent breaker then refuses
            // requests (seen: a close refused with 429 at "969.1mb" of a 1 GB heap holding 1,000 indices)
            "indices.breaker.total.use_real_memory=false".to_string(),
        ];
        eprintln!("bench: starting {dist} {version} (data and repository in {})", base.display());
        let scratch = Scratch(base);
        let cluster = crate::cluster::start_node(dist, version, "2g", repo.clone(), settings)?;
        let proxy = Proxy::start(&cluster.url)?;
        let label = format!("{} {version}", if dist == "elasticsearch" { "Elasticsearch" } else { "OpenSearch" });
        Ok(Node { dist, label, http: Http::new(&cluster.url, Duration::from_secs(600)), proxy, repo, _cluster: cluster, _scratch: scratch })
    }

    fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Result<Value, String> {
        self.http.ok(method, path, body).map(|r| r.json())
    }

    fn port(&self) -> String {
        self.proxy.url.rsplit(':').next().unwrap_or("").to_string()
    }
}

/// Removes the node's data and repository folder; a field after the cluster, so it drops after the node stopped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the real-node groups on both nodes. Failures become "Not measured" lines, never a failed bench.
pub fn rows(rep: &mut Report, cli: &Path, tmp: &Path, quick: bool, want_list: bool, want_restore: bool) {
    let peers = Peers::install();
    rep.figures.insert("restore_peers".into(), peers.figures());
    if let Err(e) = &peers.curator {
        rep.missing("restore", format!("curator (Debian `elasticsearch-curator`) could not be installed: {e}; its rows are missing"));
    }
    if let Err(e) = &peers.python {
        rep.missing("restore", format!("the Python clients (venv + pip: elasticsearch==7.17.*, opensearch-py) could not be installed: {e}; their rows are missing"));
    }
    let cache = tmp.join("cache-real");
    let mut list_figs = Vec::new();
    let mut restore_figs = Vec::new();
    for (dist, version) in [("elasticsearch", "7.17.29"), ("opensearch", "2.19.1")] {
        let started = Instant::now();
        let node = match Node::start(dist, version, tmp) {
            Ok(n) => n,
            Err(e) => {
                let group = if want_restore { "restore" } else { "list" };
                rep.missing(group, format!("{dist} {version} did not start, so its list/restore rows are missing: {}", e.lines().next().unwrap_or("")));
                continue;
            }
        };
        // warm essnap's component cache once
        let _ = Command::new(cli).args(["--url", &node.proxy.url, "info"]).env("ESSNAP_CACHE_DIR", &cache).stdout(Stdio::null()).status();
        if want_list {
            match list_rows(rep, &node, cli, &cache, &peers, tmp, quick) {
                Ok(v) => list_figs.push(v),
                Err(e) => rep.missing("list", format!("listing {LIST_SNAPSHOTS} real snapshots on {}: {e}", node.label)),
            }
        }
        if want_restore {
            match restore_rows(rep, &node, cli, &cache, &peers, tmp, quick) {
                Ok(v) => restore_figs.push(v),
                Err(e) => rep.missing("restore", format!("whole-cluster restore on {}: {e}", node.label)),
            }
        }
        drop(node);
        eprintln!("bench: {dist} {version} rows took {:.0} s", started.elapsed().as_secs_f64());
    }
    if want_list {
        rep.figures.insert("list_real".into(), Value::Array(list_figs));
    }
    if want_restore {
        rep.figures.insert("restore".into(), Value::Array(restore_figs));
    }
}

// ---------------------------------------------------------------------------------------------
// Running the tools

struct Ran {
    wall_ms: f64,
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    rss_kb: u64,
}

/// Runs `program args` (under `/usr/bin/time -v` with `rss`), timing it from spawn to exit.
fn timed(program: &str, args: &[String], env: &[(&str, String)], rss: bool) -> Result<Ran, String> {
    let use_time = rss && Path::new("/usr/bin/time").exists();
    let mut c = if use_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(program);
        c
    } else {
        Command::new(program)
    };
    c.args(args).env("NO_PROXY", "127.0.0.1,localhost").env("no_proxy", "127.0.0.1,localhost").stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let t = Instant::now();
    let out = c.output().map_err(|e| format!("{program}: {e}"))?;
    let wall_ms = t.elapsed().as_secs_f64() * 1000.0;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss_kb = stderr.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): ")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    Ok(Ran { wall_ms, ok: out.status.success(), code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr, rss_kb })
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" / ").chars().take(400).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn secs(ms: f64) -> String {
    if ms >= 10_000.0 { format!("{:.1} s", ms / 1000.0) } else { format!("{:.2} s", ms / 1000.0) }
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

fn reqs(log: &[Logged]) -> Vec<String> {
    log.iter().map(|l| format!("{} {}", l.method, l.path)).collect()
}

/// Request lines with the time they were sent, in ms after `start` (`+  412 ms POST /...`).
fn timeline(log: &[Logged], start: Instant) -> Vec<String> {
    log.iter().map(|l| format!("+{:>6.0} ms {} {}", l.at.saturating_duration_since(start).as_secs_f64() * 1000.0, l.method, l.path)).collect()
}

/// A request line for results.json: long index or snapshot lists cut to their start and length.
fn short(line: &str) -> String {
    if line.chars().count() <= 160 {
        return line.to_string();
    }
    let head: String = line.chars().take(110).collect();
    let tail: String = line.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{head}…{tail} ({} chars)", line.chars().count())
}

/// Lines of a tool's output that name one of the listed snapshots.
fn snapshot_lines(out: &str) -> usize {
    out.lines().filter(|l| l.trim_start().starts_with("snap-")).count()
}

// ---------------------------------------------------------------------------------------------
// Listing a repository of 1,000 real snapshots

fn list_rows(rep: &mut Report, node: &Node, cli: &Path, cache: &Path, peers: &Peers, tmp: &Path, quick: bool) -> Result<Value, String> {
    let t = Instant::now();
    node.ok("PUT", "/tiny", Some(r#"{"settings":{"number_of_shards":1,"number_of_replicas":0}}"#))?;
    node.ok("PUT", "/tiny/_doc/1?refresh=true", Some(r#"{"n":1}"#))?;
    let location = node.repo.join("many");
    node.ok("PUT", "/_snapshot/many", Some(&json!({ "type": "fs", "settings": { "location": s(&location) } }).to_string()))?;
    create_snapshots(&node.http.base, LIST_SNAPSHOTS)?;
    let setup_s = t.elapsed().as_secs_f64();
    eprintln!("bench: {}: {LIST_SNAPSHOTS} snapshots in {setup_s:.1} s", node.label);

    let runs = if quick { 2 } else { 3 };
    let env = [("ESSNAP_CACHE_DIR", s(cache))];
    let url = node.proxy.url.clone();
    // essnap, following `next` when there is more than one page
    let essnap_once = || -> Result<(f64, u64, usize, Vec<String>), String> {
        node.proxy.clear();
        let (mut after, mut wall, mut rss, mut count) = (None::<String>, 0.0, 0u64, 0usize);
        loop {
            let mut args = vec!["--url".to_string(), url.clone(), "--json".into(), "snapshots".into(), "many".into(), "--limit".into(), "10000".into()];
            if let Some(a) = &after {
                args.extend(["--after".to_string(), a.clone()]);
            }
            let r = timed(&s(cli), &args, &env, true)?;
            if !r.ok {
                return Err(format!("essnap snapshots failed: {}", tail(&r.stderr, 3)));
            }
            wall += r.wall_ms;
            rss = rss.max(r.rss_kb);
            let v: Value = serde_json::from_str(&r.stdout).map_err(|e| format!("essnap --json: {e}"))?;
            count += v["snapshots"].as_array().map_or(0, Vec::len);
            match v["next"].as_str() {
                Some(n) if v["remaining"].as_u64().unwrap_or(0) > 0 => after = Some(n.to_string()),
                _ => break,
            }
        }
        Ok((wall, rss, count, reqs(&node.proxy.take())))
    };
    let mut essnap = Vec::new();
    let mut peers_runs: Vec<PeerRuns> = Vec::new();
    let python = peers.python.as_ref().ok();
    let script = root().join(format!("benches/python/list_{}.py", node.dist));
    let curator_ok = node.dist == "elasticsearch" && peers.curator.is_ok();
    let shim = root().join("benches/python/curator_cli_shim.py");
    let mut essnap_requests = Vec::new();
    for _ in 0..runs {
        let (w, r, c, rq) = essnap_once()?;
        if c != LIST_SNAPSHOTS {
            return Err(format!("essnap listed {c} snapshots, not {LIST_SNAPSHOTS}"));
        }
        essnap.push((w, r, c));
        essnap_requests = rq;
        // curl: the same requests essnap sent (its connect-time `GET /` left out), one process each
        let pages: Vec<String> = essnap_requests.iter().filter_map(|l| l.strip_prefix("GET ")).filter(|p| p.starts_with("/_snapshot/")).map(str::to_string).collect();
        let (mut w, mut r, mut bytes) = (0.0, 0u64, 0usize);
        for p in &pages {
            let ran = timed("curl", &["-sS".into(), "-f".into(), format!("{url}{p}")], &[], true)?;
            if !ran.ok {
                return Err(format!("curl {p}: {}", tail(&ran.stderr, 2)));
            }
            w += ran.wall_ms;
            r = r.max(ran.rss_kb);
            bytes += ran.stdout.len();
        }
        push_run(&mut peers_runs, "curl", format!("curl of the same {} request(s)", pages.len()), (w, r, bytes));
        if let Some((py, versions)) = python {
            let ran = timed(&s(py), &[s(&script), url.clone(), "many".into()], &[], true)?;
            if !ran.ok {
                return Err(format!("{}: {}", script.display(), tail(&ran.stderr, 3)));
            }
            let client = versions.split(" / ").find(|v| v.starts_with(if node.dist == "elasticsearch" { "elasticsearch" } else { "opensearch-py" })).unwrap_or("");
            push_run(&mut peers_runs, "python", format!("Python script, {client} (`snapshot.get(_all)`)"), (ran.wall_ms, ran.rss_kb, snapshot_lines(&ran.stdout)));
        }
        if curator_ok {
            let args = vec![s(&shim), "--host".into(), "127.0.0.1".into(), "--port".into(), node.port(), "show_snapshots".into(), "--repository".into(), "many".into()];
            let ran = timed("/usr/bin/python3", &args, &[], true)?;
            if !ran.ok {
                return Err(format!("curator_cli show_snapshots: {}", tail(&ran.stderr, 3)));
            }
            push_run(&mut peers_runs, "curator", "curator_cli show_snapshots (5.8.1, via a click-8.1 shim)".into(), (ran.wall_ms, ran.rss_kb, snapshot_lines(&ran.stdout)));
        }
    }
    node.proxy.clear();
    let e_wall = median(essnap.iter().map(|x| x.0).collect());
    let e_rss = essnap.iter().map(|x| x.1).max().unwrap_or(0);
    let what = format!("{LIST_SNAPSHOTS} real snapshots on {}, one repository, all of it (`essnap --json snapshots`)", node.label);
    let mut figs = Vec::new();
    for (key, label, v) in &peers_runs {
        if *key != "curl" && v.iter().any(|x| x.2 != LIST_SNAPSHOTS) {
            rep.missing("list", format!("{label} on {} printed {} snapshot lines, not {LIST_SNAPSHOTS}", node.label, v[0].2));
        }
        let p_wall = median(v.iter().map(|x| x.0).collect());
        let p_rss = v.iter().map(|x| x.1).max().unwrap_or(0);
        rep.row("list", &format!("{what}: wall, median of {runs}"), super::ms(e_wall), label, super::ms(p_wall), Some(e_wall / p_wall), "—", None);
        if e_rss > 0 && p_rss > 0 {
            rep.row("list", &format!("{what}: peak RSS"), mib(e_rss), label, mib(p_rss), Some(e_rss as f64 / p_rss as f64), "—", None);
        }
        figs.push(json!({ "peer": key, "label": label, "wall_ms": v.iter().map(|x| x.0).collect::<Vec<_>>(), "max_rss_kb": p_rss, "output": v[0].2 }));
    }
    if e_rss == 0 {
        rep.missing("list", "peak RSS on the real nodes: /usr/bin/time not found (Debian package `time`)".to_string());
    }
    let _ = tmp;
    Ok(json!({ "node": node.label, "snapshots": LIST_SNAPSHOTS, "setup_s": setup_s, "runs": runs,
               "essnap": { "wall_ms": essnap.iter().map(|x| x.0).collect::<Vec<_>>(), "max_rss_kb": e_rss, "requests": essnap_requests.iter().map(|r| short(r)).collect::<Vec<_>>() },
               "peers": figs }))
}

/// A peer's key, label and runs (wall ms, peak RSS KiB, snapshots it printed).
type PeerRuns = (&'static str, String, Vec<(f64, u64, usize)>);

fn push_run(v: &mut Vec<PeerRuns>, key: &'static str, label: String, run: (f64, u64, usize)) {
    match v.iter_mut().find(|x| x.0 == key) {
        Some(x) => x.2.push(run),
        None => v.push((key, label, vec![run])),
    }
}

/// `n` snapshots `snap-0000`.. of the one-document index `tiny`, 16 at a time (both versions run concurrent
/// snapshot operations), each waiting for completion; a refusal (another operation running) is retried.
fn create_snapshots(base: &str, n: usize) -> Result<(), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (next, base) = (next.clone(), base.to_string());
            std::thread::spawn(move || -> Result<(), String> {
                let http = Http::new(&base, Duration::from_secs(300));
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        return Ok(());
                    }
                    let path = format!("/_snapshot/many/snap-{i:04}?wait_for_completion=true");
                    let mut attempt = 0;
                    loop {
                        let r = http.call("PUT", &path, Some(r#"{"indices":"tiny","include_global_state":false}"#))?;
                        if r.status < 300 {
                            break;
                        }
                        attempt += 1;
                        if attempt > 20 {
                            return Err(format!("PUT {path} -> {}: {}", r.status, String::from_utf8_lossy(&r.body).chars().take(300).collect::<String>()));
                        }
                        std::thread::sleep(Duration::from_millis(100 * attempt));
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| "a snapshot thread panicked".to_string())??;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Whole-cluster restore of N open indices

/// Grows the cluster's one-shard indices `bench-0000`.. to `target` (a multiple of 10): the first ten are
/// created, every later block of ten (or a hundred) is restored under new names from a snapshot of the first
/// ten (hundred) — one cluster-state update per block instead of one per index.
fn grow(node: &Node, have: &mut usize, target: usize) -> Result<(), String> {
    let restore = |seed: &str, pattern: &str, replacement: String| -> Result<(), String> {
        let body = json!({ "rename_pattern": pattern, "rename_replacement": replacement, "include_global_state": false, "include_aliases": false });
        let v = node.ok("POST", &format!("/_snapshot/bench/{seed}/_restore?wait_for_completion=true"), Some(&body.to_string()))?;
        let failed = v["snapshot"]["shards"]["failed"].as_u64().unwrap_or(0);
        if failed > 0 { Err(format!("restoring {seed} as {replacement}: {failed} shard(s) failed")) } else { Ok(()) }
    };
    let snapshot = |name: &str, indices: &str| -> Result<(), String> {
        let body = json!({ "indices": indices, "include_global_state": false });
        let v = node.ok("PUT", &format!("/_snapshot/bench/{name}?wait_for_completion=true"), Some(&body.to_string()))?;
        match v["snapshot"]["state"].as_str() {
            Some("SUCCESS") => Ok(()),
            other => Err(format!("snapshot {name} ended {other:?}")),
        }
    };
    if *have == 0 {
        let location = node.repo.join("bench");
        node.ok("PUT", "/_snapshot/bench", Some(&json!({ "type": "fs", "settings": { "location": s(&location) } }).to_string()))?;
        let mut bulk = String::new();
        for i in 0..10 {
            node.ok("PUT", &format!("/bench-{i:04}"), Some(r#"{"settings":{"number_of_shards":1,"number_of_replicas":0}}"#))?;
            bulk += &format!("{{\"index\":{{\"_index\":\"bench-{i:04}\"}}}}\n{{\"n\":{i},\"text\":\"a small document\"}}\n");
        }
        node.ok("POST", "/_bulk?refresh=true", Some(&bulk))?;
        snapshot("seed-10", "bench-*")?;
        *have = 10;
    }
    while *have < target {
        if *have == 100 && node.http.call("GET", "/_snapshot/bench/seed-100", None)?.status != 200 {
            snapshot("seed-100", "bench-*")?;
        }
        if *have >= 100 && (*have).is_multiple_of(100) && target - *have >= 100 {
            restore("seed-100", r"bench-00(\d\d)", format!("bench-{:02}$1", *have / 100))?;
            *have += 100;
        } else {
            restore("seed-10", r"bench-000(\d)", format!("bench-{:03}$1", *have / 10))?;
            *have += 10;
        }
    }
    Ok(())
}

/// Whether every bench index is green right now (no waiting).
fn is_green(node: &Node) -> Result<bool, String> {
    let h = node.http.call("GET", "/_cluster/health/bench-*?expand_wildcards=all", None)?;
    Ok(h.json()["status"] == "green")
}

/// Waits (untimed) until the N bench indices are open and green; with `repair`, first reopens any left closed.
fn settle(node: &Node, n: usize, repair: bool) -> Result<(), String> {
    if repair {
        let _ = node.http.call("POST", "/bench-*/_open?expand_wildcards=all&wait_for_active_shards=0", None);
    }
    let h = node.http.call("GET", "/_cluster/health/bench-*?wait_for_status=green&timeout=300s&expand_wildcards=all", None)?;
    let rows = node.ok("GET", "/_cat/indices/bench-*?format=json&h=index,status,health&expand_wildcards=all", None)?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    let good = rows.iter().filter(|r| r["status"] == "open" && r["health"] == "green").count();
    if rows.len() == n && good == n {
        Ok(())
    } else {
        Err(format!("{good} of {} bench indices open and green (want {n}); health {}", rows.len(), h.json()["status"]))
    }
}

struct Variant {
    key: &'static str,
    label: String,
}

struct Outcome {
    wall_ms: f64,
    before_restore: usize,
    total: usize,
    requests: Vec<String>,
    /// (closed, to close, ms per close, the bench's restore ms) when the tool hit the close cap.
    capped: Option<(usize, usize, f64, f64)>,
    /// When the tool exited before every bench index was green: how long after its exit they were.
    after_exit_ms: Option<f64>,
    error: Option<String>,
}

impl Outcome {
    /// The figure compared: measured, or projected for a capped close loop.
    fn figure_ms(&self) -> f64 {
        match self.capped {
            Some((closed, of, per, restore_ms)) => self.wall_ms + per * (of - closed) as f64 + restore_ms,
            None => self.wall_ms + self.after_exit_ms.unwrap_or(0.0),
        }
    }
    fn figure_requests(&self) -> usize {
        match self.capped {
            Some((closed, of, _, _)) => self.before_restore + (of - closed),
            None => self.before_restore,
        }
    }
}

fn restore_rows(rep: &mut Report, node: &Node, cli: &Path, cache: &Path, peers: &Peers, tmp: &Path, quick: bool) -> Result<Value, String> {
    let sizes: &[usize] = if quick { &[10, 200] } else { &[10, 200, 1000] };
    let mut variants = vec![Variant { key: "essnap", label: format!("essnap (`restore --close-conflicting --yes`, `--poll-interval {ESSNAP_POLL_MS}`)") }];
    if node.dist == "elasticsearch"
        && let Ok(v) = &peers.curator
    {
        let v = v.rsplit(' ').next().unwrap_or(v);
        variants.push(Variant { key: "curator", label: format!("curator {v} (close + restore actions; waits by polling `_recovery`, wait_interval 1 s)") });
    }
    variants.push(Variant { key: "manual", label: "manual: curl `POST <index>/_close` per index, then the restore POST with wait_for_completion=true".into() });
    if let Ok((_, versions)) = &peers.python {
        let client = versions.split(" / ").find(|v| v.starts_with(if node.dist == "elasticsearch" { "elasticsearch" } else { "opensearch-py" })).unwrap_or("");
        variants.push(Variant { key: "python", label: format!("Python script, {client}: close each open index, then restore with wait_for_completion=True") });
    }
    let mut have = 0;
    let mut figs = Vec::new();
    for &n in sizes {
        let t = Instant::now();
        grow(node, &mut have, n)?;
        settle(node, n, false)?;
        let snap = format!("snap-{n}");
        let v = node.ok("PUT", &format!("/_snapshot/bench/{snap}?wait_for_completion=true"), Some(r#"{"indices":"bench-*","include_global_state":false}"#))?;
        if v["snapshot"]["indices"].as_array().map_or(0, Vec::len) != n {
            return Err(format!("{snap} holds {} indices, not {n}", v["snapshot"]["indices"].as_array().map_or(0, Vec::len)));
        }
        let setup_s = t.elapsed().as_secs_f64();
        eprintln!("bench: {}: {n} indices and {snap} ready in {setup_s:.1} s", node.label);
        let list = tmp.join(format!("indices-{n}.txt"));
        std::fs::write(&list, (0..n).map(|i| format!("bench-{i:04}\n")).collect::<String>()).map_err(|e| e.to_string())?;
        let curator_files = write_curator_files(tmp, node, &snap)?;
        // three runs of the batch tools; the per-index loops take 10–30 s above N = 10, so one run there
        let runs_of = |key: &str| if n <= 10 || key == "essnap" || key == "curator" { 3 } else { 1 };
        let mut results: Vec<Vec<Outcome>> = variants.iter().map(|_| Vec::new()).collect();
        for run in 0..3 {
            for (vi, var) in variants.iter().enumerate() {
                if run >= runs_of(var.key) {
                    continue;
                }
                let o = run_variant(var.key, node, cli, cache, peers, &snap, &list, &curator_files, n)?;
                eprintln!("bench: {} N={n} {}: {:.0} ms, {} request(s) before the restore POST{}{}", node.label, var.key, o.figure_ms(), o.figure_requests(),
                    if o.capped.is_some() { " (projected)" } else { "" }, o.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default());
                if let Some(x) = o.after_exit_ms {
                    eprintln!("bench:   it exited {x:.0} ms before every index was green");
                }
                results[vi].push(o);
            }
        }
        figs.push(report_n(rep, node, n, &variants, &results, setup_s));
    }
    Ok(json!({ "node": node.label, "sizes": figs }))
}

fn write_curator_files(tmp: &Path, node: &Node, snap: &str) -> Result<(PathBuf, PathBuf), String> {
    let config = tmp.join("curator.yml");
    let actions = tmp.join(format!("curator-{snap}.yml"));
    let cfg = format!("client:\n  hosts: [127.0.0.1]\n  port: {}\n  timeout: 600\nlogging:\n  loglevel: INFO\n", node.port());
    let act = format!(
        "actions:\n  1:\n    action: close\n    description: close the open indices the restore overwrites\n    options:\n      ignore_empty_list: True\n    filters:\n    - filtertype: pattern\n      kind: prefix\n      value: bench-\n  2:\n    action: restore\n    description: restore the whole snapshot and wait for it\n    options:\n      repository: bench\n      name: {snap}\n      include_global_state: False\n      wait_for_completion: True\n      wait_interval: 1\n      max_wait: -1\n    filters:\n    - filtertype: none\n"
    );
    std::fs::write(&config, cfg).map_err(|e| e.to_string())?;
    std::fs::write(&actions, act).map_err(|e| e.to_string())?;
    Ok((config, actions))
}

#[allow(clippy::too_many_arguments)]
fn run_variant(key: &str, node: &Node, cli: &Path, cache: &Path, peers: &Peers, snap: &str, list: &Path, curator: &(PathBuf, PathBuf), n: usize) -> Result<Outcome, String> {
    let url = node.proxy.url.clone();
    let cap = [("BENCH_CLOSE_CAP_S", CLOSE_CAP_S.to_string())];
    node.proxy.clear();
    let start = Instant::now();
    let ran = match key {
        "essnap" => {
            let args = vec!["--url".into(), url, "--poll-interval".into(), ESSNAP_POLL_MS.to_string(), "restore".into(), "bench".into(), snap.to_string(), "--close-conflicting".into(), "--yes".into()];
            timed(&s(cli), &args, &[("ESSNAP_CACHE_DIR", s(cache))], false)?
        }
        "curator" => timed("curator", &["--config".into(), s(&curator.0), s(&curator.1)], &[], false)?,
        "manual" => timed("bash", &[s(&root().join("benches/sh/restore_manual.sh")), url, "bench".into(), snap.to_string(), s(list)], &cap, false)?,
        "python" => {
            let (py, _) = peers.python.as_ref().map_err(Clone::clone)?;
            let script = root().join(format!("benches/python/restore_{}.py", node.dist));
            timed(&s(py), &[s(&script), url, "bench".into(), snap.to_string()], &cap, false)?
        }
        other => return Err(format!("unknown variant {other}")),
    };
    // Finished means restored: a tool that exits while shards still recover (curator's `_recovery` check
    // passes while shards wait for a recovery slot) is charged the time until every bench index is green.
    let exited = Instant::now();
    let after_exit_ms = if ran.ok && is_green(node)? {
        None
    } else if ran.ok {
        node.http.call("GET", "/_cluster/health/bench-*?wait_for_status=green&timeout=300s&expand_wildcards=all", None)?;
        Some(exited.elapsed().as_secs_f64() * 1000.0)
    } else {
        None
    };
    let log = node.proxy.take();
    let restore_path = format!("/_snapshot/bench/{snap}/_restore");
    let pos = log.iter().position(|l| l.method == "POST" && l.path.starts_with(&restore_path));
    let mut o = Outcome { wall_ms: ran.wall_ms, before_restore: pos.unwrap_or(log.len()), total: log.len(), requests: timeline(&log, start), capped: None, after_exit_ms, error: None };
    let capped = ran.code == Some(3) && ran.stdout.starts_with("CAPPED");
    if capped {
        let mut it = ran.stdout.split_whitespace().skip(1).map(|x| x.parse::<usize>().unwrap_or(0));
        let (closed, of) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
        let closes: Vec<&Logged> = log.iter().filter(|l| l.method == "POST" && l.path.ends_with("/_close")).collect();
        let per = match (closes.first(), closes.last()) {
            (Some(a), Some(b)) if closes.len() > 1 => b.at.duration_since(a.at).as_secs_f64() * 1000.0 / (closes.len() - 1) as f64,
            _ => f64::NAN,
        };
        // close what the tool did not reach and restore, as the tool would have (timed separately)
        node.http.ok("POST", "/bench-*/_close", None)?;
        let t = Instant::now();
        node.http.ok("POST", &format!("{restore_path}?wait_for_completion=true"), Some(r#"{"include_global_state":false}"#))?;
        o.capped = Some((closed, of, per, t.elapsed().as_secs_f64() * 1000.0));
    } else if !ran.ok {
        o.error = Some(format!("exit {:?}: {}", ran.code, tail(&(ran.stderr.clone() + &ran.stdout), 3)));
    } else if pos.is_none() {
        o.error = Some("no restore POST went through the proxy".into());
    }
    if let Err(e) = settle(node, n, o.error.is_some()) {
        o.error.get_or_insert(format!("afterwards: {e}"));
        settle(node, n, true).map_err(|e| format!("the cluster did not recover after {key}: {e}"))?;
    }
    Ok(o)
}

fn report_n(rep: &mut Report, node: &Node, n: usize, variants: &[Variant], results: &[Vec<Outcome>], setup_s: f64) -> Value {
    let budget = n.div_ceil(200) + 3;
    let essnap = &results[0];
    let e_ms = median(essnap.iter().filter(|o| o.error.is_none()).map(Outcome::figure_ms).collect());
    let e_req = essnap.first().map_or(0, |o| o.before_restore);
    let e_total = essnap.first().map_or(0, |o| o.total);
    let runs = |k: usize| if k == 1 { "1 run".to_string() } else { format!("median of {k}") };
    let head = format!("restore a snapshot of N={n} open indices on {}", node.label);
    let e_fail = essnap.iter().find_map(|o| o.error.clone());
    // "+ 1.2 s until green after exit in 2 of 3 runs" when a tool exited before the restore was over
    let late = |outs: &[&Outcome]| {
        let xs: Vec<f64> = outs.iter().filter_map(|o| o.after_exit_ms).collect();
        if xs.is_empty() { String::new() } else { format!("; exited before every index was green in {} of {} run(s), charged up to +{} until green", xs.len(), outs.len(), secs(xs.iter().copied().fold(0.0, f64::max))) }
    };
    let e_ok: Vec<&Outcome> = essnap.iter().filter(|o| o.error.is_none()).collect();
    rep.row(
        "restore",
        &format!("{head}: requests before the restore POST (essnap sent {e_total} in all, polls included)"),
        e_req.to_string(),
        "budget ⌈N/200⌉ + 3",
        budget.to_string(),
        Some(e_req as f64 / budget as f64),
        "≤ 1.0",
        Some(e_req <= budget && e_fail.is_none()),
    );
    let mut peer_figs = Vec::new();
    let mut best: Option<f64> = None;
    for (var, outs) in variants.iter().zip(results).skip(1) {
        let ok: Vec<&Outcome> = outs.iter().filter(|o| o.error.is_none()).collect();
        let figs_json: Vec<Value> = outs
            .iter()
            .map(|o| json!({ "wall_ms": o.wall_ms, "figure_ms": o.figure_ms(), "after_exit_until_green_ms": o.after_exit_ms,
                              "requests_before_restore": o.figure_requests(), "requests_sent": o.total,
                              "capped": o.capped.map(|(c, of, per, r)| json!({ "closed": c, "of": of, "ms_per_close": per, "bench_restore_ms": r })),
                              "error": o.error, "requests": o.requests.iter().take(40).map(|r| short(r)).collect::<Vec<_>>() }))
            .collect();
        peer_figs.push(json!({ "peer": var.key, "label": var.label, "runs": figs_json }));
        if ok.is_empty() {
            let why = outs.iter().find_map(|o| o.error.clone()).unwrap_or_default();
            rep.missing("restore", format!("{head}: {} failed: {why}", var.label));
            continue;
        }
        let p_ms = median(ok.iter().map(|o| o.figure_ms()).collect());
        best = Some(best.map_or(p_ms, |b: f64| b.min(p_ms)));
        let p_req = ok[0].figure_requests();
        let projected = ok.iter().find_map(|o| o.capped);
        let peer_value = match projected {
            Some((closed, of, per, _)) => format!("≈ {} (projected: stopped after {closed} of {of} closes at {CLOSE_CAP_S} s, {per:.0} ms per close), {p_req} req", secs(p_ms)),
            None => format!("{}, {p_req} req ({}{})", secs(p_ms), runs(ok.len()), late(&ok)),
        };
        rep.row(
            "restore",
            &format!("{head}: wall time until every index is restored and green"),
            format!("{}, {e_req} req ({}{})", secs(e_ms), runs(e_ok.len()), late(&e_ok)),
            &var.label,
            peer_value,
            Some(e_ms / p_ms),
            "≤ 1.0 (≤ the best peer)",
            Some(e_ms <= p_ms && e_fail.is_none()),
        );
    }
    if let Some(e) = &e_fail {
        rep.missing("restore", format!("{head}: essnap failed: {e}"));
    }
    json!({
        "indices": n, "setup_s": setup_s, "budget_requests_before_restore": budget, "best_peer_ms": best,
        "essnap": { "label": variants[0].label, "runs": essnap.iter().map(|o| json!({ "wall_ms": o.wall_ms, "after_exit_until_green_ms": o.after_exit_ms, "requests_before_restore": o.before_restore,
                     "requests_sent": o.total, "error": o.error, "requests": o.requests.iter().take(40).map(|r| short(r)).collect::<Vec<_>>() })).collect::<Vec<_>>() },
        "peers": peer_figs,
    })
}
