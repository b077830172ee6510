//! `cargo xtask bench`: essnap against its peers (never part of `cargo xtask test`).
//!
//! Writes `benches/results.md` (one row per measurement, naming its peer and the ratio) and
//! `benches/results.json` (every figure, the machine and the date). Everything is compared as a
//! ratio measured in the same run; nothing here asserts a time. See benches/README.md.
//!
//! `cargo xtask bench [--quick] [--only size,decode,plan,cli,list,restore]`
//!
//! With `--only`, the rows of the groups not run are carried over from the previous results.json, so
//! results.md always shows every row (each carried group says so).

mod proxy;
mod real;

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

use crate::component::target_dir;
use crate::util::{has, output, root, run};

const WEB_BUDGET_GZ: u64 = 100 * 1024;

/// The groups, in the order results.md lists them.
const GROUPS: &[&str] = &["size", "decode", "plan", "cli", "list", "restore"];

struct Row {
    group: String,
    what: String,
    essnap: String,
    peer: String,
    peer_value: String,
    ratio: Option<f64>,
    budget: String,
    verdict: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    figures: serde_json::Map<String, Value>,
    /// (group, what was not measured and why)
    missing: Vec<(String, String)>,
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    fn row(&mut self, group: &str, what: &str, essnap: String, peer: &str, peer_value: String, ratio: Option<f64>, budget: &str, ok: Option<bool>) {
        let verdict = match ok {
            Some(true) => "within".to_string(),
            Some(false) => "**over**".to_string(),
            None => "—".to_string(),
        };
        self.rows.push(Row { group: group.into(), what: what.into(), essnap, peer: peer.into(), peer_value, ratio, budget: budget.into(), verdict });
    }

    fn missing(&mut self, group: &str, text: String) {
        self.missing.push((group.to_string(), text));
    }
}

