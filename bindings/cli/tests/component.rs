//! Bad input through the WIT surface (issue 12): the essnap `client` component (the one the CLI embeds) on a
//! small wasmtime host whose transport reaches an in-process sandbox, called on every exported interface with
//! arguments a careless host could pass — empty, malformed, oversized, out of range, out of order. Every call
//! must come back as a value or a structured `error` (code, message, hint), never a trap, and the instance must
//! keep working afterwards (a trap would poison it).

use std::sync::OnceLock;
use std::time::Duration;

use essnap_sandbox::seed::Seed;
use essnap_sandbox::{Config, Handle};
use wasmtime::component::{Component, HasSelf, Linker, ResourceAny};
use wasmtime::{Engine, Store};

mod wit {
    wasmtime::component::bindgen!({ world: "client", path: "../../wit" });
}

use wit::essnap::snapshots::types as t;
use wit::exports::essnap::snapshots::operations as ops;
use wit::exports::essnap::snapshots::planning;
use wit::exports::essnap::snapshots::requests;

const PASSWORD: &str = "W1t-s3cret-pw";

struct Host {
    agent: ureq::Agent,
    base: String,
    /// The endpoint's headers (authentication), added to every request like the CLI does.
    headers: Vec<(String, String)>,
    sent: usize,
}

impl t::Host for Host {}

impl wit::essnap::snapshots::transport::Host for Host {
    fn send(&mut self, r: t::HttpRequest) -> Result<t::HttpResponse, t::TransportError> {
        self.sent += 1;
        let method = match r.method {
            t::Method::Get => "GET",
            t::Method::Head => "HEAD",
            t::Method::Put => "PUT",
            t::Method::Post => "POST",
            t::Method::Delete => "DELETE",
        };
        let mut b = ureq::http::Request::builder().method(method).uri(format!("{}{}", self.base, r.path));
        for (k, v) in r.headers.iter().chain(&self.headers) {
            b = b.header(k.as_str(), v.as_str());
        }
        let other = |e: String| t::TransportError { kind: t::TransportErrorKind::Other, message: e };
        let res = match r.body {
            Some(body) => b.body(body).map_err(|e| other(e.to_string())).and_then(|q| self.agent.run(q).map_err(|e| other(e.to_string()))),
            None => b.body(()).map_err(|e| other(e.to_string())).and_then(|q| self.agent.run(q).map_err(|e| other(e.to_string()))),
        };
        let mut resp = res.map_err(|e| t::TransportError { kind: t::TransportErrorKind::Connect, message: e.message })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
        let body = resp.body_mut().read_to_vec().map_err(|e| other(e.to_string()))?;
        Ok(t::HttpResponse { status, headers, body })
    }
}

impl wit::essnap::snapshots::host::Host for Host {
    fn sleep(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms.min(20)));
    }
    fn report(&mut self, _event: t::Event) {}
}

fn engine_and_component() -> &'static (Engine, Component) {
    static C: OnceLock<(Engine, Component)> = OnceLock::new();
    C.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).expect("engine");
        let component = Component::from_file(&engine, env!("ESSNAP_COMPONENT_PATH")).expect("the client component (cargo xtask component)");
        (engine, component)
    })
}

struct Guest {
    store: Store<Host>,
    client: wit::Client,
    _sandbox: Handle,
}

/// The component, its transport pointed at a fresh demo sandbox that requires `admin` / [`PASSWORD`] (the host
/// sends them).
fn guest() -> Guest {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../sandbox/seeds/demo.json")).unwrap();
    let mut seed: serde_json::Value = serde_json::from_str(&text).unwrap();
    seed["auth"] = serde_json::json!({ "users": [{ "username": "admin", "password": PASSWORD }] });
    let sandbox = essnap_sandbox::start(Config::new(Seed::from_json(&seed.to_string()).unwrap())).unwrap();
    let (engine, component) = engine_and_component();
    let mut linker: Linker<Host> = Linker::new(engine);
    wit::Client::add_to_linker::<_, HasSelf<_>>(&mut linker, |h| h).unwrap();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(20))).build().new_agent();
    let mut store = Store::new(engine, Host { agent, base: sandbox.url.clone(), headers: basic_auth(), sent: 0 });
    let client = wit::Client::instantiate(&mut store, component, &linker).expect("instantiates");
    let opts = ops::Options { poll_interval_ms: 10, max_wait_ms: 5_000, backoff_ms: 1, max_retries: 2 };
    client.essnap_snapshots_operations().call_configure(&mut store, opts).unwrap();
    Guest { store, client, _sandbox: sandbox }
}

