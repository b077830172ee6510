//! `GET /`, cluster health and the cat APIs.

use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::util::{hms, human_bytes, human_time, split_csv};
use crate::version::{Distribution, Version};
use serde_json::{Map, Value, json};

fn lucene_for(dist: Distribution, v: Version) -> &'static str {
    match (dist, v.major, v.minor) {
        (Distribution::Opensearch, 1, _) => "8.10.1",
        (Distribution::Opensearch, 2, m) if m >= 12 => "9.12.1",
        (Distribution::Opensearch, 2, _) => "9.7.0",
        (Distribution::Opensearch, _, _) => "10.1.0",
        (Distribution::Elasticsearch, 9, _) => "10.2.2",
        (Distribution::Elasticsearch, 8, m) if m >= 12 => "9.9.2",
        (Distribution::Elasticsearch, 8, _) => "9.4.2",
        (Distribution::Elasticsearch, 7, _) => "8.11.1",
        _ => "7.7.3",
    }
}

pub fn info(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    if ctx.req.method == "HEAD" {
        return Ok(Reply::Status(200));
    }
    let v = ctx.st.version;
    let body = match ctx.st.dist {
        Distribution::Elasticsearch => {
            let (wire, idx) = match v.major {
                m if m >= 9 => ("8.19.0".to_string(), "8.0.0".to_string()),
                8 => ("7.17.0".to_string(), "7.0.0".to_string()),
                7 => ("6.8.0".to_string(), "6.0.0-beta1".to_string()),
                _ => ("5.6.0".to_string(), "5.0.0".to_string()),
            };
            json!({
                "name": ctx.st.node_name,
                "cluster_name": ctx.st.cluster_name,
                "cluster_uuid": ctx.st.cluster_uuid,
                "version": {
                    "number": v.to_string(),
                    "build_flavor": "default",
                    "build_type": "docker",
                    "build_hash": "0000000000000000000000000000000000000000",
                    "build_date": "2026-01-01T00:00:00.000000000Z",
                    "build_snapshot": false,
                    "lucene_version": lucene_for(Distribution::Elasticsearch, v),
                    "minimum_wire_compatibility_version": wire,
                    "minimum_index_compatibility_version": idx
                },
                "tagline": "You Know, for Search"
            })
        }
        Distribution::Opensearch => {
            let (wire, idx) = match v.major {
                1 => ("6.8.0", "6.0.0-beta1"),
                2 => ("7.10.0", "7.0.0"),
                _ => ("2.19.0", "2.0.0"),
            };
            json!({
                "name": ctx.st.node_name,
                "cluster_name": ctx.st.cluster_name,
                "cluster_uuid": ctx.st.cluster_uuid,
                "version": {
                    "distribution": "opensearch",
                    "number": v.to_string(),
                    "build_type": "tar",
                    "build_hash": "0000000000000000000000000000000000000000",
                    "build_date": "2026-01-01T00:00:00.000000000Z",
                    "build_snapshot": false,
                    "lucene_version": lucene_for(Distribution::Opensearch, v),
                    "minimum_wire_compatibility_version": wire,
                    "minimum_index_compatibility_version": idx
                },
                "tagline": "The OpenSearch Project: https://opensearch.org/"
            })
        }
    };
    Ok(Reply::Json(200, body))
}

fn rank(s: &str) -> u8 {
    match s {
        "green" => 0,
        "yellow" => 1,
        _ => 2,
    }
}

