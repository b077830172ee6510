//! Connection URLs, names and versions as operators and servers write them — and the clear
//! errors bad ones get.

use essnap::names::*;
use essnap::version::VersionSource;
use essnap::{Connection, Credentials, Version, api::cluster};

#[test]
fn urls_as_operators_write_them() {
    let c = Connection::parse("https://admin:s3cr%40t@ES.example.com:9243/proxy/es/").unwrap();
    assert_eq!(c.base_url(), "https://es.example.com:9243/proxy/es");
    match &c.credentials {
        Some(Credentials::Basic { username, password }) => {
            assert_eq!(username, "admin");
            assert_eq!(password.expose(), "s3cr@t");
        }
        other => panic!("{other:?}"),
    }
    let p = c.prepare(&cluster::info());
    assert_eq!(p.url, "https://es.example.com:9243/proxy/es/");
    assert!(!p.url.contains("admin"), "credentials never stay in the URL");
    let auth = &p.headers.iter().find(|(k, _)| k == "authorization").unwrap().1;
    assert_eq!(auth, "Basic YWRtaW46czNjckB0");

    assert_eq!(Connection::parse("localhost").unwrap().base_url(), "http://localhost:9200");
    assert_eq!(Connection::parse("http://[::1]:9201").unwrap().base_url(), "http://[::1]:9201");
    assert_eq!(Connection::parse("10.0.0.7:9200").unwrap().base_url(), "http://10.0.0.7:9200");
    // A host that happens to be called `http`, with a port, is still a host.
    assert_eq!(Connection::parse("http:9201").unwrap().base_url(), "http://http:9201");
}

#[test]
fn secrets_never_show_in_debug_or_display() {
    let c = Connection::parse("https://admin:hunter2@host:9200").unwrap().with_credentials(Credentials::api_key("id1:topsecretkey").unwrap());
    let p = c.prepare(&cluster::info());
    for shown in [format!("{c:?}"), format!("{p:?}"), format!("{:?}", c.credentials)] {
        assert!(!shown.contains("hunter2") && !shown.contains("topsecretkey") && !shown.contains("aWQxOnRvcHNlY3JldGtleQ"), "{shown}");
    }
    let p2 = c.prepare(&cluster::info());
    assert!(p2.headers.iter().any(|(_, v)| v == "ApiKey aWQxOnRvcHNlY3JldGtleQ=="), "id:key is encoded");
    let mut c3 = Connection::parse("host").unwrap();
    c3.headers.push(("X-Api-Token".into(), "tok-123".into()));
    assert!(!format!("{c3:?}").contains("tok-123"));
}

