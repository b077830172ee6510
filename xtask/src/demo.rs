//! `cargo xtask demo [--url URL]`: the main job, end to end. Without a URL it starts the embedded
//! sandbox cluster with `sandbox/seeds/demo.json` and stops it afterwards, pass or fail.
//! `cargo xtask demo --console`: the admin console (www/) against a sandbox instead (see www.rs).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::util::{root, run, setup};

/// Stops the sandbox when the demo ends, however it ends.
struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sandbox() -> Result<(Sandbox, String), String> {
    run("cargo", &["build", "--quiet", "-p", "essnap-sandbox"])?;
    let bin = root().join("target/debug/essnap-sandbox");
    let mut child = Command::new(&bin)
        .args(["--port", "0", "--seed", "sandbox/seeds/demo.json", "--quiet"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout from the sandbox")?;
    let guard = Sandbox(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("reading the sandbox URL: {e}"))?;
    let url = line.trim().to_string();
    if !url.starts_with("http") {
        return Err(format!("the sandbox did not print its URL (got `{url}`)"));
    }
    Ok((guard, url))
}

pub fn main(args: &[String]) -> Result<(), String> {
    // `--console`: the admin console (www/) against a sandbox; prints the console URL.
    if args.iter().any(|a| a == "--console") {
        let rest: Vec<String> = args.iter().filter(|a| *a != "--console").cloned().collect();
        return crate::www::serve(&rest);
    }
    setup()?;
    let url_arg = args.iter().position(|a| a == "--url").and_then(|i| args.get(i + 1)).cloned();
    let (_guard, url) = match url_arg {
        Some(u) => (None, u),
        None => {
            let (g, u) = start_sandbox()?;
            eprintln!("sandbox cluster (Elasticsearch 8.12.2, seeds/demo.json) at {u}");
            (Some(g), u)
        }
    };
    // The CLI embeds the component: build both (debug; `cargo xtask build` makes the release binary).
    crate::component::main()?;
    run("cargo", &["build", "--quiet", "-p", "essnap-cli"])?;
    let bin = crate::component::target_dir().join("debug/essnap");
    let essnap = bin.to_str().ok_or("non-UTF-8 path")?;
    let cli = |title: &str, args: &[&str]| {
        println!("\n== {title}\n$ essnap {}\n", args.join(" "));
        let mut a = vec!["--url", url.as_str()];
        a.extend(args);
        // Refusals (exit 1) are part of the story; anything else stops the demo.
        match std::process::Command::new(essnap).args(&a).current_dir(root()).status() {
            Ok(s) if s.success() || s.code() == Some(1) => Ok(()),
            Ok(s) => Err(format!("`essnap {}` failed ({s})", args.join(" "))),
            Err(e) => Err(format!("could not run {essnap}: {e}")),
        }
    };
    cli("1. The cluster", &["info"])?;
    cli("2. Repositories", &["repos"])?;
    cli("3. Snapshots, paged (2,000 in `nightly`)", &["snapshots", "nightly", "--limit", "5", "--desc"])?;
    cli("4. Compatibility: a snapshot with indices two majors old", &["check", "backups", "snap-legacy-6x"])?;
    cli("5. Compatibility: a snapshot too new for this cluster", &["check", "backups", "snap-too-new"])?;
    cli("6. Take a snapshot and watch it finish", &["snapshot", "create", "backups", "demo-before-restore", "--indices", "logs-a,logs-b", "--wait"])?;
    cli("7. Dry run: restore the whole snapshot (conflicts: open indices, a shard mismatch, an existing data stream)", &["restore", "backups", "snap-compatible", "--close-conflicting", "--dry-run"])?;
    cli("8. Restore three indices over open ones: close, restore, progress", &["restore", "backups", "snap-compatible", "--indices", "logs-a,logs-b,orders", "--close-conflicting", "--yes"])?;
    println!("\n== 9. Every index afterwards\n");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let body = agent
        .get(&format!("{url}/_cat/indices?v&h=index,status,health,pri&s=index"))
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| format!("reading the indices: {e}"))?;
    println!("{body}");
    Ok(())
}
