//! Deleting several snapshots: named exactly, batched within the request line where the
//! cluster takes several names, one request per snapshot where it does not.

use essnap::api::snapshot::DeleteSnapshots;
use essnap::dialect::Dialect;
use essnap::{Method, Version};

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("nightly-2026.11.{i:05}-with-a-long-suffix")).collect()
}

#[test]
fn several_names_go_in_as_few_requests_as_the_request_line_allows() {
    for d in [
        Dialect::elasticsearch(Version::new(7, 8, 0)),
        Dialect::elasticsearch(Version::new(8, 12, 2)),
        Dialect::opensearch(Version::new(1, 3, 20)),
        Dialect::opensearch(Version::new(2, 19, 1)),
    ] {
        let all = names(500);
        let batches = DeleteSnapshots::new("backups", all.clone()).batches(&d).unwrap();
        assert!(batches.len() > 1 && batches.len() < 50, "{} batches", batches.len());
        let mut seen = Vec::new();
        for (batch, r) in &batches {
            assert_eq!(r.method, Method::Delete);
            assert!(r.method.as_str().len() + 1 + r.path.len() + " HTTP/1.1".len() <= essnap::plan::MAX_REQUEST_LINE - 256, "{}", r.path.len());
            assert_eq!(r.path_only(), format!("/_snapshot/backups/{}", batch.join(",")), "the request names exactly its batch");
            seen.extend(batch.iter().cloned());
        }
        assert_eq!(seen, all, "every name once, in order");
    }
}

#[test]
fn clusters_that_take_one_name_get_one_request_each() {
    for d in [Dialect::elasticsearch(Version::new(7, 7, 1)), Dialect::elasticsearch(Version::new(6, 8, 23))] {
        let batches = DeleteSnapshots::new("backups", ["a", "b", "c"]).batches(&d).unwrap();
        let paths: Vec<&str> = batches.iter().map(|(_, r)| r.path_only()).collect();
        assert_eq!(paths, ["/_snapshot/backups/a", "/_snapshot/backups/b", "/_snapshot/backups/c"], "{d:?}");
    }
}

#[test]
fn patterns_are_resolved_before_a_batched_delete() {
    let d = Dialect::elasticsearch(Version::new(8, 12, 2));
    for p in ["nightly-*", "a,b", "-old", "_all"] {
        let e = DeleteSnapshots::new("backups", ["ok", p]).batches(&d).unwrap_err();
        assert_eq!(e.field, "snapshot", "{p}: {e}");
        assert!(e.problem.contains("is not one snapshot name"), "{p}: {e}");
    }
    assert!(DeleteSnapshots::new("backups", ["Bad Name"]).batches(&d).is_err(), "names are still validated");
    assert!(DeleteSnapshots::new("backups", Vec::<String>::new()).batches(&d).unwrap().is_empty());
}