fn basic_auth() -> Vec<(String, String)> {
    use base64::Engine;
    vec![("authorization".into(), format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"))))]
}

/// A call that must not trap; the component's own result.
fn no_trap<T>(what: &str, r: wasmtime::Result<T>) -> T {
    r.unwrap_or_else(|trap| panic!("{what}: the component trapped: {trap:?}"))
}

/// A call that must be refused with a structured error.
fn refused<T: std::fmt::Debug>(what: &str, r: wasmtime::Result<Result<T, t::Error>>) -> t::Error {
    let e = match no_trap(what, r) {
        Ok(v) => panic!("{what}: accepted: {v:?}"),
        Err(e) => e,
    };
    assert!(!e.code_name.is_empty() && !e.message.is_empty() && !e.hint.is_empty(), "{what}: an error without code, message or hint: {e:?}");
    assert!(!e.message.contains(PASSWORD) && !e.hint.contains(PASSWORD), "{what}: the error shows the password: {e:?}");
    e
}

fn is_bad_input(e: &t::Error) -> bool {
    matches!(e.code, t::ErrorCode::InvalidInput | t::ErrorCode::InvalidSnapshotName | t::ErrorCode::InvalidIndexName) && e.status.is_none()
}

fn es8() -> t::Side {
    t::Side { distribution: t::Distribution::Elasticsearch, version: "8.12.2".into() }
}

#[test]
fn pure_interfaces_refuse_bad_arguments_without_trapping() {
    let mut g = guest();
    let (store, c) = (&mut g.store, &g.client);
    let req = c.essnap_snapshots_requests();

    // URLs, with credentials in them and as an argument
    let huge = format!("http://{}:9200", "a".repeat(1 << 20));
    let with_pw = format!("http://admin:{PASSWORD}@ho st:9200");
    for url in ["", " ", "ftp://host", "http://host:99999", "http://host:0", "http://[::1", "http://", "http://host/../x", "\u{0}", "http://h\u{0}st", "http://höst:9200", with_pw.as_str(), huge.as_str()] {
        let e = refused(&format!("connect({:.40})", url), req.call_connect(&mut *store, url, &requests::Credentials::None));
        assert!(is_bad_input(&e), "connect({url:.40}): {e:?}");
        let e = refused("connect-ece", req.call_connect_ece(&mut *store, url, &requests::Credentials::ApiKey("k".into())));
        assert!(is_bad_input(&e), "connect-ece({url:.40}): {e:?}");
    }
    for creds in [
        requests::Credentials::Basic((String::new(), PASSWORD.into())),
        requests::Credentials::Basic(("a:b".into(), PASSWORD.into())),
        requests::Credentials::ApiKey(String::new()),
    ] {
        let e = refused(&format!("connect with {creds:?}"), req.call_connect(&mut *store, "http://localhost:9200", &creds));
        assert!(is_bad_input(&e), "{e:?}");
    }

    // request builders: names, sizes, cursors, versions
    for (repo, snaps, size, after) in [
        ("", vec!["s".to_string()], None, None),
        ("Bad Repo", vec!["s".into()], None, None),
        ("r", vec!["Bad Snap".into()], None, None),
        ("r", vec!["s,t".into()], None, None),
        ("r", vec!["_all".into()], Some(10), Some("\u{0}!!".to_string())),
    ] {
        let what = format!("get-snapshots({repo:?}, {snaps:?}, {size:?}, {after:?})");
        let e = refused(&what, req.call_get_snapshots(&mut *store, &es8(), repo, &snaps, size, after.as_deref()));
        assert!(is_bad_input(&e) && e.field.is_some(), "{what}: {e:?}");
    }
    // ("8" alone is read as 8.0.0: lenient, like the versions servers print.)
    for v in ["", "x.y", "8.x", "99999999999999999999.0.0", "-1.0.0", "8.12.2\u{0}", "８.12.2"] {
        let side = t::Side { distribution: t::Distribution::Elasticsearch, version: v.into() };
        let cmp = c.essnap_snapshots_compatibility();
        for e in [
            refused(&format!("get-repositories({v:?})"), req.call_get_repositories(&mut *store, &side)),
            refused(&format!("check-snapshot({v:?})"), cmp.call_check_snapshot(&mut *store, &es8(), &side)),
            refused(&format!("check-snapshot(cluster {v:?})"), cmp.call_check_snapshot(&mut *store, &side, &es8())),
            refused(&format!("check-index(created {v:?})"), cmp.call_check_index(&mut *store, &es8(), &es8(), "logs", Some(&side))),
        ] {
            assert!(is_bad_input(&e) && e.message.contains("version"), "{v:?}: {e:?}");
        }
    }
    refused("snapshot-status(\"\")", req.call_snapshot_status(&mut *store, &es8(), "r", ""));
    // The index name of check-index is only a label in the verdict: any string is fine, even a huge one.
    no_trap("check-index(label)", c.essnap_snapshots_compatibility().call_check_index(&mut *store, &es8(), &es8(), &"x".repeat(1 << 20), None)).expect("a verdict");

    // decoding: unknown APIs, bodies that are not what they claim, deep nesting, invalid UTF-8
    let dec = c.essnap_snapshots_decoding();
    let resp = |status: u16, body: &[u8]| t::HttpResponse { status, headers: vec![("content-type".into(), "application/json".into())], body: body.to_vec() };
    let e = refused("decode(no.such.api)", dec.call_decode(&mut *store, "no.such.api", &resp(200, b"{}")));
    assert!(is_bad_input(&e), "{e:?}");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies: [&[u8]; 6] = [b"", b"\xff\xfe\xfd", b"<html>proxy</html>", deep.as_bytes(), b"{\"snapshots\":[{\"snapshot\":7}]}", b"null"];
    let apis = no_trap("decodable", dec.call_decodable(&mut *store));
    assert!(apis.len() > 10, "{apis:?}");
    for api in &apis {
        for body in bodies {
            for status in [0, 200, 299, 500, 65535] {
                let _ = no_trap(&format!("decode({api}, {status})"), dec.call_decode(&mut *store, api, &resp(status, body)));
            }
        }
    }
    for body in bodies {
        refused("decode-info", dec.call_decode_info(&mut *store, &resp(200, body)));
        refused("decode-snapshots", dec.call_decode_snapshots(&mut *store, &resp(200, body)));
    }
    let errs = c.essnap_snapshots_errors();
    for status in [0, 100, 200, 418, 999, 65535] {
        let e = no_trap("from-response", errs.call_from_response(&mut *store, &resp(status, deep.as_bytes())));
        assert!(!e.message.is_empty() && !e.hint.is_empty(), "{e:?}");
    }
    no_trap("from-transport", errs.call_from_transport(&mut *store, &t::TransportError { kind: t::TransportErrorKind::Other, message: String::new() }));

    // still alive: a good call works
    let ep = no_trap("connect", req.call_connect(&mut *store, &format!("http://admin:{PASSWORD}@localhost:9200"), &requests::Credentials::None)).expect("a good URL");
    assert_eq!(ep.base_url, "http://localhost:9200");
    assert!(!format!("{:?}", ep.base_url).contains(PASSWORD));
}

fn selection() -> t::RestoreSelection {
    t::RestoreSelection {
        indices: Vec::new(),
        rename_pattern: None,
        rename_replacement: None,
        prefix: None,
        include_global_state: false,
        feature_states: None,
        partial: false,
        close_conflicting: false,
        include_aliases: None,
        index_settings_json: None,
        ignore_index_settings: Vec::new(),
    }
}

fn step(store: &mut Store<Host>, c: &wit::Client, p: ResourceAny, input: planning::Input) -> planning::PlannerStep {
    no_trap("planner step", c.essnap_snapshots_planning().restore_planner().call_step(store, p, &input))
}

#[test]
fn the_planner_survives_bad_selections_and_out_of_order_steps() {
    let mut g = guest();
    let (store, c) = (&mut g.store, &g.client);
    let planner = c.essnap_snapshots_planning().restore_planner();
    let bad = [
        t::RestoreSelection { rename_pattern: Some("(".into()), rename_replacement: Some("x".into()), ..selection() },
        t::RestoreSelection { rename_pattern: Some("(.+)".into()), rename_replacement: Some("$9".into()), ..selection() },
        t::RestoreSelection { rename_pattern: Some("(.+)".into()), rename_replacement: None, ..selection() },
        t::RestoreSelection { prefix: Some("Bad Prefix".into()), ..selection() },
        t::RestoreSelection { indices: vec!["Bad,Index".into()], ..selection() },
        t::RestoreSelection { indices: vec![String::new()], ..selection() },
        t::RestoreSelection { index_settings_json: Some("[1]".into()), ..selection() },
        t::RestoreSelection { feature_states: Some(vec!["\u{0}".into()]), ..selection() },
    ];
    for (repo, snap, sel) in bad.iter().map(|s| ("backups", "snap-compatible", s.clone())).chain([("", "s", selection()), ("backups", "Bad Snap", selection()), ("r".repeat(1 << 16).leak() as &str, "s", selection())]) {
        // A bad selection is refused at its first step or in the plan it ends with: never a trap.
        let p = no_trap("planner constructor", planner.call_constructor(&mut *store, repo, snap, &sel));
        let mut input = planning::Input::Start;
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(steps < 100, "the planner does not end");
            match step(store, c, p, input) {
                planning::PlannerStep::Send(r) => {
                    input = match wit::essnap::snapshots::transport::Host::send(store.data_mut(), r) {
                        Ok(resp) => planning::Input::Response(resp),
                        Err(e) => planning::Input::Failed(e),
                    }
                }
                planning::PlannerStep::Wait(_) => input = planning::Input::Waited,
                planning::PlannerStep::Done(Ok(plan)) => {
                    assert!(!plan.blockers.is_empty() || plan.items.is_empty() || sel.indices.is_empty(), "{repo:.20} {snap} {sel:?}: planned {:?}", plan.rendered);
                    break;
                }
                planning::PlannerStep::Done(Err(e)) => {
                    assert!(!e.message.is_empty() && !e.hint.is_empty(), "{e:?}");
                    break;
                }
            }
        }
        // ... and stepping a finished planner again is no trap either
        let _ = step(store, c, p, planning::Input::Waited);
    }
    // Out of order: an answer before `start`, `waited` when nothing was waited for, a failure at once.
    let junk = t::HttpResponse { status: 200, headers: Vec::new(), body: b"{}".to_vec() };
    for first in [planning::Input::Response(junk.clone()), planning::Input::Waited, planning::Input::Failed(t::TransportError { kind: t::TransportErrorKind::Dropped, message: "x".into() })] {
        let p = no_trap("constructor", planner.call_constructor(&mut *store, "backups", "snap-compatible", &selection()));
        for _ in 0..5 {
            if let planning::PlannerStep::Done(_) = step(store, c, p, first.clone()) {
                break;
            }
        }
        let _ = step(store, c, p, planning::Input::Start);
        let _ = step(store, c, p, planning::Input::Response(junk.clone()));
    }
}

#[test]
fn operations_refuse_bad_arguments_without_trapping() {
    let mut g = guest();
    let (store, c) = (&mut g.store, &g.client);
    let ops_ = c.essnap_snapshots_operations();
    let query = |patterns: Vec<String>, size: u32, after: Option<String>| ops::SnapshotQuery { patterns, size, after, sort: ops::SnapshotSort::Name, descending: false };
    // Without credentials the sandbox answers 401: an error like any other.
    store.data_mut().headers.clear();
    let e = refused("info without credentials", ops_.call_info(&mut *store));
    assert!(matches!(e.code, t::ErrorCode::Unauthorized), "{e:?}");

    let ep = no_trap("connect", c.essnap_snapshots_requests().call_connect(&mut *store, "http://localhost:9200", &requests::Credentials::Basic(("admin".into(), PASSWORD.into()))));
    let ep = ep.expect("connects");
    // the host adds the endpoint's headers from now on (like the CLI)
    store.data_mut().headers = ep.headers;
    no_trap("info", ops_.call_info(&mut *store)).expect("a connected info");

    for (repo, q) in [
        ("nightly", query(vec![], 0, None)),
        ("nightly", query(vec![], 10_001, None)),
        ("nightly", query(vec![], u32::MAX, None)),
        ("nightly", query(vec!["Bad Name".into()], 5, None)),
        ("nightly", query(vec![], 5, Some("offset:-1".into()))),
        ("", query(vec![], 5, None)),
        ("Bad Repo", query(vec![], 5, None)),
    ] {
        let e = refused(&format!("list-snapshots({repo}, size {}, {:?})", q.size, q.after), ops_.call_list_snapshots(&mut *store, repo, &q));
        assert!(is_bad_input(&e), "{repo} {q:?}: {e:?}");
    }
    // A cursor essnap never printed: a clear refusal (from the cluster or from essnap), not a crash.
    refused("list-snapshots(garbage cursor)", ops_.call_list_snapshots(&mut *store, "nightly", &query(vec![], 5, Some("!!not-a-cursor\u{0}".into()))));

    let fs = |location: &str| ops::RepositorySettings::Fs(ops::FsSettings { location: location.into(), compress: None, readonly: None });
    let s3 = |bucket: &str| ops::RepositorySettings::S3(ops::S3Settings { bucket: bucket.into(), client: None, base_path: None, compress: None, readonly: None });
    let other = |kind: &str, json: &str| ops::RepositorySettings::Other(ops::OtherRepositorySettings { kind: kind.into(), settings_json: json.into() });
    for (name, settings) in [
        ("", fs("/x")),
        ("Bad Name", fs("/x")),
        ("_all", fs("/x")),
        ("r", fs("")),
        ("r", s3("")),
        ("r*", s3("b")),
        ("r", ops::RepositorySettings::Url(String::new())),
        ("r", other("azure", "[1]")),
        ("r", other("azure", "{")),
        ("r", other("fs x", "{}")),
        ("r", other("gcs", "{}")),
        ("r", other("s3", r#"{"bucket":"b","secret_key":"x"}"#)),
    ] {
        let e = refused(&format!("add-repository({name:?})"), ops_.call_add_repository(&mut *store, name, &settings, false));
        assert!(is_bad_input(&e) || e.status.is_some(), "{e:?}");
    }
    for name in ["", "Bad Name", "*"] {
        refused(&format!("verify-repository({name:?})"), ops_.call_verify_repository(&mut *store, name));
        refused(&format!("remove-repository({name:?})"), ops_.call_remove_repository(&mut *store, name));
    }
    let create = |indices: Vec<String>, wait: bool| ops::CreateRequest { indices, include_global_state: None, partial: false, wait, metadata_json: None, feature_states: None };
    for (repo, name, req) in [
        ("backups", "", create(vec![], false)),
        ("backups", "Bad Name", create(vec![], true)),
        ("backups", "<bad{now/d", create(vec![], true)),
        ("backups", "<x-{now/d{yyyy.MM.dd|Not/Zone}}>", create(vec![], true)),
        ("backups", "ok-name", create(vec!["Bad Index".into()], true)),
        ("", "ok-name", create(vec![], false)),
        ("backups", "ok-name", ops::CreateRequest { metadata_json: Some("[1]".into()), ..create(vec![], true) }),
        ("backups", "ok-name", ops::CreateRequest { metadata_json: Some("{".into()), ..create(vec![], false) }),
    ] {
        // Refused before anything is created, or (when only the cluster can tell) a not-created outcome that says why.
        match no_trap("create-snapshot", ops_.call_create_snapshot(&mut *store, repo, name, &req)) {
            Err(e) => assert!(is_bad_input(&e) && !e.hint.is_empty(), "{name}: {e:?}"),
            Ok(out) => assert!(
                matches!(out.status, ops::CreateStatus::NotCreated) && out.error.as_ref().is_some_and(|e| matches!(e.code, t::ErrorCode::InvalidSnapshotName)),
                "create-snapshot({repo:?}, {name:?}): {out:?}"
            ),
        }
    }
    for (repo, snap) in [("backups", ""), ("backups", "Bad Name"), ("", "s")] {
        let e = refused(&format!("snapshot-status({snap:?})"), ops_.call_snapshot_status(&mut *store, repo, snap));
        assert!(is_bad_input(&e), "{e:?}");
        let e = refused(&format!("delete-snapshot({snap:?})"), ops_.call_delete_snapshot(&mut *store, repo, snap));
        assert!(is_bad_input(&e), "{e:?}");
        refused(&format!("check({snap:?})"), ops_.call_check(&mut *store, repo, snap));
    }
    let e = refused("restore.plan(bad rename)", ops_.restore().call_plan(&mut *store, "backups", "snap-compatible", &t::RestoreSelection { rename_pattern: Some("(".into()), rename_replacement: Some("x".into()), ..selection() }));
    assert!(is_bad_input(&e), "{e:?}");
    for req in [
        ops::EceSnapshotRequest { cluster_id: String::new(), repository: None, name: None, es_credentials: None, deployment_id: None, wait: false },
        ops::EceSnapshotRequest { cluster_id: "not hex!".into(), repository: None, name: None, es_credentials: None, deployment_id: None, wait: false },
        ops::EceSnapshotRequest { cluster_id: "a1b2c3".into(), repository: Some("Bad Repo".into()), name: Some("Bad Name".into()), es_credentials: Some((String::new(), PASSWORD.into())), deployment_id: Some("?".into()), wait: true },
    ] {
        refused(&format!("ece-snapshot({:?})", req.cluster_id), ops_.call_ece_snapshot(&mut *store, &req));
    }

    // A plan executed twice: the second time is refused in the outcome, nothing sent.
    let plan = no_trap("plan", ops_.restore().call_plan(&mut *store, "backups", "snap-compatible", &t::RestoreSelection { indices: vec!["logs-a".into()], prefix: Some("twice-".into()), ..selection() }))
        .expect("a restorable selection");
    let first = no_trap("execute", ops_.restore().call_execute(&mut *store, plan));
    assert_eq!(first.status, ops::RestoreStatus::Completed, "{first:?}");
    let sent = store.data().sent;
    let again = no_trap("execute again", ops_.restore().call_execute(&mut *store, plan));
    assert_eq!((again.status, again.requests_sent, store.data().sent), (ops::RestoreStatus::NotStarted, 0, sent), "{again:?}");
    assert!(again.error.is_some_and(|e| e.message.contains("executed already")));

    // Timing knobs at their extremes are no crash either.
    no_trap("configure", ops_.call_configure(&mut *store, ops::Options { poll_interval_ms: 0, max_wait_ms: 0, backoff_ms: u64::MAX, max_retries: 0 }));
    let out = no_trap("create with zero timing", ops_.call_create_snapshot(&mut *store, "backups", "zero-timing", &create(vec!["logs-a".into()], true))).expect("created");
    assert!(matches!(out.status, ops::CreateStatus::StillRunning | ops::CreateStatus::Success), "{out:?}");
    no_trap("info", ops_.call_info(&mut *store)).expect("still alive");
}
