//! Real OpenSearch / Elasticsearch nodes for tests (issue 10): the ground truth the core, the sandbox and the
//! official YAML tests are checked against.
//!
//! Include it with `#[path = ".../tests/common/real_node.rs"] mod real_node;` (std only, shared by the root crate's
//! and the sandbox's tests). Tests using it are gated: they run only when `ESSNAP_REAL_NODES=1` (`cargo xtask test`
//! sets it) and return early otherwise.
//!
//! How a node is started: the built xtask binary (`ESSNAP_XTASK`, set by `cargo xtask test`, else
//! `<target>/debug/xtask` next to the test binary) runs `xtask cluster --dist D --version V --port 0 --repo-path DIR
//! [--nodes N]`; the first stdout line is the base URL. The launcher runs in its own process group with a piped
//! stdin, and it stops its JVMs (i) when that stdin reaches EOF — which the kernel guarantees when the test process
//! ends in any way, even SIGKILL — (ii) on SIGTERM, and (iii) when its parent exits. Each JVM also exits when *its*
//! stdin (a pipe from the launcher) closes, so a killed launcher takes its JVMs along.
//!
//! * [`RealNode::start`] returns a guard: `Drop` closes stdin, waits for a clean stop (bounded), then SIGTERMs and
//!   finally SIGKILLs the launcher's process group.
//! * [`shared`] starts one node per distribution per test binary (lazily, once) and stops it synchronously at
//!   process exit (an `atexit` hook; statics are never dropped), pass or fail. Use [`RealNode::lock`] to serialize
//!   tests that need the whole cluster to themselves.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The real-node targets: the main versions of issue 10.
pub const OPENSEARCH: (&str, &str) = ("opensearch", "2.19.1");
pub const ELASTICSEARCH: (&str, &str) = ("elasticsearch", "7.17.29");

/// Maven may resolve the jars on a fresh machine: allow for it.
const START_TIMEOUT: Duration = Duration::from_secs(600);
const STOP_TIMEOUT: Duration = Duration::from_secs(45);

/// Whether the real-node tests are enabled (`ESSNAP_REAL_NODES=1`).
pub fn enabled() -> bool {
    std::env::var("ESSNAP_REAL_NODES").is_ok_and(|v| v == "1" || v == "true")
}

/// Prints why a gated test does nothing and returns `false` when real nodes are disabled.
pub fn require(test: &str) -> bool {
    if !enabled() {
        eprintln!("{test}: skipped (set ESSNAP_REAL_NODES=1, or run `cargo xtask test`, to run it against real nodes)");
    }
    enabled()
}

struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// A running real cluster (one launcher process and its JVMs). Stops when dropped.
pub struct RealNode {
    pub url: String,
    pub dist: &'static str,
    pub version: &'static str,
    pub nodes: usize,
    /// `path.repo` of every node: fs repositories go below it (relative locations resolve against it).
    pub repo_path: PathBuf,
    temp: PathBuf,
    proc: Mutex<Option<Proc>>,
    /// Tests that need the cluster to themselves (wiping it, counting everything) hold this.
    exclusive: Mutex<()>,
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn atexit(cb: extern "C" fn()) -> i32;
}
const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

