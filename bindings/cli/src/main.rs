//! `essnap`: snapshot & restore for Elasticsearch and OpenSearch, from the command line.
//!
//! The logic (requests, decoding, compatibility, planning, the workflows) runs inside the essnap
//! WebAssembly component on wasmtime; this binary executes its HTTP and renders the results.
//!
//! Exit codes: 0 ok, 1 the cluster refused / the plan is blocked / the operation failed,
//! 2 bad input, 3 transport failure (no answer from the cluster).

mod commands;
mod host;
mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use host::{Guest, HttpConfig, requests, types};

const AFTER_HELP: &str = "\
Examples:
  essnap --url https://admin@es.example:9200 info            (password from ESSNAP_PASSWORD)
  essnap repos
  essnap snapshots backups --limit 20 --sort start-time --desc
  essnap check backups nightly-2026.01.01
  essnap restore backups nightly-2026.01.01 --indices 'logs-*' --prefix restored- --dry-run
  essnap restore backups nightly-2026.01.01 --close-conflicting --yes
  essnap snapshot create backups before-upgrade --wait
  essnap decode snapshot.get response.json

Connection: --url / ESSNAP_URL (default http://localhost:9200); credentials in the URL, or
--user (password from ESSNAP_PASSWORD), or --api-key / ESSNAP_API_KEY. Secrets are never printed.

Exit codes: 0 ok, 1 the cluster refused or the plan is blocked, 2 bad input, 3 transport failure.";

#[derive(Parser)]
#[command(name = "essnap", version, about = "Snapshot & restore for Elasticsearch and OpenSearch", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Clone)]
pub struct Global {
    /// The cluster URL (`https://user:password@host:9200/prefix`).
    #[arg(long, global = true, env = "ESSNAP_URL", default_value = "http://localhost:9200", hide_env_values = true)]
    pub url: String,
    /// User name; the password comes from ESSNAP_PASSWORD.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// API key (the `encoded` value, or `id:key`).
    #[arg(long, global = true, env = "ESSNAP_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Trust this CA certificate (PEM) besides the system's.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify TLS certificates (dangerous: anyone in between can read the credentials).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Per-request timeout in seconds.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Between progress polls, in milliseconds.
    #[arg(long, global = true, default_value_t = 1000, value_name = "MS")]
    pub poll_interval: u64,
    /// Machine-readable JSON on stdout (no progress output).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Which cluster this is (product, version, name).
    Info(commands::info::Args),
    /// List the registered snapshot repositories.
    Repos(commands::repos::Args),
    /// Register, verify or remove a repository.
    #[command(subcommand)]
    Repo(commands::repo::Cmd),
    /// List a repository's snapshots, a page at a time.
    Snapshots(commands::snapshots::Args),
    /// Create, watch or delete a snapshot.
    #[command(subcommand)]
    Snapshot(commands::snapshot::Cmd),
    /// Can this cluster restore the snapshot? The compatibility verdicts, per index.
    Check(commands::check::Args),
    /// Plan a restore, print it, and (with --yes) execute it.
    Restore(commands::restore::Args),
    /// Elastic Cloud Enterprise.
    #[command(subcommand)]
    Ece(commands::ece::Cmd),
    /// Decode a response body saved from a cluster, and print it as JSON.
    Decode(commands::decode::Args),
}

/// Why a command did not succeed.
pub enum Fail {
    /// An error essnap (the component) reported.
    Error(types::Error),
    /// Bad input caught by the CLI itself (exit 2).
    Usage { message: String, hint: String },
    /// The runtime failed (exit 3).
    Host(String),
    /// Already printed; exit with this code.
    Exit(u8),
}

pub type Outcome = Result<u8, Fail>;

pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Fail {
    Fail::Usage { message: message.into(), hint: hint.into() }
}

/// The exit code for an error: 2 bad input, 3 no answer, 1 anything the cluster said.
pub fn exit_code(e: &types::Error) -> u8 {
    use types::ErrorCode as C;
    match &e.code {
        C::InvalidInput | C::InvalidSnapshotName | C::InvalidIndexName if e.status.is_none() => 2,
        C::InvalidInput => 2,
        C::ConnectionFailed | C::ConnectionDropped | C::TlsError | C::Aborted | C::CorsBlocked => 3,
        C::Timeout if e.status.is_none() => 3,
        _ => 1,
    }
}

/// An error as JSON, with snake_case names (`code` is the stable code name).
pub fn error_json(e: &types::Error) -> serde_json::Value {
    let retry = match e.retry {
        types::RetryAdvice::Safe => "safe",
        types::RetryAdvice::CheckFirst => "check_first",
        types::RetryAdvice::No => "no",
    };
    serde_json::json!({
        "code": e.code_name, "code_name": e.code_name, "message": e.message, "hint": e.hint, "retry": retry, "status": e.status,
        "server_type": e.server_type, "caused_by": e.caused_by, "field": e.field, "source_codes": e.source_codes,
    })
}

/// Everything a command needs.
pub struct Ctx {
    pub guest: Guest,
    pub global: Global,
    pub json: bool,
    pub color: bool,
}

impl Ctx {
    /// Unwraps a call into the component.
    pub fn call<T>(&self, r: wasmtime::Result<Result<T, types::Error>>) -> Result<T, Fail> {
        match r {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(Fail::Error(e)),
            Err(trap) => Err(Fail::Host(format!("the essnap component failed: {trap:#}"))),
        }
    }

    pub fn trap<T>(&self, r: wasmtime::Result<T>) -> Result<T, Fail> {
        r.map_err(|trap| Fail::Host(format!("the essnap component failed: {trap:#}")))
    }

    fn http(&self, endpoint: requests::Endpoint) -> HttpConfig {
        if self.global.insecure {
            eprintln!("{}: --insecure: TLS certificates are not verified; credentials can be read by anyone in between", output::paint(self.color, "33", "warning"));
        }
        HttpConfig { endpoint: Some(endpoint), ca_cert: self.global.ca_cert.clone(), insecure: self.global.insecure, timeout: Duration::from_secs(self.global.timeout.max(1)) }
    }

    /// Points the transport at the endpoint the component resolved, with the run's timing.
    fn use_endpoint(&mut self, resolved: wasmtime::Result<Result<requests::Endpoint, types::Error>>) -> Result<(), Fail> {
        let ep = self.call(resolved)?;
        let cfg = self.http(ep);
        self.guest.connect(cfg).map_err(|e| usage(e, "check --ca-cert"))?;
        let opts = host::ops::Options { poll_interval_ms: self.global.poll_interval, max_wait_ms: 6 * 3600 * 1000, backoff_ms: 1000, max_retries: 5 };
        let r = self.guest.client.essnap_snapshots_operations().call_configure(&mut self.guest.store, opts);
        self.trap(r)
    }

    /// Connects the transport to the cluster of `--url` with the given credentials.
    pub fn connect(&mut self) -> Result<(), Fail> {
        let creds = credentials(self.global.user.as_deref(), "ESSNAP_PASSWORD", self.global.api_key.as_deref())?;
        let url = self.global.url.clone();
        let r = self.guest.client.essnap_snapshots_requests().call_connect(&mut self.guest.store, &url, &creds);
        self.use_endpoint(r)
    }

    /// Connects the transport to an ECE API.
    pub fn connect_ece(&mut self, url: &str, creds: requests::Credentials) -> Result<(), Fail> {
        let r = self.guest.client.essnap_snapshots_requests().call_connect_ece(&mut self.guest.store, url, &creds);
        self.use_endpoint(r)
    }

    pub fn paint(&self, code: &str, text: &str) -> String {
        output::paint(self.color, code, text)
    }
}

/// Credentials from `--user` + a password variable, or an API key.
pub fn credentials(user: Option<&str>, password_var: &str, api_key: Option<&str>) -> Result<requests::Credentials, Fail> {
    match (user, api_key) {
        (Some(_), Some(_)) => Err(usage("both a user and an API key were given", "use one: --user (with the password in the environment) or --api-key")),
        (Some(u), None) => match std::env::var(password_var) {
            Ok(p) => Ok(requests::Credentials::Basic((u.to_string(), p))),
            Err(_) => Err(usage(format!("--user {u} needs a password"), format!("set {password_var} (passwords are never taken as arguments)"))),
        },
        (None, Some(k)) => Ok(requests::Credentials::ApiKey(k.to_string())),
        (None, None) => Ok(requests::Credentials::None),
    }
}

fn print_failure(f: &Fail, json: bool, color: bool) -> u8 {
    let code = match f {
        Fail::Error(e) => exit_code(e),
        Fail::Usage { .. } => 2,
        Fail::Host(_) => 3,
        Fail::Exit(c) => return *c,
    };
    if json {
        let v = match f {
            Fail::Error(e) => serde_json::json!({ "ok": false, "exit_code": code, "error": error_json(e) }),
            Fail::Usage { message, hint } => serde_json::json!({ "ok": false, "exit_code": code, "error": { "code_name": "invalid_input", "message": message, "hint": hint } }),
            Fail::Host(m) => serde_json::json!({ "ok": false, "exit_code": code, "error": { "code_name": "host", "message": m } }),
            Fail::Exit(_) => unreachable!(),
        };
        output::json(&v);
        return code;
    }
    let red = |s: &str| output::paint(color, "31;1", s);
    match f {
        Fail::Error(e) => {
            let status = e.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            eprintln!("{}: {}: {}{status}", red("error"), e.code_name, e.message);
            for c in &e.caused_by {
                eprintln!("  caused by: {c}");
            }
            for c in &e.source_codes {
                eprintln!("  source code: {c}");
            }
            eprintln!("  hint: {}", e.hint);
        }
        Fail::Usage { message, hint } => {
            eprintln!("{}: {message}", red("error"));
            eprintln!("  hint: {hint}");
        }
        Fail::Host(m) => eprintln!("{}: {m}", red("error")),
        Fail::Exit(_) => {}
    }
    code
}

/// clap's own errors quote the arguments they did not expect — a URL with its password, an API key typed without
/// `--api-key`: say the same without the secrets, as JSON with `--json`.
fn print_usage_error(e: &clap::Error) -> u8 {
    let args: Vec<String> = std::env::args_os().skip(1).filter_map(|a| a.into_string().ok()).collect();
    let text = redact(&e.render().to_string(), &args);
    let code = e.exit_code() as u8;
    if args.iter().any(|a| a == "--json") {
        let message = text.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
        output::json(&serde_json::json!({ "ok": false, "exit_code": code, "error": { "code_name": "invalid_input", "message": message, "hint": "see essnap --help" } }));
    } else {
        eprint!("{text}");
    }
    code
}

/// `text` without the secrets the process knows (the password and key variables) or that an argument looks like
/// it carries: a URL's password, an `id:key` API key, an encoded one.
fn redact(text: &str, args: &[String]) -> String {
    let mut out = text.to_string();
    for var in ["ESSNAP_PASSWORD", "ESSNAP_API_KEY", "ESSNAP_ES_PASSWORD", "ESSNAP_ECE_PASSWORD", "ESSNAP_ECE_API_KEY"] {
        if let Ok(v) = std::env::var(var)
            && v.len() >= 3
        {
            out = out.replace(&v, "***");
        }
    }
    for a in args {
        if let Some(r) = redacted_argument(a) {
            out = out.replace(a.as_str(), &r);
        }
    }
    out
}

fn redacted_argument(a: &str) -> Option<String> {
    if let Some((scheme, rest)) = a.split_once("://") {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (userinfo, host) = authority.rsplit_once('@')?;
        let user = userinfo.split(':').next().unwrap_or("");
        return Some(format!("{scheme}://{user}:***@{host}{path}"));
    }
    if let Some((id, key)) = a.split_once(':')
        && !id.is_empty()
        && !id.starts_with('-')
        && !a.contains('/')
        && key.len() >= 6
    {
        return Some(format!("{id}:***"));
    }
    let encoded = a.len() >= 20 && a.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) && a.bytes().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    encoded.then(|| "***".to_string())
}

