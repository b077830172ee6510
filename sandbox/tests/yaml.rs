//! Runs the official YAML REST tests against the sandbox, against real nodes (`ESSNAP_REAL_NODES=1`: OpenSearch
//! 2.19.1 for yaml-tests/opensearch, Elasticsearch 7.17.29 for yaml-tests/elasticsearch), or against any URL
//! (`ESSNAP_YAML_URL`: the directory of the node's distribution, at its version, wiped between tests).

mod support;
#[path = "../../tests/common/real_node.rs"]
mod real_node;

use support::yaml_runner::{Target, run_file};

/// Runs every test of yaml-tests/`dist` against `target`'s version; `fresh` gives a clean cluster per test.
fn run_dir(dist: &str, version: &str, fresh: &mut dyn FnMut() -> (String, Box<dyn FnOnce()>)) {
    let dir = format!("/work/shared/es-spec/yaml-tests/{dist}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    let v: Vec<u32> = version.split('.').map(|x| x.parse().unwrap()).collect();
    let target = Target { distribution: dist.into(), version: (v[0], v[1], v[2]) };
    let (mut passed, mut failed) = (0, vec![]);
    for f in &files {
        let out = run_file(f, &target, fresh);
        passed += out.passed.len();
        for (id, why) in &out.skipped {
            eprintln!("SKIP {dist} {version} {id}: {why}");
        }
        failed.extend(out.failed);
    }
    for (id, why) in &failed {
        eprintln!("FAIL {dist} {version} {id}: {why}");
    }
    eprintln!("{dist} {version}: {passed} YAML tests passed");
    assert!(failed.is_empty(), "{} YAML tests failed", failed.len());
    assert!(passed >= 5, "only {passed} YAML tests ran");
}

/// A fresh in-process sandbox per test.
fn on_sandbox(dist: &str, version: &str, seed: &'static str) {
    run_dir(dist, version, &mut || {
        let h = support::sandbox(seed);
        (h.url.clone(), Box::new(move || h.shutdown()))
    });
}

/// One real cluster, wiped before every test.
fn on_real(url: &str, dist: &str, version: &str) {
    let agent = support::agent();
    let url = url.to_string();
    run_dir(dist, version, &mut || {
        support::wipe(&agent, &url);
        (url.clone(), Box::new(|| {}))
    });
    support::wipe(&agent, &url);
}

/// `ESSNAP_YAML_URL`: the distribution and version come from `GET /`.
fn external() -> Option<(String, String, String)> {
    let url = std::env::var("ESSNAP_YAML_URL").ok()?;
    let info = support::call("GET", &url, None, &[]).json();
    let dist = info["version"]["distribution"].as_str().unwrap_or("elasticsearch").to_string();
    let version = info["version"]["number"].as_str().expect("version.number").to_string();
    Some((url, dist, version))
}

#[test]
fn elasticsearch_yaml_suite() {
    match external() {
        Some((url, dist, version)) if dist == "elasticsearch" => on_real(&url, &dist, &version),
        Some(_) => eprintln!("ESSNAP_YAML_URL is not an Elasticsearch node: skipped"),
        None => on_sandbox("elasticsearch", "8.12.2", support::ES_EMPTY),
    }
}

#[test]
fn opensearch_yaml_suite() {
    match external() {
        Some((url, dist, version)) if dist == "opensearch" => on_real(&url, &dist, &version),
        Some(_) => eprintln!("ESSNAP_YAML_URL is not an OpenSearch node: skipped"),
        None => on_sandbox("opensearch", "2.19.1", support::OS_EMPTY),
    }
}

#[test]
fn elasticsearch_yaml_suite_on_a_real_node() {
    if let Some(node) = real_node::shared(real_node::ELASTICSEARCH) {
        on_real(&node.url, node.dist, node.version);
    }
}

#[test]
fn opensearch_yaml_suite_on_a_real_node() {
    if let Some(node) = real_node::shared(real_node::OPENSEARCH) {
        on_real(&node.url, node.dist, node.version);
    }
}
