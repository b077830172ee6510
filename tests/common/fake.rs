//! A scripted cluster for driving the state machines without a network: it keeps index state,
//! applies close/open/restore like a real node (bodies shaped as captured from real nodes in
//! tests/fixtures/real), shows restore progress over a few polls, and injects one fault at a
//! chosen request.

use std::collections::BTreeMap;

use essnap::machine::{TransportError, TransportErrorKind};
use essnap::{Method, Request, Response};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 500 before acting.
    ServerErrorBefore,
    /// 429 before acting.
    RateLimitedBefore,
    /// The change is applied, then the proxy answers 502.
    BadGatewayAfter,
    /// The change is applied, then the connection drops.
    DroppedAfter,
    /// Connection refused: nothing arrives.
    RefusedBefore,
    /// The change is applied, then no answer in time.
    TimeoutAfter,
}

pub const ALL_FAULTS: &[Fault] = &[
    Fault::ServerErrorBefore,
    Fault::RateLimitedBefore,
    Fault::BadGatewayAfter,
    Fault::DroppedAfter,
    Fault::RefusedBefore,
    Fault::TimeoutAfter,
];

#[derive(Clone, Debug)]
pub struct FakeIndex {
    pub open: bool,
    pub shards: u32,
    /// Set when the index was written by a restore.
    pub restored: bool,
}

#[derive(Clone, Debug)]
pub struct Fake {
    pub info: Value,
    pub indices: BTreeMap<String, FakeIndex>,
    pub snapshot_name: String,
    pub snapshot_indices: Vec<String>,
    pub snapshot_version_id: u64,
    pub data_streams: Vec<String>,
    /// Targets of the running restore and how many progress polls it has had.
    pub restore: Option<(Vec<String>, u32)>,
    pub restores_applied: u32,
    pub log: Vec<(Method, String)>,
    pub fault: Option<(usize, Fault)>,
    /// Polls a restore takes to finish.
    pub restore_polls: u32,
    /// Recovery reads that show nothing although the restore started (a busy master).
    pub recovery_lag: u32,
    /// Primaries of each restored index.
    pub restored_shards: u32,
    /// Progress polls during which every shard but the first is still waiting for a recovery slot
    /// (unassigned: absent from `_recovery`, as on a real node with few recovery slots).
    pub late_shard_polls: u32,
}

