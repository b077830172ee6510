//! The reader and writer against serde_json, the reference: same acceptance, same values.

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn ours(s: &str) -> Result<Value, JsonError> {
    from_str::<Value>(s)
}

#[test]
fn reads_what_serde_json_reads() {
    let docs = [
        r#"{"a":1,"b":[true,false,null],"c":{"d":"e\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"},"f":-12.5e3,"g":18446744073709551615}"#,
        r#"  [ ]  "#,
        r#"{}"#,
        r#"-9223372036854775808"#,
        r#"18446744073709551616"#,
        r#"1e308"#,
        r#"0.1"#,
        r#""plain""#,
        "\"caf\u{e9}\"",
    ];
    for d in docs {
        let want: Value = serde_json::from_str(d).unwrap();
        assert_eq!(ours(d).unwrap(), want, "{d}");
        assert_eq!(serde_json::from_str::<Value>(&to_string(&want)).unwrap(), want, "{d}");
    }
}

#[test]
fn refuses_what_serde_json_refuses() {
    let bad = [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "01", "1.", "-", "1e", "tru", "nul", "\"a", "\"\\x\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"a\u{1}b\"", "[1] 2", "1e400", "{\"a\":1}}",
    ];
    for d in bad {
        assert!(serde_json::from_str::<Value>(d).is_err(), "serde_json takes {d:?}");
        assert!(ours(d).is_err(), "we took {d:?}");
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    let e = ours(&deep).unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
}

#[test]
fn errors_say_where() {
    let e = ours("{\n  \"a\": tru\n}").unwrap_err();
    assert_eq!((e.line(), e.column()), (2, 8), "{e}");
    let e = from_str::<u32>("\"7\"").unwrap_err();
    assert_eq!(e.message(), "expected a number, found a string");
    let e = from_str::<u32>("4294967296").unwrap_err();
    assert!(e.message().contains("out of range"), "{e}");
}

#[derive(Debug, PartialEq, FromJson, ToJson)]
#[json(rename_all = "camelCase")]
struct Sample {
    plain_name: String,
    #[json(default)]
    many: Vec<u32>,
    maybe: Option<bool>,
    #[json(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Kind2>,
}

#[derive(Debug, PartialEq, FromJson, ToJson)]
#[json(rename_all = "snake_case")]
enum Kind2 {
    FirstKind,
    Second,
}

#[test]
fn derived_types_round_trip() {
    let s: Sample = from_str(r#"{"plainName":"x","maybe":null,"type":"first_kind","extra":{"deep":[1,2]}}"#).unwrap();
    assert_eq!(s, Sample { plain_name: "x".into(), many: vec![], maybe: None, kind: Some(Kind2::FirstKind) });
    assert_eq!(to_string(&s), r#"{"plainName":"x","many":[],"maybe":null,"type":"first_kind"}"#);
    let e = from_str::<Sample>(r#"{"many":[1]}"#).unwrap_err();
    assert!(e.message().contains("missing field `plainName`"), "{e}");
    let e = from_str::<Sample>(r#"{"plainName":"x","type":"third"}"#).unwrap_err();
    assert!(e.message().contains("unknown variant `third`"), "{e}");
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn writer_and_reader_agree_with_serde_json(v in arb_json()) {
        // serde_json's default float parsing is not exact; std's (ours) is: read our text back
        // with ours, and check serde_json accepts it.
        let ours_text = to_string(&v);
        prop_assert!(serde_json::from_str::<Value>(&ours_text).is_ok());
        prop_assert_eq!(&ours(&ours_text).unwrap(), &v);
        let back = ours(&serde_json::to_string(&v).unwrap()).unwrap();
        prop_assert_eq!(back, v);
    }

    #[test]
    fn any_text_is_taken_or_refused_like_serde_json(s in "[\\[\\]{}\",:0-9eE.+\\-tfnrulasx\\\\ ]{0,24}") {
        let theirs = serde_json::from_str::<Value>(&s);
        let mine = ours(&s);
        prop_assert_eq!(theirs.is_ok(), mine.is_ok(), "{:?}: serde {:?} ours {:?}", s, theirs, mine);
        if let (Ok(a), Ok(b)) = (theirs, mine) { prop_assert_eq!(a, b); }
    }
}

/// The shapes the hosts read (JS, the CLI's --json), as serde wrote them before essnap::json.
#[test]
fn encode_only_shapes_match_serde() {
    use crate::machine::Event;
    use crate::machine::restore::{IndexFate, IndexOutcome};

    // flatten + internally tagged enum: the fate's fields join the outcome's.
    let o = IndexOutcome { name: "logs".into(), fate: IndexFate::LeftClosed { error: "boom".into() } };
    assert_eq!(to_string(&o), r#"{"name":"logs","state":"left_closed","error":"boom"}"#);
    let o = IndexOutcome { name: "logs".into(), fate: IndexFate::Restored };
    assert_eq!(to_string(&o), r#"{"name":"logs","state":"restored"}"#);
    // internally tagged: struct variants inline their fields, newtype variants their struct's.
    let e = Event::Closed { indices: vec!["a".into()] };
    assert_eq!(to_string(&e), r#"{"event":"closed","indices":["a"]}"#);
    let p = crate::machine::progress::Progress { operation: "restore", percent: 37.5, ..Default::default() };
    let v = to_value(&Event::Progress(p));
    assert_eq!(v["event"], "progress");
    assert_eq!(v["operation"], "restore");
    assert_eq!(v["percent"], 37.5);
    // untagged: the variant's own value.
    let d = crate::api::Decoded::Acknowledged(crate::model::Acknowledged { acknowledged: true, ..Default::default() });
    assert_eq!(to_value(&d)["acknowledged"], true);
}

#[test]
fn externally_tagged_enums_round_trip() {
    use crate::plan::Rename;
    for r in [Rename::Prefix("restored-".into()), Rename::Pattern { pattern: "(.+)".into(), replacement: "r-$1".into() }] {
        let text = to_string(&r);
        assert_eq!(from_str::<Rename>(&text).unwrap(), r, "{text}");
    }
    assert_eq!(to_string(&Rename::Prefix("x".into())), r#"{"prefix":"x"}"#);
    let e = from_str::<Rename>(r#"{"prefix":"a","pattern":{}}"#).unwrap_err();
    assert!(e.message().contains("one key"), "{e}");
    let e = from_str::<Rename>(r#"{"suffix":"a"}"#).unwrap_err();
    assert!(e.message().contains("unknown variant `suffix`"), "{e}");
    let e = from_str::<Rename>(r#"{"pattern":{"pattern":"x"}}"#).unwrap_err();
    assert!(e.message().contains("missing field `replacement`"), "{e}");
}

#[derive(Debug, PartialEq, FromJson, ToJson)]
#[json(deny_unknown_fields)]
struct Strict {
    #[json(default = "seven")]
    n: u32,
    #[json(default, deserialize_with = "crate::lenient::u64_opt")]
    lenient: Option<u64>,
}

fn seven() -> u32 {
    7
}

#[test]
fn field_attributes() {
    assert_eq!(from_str::<Strict>("{}").unwrap(), Strict { n: 7, lenient: None });
    assert_eq!(from_str::<Strict>(r#"{"lenient":"12","n":1}"#).unwrap(), Strict { n: 1, lenient: Some(12) });
    let e = from_str::<Strict>(r#"{"other":1}"#).unwrap_err();
    assert!(e.message().contains("unknown field `other`"), "{e}");
    // transparent: the settings map is the object itself.
    let s: crate::model::IndexSettings = from_str(r#"{"index":{"version":{"created":"7170099"}}}"#).unwrap();
    assert_eq!(to_string(&s), r#"{"index":{"version":{"created":"7170099"}}}"#);
}
