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

/// The status line and the JSON body of a raw answer (`None` when it is not JSON).
fn status_and_json(answer: &str) -> (u16, Option<serde_json::Value>) {
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).ok())
}

#[test]
fn malformed_http_gets_a_clear_400_and_the_server_stays_up() {
    let h = demo();
    let long = "a".repeat(70 * 1024);
    let many: String = (0..3000).map(|i| format!("X-Header-{i}: {}\r\n", "v".repeat(20))).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("one header line over 64 KiB", format!("GET / HTTP/1.1\r\nX-Long: {long}\r\nConnection: close\r\n\r\n").into_bytes(), "too long"),
        ("64 KiB of headers in all", format!("GET / HTTP/1.1\r\n{many}Connection: close\r\n\r\n").into_bytes(), "header too large"),
        ("a request line over 64 KiB", format!("GET /{long} HTTP/1.1\r\nConnection: close\r\n\r\n").into_bytes(), "too long"),
        ("a header without a colon", b"GET / HTTP/1.1\r\nno colon here\r\nConnection: close\r\n\r\n".to_vec(), "bad header"),
        ("a content-length that is not a number", b"PUT /x HTTP/1.1\r\nContent-Length: abc\r\nConnection: close\r\n\r\n".to_vec(), "bad content-length"),
        ("a negative content-length", b"PUT /x HTTP/1.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n".to_vec(), "bad content-length"),
        ("a chunk size that is not hex", b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec(), "bad chunk"),
        ("a lowercase method", b"get / HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(), "bad request line"),
        ("an absolute URI", b"GET http://evil/ HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(), "bad request line"),
        ("no HTTP version", b"GET /\r\nConnection: close\r\n\r\n".to_vec(), "bad request line"),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), "bad request line"),
    ];
    for (what, bytes, why) in cases {
        let r = raw(&h.url, &bytes);
        let (status, body) = status_and_json(&r);
        assert_eq!(status, 400, "{what}: {r:.300}");
        assert!(body.as_ref().and_then(|b| b["error"].as_str()).is_some_and(|e| e.contains(why)), "{what}: the error says why: {r:.300}");
    }
    // A body shorter than its Content-Length, then the client goes away: nothing to answer, nothing breaks.
    let _ = raw(&h.url, b"PUT /_snapshot/r HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"type\":");
    assert_eq!(get(&h, "/").status, 200, "the server is still up");
}

#[test]
fn invalid_utf8_in_paths_and_bodies_is_refused_clearly() {
    let h = demo();
    // Raw bytes that are not UTF-8 in the path, and percent-encoded ones, where an index, repository or
    // snapshot name goes.
    let raw_paths: [&[u8]; 4] = [b"/\xff\xfe", b"/logs-\xc3/_close", b"/_snapshot/\xff", b"/_snapshot/backups/\xe2\x82/_restore"];
    for p in raw_paths {
        let method: &[u8] = if p.ends_with(b"_close") || p.ends_with(b"_restore") { b"POST" } else { b"GET" };
        let req = [method, b" ", p, b" HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"].concat();
        let r = raw(&h.url, &req);
        let (status, body) = status_and_json(&r);
        // (A missing snapshot's restore is a 500 `snapshot_restore_exception` on real nodes too.)
        assert!((400..600).contains(&status), "{}: {r:.300}", String::from_utf8_lossy(p));
        let kind = body.as_ref().and_then(|b| b["error"]["type"].as_str().map(String::from));
        assert!(kind.is_some_and(|k| k != "exception"), "{}: a typed error: {r:.300}", String::from_utf8_lossy(p));
    }
    // Percent-escapes that are not UTF-8 decode to U+FFFD, as on a real OpenSearch 2.19.1 (checked by hand:
    // `PUT /%FF%FE` creates the index `��`, `PUT /_snapshot/%FF` registers `�`); reads of such names are typed
    // 404s. (Raw bytes above are read as ISO-8859-1 by real nodes — `ÿ` where the sandbox shows `�` — both a
    // typed 404.)
    assert_eq!(send(&h, "PUT", "/%FF%FE", None).json()["index"], "\u{FFFD}\u{FFFD}");
    assert_eq!(send(&h, "PUT", "/_snapshot/%FF", Some(r#"{"type":"fs","settings":{"location":"x"}}"#)).status, 200);
    for (m, p) in [("GET", "/%C3/_settings"), ("POST", "/%E2%82%AC%FF/_close"), ("GET", "/_snapshot/backups/%FF%FE"), ("POST", "/_snapshot/backups/%C0%AF/_restore"), ("GET", "/_cat/indices/%FE?format=json")] {
        let r = send(&h, m, p, None);
        assert!((400..600).contains(&r.status), "{m} {p}: {} {}", r.status, r.text);
        let j = r.json();
        assert!(j["error"]["type"].as_str().is_some_and(|k| k != "exception") && j["error"]["reason"].as_str().is_some_and(|s| s.contains('\u{FFFD}')), "{m} {p}: {j}");
    }
    assert_eq!(get(&h, "/").status, 200);
}

#[test]
fn bad_json_bodies_on_every_route_that_reads_one() {
    let h = demo();
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", b"{\"indices\":".to_vec()),
        ("not JSON", b"{not json".to_vec()),
        ("invalid UTF-8", b"{\"indices\":\"\xff\xfe\"}".to_vec()),
        ("a string", b"\"just a string\"".to_vec()),
        ("an array", b"[1,2]".to_vec()),
        ("deeply nested", deep.into_bytes()),
        ("trailing garbage", b"{} {}".to_vec()),
        ("NUL bytes", b"{\"a\":\"\x00\"}\x00".to_vec()),
    ];
    let routes = [
        ("PUT", "/_snapshot/newrepo"),
        ("PUT", "/_snapshot/backups/new-snap"),
        ("POST", "/_snapshot/backups/snap-compatible/_restore"),
        ("PUT", "/_snapshot/backups/snap-compatible/_clone/cloned"),
        ("PUT", "/new-index"),
        ("POST", "/_snapshot/newrepo/_verify"),
    ];
    let agent = agent();
    for (m, p) in routes {
        for (what, body) in &bodies {
            let req = ureq::http::Request::builder().method(m).uri(format!("{}{p}", h.url)).header("content-type", "application/json").body(body.clone()).unwrap();
            let mut resp = agent.run(req).unwrap_or_else(|e| panic!("{m} {p} with {what}: no answer: {e}"));
            let status = resp.status().as_u16();
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            let j: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{m} {p} with {what}: not JSON: {text:.300}"));
            let kind = j["error"]["type"].as_str().unwrap_or_default().to_string();
            assert!((400..500).contains(&status) || (status == 500 && !kind.is_empty() && kind != "exception"), "{m} {p} with {what}: {status} {text:.300}");
            assert!(!kind.is_empty(), "{m} {p} with {what}: {text:.300}");
        }
    }
    // The sandbox's own fault API too.
    for (what, body) in &bodies {
        let req = ureq::http::Request::builder().method("POST").uri(format!("{}/_sandbox/faults", h.url)).body(body.clone()).unwrap();
        let status = agent.run(req).map(|r| r.status().as_u16()).unwrap_or(0);
        assert_eq!(status, 400, "POST /_sandbox/faults with {what}");
    }
    // Nothing was created by any of them.
    assert_eq!(get(&h, "/_snapshot/newrepo").status, 404);
    assert_eq!(get(&h, "/new-index").status, 404);
    assert_eq!(get(&h, "/").status, 200);
}