#[test]
fn bad_urls_say_what_is_wrong() {
    let cases = [
        ("", "empty"),
        ("ftp://host", "scheme"),
        ("http://host:99999", "port"),
        ("http://host:0", "port"),
        ("http://host:abc", "port"),
        ("http://ho st:9200", "whitespace"),
        ("http://host:9200/?pretty", "query"),
        ("http://:pw@host", "no user name"),
        ("http://", "no host"),
        ("http://[::1", "IPv6"),
        ("http://bad_host!:9200", "host name"),
        ("http://host/../x", "`..`"),
        ("http:/host:9200", "not followed by `//`"),
        ("HTTPS:host", "not followed by `//`"),
        ("htp:/host", "not a URL scheme"),
    ];
    for (url, needle) in cases {
        let e = Connection::parse(url).unwrap_err();
        assert_eq!(e.field, "url");
        assert!(e.problem.contains(needle), "{url}: {e}");
        assert!(!e.hint.is_empty());
    }
    let e = Connection::parse("https://admin:hunter2@bad host").unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn snapshot_names() {
    for ok in ["snap-1", "nightly-2026.11.23", "a_b", "<nightly-{now/d}>", "<snap-{now/M{yyyy.MM}}>", "<s-{now-1d/d{yyyy.MM.dd|+01:00}}>"] {
        validate_snapshot_name(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    let bad = [
        ("", "empty"),
        ("Snap", "lowercase"),
        ("_snap", "starts with `_`"),
        ("a b", "whitespace"),
        ("a#b", "`#`"),
        ("a/b", "`/`"),
        ("a,b", "`,`"),
        ("a*", "`*`"),
        ("<snap-{now/d}", "does not end"),
        ("<snap>", "no `{now"),
        ("<snap-{today}>", "start with `now`"),
        ("<snap-{now/x}>", "unit"),
        ("<Snap-{now/d}>", "lowercase"),
        ("<snap-{now/d}}>", "without its"),
        ("<snap-{nowẃ}>", "unexpected `ẃ`"),
        ("<snap-{now+ẃ}>", "followed by a number"),
    ];
    for (name, needle) in bad {
        let e = validate_snapshot_name(name).unwrap_err();
        assert!(e.problem.contains(needle), "{name}: {e}");
    }
}

#[test]
fn index_and_repository_names() {
    validate_index_name("logs-2026.11").unwrap();
    validate_index_name(".ds-logs-app-2026.11.01-000001").unwrap();
    for (name, needle) in [("Logs", "lowercase"), ("-x", "starts with"), ("_x", "starts with"), ("a:b", "`:`"), ("..", "not a valid"), (&"x".repeat(256), "bytes")] {
        let e = validate_index_name(name).unwrap_err();
        assert!(e.problem.contains(needle), "{name}: {e}");
    }
    validate_index_expression("logs-*").unwrap();
    validate_index_expression("-logs-old").unwrap();
    validate_index_expression("*").unwrap();
    validate_index_expression("_all").unwrap();
    assert!(validate_index_expression("-").is_err());
    validate_repository_name("backups").unwrap();
    assert!(validate_repository_name("_b").is_err());
    assert!(validate_repository_name("a b").is_err());
    validate_snapshot_expression("_current").unwrap();
    validate_snapshot_expression("nightly-*").unwrap();
}

#[test]
fn versions_in_every_shape() {
    let v = |s: &str| Version::parse(s).unwrap();
    assert_eq!(v("8.10.0"), Version::new(8, 10, 0));
    assert_eq!(v("8100099"), Version::new(8, 10, 0));
    assert_eq!(v("8100099").to_string(), "8.10.0");
    assert_eq!(v("7100299").to_string(), "7.10.2");
    assert_eq!(v("136217927").to_string(), "2.0.1", "OpenSearch masked id");
    assert!(matches!(v("136217927").source, VersionSource::OpenSearchId(2000199)));
    let iv = v("8505000");
    assert!(iv.is_lower_bound());
    assert_eq!(iv.release(), (8, 11, 0));
    assert!(iv > v("8.10.4") && iv < v("9.0.0"));
    assert_eq!(v("9000000").major, 9);
    assert!(v("7.0.0-beta1") < v("7.0.0"));
    assert_eq!(v("6000001").to_string(), "6.0.0-alpha1");
    assert!(v("7.17.20") > v("7.9.3"));
    assert_eq!(v("8").release(), (8, 0, 0));
    for bad in ["", "x.y", "1.2.3.4", "8.-1", "1.2.3-b@d", "99999999999999999999"] {
        assert!(Version::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(essnap::json::from_str::<Version>("136217927").unwrap().to_string(), "2.0.1");
    assert_eq!(essnap::json::to_string(&v("8505000")), "\"8505000\"");
}

/// The core's errors, events and outcomes after a cluster refused the credentials or could not be reached, in
/// `Debug` and `Display`: the password of the URL and the API key never show (a host's log line is made of them).
#[test]
fn secrets_never_show_in_errors_and_outcomes_from_a_live_cluster() {
    use essnap::machine::{Event, Timing, TransportError, TransportErrorKind, drive, gather::Gather};
    use std::time::Duration;

    const PW: &str = "L1ve-s3cret-pw";
    const KEY: &str = "live-id:L1ve-k3y-secret";
    let seed = r#"{"cluster":{"distribution":"elasticsearch","version":"8.12.2"},"auth":{"users":[{"username":"admin","password":"right-one"}]}}"#;
    let sb = essnap_sandbox::start(essnap_sandbox::Config::new(essnap_sandbox::seed::Seed::from_json(seed).unwrap())).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(10))).build().into();
    let secrets = [PW.to_string(), "L1ve-k3y-secret".into(), base64_of(&format!("admin:{PW}")), base64_of(KEY)];
    let mut shown = Vec::new();
    let connections = [
        Connection::parse(&sb.url.replace("http://", &format!("http://admin:{PW}@"))).unwrap(),
        Connection::parse(&sb.url).unwrap().with_credentials(Credentials::api_key(KEY).unwrap()),
        Connection::parse(&format!("http://admin:{PW}@127.0.0.1:1")).unwrap(),
    ];
    for conn in &connections {
        let send = |r: &essnap::Request| -> Result<essnap::Response, TransportError> {
            let p = conn.prepare(r);
            let mut b = ureq::http::Request::builder().method(p.method.as_str()).uri(&p.url);
            for (k, v) in &p.headers {
                b = b.header(k.as_str(), v.as_str());
            }
            let res = match p.body {
                Some(body) => agent.run(b.body(body).unwrap()),
                None => agent.run(b.body(()).unwrap()),
            };
            let mut resp = res.map_err(|e| TransportError::new(TransportErrorKind::Connect, format!("{} failed: {e}", p.url)))?;
            let headers = resp.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
            let body = resp.body_mut().read_to_vec().unwrap_or_default();
            Ok(essnap::Response { status: resp.status().as_u16(), headers, body })
        };
        shown.push(format!("{conn:?} {:?}", conn.prepare(&cluster::info())));
        match send(&cluster::info()) {
            Ok(r) => {
                assert_eq!(r.status, 401, "the sandbox refuses these credentials");
                let e = essnap::ApiError::from_response(&r);
                shown.push(format!("{e:?} {e} {r:?}"));
            }
            Err(t) => shown.push(format!("{t:?} {t} {:?} {}", t.to_api_error(), t.to_api_error())),
        }
        let mut events: Vec<Event> = Vec::new();
        let timing = Timing { poll_interval_ms: 1, max_wait_ms: 100, backoff_ms: 1, max_retries: 1 };
        let out = drive(&mut Gather::new("backups", "snap-1", timing), send, |_| {}, |e| events.push(e));
        shown.push(format!("{out:?} {events:?}"));
        if let Err(e) = &out {
            shown.push(e.to_string());
        }
    }
    let all = shown.join("\n");
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "`{s}` shows in:\n{all}");
    }
    assert!(all.contains("unauthorized") && all.contains("127.0.0.1:1"), "{all}");
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Repository settings of any type: what its server-side constructor would refuse is said first,
/// and credentials (cluster state, readable by whoever can list repositories) are refused without
/// repeating them.
#[test]
fn repository_settings_of_every_type() {
    use essnap::api::snapshot::{CreateRepository, RepositorySettings};
    use essnap::dialect::Dialect;
    let d = Dialect::default();
    let raw = |kind: &str, v: serde_json::Value| RepositorySettings::Raw { kind: kind.into(), settings: v.as_object().unwrap().clone() };
    let body = |s: RepositorySettings| CreateRepository::new("r", s).build(&d).map(|r| r.body_json().unwrap());
    assert_eq!(
        body(raw("azure", serde_json::json!({"container": "c", "base_path": "prod"}))).unwrap(),
        serde_json::json!({"type": "azure", "settings": {"container": "c", "base_path": "prod"}})
    );
    assert_eq!(body(raw("gcs", serde_json::json!({"bucket": "b"}))).unwrap()["type"], "gcs");
    for (kind, settings, field) in [
        ("fs", serde_json::json!({"compress": "true"}), "location"),
        ("s3", serde_json::json!({"bucket": " "}), "bucket"),
        ("gcs", serde_json::json!({}), "bucket"),
        ("url", serde_json::json!({"url": null}), "url"),
        ("hdfs", serde_json::json!({"uri": "hdfs://nn:8020/"}), "path"),
    ] {
        let e = body(raw(kind, settings)).unwrap_err();
        assert_eq!(e.field, field, "{kind}: {e}");
        assert!(e.problem.contains(&format!("{kind} repositories need the setting `{field}`")), "{kind}: {e}");
    }
    for key in ["access_key", "secret_key", "session_token", "sas_token", "s3.client.default.secret_key"] {
        let e = body(raw("s3", serde_json::json!({"bucket": "b", key: "AKIA-do-not-print"}))).unwrap_err();
        assert_eq!(e.field, "settings");
        assert!(e.problem.contains(key) && e.hint.contains("keystore"), "{e}");
        assert!(!format!("{e} {e:?}").contains("do-not-print"), "the value is never repeated: {e:?}");
    }
    let e = body(raw("fs x", serde_json::json!({}))).unwrap_err();
    assert_eq!(e.field, "type");
}
