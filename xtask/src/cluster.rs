//! `cargo xtask cluster`: real OpenSearch / Elasticsearch nodes for the tests, from jars on Maven Central (issue 10).
//!
//! ```text
//! cargo xtask cluster --dist opensearch|elasticsearch --version V [--port 0] [--repo-path DIR] [--nodes N] [--cors]
//!                     [--heap 512m] [--java PATH] [--keep] [--no-stdin] [-E key=value]...
//!     Resolves the server jars with `mvn -q` (cached in ~/.m2, launcher compiled into clusters/<dist>/target/V),
//!     starts N nodes (one JVM each, bound to 127.0.0.1 only), prints the base URL (`http://127.0.0.1:PORT`) as the
//!     first stdout line once `/_cluster/health` answers green or yellow, then runs until SIGINT/SIGTERM, until its
//!     stdin reaches EOF (unless --no-stdin), or until its parent process exits. Each JVM also exits by itself when
//!     its stdin (a pipe from this process) closes, so no node outlives the launcher. Node output goes to
//!     clusters/work/runs/<dist>-<version>-<pid>/node-<i>.log (data dirs there are removed on a clean stop,
//!     kept with --keep or after a failure).
//!
//! cargo xtask cluster capture (--dist D --version V | --all) [--heap 512m] [--java PATH]
//!     Starts a node and drives a scripted sequence of snapshot/restore calls against it; every response body is
//!     written verbatim to tests/fixtures/real/<dist>-<version>/<api>.<status>[.<variant>].json (errors:
//!     error.<api>.<status>.<error_type>[.<variant>].json) next to a <same name>.meta.json with method, path,
//!     status, content-type and the request body. The folder is replaced on every capture.
//!
//! cargo xtask cluster matrix [--versions opensearch-2.19.1,elasticsearch-7.17.29,...]
//!     For each version: start it on a shared repository folder and write one snapshot; then start each version
//!     again and restore every other version's snapshot (read-only repository). Writes docs/compat-matrix.md,
//!     tests/fixtures/real/compat-matrix.json and the raw responses under tests/fixtures/real/matrix/.
//!
//! cargo xtask cluster versions
//!     Lists the default versions (KNOWN_VERSIONS, Java 17; plus JAVA21_VERSIONS when ESSNAP_JAVA21 is set).
//!
//! Regenerating everything that is committed (about 2.5 min for captures + 35 s for the matrix on 2 cores):
//!     ESSNAP_JAVA21=/path/to/java21+/bin/java cargo xtask cluster capture --all
//!     ESSNAP_JAVA21=/path/to/java21+/bin/java cargo xtask cluster matrix
//! ```
//!
//! Environment: `ESSNAP_JAVA` (or `JAVA_HOME`) picks the java binary, `ESSNAP_JAVA21` the one for OpenSearch 3.x
//! (needs Java 21+, which Debian 12 does not package), `ESSNAP_MVN` the maven binary.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const USAGE: &str = "usage:
  cargo xtask cluster --dist opensearch|elasticsearch --version V [--port 0] [--repo-path DIR] [--nodes N] [--cors]
                      [--heap 512m] [--java PATH] [--keep] [--no-stdin] [-E key=value]...
  cargo xtask cluster capture (--dist D --version V | --all) [--heap 512m] [--java PATH]
  cargo xtask cluster matrix [--versions opensearch-2.19.1,elasticsearch-7.17.29,...]
  cargo xtask cluster versions

Starts real nodes from jars on Maven Central (resolved with mvn, cached in ~/.m2), bound to 127.0.0.1 only.
The first stdout line is the base URL, printed once the cluster is green/yellow. Stops on SIGINT/SIGTERM,
on stdin EOF (unless --no-stdin) and when the parent process exits. See the top of xtask/src/cluster.rs.
";

/// Versions known to resolve from Maven Central and start on Java 17 (dist, version).
/// The first two are the main targets; `capture --all` and `matrix` use all of them.
pub const KNOWN_VERSIONS: &[(&str, &str)] = &[
    ("opensearch", "2.19.1"),
    ("elasticsearch", "7.17.29"),
    ("opensearch", "1.3.20"),
    ("elasticsearch", "6.8.23"),
];

/// Versions that need Java 21+ (not packaged by Debian 12): included in `capture --all`, `matrix` and `versions`
/// only when `ESSNAP_JAVA21` points at a Java 21+ binary. Tested with Temurin 25.
pub const JAVA21_VERSIONS: &[(&str, &str)] = &[("opensearch", "3.3.2")];

/// The versions `capture --all` and `matrix` use by default.
fn default_specs() -> Result<Vec<Spec>, String> {
    let java21 = std::env::var_os("ESSNAP_JAVA21").is_some();
    let mut list: Vec<(&str, &str)> = Vec::new();
    if java21 {
        list.extend(JAVA21_VERSIONS);
    }
    list.extend(KNOWN_VERSIONS);
    list.iter()
        .map(|(d, v)| Spec::new(Dist::parse(d)?, v))
        .collect()
}

const START_TIMEOUT: Duration = Duration::from_secs(180);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNALS: Once = Once::new();

fn install_signal_handler() {
    SIGNALS.call_once(|| {
        // "termination" feature: SIGTERM and SIGHUP too, not only SIGINT.
        if let Err(e) = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst)) {
            eprintln!("cluster: warning: cannot install the signal handler: {e}");
        }
    });
}

fn interrupted() -> bool {
    STOP.load(Ordering::SeqCst)
}

