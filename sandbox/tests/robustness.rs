//! Faults, CORS, auth, seed validation, and a no-panic fuzz-ish test.

mod support;

use essnap_sandbox::{Config, faults, seed::Seed, start};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::*;

fn with_faults(spec: &str) -> essnap_sandbox::Handle {
    let mut c = Config::new(Seed::from_json(ES_EMPTY).unwrap());
    c.faults = faults::parse_specs(spec).unwrap();
    start(c).unwrap()
}

#[test]
fn status_fault_for_n_requests_then_recovers() {
    let h = with_faults(r#"[{"path":"/_snapshot/*","method":"PUT","action":"status","status":503,"count":2}]"#);
    let body = r#"{"type":"fs","settings":{"location":"x"}}"#;
    for _ in 0..2 {
        let r = send(&h, "PUT", "/_snapshot/r", Some(body));
        assert_eq!(r.status, 503);
        assert_eq!(r.json()["error"]["type"], "master_not_discovered_exception");
    }
    assert_eq!(send(&h, "PUT", "/_snapshot/r", Some(body)).status, 200);
    assert_eq!(get(&h, "/_snapshot/r").status, 200, "GET is not matched by a PUT fault");
    let list = get(&h, "/_sandbox/faults").json();
    assert_eq!(list["faults"][0]["fired"], 2);
    assert_eq!(list["faults"][0]["remaining"], 0);
}

#[test]
fn runtime_fault_api_latency_429_and_skip() {
    let h = sandbox(ES_EMPTY);
    let r = send(&h, "POST", "/_sandbox/faults", Some(r#"[{"path":"/","action":"latency","ms":300},{"path":"/_cluster/health","action":"status","status":429,"skip":1,"count":1}]"#));
    assert_eq!(r.status, 200, "{}", r.text);
    let t = Instant::now();
    assert_eq!(get(&h, "/").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(get(&h, "/_cluster/health").status, 200);
    let r = get(&h, "/_cluster/health");
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert_eq!(r.json()["error"]["type"], "es_rejected_execution_exception");
    assert_eq!(get(&h, "/_cluster/health").status, 200);
    assert_eq!(send(&h, "POST", "/_sandbox/faults", Some(r#"[{"action":"latency"}]"#)).status, 400);
    assert_eq!(send(&h, "DELETE", "/_sandbox/faults", None).status, 200);
    assert_eq!(get(&h, "/_sandbox/faults").json(), json!({"faults": []}));
}

#[test]
fn drop_after_apply_is_the_502_but_it_happened_case() {
    let h = with_faults(r#"[{"path":"/_snapshot/r/s1","method":"PUT","action":"drop","count":1}]"#);
    send(&h, "PUT", "/_snapshot/r", Some(r#"{"type":"fs","settings":{"location":"x"}}"#));
    let r = call_with(&agent(), "PUT", &format!("{}/_snapshot/r/s1?wait_for_completion=true", h.url), None, &[]);
    assert!(r.is_err(), "connection should be dropped");
    // ... but the snapshot exists
    assert_eq!(get(&h, "/_snapshot/r/s1").json()["snapshots"][0]["state"], "SUCCESS");
}

#[test]
fn timeout_holds_then_drops_and_slow_body_trickles() {
    let h = with_faults(r#"[{"path":"/","action":"timeout","ms":1500,"count":1},{"path":"/_cat/*","action":"slow_body","chunk_bytes":1,"delay_ms":20}]"#);
    let a: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_millis(500))).http_status_as_error(false).build().into();
    let t = Instant::now();
    assert!(call_with(&a, "GET", &format!("{}/", h.url), None, &[]).is_err());
    assert!(t.elapsed() < Duration::from_millis(1400));
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(get(&h, "/").status, 200);
    let t = Instant::now();
    let r = get(&h, "/_cat/repositories?format=json");
    assert_eq!(r.json(), json!([]));
    assert!(t.elapsed() >= Duration::from_millis(20));
}

#[test]
fn fault_probability_is_deterministic() {
    let spec = r#"[{"path":"/","action":"status","status":500,"probability":0.5,"seed":7}]"#;
    let run = || {
        let h = with_faults(spec);
        (0..20).map(|_| get(&h, "/").status).collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.contains(&500) && a.contains(&200));
}

#[test]
fn cors_preflight_and_origin() {
    let h = sandbox(ES_EMPTY);
    let r = call("OPTIONS", &format!("{}/_snapshot", h.url), None, &[("Origin", "http://app.test"), ("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "authorization,content-type")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r.header("access-control-allow-headers").unwrap().contains("Authorization"));
    assert!(r.header("access-control-allow-headers").unwrap().contains("Content-Type"));
    let r = call("GET", &format!("{}/", h.url), None, &[("Origin", "http://app.test")]);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let mut c = Config::new(Seed::from_json(ES_EMPTY).unwrap());
    c.cors_origin = Some("http://good.test".into());
    let h = start(c).unwrap();
    let r = call("GET", &format!("{}/", h.url), None, &[("Origin", "http://good.test")]);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://good.test"));
    assert_eq!(call("GET", &format!("{}/", h.url), None, &[("Origin", "http://evil.test")]).status, 403);
}

#[test]
fn auth_basic_and_api_key() {
    let seed = r#"{"cluster":{"distribution":"elasticsearch","version":"8.12.2"},
        "auth":{"users":[{"username":"admin","password":"s3cret"}],"api_keys":["aWQ6a2V5"]}}"#;
    let h = sandbox(seed);
    let r = get(&h, "/_snapshot");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["type"], "security_exception");
    assert_eq!(r.json()["error"]["reason"], "missing authentication credentials for REST request [/_snapshot]");
    assert!(r.header("www-authenticate").is_some());
    let bad = call("GET", &format!("{}/", h.url), None, &[("Authorization", "Basic YWRtaW46bm9wZQ==")]);
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["error"]["reason"], "unable to authenticate user [admin] for REST request [/]");
    assert_eq!(call("GET", &format!("{}/", h.url), None, &[("Authorization", "Basic YWRtaW46czNjcmV0")]).status, 200);
    assert_eq!(call("GET", &format!("{}/", h.url), None, &[("Authorization", "ApiKey aWQ6a2V5")]).status, 200);
    assert_eq!(call("GET", &format!("{}/", h.url), None, &[("Authorization", "ApiKey bm9wZTpub3Bl")]).status, 401);
    let os = sandbox(r#"{"cluster":{"distribution":"opensearch","version":"2.19.1"},"auth":{"users":[{"username":"admin","password":"x"}]}}"#);
    let r = get(&os, "/");
    assert_eq!((r.status, r.text.as_str()), (401, "Unauthorized"));
}

#[test]
fn seed_validation_names_the_field() {
    let cases = [
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.x"}}"#, "cluster.version"),
        (r#"{"cluster":{"distribution":"solr","version":"8.1.0"}}"#, "unknown variant"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"bogus":1}"#, "unknown field `bogus`"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"indices":[{"name":"Bad"}]}"#, "indices[0].name"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"indices":[{"name":"a","state":"frozen"}]}"#, "unknown variant `frozen`"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"repositories":[{"name":"r","type":"fs","snapshots":[{"name":"S","version":"8.1.0","indices":[]}]}]}"#, "repositories[0].snapshots[0].name"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"repositories":[{"name":"r","type":"fs","snapshots":[{"name":"s","version":"8.1.0","indices":[],"start_time":"yesterday"}]}]}"#, "start_time"),
        (r#"{"cluster":{"distribution":"elasticsearch","version":"8.1.0"},"ece":{}}"#, "ece"),
    ];
    for (text, needle) in cases {
        let e = Seed::from_json(text).unwrap_err();
        assert!(e.contains(needle), "{needle} not in: {e}");
    }
    for f in ["demo.json", "opensearch.json"] {
        Seed::from_file(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(f)).unwrap();
    }
    assert!(faults::parse_specs_json(r#"[{"action":"status","status":200}]"#).unwrap_err().contains("faults[0].status"));
}

fn raw(url: &str, bytes: &[u8]) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let mut buf = vec![];
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

#[test]
fn garbage_never_panics_and_server_stays_up() {
    let h = demo();
    // huge body is refused with 413 before reading it
    let r = raw(&h.url, b"PUT /_snapshot/r HTTP/1.1\r\nContent-Length: 200000000\r\nConnection: close\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    let r = raw(&h.url, b"GARBAGE\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    let r = send(&h, "PUT", "/_snapshot/r", Some("{not json"));
    assert_eq!((r.status, r.json()["error"]["type"].as_str().unwrap()), (400, "x_content_parse_exception"));
    let mut rng = essnap_sandbox::util::Rng::new(42);
    let methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];
    let paths = ["/_snapshot/backups/snap-compatible/_restore", "/_snapshot/backups/x", "/_snapshot/backups", "/logs-a/_close", "/_snapshot/nightly/_all", "/%ZZ/%00", "/_cat/indices", "/_snapshot/backups/snap-compatible/_clone/y"];
    let bodies = ["", "[]", "null", "{\"indices\":5}", "{\"rename_pattern\":\"(\",\"rename_replacement\":\"$9\"}", "{\"indices\":[1,2]}", "\u{0}\u{1}", "{\"metadata\":\"x\"}", "{\"type\":7}", "{\"index_settings\":3}"];
    let queries = ["", "?size=-5", "?after=!!!", "?sort=name&after=Zm9v", "?wait_for_completion=maybe", "?from_sort_value=abc", "?offset=x", "?verbose=false&sort=name"];
    for _ in 0..300 {
        let m = methods[rng.below(methods.len() as u64) as usize];
        let p = paths[rng.below(paths.len() as u64) as usize];
        let q = queries[rng.below(queries.len() as u64) as usize];
        let b = bodies[rng.below(bodies.len() as u64) as usize];
        let r = call(m, &format!("{}{}{}", h.url, p, q), if b.is_empty() || m == "GET" || m == "HEAD" { None } else { Some(b) }, &[]);
        assert!(r.status < 500 || r.json()["error"]["type"].as_str().is_some_and(|t| t != "exception"), "{m} {p}{q} {b}: {} {}", r.status, r.text);
    }
    assert_eq!(get(&h, "/").status, 200);
}
