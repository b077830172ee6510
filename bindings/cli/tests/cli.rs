//! End-to-end: the real `essnap` binary against an in-process sandbox cluster, for every
//! subcommand and every exit code, a fault-injected restore with rollback, and `decode` on every
//! saved body. Every byte the CLI prints is scanned for the test secrets.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

#[path = "../../../tests/common/fixture_name.rs"]
mod fixture_name;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use essnap_sandbox::seed::Seed;
use essnap_sandbox::{Config, Handle};

const USER: &str = "admin";
const PASSWORD: &str = "Zq7-t3st-PW!x";
const API_KEY_ID: &str = "cli-key";
const API_KEY_SECRET: &str = "K3y-s3cret-9f2";
/// Credentials the sandbox refuses: as secret as the right ones (a typo of the real password, a revoked key).
const WRONG_PASSWORD: &str = "Wr0ng-t3st-PW";
const WRONG_API_KEY_SECRET: &str = "Wr0ng-k3y-77c";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn api_key() -> String {
    B64.encode(format!("{API_KEY_ID}:{API_KEY_SECRET}"))
}

fn wrong_api_key() -> String {
    B64.encode(format!("{API_KEY_ID}:{WRONG_API_KEY_SECRET}"))
}

/// Strings that must never appear in anything the CLI prints.
fn secrets() -> Vec<String> {
    vec![
        PASSWORD.into(),
        API_KEY_SECRET.into(),
        api_key(),
        B64.encode(format!("{USER}:{PASSWORD}")),
        WRONG_PASSWORD.into(),
        WRONG_API_KEY_SECRET.into(),
        wrong_api_key(),
        B64.encode(format!("{USER}:{WRONG_PASSWORD}")),
    ]
}

fn sandbox() -> Handle {
    let text = std::fs::read_to_string(root().join("sandbox/seeds/demo.json")).unwrap();
    let mut seed: serde_json::Value = serde_json::from_str(&text).unwrap();
    seed["auth"] = serde_json::json!({ "users": [{ "username": USER, "password": PASSWORD }], "api_keys": [api_key()] });
    let seed = Seed::from_json(&seed.to_string()).unwrap();
    essnap_sandbox::start(Config::new(seed)).unwrap()
}

