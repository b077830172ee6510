//! `cargo xtask www [test|serve|vendor]`: the admin console in `www/` (static HTML/CSS/JS on top of the npm
//! package `essnap`, issue 11).
//!
//! * `test` (default): the Playwright tests (`node --test`, real Chromium) against sandbox processes, plus the
//!   real-node flows against OpenSearch 2.19.1 (unless `ESSNAP_REAL_NODES=0`). Needs `bindings/web/pkg` (`cargo xtask
//!   web build`); screenshots land in `www/screenshots/` (git-ignored).
//! * `serve`: the console and a sandbox cluster (`sandbox/seeds/demo.json`); prints the console URL, runs until Ctrl-C.
//!   Also `cargo xtask demo --console`.
//! * `vendor`: copies the package into `www/vendor/essnap/` so `www/` can go on any static host as it is.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{root, run};

const CHROMIUM: &str = "/usr/bin/chromium";

fn www_dir() -> PathBuf {
    root().join("www")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).map_or_else(|| root().join("target"), |p| if p.is_absolute() { p } else { root().join(p) })
}

fn node(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Result<(), String> {
    eprintln!("+ (cd {}) node {}", dir.display(), args.join(" "));
    let status = Command::new("node")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .status()
        .map_err(|e| format!("could not start node: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`node {}` failed ({status})", args.join(" "))) }
}

/// npm packages of www/ (playwright-core); the package must be built.
fn setup() -> Result<(), String> {
    let www = www_dir();
    if !www.join("node_modules/playwright-core").exists() {
        eprintln!("+ (cd {}) npm install", www.display());
        let ok = Command::new("npm").args(["install", "--no-audit", "--no-fund"]).current_dir(&www).status().map_err(|e| format!("npm: {e}"))?;
        if !ok.success() {
            return Err("npm install in www/ failed".into());
        }
    }
    let pkg = root().join("bindings/web/pkg/index.js");
    if !pkg.exists() && !www.join("vendor/essnap/index.js").exists() {
        return Err(format!("{} is missing: run `cargo xtask web build` first", pkg.display()));
    }
    Ok(())
}

fn env() -> Result<Vec<(&'static str, String)>, String> {
    run("cargo", &["build", "--quiet", "-p", "essnap-sandbox"])?;
    let sandbox = target_dir().join("debug/essnap-sandbox");
    let mut env = vec![("ESSNAP_SANDBOX", sandbox.to_string_lossy().into_owned()), ("ESSNAP_CHROMIUM", CHROMIUM.to_string())];
    if let Ok(exe) = std::env::current_exe() {
        env.push(("ESSNAP_XTASK", exe.to_string_lossy().into_owned()));
    }
    Ok(env)
}

/// The console's browser tests; real-node flows too unless `ESSNAP_REAL_NODES=0`.
pub fn test() -> Result<(), String> {
    setup()?;
    let mut env = env()?;
    let real = std::env::var("ESSNAP_REAL_NODES").map_or(true, |v| v != "0" && v != "false");
    env.push(("ESSNAP_REAL_NODES", if real { "1" } else { "0" }.to_string()));
    let started = std::time::Instant::now();
    // The test files only (node 20 would also run test/support/*.mjs when given the folder).
    let mut files: Vec<String> = std::fs::read_dir(www_dir().join("test"))
        .map_err(|e| format!("www/test: {e}"))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .map(|n| format!("test/{n}"))
        .collect();
    files.sort();
    let mut args = vec!["--test", "--test-concurrency=1"];
    args.extend(files.iter().map(String::as_str));
    let r = node(&www_dir(), &args, &env);
    eprintln!("www: console tests took {:.1}s (real nodes: {}); screenshots in www/screenshots/", started.elapsed().as_secs_f64(), if real { "on" } else { "off" });
    r
}

/// The console against a sandbox, until Ctrl-C.
pub fn serve(extra: &[String]) -> Result<(), String> {
    setup()?;
    let env = env()?;
    let mut args = vec!["tools/demo.mjs"];
    args.extend(extra.iter().map(String::as_str));
    node(&www_dir(), &args, &env)
}

pub fn main(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("test") => test(),
        Some("serve") => serve(&args[1..]),
        Some("vendor") => {
            setup()?;
            node(&www_dir(), &["tools/vendor.mjs"], &[])
        }
        Some(other) => Err(format!("unknown `www` step `{other}`: use test, serve or vendor")),
    }
}