pub fn main(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let only: Option<Vec<String>> = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(|s| s.split(',').map(str::to_string).collect());
    let want = |k: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == k));
    let tmp = std::env::temp_dir().join(format!("essnap-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let mut rep = Report::default();
    let runs = if quick { 5 } else { 15 };

    let ran: Vec<&str> = GROUPS.iter().copied().filter(|g| want(g)).collect();
    if let Some(o) = &only
        && let Some(bad) = o.iter().find(|g| !GROUPS.contains(&g.as_str()))
    {
        return Err(format!("unknown group `{bad}` (groups: {})", GROUPS.join(",")));
    }
    let benches = bench_binary()?;
    if want("size") || want("plan") || want("cli") || want("list") || want("restore") {
        fresh_components()?;
    }
    if want("size") {
        size(&mut rep)?;
    }
    if want("decode") {
        decode(&mut rep, &benches, &tmp, runs)?;
    }
    if want("plan") {
        plan(&mut rep, &benches, runs)?;
        plan_wasmtime(&mut rep, runs)?;
    }
    let need_cli = want("cli") || want("list") || want("restore");
    let cli = if need_cli { Some(cli_binary()?) } else { None };
    let sandbox = if need_cli { Some(sandbox_binary()?) } else { None };
    if let (Some(cli), Some(sb)) = (&cli, &sandbox) {
        if want("cli") {
            cli_rows(&mut rep, cli, sb, &benches, &tmp, quick)?;
        }
        if want("list") {
            list_rows(&mut rep, cli, sb, &benches, &tmp, quick)?;
        }
    }
    if let Some(cli) = &cli
        && (want("list") || want("restore"))
    {
        real::rows(&mut rep, cli, &tmp, quick, want("list"), want("restore"));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    write_results(&rep, &ran)
}

// ---------------------------------------------------------------------------------------------
// Artifacts (built when missing)

fn bench_binary() -> Result<PathBuf, String> {
    run("cargo", &["build", "-p", "essnap-benches", "--bin", "essnap-benches", "--release", "--quiet"])?;
    exists(target_dir().join("release/essnap-benches"))
}

/// The wasmtime plan bench (links wasmtime, so it is built only for the `plan` group).
fn wasm_bench_binary() -> Result<PathBuf, String> {
    run("cargo", &["build", "-p", "essnap-benches", "--bin", "essnap-bench-wasm", "--release", "--quiet"])?;
    exists(target_dir().join("release/essnap-bench-wasm"))
}

/// `cargo xtask component`, keeping a component file's modification time when its bytes did not change (so
/// the CLI, which embeds the client component, is not rebuilt for nothing).
fn fresh_components() -> Result<(), String> {
    let dir = target_dir().join("component");
    let before: Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> = ["essnap-client.wasm", "essnap-core.wasm"]
        .iter()
        .map(|f| dir.join(f))
        .filter_map(|p| Some((p.clone(), std::fs::read(&p).ok()?, std::fs::metadata(&p).ok()?.modified().ok()?)))
        .collect();
    crate::component::main()?;
    for (p, bytes, mtime) in before {
        if std::fs::read(&p).is_ok_and(|now| now == bytes) {
            let _ = std::fs::File::options().write(true).open(&p).and_then(|f| f.set_modified(mtime));
        }
    }
    Ok(())
}

/// The release CLI, rebuilt when the sources (or the component) changed.
fn cli_binary() -> Result<PathBuf, String> {
    run("cargo", &["build", "-p", "essnap-cli", "--release", "--quiet"])?;
    exists(target_dir().join("release/essnap"))
}

/// The sandbox in release mode: the same server answers essnap and its peers.
fn sandbox_binary() -> Result<PathBuf, String> {
    run("cargo", &["build", "-p", "essnap-sandbox", "--release", "--quiet"])?;
    exists(target_dir().join("release/essnap-sandbox"))
}

fn exists(p: PathBuf) -> Result<PathBuf, String> {
    if p.exists() { Ok(p) } else { Err(format!("{} was not built", p.display())) }
}

fn gz_len(bytes: &[u8]) -> u64 {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(bytes);
    gz.finish().map(|v| v.len() as u64).unwrap_or(0)
}

fn kib(b: u64) -> String {
    format!("{:.1} KiB", b as f64 / 1024.0)
}

// ---------------------------------------------------------------------------------------------
// Row 1: sizes

fn size(rep: &mut Report) -> Result<(), String> {
    let pkg = root().join("bindings/web/pkg");
    let files = ["essnap_web_bg.wasm", "essnap_web.js", "index.js"];
    if files.iter().any(|f| !pkg.join(f).exists()) {
        crate::web::setup()?;
        crate::web::build()?;
    }
    let (mut raw, mut gz) = (0u64, 0u64);
    let mut per_file = serde_json::Map::new();
    for f in files {
        let b = std::fs::read(pkg.join(f)).map_err(|e| format!("{f}: {e}"))?;
        let g = gz_len(&b);
        raw += b.len() as u64;
        gz += g;
        per_file.insert(f.into(), json!({ "raw": b.len(), "gz": g }));
    }
    rep.row(
        "size",
        "web package (wasm + JS glue + index.js), gzip -9",
        kib(gz),
        "budget (100 KiB gz)",
        kib(WEB_BUDGET_GZ),
        Some(gz as f64 / WEB_BUDGET_GZ as f64),
        "≤ 1.00",
        Some(gz <= WEB_BUDGET_GZ),
    );
    rep.figures.insert("size_web".into(), json!({ "files": per_file, "raw": raw, "gz": gz, "budget_gz": WEB_BUDGET_GZ }));

    let comp = target_dir().join("component");
    let mut comps = serde_json::Map::new();
    for world in ["client", "core"] {
        let b = std::fs::read(comp.join(format!("essnap-{world}.wasm"))).map_err(|e| format!("component {world}: {e}"))?;
        let g = gz_len(&b);
        comps.insert(world.into(), json!({ "raw": b.len(), "gz": g }));
        rep.row(
            "size",
            &format!("component `{world}` world (raw / gz)"),
            format!("{} / {}", kib(b.len() as u64), kib(g)),
            "web package wasm+JS gz",
            kib(gz),
            Some(g as f64 / gz as f64),
            "—",
            None,
        );
    }
    rep.figures.insert("size_components".into(), Value::Object(comps));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Row 2: decode

fn json_out(cmd: &mut Command) -> Result<Value, String> {
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last).map_err(|e| format!("{cmd:?}: bad output {last:?}: {e}"))
}

fn f(v: &Value, path: &[&str]) -> f64 {
    path.iter().fold(v, |v, k| &v[*k]).as_f64().unwrap_or(f64::NAN)
}

fn ms(x: f64) -> String {
    format!("{x:.1} ms")
}

fn decode(rep: &mut Report, benches: &Path, tmp: &Path, runs: usize) -> Result<(), String> {
    let body = tmp.join("snapshots-10000.json");
    let body_s = body.to_string_lossy().into_owned();
    let generated = json_out(Command::new(benches).args(["gen-snapshots", "10000", &body_s]))?;
    let native = json_out(Command::new(benches).args(["decode", &body_s, &runs.to_string()]))?;
    let pkg = root().join("bindings/web/pkg");
    let script = root().join("benches/node/decode.mjs");
    let node = json_out(Command::new("node").arg(&script).arg(&pkg).arg(&body).arg(runs.to_string()))?;
    let peer = f(&node, &["median_ms", "js_parse_map"]);
    let ess = f(&node, &["median_ms", "essnap_decode_bytes"]);
    let ess_s = f(&node, &["median_ms", "essnap_decode_string"]);
    let nat = f(&native, &["median_ms"]);
    let mb = f(&generated, &["bytes"]) / 1e6;
    let what = format!("decode 10,000 verbose snapshots ({mb:.1} MB) in Node {}", node["node"].as_str().unwrap_or("?"));
    // The budget row: the listing decode against a JS user's JSON.parse + map to the same 12 fields.
    let list = f(&node, &["median_ms", "essnap_list_bytes"]);
    let list_peer = f(&node, &["median_ms", "js_parse_list"]);
    let list_bytes_peer = f(&node, &["median_ms", "js_bytes_parse_list"]);
    rep.row("decode", &format!("{what}: `decodeSnapshotList()` from bytes (12 listed fields)"), ms(list), "JSON.parse + JS map to the same fields (string)", ms(list_peer), Some(list / list_peer), "≤ 1.0", Some(list <= list_peer));
    rep.row("decode", &format!("{what}: `decodeSnapshotList()` from bytes (12 listed fields)"), ms(list), "TextDecoder + JSON.parse + JS map (bytes)", ms(list_bytes_peer), Some(list / list_bytes_peer), "—", None);
    // The full model (every field, for planning) is a reference: it builds every object twice.
    rep.row("decode", &format!("{what}: full-model `decode()` from bytes"), ms(ess), "JSON.parse + JS map (string)", ms(peer), Some(ess / peer), "—", None);
    rep.row("decode", &format!("{what}: full-model `decode()` from a string"), ms(ess_s), "JSON.parse + JS map (string)", ms(peer), Some(ess_s / peer), "—", None);
    let bytes_peer = f(&node, &["median_ms", "js_bytes_parse_map"]);
    rep.row("decode", &format!("{what}: full-model `decode()` from bytes"), ms(ess), "TextDecoder + JSON.parse + JS map (bytes)", ms(bytes_peer), Some(ess / bytes_peer), "—", None);
    rep.row("decode", "same body, native Rust (essnap::json into essnap's model), reference", ms(nat), "JSON.parse + JS map (string)", ms(peer), Some(nat / peer), "—", None);
    rep.figures.insert("decode".into(), json!({ "body": generated, "node": node, "native": native }));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Row 3: plan

fn plan(rep: &mut Report, benches: &Path, runs: usize) -> Result<(), String> {
    let p = json_out(Command::new(benches).args(["plan", "10000", &runs.to_string()]))?;
    let m = f(&p, &["median_ms"]);
    rep.row(
        "plan",
        "restore plan, 10,000 indices (half open, close_conflicting), native Rust release",
        ms(m),
        "budget (50 ms, meant for wasmtime)",
        ms(50.0),
        Some(m / 50.0),
        "< 1.0",
        Some(m < 50.0),
    );
    rep.figures.insert("plan_native".into(), p);
    Ok(())
}

/// The same plan through the `core` component in wasmtime (release host, the CLI's engine configuration).
fn plan_wasmtime(rep: &mut Report, runs: usize) -> Result<(), String> {
    let core = target_dir().join("component/essnap-core.wasm");
    let bin = wasm_bench_binary()?;
    let runs = runs.max(11);
    let p = json_out(Command::new(&bin).arg("plan").arg(&core).args(["10000", &runs.to_string()]))?;
    let (m, last, native) = (f(&p, &["median_ms"]), f(&p, &["last_step_median_ms"]), f(&p, &["native_median_ms"]));
    let within_50ms = |rep: &mut Report, what: &str, m: f64| rep.row("plan", what, ms(m), "budget (50 ms)", ms(50.0), Some(m / 50.0), "< 1.0", Some(m < 50.0));
    within_50ms(
        rep,
        &format!(
            "restore plan, 10,000 indices (half open, close_conflicting), through the `core` component in wasmtime 48, release host: \
             `restore-planner` fed the answers to its 3 reads, median of {runs} (last step alone — decode `_cat/indices`, plan, lower the plan: {})",
            ms(last)
        ),
        m,
    );
    rep.row(
        "plan",
        "the same planner run in wasmtime vs natively (gather machine + plan_restore + render + JSON on the same answers, same process)",
        ms(m),
        "native Rust release",
        ms(native),
        Some(m / native),
        "—",
        None,
    );
    rep.figures.insert("plan_wasmtime".into(), p);

    // The same with every name renamed (a prefix: the Java-regex rename on each of the 10,000).
    let p = json_out(Command::new(&bin).arg("plan").arg(&core).args(["10000", &runs.to_string(), "--prefix", "restored-"]))?;
    let (m, native) = (f(&p, &["median_ms"]), f(&p, &["native_median_ms"]));
    within_50ms(
        rep,
        &format!("the same plan with a prefix rename (every name through the Java-regex `replaceAll`), in wasmtime, median of {runs} (native: {})", ms(native)),
        m,
    );
    rep.figures.insert("plan_wasmtime_prefix".into(), p);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sandbox processes

struct Sandbox {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Sandbox {
    fn start(bin: &Path, seed: &Path, log: PathBuf) -> Result<Self, String> {
        // append mode, so truncating the log between measurements leaves no hole of NULs
        std::fs::write(&log, b"").map_err(|e| format!("{}: {e}", log.display()))?;
        let err = std::fs::OpenOptions::new().append(true).open(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(bin)
            .args(["--port", "0", "--seed"])
            .arg(seed)
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .map_err(|e| format!("sandbox: {e}"))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).map_err(|e| format!("sandbox: {e}"))?;
        let url = line.trim().to_string();
        if !url.starts_with("http") {
            let _ = child.kill();
            return Err(format!("sandbox printed {url:?} instead of its URL"));
        }
        Ok(Sandbox { child, url, log })
    }

    /// Request lines logged since the last `clear_log` (`GET /path?query`).
    fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| l.trim_start_matches('\0').strip_prefix("[essnap-sandbox] "))
            .filter_map(|l| l.split(" -> ").next())
            .map(str::to_string)
            .collect()
    }

    fn clear_log(&self) {
        let _ = std::fs::OpenOptions::new().write(true).truncate(true).open(&self.log);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Timing commands: hyperfine when present, else a plain loop

/// Median wall time (ms) of `cmd`, with `prepare` run before each timing (not timed).
fn time_cmd(cmd: &[String], env: &[(&str, &Path)], runs: usize, warmup: usize, prepare: Option<&Path>, tmp: &Path) -> Result<f64, String> {
    if has("hyperfine", "--version") {
        let out = tmp.join("hyperfine.json");
        let mut c = Command::new("hyperfine");
        c.args(["-N", "--style", "none", "--runs", &runs.to_string(), "--warmup", &warmup.to_string(), "--export-json"]).arg(&out);
        if let Some(dir) = prepare {
            c.arg("--prepare").arg(format!("rm -rf {}", dir.display()));
        }
        c.arg(cmd.join(" "));
        for (k, v) in env {
            c.env(k, v);
        }
        let st = c.stdout(Stdio::null()).stderr(Stdio::inherit()).status().map_err(|e| format!("hyperfine: {e}"))?;
        if !st.success() {
            return Err(format!("hyperfine {cmd:?} failed"));
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        return Ok(v["results"][0]["median"].as_f64().unwrap_or(f64::NAN) * 1000.0);
    }
    let mut times = Vec::new();
    for i in 0..warmup + runs {
        if let Some(dir) = prepare {
            let _ = std::fs::remove_dir_all(dir);
        }
        let t = Instant::now();
        let st = Command::new(&cmd[0]).args(&cmd[1..]).envs(env.iter().map(|(k, v)| (*k, *v))).stdout(Stdio::null()).status().map_err(|e| e.to_string())?;
        let el = t.elapsed().as_secs_f64() * 1000.0;
        if !st.success() {
            return Err(format!("{cmd:?} failed"));
        }
        if i >= warmup {
            times.push(el);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// Row 4: CLI start-up and `info` end to end

fn cli_rows(rep: &mut Report, cli: &Path, sb: &Path, benches: &Path, tmp: &Path, quick: bool) -> Result<(), String> {
    let seed = tmp.join("seed-small.json");
    json_out_or_none(Command::new(benches).args(["gen-seed", "10"]).arg(&seed))?;
    let sandbox = Sandbox::start(sb, &seed, tmp.join("sandbox-cli.log"))?;
    let cache = tmp.join("cache");
    let info = vec![s(cli), "--url".into(), sandbox.url.clone(), "info".into()];
    let curl = vec!["curl".into(), "-sS".into(), "-o".into(), "/dev/null".into(), format!("{}/", sandbox.url)];
    let env = [("ESSNAP_CACHE_DIR", cache.as_path())];
    let (runs, cold_runs) = if quick { (10, 3) } else { (30, 5) };
    let cold = time_cmd(&info, &env, cold_runs, 0, Some(&cache), tmp)?;
    let warm = time_cmd(&info, &env, runs, 3, None, tmp)?;
    let version = time_cmd(&[s(cli), "--version".into()], &env, runs, 3, None, tmp)?;
    let curl_ms = time_cmd(&curl, &[], runs, 3, None, tmp)?;
    sandbox.clear_log();
    let _ = Command::new(cli).args(["--url", &sandbox.url, "info"]).env("ESSNAP_CACHE_DIR", &cache).stdout(Stdio::null()).status();
    let info_requests = sandbox.requests();
    rep.row("cli", "`essnap info`, cold component cache (compiles the component)", ms(cold), "curl GET /", ms(curl_ms), Some(cold / curl_ms), "—", None);
    rep.row("cli", "`essnap info`, warm component cache", ms(warm), "curl GET /", ms(curl_ms), Some(warm / curl_ms), "≤ 1.3", Some(warm <= 1.3 * curl_ms));
    rep.row("cli", "`essnap --version` (process start-up, no component)", ms(version), "curl GET /", ms(curl_ms), Some(version / curl_ms), "—", None);
    let tool = if has("hyperfine", "--version") { output("hyperfine", &["--version"]).unwrap_or_default().trim().to_string() } else { "loop".into() };
    rep.figures.insert(
        "cli".into(),
        json!({ "timer": tool, "info_cold_ms": cold, "info_warm_ms": warm, "version_ms": version, "curl_ms": curl_ms,
                "info_requests": info_requests, "runs": runs, "cold_runs": cold_runs }),
    );
    Ok(())
}

fn json_out_or_none(cmd: &mut Command) -> Result<(), String> {
    let st = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("{cmd:?} failed ({st})")) }
}

// ---------------------------------------------------------------------------------------------
// Row 5: listing 10,000 and 100,000 snapshots, all pages

struct Listing {
    pages: usize,
    wall_ms: f64,
    max_rss_kb: u64,
    uris: Vec<String>,
}

/// Every page of `bench` with `--json`, one essnap process per page (following `next`),
/// each under `/usr/bin/time -v` when present.
fn list_all(cli: &Path, sandbox: &Sandbox, cache: &Path, limit: usize) -> Result<Listing, String> {
    let use_time = Path::new("/usr/bin/time").exists();
    sandbox.clear_log();
    let (mut after, mut pages, mut max_rss) = (None::<String>, 0, 0u64);
    let t = Instant::now();
    loop {
        let mut c = if use_time {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-v").arg(cli);
            c
        } else {
            Command::new(cli)
        };
        c.args(["--url", &sandbox.url, "--json", "snapshots", "bench", "--limit", &limit.to_string()]);
        if let Some(a) = &after {
            c.args(["--after", a]);
        }
        let out = c.env("ESSNAP_CACHE_DIR", cache).output().map_err(|e| format!("essnap: {e}"))?;
        if !out.status.success() {
            return Err(format!("essnap snapshots failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let err = String::from_utf8_lossy(&out.stderr);
        if let Some(kb) = err.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): ")) {
            max_rss = max_rss.max(kb.trim().parse().unwrap_or(0));
        }
        let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("essnap --json output: {e}"))?;
        pages += 1;
        match v["next"].as_str() {
            Some(n) if v["remaining"].as_u64().unwrap_or(0) > 0 => after = Some(n.to_string()),
            _ => break,
        }
        if pages > 10_000 {
            return Err("too many pages".into());
        }
    }
    let wall_ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(Listing { pages, wall_ms, max_rss_kb: max_rss, uris: sandbox.requests() })
}

/// The same snapshot pages with curl, one process per page (the connect-time `GET /` left out).
fn curl_pages(sandbox: &Sandbox, uris: &[String]) -> Result<(f64, usize), String> {
    let pages: Vec<&str> = uris.iter().filter_map(|u| u.strip_prefix("GET ")).filter(|p| p.starts_with("/_snapshot/")).collect();
    let t = Instant::now();
    for p in &pages {
        let st = Command::new("curl").args(["-sS", "-o", "/dev/null", &format!("{}{p}", sandbox.url)]).status().map_err(|e| format!("curl: {e}"))?;
        if !st.success() {
            return Err(format!("curl {p} failed"));
        }
    }
    Ok((t.elapsed().as_secs_f64() * 1000.0, pages.len()))
}

fn list_rows(rep: &mut Report, cli: &Path, sb: &Path, benches: &Path, tmp: &Path, quick: bool) -> Result<(), String> {
    let cache = tmp.join("cache-list");
    let limit = 10_000;
    let sizes: &[usize] = if quick { &[10_000] } else { &[10_000, 100_000] };
    let mut figures = Vec::new();
    let mut rss = Vec::new();
    for &n in sizes {
        let seed = tmp.join(format!("seed-{n}.json"));
        json_out_or_none(Command::new(benches).args(["gen-seed", &n.to_string()]).arg(&seed))?;
        let sandbox = Sandbox::start(sb, &seed, tmp.join(format!("sandbox-{n}.log")))?;
        // warm the component cache and the sandbox once
        let _ = Command::new(cli).args(["--url", &sandbox.url, "info"]).env("ESSNAP_CACHE_DIR", &cache).stdout(Stdio::null()).status();
        let l = list_all(cli, &sandbox, &cache, limit)?;
        let (curl_ms, curl_pages_n) = curl_pages(&sandbox, &l.uris)?;
        // a second pass of each, take the smaller (less noise from a cold page cache)
        let l2 = list_all(cli, &sandbox, &cache, limit)?;
        let (curl2, _) = curl_pages(&sandbox, &l2.uris)?;
        let (ess, peer) = (l.wall_ms.min(l2.wall_ms), curl_ms.min(curl2));
        rep.row(
            "list",
            &format!("all {n} snapshots, {} page(s) of {limit} (`essnap --json snapshots`, one process per page)", l.pages),
            ms(ess),
            "curl of the same pages",
            ms(peer),
            Some(ess / peer),
            "—",
            None,
        );
        rss.push((n, l.max_rss_kb.max(l2.max_rss_kb)));
        figures.push(json!({ "snapshots": n, "limit": limit, "pages": l.pages, "essnap_ms": [l.wall_ms, l2.wall_ms], "curl_ms": [curl_ms, curl2],
                             "curl_pages": curl_pages_n, "essnap_max_rss_kb": l.max_rss_kb.max(l2.max_rss_kb), "requests": l.uris }));
    }
    if rss.len() == 2 && rss[0].1 > 0 {
        let (a, b) = (rss[0], rss[1]);
        let r = b.1 as f64 / a.1 as f64;
        rep.row(
            "list",
            &format!("peak RSS of an essnap page process, {} vs {} snapshots", b.0, a.0),
            format!("{:.1} MiB", b.1 as f64 / 1024.0),
            &format!("essnap at {} snapshots", a.0),
            format!("{:.1} MiB", a.1 as f64 / 1024.0),
            Some(r),
            "flat (≤ 1.1)",
            Some(r <= 1.1),
        );
    } else if rss.iter().all(|x| x.1 == 0) {
        rep.missing("list", "peak RSS: /usr/bin/time not found (Debian package `time`)".into());
    }
    rep.figures.insert("list".into(), Value::Array(figures));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Output

/// The figure keys belong to the group their name starts with (`plan_native` → `plan`).
fn figure_group(key: &str) -> &str {
    key.split('_').next().unwrap_or(key)
}

fn write_results(rep: &Report, ran: &[&str]) -> Result<(), String> {
    let date = output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]).unwrap_or_default().trim().to_string();
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())).unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())).unwrap_or_default();
    let machine = json!({
        "os": std::env::consts::OS, "arch": std::env::consts::ARCH, "cpu": cpu, "cores": cores, "mem_kb": mem,
        "kernel": output("uname", &["-r"]).unwrap_or_default().trim(),
        "rustc": output("rustc", &["--version"]).unwrap_or_default().trim(),
        "node": output("node", &["--version"]).unwrap_or_default().trim(),
        "curl": output("curl", &["--version"]).unwrap_or_default().lines().next().unwrap_or(""),
        "git": output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default().trim(),
        "git_dirty": output("git", &["status", "--porcelain"]).is_some_and(|s| !s.trim().is_empty()),
    });
    let dir = root().join("benches");

    // Groups not run this time keep their rows, figures and notes from the previous results.json.
    let previous: Value = std::fs::read_to_string(dir.join("results.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    let prev_date = previous["date"].as_str().unwrap_or("an earlier run").to_string();
    let carried_groups: Vec<&str> = GROUPS.iter().copied().filter(|g| !ran.contains(g)).collect();
    let is_carried = |g: &str| carried_groups.contains(&g);
    let new_rows: Vec<Value> = rep
        .rows
        .iter()
        .map(|r| json!({ "group": r.group, "what": r.what, "essnap": r.essnap, "peer": r.peer, "peer_value": r.peer_value, "ratio": r.ratio, "budget": r.budget, "verdict": r.verdict }))
        .collect();
    let old_rows: Vec<Value> = previous["rows"].as_array().cloned().unwrap_or_default();
    let mut rows = Vec::new();
    let mut carried = Vec::new();
    for g in GROUPS {
        let from_old = is_carried(g);
        let src = if from_old { &old_rows } else { &new_rows };
        let mut these: Vec<Value> = src.iter().filter(|r| r["group"] == *g).cloned().collect();
        if from_old {
            for r in &mut these {
                if r.get("carried_from").is_none() {
                    r["carried_from"] = json!(prev_date);
                }
            }
            if !these.is_empty() {
                carried.push((*g, these[0]["carried_from"].as_str().unwrap_or(&prev_date).to_string()));
            }
        }
        rows.extend(these);
    }
    let mut figures = rep.figures.clone();
    if let Some(old) = previous["figures"].as_object() {
        for (k, v) in old {
            if is_carried(figure_group(k)) && !figures.contains_key(k) {
                figures.insert(k.clone(), v.clone());
            }
        }
    }
    let mut missing: Vec<Value> = rep.missing.iter().map(|(g, t)| json!({ "group": g, "text": t })).collect();
    for m in previous["missing"].as_array().into_iter().flatten() {
        // older files listed plain strings, without their group: they are dropped
        if let Some(g) = m["group"].as_str()
            && is_carried(g)
        {
            missing.push(m.clone());
        }
    }
    missing.sort_by_key(|m| GROUPS.iter().position(|g| m["group"] == *g).unwrap_or(GROUPS.len()));

    let all = json!({ "date": date, "machine": machine, "groups_run": ran, "rows": rows, "figures": figures, "missing": missing });
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("results.json"), text + "\n").map_err(|e| format!("results.json: {e}"))?;

    let mut md = format!(
        "# essnap benchmark results\n\n{date} — {cpu}, {cores} cores, {} {}, {}, node {}. Written by `cargo xtask bench`; \
         ratios are essnap ÷ peer measured in the same run (lower is better). All figures: results.json.\n",
        std::env::consts::OS,
        std::env::consts::ARCH,
        machine["rustc"].as_str().unwrap_or(""),
        machine["node"].as_str().unwrap_or("")
    );
    if !carried.is_empty() {
        let list: Vec<String> = carried.iter().map(|(g, d)| format!("`{g}` ({d})")).collect();
        md += &format!("\nThis run measured {}; the rows of {} are carried over from earlier runs (their dates in brackets).\n", ran.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "), list.join(", "));
    }
    md += "\n| row | measurement | essnap | peer | peer value | ratio | budget | verdict |\n|---|---|---|---|---|---|---|---|\n";
    let cell = |v: &Value, k: &str| v[k].as_str().unwrap_or("").replace('|', "\\|");
    for r in &rows {
        let ratio = r["ratio"].as_f64().map_or("—".into(), |x| format!("{x:.2}"));
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(r, "group"),
            cell(r, "what"),
            cell(r, "essnap"),
            cell(r, "peer"),
            cell(r, "peer_value"),
            ratio,
            cell(r, "budget"),
            cell(r, "verdict")
        );
    }
    if !missing.is_empty() {
        md += "\n## Not measured\n\n";
        for m in &missing {
            md += &format!("- {}: {}\n", m["group"].as_str().unwrap_or(""), m["text"].as_str().unwrap_or(""));
        }
    }
    std::fs::write(dir.join("results.md"), &md).map_err(|e| format!("results.md: {e}"))?;
    print!("{md}");
    Ok(())
}