/// The compiled-code cache shared by the tests (the first run compiles, the rest load).
fn cache_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("essnap-cli-test-cache-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn essnap_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_essnap"));
    c.args(args).env("ESSNAP_CACHE_DIR", cache_dir()).env("NO_COLOR", "1");
    for v in ["ESSNAP_URL", "ESSNAP_PASSWORD", "ESSNAP_API_KEY", "ESSNAP_ECE_API_KEY", "ESSNAP_ES_PASSWORD", "ESSNAP_ECE_PASSWORD", "ESSNAP_ECE_URL"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("essnap runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    let run = Run { code: status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&stdout).into_owned(), stderr: String::from_utf8_lossy(&stderr).into_owned() };
    for s in secrets() {
        assert!(!run.all().contains(&s), "a secret was printed by `essnap {}`:\n{}", args.join(" "), run.all());
    }
    assert!(!run.stderr.contains("panicked"), "essnap panicked:\n{}", run.stderr);
    run
}

fn essnap(args: &[&str]) -> Run {
    essnap_env(args, &[], None)
}

/// `--url` with the credentials in it, then the arguments.
fn with_url(sb: &Handle, args: &[&str]) -> Run {
    let url = sb.url.replace("http://", &format!("http://{USER}:{}@", PASSWORD.replace('!', "%21")));
    let mut a = vec!["--url", url.as_str(), "--poll-interval", "200"];
    a.extend(args);
    essnap(&a)
}

fn expect(r: &Run, code: i32) {
    assert_eq!(r.code, code, "exit code\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

fn sandbox_post(sb: &Handle, path: &str, body: serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let r = agent.post(format!("{}{path}", sb.url)).header("content-type", "application/json").send(body.to_string()).unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

fn cat_indices(sb: &Handle) -> serde_json::Value {
    let r = with_url(sb, &["--json", "decode", "cat.indices", "-"]);
    drop(r);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut resp = agent
        .get(format!("{}/_cat/indices?format=json&h=index,status", sb.url))
        .header("authorization", format!("ApiKey {}", api_key()))
        .call()
        .unwrap();
    serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap()
}

fn index_status(sb: &Handle, name: &str) -> String {
    cat_indices(sb).as_array().unwrap().iter().find(|i| i["index"] == name).map(|i| i["status"].as_str().unwrap().to_string()).unwrap_or_default()
}

#[test]
fn help_lists_every_subcommand_with_examples() {
    let r = essnap(&["--help"]);
    expect(&r, 0);
    for c in ["info", "repos", "repo", "snapshots", "snapshot", "check", "restore", "ece", "decode", "Exit codes"] {
        assert!(r.stdout.contains(c), "{c} missing from --help:\n{}", r.stdout);
    }
    for sub in [&["info"][..], &["repos"], &["repo", "add"], &["repo", "verify"], &["repo", "remove"], &["snapshots"], &["snapshot", "create"], &["snapshot", "status"], &["snapshot", "delete"], &["check"], &["restore"], &["ece", "snapshot"], &["decode"]] {
        let mut a = sub.to_vec();
        a.push("--help");
        let r = essnap(&a);
        expect(&r, 0);
        assert!(r.stdout.contains("Example"), "`essnap {}` has no example:\n{}", a.join(" "), r.stdout);
    }
}

#[test]
fn info_with_every_kind_of_credentials() {
    let sb = sandbox();
    let r = with_url(&sb, &["info"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Elasticsearch 8.12.2"), "{}", r.stdout);
    let j = with_url(&sb, &["info", "--json"]).json();
    assert_eq!(j["version"], "8.12.2");
    assert_eq!(j["distribution"], "elasticsearch");

    let r = essnap_env(&["--url", &sb.url, "--user", USER, "info"], &[("ESSNAP_PASSWORD", PASSWORD)], None);
    expect(&r, 0);
    let r = essnap_env(&["info"], &[("ESSNAP_URL", &sb.url), ("ESSNAP_API_KEY", &api_key())], None);
    expect(&r, 0);
    let r = essnap(&["--url", &sb.url, "--api-key", &format!("{API_KEY_ID}:{API_KEY_SECRET}"), "info", "--json"]);
    expect(&r, 0);

    // Refused credentials: exit 1, the mapped code and a hint, no secret.
    let r = essnap_env(&["--url", &sb.url, "--user", USER, "info"], &[("ESSNAP_PASSWORD", WRONG_PASSWORD)], None);
    expect(&r, 1);
    assert!(r.stderr.contains("unauthorized") && r.stderr.contains("hint:"), "{}", r.stderr);
    let r = essnap(&["--url", &sb.url, "info", "--json"]);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code_name"], "unauthorized");
    // --user without a password, and a bad URL: bad input.
    expect(&essnap(&["--url", &sb.url, "--user", USER, "info"]), 2);
    let r = essnap(&["--url", "ftp://host", "info"]);
    expect(&r, 2);
    assert!(r.stderr.contains("invalid url"), "{}", r.stderr);
}

#[test]
fn transport_failures_exit_3() {
    let r = essnap(&["--url", "http://127.0.0.1:1", "--timeout", "5", "info"]);
    expect(&r, 3);
    assert!(r.stderr.contains("connection_failed") && r.stderr.contains("hint:"), "{}", r.stderr);
    let r = essnap(&["--url", "http://127.0.0.1:1", "repos", "--json"]);
    expect(&r, 3);
    assert_eq!(r.json()["error"]["code_name"], "connection_failed");
}

#[test]
fn repositories_add_verify_list_remove() {
    let sb = sandbox();
    let r = with_url(&sb, &["repos"]);
    expect(&r, 0);
    assert!(r.stdout.contains("backups") && r.stdout.contains("nightly"), "{}", r.stdout);
    expect(&with_url(&sb, &["repo", "add", "extra", "--type", "fs", "--location", "/mnt/extra"]), 0);
    let r = with_url(&sb, &["repo", "add", "cloud", "--type", "s3", "--bucket", "b1", "--base-path", "p"]);
    expect(&r, 0);
    assert!(r.stderr.contains("keystore"), "the S3 keystore warning: {}", r.stderr);
    expect(&with_url(&sb, &["repo", "add", "broken", "--type", "fs"]), 2);
    // Any type, with the settings the typed flags don't name.
    let r = with_url(&sb, &["repo", "add", "az", "--type", "azure", "--container", "snaps", "--base-path", "prod", "--setting", "chunk_size=64mb"]);
    expect(&r, 0);
    assert!(r.stderr.contains("azure.client.default.key"), "the keystore note: {}", r.stderr);
    expect(&with_url(&sb, &["repo", "add", "big", "--type", "fs", "--location", "/mnt/big", "--setting", "max_restore_bytes_per_sec=200mb", "--compress"]), 0);
    expect(&with_url(&sb, &["repo", "add", "archive", "--type", "url", "--repo-url", "file:/mnt/extra", "--no-verify"]), 0);
    let j = with_url(&sb, &["repos", "--json"]).json();
    let settings = |name: &str| j.as_array().unwrap().iter().find(|r| r["name"] == name).map(|r| (r["type"].clone(), r["settings"].clone())).unwrap();
    assert_eq!(settings("az"), (serde_json::json!("azure"), serde_json::json!({"base_path": "prod", "chunk_size": "64mb", "container": "snaps"})));
    assert_eq!(settings("big").1, serde_json::json!({"compress": "true", "location": "/mnt/big", "max_restore_bytes_per_sec": "200mb"}));
    assert_eq!(settings("archive").1["url"], "file:/mnt/extra");
    let r = with_url(&sb, &["repo", "add", "leaky", "--type", "s3", "--bucket", "b", "--setting", "access_key=AKIA-never-shown"]);
    expect(&r, 2);
    assert!(r.stderr.contains("`access_key` is a credential") && !r.all().contains("never-shown"), "{}", r.all());
    let r = with_url(&sb, &["snapshot", "create", "archive", "snap-x"]);
    expect(&r, 1);
    assert!(r.stderr.contains("repository_read_only"), "{}", r.stderr);
    let r = with_url(&sb, &["repo", "verify", "extra"]);
    expect(&r, 0);
    assert!(r.stdout.contains("verified"), "{}", r.stdout);
    let j = with_url(&sb, &["repos", "--json"]).json();
    let names: Vec<&str> = j.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"extra") && names.contains(&"cloud"), "{names:?}");
    let r = with_url(&sb, &["repo", "remove", "extra"]);
    expect(&r, 2);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    expect(&with_url(&sb, &["repo", "remove", "extra", "--yes"]), 0);
    let r = with_url(&sb, &["repo", "verify", "extra"]);
    expect(&r, 1);
    assert!(r.stderr.contains("repository_missing"), "{}", r.stderr);
    // An invalid name is refused before anything is sent.
    expect(&with_url(&sb, &["repo", "verify", "Bad Name"]), 2);
}

#[test]
fn snapshots_are_listed_a_page_at_a_time() {
    let sb = sandbox();
    let r = with_url(&sb, &["snapshots", "nightly", "--limit", "5"]);
    expect(&r, 0);
    assert!(r.stdout.contains("nightly-0001") && r.stdout.contains("nightly-0005") && !r.stdout.contains("nightly-0006"), "{}", r.stdout);
    assert!(r.stdout.contains("2000 in all"), "{}", r.stdout);
    let j = with_url(&sb, &["snapshots", "nightly", "--limit", "5", "--json"]).json();
    assert_eq!(j["snapshots"].as_array().unwrap().len(), 5);
    assert_eq!(j["total"], 2000);
    let next = j["next"].as_str().expect("a cursor").to_string();
    let j2 = with_url(&sb, &["snapshots", "nightly", "--limit", "5", "--after", &next, "--json"]).json();
    assert_eq!(j2["snapshots"][0]["snapshot"], "nightly-0006");
    let j3 = with_url(&sb, &["snapshots", "nightly", "--limit", "3", "--sort", "name", "--desc", "--json"]).json();
    assert_eq!(j3["snapshots"][0]["snapshot"], "nightly-2000");
    // The printed next-page command, run as printed, continues the same listing.
    let r = with_url(&sb, &["snapshots", "nightly", "--limit", "3", "--sort", "name", "--desc"]);
    let hint = r.stdout.lines().find_map(|l| l.strip_prefix("next page: essnap ")).expect("a next-page line").to_string();
    let words: Vec<&str> = hint.split(' ').collect();
    assert!(hint.contains("--sort name --desc --limit 3 --after "), "{hint}");
    let r2 = with_url(&sb, &words);
    expect(&r2, 0);
    assert!(r2.stdout.contains("nightly-1997") && !r2.stdout.contains("nightly-1998"), "{}", r2.stdout);
    expect(&with_url(&sb, &["snapshots", "nightly", "--limit", "0"]), 2);
    let r = with_url(&sb, &["snapshots", "nope"]);
    expect(&r, 1);
    assert!(r.stderr.contains("repository_missing"), "{}", r.stderr);
}

#[test]
fn snapshot_create_status_delete() {
    let sb = sandbox();
    let r = with_url(&sb, &["snapshot", "create", "backups", "cli-snap", "--indices", "logs-a,logs-b", "--wait"]);
    expect(&r, 0);
    assert!(r.stdout.contains("SUCCESS"), "{}\n{}", r.stdout, r.stderr);
    let j = with_url(&sb, &["snapshot", "status", "backups", "cli-snap", "--json"]).json();
    assert_eq!(j["state"], "SUCCESS");
    assert_eq!(j["progress"]["percent"], 100.0);
    let r = with_url(&sb, &["snapshot", "status", "backups", "cli-snap"]);
    expect(&r, 0);
    // The global state: the server's default unless a flag says otherwise.
    expect(&with_url(&sb, &["snapshot", "create", "backups", "cli-noglobal", "--indices", "logs-a", "--no-global-state", "--wait"]), 0);
    expect(&with_url(&sb, &["snapshot", "create", "backups", "cli-global", "--indices", "logs-a", "--wait"]), 0);
    let listed = with_url(&sb, &["snapshots", "backups", "--json"]).stdout;
    let global = |name: &str| {
        listed.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim().trim_end_matches(',')).ok()).find(|s| s["snapshot"] == name).map(|s| s["include_global_state"].clone())
    };
    assert_eq!(global("cli-noglobal"), Some(serde_json::json!(false)), "{listed}");
    // Metadata and feature states go with the request.
    expect(&with_url(&sb, &["snapshot", "create", "backups", "cli-meta", "--indices", "logs-a", "--metadata", "reason=before upgrade", "--metadata", "by=cli", "--feature-states", "none", "--wait"]), 0);
    let listed_meta = with_url(&sb, &["snapshots", "backups", "--json"]).stdout;
    let meta = listed_meta.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim().trim_end_matches(',')).ok()).find(|s| s["snapshot"] == "cli-meta").unwrap();
    assert_eq!(meta["metadata"], serde_json::json!({"reason": "before upgrade", "by": "cli"}), "{meta}");
    assert_eq!(meta["feature_states"], serde_json::json!([]), "--feature-states none: {meta}");
    expect(&with_url(&sb, &["snapshot", "create", "backups", "cli-meta-2", "--metadata", "no-equals-sign"]), 2);
    assert_eq!(global("cli-global"), Some(serde_json::json!(true)), "the server's default: {listed}");
    expect(&with_url(&sb, &["snapshot", "create", "backups", "cli-x", "--include-global-state", "--no-global-state"]), 2);
    // Without waiting: started at once.
    let j = with_url(&sb, &["snapshot", "create", "backups", "cli-snap-2", "--json"]).json();
    assert_eq!(j["status"], "started");
    // The same name again: refused.
    let r = with_url(&sb, &["snapshot", "create", "backups", "cli-snap", "--wait"]);
    expect(&r, 1);
    assert!(r.all().contains("snapshot_already_exists"), "{}", r.all());
    // Bad name: bad input.
    expect(&with_url(&sb, &["snapshot", "create", "backups", "Bad_Name"]), 2);
    let r = with_url(&sb, &["snapshot", "delete", "backups", "cli-snap"]);
    expect(&r, 2);
    expect(&with_url(&sb, &["snapshot", "delete", "backups", "cli-snap", "--yes"]), 0);
    let r = with_url(&sb, &["snapshot", "status", "backups", "cli-snap"]);
    expect(&r, 1);
    assert!(r.stderr.contains("snapshot_missing"), "{}", r.stderr);

    // A pattern: the matching names are listed first; --yes deletes exactly those.
    for n in ["cli-p1", "cli-p2", "cli-q1"] {
        expect(&with_url(&sb, &["snapshot", "create", "backups", n, "--indices", "logs-a", "--wait"]), 0);
    }
    let r = with_url(&sb, &["snapshot", "delete", "backups", "cli-p*,cli-q1"]);
    expect(&r, 2);
    assert!(r.stdout.contains("3 snapshot(s) in backups match") && r.stdout.contains("  cli-p2") && r.stderr.contains("--yes"), "{}", r.all());
    let j = with_url(&sb, &["snapshot", "delete", "backups", "cli-p*", "--json"]).json();
    assert_eq!((j["matching"].clone(), j["exit_code"].clone()), (serde_json::json!(["cli-p1", "cli-p2"]), serde_json::json!(2)), "{j}");
    let names = |sb: &Handle| with_url(sb, &["snapshots", "backups", "--json"]).stdout.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim().trim_end_matches(',')).ok()).filter_map(|v| v["snapshot"].as_str().map(String::from)).collect::<Vec<_>>();
    assert!(names(&sb).contains(&"cli-p1".to_string()), "nothing deleted without --yes");
    let r = with_url(&sb, &["snapshot", "delete", "backups", "cli-p*,cli-q1", "--yes"]);
    expect(&r, 0);
    assert!(r.stdout.contains("deleted 3 snapshot(s) from backups: cli-p1, cli-p2, cli-q1"), "{}", r.all());
    let left = names(&sb);
    assert!(!left.iter().any(|n| n.starts_with("cli-p") || n == "cli-q1") && left.contains(&"snap-compatible".to_string()), "{left:?}");
    // A running snapshot is never taken by a pattern.
    let r = with_url(&sb, &["snapshot", "delete", "backups", "cli-snap*", "--yes"]);
    assert!(r.stderr.contains("skipping 1 running snapshot(s): cli-snap-2") || r.stdout.contains("deleted 1 snapshot(s) from backups: cli-snap-2"), "{}", r.all());
    let r = with_url(&sb, &["snapshot", "delete", "backups", "nope-*", "--yes"]);
    expect(&r, 1);
    assert!(r.stderr.contains("no finished snapshot in backups matches nope-*"), "{}", r.all());
}

