//! Property tests: no input makes a decoder, the URL parser, a name validator, the rename-pattern
//! engine or a builder panic.
//! The case count is fixed (PROPTEST_CASES overrides it; `cargo xtask fuzz` runs longer).

use essnap::api::{decode_named, DECODABLE};
use essnap::names::*;
use essnap::{ApiError, Connection, Response, Version};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// JSON-ish bytes: real fragments spliced with noise, so decoders see near-valid bodies.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let frags = prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"snapshots\"", "\"error\"", "\"type\"", "\"reason\"", "\"caused_by\"",
        "\"version\"", "\"8505000\"", "136217927", "\"state\"", "\"SUCCESS\"", "null", "true", "\"1.2\"", "-1",
        "1e400", "\"\\u0000\"", "\"shards\"", "\"index\"", "\"percent\"", "\"87.1%\"", "\"errors\"", "\"code\"",
    ]);
    prop::collection::vec(prop_oneof![frags.prop_map(|s| s.as_bytes().to_vec()), prop::collection::vec(any::<u8>(), 0..4)], 0..40)
        .prop_map(|v| v.concat())
}

/// Patterns with balanced groups, so most of them compile and reach the matcher.
fn java_pattern() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec!["a", "b", ".", "[ab]", "[^a]", "\\d", "\\w", "^", "$", "\\b", "\\1", "\\G", "-"]).prop_map(String::from);
    atom.prop_recursive(4, 24, 3, |inner| {
        let quant = prop::sample::select(vec!["", "*", "+", "?", "{2}", "{0,3}", "*?", "++", "{1,}?"]);
        let open = prop::sample::select(vec!["(", "(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?<g>", "(?i)("]);
        prop_oneof![
            (prop::collection::vec(inner.clone(), 1..4), quant.clone()).prop_map(|(v, q)| format!("{}{q}", v.concat())),
            (open, inner.clone(), quant).prop_map(|(o, i, q)| format!("{o}{i}){q}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a}|{b}")),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decoders_never_panic(body in jsonish(), status in 100u16..600, api in prop::sample::select(DECODABLE.to_vec())) {
        let resp = Response::new(status, body);
        let _ = decode_named(api, &resp);
        let e = ApiError::from_response(&resp);
        let _ = e.to_string();
    }

    #[test]
    fn error_decoding_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512), status in any::<u16>(), header in ".{0,40}") {
        let resp = Response::new(status, body).with_header("x-cloud-error-codes", &header).with_header("content-type", "text/html");
        let _ = ApiError::from_response(&resp);
    }

    #[test]
    fn url_parser_never_panics(s in ".{0,80}", t in "(https?://)?([a-z]{1,5}(:[^@/]{0,6})?@)?[a-z0-9.:\\[\\]-]{0,20}(/[a-z%]{0,6}){0,3}") {
        let _ = Connection::parse(&s);
        if let Ok(c) = Connection::parse(&t) {
            prop_assert!(!c.base_url().contains('@'));
        }
    }

    #[test]
    fn name_validators_never_panic(s in ".{0,300}", t in "[<>{}/a-zA-Z0-9|+:.\\\\-]{0,40}", u in "<[a-z]{0,3}\\{now.{0,6}\\}>") {
        for x in [&s, &t, &u] {
            let _ = validate_snapshot_name(x);
            let _ = validate_index_name(x);
            let _ = validate_repository_name(x);
            let _ = validate_index_expression(x);
            let _ = validate_snapshot_expression(x);
            let _ = parse_date_math(x);
        }
    }

    #[test]
    fn version_parser_never_panics(s in ".{0,30}", id in any::<u32>(), t in "[0-9.]{0,12}(-[a-z0-9]{0,6})?") {
        let _ = Version::parse(&s);
        let _ = Version::parse(&t);
        let v = Version::from_id(id);
        let _ = v.to_string();
    }

    #[test]
    fn rename_patterns_never_panic(
        any_text in ".{0,40}",
        balanced in java_pattern(),
        pattern in "([a-c.|^$*+?(){}\\\\\\[\\]<>=!:&,0-9dwsbkQEgn-]|\\(\\?[<>=!:imsx-]{0,3}){0,30}",
        replacement in "([a-c$\\\\{}0-9]){0,8}",
        name in ".{0,24}",
    ) {
        use essnap::plan::java_regex::JavaRegex;
        for p in [&any_text, &pattern, &balanced] {
            if let Ok(re) = JavaRegex::new(p) {
                if let Ok(r) = re.replacement(&replacement) {
                    // Ok or TooComplex: either way an answer, never a panic or a hang.
                    let _ = re.replace_all(&name, &r);
                }
            }
        }
    }

    #[test]
    fn builders_refuse_or_build(repo in ".{0,20}", snap in ".{0,20}", idx in prop::collection::vec(".{0,10}", 0..4)) {
        use essnap::api::snapshot::*;
        let d = essnap::Dialect::default();
        let r = RestoreSnapshot { indices: idx.clone(), ..RestoreSnapshot::new(repo.clone(), snap.clone()) }.build(&d);
        if let Ok(req) = r {
            // A request that builds has a path that round-trips through percent-decoding.
            prop_assert!(req.path.starts_with("/_snapshot/"));
            prop_assert!(!req.path.contains(' '));
        }
        let _ = CreateSnapshot { indices: idx, ..CreateSnapshot::new(repo, snap) }.build(&d);
    }
}