fn health_body(ctx: &Ctx, names: &[String], now: i64) -> (String, Value) {
    let mut status = "green";
    let (mut active_primary, mut active, mut init, mut unassigned) = (0u64, 0u64, 0u64, 0u64);
    for n in names {
        let i = &ctx.st.indices[n];
        if !i.open {
            continue;
        }
        let h = i.health(now);
        if rank(h) > rank(status) {
            status = h;
        }
        if i.recovery_progress(now) < 1.0 {
            init += i.shards as u64;
        } else {
            active_primary += i.shards as u64;
            active += i.shards as u64;
        }
        unassigned += (i.shards * i.replicas) as u64;
    }
    let total = active + init + unassigned;
    let pct = if total == 0 { 100.0 } else { active as f64 * 100.0 / total as f64 };
    let mut m = Map::new();
    m.insert("cluster_name".into(), json!(ctx.st.cluster_name));
    m.insert("status".into(), json!(status));
    m.insert("timed_out".into(), json!(false));
    m.insert("number_of_nodes".into(), json!(1));
    m.insert("number_of_data_nodes".into(), json!(1));
    if ctx.st.dist == Distribution::Opensearch {
        m.insert("discovered_master".into(), json!(true));
        // The cluster-manager rename came with 2.0 (real 1.3.20 has only discovered_master).
        if ctx.st.version.major >= 2 {
            m.insert("discovered_cluster_manager".into(), json!(true));
        }
    }
    m.insert("active_primary_shards".into(), json!(active_primary));
    m.insert("active_shards".into(), json!(active));
    m.insert("relocating_shards".into(), json!(0));
    m.insert("initializing_shards".into(), json!(init));
    m.insert("unassigned_shards".into(), json!(unassigned));
    if ctx.st.dist == Distribution::Elasticsearch && ctx.st.version >= Version::new(8, 16, 0) {
        m.insert("unassigned_primary_shards".into(), json!(0));
    }
    m.insert("delayed_unassigned_shards".into(), json!(0));
    m.insert("number_of_pending_tasks".into(), json!(0));
    m.insert("number_of_in_flight_fetch".into(), json!(0));
    m.insert("task_max_waiting_in_queue_millis".into(), json!(0));
    m.insert("active_shards_percent_as_number".into(), json!(pct));
    (status.to_string(), Value::Object(m))
}

pub fn health(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let names = match ctx.st.resolve_indices(&split_csv(&expr), |_| true, false) {
        Ok(n) => n,
        Err(_) => {
            // A missing index is not an error: the health request waits for it until `timeout` (default 30s), then
            // answers 408 with a red status (real 7.17.29 and 2.19.1). The sandbox answers at once.
            let (_, mut body) = health_body(ctx, &[], ctx.now);
            body["status"] = json!("red");
            body["timed_out"] = json!(true);
            return Ok(Reply::Json(408, body));
        }
    };
    let wanted = match ctx.q("wait_for_status") {
        None => None,
        Some(w @ ("green" | "yellow" | "red")) => Some(rank(w)),
        Some(other) => return Err(ApiError::illegal_argument(format!("unknown cluster health status [{other}]"))),
    };
    let (status, mut body) = health_body(ctx, &names, ctx.now);
    if let Some(w) = wanted
        && rank(&status) > w {
            // time-driven state: look ahead to when recoveries finish (bounded by the default 30s timeout)
            let latest = names.iter().filter_map(|n| ctx.st.indices[n].recovery.as_ref()).map(|r| r.start + r.duration).max();
            let (s2, b2) = match latest {
                Some(t) if t - ctx.now <= 10_000 => {
                    let wait = (t - ctx.now).max(0) as u64;
                    std::thread::sleep(std::time::Duration::from_millis(wait));
                    health_body(ctx, &names, t)
                }
                _ => (status.clone(), body.clone()),
            };
            body = b2;
            if rank(&s2) > w {
                body["timed_out"] = json!(true);
                return Ok(Reply::Json(408, body));
            }
        }
    Ok(Reply::Json(200, body))
}

/// Renders cat rows as JSON or as an aligned text table (`v` adds the header).
fn cat(ctx: &Ctx, headers: &[&str], rows: Vec<Vec<Value>>) -> Result<Reply, ApiError> {
    let cols: Vec<usize> = match ctx.q("h") {
        Some(h) => {
            let mut c = vec![];
            for name in split_csv(h) {
                if let Some(p) = headers.iter().position(|x| *x == name) { c.push(p) }
            }
            c
        }
        None => (0..headers.len()).collect(),
    };
    match ctx.q("format").unwrap_or("text") {
        "json" => {
            let out: Vec<Value> = rows
                .iter()
                .map(|r| Value::Object(cols.iter().map(|&c| (headers[c].to_string(), r[c].clone())).collect()))
                .collect();
            Ok(Reply::Json(200, Value::Array(out)))
        }
        "text" | "txt" => {
            let cell = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                o => o.to_string(),
            };
            let mut table: Vec<Vec<String>> = vec![];
            if ctx.flag("v", false)? {
                table.push(cols.iter().map(|&c| headers[c].to_string()).collect());
            }
            for r in &rows {
                table.push(cols.iter().map(|&c| cell(&r[c])).collect());
            }
            let widths: Vec<usize> = (0..cols.len()).map(|k| table.iter().map(|r| r[k].len()).max().unwrap_or(0)).collect();
            let mut s = String::new();
            for r in table {
                let line: Vec<String> = r.iter().enumerate().map(|(k, c)| format!("{:<w$}", c, w = widths[k])).collect();
                s.push_str(line.join(" ").trim_end());
                s.push('\n');
            }
            Ok(Reply::Text(200, s))
        }
        other => Err(ApiError::illegal_argument(format!("Unsupported format [{other}]"))),
    }
}