#[test]
fn check_prints_the_verdicts() {
    let sb = sandbox();
    let r = with_url(&sb, &["check", "backups", "snap-compatible"]);
    expect(&r, 0);
    assert!(r.stdout.contains("VERDICT") && r.stdout.contains("logs-a"), "{}", r.stdout);
    let r = with_url(&sb, &["check", "backups", "snap-too-new"]);
    expect(&r, 1);
    assert!(r.stdout.contains("incompatible") && r.stdout.contains("snapshot-not-newer"), "{}", r.stdout);
    let j = with_url(&sb, &["check", "backups", "snap-legacy-6x", "--json"]).json();
    assert_eq!(j["verdict"]["kind"], "ok_with_warnings", "{j}");
    let r = with_url(&sb, &["check", "backups", "nope"]);
    expect(&r, 1);
    assert!(r.stderr.contains("snapshot_missing"), "{}", r.stderr);
}

#[test]
fn restore_plans_and_executes_only_with_yes() {
    let sb = sandbox();
    // Without --yes (and with --dry-run): the plan, nothing changed.
    for extra in [&[][..], &["--dry-run"]] {
        let mut a = vec!["restore", "backups", "snap-compatible", "--indices", "logs-a,orders", "--prefix", "r-"];
        a.extend(extra);
        let r = with_url(&sb, &a);
        expect(&r, 0);
        assert!(r.stdout.contains("r-logs-a") && r.stdout.contains("Nothing was changed"), "{}", r.stdout);
    }
    assert_eq!(index_status(&sb, "r-logs-a"), "", "a dry run restores nothing");
    // Blocked plan: exit 1, nothing sent.
    let r = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "logs-a", "--yes"]);
    expect(&r, 1);
    assert!(r.stdout.contains("BLOCKED") && r.stderr.contains("blocked"), "{}", r.all());
    assert!(r.stderr.contains("try: --close-conflicting") && r.stderr.contains("try: --prefix PREFIX"), "the flags that lift it: {}", r.stderr);
    let j = with_url(&sb, &["restore", "backups", "snap-too-new", "--json"]).json();
    assert_eq!(j["blocked"], true);
    assert_eq!(j["plan"]["remedies"], serde_json::json!([]), "no flag makes a too-new snapshot restorable: {j}");
    // Index settings for the restored indices: sent as given; one a restore may not change blocks the plan.
    let j = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "orders", "--prefix", "s-", "--index-setting", "index.number_of_replicas=0", "--ignore-index-setting", "index.refresh_interval", "--json"]).json();
    let body = &j["plan"]["restore_request"]["body"];
    assert_eq!(body["index_settings"], serde_json::json!({"index.number_of_replicas": "0"}), "{j}");
    assert_eq!(body["ignore_index_settings"], serde_json::json!(["index.refresh_interval"]), "{j}");
    let r = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "orders", "--prefix", "s-", "--index-setting", "index.number_of_shards=3"]);
    expect(&r, 1);
    assert!(r.stdout.contains("does not let a restore change index.number_of_shards"), "{}", r.all());
    expect(&with_url(&sb, &["restore", "backups", "snap-compatible", "--index-setting", "replicas"]), 2);
    let j = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "orders", "--prefix", "s-", "--include-global-state", "--feature-states", "none", "--json"]).json();
    assert_eq!(j["plan"]["restore_request"]["body"]["feature_states"], serde_json::json!(["none"]), "{j}");
    // Rename options are checked.
    expect(&with_url(&sb, &["restore", "backups", "snap-compatible", "--prefix", "x-", "--rename-pattern", "a"]), 2);
    expect(&with_url(&sb, &["restore", "backups", "snap-compatible", "--dry-run", "--yes"]), 2);
    // Executed: restored with progress, and reported.
    let r = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "logs-a,orders", "--prefix", "r-", "--yes"]);
    expect(&r, 0);
    assert!(r.stdout.contains("completed"), "{}", r.all());
    assert!(r.stderr.contains("restore") && r.stderr.contains('%'), "progress lines on stderr: {}", r.stderr);
    assert_eq!(index_status(&sb, "r-logs-a"), "open");
    // Over a conflicting open index, closing it first (JSON).
    let j = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "logs-b", "--close-conflicting", "--yes", "--json"]).json();
    assert_eq!(j["status"], "completed", "{j}");
    assert_eq!(j["indices"][0]["state"], "restored");
    assert_eq!(index_status(&sb, "logs-b"), "open");
}