pub fn main(args: &[String]) -> Result<(), String> {
    install_signal_handler();
    match args.first().map(String::as_str) {
        Some("capture") => capture_cmd(&args[1..]),
        Some("matrix") => matrix_cmd(&args[1..]),
        Some("versions") => {
            for spec in default_specs()? {
                println!("{} {}", spec.dist.name(), spec.version);
            }
            Ok(())
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => start_cmd(args),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// distributions and versions

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dist {
    OpenSearch,
    Elasticsearch,
}

impl Dist {
    fn parse(s: &str) -> Result<Dist, String> {
        match s {
            "opensearch" | "os" => Ok(Dist::OpenSearch),
            "elasticsearch" | "es" => Ok(Dist::Elasticsearch),
            _ => Err(format!(
                "unknown --dist `{s}` (opensearch or elasticsearch)"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Dist::OpenSearch => "opensearch",
            Dist::Elasticsearch => "elasticsearch",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub dist: Dist,
    pub version: String,
}

impl Spec {
    fn new(dist: Dist, version: &str) -> Result<Spec, String> {
        let spec = Spec {
            dist,
            version: version.to_string(),
        };
        let (major, minor, patch) = spec.triple();
        if spec.version != format!("{major}.{minor}.{patch}") {
            return Err(format!("--version must look like 2.19.1, got `{version}`"));
        }
        match (dist, major) {
            (Dist::Elasticsearch, 6 | 7) | (Dist::OpenSearch, 1..=3) => {}
            (Dist::Elasticsearch, _) => {
                return Err(format!(
                    "Elasticsearch {version}: only 6.8 and 7.x have their modules on Maven Central (8.x does not)"
                ));
            }
            (Dist::OpenSearch, _) => {
                return Err(format!("OpenSearch {version}: unsupported major version"));
            }
        }
        if dist == Dist::Elasticsearch && (version == "7.17.8" || version == "7.11.0") {
            return Err(format!(
                "Elasticsearch {version} has broken metadata on Maven Central; pick another patch"
            ));
        }
        Ok(spec)
    }

    /// `opensearch-2.19.1`
    fn parse_tag(s: &str) -> Result<Spec, String> {
        let (d, v) = s
            .split_once('-')
            .ok_or_else(|| format!("expected dist-version, got `{s}`"))?;
        Spec::new(Dist::parse(d)?, v)
    }

    pub fn tag(&self) -> String {
        format!("{}-{}", self.dist.name(), self.version)
    }

    fn triple(&self) -> (u32, u32, u32) {
        let mut it = self
            .version
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0));
        (
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
        )
    }

    fn major(&self) -> u32 {
        self.triple().0
    }

    /// Elasticsearch 6.x still has mapping types in URLs (`/index/_doc/_bulk`).
    fn is_es6(&self) -> bool {
        self.dist == Dist::Elasticsearch && self.major() == 6
    }

    /// The url repository module is on Maven Central from OpenSearch 2.0 (not for Elasticsearch).
    fn has_url_module(&self) -> bool {
        self.dist == Dist::OpenSearch && self.major() >= 2
    }

    /// OpenSearch 3.x is built for Java 21.
    fn needs_java21(&self) -> bool {
        self.dist == Dist::OpenSearch && self.major() >= 3
    }

    /// OpenSearch 3.x takes classpath plugins as `PluginInfo`s: its launcher has its own source folder.
    fn launcher_src(&self) -> &'static str {
        match (self.dist, self.major()) {
            (Dist::OpenSearch, 3..) => "src/main/java-3",
            _ => "src/main/java",
        }
    }

    /// log4j-core must match the log4j-api the server was built with.
    fn log4j_version(&self) -> &'static str {
        match (self.dist, self.major()) {
            (Dist::OpenSearch, 2..) => "2.21.0",
            _ => "2.17.1",
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn java_bin(explicit: Option<&str>) -> String {
    if let Some(j) = explicit {
        return j.to_string();
    }
    if let Ok(j) = std::env::var("ESSNAP_JAVA") {
        return j;
    }
    if let Ok(home) = std::env::var("JAVA_HOME") {
        let p = Path::new(&home).join("bin/java");
        if p.exists() {
            return p.to_string_lossy().into_owned();
        }
    }
    "java".to_string()
}

/// Resolves the server jars and compiles the launcher for `spec` unless already done; returns the classpath.
fn ensure_built(spec: &Spec, java: Option<&str>) -> Result<String, String> {
    let project = repo_root().join("clusters").join(spec.dist.name());
    let build = project.join("target").join(&spec.version);
    let cp_file = build.join("classpath.txt");
    let class = build.join("classes/essnap/launcher/Launcher.class");
    let src_dir = spec.launcher_src();
    let source = project.join(src_dir).join("essnap/launcher/Launcher.java");
    let stale = match (
        fs::metadata(&class).and_then(|m| m.modified()),
        fs::metadata(&source).and_then(|m| m.modified()),
    ) {
        (Ok(c), Ok(s)) => c < s,
        _ => true,
    };
    if stale || !cp_file.exists() {
        let mvn = std::env::var("ESSNAP_MVN").unwrap_or_else(|_| "mvn".into());
        eprintln!(
            "cluster: resolving {} {} with maven (first time only) ...",
            spec.dist.name(),
            spec.version
        );
        let mut cmd = Command::new(&mvn);
        // compile with the JDK that will run the node (OpenSearch 3.x jars need Java 21+ to compile against)
        if let Some(home) = java
            .map(Path::new)
            .and_then(|j| fs::canonicalize(j).ok())
            .and_then(|j| Some(j.parent()?.parent()?.to_path_buf()))
        {
            cmd.env("JAVA_HOME", home);
        }
        let out = cmd
            .current_dir(&project)
            .args(["-q", "-B", "-f", "pom.xml"])
            .arg(format!("-Dserver.version={}", spec.version))
            .arg(format!("-Dlog4j.version={}", spec.log4j_version()))
            .arg(format!("-Dbuild.dir=target/{}", spec.version))
            .arg(format!("-Dlauncher.src={src_dir}"))
            .args(spec.has_url_module().then_some("-Durl.repository"))
            .args(["compile", "dependency:build-classpath"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!("cannot run `{mvn}` (install maven, see `cargo xtask setup`): {e}")
            })?;
        if !out.status.success() || !cp_file.exists() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "maven could not resolve {} {} from Maven Central:\n{}",
                spec.dist.name(),
                spec.version,
                tail(&text, 30)
            ));
        }
    }
    let deps = fs::read_to_string(&cp_file).map_err(|e| format!("{}: {e}", cp_file.display()))?;
    Ok(format!(
        "{}:{}",
        build.join("classes").display(),
        deps.trim()
    ))
}

// ---------------------------------------------------------------------------------------------------------------
// `cargo xtask test`: the real-node tests (tests/common/real_node.rs)

/// The real nodes the tests start: OpenSearch 2.19.1 and Elasticsearch 7.17.29, and OpenSearch 1.3.20 and
/// Elasticsearch 6.8.23 for the sandbox's differential test of the older lines.
pub const TEST_NODES: &[(&str, &str)] =
    &[("opensearch", "2.19.1"), ("elasticsearch", "7.17.29"), ("opensearch", "1.3.20"), ("elasticsearch", "6.8.23")];

/// Runs `cargo <args>` (a `cargo test`) with the real-node tests enabled, unless `ESSNAP_REAL_NODES=0`:
/// resolves the server jars first (Maven Central into ~/.m2 on a fresh machine, so node starts then take seconds
/// and a resolution failure reads as such), passes this binary as `ESSNAP_XTASK` (the tests start nodes with
/// `xtask cluster ...`), and afterwards checks that no process the tests started is still running: every one
/// carries `ESSNAP_TEST_RUN=<marker>` in its environment; any left 60 s after the tests is killed by its pid and
/// fails the run.
pub fn cargo_test_with_real_nodes(args: &[&str]) -> Result<(), String> {
    let real = std::env::var("ESSNAP_REAL_NODES").map_or(true, |v| v != "0" && v != "false");
    let started = Instant::now();
    if real {
        for (dist, version) in TEST_NODES {
            let spec = Spec::new(Dist::parse(dist)?, version)?;
            ensure_built(&spec, std::env::var("ESSNAP_JAVA").ok().as_deref())?;
        }
        eprintln!("test: real node jars ready in {:.1}s", started.elapsed().as_secs_f64());
    }
    let marker = format!("essnap-test-{}", std::process::id());
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut cmd = Command::new("cargo");
    cmd.args(args).current_dir(repo_root()).env("ESSNAP_TEST_RUN", &marker);
    if real {
        cmd.env("ESSNAP_REAL_NODES", "1").env("ESSNAP_XTASK", &exe);
    } else {
        cmd.env_remove("ESSNAP_REAL_NODES");
    }
    eprintln!("+ cargo {} (real nodes: {})", args.join(" "), if real { "on" } else { "off" });
    let status = cmd.status().map_err(|e| format!("could not start cargo: {e}"))?;
    let leaked = leftovers(&marker);
    eprintln!("test: `cargo {}` took {:.1}s", args.join(" "), started.elapsed().as_secs_f64());
    if !status.success() {
        return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
    }
    if !leaked.is_empty() {
        return Err(format!("processes started by the tests outlived them (killed now): {leaked:?}"));
    }
    Ok(())
}

/// The processes whose environment carries `ESSNAP_TEST_RUN=marker` and that still run 60 s after the tests
/// ended; each one is killed by its pid and reported (`pid cmdline`).
fn leftovers(marker: &str) -> Vec<String> {
    let needle = format!("ESSNAP_TEST_RUN={marker}");
    let me = std::process::id().to_string();
    let scan = || -> Vec<(String, String)> {
        let Ok(dir) = fs::read_dir("/proc") else { return Vec::new() };
        dir.flatten()
            .filter_map(|e| {
                let pid = e.file_name().to_string_lossy().into_owned();
                if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
                    return None;
                }
                let env = fs::read(e.path().join("environ")).ok()?;
                env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()).then(|| {
                    let cmd = fs::read(e.path().join("cmdline")).unwrap_or_default();
                    let cmd: String = String::from_utf8_lossy(&cmd).replace('\0', " ").chars().take(160).collect();
                    (pid, cmd)
                })
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut left = scan();
    while !left.is_empty() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(500));
        left = scan();
    }
    for (pid, cmd) in &left {
        eprintln!("test: {pid} outlived the tests, killing it: {cmd}");
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    left.into_iter().map(|(pid, cmd)| format!("{pid} {cmd}")).collect()
}

fn free_port() -> Result<u16, String> {
    let l =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn tail_file(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => tail(&String::from_utf8_lossy(&bytes), lines),
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// starting and stopping clusters

#[derive(Clone, Debug)]
pub struct StartOptions {
    pub spec: Spec,
    pub port: u16,
    pub repo_path: Option<PathBuf>,
    pub nodes: usize,
    pub cors: bool,
    pub heap: String,
    pub java: Option<String>,
    pub keep: bool,
    pub extra_settings: Vec<String>,
}

impl StartOptions {
    fn new(spec: Spec) -> StartOptions {
        StartOptions {
            spec,
            port: 0,
            repo_path: None,
            nodes: 1,
            cors: false,
            heap: "512m".into(),
            java: None,
            keep: false,
            extra_settings: Vec::new(),
        }
    }
}

/// For `cargo xtask bench`: one node of `dist` (`opensearch` | `elasticsearch`) `version` with this heap, this
/// `path.repo` folder and extra `key=value` settings (applied after the defaults, so they win).
pub fn start_node(dist: &str, version: &str, heap: &str, repo_path: PathBuf, settings: Vec<String>) -> Result<Cluster, String> {
    let mut opts = StartOptions::new(Spec::new(Dist::parse(dist)?, version)?);
    opts.heap = heap.to_string();
    opts.repo_path = Some(repo_path);
    opts.extra_settings = settings;
    Cluster::start(&opts)
}

struct NodeProc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    log: PathBuf,
    home: PathBuf,
}

pub struct Cluster {
    pub spec: Spec,
    pub url: String,
    pub run_dir: PathBuf,
    pub repo_path: PathBuf,
    nodes: Vec<NodeProc>,
    keep: bool,
    failed: bool,
}

impl Cluster {
    pub fn start(opts: &StartOptions) -> Result<Cluster, String> {
        let spec = &opts.spec;
        let explicit_java = match opts.java.clone() {
            Some(j) => Some(j),
            None if spec.needs_java21() => Some(std::env::var("ESSNAP_JAVA21").map_err(|_| {
                format!(
                    "{} needs Java 21 or newer (Debian 12 has no openjdk-21 package): pass --java /path/to/bin/java \
                     or set ESSNAP_JAVA21",
                    spec.tag()
                )
            })?),
            None => std::env::var("ESSNAP_JAVA").ok(),
        };
        let java = java_bin(explicit_java.as_deref());
        let classpath = ensure_built(spec, explicit_java.as_deref())?;
        let root = repo_root();
        let runs = root.join("clusters/work/runs");
        let mut run_dir = runs.join(format!("{}-{}", spec.tag(), std::process::id()));
        let mut n = 1;
        while run_dir.exists() {
            n += 1;
            run_dir = runs.join(format!("{}-{}-{n}", spec.tag(), std::process::id()));
        }
        fs::create_dir_all(&run_dir).map_err(|e| format!("{}: {e}", run_dir.display()))?;
        let repo_path = opts
            .repo_path
            .clone()
            .unwrap_or_else(|| run_dir.join("repo"));
        fs::create_dir_all(&repo_path).map_err(|e| format!("{}: {e}", repo_path.display()))?;
        let repo_path =
            fs::canonicalize(&repo_path).map_err(|e| format!("{}: {e}", repo_path.display()))?;

        let count = opts.nodes.max(1);
        let mut http_ports = Vec::new();
        let mut transport_ports = Vec::new();
        for i in 0..count {
            http_ports.push(if opts.port == 0 {
                free_port()?
            } else {
                opts.port + i as u16
            });
            transport_ports.push(free_port()?);
        }
        let names: Vec<String> = (0..count).map(|i| format!("node-{i}")).collect();
        let seeds = format!(
            "[{}]",
            transport_ports
                .iter()
                .map(|p| format!("127.0.0.1:{p}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut cluster = Cluster {
            spec: spec.clone(),
            url: format!("http://127.0.0.1:{}", http_ports[0]),
            run_dir: run_dir.clone(),
            repo_path: repo_path.clone(),
            nodes: Vec::new(),
            keep: opts.keep,
            failed: false,
        };
        for i in 0..count {
            let home = run_dir.join(&names[i]);
            fs::create_dir_all(home.join("tmp")).map_err(|e| format!("{}: {e}", home.display()))?;
            let mut settings = vec![
                format!("cluster.name=essnap-{}", spec.tag()),
                format!("node.name={}", names[i]),
                format!("path.home={}", home.display()),
                format!("path.data={}", home.join("data").display()),
                format!("path.logs={}", home.join("logs").display()),
                format!("path.repo={}", repo_path.display()),
                "network.host=127.0.0.1".to_string(),
                format!("http.port={}", http_ports[i]),
                format!(
                    "{}={}",
                    if spec.is_es6() {
                        "transport.tcp.port"
                    } else {
                        "transport.port"
                    },
                    transport_ports[i]
                ),
                // the host's disk is shared with other work: never go read-only because of watermarks
                "cluster.routing.allocation.disk.threshold_enabled=false".to_string(),
            ];
            if count == 1 {
                settings.push("discovery.type=single-node".into());
            } else if spec.is_es6() {
                settings.push(format!("discovery.zen.ping.unicast.hosts={seeds}"));
                settings.push(format!(
                    "discovery.zen.minimum_master_nodes={}",
                    count / 2 + 1
                ));
            } else {
                settings.push(format!("discovery.seed_hosts={seeds}"));
                let key = if spec.dist == Dist::OpenSearch && spec.major() >= 2 {
                    "cluster.initial_cluster_manager_nodes"
                } else {
                    "cluster.initial_master_nodes"
                };
                settings.push(format!("{key}=[{}]", names.join(",")));
            }
            if opts.cors {
                settings.push("http.cors.enabled=true".into());
                settings.push("http.cors.allow-origin=*".into());
                settings.push(
                    "http.cors.allow-headers=Authorization, Content-Type, X-Requested-With".into(),
                );
            }
            settings.extend(opts.extra_settings.iter().cloned());

            let log = run_dir.join(format!("{}.log", names[i]));
            let out = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
            let err = out.try_clone().map_err(|e| e.to_string())?;
            let mut cmd = Command::new(&java);
            cmd.arg(format!("-Xms{}", opts.heap))
                .arg(format!("-Xmx{}", opts.heap))
                .args([
                    "-XX:+UseSerialGC",
                    "-Xss1m",
                    "-Djava.awt.headless=true",
                    "-Dfile.encoding=UTF-8",
                    "-Djna.nosys=true",
                    "-Dlog4j2.disable.jmx=true",
                    "-Dlog4j.shutdownHookEnabled=false",
                    "-Dio.netty.noUnsafe=true",
                    "-Dio.netty.noKeySetOptimization=true",
                    "-Dio.netty.recycler.maxCapacityPerThread=0",
                ])
                .arg(format!("-Djava.io.tmpdir={}", home.join("tmp").display()))
                .arg("-cp")
                .arg(&classpath)
                .arg("essnap.launcher.Launcher")
                .args(&settings)
                .stdin(Stdio::piped())
                .stdout(out)
                .stderr(err);
            {
                // own process group: a Ctrl-C in the terminal reaches only this launcher, which stops the nodes
                use std::os::unix::process::CommandExt;
                cmd.process_group(0);
            }
            let mut child = cmd
                .spawn()
                .map_err(|e| format!("cannot run `{java}` (install Java 17): {e}"))?;
            let stdin = child.stdin.take();
            cluster.nodes.push(NodeProc {
                name: names[i].clone(),
                child,
                stdin,
                log,
                home,
            });
        }
        cluster.wait_ready(count)?;
        Ok(cluster)
    }

    fn wait_ready(&mut self, count: usize) -> Result<(), String> {
        let http = Http::new(&self.url, Duration::from_secs(10));
        let deadline = Instant::now() + START_TIMEOUT;
        let path =
            format!("/_cluster/health?wait_for_status=yellow&timeout=2s&wait_for_nodes={count}");
        loop {
            if interrupted() {
                self.failed = true;
                return Err("interrupted while starting".into());
            }
            if let Some(msg) = self.dead_node() {
                self.failed = true;
                return Err(msg);
            }
            if let Ok(r) = http.call("GET", &path, None) {
                let status = r.json()["status"].as_str().map(str::to_string);
                if r.status == 200 && matches!(status.as_deref(), Some("green" | "yellow")) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                self.failed = true;
                let logs: Vec<String> = self
                    .nodes
                    .iter()
                    .map(|n| {
                        format!(
                            "--- last lines of {}:\n{}",
                            n.log.display(),
                            tail_file(&n.log, 30)
                        )
                    })
                    .collect();
                return Err(format!(
                    "{} did not become green/yellow within {}s\n{}",
                    self.spec.tag(),
                    START_TIMEOUT.as_secs(),
                    logs.join("\n")
                ));
            }
            thread::sleep(Duration::from_millis(300));
        }
    }

    /// An error message if some node's JVM has exited.
    fn dead_node(&mut self) -> Option<String> {
        for n in &mut self.nodes {
            if let Ok(Some(status)) = n.child.try_wait() {
                return Some(format!(
                    "{} {} exited ({status}); last lines of {}:\n{}",
                    self.spec.tag(),
                    n.name,
                    n.log.display(),
                    tail_file(&n.log, 30)
                ));
            }
        }
        None
    }

    pub fn http(&self) -> Http {
        Http::new(&self.url, Duration::from_secs(300))
    }

    pub fn log_files(&self) -> Vec<PathBuf> {
        self.nodes.iter().map(|n| n.log.clone()).collect()
    }

    fn stop(&mut self) {
        // closing a node's stdin makes its launcher close the node and exit
        for n in &mut self.nodes {
            n.stdin.take();
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        for n in &mut self.nodes {
            loop {
                match n.child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() > deadline => {
                        eprintln!("cluster: {} did not stop in time, killing it", n.name);
                        let _ = n.child.kill();
                        let _ = n.child.wait();
                        break;
                    }
                    Ok(None) => thread::sleep(Duration::from_millis(100)),
                }
            }
        }
        if !self.keep && !self.failed {
            for n in &self.nodes {
                let _ = fs::remove_dir_all(&n.home);
            }
            let _ = fs::remove_dir(self.run_dir.join("repo"));
        } else {
            eprintln!("cluster: node files kept in {}", self.run_dir.display());
        }
        self.nodes.clear();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start_cmd(args: &[String]) -> Result<(), String> {
    let mut dist = None;
    let mut version = None;
    let mut port = 0u16;
    let mut repo_path = None;
    let mut nodes = 1usize;
    let mut cors = false;
    let mut heap = "512m".to_string();
    let mut java = None;
    let mut keep = false;
    let mut watch_stdin = true;
    let mut extra = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value\n\n{USAGE}"))
        };
        match a.as_str() {
            "--dist" => dist = Some(Dist::parse(&val()?)?),
            "--version" => version = Some(val()?),
            "--port" => port = val()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--repo-path" => repo_path = Some(PathBuf::from(val()?)),
            "--nodes" => nodes = val()?.parse().map_err(|e| format!("--nodes: {e}"))?,
            "--cors" => cors = true,
            "--heap" => heap = val()?,
            "--java" => java = Some(val()?),
            "--keep" => keep = true,
            "--no-stdin" => watch_stdin = false,
            "-E" => extra.push(val()?),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let dist = dist.ok_or_else(|| format!("--dist is required\n\n{USAGE}"))?;
    let version = version.ok_or_else(|| format!("--version is required\n\n{USAGE}"))?;
    if !(1..=5).contains(&nodes) {
        return Err("--nodes must be between 1 and 5".into());
    }
    let mut opts = StartOptions::new(Spec::new(dist, &version)?);
    opts.port = port;
    opts.repo_path = repo_path;
    opts.nodes = nodes;
    opts.cors = cors;
    opts.heap = heap;
    opts.java = java;
    opts.keep = keep;
    opts.extra_settings = extra;

    let parent = std::os::unix::process::parent_id();
    let started = Instant::now();
    let mut cluster = Cluster::start(&opts)?;
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", cluster.url).map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    eprintln!(
        "cluster: {} ({} node{}) ready at {} in {:.1}s; path.repo={}; logs: {}",
        cluster.spec.tag(),
        nodes,
        if nodes == 1 { "" } else { "s" },
        cluster.url,
        started.elapsed().as_secs_f64(),
        cluster.repo_path.display(),
        cluster
            .log_files()
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if watch_stdin {
        eprintln!("cluster: stop with Ctrl-C, SIGTERM or by closing stdin");
        thread::spawn(|| {
            let mut buf = [0u8; 256];
            let mut stdin = io::stdin();
            while let Ok(n) = stdin.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
            STOP.store(true, Ordering::SeqCst);
        });
    } else {
        eprintln!("cluster: stop with Ctrl-C or SIGTERM");
    }
    loop {
        if interrupted() {
            break;
        }
        if std::os::unix::process::parent_id() != parent {
            eprintln!("cluster: parent process exited");
            break;
        }
        if let Some(msg) = cluster.dead_node() {
            cluster.failed = true;
            return Err(msg);
        }
        thread::sleep(Duration::from_millis(200));
    }
    eprintln!("cluster: stopping");
    drop(cluster);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

pub struct Http {
    agent: ureq::Agent,
    pub base: String,
}

pub struct Resp {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// `error.type` of an error body (`no_handler_found` etc. for the older string errors).
    pub fn error_type(&self) -> String {
        let v = self.json();
        match &v["error"] {
            Value::Object(o) => o
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string(),
            Value::String(s) if s.contains("no handler found") => "no_handler_found".into(),
            Value::String(s) if s.contains("Incorrect HTTP method") => {
                "incorrect_http_method".into()
            }
            Value::String(_) => "error_string".into(),
            _ if self.status == 404 && v.is_object() => "not_found".into(),
            _ => "unknown".into(),
        }
    }

    /// The innermost `caused_by` of an error body as `type: reason` (empty when there is none).
    pub fn error_cause(&self) -> String {
        let v = self.json();
        let mut cur = &v["error"];
        let mut found = String::new();
        while let Some(c) = cur.get("caused_by") {
            found = format!(
                "{}: {}",
                c["type"].as_str().unwrap_or("?"),
                c["reason"].as_str().unwrap_or("")
            );
            cur = c;
        }
        found
    }

    pub fn error_reason(&self) -> String {
        let v = self.json();
        match &v["error"] {
            Value::Object(o) => o
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            Value::String(s) => s.clone(),
            _ => String::from_utf8_lossy(&self.body)
                .chars()
                .take(300)
                .collect(),
        }
    }
}

impl Http {
    pub fn new(base: &str, timeout: Duration) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .proxy(None)
            .build();
        Http {
            agent: ureq::Agent::new_with_config(config),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<Resp, String> {
        let url = format!("{}{}", self.base, path);
        let ctype = if path.contains("_bulk") {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        let res = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("HEAD", _) => self.agent.head(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            ("PUT", Some(b)) => self.agent.put(&url).header("content-type", ctype).send(b),
            ("PUT", None) => self.agent.put(&url).send_empty(),
            ("POST", Some(b)) => self.agent.post(&url).header("content-type", ctype).send(b),
            ("POST", None) => self.agent.post(&url).send_empty(),
            _ => return Err(format!("unsupported method {method}")),
        };
        let mut resp = res.map_err(|e| format!("{method} {url}: {e}"))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
        Ok(Resp {
            method: method.to_string(),
            path: path.to_string(),
            status,
            content_type,
            body,
        })
    }

    /// Like `call` but fails on non-2xx.
    pub fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Result<Resp, String> {
        let r = self.call(method, path, body)?;
        if r.status >= 300 {
            return Err(format!(
                "{method} {path} -> {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            ));
        }
        Ok(r)
    }
}

/// Finds the object describing snapshot `name` anywhere in a get-snapshots / status body
/// (the shape moved between versions: `snapshots[]`, `responses[].snapshots[]`).
fn find_snapshot<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Object(o) => {
            if o.get("snapshot").and_then(Value::as_str) == Some(name) {
                return Some(v);
            }
            o.values().find_map(|c| find_snapshot(c, name))
        }
        Value::Array(a) => a.iter().find_map(|c| find_snapshot(c, name)),
        _ => None,
    }
}

fn wait_snapshot_done(
    http: &Http,
    repo: &str,
    snap: &str,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if interrupted() {
            return Err("interrupted".into());
        }
        let r = http.call("GET", &format!("/_snapshot/{repo}/{snap}"), None)?;
        if r.status == 404 {
            return Err(format!(
                "snapshot {repo}/{snap} does not exist: {}",
                String::from_utf8_lossy(&r.body)
            ));
        }
        let v = r.json();
        if let Some(state) = find_snapshot(&v, snap).and_then(|s| s["state"].as_str())
            && matches!(state, "SUCCESS" | "PARTIAL" | "FAILED" | "INCOMPATIBLE")
        {
            return Ok(state.to_string());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "snapshot {repo}/{snap} not done after {}s",
                timeout.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(250));
    }
}

fn wait_green(http: &Http, index: &str) -> Result<(), String> {
    http.ok(
        "GET",
        &format!("/_cluster/health/{index}?wait_for_status=green&timeout=180s"),
        None,
    )
    .map(|_| ())
}

// ---------------------------------------------------------------------------------------------------------------
// capture

struct Recorder<'a> {
    http: &'a Http,
    dir: PathBuf,
    written: BTreeSet<String>,
    t0: Instant,
}

impl Recorder<'_> {
    /// Sends a request and writes the body verbatim plus a `.meta.json` sibling.
    fn rec(
        &mut self,
        api: &str,
        variant: &str,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Resp, String> {
        if interrupted() {
            return Err("interrupted".into());
        }
        let r = self.http.call(method, path, body)?;
        let mut name = if r.status < 300 {
            format!("{api}.{}", r.status)
        } else {
            format!("error.{api}.{}.{}", r.status, r.error_type())
        };
        if !variant.is_empty() {
            name = format!("{name}.{variant}");
        }
        let mut unique = name.clone();
        let mut k = 2;
        while self.written.contains(&unique) {
            unique = format!("{name}.{k}");
            k += 1;
        }
        self.written.insert(unique.clone());
        let file = self.dir.join(format!("{unique}.json"));
        fs::write(&file, &r.body).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut meta = json!({
            "method": method,
            "path": path,
            "status": r.status,
            "headers": { "content-type": r.content_type },
        });
        if let Some(b) = body {
            meta["request_body"] =
                serde_json::from_str(b).unwrap_or_else(|_| Value::String(b.to_string()));
        }
        let meta_file = self.dir.join(format!("{unique}.meta.json"));
        let text = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())? + "\n";
        fs::write(&meta_file, text).map_err(|e| format!("{}: {e}", meta_file.display()))?;
        eprintln!(
            "  {:>5.1}s {:<6} {:<70} {} -> {unique}.json",
            self.t0.elapsed().as_secs_f64(),
            method,
            path,
            r.status
        );
        Ok(r)
    }
}

fn capture_cmd(args: &[String]) -> Result<(), String> {
    let mut dist = None;
    let mut version = None;
    let mut all = false;
    let mut heap = "512m".to_string();
    let mut java = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--dist" => dist = Some(Dist::parse(&val()?)?),
            "--version" => version = Some(val()?),
            "--all" => all = true,
            "--heap" => heap = val()?,
            "--java" => java = Some(val()?),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let specs: Vec<Spec> = if all {
        default_specs()?
    } else {
        let d = dist.ok_or("capture: --dist (or --all) is required")?;
        let v = version.ok_or("capture: --version (or --all) is required")?;
        vec![Spec::new(d, &v)?]
    };
    for spec in specs {
        let mut opts = StartOptions::new(spec);
        opts.heap = heap.clone();
        opts.java = java.clone();
        capture(&opts)?;
    }
    Ok(())
}

fn bulk_body(spec: &Spec, index: &str, docs: usize, text_len: usize) -> String {
    let mut out = String::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..docs {
        let mut text = String::with_capacity(text_len);
        while text.len() < text_len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(&format!("{:x} ", seed >> 20));
        }
        if spec.is_es6() {
            out.push_str(&format!(
                "{{\"index\":{{\"_index\":\"{index}\",\"_type\":\"_doc\",\"_id\":\"{i}\"}}}}\n"
            ));
        } else {
            out.push_str(&format!(
                "{{\"index\":{{\"_index\":\"{index}\",\"_id\":\"{i}\"}}}}\n"
            ));
        }
        out.push_str(&format!(
            "{{\"n\":{i},\"text\":\"{text}\",\"@timestamp\":\"2024-01-01T00:00:00Z\"}}\n"
        ));
    }
    out
}

fn capture(opts: &StartOptions) -> Result<(), String> {
    let spec = &opts.spec;
    let started = Instant::now();
    let cluster = Cluster::start(opts)?;
    let boot = started.elapsed();
    eprintln!(
        "capture: {} started in {:.1}s at {}",
        spec.tag(),
        boot.as_secs_f64(),
        cluster.url
    );
    let http = cluster.http();
    let dir = repo_root().join("tests/fixtures/real").join(spec.tag());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut r = Recorder {
        http: &http,
        dir: dir.clone(),
        written: BTreeSet::new(),
        t0: Instant::now(),
    };
    let bulk = |idx: &str| format!("/{idx}/_bulk?refresh=true");
    let shards = |n: u32| {
        format!(r#"{{"settings":{{"index":{{"number_of_shards":{n},"number_of_replicas":0}}}}}}"#)
    };

    // --- cluster basics
    r.rec("info", "", "GET", "/", None)?;
    r.rec("cluster.health", "", "GET", "/_cluster/health", None)?;

    // --- data: idx-a (1 shard), idx-b (2 shards), big (1 shard, enough bytes for a throttled snapshot)
    r.rec("indices.create", "", "PUT", "/idx-a", Some(&shards(1)))?;
    http.ok("PUT", "/idx-b", Some(&shards(2)))?;
    http.ok("PUT", "/big", Some(&shards(1)))?;
    http.ok(
        "POST",
        &bulk("idx-a"),
        Some(&bulk_body(spec, "idx-a", 5, 40)),
    )?;
    http.ok(
        "POST",
        &bulk("idx-b"),
        Some(&bulk_body(spec, "idx-b", 20, 40)),
    )?;
    for _ in 0..4 {
        let b = http.ok(
            "POST",
            &bulk("big"),
            Some(&bulk_body(spec, "big", 2500, 300)),
        )?;
        if b.json()["errors"].as_bool() == Some(true) {
            return Err(format!(
                "bulk into big reported errors: {}",
                tail(&String::from_utf8_lossy(&b.body), 3)
            ));
        }
    }
    http.ok("POST", "/big/_flush", None)?;
    let store = http.ok("GET", "/big/_stats/store", None)?.json();
    let big_bytes = store["indices"]["big"]["primaries"]["store"]["size_in_bytes"]
        .as_u64()
        .unwrap_or(4_000_000);
    // ~10 s for a snapshot or a restore of `big`
    let throttle = (big_bytes / 10).max(1024);
    eprintln!(
        "capture: index big has {big_bytes} bytes; slow repository throttled to {throttle}b/s"
    );

    // data stream (OpenSearch 1.0+, Elasticsearch 7.9+ with X-Pack only: the OSS node answers with an error)
    let _ = r.rec(
        "indices.put_index_template",
        "data_stream",
        "PUT",
        "/_index_template/essnap-logs",
        Some(r#"{"index_patterns":["essnap-logs*"],"data_stream":{},"priority":100,"template":{"settings":{"number_of_shards":1,"number_of_replicas":0}}}"#),
    )?;
    let ds = r.rec(
        "indices.create_data_stream",
        "",
        "PUT",
        "/_data_stream/essnap-logs",
        None,
    )?;
    let has_ds = ds.status == 200;
    if has_ds {
        http.ok(
            "POST",
            "/essnap-logs/_doc?refresh=true",
            Some(r#"{"@timestamp":"2024-01-01T00:00:00Z","message":"hi"}"#),
        )?;
    }
    r.rec(
        "indices.get_data_stream",
        "",
        "GET",
        "/_data_stream/essnap-logs",
        None,
    )?;
    r.rec(
        "indices.get_data_stream",
        "all",
        "GET",
        "/_data_stream",
        None,
    )?;

    // --- repositories
    r.rec(
        "snapshot.create_repository",
        "",
        "PUT",
        "/_snapshot/repo",
        Some(r#"{"type":"fs","settings":{"location":"capture"}}"#),
    )?;
    r.rec(
        "snapshot.create_repository",
        "throttled",
        "PUT",
        "/_snapshot/slow",
        Some(&format!(
            r#"{{"type":"fs","settings":{{"location":"slow","max_snapshot_bytes_per_sec":"{throttle}b","max_restore_bytes_per_sec":"{throttle}b"}}}}"#
        )),
    )?;
    r.rec(
        "snapshot.create_repository",
        "outside_path_repo",
        "PUT",
        "/_snapshot/bad",
        Some(r#"{"type":"fs","settings":{"location":"/essnap-not-in-path-repo"}}"#),
    )?;
    r.rec(
        "snapshot.get_repository",
        "",
        "GET",
        "/_snapshot/repo",
        None,
    )?;
    r.rec("snapshot.get_repository", "all", "GET", "/_snapshot", None)?;
    r.rec(
        "snapshot.get_repository",
        "missing",
        "GET",
        "/_snapshot/nope",
        None,
    )?;
    r.rec(
        "snapshot.verify_repository",
        "",
        "POST",
        "/_snapshot/repo/_verify",
        None,
    )?;
    r.rec(
        "snapshot.verify_repository",
        "missing",
        "POST",
        "/_snapshot/nope/_verify",
        None,
    )?;

    // --- snapshots
    let snap_indices = if has_ds {
        "idx-a,idx-b,essnap-logs"
    } else {
        "idx-a,idx-b"
    };
    r.rec(
        "snapshot.create",
        "wait_for_completion",
        "PUT",
        "/_snapshot/repo/snap-1?wait_for_completion=true",
        Some(&format!(r#"{{"indices":"{snap_indices}","include_global_state":false,"metadata":{{"taken_by":"essnap-capture"}}}}"#)),
    )?;
    http.ok(
        "PUT",
        "/_snapshot/repo/snap-2?wait_for_completion=true",
        Some(r#"{"indices":"idx-a","include_global_state":true}"#),
    )?;
    r.rec(
        "snapshot.create",
        "accepted",
        "PUT",
        "/_snapshot/repo/snap-3",
        Some(r#"{"indices":"idx-b","include_global_state":false}"#),
    )?;
    wait_snapshot_done(&http, "repo", "snap-3", Duration::from_secs(120))?;
    r.rec(
        "snapshot.create",
        "uppercase",
        "PUT",
        "/_snapshot/repo/Snap-Upper",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.create",
        "exists",
        "PUT",
        "/_snapshot/repo/snap-1?wait_for_completion=true",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.create",
        "missing_repository",
        "PUT",
        "/_snapshot/nope/snap-x",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.create",
        "missing_index",
        "PUT",
        "/_snapshot/repo/snap-x?wait_for_completion=true",
        Some(r#"{"indices":"no-such-index"}"#),
    )?;

    r.rec(
        "snapshot.get",
        "verbose",
        "GET",
        "/_snapshot/repo/_all",
        None,
    )?;
    r.rec("snapshot.get", "one", "GET", "/_snapshot/repo/snap-1", None)?;
    r.rec(
        "snapshot.get",
        "verbose_false",
        "GET",
        "/_snapshot/repo/_all?verbose=false",
        None,
    )?;
    let page = r.rec(
        "snapshot.get",
        "paged_size2",
        "GET",
        "/_snapshot/repo/_all?size=2&sort=name",
        None,
    )?;
    if let Some(next) = page.json()["next"].as_str() {
        r.rec(
            "snapshot.get",
            "paged_after",
            "GET",
            &format!("/_snapshot/repo/_all?size=2&sort=name&after={next}"),
            None,
        )?;
    }
    r.rec(
        "snapshot.get",
        "missing_snapshot",
        "GET",
        "/_snapshot/repo/nope",
        None,
    )?;
    r.rec(
        "snapshot.get",
        "missing_repository",
        "GET",
        "/_snapshot/nope/_all",
        None,
    )?;
    r.rec(
        "snapshot.get",
        "current_idle",
        "GET",
        "/_snapshot/repo/_current",
        None,
    )?;
    r.rec(
        "snapshot.status",
        "done",
        "GET",
        "/_snapshot/repo/snap-1/_status",
        None,
    )?;
    r.rec(
        "snapshot.status",
        "missing_snapshot",
        "GET",
        "/_snapshot/repo/nope/_status",
        None,
    )?;
    r.rec("snapshot.status", "idle", "GET", "/_snapshot/_status", None)?;

    // --- a throttled snapshot: running status, current, concurrent snapshot
    r.rec(
        "snapshot.create",
        "accepted_throttled",
        "PUT",
        "/_snapshot/slow/slow-1",
        Some(r#"{"indices":"big","include_global_state":false}"#),
    )?;
    let st = r.rec(
        "snapshot.status",
        "running_probe",
        "GET",
        "/_snapshot/slow/slow-1/_status",
        None,
    )?;
    let running_state =
        find_snapshot(&st.json(), "slow-1").and_then(|s| s["state"].as_str().map(str::to_string));
    rename_probe(
        &dir,
        &mut r.written,
        "snapshot.status",
        "running_probe",
        st.status,
        running_state.as_deref(),
    )?;
    r.rec(
        "snapshot.status",
        "current",
        "GET",
        "/_snapshot/_status",
        None,
    )?;
    r.rec(
        "snapshot.get",
        "current",
        "GET",
        "/_snapshot/slow/_current",
        None,
    )?;
    r.rec(
        "cat.snapshots",
        "running",
        "GET",
        "/_cat/snapshots/slow?format=json",
        None,
    )?;
    let concurrent = r.rec(
        "snapshot.create",
        "concurrent",
        "PUT",
        "/_snapshot/slow/slow-2",
        Some(r#"{"indices":"idx-a","include_global_state":false}"#),
    )?;
    let slow_state = wait_snapshot_done(&http, "slow", "slow-1", Duration::from_secs(300))?;
    eprintln!("capture: slow-1 finished: {slow_state}");
    if concurrent.status == 200 {
        wait_snapshot_done(&http, "slow", "slow-2", Duration::from_secs(120))?;
    }
    r.rec(
        "snapshot.status",
        "done_throttled",
        "GET",
        "/_snapshot/slow/slow-1/_status",
        None,
    )?;

    // --- clone (ES 7.10+, OpenSearch)
    r.rec(
        "snapshot.clone",
        "",
        "PUT",
        "/_snapshot/repo/snap-2/_clone/snap-2-clone",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    // a subset of a snapshot that also holds a data stream (OpenSearch 2.19 answers 500 null_pointer_exception)
    r.rec(
        "snapshot.clone",
        "subset",
        "PUT",
        "/_snapshot/repo/snap-1/_clone/snap-1-clone",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.clone",
        "missing_snapshot",
        "PUT",
        "/_snapshot/repo/nope/_clone/nope-clone",
        Some(r#"{"indices":"idx-a"}"#),
    )?;

    // --- cat / indices
    r.rec(
        "cat.snapshots",
        "",
        "GET",
        "/_cat/snapshots/repo?format=json",
        None,
    )?;
    r.rec(
        "cat.indices",
        "",
        "GET",
        "/_cat/indices?format=json&s=index",
        None,
    )?;
    r.rec("indices.get", "", "GET", "/idx-a", None)?;
    r.rec("indices.get", "missing", "GET", "/no-such-index", None)?;

    // --- restores
    r.rec(
        "snapshot.restore",
        "open_index",
        "POST",
        "/_snapshot/repo/snap-1/_restore",
        Some(r#"{"indices":"idx-a","include_global_state":false}"#),
    )?;
    r.rec("indices.close", "", "POST", "/idx-a/_close", None)?;
    r.rec(
        "indices.close",
        "missing",
        "POST",
        "/no-such-index/_close",
        None,
    )?;
    r.rec(
        "snapshot.restore",
        "wait_for_completion",
        "POST",
        "/_snapshot/repo/snap-1/_restore?wait_for_completion=true",
        Some(r#"{"indices":"idx-a","include_global_state":false}"#),
    )?;
    wait_green(&http, "idx-a")?;
    http.ok("PUT", "/idx-c", Some(&shards(3)))?;
    http.ok("POST", "/idx-c/_close", None)?;
    r.rec(
        "snapshot.restore",
        "closed_index_shard_count",
        "POST",
        "/_snapshot/repo/snap-1/_restore?wait_for_completion=true",
        Some(r#"{"indices":"idx-b","rename_pattern":"idx-b","rename_replacement":"idx-c","include_global_state":false}"#),
    )?;
    r.rec("indices.open", "", "POST", "/idx-c/_open", None)?;
    r.rec(
        "indices.open",
        "missing",
        "POST",
        "/no-such-index/_open",
        None,
    )?;
    r.rec(
        "snapshot.restore",
        "missing_snapshot",
        "POST",
        "/_snapshot/repo/nope/_restore",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.restore",
        "missing_repository",
        "POST",
        "/_snapshot/nope/snap-1/_restore",
        Some(r#"{"indices":"idx-a"}"#),
    )?;
    r.rec(
        "snapshot.restore",
        "renamed",
        "POST",
        "/_snapshot/repo/snap-1/_restore",
        Some(r#"{"indices":"idx-b","rename_pattern":"idx-(.+)","rename_replacement":"restored-$1","include_global_state":false}"#),
    )?;
    wait_green(&http, "restored-b")?;

    // a throttled restore: recovery while it runs, then done
    r.rec(
        "snapshot.restore",
        "accepted",
        "POST",
        "/_snapshot/slow/slow-1/_restore",
        Some(r#"{"indices":"big","rename_pattern":"big","rename_replacement":"big-restored","include_global_state":false}"#),
    )?;
    // the recovery API answers `{}` until the restore has created the shards
    let deadline = Instant::now() + Duration::from_secs(20);
    while http
        .call("GET", "/big-restored/_recovery?detailed=false", None)?
        .json()["big-restored"]
        .is_null()
        && Instant::now() < deadline
    {
        thread::sleep(Duration::from_millis(50));
    }
    let rec = r.rec(
        "indices.recovery",
        "running_probe",
        "GET",
        "/big-restored/_recovery?detailed=false",
        None,
    )?;
    let stage = rec.json()["big-restored"]["shards"][0]["stage"]
        .as_str()
        .map(str::to_string);
    rename_probe(
        &dir,
        &mut r.written,
        "indices.recovery",
        "running_probe",
        rec.status,
        stage.as_deref(),
    )?;
    r.rec(
        "cat.recovery",
        "running",
        "GET",
        "/_cat/recovery/big-restored?format=json",
        None,
    )?;
    r.rec("snapshot.restore", "index_being_restored", "POST", "/_snapshot/slow/slow-1/_restore", Some(r#"{"indices":"big","rename_pattern":"big","rename_replacement":"big-restored","include_global_state":false}"#))?;
    wait_green(&http, "big-restored")?;
    r.rec(
        "indices.recovery",
        "done",
        "GET",
        "/big-restored/_recovery?detailed=false",
        None,
    )?;
    r.rec(
        "indices.recovery",
        "all_done",
        "GET",
        "/_recovery?detailed=false",
        None,
    )?;
    r.rec(
        "cat.recovery",
        "",
        "GET",
        "/_cat/recovery/big-restored?format=json",
        None,
    )?;
    r.rec("indices.get", "restored", "GET", "/restored-b", None)?;

    // --- deletes and cleanup
    r.rec(
        "snapshot.delete",
        "",
        "DELETE",
        "/_snapshot/repo/snap-2-clone",
        None,
    )?;
    r.rec(
        "snapshot.delete",
        "missing_snapshot",
        "DELETE",
        "/_snapshot/repo/nope",
        None,
    )?;
    r.rec(
        "snapshot.cleanup_repository",
        "",
        "POST",
        "/_snapshot/repo/_cleanup",
        None,
    )?;
    r.rec(
        "snapshot.delete_repository",
        "",
        "DELETE",
        "/_snapshot/slow",
        None,
    )?;
    r.rec(
        "snapshot.delete_repository",
        "missing",
        "DELETE",
        "/_snapshot/nope",
        None,
    )?;
    r.rec(
        "cat.indices",
        "end",
        "GET",
        "/_cat/indices?format=json&s=index",
        None,
    )?;

    let files = r.written.len();
    drop(cluster);
    eprintln!(
        "capture: {} done: {files} responses in {} (start {:.1}s, total {:.1}s)",
        spec.tag(),
        dir.display(),
        boot.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Renames a `*_probe` capture to what it turned out to be: `running` when the snapshot/recovery was still in
/// progress, `done_early` when it had already finished.
fn rename_probe(
    dir: &Path,
    written: &mut BTreeSet<String>,
    api: &str,
    probe: &str,
    status: u16,
    state: Option<&str>,
) -> Result<(), String> {
    if status >= 300 {
        return Ok(());
    }
    let variant = match state {
        Some(
            "STARTED" | "IN_PROGRESS" | "INIT" | "INDEX" | "VERIFY_INDEX" | "TRANSLOG" | "FINALIZE",
        ) => "running",
        _ => "done_early",
    };
    let from = format!("{api}.{status}.{probe}");
    let to = format!("{api}.{status}.{variant}");
    for ext in ["json", "meta.json"] {
        fs::rename(
            dir.join(format!("{from}.{ext}")),
            dir.join(format!("{to}.{ext}")),
        )
        .map_err(|e| e.to_string())?;
    }
    written.remove(&from);
    written.insert(to.clone());
    eprintln!(
        "         (probe saved as {to}.json, state {})",
        state.unwrap_or("?")
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// cross-version matrix

fn matrix_cmd(args: &[String]) -> Result<(), String> {
    let mut specs: Vec<Spec> = default_specs()?;
    let mut heap = "512m".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--versions" => {
                specs = val()?
                    .split(',')
                    .map(Spec::parse_tag)
                    .collect::<Result<_, _>>()?
            }
            "--heap" => heap = val()?,
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let started = Instant::now();
    let root = repo_root();
    let shared = root.join("clusters/work/matrix-repo");
    let _ = fs::remove_dir_all(&shared);
    fs::create_dir_all(&shared).map_err(|e| e.to_string())?;
    let fixtures = root.join("tests/fixtures/real/matrix");
    let _ = fs::remove_dir_all(&fixtures);
    fs::create_dir_all(&fixtures).map_err(|e| e.to_string())?;
    let options = |spec: &Spec| {
        let mut o = StartOptions::new(spec.clone());
        o.repo_path = Some(shared.clone());
        o.heap = heap.clone();
        o
    };

    // phase 1: one snapshot per version, each in its own folder of the shared repository path
    let mut sources = Vec::new();
    for spec in &specs {
        let tag = spec.tag();
        eprintln!("matrix: snapshot from {tag}");
        let cluster = match Cluster::start(&options(spec)) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("matrix: {tag} does not start, skipped: {e}");
                continue;
            }
        };
        let http = cluster.http();
        http.ok(
            "PUT",
            "/m-src",
            Some(r#"{"settings":{"index":{"number_of_shards":1,"number_of_replicas":0}}}"#),
        )?;
        http.ok(
            "PUT",
            "/m-src/_doc/1?refresh=true",
            Some(&format!(r#"{{"written_by":"{tag}"}}"#)),
        )?;
        http.ok(
            "PUT",
            "/_snapshot/m",
            Some(&format!(
                r#"{{"type":"fs","settings":{{"location":"{tag}"}}}}"#
            )),
        )?;
        let r = http.ok(
            "PUT",
            "/_snapshot/m/snap?wait_for_completion=true",
            Some(r#"{"indices":"m-src","include_global_state":false}"#),
        )?;
        if find_snapshot(&r.json(), "snap").and_then(|s| s["state"].as_str()) != Some("SUCCESS") {
            return Err(format!(
                "{tag}: snapshot did not succeed: {}",
                String::from_utf8_lossy(&r.body)
            ));
        }
        drop(cluster);
        sources.push(spec.clone());
    }

    // phase 2: every version restores every other version's snapshot from a read-only repository
    let mut rows = Vec::new();
    for cluster_spec in &sources {
        let ctag = cluster_spec.tag();
        eprintln!("matrix: restores on {ctag}");
        let cluster = Cluster::start(&options(cluster_spec))?;
        let http = cluster.http();
        for (i, snap_spec) in sources.iter().enumerate() {
            if snap_spec == cluster_spec {
                continue;
            }
            let stag = snap_spec.tag();
            let repo = format!("from-{i}");
            let save = |what: &str, r: &Resp| -> Result<(), String> {
                let name = format!("{ctag}.from.{stag}.{what}.{}", r.status);
                fs::write(fixtures.join(format!("{name}.json")), &r.body)
                    .map_err(|e| e.to_string())?;
                let meta = json!({"method": r.method, "path": r.path, "status": r.status,
                                  "headers": {"content-type": r.content_type}});
                fs::write(
                    fixtures.join(format!("{name}.meta.json")),
                    serde_json::to_string_pretty(&meta).unwrap() + "\n",
                )
                .map_err(|e| e.to_string())
            };
            let reg = http.call(
                "PUT",
                &format!("/_snapshot/{repo}"),
                Some(&format!(
                    r#"{{"type":"fs","settings":{{"location":"{stag}","readonly":true}}}}"#
                )),
            )?;
            save("snapshot.create_repository", &reg)?;
            let (outcome, status, error_type, reason, stage);
            let mut cause = String::new();
            if reg.status >= 300 {
                outcome = "refused";
                status = reg.status;
                error_type = reg.error_type();
                reason = reg.error_reason();
                cause = reg.error_cause();
                stage = "register_repository";
            } else {
                let get = http.call("GET", &format!("/_snapshot/{repo}/_all"), None)?;
                save("snapshot.get", &get)?;
                let res = http.call(
                    "POST",
                    &format!("/_snapshot/{repo}/snap/_restore?wait_for_completion=true"),
                    Some(&format!(
                        r#"{{"indices":"m-src","rename_pattern":"m-src","rename_replacement":"restored-{i}","include_global_state":false}}"#
                    )),
                )?;
                save("snapshot.restore", &res)?;
                let shards = &res.json()["snapshot"]["shards"];
                if res.status == 200
                    && shards["failed"].as_u64() == Some(0)
                    && shards["successful"].as_u64() > Some(0)
                {
                    // the restored data must be readable
                    let _ = wait_green(&http, &format!("restored-{i}"));
                    let count = http.call("GET", &format!("/restored-{i}/_count"), None)?;
                    if count.json()["count"].as_u64() == Some(1) {
                        outcome = "restored";
                        error_type = String::new();
                        reason = String::new();
                    } else {
                        outcome = "refused";
                        error_type = "not_readable".into();
                        reason = String::from_utf8_lossy(&count.body).into_owned();
                    }
                } else if res.status == 200 {
                    outcome = "refused";
                    error_type = "shard_failures".into();
                    reason = String::from_utf8_lossy(&res.body).into_owned();
                } else {
                    outcome = "refused";
                    error_type = res.error_type();
                    reason = res.error_reason();
                    cause = res.error_cause();
                }
                status = res.status;
                stage = "restore";
                let _ = http.call("DELETE", &format!("/restored-{i}"), None);
            }
            let _ = http.call("DELETE", &format!("/_snapshot/{repo}"), None);
            eprintln!(
                "  {stag} -> {ctag}: {outcome} {error_type} {}",
                reason.chars().take(160).collect::<String>()
            );
            rows.push(json!({
                "snapshot_dist": snap_spec.dist.name(),
                "snapshot_version": snap_spec.version,
                "cluster_dist": cluster_spec.dist.name(),
                "cluster_version": cluster_spec.version,
                "outcome": outcome,
                "error_type": if error_type.is_empty() { Value::Null } else { Value::String(error_type) },
                "reason": if reason.is_empty() { Value::Null } else { Value::String(reason) },
                "caused_by": if cause.is_empty() { Value::Null } else { Value::String(cause) },
                "http_status": status,
                "stage": stage,
            }));
        }
        drop(cluster);
    }

    let json_path = root.join("tests/fixtures/real/compat-matrix.json");
    fs::write(
        &json_path,
        serde_json::to_string_pretty(&rows).unwrap() + "\n",
    )
    .map_err(|e| e.to_string())?;
    let md_path = root.join("docs/compat-matrix.md");
    fs::create_dir_all(md_path.parent().unwrap()).map_err(|e| e.to_string())?;
    let versions = sources.iter().map(Spec::tag).collect::<Vec<_>>().join(",");
    fs::write(&md_path, matrix_markdown(&sources, &rows, &versions)).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&shared);
    eprintln!(
        "matrix: {} pairs in {:.0}s -> {} and {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        md_path.display(),
        json_path.display()
    );
    Ok(())
}

fn matrix_markdown(specs: &[Spec], rows: &[Value], versions: &str) -> String {
    let mut s = String::new();
    s.push_str("# Snapshot compatibility between real nodes\n\n");
    s.push_str(
        "Generated by `cargo xtask cluster matrix` (xtask/src/cluster.rs): each version below wrote one snapshot \
         (one index, one shard, one document) into its own folder of a shared `path.repo`; every other version then \
         registered that folder as a read-only `fs` repository and restored the index under a new name \
         (`wait_for_completion=true`). \"restored\" means the restore succeeded and the document count was right; \
         otherwise the server's own error type and reason are shown. Nodes are single-node OSS-like builds from the \
         jars on Maven Central, on Java 17 (OpenSearch 3.x on Java 21+). Machine-readable: \
         `tests/fixtures/real/compat-matrix.json`; raw responses: `tests/fixtures/real/matrix/`.\n\n",
    );
    s.push_str(&format!(
        "Regenerate with `cargo xtask cluster matrix --versions {versions}`.\n\n"
    ));
    s.push_str("Rows: snapshot written by; columns: restored on.\n\n| snapshot \\ cluster |");
    for c in specs {
        s.push_str(&format!(" {} {} |", c.dist.name(), c.version));
    }
    s.push_str("\n|---|");
    for _ in specs {
        s.push_str("---|");
    }
    s.push('\n');
    for sn in specs {
        s.push_str(&format!("| {} {} |", sn.dist.name(), sn.version));
        for c in specs {
            if c == sn {
                s.push_str(" (same) |");
                continue;
            }
            let row = rows.iter().find(|r| {
                r["snapshot_dist"] == sn.dist.name()
                    && r["snapshot_version"] == sn.version.as_str()
                    && r["cluster_dist"] == c.dist.name()
                    && r["cluster_version"] == c.version.as_str()
            });
            match row {
                Some(r) if r["outcome"] == "restored" => s.push_str(" restored |"),
                Some(r) => s.push_str(&format!(
                    " refused: `{}` |",
                    r["error_type"].as_str().unwrap_or("?")
                )),
                None => s.push_str(" – |"),
            }
        }
        s.push('\n');
    }
    s.push_str("\n## Refusals (exact reasons)\n\n| snapshot | cluster | stage | HTTP | error type | reason | innermost cause |\n|---|---|---|---|---|---|---|\n");
    for r in rows.iter().filter(|r| r["outcome"] == "refused") {
        s.push_str(&format!(
            "| {} {} | {} {} | {} | {} | `{}` | {} | {} |\n",
            r["snapshot_dist"].as_str().unwrap_or(""),
            r["snapshot_version"].as_str().unwrap_or(""),
            r["cluster_dist"].as_str().unwrap_or(""),
            r["cluster_version"].as_str().unwrap_or(""),
            r["stage"].as_str().unwrap_or(""),
            r["http_status"],
            r["error_type"].as_str().unwrap_or(""),
            r["reason"]
                .as_str()
                .unwrap_or("")
                .replace('|', "\\|")
                .replace('\n', " "),
            r["caused_by"]
                .as_str()
                .unwrap_or("")
                .replace('|', "\\|")
                .replace('\n', " "),
        ));
    }
    s
}