fn main() -> ExitCode {
    // Never print a panic's payload (it could hold anything); say what to do instead.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("error: essnap hit an internal error{at}; please report it (no secrets were printed)");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help, --version: nothing secret in them (environment values are hidden).
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
        Err(e) => return ExitCode::from(print_usage_error(&e)),
    };
    host::install_cancel_handler();
    let json = cli.global.json;
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal() && !json;
    let code = match run(cli, json, color) {
        Ok(c) => c,
        Err(f) => print_failure(&f, json, color),
    };
    ExitCode::from(code)
}

fn run(cli: Cli, json: bool, color: bool) -> Outcome {
    let guest = Guest::start(json, color).map_err(Fail::Host)?;
    let mut ctx = Ctx { guest, global: cli.global, json, color };
    let r = match cli.command {
        Command::Info(a) => commands::info::run(&mut ctx, a),
        Command::Repos(a) => commands::repos::run(&mut ctx, a),
        Command::Repo(c) => commands::repo::run(&mut ctx, c),
        Command::Snapshots(a) => commands::snapshots::run(&mut ctx, a),
        Command::Snapshot(c) => commands::snapshot::run(&mut ctx, c),
        Command::Check(a) => commands::check::run(&mut ctx, a),
        Command::Restore(a) => commands::restore::run(&mut ctx, a),
        Command::Ece(c) => commands::ece::run(&mut ctx, c),
        Command::Decode(a) => commands::decode::run(&mut ctx, a),
    };
    ctx.guest.store.data_mut().events.finish();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_lose_what_looks_secret() {
        let args: Vec<String> = ["info", "https://admin:pw%21x@es.example:9200/p", "cli-key:K3y-s3cret", "Y2xpLWtleTpLM3ktczNjcmV0", "logs-2026.01.01", "soon"].map(String::from).to_vec();
        let text = format!("error: unexpected argument '{}' found; also {} {} {} {}", args[1], args[2], args[3], args[4], args[5]);
        let r = redact(&text, &args);
        assert_eq!(r, "error: unexpected argument 'https://admin:***@es.example:9200/p' found; also cli-key:*** *** logs-2026.01.01 soon");
        for plain in ["--timeout", "http://es.example:9200", "backups", "nightly-*", "a:b"] {
            assert_eq!(redacted_argument(plain), None, "{plain}");
        }
    }
}
