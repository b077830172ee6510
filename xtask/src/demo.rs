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
    run("cargo", &["build", "--quiet", "--example", "restore"])?;
    let example = root().join("target/debug/examples/restore");
    let ex = example.to_str().ok_or("non-UTF-8 path")?;
    println!("\n== 1. Plan a whole-snapshot restore (conflicts: open indices, a shard mismatch, an existing data stream)\n");
    // Exit code 1 = the plan is blocked, which is what this step shows.
    let _ = run(ex, &["--url", &url, "backups", "snap-compatible", "--close-conflicting"]);
    println!("\n== 2. A snapshot too new for the cluster\n");
    let _ = run(ex, &["--url", &url, "backups", "snap-too-new"]);
    println!("\n== 3. Restore three indices over open ones: close, restore, progress\n");
    run(ex, &["--url", &url, "backups", "snap-compatible", "--indices", "logs-a,logs-b,orders", "--close-conflicting", "--yes"])
}
