//! Plans (and with `--yes` executes) a restore against a cluster, printing the plan a user
//! confirms: every index with its target, verdict and action, what will be closed, and the exact
//! requests. A minimal blocking host for the sans-IO core: all it does is HTTP.
//!
//! ```text
//! cargo run --example restore -- --url http://127.0.0.1:9200 backups snap-compatible --close-conflicting [--prefix restored-] [--yes]
//! ```

use std::time::Duration;

use essnap::machine::gather::Gather;
use essnap::machine::restore::RestoreExecution;
use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive};
use essnap::plan::{Rename, RestoreSelection, plan_restore};
use essnap::{Connection, Request, Response};

fn send(agent: &ureq::Agent, conn: &Connection, req: &Request) -> Result<Response, TransportError> {
    let p = conn.prepare(req);
    let mut b = ureq::http::Request::builder().method(p.method.as_str()).uri(&p.url);
    for (k, v) in &p.headers {
        b = b.header(k, v);
    }
    let result = match p.body {
        Some(body) => agent.run(b.body(body).map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()))?),
        None => agent.run(b.body(()).map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()))?),
    };
    let mut resp = result.map_err(|e| {
        let kind = match &e {
            ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => TransportErrorKind::Connect,
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
            ureq::Error::Io(_) => TransportErrorKind::Dropped,
            _ => TransportErrorKind::Other,
        };
        TransportError::new(kind, format!("{} {}: {e}", p.method, req.path))
    })?;
    let status = resp.status().as_u16();
    let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = resp.body_mut().with_config().limit(512 << 20).read_to_vec().map_err(|e| TransportError::new(TransportErrorKind::Dropped, e.to_string()))?;
    Ok(Response { status, headers, body })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut url = std::env::var("ESSNAP_URL").unwrap_or_else(|_| "http://localhost:9200".into());
    let mut positional = Vec::new();
    let mut sel = RestoreSelection::default();
    let mut yes = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--url" => url = args.next().unwrap_or_default(),
            "--close-conflicting" => sel.close_conflicting = true,
            "--prefix" => sel.rename = Some(Rename::Prefix(args.next().unwrap_or_default())),
            "--indices" => sel.indices = args.next().unwrap_or_default().split(',').map(String::from).collect(),
            "--yes" => yes = true,
            _ => positional.push(a),
        }
    }
    let [repo, snapshot] = positional.as_slice() else {
        eprintln!("usage: restore [--url URL] REPOSITORY SNAPSHOT [--indices a,b] [--close-conflicting] [--prefix P] [--yes]");
        std::process::exit(2);
    };
    let conn = match Connection::parse(&url) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(30))).build().into();
    let timing = Timing { poll_interval_ms: 500, ..Timing::default() };
    let mut io = |r: &Request| send(&agent, &conn, r);
    let sleep = |ms| std::thread::sleep(Duration::from_millis(ms));

    let inputs = match drive(&mut Gather::new(repo.as_str(), snapshot.as_str(), timing.clone()), &mut io, sleep, |_| {}) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let plan = match plan_restore(&inputs, &sel) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    println!("{}", plan.render());
    if plan.is_blocked() {
        println!("The plan is blocked; nothing was changed.");
        std::process::exit(1);
    }
    if !yes {
        println!("Dry run: pass --yes to execute.");
        return;
    }
    let mut exec = RestoreExecution::new(plan, timing);
    let outcome = drive(&mut exec, &mut io, sleep, |e| match e {
        Event::Progress(p) => println!("  {:5.1}%  {}/{} shards", p.percent, p.shards_done, p.shards_total),
        Event::Stage { detail, .. } => println!("- {detail}"),
        Event::Closed { indices } => println!("- closed {}", indices.join(", ")),
        Event::Reopened { indices } => println!("- reopened {}", indices.join(", ")),
        Event::Retry { reason, .. } => println!("- retry: {reason}"),
        Event::Warning { message } => println!("- warning: {message}"),
    });
    println!("\nResult: {:?}", outcome.status);
    for i in &outcome.indices {
        println!("  {:<40} {:?}", i.name, i.fate);
    }
    if let Some(e) = &outcome.error {
        println!("{e}");
        std::process::exit(1);
    }
}