/// A request to the sandbox as its admin (setup outside essnap); returns the status.
fn sandbox_admin(sb: &Handle, method: &str, path: &str, body: Option<serde_json::Value>) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let req = ureq::http::Request::builder().method(method).uri(format!("{}{path}", sb.url)).header("authorization", format!("ApiKey {}", api_key()));
    let r = match body {
        Some(b) => agent.run(req.header("content-type", "application/json").body(b.to_string()).unwrap()),
        None => agent.run(req.body(()).unwrap()),
    };
    r.unwrap().status().as_u16()
}

#[test]
fn an_alias_that_clashes_with_an_index_is_named_and_can_be_left_out() {
    let sb = sandbox();
    // logs-a carries the alias `logs`: snapshot it, then make `logs` an index of its own.
    expect(&with_url(&sb, &["snapshot", "create", "backups", "with-alias", "--indices", "logs-a", "--wait"]), 0);
    assert_eq!(sandbox_admin(&sb, "DELETE", "/logs-a,logs-b", None), 200);
    assert_eq!(sandbox_admin(&sb, "PUT", "/logs", Some(serde_json::json!({"settings": {"number_of_shards": 1}}))), 200);
    let r = with_url(&sb, &["restore", "backups", "with-alias", "--yes"]);
    expect(&r, 1);
    assert!(r.stderr.contains("restore_name_conflict") && r.stderr.contains("--no-aliases"), "{}", r.all());
    assert_eq!(index_status(&sb, "logs-a"), "", "nothing was restored");
    let r = with_url(&sb, &["restore", "backups", "with-alias", "--no-aliases", "--yes"]);
    expect(&r, 0);
    assert_eq!(index_status(&sb, "logs-a"), "open");
}

