//! `setup`, `build`, `test` and `demo`, plus the small process helpers they share.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask has a parent").to_path_buf()
}

/// Runs a command from the repository root, echoing it; fails with its exit status.
pub fn run(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("+ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{program} {}` failed ({status})", args.join(" "))) }
}

/// Runs a command and returns its stdout, or `None` when it can't run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).current_dir(root()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn has(program: &str, version_arg: &str) -> bool {
    Command::new(program).arg(version_arg).output().is_ok_and(|o| o.status.success())
}

const WASM_TARGETS: &[&str] = &["wasm32-unknown-unknown", "wasm32-wasip2"];

/// Installs what a fresh machine lacks. Idempotent and quick when everything is there.
pub fn setup() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = WASM_TARGETS.iter().copied().filter(|t| !installed.lines().any(|l| l.trim() == *t)).collect();
    if !missing.is_empty() {
        let mut args = vec!["target", "add"];
        args.extend(&missing);
        run("rustup", &args)?;
    }
    // Real Elasticsearch/OpenSearch nodes run on a Java 17 runtime, resolved by Maven.
    let need_java = !has("java", "-version");
    let need_mvn = !has("mvn", "-v");
    if need_java || need_mvn {
        let mut pkgs = Vec::new();
        if need_java {
            pkgs.push("openjdk-17-jdk-headless");
        }
        if need_mvn {
            pkgs.push("maven");
        }
        apt_install(&pkgs)?;
    }
    // The npm package: wasm-bindgen-cli, npm packages (binaryen, playwright-core), chromium.
    crate::web::setup()?;
    eprintln!("setup: rust targets {WASM_TARGETS:?}, java and maven are ready");
    Ok(())
}

/// `apt-get install` (as root, or through sudo when there is one).
pub fn apt_install(pkgs: &[&str]) -> Result<(), String> {
    let is_root = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let (prog, pre): (&str, Vec<&str>) = if is_root { ("apt-get", vec![]) } else { ("sudo", vec!["apt-get"]) };
    let mut update = pre.clone();
    update.extend(["update", "-qq"]);
    run(prog, &update)?;
    let mut install = pre;
    install.extend(["install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(pkgs);
    run(prog, &install)
}

/// Every artifact, release: the core natively and for both wasm targets.
pub fn build() -> Result<(), String> {
    setup()?;
    // The CLI embeds the client component: build it first.
    crate::component::main()?;
    run("cargo", &["build", "--workspace", "--release"])?;
    for t in WASM_TARGETS {
        run("cargo", &["build", "-p", "essnap", "--release", "--target", t])?;
    }
    let wasm = root().join("target/wasm32-unknown-unknown/release/essnap.rlib");
    if let Ok(m) = std::fs::metadata(&wasm) {
        eprintln!("core rlib for wasm32-unknown-unknown: {} bytes", m.len());
    }
    crate::web::build()?;
    Ok(())
}

/// What CI runs: every test suite (real nodes included, `ESSNAP_REAL_NODES=0` leaves them out), plus the wasm
/// builds of the core.
pub fn test(args: &[String]) -> Result<(), String> {
    setup()?;
    // The CLI (and its end-to-end tests) embed the client component: build it first.
    crate::component::main()?;
    let mut cargo_args = vec!["test", "--workspace"];
    let extra: Vec<&str> = args.iter().map(String::as_str).collect();
    cargo_args.extend(&extra);
    // with the real-node tests (OpenSearch 2.19.1 and 1.3.20, Elasticsearch 7.17.29 and 6.8.23) and a check
    // that nothing outlives them
    crate::cluster::cargo_test_with_real_nodes(&cargo_args)?;
    for t in WASM_TARGETS {
        run("cargo", &["build", "-p", "essnap", "--release", "--target", t])?;
    }
    crate::web::build()?;
    crate::web::test()?;
    // The admin console (www/) on top of the package just built.
    crate::www::test()?;
    Ok(())
}