pub fn cat_indices(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let names = ctx.st.resolve_indices(&split_csv(&expr), |_| true, false).map_err(|m| ApiError::index_not_found(&m))?;
    let es8 = ctx.st.dist == Distribution::Elasticsearch && ctx.st.version >= Version::new(8, 11, 0);
    let mut headers = vec!["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"];
    if es8 {
        headers.push("dataset.size");
    }
    let mut rows = vec![];
    for n in names {
        let i = &ctx.st.indices[&n];
        let size = human_bytes(i.size_bytes() * i.shards as u64);
        let mut r = vec![
            json!(i.health(ctx.now)),
            json!(if i.open { "open" } else { "close" }),
            json!(i.name),
            json!(i.uuid),
            json!(i.shards.to_string()),
            json!(i.replicas.to_string()),
        ];
        if i.open {
            r.extend([json!(i.docs.to_string()), json!("0"), json!(size.clone()), json!(size.clone())]);
            if es8 {
                r.push(json!(size));
            }
        } else {
            r.extend([Value::Null, Value::Null, Value::Null, Value::Null]);
            if es8 {
                r.push(Value::Null);
            }
        }
        rows.push(r);
    }
    cat(ctx, &headers, rows)
}

pub fn cat_snapshots(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("repository").to_string();
    let repos: Vec<String> = if expr.is_empty() || expr == "_all" || expr == "*" {
        ctx.st.repositories.keys().cloned().collect()
    } else {
        let mut v = vec![];
        for r in split_csv(&expr) {
            if r.contains('*') {
                v.extend(ctx.st.repositories.keys().filter(|k| crate::util::simple_match(&r, k)).cloned());
            } else if ctx.st.repositories.contains_key(&r) {
                v.push(r);
            } else {
                return Err(ApiError::repository_missing(&r));
            }
        }
        v
    };
    // `repository` is an Elasticsearch 7.x column (real 7.17.29 has it, 6.8.23 and every OpenSearch do not)
    let with_repo = ctx.st.dist == Distribution::Elasticsearch && ctx.st.version >= Version::new(7, 10, 0);
    let all = ["id", "repository", "status", "start_epoch", "start_time", "end_epoch", "end_time", "duration", "indices", "successful_shards", "failed_shards", "total_shards"];
    let headers: Vec<&str> = all.iter().copied().filter(|h| with_repo || *h != "repository").collect();
    let mut rows = vec![];
    for r in repos {
        let Some(storage) = ctx.st.storage(&r) else { continue };
        let mut snaps: Vec<_> = storage.snapshots.iter().collect();
        snaps.sort_by(|a, b| (a.start, &a.name).cmp(&(b.start, &b.name)));
        for s in snaps {
            let running = s.in_progress(ctx.now);
            let failed = if running { 0 } else { s.failed_shards() };
            let total = s.total_shards();
            let end = if running { 0 } else { s.end() };
            let mut row = vec![
                json!(s.name),
                json!(r),
                json!(if running { "IN_PROGRESS" } else { s.state.as_str() }),
                json!((s.start / 1000).to_string()),
                json!(hms(s.start)),
                json!((end / 1000).to_string()),
                json!(hms(end)),
                json!(human_time(if running { ctx.now - s.start } else { s.duration })),
                json!(s.indices.len().to_string()),
                json!(if running { "0".to_string() } else { (total - failed).to_string() }),
                json!(failed.to_string()),
                json!(total.to_string()),
            ];
            if !with_repo {
                row.remove(1);
            }
            rows.push(row);
        }
    }
    cat(ctx, &headers, rows)
}

pub fn cat_repositories(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let rows = ctx.st.repositories.values().map(|r| vec![json!(r.name), json!(r.kind)]).collect();
    cat(ctx, &["id", "type"], rows)
}