/// The cluster deletes, then the connection drops: the names are reported as not confirmed, not
/// as "not deleted", and the delete is not sent again.
#[test]
fn a_delete_whose_answer_is_lost_is_reported_as_unconfirmed() {
    let sb = sandbox();
    for n in ["lost-1", "lost-2"] {
        expect(&with_url(&sb, &["snapshot", "create", "backups", n, "--indices", "logs-a", "--wait"]), 0);
    }
    sandbox_post(&sb, "/_sandbox/faults", serde_json::json!({ "path": "/_snapshot/backups/*", "method": "DELETE", "action": "drop", "count": 1 }));
    let r = with_url(&sb, &["snapshot", "delete", "backups", "lost-*", "--yes"]);
    expect(&r, 3);
    assert!(r.stdout.contains("deleted 0 snapshot(s)") && r.stdout.contains("not confirmed deleted (check with `essnap snapshots backups`) (2): lost-1, lost-2"), "{}", r.all());
    assert!(r.stderr.contains("connection_dropped"), "{}", r.stderr);
    // The server did act: a second look finds nothing to delete.
    let r = with_url(&sb, &["snapshot", "delete", "backups", "lost-*", "--yes"]);
    expect(&r, 1);
    assert!(r.stderr.contains("no finished snapshot in backups matches lost-*"), "{}", r.all());
}

