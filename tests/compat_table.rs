//! Every row of the official compatibility tables in
//! `../shared/es-spec/compat/elasticsearch-snapshot-compatibility.md`, read in place, against
//! essnap's verdicts — plus the OpenSearch rules and the wording users read.

mod common;

use essnap::compat::{Side, VerdictKind, check_index, check_snapshot, rules};

#[derive(Debug)]
struct Table {
    name: String,
    /// true: rows are snapshot versions (table 3); false: index creation versions.
    snapshot_rows: bool,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_start_matches('h').trim_matches('|').split('|').map(|c| c.trim().to_string()).collect()
}

fn read_tables() -> Vec<Table> {
    let text = std::fs::read_to_string(common::spec_dir().join("compat/elasticsearch-snapshot-compatibility.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        let md = l.starts_with("| Index creation version");
        let adoc = l.starts_with("h| Snapshot version") || l.starts_with("h| Index creation version");
        if md || adoc {
            let header = cells(l);
            let mut rows = Vec::new();
            let mut j = i + 1 + usize::from(md);
            while j < lines.len() && lines[j].trim().starts_with('|') && !lines[j].trim().starts_with("|====") {
                let c = cells(lines[j]);
                rows.push((c[0].clone(), c[1..].to_vec()));
                j += 1;
            }
            tables.push(Table {
                name: format!("table at line {}", i + 1),
                snapshot_rows: l.contains("Snapshot version"),
                columns: header[1..].to_vec(),
                rows,
            });
            i = j;
        } else {
            i += 1;
        }
    }
    tables
}

/// The first and last version of a range label such as `6.0–6.7`, `7.2–{prev-major-last}` or
/// `{{version.stack.base}}–{{version.stack}}`.
fn range(label: &str) -> (String, String) {
    let expand = |s: &str| -> String {
        match s.trim() {
            "{{version.stack.base}}" => "9.0.0".into(),
            "{{version.stack}}" => "9.4.99".into(),
            "{prev-major-last}" => "7.17.99".into(),
            // The 8.x-era tables predate archive indices (8.3); their 8.x column holds for 8.0-8.2.
            "{minor-version}" => "8.2.99".into(),
            v => v.to_string(),
        }
    };
    let (a, b) = label.split_once('–').unwrap_or((label, label));
    let lo = expand(a);
    let hi = expand(b);
    let hi = if hi.matches('.').count() == 1 { format!("{hi}.99") } else { hi };
    let lo = if lo.matches('.').count() == 1 { format!("{lo}.0") } else { lo };
    (lo, hi)
}

fn expected(cell: &str) -> VerdictKind {
    if cell.contains('❌') || cell.contains("no-icon") {
        VerdictKind::Incompatible
    } else if cell.contains("^1") || cell.contains("footnote-1") {
        VerdictKind::ReadOnlyArchive
    } else {
        assert!(cell.contains('✅') || cell.contains("yes-icon"), "unknown cell {cell}");
        VerdictKind::Ok
    }
}

#[test]
fn every_cell_of_the_elasticsearch_tables() {
    let tables = read_tables();
    assert_eq!(tables.len(), 4, "expected the 4 tables of extracts 1-4: {tables:#?}");
    let mut checked = 0;
    for t in &tables {
        for (row, cols) in &t.rows {
            let (rlo, rhi) = range(row);
            for (col, cell) in t.columns.iter().zip(cols) {
                if col.is_empty() {
                    continue;
                }
                let want = expected(cell);
                let (clo, chi) = range(col);
                for r in [&rlo, &rhi] {
                    for c in [&clo, &chi] {
                        let (rv, cv) = (Side::es(r), Side::es(c));
                        // The tables' ✅ on the diagonal holds for indices no newer than the cluster.
                        if rv.version > cv.version && want != VerdictKind::Incompatible {
                            continue;
                        }
                        let ctx = format!("{}: row {row} ({r}) x column {col} ({c})", t.name);
                        if t.snapshot_rows {
                            let v = check_snapshot(&cv, &rv);
                            assert_eq!(v.kind == VerdictKind::Incompatible, want == VerdictKind::Incompatible, "{ctx}: {v:?}");
                        } else {
                            let v = check_index(&cv, &rv, "idx", Some(&rv));
                            assert_eq!(v.kind, want, "{ctx}: {}", v.reason);
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 250, "only {checked} cells checked");
}

#[test]
fn opensearch_rules() {
    use VerdictKind::*;
    let cases: &[(Side, Side, VerdictKind)] = &[
        (Side::os("1.3.20"), Side::es("6.8.23"), OkWithWarnings), // 5.x indices inside would be refused
        (Side::os("2.19.1"), Side::es("6.8.23"), Incompatible),
        (Side::os("2.19.1"), Side::es("7.10.2"), OkWithWarnings), // 6.x indices inside would be refused
        (Side::os("1.3.20"), Side::es("7.10.2"), Ok),
        (Side::os("2.19.1"), Side::es("7.17.20"), Incompatible),
        (Side::os("1.3.20"), Side::es("5.6.16"), Incompatible),
        (Side::es("8.12.2"), Side::os("2.19.1"), Incompatible),
        (Side::es("7.17.20"), Side::os("1.3.20"), Incompatible),
        (Side::os("3.0.0"), Side::os("1.3.20"), Incompatible),
        (Side::os("3.0.0"), Side::es("7.10.2"), Incompatible),
        (Side::os("3.1.0"), Side::os("2.19.1"), OkWithWarnings),
        (Side::os("2.19.1"), Side::os("2.11.0"), Ok),
        (Side::os("2.11.0"), Side::os("2.19.1"), Incompatible),
        (Side::os("2.19.1"), Side::os("1.3.20"), OkWithWarnings), // ES 6.x indices inside would be refused
    ];
    for (c, s, want) in cases {
        let v = check_snapshot(c, s);
        assert_eq!(v.kind, *want, "{s} into {c}: {}", v.reason);
    }
}

#[test]
fn verdicts_drawn_from_the_snapshot_version_are_certain_where_the_rules_say_so() {
    let v = check_snapshot(&Side::es("7.17.20"), &Side::es("5.6.16"));
    assert_eq!(v.kind, VerdictKind::Incompatible);
    assert!(v.certain);
    let v = check_snapshot(&Side::es("8.12.2"), &Side::es("6.8.23"));
    assert_eq!(v.kind, VerdictKind::ReadOnlyArchive, "{}", v.reason);
    assert!(v.certain);
    assert!(v.reason.contains("Enterprise license"));
    let v = check_snapshot(&Side::es("8.12.2"), &Side::es("7.17.20"));
    assert_eq!(v.kind, VerdictKind::OkWithWarnings);
    assert!(!v.certain);
    assert!(v.reason.contains("index.version.created"), "{}", v.reason);
    let v = check_snapshot(&Side::es("8.12.2"), &Side::es("8.15.0"));
    assert_eq!(v.kind, VerdictKind::Incompatible);
    assert_eq!(v.rule, rules::SNAPSHOT_NOT_NEWER);
    assert!(v.reason.contains("upgrade the cluster to 8.15.0"), "{}", v.reason);
}

#[test]
fn exact_index_verdicts_read_like_advice() {
    let v = check_index(&Side::es("7.17.20"), &Side::es("6.8.23"), "logs-2016", Some(&Side::es("5.6.16")));
    assert_eq!(v.kind, VerdictKind::Incompatible);
    assert_eq!(
        v.reason,
        "index logs-2016 was created by Elasticsearch 5.6.16; this Elasticsearch 7.17.20 cluster can only restore indices created by 6.0 or later; restore it into a 6.8 cluster, reindex, and snapshot again"
    );
    let v = check_index(&Side::es("7.17.20"), &Side::es("6.8.23"), "logs-2019", Some(&Side::es("6.8.23")));
    assert_eq!(v.kind, VerdictKind::Ok);
}

#[test]
fn a_snapshot_taken_mid_upgrade_is_flagged() {
    let v = check_index(&Side::es("7.17.20"), &Side::es("7.10.2"), "new-index", Some(&Side::es("7.17.20")));
    assert_eq!(v.kind, VerdictKind::OkWithWarnings);
    assert!(v.warnings[0].contains("rolling upgrade"));
    let v = check_index(&Side::es("7.16.0"), &Side::es("7.10.2"), "new-index", Some(&Side::es("7.17.20")));
    assert_eq!(v.kind, VerdictKind::Incompatible);
}

#[test]
fn index_versions_are_lower_bounds() {
    let snap = Side::of_version(essnap::Distribution::Elasticsearch, essnap::Version::parse("8505000").unwrap());
    let v = check_snapshot(&Side::es("8.12.2"), &snap);
    assert_eq!(v.kind, VerdictKind::OkWithWarnings);
    assert_eq!(v.rule, rules::INDEX_VERSION_LOWER_BOUND);
    let v = check_snapshot(&Side::es("8.10.4"), &snap);
    assert_eq!(v.kind, VerdictKind::Incompatible);
    let os = Side::of_version(essnap::Distribution::Elasticsearch, essnap::Version::parse("136217927").unwrap());
    assert_eq!(os.distribution, essnap::Distribution::Opensearch, "a masked id says OpenSearch");
}

#[test]
fn server_refusals_map_back_to_rules() {
    use essnap::{ApiError, Response};
    let body = br#"{"error":{"type":"snapshot_restore_exception","reason":"[r:s] the snapshot was created with Elasticsearch version [8.15.0] which is higher than the version of this node [8.12.2]"},"status":500}"#;
    let e = ApiError::from_response(&Response::new(500, body.to_vec()));
    assert_eq!(essnap::compat::rule_for_error(&e), Some(rules::SNAPSHOT_NOT_NEWER));
}

/// The cross-version matrix written by `cargo xtask cluster matrix` on real nodes: for every
/// cell, essnap's pre-flight verdict agrees with what the server did.
#[test]
fn verdicts_agree_with_real_nodes() {
    use essnap::{ApiError, ErrorCode, Response};
    let path = common::repo_dir().join("tests/fixtures/real/compat-matrix.json");
    let cells: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(cells.len() >= 12, "{} cells", cells.len());
    let side = |d: &serde_json::Value, v: &serde_json::Value| {
        let v = v.as_str().unwrap();
        if d == "opensearch" { Side::os(v) } else { Side::es(v) }
    };
    for c in &cells {
        let cluster = side(&c["cluster_dist"], &c["cluster_version"]);
        let snapshot = side(&c["snapshot_dist"], &c["snapshot_version"]);
        let restored = c["outcome"] == "restored";
        // The matrix's index was created by the version that took the snapshot.
        let exact = check_index(&cluster, &snapshot, "m-src", Some(&snapshot));
        assert_eq!(exact.is_restorable(), restored, "{snapshot} into {cluster}: {}", exact.reason);
        let pre = check_snapshot(&cluster, &snapshot);
        if restored {
            assert!(pre.is_restorable(), "{snapshot} into {cluster}: {}", pre.reason);
        } else {
            assert_eq!(pre.kind, VerdictKind::Incompatible, "{snapshot} into {cluster}: {}", pre.reason);
            assert!(pre.certain);
            // The server's own refusal, decoded: version refusals are recognised as such.
            let body = serde_json::json!({"error": {"type": c["error_type"], "reason": c["reason"]}, "status": c["http_status"]});
            let e = ApiError::from_response(&Response::new(c["http_status"].as_u64().unwrap() as u16, serde_json::to_vec(&body).unwrap()));
            if c["error_type"] == "snapshot_restore_exception" {
                assert_eq!(e.code, ErrorCode::RestoreIncompatibleVersion, "{}", e.message);
            }
        }
    }
}

/// An "ok" cites the rule that decided it: OpenSearch's own minimum index version on an
/// OpenSearch cluster, Elasticsearch's index table on an Elasticsearch one.
#[test]
fn an_ok_verdict_cites_the_rule_of_the_clusters_own_product() {
    for (cluster, snapshot, rule) in [
        (Side::os("2.19.1"), Side::os("2.19.1"), rules::OS_MIN_INDEX_COMPAT),
        (Side::os("1.3.20"), Side::es("7.10.2"), rules::OS_MIN_INDEX_COMPAT),
        (Side::es("8.12.2"), Side::es("8.10.0"), rules::ES_INDEX_TABLE),
    ] {
        let v = check_snapshot(&cluster, &snapshot);
        assert!(v.is_restorable(), "{cluster} <- {snapshot}: {v:?}");
        assert_eq!(v.rule, rule, "{cluster} <- {snapshot}");
        let i = check_index(&cluster, &snapshot, "idx", Some(&snapshot));
        assert_eq!(i.rule, rule, "{cluster} <- {snapshot} (index)");
    }
}
