//! `cargo xtask web [build|test]`: the npm package `essnap` (bindings/web) — wasm-bindgen glue,
//! wasm-opt from npm `binaryen`, the hand-written wrapper and types — and its Node and browser
//! (headless Chromium) tests against the sandbox.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{apt_install, has, output, root, run};

/// wasm-bindgen-cli must match the `wasm-bindgen` crate exactly.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// The package's budget: wasm + JS, gzipped.
const BUDGET_GZ: u64 = 100 * 1024;
const CHROMIUM: &str = "/usr/bin/chromium";

fn web_dir() -> PathBuf {
    root().join("bindings/web")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).map_or_else(|| root().join("target"), |p| if p.is_absolute() { p } else { root().join(p) })
}

/// Runs `program args` in `dir` with extra environment.
fn run_in(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("+ (cd {}) {program} {}", dir.display(), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{program} {}` failed ({status})", args.join(" "))) }
}

/// wasm-bindgen-cli (exact version), the npm packages, Debian chromium. Quick when present.
pub fn setup() -> Result<(), String> {
    let version = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if version.split_whitespace().nth(1) != Some(WASM_BINDGEN_VERSION) {
        run("cargo", &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION, "--force"])?;
    }
    let web = web_dir();
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock).and_then(|m| m.modified()), std::fs::metadata(&installed).and_then(|m| m.modified())) {
        (Ok(l), Ok(i)) => i >= l,
        _ => false,
    };
    if !fresh {
        run_in(&web, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    }
    if !Path::new(CHROMIUM).exists() && !has("chromium", "--version") {
        apt_install(&["chromium"])?;
    }
    Ok(())
}

/// Builds `bindings/web/pkg/` and prints its size.
pub fn build() -> Result<(), String> {
    let web = web_dir();
    // opt-level z for this artifact only; no strip, so wasm-bindgen sees the target features
    // (it strips the custom sections itself).
    let env = [("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z"), ("CARGO_PROFILE_RELEASE_STRIP", "false")];
    run_in(&root(), "cargo", &["build", "-p", "essnap-web", "--release", "--target", "wasm32-unknown-unknown"], &env)?;
    let wasm = target_dir().join("wasm32-unknown-unknown/release/essnap_web.wasm");
    let pkg = web.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    let pkg_s = pkg.to_string_lossy().into_owned();
    run_in(&root(), "wasm-bindgen", &["--target", "web", "--out-dir", &pkg_s, "--out-name", "essnap_web", &wasm.to_string_lossy()], &[])?;
    let bg = pkg.join("essnap_web_bg.wasm").to_string_lossy().into_owned();
    let wasm_opt = web.join("node_modules/.bin/wasm-opt").to_string_lossy().into_owned();
    run_in(
        &web,
        &wasm_opt,
        &[
            // Merging functions that differ only in constants, then ordering functions by name so that
            // the copies of one generic sit together for gzip (−4.6 KiB gz against plain -Oz).
            "--merge-similar-functions", "-Oz", "--converge", "--reorder-functions-by-name", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals",
            "--enable-reference-types", "--enable-multivalue", "--strip-debug", "--strip-producers", &bg, "-o", &bg,
        ],
        &[],
    )?;
    // wasm-bindgen's glue is generated, not read: shipped minified (terser keeps the module's exports);
    // index.js, the hand-written wrapper, stays as written.
    let glue = pkg.join("essnap_web.js").to_string_lossy().into_owned();
    let terser = web.join("node_modules/.bin/terser").to_string_lossy().into_owned();
    run_in(&web, &terser, &[&glue, "--module", "--compress", "--mangle", "--output", &glue], &[])?;
    for f in ["index.js", "index.d.ts"] {
        std::fs::copy(web.join("js").join(f), pkg.join(f)).map_err(|e| format!("copy {f}: {e}"))?;
    }
    // wasm-bindgen's own typings describe the raw layer; the package's types are index.d.ts.
    let _ = std::fs::remove_file(pkg.join(".gitignore"));
    report_size(&pkg)
}

/// Prints raw and gzip sizes of what the package ships; warns above the budget.
fn report_size(pkg: &Path) -> Result<(), String> {
    let script = r#"
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const dir = process.argv[1];
let raw = 0, gz = 0;
for (const f of ['essnap_web_bg.wasm', 'essnap_web.js', 'index.js']) {
  const b = fs.readFileSync(path.join(dir, f));
  const g = zlib.gzipSync(b, { level: 9 }).length;
  raw += b.length; gz += g;
  console.log(`  ${f.padEnd(20)} ${String(b.length).padStart(9)} B raw ${String(g).padStart(8)} B gz`);
}
console.log(`  ${'total (wasm + JS)'.padEnd(20)} ${String(raw).padStart(9)} B raw ${String(gz).padStart(8)} B gz (${(gz / 1024).toFixed(1)} KiB)`);
console.log(`GZ=${gz}`);
"#;
    let out = Command::new("node")
        .args(["-e", script, &pkg.to_string_lossy()])
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("web package size (bindings/web/pkg):");
    let mut gz = 0;
    for l in text.lines() {
        match l.strip_prefix("GZ=") {
            Some(n) => gz = n.trim().parse().unwrap_or(0),
            None => eprintln!("{l}"),
        }
    }
    if gz > BUDGET_GZ {
        eprintln!("web package: WARNING: {:.1} KiB gz is over the {} KiB budget", gz as f64 / 1024.0, BUDGET_GZ / 1024);
    }
    Ok(())
}

/// The sandbox binary the tests start (built here, debug).
fn sandbox_bin() -> Result<PathBuf, String> {
    run("cargo", &["build", "-p", "essnap-sandbox"])?;
    let bin = target_dir().join("debug/essnap-sandbox");
    if bin.exists() { Ok(bin) } else { Err(format!("{} was not built", bin.display())) }
}

/// Node tests, browser tests, the Node example — each against its own sandbox process.
pub fn test() -> Result<(), String> {
    let web = web_dir();
    let bin = sandbox_bin()?;
    let bin = bin.to_string_lossy().into_owned();
    // The real-node flows run unless ESSNAP_REAL_NODES=0 (as for the console).
    let real = if std::env::var("ESSNAP_REAL_NODES").is_ok_and(|v| v == "0" || v == "false") { "0" } else { "1" };
    let env = [("ESSNAP_SANDBOX", bin.as_str()), ("ESSNAP_CHROMIUM", CHROMIUM), ("ESSNAP_REAL_NODES", real)];
    run_in(&web, "node", &["--test", "--test-concurrency=1", "test/node/"], &env)?;
    run_in(&web, "node", &["--test", "--test-concurrency=1", "test/browser/"], &env)?;
    run_in(&web, "node", &["test/types/check.mjs"], &env)?;
    run_in(&root(), "node", &["examples/node/run-with-sandbox.mjs"], &env)
}

/// `cargo xtask web [build|test]` (default: build then test).
pub fn main(args: &[String]) -> Result<(), String> {
    setup()?;
    match args.first().map(String::as_str) {
        Some("build") => build(),
        Some("test") => test(),
        None => build().and_then(|()| test()),
        Some(other) => Err(format!("unknown `web` step `{other}`: use build or test")),
    }
}