#[test]
fn a_failed_restore_rolls_back_what_it_closed() {
    let sb = sandbox();
    // The restore request itself is refused (after logs-a was closed): logs-a is reopened.
    sandbox_post(&sb, "/_sandbox/faults", serde_json::json!({ "path": "/_snapshot/*/_restore", "method": "POST", "action": "status", "status": 403, "type": "security_exception", "reason": "action [cluster:admin/snapshot/restore] is unauthorized" }));
    let r = with_url(&sb, &["restore", "backups", "snap-compatible", "--indices", "logs-a", "--close-conflicting", "--yes"]);
    expect(&r, 1);
    assert!(r.stdout.contains("rolled back: reopened logs-a"), "{}", r.all());
    assert!(r.stderr.contains("forbidden") && r.stderr.contains("hint:"), "{}", r.stderr);
    assert_eq!(index_status(&sb, "logs-a"), "open", "rollback reopened it");
    let sb2 = sandbox();
    sandbox_post(&sb2, "/_sandbox/faults", serde_json::json!({ "path": "/_snapshot/*/_restore", "method": "POST", "action": "status", "status": 403 }));
    let j = with_url(&sb2, &["restore", "backups", "snap-compatible", "--indices", "logs-a,logs-b", "--close-conflicting", "--yes", "--json"]).json();
    assert_eq!(j["status"], "failed");
    assert_eq!(j["exit_code"], 1);
    let states: Vec<&str> = j["indices"].as_array().unwrap().iter().map(|i| i["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["reopened", "reopened"], "{j}");
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_below(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn decode_every_saved_body() {
    let mut files = Vec::new();
    let examples = root().join("../shared/es-spec/examples");
    files_below(&examples.join("es"), &mut files);
    files_below(&examples.join("opensearch"), &mut files);
    let n_examples = files.len();
    files_below(&root().join("tests/fixtures/real"), &mut files);
    let (mut decoded, mut errors, mut undecodable) = (0, 0, 0);
    for f in &files {
        let Some(fixture_name::FixtureName { api, status, is_error, .. }) = fixture_name::parse_fixture_name(f) else { continue };
        let path = f.to_str().unwrap();
        let st = status.to_string();
        let r = essnap(&["decode", &api, path, "--status", &st]);
        let j = r.json();
        let supported = essnap::api::DECODABLE.contains(&api.as_str());
        if supported && !is_error && (200..300).contains(&status) {
            assert_eq!(r.code, 0, "{path}: {}", r.all());
            assert!(j.get("decoded").is_some(), "{path}: {j}");
            decoded += 1;
        } else if supported {
            assert_eq!(r.code, 2, "{path}: {}", r.all());
            let code = j["error"]["code_name"].as_str().unwrap_or_default();
            assert!(!code.is_empty() && code != "invalid_input", "{path}: an error body maps to a code: {j}");
            assert!(!j["error"]["hint"].as_str().unwrap_or_default().is_empty(), "{path}: {j}");
            errors += 1;
        } else {
            assert_eq!(r.code, 2, "{path}: {}", r.all());
            assert_eq!(j["error"]["code_name"], "invalid_input", "{path}: {j}");
            undecodable += 1;
        }
    }
    eprintln!("decode: {decoded} bodies decoded, {errors} error bodies mapped, {undecodable} of APIs essnap does not decode ({} files, {n_examples} official examples)", files.len());
    assert!(n_examples >= 40 && decoded >= 100 && errors >= 10, "{decoded} {errors}");
    // stdin, and a file that is not there.
    let r = essnap_env(&["decode", "info", "-"], &[], Some(br#"{"version":{"number":"8.12.2"},"tagline":"You Know, for Search"}"#));
    expect(&r, 0);
    assert_eq!(r.json()["decoded"]["version"]["number"], "8.12.2");
    expect(&essnap_env(&["decode", "info", "-"], &[], Some(b"<html>proxy</html>")), 2);
    expect(&essnap(&["decode", "info", "/nonexistent/file.json"]), 2);
    expect(&essnap(&["decode", "no.such.api", "-"]), 2);
}

const ECE_KEY: &str = "ZWNlLWRlbW8tYXBpLWtleQ==";
const REPO_PASSWORD: &str = "repo-demo-pw";

fn ece_sandbox(clusters_api: bool) -> Handle {
    let text = std::fs::read_to_string(root().join("sandbox/seeds/demo.json")).unwrap();
    let mut seed: serde_json::Value = serde_json::from_str(&text).unwrap();
    seed["ece"]["clusters_api"] = serde_json::json!(clusters_api);
    essnap_sandbox::start(Config::new(Seed::from_json(&seed.to_string()).unwrap())).unwrap()
}

fn ece(sb: &Handle, args: &[&str], es_password: &str) -> Run {
    let mut a = vec!["--poll-interval", "200", "ece", "snapshot", "--ece-url", sb.url.as_str(), "--cluster-id", "a1b2c3", "--es-user", "elastic"];
    a.extend(args);
    let r = essnap_env(&a, &[("ESSNAP_ECE_API_KEY", ECE_KEY), ("ESSNAP_ES_PASSWORD", es_password)], None);
    for s in [ECE_KEY, REPO_PASSWORD] {
        assert!(!r.all().contains(s), "an ECE secret was printed:\n{}", r.all());
    }
    r
}

#[test]
fn ece_snapshot_takes_waits_and_maps_refusals() {
    let sb = ece_sandbox(true);
    let r = ece(&sb, &["--repository", "backups", "--name", "cli-ece", "--wait"], REPO_PASSWORD);
    expect(&r, 0);
    assert!(r.stdout.contains("cli-ece") && r.stdout.contains("state: succeeded"), "{}", r.all());
    // ECE refuses: exit 1 with the mapped code, ECE's own code and the hint.
    let r = ece(&sb, &["--name", "already-taken"], REPO_PASSWORD);
    expect(&r, 1);
    assert!(r.stderr.contains("clusters.snapshot.name_conflict") && r.stderr.contains("hint:"), "{}", r.stderr);
    let r = ece(&sb, &["--name", "x1", "--json"], "wrong");
    expect(&r, 1);
    let j = r.json();
    assert_eq!(j["error"]["code"], "ece_invalid_credentials", "{j}");
    assert!(j["error"]["source_codes"].to_string().contains("clusters.snapshot.invalid_credentials"), "{j}");
    let r = essnap(&["ece", "snapshot", "--ece-url", &sb.url, "--cluster-id", "ffff"]);
    expect(&r, 2);
    // ECE 3.0+: the clusters API is gone; with the deployment id the proxy takes the snapshot.
    let sb = ece_sandbox(false);
    let r = ece(&sb, &["--name", "via-proxy", "--repository", "backups", "--deployment-id", "d4e5f6", "--wait"], REPO_PASSWORD);
    expect(&r, 0);
    assert!(r.stdout.contains("through the deployment proxy") && r.stdout.contains("succeeded"), "{}", r.all());
    let r = ece(&sb, &["--name", "no-proxy"], REPO_PASSWORD);
    expect(&r, 1);
    assert!(r.stderr.contains("ece_endpoint_removed"), "{}", r.stderr);
}

#[test]
fn opensearch_snapshots_page_with_an_offset_cursor() {
    let seed = Seed::from_file(&root().join("sandbox/seeds/opensearch.json")).unwrap();
    let sb = essnap_sandbox::start(Config::new(seed)).unwrap();
    let r = essnap(&["--url", &sb.url, "info"]);
    expect(&r, 0);
    assert!(r.stdout.contains("OpenSearch 2.19.1"), "{}", r.stdout);
    let all = essnap(&["--url", &sb.url, "snapshots", "backups", "--sort", "name", "--json"]).json();
    let names: Vec<String> = all["snapshots"].as_array().unwrap().iter().map(|s| s["snapshot"].as_str().unwrap().to_string()).collect();
    assert!(names.len() >= 4, "{all}");
    let p1 = essnap(&["--url", &sb.url, "snapshots", "backups", "--sort", "name", "--limit", "2", "--json"]).json();
    let next = p1["next"].as_str().expect("an offset cursor").to_string();
    let p2 = essnap(&["--url", &sb.url, "snapshots", "backups", "--sort", "name", "--limit", "2", "--after", &next, "--json"]).json();
    let got: Vec<&str> = p1["snapshots"].as_array().unwrap().iter().chain(p2["snapshots"].as_array().unwrap()).map(|s| s["snapshot"].as_str().unwrap()).collect();
    assert_eq!(got, names[..4].iter().map(String::as_str).collect::<Vec<_>>());
    let r = essnap(&["--url", &sb.url, "check", "backups", "os-snap-too-new"]);
    expect(&r, 1);
}

/// Every error path with credentials in play: a password in the URL (also percent-encoded) or an API key, and
/// the cluster unreachable, the credentials refused (401), the URL malformed around them, the options in
/// conflict, clap's own errors and help with the secrets in the environment. `essnap_env` scans every byte of
/// stdout and stderr (text and `--json`) for the secrets; this test adds the percent-encoded password.
#[test]
fn secrets_never_show_on_error_paths() {
    let sb = sandbox();
    let pw = PASSWORD.replace('!', "%21");
    let wrong_pw = WRONG_PASSWORD.to_string();
    let with_creds = |base: &str, p: &str| base.replace("http://", &format!("http://{USER}:{p}@"));
    let dead = "http://127.0.0.1:1";
    let id_key = format!("{API_KEY_ID}:{API_KEY_SECRET}");
    let wrong_id_key = format!("{API_KEY_ID}:{WRONG_API_KEY_SECRET}");
    let mut seen = 0;
    let mut check = |args: Vec<String>, env: &[(&str, &str)], code: i32| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = essnap_env(&a, env, None);
        // Known: a restore or `snapshot create --wait` that cannot reach the cluster exits 1 with
        // `service_unavailable` after its read retries, not 3 with `connection_failed` like the other commands
        // (the gather and create machines report an exhausted retry as ServiceUnavailable).
        let restore_unreachable = code == 3 && (a.contains(&"restore") || a.contains(&"--wait"));
        assert!(r.code == code || (restore_unreachable && r.code == 1), "`essnap {}`: exit {}\n{}", a.join(" "), r.code, r.all());
        assert!(!r.all().contains(&pw), "the percent-encoded password was printed by `essnap {}`:\n{}", a.join(" "), r.all());
        if a.contains(&"--json") && !a.contains(&"--help") && code != 0 {
            let j = r.json();
            assert!(j["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{j}");
        } else if code != 0 {
            assert!(r.stderr.contains("error"), "`essnap {}`: no error on stderr:\n{}", a.join(" "), r.all());
        }
        seen += 1;
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let commands: [&[&str]; 5] = [&["info"], &["repos"], &["snapshots", "backups"], &["restore", "backups", "snap-compatible", "--close-conflicting", "--yes"], &["snapshot", "create", "backups", "sec-1", "--wait"]];
    for json in [false, true] {
        let tail = |v: &[&str]| {
            let mut v = s(v);
            if json {
                v.push("--json".into());
            }
            v
        };
        for (i, cmd) in commands.iter().enumerate() {
            // The password in the URL, or an API key, and the cluster unreachable: exit 3. (The workflows retry
            // their reads for ~30 s first: one of them, in text mode where the retries are printed, is enough.)
            if i < 3 || (i == 3 && !json) {
                check([s(&["--url", &with_creds(dead, &pw), "--timeout", "5"]), tail(cmd)].concat(), &[], 3);
            }
            if i < 3 {
                check([s(&["--url", dead, "--timeout", "5", "--api-key", &id_key]), tail(cmd)].concat(), &[], 3);
            }
            // A wrong password in the URL, a wrong API key (both forms), a wrong password from the environment:
            // 401, exit 1.
            check([s(&["--url", &with_creds(&sb.url, &wrong_pw)]), tail(cmd)].concat(), &[], 1);
            check([s(&["--url", &sb.url, "--api-key", &wrong_api_key()]), tail(cmd)].concat(), &[], 1);
            check([s(&["--url", &sb.url, "--api-key", &wrong_id_key]), tail(cmd)].concat(), &[], 1);
            check([s(&["--url", &sb.url, "--user", USER]), tail(cmd)].concat(), &[("ESSNAP_PASSWORD", WRONG_PASSWORD)], 1);
        }
        // Malformed URLs around a password: exit 2, and the message never repeats the URL's secret part.
        for bad in [
            format!("http://{USER}:{pw}@ho st:9200"),
            format!("ftp://{USER}:{pw}@host"),
            format!("http://{USER}:{pw}@host:99999"),
            format!("http://{USER}:{pw}@[::1"),
            format!("http://{USER}:{pw}@host:9200/?pretty"),
            format!("http://{USER}:{pw}@"),
            format!("{USER}:{pw}@bad_host!"),
        ] {
            check([s(&["--url", &bad]), tail(&["info"])].concat(), &[], 2);
            check(tail(&["info"]), &[("ESSNAP_URL", &bad)], 2);
        }
        // The password as typed (not percent-encoded) and nobody listening: a connect failure.
        check([s(&["--url", &format!("http://{USER}:{PASSWORD}@127.0.0.1:1")]), tail(&["info"])].concat(), &[], 3);
        // An API key replaces the URL's credentials (documented); a user and an API key at once, or a CA file
        // that is not there, are bad input — secrets unsaid either way.
        check([s(&["--url", &with_creds(&sb.url, &wrong_pw), "--api-key", &id_key]), tail(&["info"])].concat(), &[], 0);
        check([s(&["--url", &sb.url, "--user", USER, "--api-key", &id_key]), tail(&["info"])].concat(), &[("ESSNAP_PASSWORD", PASSWORD)], 2);
        check([s(&["--url", &with_creds(&sb.url, &pw), "--ca-cert", "/nonexistent/ca.pem"]), tail(&["info"])].concat(), &[], 2);
    }
    // Help and clap's own errors with every secret in the environment and in the arguments.
    let env = [("ESSNAP_URL", with_creds(&sb.url, &pw)), ("ESSNAP_API_KEY", api_key()), ("ESSNAP_PASSWORD", PASSWORD.to_string())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for help in [&["--help"][..], &["info", "--help"], &["restore", "--help"], &["ece", "snapshot", "--help"], &["--version"]] {
        check(s(help), &env, 0);
    }
    check(s(&["--url", &with_creds(&sb.url, &pw), "--timeout", "soon", "info"]), &[], 2);
    check(s(&["--api-key", &id_key, "no-such-command"]), &[], 2);
    check(s(&["--url", &with_creds(&sb.url, &pw), "info", "--no-such-flag"]), &[], 2);
    check(s(&["--url", &with_creds(&sb.url, &pw), "--api-key", &id_key, "--api-key", &id_key, "info"]), &[], 2);
    // The URL typed where no argument goes (a common slip): clap's "unexpected argument" must not echo it.
    check(s(&["info", &with_creds(&sb.url, &pw)]), &[], 2);
    check(s(&["repos", "--url", &sb.url, &id_key]), &[], 2);
    // The right credentials still work, with everything around them.
    check(s(&["--url", &with_creds(&sb.url, &pw), "info", "--json"]), &env, 0);
    assert!(seen > 100, "{seen}");
}

/// Bad arguments the other tests do not already cover: each gets exit 2 and a message that says what is wrong
/// (`--json` too, where essnap itself parses the value), never a panic or a transport attempt.
#[test]
fn bad_arguments_get_a_clear_error() {
    let sb = sandbox();
    let not_pem = std::env::temp_dir().join(format!("essnap-cli-not-pem-{}.txt", std::process::id()));
    std::fs::write(&not_pem, "this is not a certificate").unwrap();
    let not_pem = not_pem.to_str().unwrap().to_string();
    let long_url = format!("http://{}:9200", "a".repeat(100_000));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // (A prefix that makes invalid names is not refused as input: the plan is blocked, exit 1, and says why
        // — restore_plans_and_executes_only_with_yes covers blocked plans.)
        (vec![], "subcommand"),
        (vec!["no-such-command"], "unrecognized subcommand"),
        (vec!["info", "--no-such-flag"], "unexpected argument"),
        (vec!["snapshots"], "required"),
        (vec!["restore", "backups"], "required"),
        (vec!["--timeout", "soon", "info"], "invalid value"),
        (vec!["--timeout", "-1", "info"], "unexpected argument"),
        (vec!["--poll-interval", "1e3", "info"], "invalid value"),
        (vec!["snapshots", "nightly", "--limit", "many"], "invalid value"),
        (vec!["snapshots", "nightly", "--limit", "10001"], "out of range"),
        (vec!["snapshots", "nightly", "--sort", "size"], "invalid value"),
        (vec!["decode", "info", "-", "--status", "99999"], "invalid value"),
        (vec!["--url", "", "info"], "invalid url"),
        (vec!["--url", &long_url, "info"], "invalid url"),
        (vec!["--ca-cert", "/nonexistent/ca.pem", "info"], "CA certificate"),
        (vec!["--ca-cert", &not_pem, "info"], "no PEM certificate"),
        (vec!["repo", "add", "x", "--type", "hdfs", "--location", "/x"], "--location is not a setting of hdfs"),
        (vec!["repo", "add", "x", "--type", "s3"], "--bucket"),
        (vec!["repo", "add", "x", "--type", "url"], "--repo-url"),
        (vec!["repo", "add", "x", "--type", "fs", "--repo-url", "file:/x"], "--repo-url is not a setting of fs"),
        (vec!["repo", "add", "x", "--type", "gcs", "--setting", "chunk_size"], "KEY=VALUE"),
        (vec!["repo", "add", "x", "--type", "hdfs", "--setting", "uri=hdfs://nn:8020/"], "`path`"),
        (vec!["repo", "add", "x", "--type", "s3", "--bucket", "b", "--setting", "secret_key=AKIA-never-shown"], "keystore"),
        (vec!["repo", "add", "x", "--type", "fs x", "--location", "/x"], "not a repository type"),
        (vec!["restore", "backups", "snap-compatible", "--rename-pattern", "(", "--rename-replacement", "x"], "rename"),
        (vec!["restore", "backups", "snap-compatible", "--rename-pattern", "(.+)"], "required"),
        (vec!["restore", "backups", "snap-compatible", "--indices", "Bad Index"], "Bad Index"),
        (vec!["snapshot", "create", "backups", "<bad{now/d"], "date math"),
        (vec!["snapshot", "create", "backups", "ok", "--indices", "Bad,Index"], "Bad"),
        (vec!["snapshot", "status", "backups", ""], "snapshot"),
        (vec!["ece", "snapshot", "--ece-url", "http://127.0.0.1:1"], "required"),
    ];
    let url = sb.url.replace("http://", &format!("http://{USER}:{}@", PASSWORD.replace('!', "%21")));
    for (args, needle) in &cases {
        for json in [false, true] {
            let mut a = vec!["--url", url.as_str()];
            // `--url` given twice would be its own error: let the case's own win.
            if args.first() == Some(&"--url") {
                a.clear();
            }
            a.extend(args.iter());
            if json {
                a.push("--json");
            }
            let r = essnap(&a);
            assert_eq!(r.code, 2, "`essnap {}`:\n{}", a.join(" "), r.all());
            assert!(r.all().contains(needle), "`essnap {}` does not say `{needle}`:\n{}", a.join(" "), r.all());
            if json {
                let j = r.json();
                assert_eq!((j["ok"].as_bool(), j["exit_code"].as_i64(), j["error"]["code_name"].as_str()), (Some(false), Some(2), Some("invalid_input")), "{j}");
            }
            assert!(!r.all().contains("connection_failed"), "{}", r.all());
        }
    }
    // Known: the workflows that gather first (check, restore) report a bad repository or snapshot name with
    // code `other` and exit 1 (the gather machine wraps the input error as ErrorCode::Other); the message is
    // clear, the code and exit code are not those of bad input.
    for args in [["check", "", "snap-compatible"], ["restore", "backups", "Bad Snap"]] {
        let mut a = vec!["--url", url.as_str()];
        a.extend(args);
        let r = essnap(&a);
        assert!(r.code == 1 || r.code == 2, "{}", r.all());
        assert!(r.stderr.contains("invalid repository") || r.stderr.contains("invalid snapshot"), "{}", r.all());
    }
    // An argument that is not UTF-8: clap says so.
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = std::ffi::OsStr::from_bytes(b"snap-\xff");
        let out = Command::new(env!("CARGO_BIN_EXE_essnap")).args(["--url", &sb.url, "check", "backups"]).arg(bad).env("ESSNAP_CACHE_DIR", cache_dir()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("UTF-8") && !err.contains("panicked"), "{err}");
    }
    let _ = std::fs::remove_file(&not_pem);
}