pub fn real(path: &str) -> Value {
    let p = super::repo_dir().join("tests/fixtures/real").join(path);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn resp(status: u16, v: Value) -> Response {
    Response::new(status, serde_json::to_vec(&v).unwrap()).with_header("content-type", "application/json; charset=UTF-8")
}

fn es_error(status: u16, kind: &str, reason: String) -> Response {
    resp(status, json!({"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason}, "status": status}))
}

impl Fake {
    /// An OpenSearch 2.19.1 node (info captured from a real one) holding `open` indices, with a
    /// snapshot `snap-1` of `snap_indices` taken by the same version.
    pub fn opensearch(open: &[&str], snap_indices: &[&str]) -> Self {
        Fake {
            info: real("opensearch-2.19.1/info.200.json"),
            indices: open.iter().map(|n| (n.to_string(), FakeIndex { open: true, shards: 1, restored: false })).collect(),
            snapshot_name: "snap-1".into(),
            snapshot_indices: snap_indices.iter().map(|s| s.to_string()).collect(),
            snapshot_version_id: 0x0800_0000 ^ 2_190_199, // OpenSearch 2.19.1, masked
            data_streams: Vec::new(),
            restore: None,
            restores_applied: 0,
            log: Vec::new(),
            fault: None,
            restore_polls: 2,
            recovery_lag: 0,
            restored_shards: 1,
            late_shard_polls: 0,
        }
    }

    pub fn with_fault(mut self, at: usize, f: Fault) -> Self {
        self.fault = Some((at, f));
        self
    }

    pub fn open_indices(&self) -> Vec<String> {
        self.indices.iter().filter(|(_, i)| i.open).map(|(n, _)| n.clone()).collect()
    }

    pub fn closed_indices(&self) -> Vec<String> {
        self.indices.iter().filter(|(_, i)| !i.open).map(|(n, _)| n.clone()).collect()
    }

    pub fn requests_before(&self, method: Method, path_part: &str) -> usize {
        self.log.iter().position(|(m, p)| *m == method && p.contains(path_part)).unwrap_or(self.log.len())
    }

    /// Handles one request, with the configured fault if this is its turn.
    pub fn handle(&mut self, req: &Request) -> Result<Response, TransportError> {
        let n = self.log.len();
        self.log.push((req.method, req.path.clone()));
        let fault = self.fault.filter(|(at, _)| *at == n).map(|(_, f)| f);
        match fault {
            Some(Fault::ServerErrorBefore) => return Ok(es_error(500, "null_pointer_exception", "injected".into())),
            Some(Fault::RateLimitedBefore) => return Ok(es_error(429, "es_rejected_execution_exception", "rejected execution (injected)".into())),
            Some(Fault::RefusedBefore) => return Err(TransportError::new(TransportErrorKind::Connect, "connection refused (injected)")),
            _ => {}
        }
        let answer = self.apply(req);
        match fault {
            Some(Fault::BadGatewayAfter) => Ok(Response::new(502, b"<html><title>502 Bad Gateway</title></html>".to_vec())),
            Some(Fault::DroppedAfter) => Err(TransportError::new(TransportErrorKind::Dropped, "connection closed (injected)")),
            Some(Fault::TimeoutAfter) => Err(TransportError::new(TransportErrorKind::Timeout, "timed out (injected)")),
            _ => Ok(answer),
        }
    }

    fn names(segment: &str) -> Vec<String> {
        segment.split(',').map(essnap::request::decode_component).collect()
    }

    fn apply(&mut self, req: &Request) -> Response {
        let path = req.path_only().to_string();
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (req.method, segs.as_slice()) {
            (Method::Get, [""]) => resp(200, self.info.clone()),
            (Method::Get, ["_snapshot", "_status"]) => resp(200, json!({"snapshots": []})),
            (Method::Get, ["_snapshot", _repo, snap]) => {
                if *snap != self.snapshot_name && *snap != "_all" {
                    return es_error(404, "snapshot_missing_exception", format!("[repo:{snap}] is missing"));
                }
                let mut s = real("opensearch-2.19.1/snapshot.get.200.one.json")["snapshots"][0].clone();
                s["snapshot"] = json!(self.snapshot_name);
                s["indices"] = json!(self.snapshot_indices);
                s["data_streams"] = json!(self.data_streams);
                s["version_id"] = json!(self.snapshot_version_id);
                let total = self.snapshot_indices.len() as u32 * self.restored_shards;
                s["shards"] = json!({"total": total, "failed": 0, "successful": total});
                resp(200, json!({"snapshots": [s]}))
            }
            (Method::Get, ["_cat", "indices", rest @ ..]) => {
                let wanted: Option<Vec<String>> = rest.first().map(|s| Self::names(s));
                if let Some(missing) = wanted.iter().flatten().find(|n| !self.indices.contains_key(*n)) {
                    return es_error(404, "index_not_found_exception", format!("no such index [{missing}]"));
                }
                resp(
                    200,
                    Value::Array(
                        self.indices
                            .iter()
                            .filter(|(n, _)| wanted.as_ref().is_none_or(|w| w.contains(n)))
                            .map(|(n, i)| {
                                json!({"index": n, "status": if i.open { "open" } else { "close" }, "pri": i.shards.to_string()})
                            })
                            .collect(),
                    ),
                )
            }
            (Method::Get, ["_data_stream"]) => resp(200, json!({"data_streams": []})),
            (Method::Post, [idx, action @ ("_close" | "_open")]) => {
                let names = Self::names(idx);
                if let Some(missing) = names.iter().find(|n| !self.indices.contains_key(*n)) {
                    return es_error(404, "index_not_found_exception", format!("no such index [{missing}]"));
                }
                let open = *action == "_open";
                for n in &names {
                    self.indices.get_mut(n).unwrap().open = open;
                }
                if open {
                    resp(200, json!({"acknowledged": true, "shards_acknowledged": true}))
                } else {
                    let per: serde_json::Map<String, Value> = names.iter().map(|n| (n.clone(), json!({"closed": true}))).collect();
                    resp(200, json!({"acknowledged": true, "shards_acknowledged": true, "indices": per}))
                }
            }
            (Method::Post, ["_snapshot", _repo, snap, "_restore"]) => {
                if *snap != self.snapshot_name {
                    return es_error(500, "snapshot_restore_exception", format!("[repo:{snap}] snapshot does not exist"));
                }
                let body = req.body_json().unwrap_or(json!({}));
                let wanted: Vec<String> = match body.get("indices").and_then(Value::as_str) {
                    Some(s) => s.split(',').map(String::from).collect(),
                    None => self.snapshot_indices.clone(),
                };
                let prefix = body.get("rename_replacement").and_then(Value::as_str).map(|r| r.trim_end_matches("$1").to_string());
                let targets: Vec<String> = wanted.iter().map(|w| format!("{}{w}", prefix.clone().unwrap_or_default())).collect();
                for t in &targets {
                    if self.indices.get(t).is_some_and(|i| i.open) {
                        let reason = real("opensearch-2.19.1/error.snapshot.restore.500.snapshot_restore_exception.open_index.json")["error"]["reason"]
                            .as_str()
                            .unwrap()
                            .replace("idx-a", t);
                        return es_error(500, "snapshot_restore_exception", reason);
                    }
                }
                for t in &targets {
                    self.indices.insert(t.clone(), FakeIndex { open: true, shards: self.restored_shards, restored: true });
                }
                self.restores_applied += 1;
                self.restore = Some((targets, 0));
                resp(200, json!({"accepted": true}))
            }
            (Method::Get, [.., "_recovery"]) if self.recovery_lag > 0 => {
                self.recovery_lag -= 1;
                resp(200, json!({}))
            }
            (Method::Get, [.., "_recovery"]) => {
                let mut out = serde_json::Map::new();
                if let Some((targets, polls)) = &mut self.restore {
                    *polls += 1;
                    for t in targets.iter() {
                        let mut shards = Vec::new();
                        for id in 0..self.restored_shards {
                            // Shard 0 starts at once; the others wait `late_shard_polls` polls for a slot.
                            let start = if id == 0 { 0 } else { self.late_shard_polls };
                            if *polls <= start {
                                continue;
                            }
                            let done = *polls >= start + self.restore_polls;
                            let mut shard = real("opensearch-2.19.1/indices.recovery.200.running.json")["big-restored"]["shards"][0].clone();
                            shard["id"] = json!(id);
                            shard["source"]["snapshot"] = json!(self.snapshot_name);
                            shard["source"]["repository"] = json!("repo");
                            shard["source"]["index"] = json!(t);
                            shard["stage"] = json!(if done { "DONE" } else { "INDEX" });
                            if done {
                                shard["index"]["size"]["recovered_in_bytes"] = shard["index"]["size"]["total_in_bytes"].clone();
                                shard["index"]["files"]["recovered"] = shard["index"]["files"]["total"].clone();
                            }
                            shards.push(shard);
                        }
                        out.insert(t.clone(), json!({"shards": shards}));
                    }
                }
                resp(200, Value::Object(out))
            }
            (m, s) => es_error(400, "illegal_argument_exception", format!("fake cluster has no route for {m} {s:?}")),
        }
    }
}
