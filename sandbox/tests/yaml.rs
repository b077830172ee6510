//! Runs the official YAML REST tests against the sandbox (or `ESSNAP_YAML_URL`).

mod support;

use support::yaml_runner::{Target, run_file};

fn run_dir(dist: &str, version: &str, seed: &'static str) {
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
    let external = std::env::var("ESSNAP_YAML_URL").ok();
    let (mut passed, mut failed) = (0, vec![]);
    for f in &files {
        let mut fresh = || -> (String, Box<dyn FnOnce()>) {
            match &external {
                Some(u) => (u.clone(), Box::new(|| {})),
                None => {
                    let h = support::sandbox(seed);
                    (h.url.clone(), Box::new(move || h.shutdown()))
                }
            }
        };
        let out = run_file(f, &target, &mut fresh);
        passed += out.passed.len();
        for (id, why) in &out.skipped {
            eprintln!("SKIP {id}: {why}");
        }
        failed.extend(out.failed);
    }
    for (id, why) in &failed {
        eprintln!("FAIL {id}: {why}");
    }
    assert!(failed.is_empty(), "{} YAML tests failed", failed.len());
    assert!(passed >= 5, "only {passed} YAML tests ran");
}

#[test]
fn elasticsearch_yaml_suite() {
    run_dir("elasticsearch", "8.12.2", support::ES_EMPTY);
}

#[test]
fn opensearch_yaml_suite() {
    run_dir("opensearch", "2.19.1", support::OS_EMPTY);
}