fn xtask_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("ESSNAP_XTASK") {
        return Ok(PathBuf::from(p));
    }
    // <target>/<profile>/deps/<test binary> -> <target>/<profile>/xtask, or the debug one that
    // `cargo xtask` builds when the tests run in release.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let profile = exe.parent().and_then(Path::parent);
    let candidates = [profile.map(|d| d.join("xtask")), profile.and_then(Path::parent).map(|t| t.join("debug/xtask"))];
    match candidates.into_iter().flatten().find(|p| p.exists()) {
        Some(p) => Ok(p),
        _ => Err("the xtask binary was not found: run the tests with `cargo xtask test`, or `cargo build -p xtask` first, \
                  or set ESSNAP_XTASK to its path"
            .into()),
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("essnap-real-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

impl RealNode {
    /// Starts `nodes` nodes of `dist` `version` and waits for the URL (green/yellow).
    pub fn start(dist: &'static str, version: &'static str, nodes: usize) -> Result<RealNode, String> {
        let xtask = xtask_binary()?;
        let temp = temp_dir(&format!("{dist}-{version}"));
        let repo_path = temp.join("repo");
        std::fs::create_dir_all(&repo_path).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&xtask);
        cmd.args(["cluster", "--dist", dist, "--version", version, "--port", "0", "--nodes", &nodes.to_string()])
            .arg("--repo-path")
            .arg(&repo_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        {
            use std::os::unix::process::CommandExt;
            // Its own group: the guard can signal the launcher (and a maven it runs) without touching the test.
            cmd.process_group(0);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", xtask.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            // keep draining so the launcher never blocks on a full pipe
            for _ in lines {}
        });
        let mut node = RealNode {
            url: String::new(),
            dist,
            version,
            nodes,
            repo_path,
            temp,
            proc: Mutex::new(Some(Proc { child, stdin })),
            exclusive: Mutex::new(()),
        };
        let url = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) if line.starts_with("http://") => line.trim().to_string(),
            other => {
                node.stop();
                return Err(format!("{dist} {version}: the launcher printed no URL within {:?} ({other:?}); see its stderr above", START_TIMEOUT));
            }
        };
        eprintln!("real node: {dist} {version} ({nodes} node(s)) at {url} after {:.1}s", started.elapsed().as_secs_f64());
        node.url = url;
        Ok(node)
    }

    /// Stops the launcher and its JVMs (idempotent): stdin EOF, then SIGTERM, then SIGKILL to its process group.
    pub fn stop(&self) {
        let Some(mut p) = self.proc.lock().unwrap_or_else(|e| e.into_inner()).take() else { return };
        p.stdin.take(); // EOF: the launcher closes its nodes and exits
        let pid = p.child.id() as i32;
        let wait = |child: &mut Child, limit: Duration| {
            let deadline = Instant::now() + limit;
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => return true,
                    Ok(None) if Instant::now() >= deadline => return false,
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        };
        if !wait(&mut p.child, STOP_TIMEOUT) {
            unsafe { kill(-pid, SIGTERM) };
            if !wait(&mut p.child, Duration::from_secs(15)) {
                unsafe { kill(-pid, SIGKILL) };
                let _ = p.child.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.temp);
    }

    /// The cluster to this test alone (other tests holding the lock wait).
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        self.exclusive.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_opensearch(&self) -> bool {
        self.dist == "opensearch"
    }
}

impl Drop for RealNode {
    fn drop(&mut self) {
        self.stop();
    }
}

type Shared = OnceLock<Result<RealNode, String>>;
static OS: Shared = OnceLock::new();
static ES: Shared = OnceLock::new();
static HOOK: std::sync::Once = std::sync::Once::new();

extern "C" fn stop_shared() {
    for cell in [&OS, &ES] {
        if let Some(Ok(n)) = cell.get() {
            n.stop();
        }
    }
}

/// The one node of `(dist, version)` for this test binary (started on first use, stopped at exit).
/// `None` when real nodes are disabled. Panics (failing the test) when the node cannot start.
pub fn shared((dist, version): (&'static str, &'static str)) -> Option<&'static RealNode> {
    if !enabled() {
        return None;
    }
    let cell = match (dist, version) {
        OPENSEARCH => &OS,
        ELASTICSEARCH => &ES,
        _ => panic!("no shared node for {dist} {version}: use RealNode::start"),
    };
    HOOK.call_once(|| unsafe {
        atexit(stop_shared);
    });
    match cell.get_or_init(|| RealNode::start(dist, version, 1)) {
        Ok(n) => Some(n),
        Err(e) => panic!("{e}"),
    }
}
