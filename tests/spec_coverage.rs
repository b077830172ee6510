//! Walks the official REST specs in `../shared/es-spec/rest-api-spec*/` and checks that every
//! path, method and query parameter of the APIs essnap covers is accepted by its builders.

mod common;

use common::{files_below, spec_dir};
use essnap::api::RequestBuilder;
use essnap::api::spec::{self, APIS};
use essnap::Method;
use serde_json::Value;

fn sample(part: &str) -> &'static str {
    match part {
        "repository" => "my_repo",
        "snapshot" | "target_snapshot" => "snap-1",
        "index" => "logs-a,logs-b",
        "name" => "index.version.created",
        _ => "x",
    }
}

#[test]
fn every_path_and_parameter_of_covered_apis_is_accepted() {
    let mut checked_apis = std::collections::BTreeSet::new();
    let mut params_checked = 0;
    for dir in ["rest-api-spec", "rest-api-spec-opensearch"] {
        for file in files_below(&spec_dir().join(dir)) {
            if file.extension().is_none_or(|e| e != "json") || file.file_name().unwrap() == "_common.json" {
                continue;
            }
            let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            let (name, def) = v.as_object().unwrap().iter().next().unwrap();
            let Some(ours) = spec::find(name) else { continue };
            checked_apis.insert(name.clone());
            for p in def["url"]["paths"].as_array().unwrap() {
                let template = p["path"].as_str().unwrap();
                let ours_path = ours
                    .paths
                    .iter()
                    .find(|op| op.template == template)
                    .unwrap_or_else(|| panic!("{dir}/{name}: path {template} is not in essnap's catalogue"));
                let parts: Vec<(&str, &str)> = ours_path.parts().into_iter().map(|k| (k, sample(k))).collect();
                for m in p["methods"].as_array().unwrap() {
                    let method = Method::parse(m.as_str().unwrap()).unwrap();
                    assert!(ours_path.methods.contains(&method), "{dir}/{name}: {method} {template} not accepted");
                    let mut b = RequestBuilder::new(name, method, &parts).unwrap();
                    if ours.body == spec::BodyRule::Required {
                        b = b.body(serde_json::json!({}));
                    }
                    let req = b.build().unwrap();
                    assert_eq!(req.method, method);
                    assert_eq!(req.path.matches('/').count(), template.matches('/').count(), "{template} -> {}", req.path);
                }
            }
            for (param, _) in def.get("params").and_then(Value::as_object).into_iter().flatten() {
                assert!(ours.accepts_param(param), "{dir}/{name}: parameter `{param}` is not accepted");
                let first = &ours.paths[0];
                let parts: Vec<(&str, &str)> = first.parts().into_iter().map(|k| (k, sample(k))).collect();
                let mut b = RequestBuilder::new(name, first.methods[0], &parts).unwrap().param(param, "v").unwrap();
                if ours.body == spec::BodyRule::Required {
                    b = b.body(serde_json::json!({}));
                }
                let req = b.build().unwrap();
                assert!(req.query_pairs().contains(&(param.clone(), "v".to_string())));
                params_checked += 1;
            }
        }
    }
    // Every API in the catalogue must exist in at least one official spec.
    for api in APIS {
        assert!(checked_apis.contains(api.name), "{} is in the catalogue but not in any official spec", api.name);
    }
    assert!(params_checked > 150, "only {params_checked} parameters checked");
}

#[test]
fn common_parameters_are_accepted_everywhere() {
    let v: Value = serde_json::from_slice(&std::fs::read(spec_dir().join("rest-api-spec/_common.json")).unwrap()).unwrap();
    let common = v["params"].as_object().unwrap();
    for api in APIS {
        for p in common.keys() {
            assert!(api.accepts_param(p), "{}: common parameter {p}", api.name);
        }
    }
}

#[test]
fn unknown_parameters_are_refused_with_the_accepted_list() {
    let err = RequestBuilder::new("snapshot.get", Method::Get, &[("repository", "r"), ("snapshot", "s")])
        .unwrap()
        .param("sizee", 10)
        .unwrap_err();
    assert!(err.problem.contains("sizee"), "{err}");
    assert!(err.hint.contains("size"), "{err}");
}
