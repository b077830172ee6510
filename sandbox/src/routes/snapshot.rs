//! `_snapshot` namespace: repositories, snapshots (get/create/delete/clone/status) and restore.

use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::seed::check_snapshot_name;
use crate::state::{
    ASYNC_RESTORE_MS, ASYNC_SNAPSHOT_MS, Index, Recovery, Repository, SnapIndex, SnapState, Snapshot, files_for_docs,
    size_for_docs, storage_key,
};
use crate::util::{human_bytes, human_time, iso, simple_match, split_csv};
use crate::version::{DistVersion, Distribution, ES_FORK_POINT, Version, min_index_compat};
use base64::Engine;
use essnap_java_regex::{JavaRegex, RegexError};
use base64::engine::general_purpose::URL_SAFE;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const KNOWN_TYPES: &[&str] = &["fs", "url", "s3", "gcs", "azure", "hdfs", "source"];

// ---------------------------------------------------------------- repositories

fn resolve_repos(ctx: &Ctx, expr: &str) -> Result<Vec<String>, ApiError> {
    let mut out = vec![];
    let parts = if expr.is_empty() { vec!["_all".to_string()] } else { split_csv(expr) };
    for p in parts {
        if p == "_all" || p == "*" {
            out.extend(ctx.st.repositories.keys().cloned());
        } else if p.contains('*') {
            out.extend(ctx.st.repositories.keys().filter(|k| simple_match(&p, k)).cloned());
        } else if ctx.st.repositories.contains_key(&p) {
            out.push(p);
        } else {
            return Err(ApiError::repository_missing(&p));
        }
    }
    out.dedup();
    Ok(out)
}

pub fn get_repository(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let names = resolve_repos(ctx, ctx.p("repository"))?;
    let mut out = Map::new();
    for n in names {
        let r = &ctx.st.repositories[&n];
        let mut m = Map::new();
        m.insert("type".into(), json!(r.kind));
        if ctx.is_es() && ctx.st.version >= Version::new(8, 0, 0) {
            let uuid = ctx.st.storages.get(&r.storage_key).and_then(|s| s.uuid.clone()).unwrap_or_else(|| "_na_".into());
            m.insert("uuid".into(), json!(uuid));
        }
        // settings are rendered as strings, like the real cluster does
        let settings: Map<String, Value> = r
            .settings
            .iter()
            .map(|(k, v)| (k.clone(), match v {
                Value::String(_) => v.clone(),
                Value::Object(_) | Value::Array(_) => v.clone(),
                other => Value::String(other.to_string()),
            }))
            .collect();
        m.insert("settings".into(), Value::Object(settings));
        out.insert(n, Value::Object(m));
    }
    Ok(Reply::Json(200, Value::Object(out)))
}

fn flatten_settings(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten_settings(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

pub fn put_repository(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("repository").to_string();
    if name.contains('#') {
        return Err(ApiError::new(500, "repository_exception", format!("[{name}] must not contain '#'")));
    }
    // RepositoriesService.validate: `Strings.validFileName`, whose set includes the space and prints in HashSet
    // order (real 7.17.29 and 2.19.1: `[Bad Repo] must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?]`)
    // Elasticsearch 6.x does not validate repository names (real 6.8.23 registers `Bad Repo`).
    let validated = !ctx.is_es() || ctx.st.version.major >= 7;
    if validated && (name.starts_with('_') || name.contains(|c: char| c == ' ' || crate::seed::INVALID_FILENAME.contains(&c))) {
        return Err(ApiError::new(
            500,
            "repository_exception",
            format!("[{name}] must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]"),
        ));
    }
    let Some(body) = ctx.body()? else {
        return Err(ApiError::parse("request body is required"));
    };
    let Value::Object(body) = body else {
        return Err(ApiError::parse("request body must be a JSON object"));
    };
    let kind = match body.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => return Err(ApiError::illegal_argument("Malformed [type] parameter, expected a string")),
        None => return Err(ApiError::action_request_validation(&["type is missing".into()])),
    };
    for k in body.keys() {
        if k != "type" && k != "settings" {
            // ES ignores unknown top-level keys silently in older versions; reject like 8.x
            return Err(ApiError::illegal_argument(format!("Unknown parameter {k}")));
        }
    }
    let mut settings = Map::new();
    if let Some(s) = body.get("settings") {
        if !s.is_object() {
            return Err(ApiError::illegal_argument("Malformed [settings] section, should include an inner object"));
        }
        flatten_settings("", s, &mut settings);
    }
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        return Err(ApiError::new(500, "repository_exception", format!("[{name}] repository type [{kind}] does not exist")));
    }
    let need = |k: &str, why: &str| -> Result<(), ApiError> {
        if settings.get(k).is_none_or(|v| v.as_str().is_some_and(|s| s.is_empty())) {
            // the repository's constructor throws; RepositoriesService wraps it (real 7.17.29 and 2.19.1)
            Err(ApiError::new(500, "repository_exception", format!("[{name}] failed to create repository"))
                .caused_by(ApiError::new(500, "repository_exception", format!("[{name}] {why}"))))
        } else {
            Ok(())
        }
    };
    match kind.as_str() {
        "fs" => {
            need("location", "missing location")?;
            let location = settings.get("location").and_then(Value::as_str).unwrap_or_default();
            if let Some(why) = outside_path_repo(ctx.st.path_repo.as_deref(), location) {
                return Err(ApiError::new(500, "repository_exception", format!("[{name}] failed to create repository"))
                    .caused_by(ApiError::new(500, "repository_exception", format!("[{name}] location [{location}] {why}"))));
            }
        }
        "url" => need("url", "missing url")?,
        "s3" | "gcs" => need("bucket", "No bucket defined for snapshot repository")?,
        _ => {}
    }
    if let Some(existing) = ctx.st.repositories.get(&name) {
        let running = ctx.st.running_snapshots(ctx.now).iter().any(|(r, _)| r == &name);
        if running && existing.storage_key != storage_key(&kind, &settings) {
            return Err(ApiError::illegal_argument(format!(
                "trying to modify or unregister repository [{name}] that is currently used"
            )));
        }
    }
    let key = storage_key(&kind, &settings);
    ctx.st.storages.entry(key.clone()).or_default();
    ctx.st.repositories.insert(name.clone(), Repository { name, kind, settings, storage_key: key });
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

pub fn delete_repository(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let names = resolve_repos(ctx, ctx.p("repository"))?;
    let running = ctx.st.running_snapshots(ctx.now);
    for n in &names {
        if running.iter().any(|(r, _)| r == n) {
            return Err(ApiError::illegal_argument(format!(
                "trying to modify or unregister repository [{n}] that is currently used"
            )));
        }
    }
    for n in names {
        ctx.st.repositories.remove(&n);
    }
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

pub fn verify_repository(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("repository").to_string();
    if !ctx.st.repositories.contains_key(&name) {
        return Err(ApiError::repository_missing(&name));
    }
    // A read-only repository verifies too: the nodes only read it (real 2.19.1 and 7.17.29).
    let mut nodes = Map::new();
    nodes.insert(ctx.st.node_id.clone(), json!({"name": ctx.st.node_name}));
    Ok(Reply::Json(200, json!({ "nodes": nodes })))
}

pub fn cleanup_repository(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("repository").to_string();
    // Before 7.4 there is no cleanup: the path reads as creating a snapshot named `_cleanup`.
    if ctx.is_es() && ctx.st.version < Version::new(7, 4, 0) {
        return Err(ApiError::new(
            400,
            "invalid_snapshot_name_exception",
            format!("[{name}:_cleanup] Invalid snapshot name [_cleanup], must not start with '_'"),
        ));
    }
    if !ctx.st.repositories.contains_key(&name) {
        return Err(ApiError::repository_missing(&name));
    }
    Ok(Reply::Json(200, json!({"results": {"deleted_bytes": 0, "deleted_blobs": 0}})))
}

// ---------------------------------------------------------------- rendering

pub struct RenderOpts {
    pub verbose: bool,
    pub index_details: bool,
    pub human: bool,
    pub include_repository: bool,
    pub index_names: bool,
}

fn version_fields(ctx: &Ctx, v: DistVersion) -> (u64, String) {
    match (ctx.st.dist, v.dist) {
        (Distribution::Elasticsearch, Distribution::Opensearch) => {
            // a legacy Elasticsearch node decodes OpenSearch's masked id as a nonsense version
            let id = v.version.id(Distribution::Opensearch);
            (id, Version::from_es_id(id))
        }
        _ => (v.version.id(v.dist), v.version.to_string()),
    }
}

fn system_feature(name: &str) -> String {
    name.trim_start_matches('.').split(['-', '_']).next().unwrap_or(name).to_string()
}

pub fn render_snapshot(ctx: &Ctx, repo: &str, s: &Snapshot, o: &RenderOpts) -> Value {
    let es = ctx.is_es();
    let v = ctx.st.version;
    let running = s.in_progress(ctx.now);
    let mut m = Map::new();
    m.insert("snapshot".into(), json!(s.name));
    m.insert("uuid".into(), json!(s.uuid));
    if es && v >= Version::new(7, 14, 0) && o.include_repository {
        m.insert("repository".into(), json!(repo));
    }
    if o.verbose {
        let (id, ver) = version_fields(ctx, s.version);
        m.insert("version_id".into(), json!(id));
        m.insert("version".into(), json!(ver));
        if !es && v >= Version::new(2, 9, 0) {
            m.insert("remote_store_index_shallow_copy".into(), json!(false));
        }
    }
    if o.index_names {
        m.insert("indices".into(), json!(s.indices.iter().map(|i| i.name.clone()).collect::<Vec<_>>()));
    }
    // Data streams arrived in 7.9 (real 6.8.23 has no such field).
    if !es || v >= Version::new(7, 9, 0) {
        m.insert("data_streams".into(), json!(s.data_streams));
    }
    if !o.verbose {
        m.insert("state".into(), json!(if running { "IN_PROGRESS" } else { s.state.as_str() }));
        return Value::Object(m);
    }
    m.insert("include_global_state".into(), json!(s.include_global_state));
    if let Some(md) = &s.metadata {
        m.insert("metadata".into(), md.clone());
    }
    m.insert("state".into(), json!(if running { "IN_PROGRESS" } else { s.state.as_str() }));
    if let (Some(r), false) = (&s.reason, running) {
        m.insert("reason".into(), json!(r));
    }
    m.insert("start_time".into(), json!(iso(s.start)));
    m.insert("start_time_in_millis".into(), json!(s.start));
    if !running {
        m.insert("end_time".into(), json!(iso(s.end())));
        m.insert("end_time_in_millis".into(), json!(s.end()));
        m.insert("duration_in_millis".into(), json!(s.duration));
        if o.human {
            m.insert("duration".into(), json!(human_time(s.duration)));
        }
    } else {
        // what real 7.17 / 2.19 nodes print for a running snapshot
        m.insert("end_time".into(), json!(iso(0)));
        m.insert("end_time_in_millis".into(), json!(0));
        m.insert("duration_in_millis".into(), json!(0));
    }
    let mut failures = vec![];
    if !running {
        for i in &s.indices {
            for sh in 0..i.failed_shards {
                failures.push(json!({
                    "index": i.name, "index_uuid": i.name, "shard_id": sh,
                    "reason": if s.state == SnapState::Failed { "IndexShardSnapshotFailedException[primary shard is not allocated]" } else { "IndexShardSnapshotFailedException[Failed to snapshot: sandbox simulated shard failure]" },
                    "node_id": ctx.st.node_id, "status": "INTERNAL_SERVER_ERROR"
                }));
            }
        }
    }
    m.insert("failures".into(), json!(failures));
    // running: ES 7.17 reports every unfinished shard as failed, OpenSearch 2.19 reports zeros
    let (total, failed, successful) = match (running, es) {
        (true, true) => (s.total_shards(), s.total_shards(), 0),
        (true, false) => (0, 0, 0),
        (false, _) => (s.total_shards(), s.failed_shards(), s.total_shards() - s.failed_shards()),
    };
    m.insert("shards".into(), json!({"total": total, "failed": failed, "successful": successful}));
    if es && v >= Version::new(7, 12, 0) {
        let fs: Vec<Value> = s
            .feature_states
            .iter()
            .map(|f| {
                let idx: Vec<String> =
                    s.indices.iter().filter(|i| i.system && system_feature(&i.name) == *f).map(|i| i.name.clone()).collect();
                json!({"feature_name": f, "indices": idx})
            })
            .collect();
        m.insert("feature_states".into(), json!(fs));
    }
    if o.index_details && es {
        let mut d = Map::new();
        for i in &s.indices {
            let size = size_for_docs(i.docs) * i.shards as u64;
            let mut e = Map::new();
            e.insert("shard_count".into(), json!(i.shards));
            if o.human {
                e.insert("size".into(), json!(human_bytes(size)));
            }
            e.insert("size_in_bytes".into(), json!(size));
            e.insert("max_segments_per_shard".into(), json!(if i.docs == 0 { 0 } else { 1 }));
            d.insert(i.name.clone(), Value::Object(e));
        }
        m.insert("index_details".into(), Value::Object(d));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------- get snapshots

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    StartTime,
    Name,
    Duration,
    IndexCount,
    ShardCount,
    FailedShardCount,
    Repository,
}

#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Key {
    Num(i64),
    Str(String),
}

fn primary_key(by: SortBy, repo: &str, s: &Snapshot) -> Key {
    match by {
        SortBy::StartTime => Key::Num(s.start),
        SortBy::Name => Key::Str(s.name.clone()),
        SortBy::Duration => Key::Num(s.duration),
        SortBy::IndexCount => Key::Num(s.indices.len() as i64),
        SortBy::ShardCount => Key::Num(s.total_shards() as i64),
        SortBy::FailedShardCount => Key::Num(s.failed_shards() as i64),
        SortBy::Repository => Key::Str(repo.to_string()),
    }
}

fn key_string(k: &Key) -> String {
    match k {
        Key::Num(n) => n.to_string(),
        Key::Str(s) => s.clone(),
    }
}

pub fn get_snapshots(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let es = ctx.is_es();
    let v = ctx.st.version;
    let verbose = ctx.flag("verbose", true)?;
    let ignore_unavailable = ctx.flag("ignore_unavailable", false)?;
    let o = RenderOpts {
        verbose,
        index_details: ctx.flag("index_details", false)?,
        human: ctx.human(),
        include_repository: ctx.flag("include_repository", true)?,
        index_names: ctx.flag("index_names", true)?,
    };
    if ctx.q("state").is_some() && !(es && v >= Version::new(9, 1, 0)) {
        return Err(ApiError::unrecognized_params(&ctx.req.path, &["state".into()]));
    }
    let paginated = es && v >= Version::new(7, 14, 0);
    if !paginated {
        let mut bad: Vec<String> = ["sort", "size", "order", "from_sort_value", "after", "offset", "slm_policy_filter", "index_details", "include_repository", "index_names"]
            .iter()
            .filter(|p| ctx.q(p).is_some())
            .map(|p| p.to_string())
            .collect();
        if !bad.is_empty() {
            bad.sort();
            return Err(ApiError::unrecognized_params(&ctx.req.path, &bad));
        }
    }
    let sort = match ctx.q("sort").unwrap_or("start_time") {
        "start_time" => SortBy::StartTime,
        "name" => SortBy::Name,
        "duration" => SortBy::Duration,
        "index_count" => SortBy::IndexCount,
        "shard_count" => SortBy::ShardCount,
        "failed_shard_count" => SortBy::FailedShardCount,
        "repository" => SortBy::Repository,
        other => return Err(ApiError::illegal_argument(format!("unknown sort order [{other}]"))),
    };
    let desc = match ctx.q("order").unwrap_or("asc") {
        "asc" | "ASC" => false,
        "desc" | "DESC" => true,
        other => return Err(ApiError::illegal_argument(format!("Unknown SortOrder [{other}]"))),
    };
    let size = ctx.int("size")?.unwrap_or(-1);
    let offset = ctx.int("offset")?.unwrap_or(0);
    let after = ctx.q("after").map(|s| s.to_string());
    let from_sort_value = ctx.q("from_sort_value").map(|s| s.to_string());
    let mut errs = vec![];
    if size == 0 || size < -1 {
        errs.push("size must be -1 or greater than 0".to_string());
    }
    if offset < 0 {
        errs.push("offset must be >= 0".to_string());
    }
    if after.is_some() && offset > 0 {
        errs.push("can't use after and offset simultaneously".to_string());
    }
    if after.is_some() && from_sort_value.is_some() {
        errs.push("can't use after and from_sort_value simultaneously".to_string());
    }
    if !verbose {
        if sort != SortBy::StartTime {
            errs.push("can't use non-default sort with verbose=false".into());
        }
        if size > 0 {
            errs.push("can't use size limit with verbose=false".into());
        }
        if offset > 0 {
            errs.push("can't use offset with verbose=false".into());
        }
        if after.is_some() {
            errs.push("can't use after with verbose=false".into());
        }
        if desc {
            errs.push("can't use non-default sort order with verbose=false".into());
        }
        if from_sort_value.is_some() {
            errs.push("can't use from_sort_value with verbose=false".into());
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::action_request_validation(&errs));
    }
    let states: Option<Vec<String>> = match ctx.q("state") {
        None => None,
        Some(s) => {
            let mut out = vec![];
            for p in split_csv(s) {
                if !["SUCCESS", "PARTIAL", "FAILED", "IN_PROGRESS", "INCOMPATIBLE"].contains(&p.as_str()) {
                    return Err(ApiError::illegal_argument(format!("No enum constant org.elasticsearch.snapshots.SnapshotState.{p}")));
                }
                out.push(p);
            }
            Some(out)
        }
    };
    let mut repo_failures = Map::new();
    let repos = if paginated {
        let mut ok = vec![];
        for r in split_csv(ctx.p("repository")) {
            match resolve_repos(ctx, &r) {
                Ok(v) => ok.extend(v),
                Err(e) => {
                    repo_failures.insert(r.clone(), json!({"type": e.kind, "reason": e.reason}));
                }
            }
        }
        ok
    } else {
        resolve_repos(ctx, ctx.p("repository"))?
    };
    let exprs = split_csv(ctx.p("snapshot"));
    let mut matched: Vec<(String, Snapshot)> = vec![];
    for repo in &repos {
        let Some(storage) = ctx.st.storage(repo) else { continue };
        let mut seen = std::collections::HashSet::new();
        let mut includes_all = false;
        for e in &exprs {
            if e == "_all" || e == "*" {
                includes_all = true;
            }
        }
        for e in &exprs {
            if includes_all && !e.starts_with('-') {
                continue;
            }
            if e == "_current" {
                for s in storage.snapshots.iter().filter(|s| s.in_progress(ctx.now)) {
                    if seen.insert(s.name.clone()) {
                        matched.push((repo.clone(), s.clone()));
                    }
                }
            } else if let Some(neg) = e.strip_prefix('-') {
                matched.retain(|(r, s)| r != repo || !simple_match(neg, &s.name));
            } else if e.contains('*') {
                for s in storage.snapshots.iter().filter(|s| simple_match(e, &s.name)) {
                    if seen.insert(s.name.clone()) {
                        matched.push((repo.clone(), s.clone()));
                    }
                }
            } else if let Some(s) = storage.snapshots.iter().find(|s| &s.name == e) {
                if seen.insert(s.name.clone()) {
                    matched.push((repo.clone(), s.clone()));
                }
            } else if !ignore_unavailable {
                return Err(ApiError::snapshot_missing(repo, e));
            }
        }
        if includes_all {
            let keep: Vec<String> = exprs.iter().filter_map(|e| e.strip_prefix('-').map(String::from)).collect();
            for s in &storage.snapshots {
                if !keep.iter().any(|n| simple_match(n, &s.name)) && seen.insert(s.name.clone()) {
                    matched.push((repo.clone(), s.clone()));
                }
            }
        }
    }
    if let Some(states) = &states {
        matched.retain(|(_, s)| {
            let st = if s.in_progress(ctx.now) { "IN_PROGRESS" } else { s.state.as_str() };
            states.iter().any(|x| x == st)
        });
    }
    if let Some(f) = ctx.q("slm_policy_filter") {
        let pats = split_csv(f);
        matched.retain(|(_, s)| {
            pats.iter().any(|p| match (p.as_str(), s.policy()) {
                ("_none", None) => true,
                (p, Some(pol)) => simple_match(p, pol),
                _ => false,
            })
        });
    }
    let sort_key = |r: &str, s: &Snapshot| (primary_key(sort, r, s), s.name.clone(), r.to_string());
    // Elasticsearch 6.x lists a verbose=false answer by name (real 6.8.23).
    let by_name = !verbose && ctx.is_es() && ctx.st.version.major < 7;
    matched.sort_by(|a, b| {
        if by_name {
            return a.1.name.cmp(&b.1.name);
        }
        let o = sort_key(&a.0, &a.1).partial_cmp(&sort_key(&b.0, &b.1)).unwrap_or(std::cmp::Ordering::Equal);
        if desc { o.reverse() } else { o }
    });
    if let Some(fsv) = &from_sort_value {
        let parse_num = |s: &str| -> Result<i64, ApiError> {
            s.parse::<i64>().map_err(|_| ApiError::illegal_argument(format!("failed to parse from_sort_value [{s}]")))
        };
        let bound = match sort {
            SortBy::Name | SortBy::Repository => Key::Str(fsv.clone()),
            _ => Key::Num(parse_num(fsv)?),
        };
        matched.retain(|(r, s)| {
            let k = primary_key(sort, r, s);
            if desc { k <= bound } else { k >= bound }
        });
    }
    let total = matched.len();
    if let Some(a) = &after {
        let decoded = URL_SAFE
            .decode(a.trim_end_matches('=').to_string() + &"=".repeat((4 - a.trim_end_matches('=').len() % 4) % 4))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ApiError::illegal_argument(format!("invalid after value [{a}]")))?;
        let parts: Vec<&str> = decoded.splitn(3, ',').collect();
        if parts.len() != 3 {
            return Err(ApiError::illegal_argument(format!("invalid after value [{a}]")));
        }
        let pk = match sort {
            SortBy::Name | SortBy::Repository => Key::Str(parts[0].to_string()),
            _ => Key::Num(parts[0].parse().map_err(|_| ApiError::illegal_argument(format!("invalid after value [{a}]")))?),
        };
        // cursor is "sortValue,repository,snapshotName"
        let cursor = (pk, parts[2].to_string(), parts[1].to_string());
        matched.retain(|(r, s)| {
            let k = sort_key(r, s);
            let o = k.partial_cmp(&cursor).unwrap_or(std::cmp::Ordering::Equal);
            if desc { o == std::cmp::Ordering::Less } else { o == std::cmp::Ordering::Greater }
        });
    }
    let skipped = (offset as usize).min(matched.len());
    let rest: Vec<(String, Snapshot)> = matched.into_iter().skip(skipped).collect();
    let take = if size > 0 { (size as usize).min(rest.len()) } else { rest.len() };
    let remaining = rest.len() - take;
    let page = &rest[..take];
    let snaps: Vec<Value> = page.iter().map(|(r, s)| render_snapshot(ctx, r, s, &o)).collect();
    let mut out = Map::new();
    out.insert("snapshots".into(), json!(snaps));
    if paginated {
        if remaining > 0
            && let Some((r, s)) = page.last() {
                let cursor = format!("{},{},{}", key_string(&primary_key(sort, r, s)), r, s.name);
                out.insert("next".into(), json!(URL_SAFE.encode(cursor)));
            }
        if !repo_failures.is_empty() {
            out.insert("failures".into(), Value::Object(repo_failures));
        }
        out.insert("total".into(), json!(total));
        out.insert("remaining".into(), json!(remaining));
    }
    Ok(Reply::Json(200, Value::Object(out)))
}

// ---------------------------------------------------------------- create / clone / delete

/// Resolves `<name-{now/d}>` date-math snapshot names.
pub fn resolve_date_math(name: &str, now: i64) -> Result<String, ApiError> {
    if !(name.starts_with('<') && name.ends_with('>')) {
        return Ok(name.to_string());
    }
    let inner = &name[1..name.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '{' => {
                let mut expr = String::new();
                let mut depth = 1;
                for n in chars.by_ref() {
                    if n == '{' {
                        depth += 1;
                    } else if n == '}' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    expr.push(n);
                }
                if depth != 0 {
                    return Err(ApiError::new(400, "parse_exception", format!("invalid dynamic name expression [{inner}]. missing closing `}}` for date math format")));
                }
                out.push_str(&eval_date_math(&expr, now).map_err(|why| {
                    let reason = why.unwrap_or_else(|| format!("invalid dynamic name expression [{inner}]"));
                    ApiError::new(400, "parse_exception", reason)
                })?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `now` with `+N<unit>`, `-N<unit>` and `/<unit>` steps, in UTC, months and years by the
/// calendar. `Err(Some(reason))` carries the server's message (real 7.17.29, 2.19.1).
fn eval_date_math(expr: &str, now: i64) -> Result<String, Option<String>> {
    use crate::util::{days_from_civil, parts};
    let (math, fmt) = match expr.find('{') {
        Some(i) => (&expr[..i], expr[i + 1..].trim_end_matches('}')),
        None => (expr, "yyyy.MM.dd"),
    };
    let rest = math.strip_prefix("now").ok_or(None)?;
    let unsupported = |u: char| Some(format!("unit [{u}] not supported for date math [{rest}]"));
    let fixed_ms = |u: char| -> Option<i64> {
        Some(match u {
            'w' => 7 * 86_400_000,
            'd' => 86_400_000,
            'h' | 'H' => 3_600_000,
            'm' => 60_000,
            's' => 1000,
            _ => return None,
        })
    };
    // Adds `months` by the calendar, clamping the day to the target month's length.
    let add_months = |t: i64, months: i64| -> i64 {
        let p = parts(t);
        let total = p.year * 12 + (p.month as i64 - 1) + months;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let next = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
        let len = (next - days_from_civil(y, m, 1)) as u32;
        days_from_civil(y, m, p.day.min(len)) * 86_400_000 + t.rem_euclid(86_400_000)
    };
    let mut t = now;
    let mut chars = rest.chars().peekable();
    while let Some(op) = chars.next() {
        match op {
            '+' | '-' => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                // Beyond ±10,000 years of offset the name is refused rather than overflowing.
                let n: i64 = if digits.is_empty() { 1 } else { digits.parse().map_err(|_| None)? };
                let n = if op == '-' { -n } else { n };
                let unit = chars.next().ok_or(None)?;
                let months = match unit {
                    'y' => n.checked_mul(12),
                    'M' => Some(n),
                    _ => None,
                };
                t = match months {
                    Some(m) if m.abs() <= 120_000 => add_months(t, m),
                    Some(_) => return Err(None),
                    None => {
                        let step = n.checked_mul(fixed_ms(unit).ok_or_else(|| unsupported(unit))?).ok_or(None)?;
                        t.checked_add(step).filter(|t| t.abs() <= 315_569_520_000_000).ok_or(None)?
                    }
                };
            }
            '/' => {
                let u = chars.next().ok_or(None)?;
                let p = parts(t);
                t = match u {
                    'y' => days_from_civil(p.year, 1, 1) * 86_400_000,
                    'M' => days_from_civil(p.year, p.month, 1) * 86_400_000,
                    // Weeks round to Monday.
                    'w' => {
                        let day = t.div_euclid(86_400_000);
                        (day - (day + 3).rem_euclid(7)) * 86_400_000
                    }
                    u => t - t.rem_euclid(fixed_ms(u).ok_or_else(|| unsupported(u))?),
                };
            }
            _ => return Err(None),
        }
    }
    let p = parts(t);
    let out = fmt
        .replace("yyyy", &format!("{:04}", p.year))
        .replace("uuuu", &format!("{:04}", p.year))
        .replace("YYYY", &format!("{:04}", p.year))
        .replace("MM", &format!("{:02}", p.month))
        .replace("dd", &format!("{:02}", p.day))
        .replace("HH", &format!("{:02}", p.hour))
        .replace("mm", &format!("{:02}", p.minute))
        .replace("ss", &format!("{:02}", p.second));
    Ok(out)
}

fn str_list(v: &Value, field: &str) -> Result<Vec<String>, ApiError> {
    match v {
        Value::String(s) => Ok(split_csv(s)),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(String::from).ok_or_else(|| ApiError::illegal_argument(format!("malformed {field} section, should be an array of strings"))))
            .collect(),
        Value::Null => Ok(vec![]),
        _ => Err(ApiError::illegal_argument(format!("malformed {field} section, should be an array of strings"))),
    }
}

fn bool_field(v: &Value, field: &str) -> Result<bool, ApiError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        _ => Err(ApiError::illegal_argument(format!("Failed to parse value [{}] as only [true] or [false] are allowed. for field [{field}]", v))),
    }
}

fn check_new_snapshot(ctx: &Ctx, repo: &str, name: &str) -> Result<(), ApiError> {
    check_snapshot_name(name).map_err(|why| ApiError::invalid_snapshot_name(repo, name, &why))?;
    if let Some(storage) = ctx.st.storage(repo)
        && let Some(s) = storage.snapshots.iter().find(|s| s.name == name) {
            let why = if s.in_progress(ctx.now) {
                "snapshot with the same name is already in-progress"
            } else {
                "snapshot with the same name already exists"
            };
            return Err(ApiError::invalid_snapshot_name(repo, name, why));
        }
    Ok(())
}

pub fn create_snapshot(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let repo = ctx.p("repository").to_string();
    let wait = ctx.flag("wait_for_completion", false)?;
    if !ctx.st.repositories.contains_key(&repo) {
        return Err(ApiError::repository_missing(&repo));
    }
    let name = resolve_date_math(ctx.p("snapshot"), ctx.now)?;
    // The name's form first, then the read-only refusal, then an existing name (real 2.19.1).
    check_snapshot_name(&name).map_err(|why| ApiError::invalid_snapshot_name(&repo, &name, &why))?;
    if ctx.st.repositories[&repo].is_read_only() {
        return Err(ApiError::new(500, "repository_exception", format!("[{repo}] cannot create snapshot in a readonly repository")));
    }
    check_new_snapshot(ctx, &repo, &name)?;
    if ctx.is_es() && ctx.st.version < Version::new(7, 7, 0) && !ctx.st.running_snapshots(ctx.now).is_empty() {
        return Err(ApiError::concurrent(&repo, &name, " a snapshot is already running"));
    }
    let body = ctx.body_object()?;
    let mut indices_expr: Vec<String> = vec![];
    let mut ignore_unavailable = false;
    let mut include_global_state = true;
    let mut partial = false;
    let mut metadata: Option<Value> = None;
    let mut feature_states: Option<Vec<String>> = None;
    for (k, v) in &body {
        match k.as_str() {
            "indices" => indices_expr = str_list(v, "indices")?,
            "ignore_unavailable" => ignore_unavailable = bool_field(v, k)?,
            "include_global_state" => include_global_state = bool_field(v, k)?,
            "partial" => partial = bool_field(v, k)?,
            "metadata" => {
                if !v.is_object() && !v.is_null() {
                    return Err(ApiError::illegal_argument("malformed metadata, should be an object"));
                }
                let len = v.to_string().len();
                if len > 1024 {
                    return Err(ApiError::action_request_validation(&[format!("metadata must be smaller than 1024 bytes, but was [{len}]")]));
                }
                metadata = (!v.is_null()).then(|| v.clone());
            }
            "feature_states" if ctx.is_es() => feature_states = Some(str_list(v, "feature_states")?),
            "expand_wildcards" | "allow_no_indices" | "ignore_throttled" => {}
            other => return Err(ApiError::illegal_argument(format!("Unknown parameter {other}"))),
        }
    }
    let _ = partial;
    let system_default = !ctx.is_es() || ctx.st.version.major < 8;
    let resolved = ctx
        .st
        .resolve_indices(&indices_expr, |i| i.open && (system_default || !i.system), ignore_unavailable)
        .map_err(|missing| ApiError::index_not_found(&missing))?;
    // A closed index named explicitly is snapshotted as well since closed indices are replicated
    // (7.2; OpenSearch always); before that the index's block refuses it (real 6.8.23: 403).
    if ctx.is_es() && ctx.st.version < Version::new(7, 2, 0) && resolved.iter().any(|n| !ctx.st.indices[n].open) {
        return Err(ApiError::new(403, "cluster_block_exception", "blocked by: [FORBIDDEN/4/index closed];"));
    }
    let mut data_streams: Vec<String> = vec![];
    for ds in ctx.st.data_streams.values() {
        if ds.indices.iter().any(|b| resolved.contains(b)) {
            data_streams.push(ds.name.clone());
        }
    }
    let cluster = ctx.st.cluster();
    let mut indices: Vec<SnapIndex> = resolved
        .iter()
        .map(|n| {
            let i = &ctx.st.indices[n];
            SnapIndex {
                name: i.name.clone(),
                uuid: i.uuid.clone(),
                created: i.created,
                shards: i.shards,
                docs: i.docs,
                aliases: i.aliases.clone(),
                system: i.system,
                failed_shards: 0,
            }
        })
        .collect();
    // feature states: system indices travel with their feature (ES 7.12+)
    let mut features: Vec<String> = vec![];
    if ctx.is_es() && ctx.st.version >= Version::new(7, 12, 0) {
        let wanted: Vec<String> = match &feature_states {
            Some(f) if f.iter().any(|x| x == "none") => {
                if f.len() > 1 {
                    return Err(ApiError::illegal_argument(format!(
                        "the feature_states value [none] indicates that no feature states should be snapshotted, but other feature states were requested: {f:?}"
                    )));
                }
                vec![]
            }
            Some(f) => f.clone(),
            None if include_global_state && indices_expr.is_empty() => {
                let mut all: Vec<String> = ctx.st.indices.values().filter(|i| i.system).map(|i| system_feature(&i.name)).collect();
                all.sort();
                all.dedup();
                all
            }
            None => vec![],
        };
        for f in wanted {
            let sys: Vec<&Index> = ctx.st.indices.values().filter(|i| i.system && system_feature(&i.name) == f).collect();
            let sys_empty = sys.is_empty();
            // Real 7.17.29 takes the snapshot without an unknown feature; 8.x refuses it.
            if sys_empty && feature_states.is_some() && ctx.st.version.major >= 8 {
                return Err(ApiError::illegal_argument(format!(
                    "No feature state found for [{f}]; requested feature states [[{f}]] are not present"
                )));
            }
            for i in sys {
                if !indices.iter().any(|x| x.name == i.name) {
                    indices.push(SnapIndex {
                        name: i.name.clone(),
                        uuid: i.uuid.clone(),
                        created: i.created,
                        shards: i.shards,
                        docs: i.docs,
                        aliases: i.aliases.clone(),
                        system: true,
                        failed_shards: 0,
                    });
                }
            }
            // A feature without system indices is not recorded (real 7.17.29).
            if !sys_empty {
                features.push(f);
            }
        }
    }
    let shards: u64 = indices.iter().map(|i| i.shards as u64).sum();
    let (start, duration) = if wait {
        let d = 5 + 2 * shards as i64;
        (ctx.now - d, d)
    } else {
        (ctx.now, ASYNC_SNAPSHOT_MS)
    };
    let uuid = ctx.st.rng.uuid();
    let snap = Snapshot {
        name: name.clone(),
        uuid,
        version: cluster,
        indices,
        data_streams,
        feature_states: features,
        include_global_state,
        state: SnapState::Success,
        start,
        duration,
        metadata,
        reason: None,
    };
    let storage = ctx.st.storage_mut(&repo).expect("repo exists");
    storage.snapshots.push(snap.clone());
    if storage.uuid.is_none() {
        let u = crate::util::Rng::new(crate::util::fnv1a(&ctx.st.repositories[&repo].storage_key)).uuid();
        ctx.st.storage_mut(&repo).expect("repo").uuid = Some(u);
    }
    if wait {
        let o = RenderOpts { verbose: true, index_details: false, human: ctx.human(), include_repository: true, index_names: true };
        Ok(Reply::Json(200, json!({ "snapshot": render_snapshot(ctx, &repo, &snap, &o) })))
    } else {
        Ok(Reply::Json(200, json!({"accepted": true})))
    }
}

pub fn clone_snapshot(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let repo = ctx.p("repository").to_string();
    let source = ctx.p("snapshot").to_string();
    let target = ctx.p("target_snapshot").to_string();
    if !ctx.st.repositories.contains_key(&repo) {
        return Err(ApiError::repository_missing(&repo));
    }
    let body = ctx.body_object()?;
    let patterns = match body.get("indices") {
        Some(v) => str_list(v, "indices")?,
        None => vec![],
    };
    for k in body.keys() {
        if k != "indices" {
            return Err(ApiError::illegal_argument(format!("Unknown parameter {k}")));
        }
    }
    if patterns.is_empty() {
        return Err(ApiError::action_request_validation(&["indices patterns are empty or null".into()]));
    }
    check_new_snapshot(ctx, &repo, &target)?;
    let storage = ctx.st.storage(&repo).expect("repo");
    let Some(src) = storage.snapshots.iter().find(|s| s.name == source && !s.in_progress(ctx.now)).cloned() else {
        return Err(ApiError::snapshot_missing(&repo, &source));
    };
    let indices: Vec<SnapIndex> =
        src.indices.iter().filter(|i| patterns.iter().any(|p| p == "*" || p == "_all" || simple_match(p, &i.name))).cloned().collect();
    let uuid = ctx.st.rng.uuid();
    let clone = Snapshot { name: target, uuid, indices, start: ctx.now, duration: 3, version: ctx.st.cluster(), ..src };
    ctx.st.storage_mut(&repo).expect("repo").snapshots.push(clone);
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

pub fn delete_snapshot(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let repo = ctx.p("repository").to_string();
    if !ctx.st.repositories.contains_key(&repo) {
        return Err(ApiError::repository_missing(&repo));
    }
    // Before Elasticsearch 7.8 the path holds one name, commas and all (real 6.8.23: `a,b` is missing).
    let patterns = !ctx.is_es() || ctx.st.version >= Version::new(7, 8, 0);
    let exprs = if patterns { split_csv(ctx.p("snapshot")) } else { vec![ctx.p("snapshot").to_string()] };
    let storage = ctx.st.storage(&repo).expect("repo");
    let mut doomed: Vec<String> = vec![];
    // Wildcards in a delete arrived in 7.8 too; before, a name is only a name.
    for e in &exprs {
        if patterns && (e == "_all" || e.contains('*')) {
            doomed.extend(storage.snapshots.iter().filter(|s| e == "_all" || simple_match(e, &s.name)).map(|s| s.name.clone()));
        } else if storage.snapshots.iter().any(|s| &s.name == e) {
            doomed.push(e.clone());
        } else {
            return Err(ApiError::snapshot_missing(&repo, e));
        }
    }
    // Names are resolved (a missing one is a 404) before the read-only refusal (real 2.19.1).
    if ctx.st.repositories[&repo].is_read_only() {
        return Err(ApiError::new(500, "repository_exception", format!("[{repo}] cannot delete snapshot from a readonly repository")));
    }
    // snapshots being restored cannot be deleted
    for idx in ctx.st.indices.values() {
        if let Some(r) = &idx.recovery
            && r.repository == repo && doomed.contains(&r.snapshot) && idx.recovery_progress(ctx.now) < 1.0 {
                return Err(ApiError::concurrent(
                    &repo,
                    &r.snapshot,
                    &format!("cannot delete snapshot during a restore in progress in [[{}]]", idx.name),
                ));
            }
    }
    ctx.st.storage_mut(&repo).expect("repo").snapshots.retain(|s| !doomed.contains(&s.name));
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

// ---------------------------------------------------------------- status

/// `legacy`: Elasticsearch 6.x also sends the pre-6.4 flat counters (real 6.8.23).
fn stats_json(files: u64, bytes: u64, start: i64, time: i64, processed: Option<(u64, u64)>, human: bool, legacy: bool) -> Value {
    let mut m = Map::new();
    let fc = |f: u64, b: u64| {
        let mut x = Map::new();
        x.insert("file_count".into(), json!(f));
        if human {
            x.insert("size".into(), json!(human_bytes(b)));
        }
        x.insert("size_in_bytes".into(), json!(b));
        Value::Object(x)
    };
    m.insert("incremental".into(), fc(files, bytes));
    if let Some((pf, pb)) = processed {
        m.insert("processed".into(), fc(pf, pb));
    }
    m.insert("total".into(), fc(files, bytes));
    m.insert("start_time_in_millis".into(), json!(start));
    if human {
        m.insert("time".into(), json!(human_time(time)));
    }
    m.insert("time_in_millis".into(), json!(time));
    if legacy {
        let (pf, pb) = processed.unwrap_or((files, bytes));
        m.insert("number_of_files".into(), json!(files));
        m.insert("processed_files".into(), json!(pf));
        m.insert("total_size_in_bytes".into(), json!(bytes));
        m.insert("processed_size_in_bytes".into(), json!(pb));
    }
    Value::Object(m)
}

fn shards_stats(init: u64, started: u64, done: u64, failed: u64) -> Value {
    json!({"initializing": init, "started": started, "finalizing": 0, "done": done, "failed": failed, "total": init + started + done + failed})
}

fn render_status(ctx: &Ctx, repo: &str, s: &Snapshot) -> Value {
    let legacy = ctx.is_es() && ctx.st.version.major < 7;
    let human = ctx.human();
    let running = s.in_progress(ctx.now);
    let progress = s.progress(ctx.now);
    let total_shards = s.total_shards();
    let done_target = (progress * total_shards as f64).floor() as u64;
    let mut done_so_far = 0u64;
    let mut indices = Map::new();
    let (mut all_files, mut all_bytes, mut all_done, mut all_started, mut all_failed) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for i in &s.indices {
        let mut shards = Map::new();
        let (mut ifiles, mut ibytes, mut idone, mut istarted, mut ifailed) = (0u64, 0u64, 0u64, 0u64, 0u64);
        for sh in 0..i.shards {
            let files = files_for_docs(i.docs);
            let bytes = size_for_docs(i.docs);
            let failed = !running && sh < i.failed_shards;
            let done = !running || done_so_far < done_target;
            done_so_far += 1;
            let stage = if failed { "FAILURE" } else if done { "DONE" } else { "STARTED" };
            let processed = (!done).then_some(((files as f64 * progress) as u64, (bytes as f64 * progress) as u64));
            let time = if done { s.duration.min(ctx.now - s.start).max(0) } else { ctx.now - s.start };
            let mut shard = Map::new();
            shard.insert("stage".into(), json!(stage));
            shard.insert("stats".into(), stats_json(files, bytes, s.start, time, processed, human, legacy));
            if !done && !failed {
                // running shards name the node doing the work (real 7.17 / 2.19 output)
                shard.insert("node".into(), json!(ctx.st.node_id));
            }
            if failed {
                shard.insert("reason".into(), json!("IndexShardSnapshotFailedException[sandbox simulated shard failure]"));
            }
            shards.insert(sh.to_string(), Value::Object(shard));
            ifiles += files;
            ibytes += bytes;
            if failed {
                ifailed += 1;
            } else if done {
                idone += 1;
            } else {
                istarted += 1;
            }
        }
        let time = if running { ctx.now - s.start } else { s.duration };
        let iprocessed = running.then_some(((ifiles as f64 * progress) as u64, (ibytes as f64 * progress) as u64));
        indices.insert(
            i.name.clone(),
            json!({
                "shards_stats": shards_stats(0, istarted, idone, ifailed),
                "stats": stats_json(ifiles, ibytes, s.start, time, iprocessed, human, legacy),
                "shards": shards,
            }),
        );
        all_files += ifiles;
        all_bytes += ibytes;
        all_done += idone;
        all_started += istarted;
        all_failed += ifailed;
    }
    let state = if running { "STARTED" } else { s.state.as_str() };
    let time = if running { ctx.now - s.start } else { s.duration };
    json!({
        "snapshot": s.name,
        "repository": repo,
        "uuid": s.uuid,
        "state": state,
        "include_global_state": s.include_global_state,
        "shards_stats": shards_stats(0, all_started, all_done, all_failed),
        "stats": stats_json(all_files, all_bytes, s.start, time, running.then_some(((all_files as f64 * progress) as u64, (all_bytes as f64 * progress) as u64)), human, legacy),
        "indices": indices,
    })
}

pub fn status(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let ignore_unavailable = ctx.flag("ignore_unavailable", false)?;
    let repo_expr = ctx.p("repository").to_string();
    let snap_expr = ctx.p("snapshot").to_string();
    let mut out = vec![];
    if snap_expr.is_empty() {
        // currently running snapshots only
        let repos = if repo_expr.is_empty() { resolve_repos(ctx, "_all")? } else { resolve_repos(ctx, &repo_expr)? };
        for r in repos {
            if let Some(st) = ctx.st.storage(&r) {
                for s in st.snapshots.iter().filter(|s| s.in_progress(ctx.now)) {
                    out.push(render_status(ctx, &r, s));
                }
            }
        }
    } else {
        if !ctx.st.repositories.contains_key(&repo_expr) {
            return Err(ApiError::repository_missing(&repo_expr));
        }
        let storage = ctx.st.storage(&repo_expr).expect("repo");
        for n in split_csv(&snap_expr) {
            if n == "_current" {
                for s in storage.snapshots.iter().filter(|s| s.in_progress(ctx.now)) {
                    out.push(render_status(ctx, &repo_expr, s));
                }
                continue;
            }
            match storage.snapshots.iter().find(|s| s.name == n) {
                Some(s) => out.push(render_status(ctx, &repo_expr, s)),
                None if ignore_unavailable => {}
                None => return Err(ApiError::snapshot_missing(&repo_expr, &n)),
            }
        }
    }
    Ok(Reply::Json(200, json!({ "snapshots": out })))
}

// ---------------------------------------------------------------- restore

const UNMODIFIABLE: &[&str] = &["index.number_of_shards", "index.version.created", "index.uuid", "index.creation_date", "index.history.uuid"];

fn check_versions(ctx: &Ctx, snap_id: &str, s: &Snapshot) -> Result<(), ApiError> {
    let cluster = ctx.st.cluster();
    let sv = s.version;
    match (cluster.dist, sv.dist) {
        (Distribution::Elasticsearch, Distribution::Opensearch) => {
            let id = sv.version.id(Distribution::Opensearch);
            return Err(ApiError::restore(
                snap_id,
                format!(
                    "the snapshot was created with Elasticsearch version [{}] which is higher than the version of this node [{}]",
                    Version::from_es_id(id),
                    cluster.version
                ),
            ));
        }
        (Distribution::Elasticsearch, Distribution::Elasticsearch) | (Distribution::Opensearch, Distribution::Opensearch) => {
            if sv.version > cluster.version {
                return Err(ApiError::restore(
                    snap_id,
                    format!(
                        "the snapshot was created with {} version [{}] which is higher than the version of this node [{}]",
                        cluster.dist.label(),
                        sv.version,
                        cluster.version
                    ),
                ));
            }
        }
        (Distribution::Opensearch, Distribution::Elasticsearch) => {}
    }
    // ES before 8.3 refuses whole snapshots older than the minimum index compatibility version
    if cluster.dist == Distribution::Elasticsearch && cluster.version < Version::new(8, 3, 0) && sv.dist == Distribution::Elasticsearch {
        let (min, suffix) = min_index_compat(cluster);
        if sv.version < min.version {
            return Err(ApiError::restore(
                snap_id,
                format!(
                    "the snapshot was created with Elasticsearch version [{}] which is below the current versions minimum index compatibility version [{}{}]",
                    sv.version, min.version, suffix
                ),
            ));
        }
    }
    Ok(())
}

fn check_index_compat(ctx: &Ctx, snap_id: &str, i: &SnapIndex) -> Result<(), ApiError> {
    let cluster = ctx.st.cluster();
    let (min, suffix) = min_index_compat(cluster);
    let idx = format!("[{}/{}]", i.name, i.uuid);
    let upgrade_err = |detail: String| {
        ApiError::restore(snap_id, format!("cannot restore index [{idx}] because it cannot be upgraded"))
            .caused_by(ApiError::new(500, "illegal_state_exception", detail))
    };
    if cluster.dist == Distribution::Opensearch && i.created.dist == Distribution::Elasticsearch && i.created.version > ES_FORK_POINT {
        return Err(upgrade_err(format!(
            "The index {idx} was created with Elasticsearch version [{}], which is newer than the last version OpenSearch can read [{}] (sandbox approximation)",
            i.created.version, ES_FORK_POINT
        )));
    }
    let too_old = i.created.cmp_line(&min) == std::cmp::Ordering::Less;
    if !too_old {
        return Ok(());
    }
    if cluster.dist == Distribution::Elasticsearch && cluster.version >= Version::new(8, 3, 0) {
        // would need an archive index, which needs an enterprise license; the sandbox runs "basic"
        return Err(ApiError::new(403, "security_exception", "current license is non-compliant for [archive]")
            .with("license.expired.feature", "archive"));
    }
    Err(upgrade_err(format!(
        "The index {idx} was created with version [{}] but the minimum compatible version is [{}{}]. It should be re-indexed in {} {}.x before upgrading to {}.",
        i.created.version,
        min.version,
        suffix,
        cluster.dist.label(),
        min.version.major,
        cluster.version
    )))
}

pub fn restore(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let repo = ctx.p("repository").to_string();
    let name = ctx.p("snapshot").to_string();
    let wait = ctx.flag("wait_for_completion", false)?;
    if !ctx.st.repositories.contains_key(&repo) {
        return Err(ApiError::repository_missing(&repo));
    }
    let body = ctx.body_object()?;
    let storage = ctx.st.storage(&repo).expect("repo");
    let Some(snap) = storage.snapshots.iter().find(|s| s.name == name).cloned() else {
        // real 7.17 / OpenSearch 2.19 answer: snapshot_restore_exception, not snapshot_missing_exception
        return Err(ApiError::restore(&format!("{repo}:{name}"), "snapshot does not exist"));
    };
    let snap_id = format!("{repo}:{name}/{}", snap.uuid);
    let mut indices_expr: Vec<String> = vec![];
    let mut ignore_unavailable = false;
    let mut partial = false;
    let mut include_aliases = true;
    let mut rename_pattern: Option<String> = None;
    let mut rename_replacement: Option<String> = None;
    let mut index_settings = Map::new();
    let mut ignore_settings: Vec<String> = vec![];
    let mut feature_states: Option<Vec<String>> = None;
    let es = ctx.is_es();
    for (k, v) in &body {
        match k.as_str() {
            "indices" => indices_expr = str_list(v, "indices")?,
            "ignore_unavailable" => ignore_unavailable = bool_field(v, k)?,
            "include_global_state" => {
                bool_field(v, k)?;
            }
            "partial" => partial = bool_field(v, k)?,
            "include_aliases" => include_aliases = bool_field(v, k)?,
            "rename_pattern" => rename_pattern = Some(v.as_str().ok_or_else(|| ApiError::illegal_argument("malformed rename_pattern"))?.to_string()),
            "rename_replacement" => rename_replacement = Some(v.as_str().ok_or_else(|| ApiError::illegal_argument("malformed rename_replacement"))?.to_string()),
            "index_settings" => {
                if !v.is_object() {
                    return Err(ApiError::illegal_argument("malformed index_settings section"));
                }
                flatten_settings("", v, &mut index_settings);
            }
            "ignore_index_settings" => ignore_settings = str_list(v, k)?,
            "feature_states" if es => feature_states = Some(str_list(v, k)?),
            "expand_wildcards" | "allow_no_indices" | "quiet" => {}
            "rename_alias_pattern" | "rename_alias_replacement" | "storage_type" | "source_remote_store_repository" if !es => {}
            other => return Err(ApiError::illegal_argument(format!("Unknown parameter {other}"))),
        }
    }
    if snap.in_progress(ctx.now) {
        return Err(ApiError::restore(&snap_id, "unsupported snapshot state [IN_PROGRESS]"));
    }
    if snap.state == SnapState::Failed {
        return Err(ApiError::restore(&snap_id, "unsupported snapshot state [FAILED]"));
    }
    check_versions(ctx, &snap_id, &snap)?;
    if ctx.st.version.major < 7 && ctx.is_es() && ctx.st.indices.values().any(|i| i.recovery_progress(ctx.now) < 1.0) {
        return Err(ApiError::concurrent(&repo, &name, "Restore process is already running in this cluster"));
    }
    // feature states
    if let Some(fs) = &feature_states {
        for f in fs {
            if f != "none" && !snap.feature_states.contains(f) {
                // RestoreService (real 7.17.29): a 500 naming the snapshot with its uuid.
                return Err(ApiError::restore(&snap_id, format!("requested feature states [[{f}]] are not present in snapshot")));
            }
        }
    }
    // Select as RestoreService does (real 1.3.20, 2.19.1, 6.8.23, 7.17.29): no indices means `*`;
    // data streams are picked leniently, and the names of those picked give way to their backing
    // indices, which are then picked like any name (so an exclusion does not remove them).
    let default_all = indices_expr.is_empty() || indices_expr.iter().any(|e| e == "_all" || e == "*");
    let mut request: Vec<String> = if indices_expr.is_empty() { vec!["*".to_string()] } else { indices_expr.clone() };
    let requested_ds = filter_indices(&snap.data_streams, &request, true)?;
    request.retain(|e| !requested_ds.contains(e));
    for d in &requested_ds {
        let prefix = format!(".ds-{d}-");
        for i in snap.indices.iter().filter(|i| i.name.starts_with(&prefix)) {
            if !request.contains(&i.name) {
                request.push(i.name.clone());
            }
        }
    }
    let stream_of = |index: &str| requested_ds.iter().find(|d| index.starts_with(&format!(".ds-{d}-"))).cloned();
    let names: Vec<String> = snap.indices.iter().map(|i| i.name.clone()).collect();
    let picked = filter_indices(&names, &request, ignore_unavailable)?;
    // Elasticsearch 8 restores system indices only through feature states unless named.
    let mut selected: Vec<SnapIndex> = snap
        .indices
        .iter()
        .filter(|i| picked.contains(&i.name) && !(default_all && i.system && es && ctx.st.version.major >= 8))
        .cloned()
        .collect();
    let add = |sel: &mut Vec<SnapIndex>, i: &SnapIndex| {
        if !sel.iter().any(|x| x.name == i.name) {
            sel.push(i.clone());
        }
    };
    if let Some(fs) = &feature_states {
        for f in fs.iter().filter(|f| *f != "none") {
            for i in snap.indices.iter().filter(|i| i.system && system_feature(&i.name) == *f) {
                add(&mut selected, i);
            }
        }
    }
    // rename: Java's replaceAll of the request's pattern (the engine the planner previews with,
    // checked against java.util.regex), or the name as it is.
    let re = match (&rename_pattern, &rename_replacement) {
        (Some(p), Some(_)) => Some(JavaRegex::new(p).map_err(|e| rename_refused(p, e))?),
        _ => None,
    };
    // Java throws on a bad replacement only when a name matches.
    let replacement = match (&re, &rename_replacement) {
        (Some(re), Some(r)) => Some(re.replacement(r)),
        _ => None,
    };
    let rename = |n: &str| -> Result<String, ApiError> {
        let (Some(re), Some(replacement)) = (&re, &replacement) else { return Ok(n.to_string()) };
        let p = rename_pattern.as_deref().unwrap_or_default();
        match replacement {
            Ok(r) => re.replace_all(n, r).map_err(|e| rename_refused(p, e)),
            Err(_) if !re.is_match(n).map_err(|e| rename_refused(p, e))? => Ok(n.to_string()),
            Err(e) => Err(rename_refused(p, e.clone())),
        }
    };
    let mut targets: Vec<(SnapIndex, String)> = vec![];
    for i in &selected {
        // A backing index of a restored data stream is renamed after its `.ds-` prefix.
        let target = if stream_of(&i.name).is_some() { format!(".ds-{}", rename(&i.name[4..])?) } else { rename(&i.name)? };
        if let Some((prev, _)) = targets.iter().find(|(_, t)| *t == target) {
            return Err(ApiError::restore(
                &format!("{repo}:{name}"),
                format!("indices [{}] and [{}] are renamed into the same index [{target}]", i.name, prev.name),
            ));
        }
        crate::seed::check_index_name(&target).map_err(|why| {
            ApiError::new(400, "invalid_index_name_exception", format!("Invalid index name [{target}], {why}"))
                .with("index_uuid", "_na_")
                .with("index", target.clone())
        })?;
        targets.push((i.clone(), target));
    }
    // settings
    let mut normalized = Map::new();
    for (k, v) in &index_settings {
        let key = if k.starts_with("index.") { k.clone() } else { format!("index.{k}") };
        if UNMODIFIABLE.contains(&key.as_str()) {
            return Err(ApiError::restore(&snap_id, format!("cannot modify {}setting [{key}] on restore", unmodifiable_on_restore(ctx))));
        }
        normalized.insert(key, v.clone());
    }
    // Keys to drop are taken as given, not prefixed with `index.` (real 1.3.20, 2.19.1, 7.17.29:
    // `number_of_replicas` is accepted, `index.number_of_replicas` refused).
    for key in &ignore_settings {
        // OpenSearch 2.19 names the property only for the settings that carry it (not the replicas).
        if UNMODIFIABLE.contains(&key.as_str()) {
            return Err(ApiError::restore(&snap_id, format!("cannot remove {}setting [{key}] on restore", unmodifiable_on_restore(ctx))));
        }
        if key == "index.number_of_replicas" || key == "index.auto_expand_replicas" {
            return Err(ApiError::restore(&snap_id, format!("cannot remove setting [{key}] on restore")));
        }
    }
    // validate every target before touching state
    for (src, target) in &targets {
        check_index_compat(ctx, &snap_id, src)?;
        if src.failed_shards > 0 && !partial {
            return Err(ApiError::restore(&snap_id, format!("index [{}] wasn't fully snapshotted - cannot restore", src.name)));
        }
        if let Some(existing) = ctx.st.indices.get(target) {
            if existing.open {
                return Err(ApiError::restore(
                    &snap_id,
                    format!("cannot restore index [{target}] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name"),
                ));
            }
            if partial && src.failed_shards > 0 {
                return Err(ApiError::restore(&snap_id, format!("cannot restore partial index [{target}] because such index already exists")));
            }
            if existing.shards != src.shards {
                return Err(ApiError::restore(
                    &snap_id,
                    format!(
                        "cannot restore index [{target}] with [{}] shards from a snapshot of index [{}] with [{}] shards",
                        existing.shards, src.name, src.shards
                    ),
                ));
            }
        }
        // A new index is refused when its name is an alias (MetadataCreateIndexService.validateIndexName).
        if !ctx.st.indices.contains_key(target) && ctx.st.indices.values().any(|i| i.aliases.iter().any(|a| a == target)) {
            return Err(ApiError::new(400, "invalid_index_name_exception", format!("Invalid index name [{target}], already exists as alias"))
                .with("index_uuid", "_na_")
                .with("index", target.as_str()));
        }
    }
    // Names that only collide once the new metadata is built (Metadata.Builder, real 7.17.29 and
    // 2.19.1): a restored index named like a data stream, an alias the restore brings along named
    // like an index that stays. Listed together, as the server does.
    let legacy_names = ctx.is_es() && ctx.st.version < Version::new(7, 9, 0);
    let mut duplicates = Vec::new();
    let restored: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
    for (src, target) in &targets {
        if include_aliases {
            for a in src.aliases.iter().filter(|a| ctx.st.indices.contains_key(*a) && !restored.contains(&a.as_str())) {
                let uuid = ctx.st.indices.get(target).map(|i| i.uuid.clone()).unwrap_or_else(|| ctx.st.rng.uuid());
                // Before data streams (7.9) the list has no "conflicts with index" (real 6.8.23).
                duplicates.push(if legacy_names { format!("{a} (alias of [{target}/{uuid}])") } else { format!("{a} (alias of [{target}/{uuid}]) conflicts with index") });
            }
        }
        if ctx.st.data_streams.contains_key(target) {
            duplicates.push(format!("data stream [{target}] conflicts with index"));
        }
    }
    // A data stream coming back under the name of an index that stays.
    for ds in &requested_ds {
        let ds_name = rename(ds)?;
        if ctx.st.indices.contains_key(&ds_name) && !restored.contains(&ds_name.as_str()) {
            duplicates.push(format!("data stream [{ds_name}] conflicts with index"));
        }
    }
    if !duplicates.is_empty() {
        return Err(ApiError::new(
            500,
            "illegal_state_exception",
            format!(
                "{} names need to be unique, but the following duplicates were found [{}]",
                if legacy_names { "index and alias" } else { "index, alias, and data stream" },
                duplicates.join(",")
            ),
        ));
    }
    // apply
    let restore_uuid = ctx.st.rng.uuid();
    let (start, duration) = if wait { (ctx.now - 1, 0) } else { (ctx.now, ASYNC_RESTORE_MS) };
    let version_str = if ctx.is_es() || snap.version.dist == Distribution::Opensearch {
        version_fields(ctx, snap.version).1
    } else {
        snap.version.version.to_string()
    };
    let mut total_shards = 0u64;
    let mut failed_shards = 0u64;
    let mut restored_names = vec![];
    for (src, target) in &targets {
        let uuid = match ctx.st.indices.get(target) {
            Some(existing) => existing.uuid.clone(),
            None => ctx.st.rng.uuid(),
        };
        let existing_aliases = ctx.st.indices.get(target).map(|i| i.aliases.clone()).unwrap_or_default();
        let mut extra: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in &normalized {
            extra.insert(k.clone(), v.clone());
        }
        let idx = Index {
            name: target.clone(),
            uuid,
            created: src.created,
            open: true,
            shards: src.shards,
            replicas: 0,
            docs: src.docs,
            aliases: if include_aliases { src.aliases.clone() } else { existing_aliases },
            system: src.system,
            hidden: src.system || target.starts_with('.'),
            creation_date: ctx.now,
            recovery: Some(Recovery {
                repository: repo.clone(),
                snapshot: name.clone(),
                source_index: src.name.clone(),
                version: version_str.clone(),
                restore_uuid: restore_uuid.clone(),
                start,
                duration,
            }),
            extra_settings: extra,
        };
        total_shards += src.shards as u64;
        failed_shards += if partial { src.failed_shards as u64 } else { 0 };
        ctx.st.indices.insert(target.clone(), idx);
        restored_names.push(target.clone());
    }
    // requested data streams come back with their backing indices
    for ds in &requested_ds {
        let backing: Vec<String> = targets
            .iter()
            .filter(|(src, _)| src.name.starts_with(&format!(".ds-{ds}-")))
            .map(|(_, t)| t.clone())
            .collect();
        if backing.is_empty() {
            continue;
        }
        let ds_name = rename(ds)?;
        ctx.st.data_streams.insert(ds_name.clone(), crate::state::DataStream { name: ds_name, indices: backing });
    }
    if wait {
        Ok(Reply::Json(
            200,
            json!({"snapshot": {"snapshot": name, "indices": restored_names, "shards": {"total": total_shards, "failed": failed_shards, "successful": total_shards - failed_shards}}}),
        ))
    } else {
        Ok(Reply::Json(200, json!({"accepted": true})))
    }
}

/// OpenSearch 2.19 names the setting property in these refusals (real 2.19.1; 1.3.20 and
/// Elasticsearch do not).
fn unmodifiable_on_restore(ctx: &Ctx) -> &'static str {
    if !ctx.is_es() && ctx.st.version >= Version::new(2, 19, 0) { "UnmodifiableOnRestore " } else { "" }
}

/// `SnapshotUtils.filterIndices`: none or `_all` is everything; a name the list has is taken as it
/// is; `-x` removes (as the first expression, from everything), `+x` adds; `*` patterns match any
/// name, dot-prefixed ones too. A name that is no pattern and not in the list is "no such index"
/// unless `ignore_unavailable`. The result keeps the list's order.
fn filter_indices(available: &[String], exprs: &[String], ignore_unavailable: bool) -> Result<Vec<String>, ApiError> {
    if exprs.is_empty() || (exprs.len() == 1 && exprs[0] == "_all") {
        return Ok(available.to_vec());
    }
    let mut picked = vec![false; available.len()];
    for (k, e) in exprs.iter().enumerate() {
        if let Some(i) = available.iter().position(|n| n == e) {
            picked[i] = true;
            continue;
        }
        let (add, name) = match e.strip_prefix('-') {
            Some(name) => {
                if k == 0 {
                    picked.fill(true);
                }
                (false, name)
            }
            None => (true, e.strip_prefix('+').unwrap_or(e)),
        };
        if !name.contains('*') {
            match available.iter().position(|n| n == name) {
                Some(i) => picked[i] = add,
                None if !ignore_unavailable => {
                    // without `resource.*` (real 7.17.29, 2.19.1)
                    return Err(ApiError::new(404, "index_not_found_exception", format!("no such index [{name}]")).with("index_uuid", "_na_").with("index", name));
                }
                None => {}
            }
            continue;
        }
        for (i, n) in available.iter().enumerate() {
            if simple_match(name, n) {
                picked[i] = add;
            }
        }
    }
    Ok(available.iter().zip(&picked).filter(|(_, p)| **p).map(|(n, _)| n.clone()).collect())
}

/// A rename the server's Java code refuses (real 1.3.20, 2.19.1, 7.17.29): a 400
/// `pattern_syntax_exception` whose reason is `PatternSyntaxException.getMessage()` (the caret line
/// only when the index is inside the pattern), an `IllegalArgumentException` from the replacement,
/// or its `IndexOutOfBoundsException` "No group N", a 500.
fn rename_refused(pattern: &str, e: RegexError) -> ApiError {
    match e {
        RegexError::Syntax { description, index } => {
            let mut reason = format!("{description} near index {index}\n{pattern}");
            if index < pattern.encode_utf16().count() {
                reason.push_str(&format!("\n{}^", " ".repeat(index)));
            }
            ApiError::new(400, "pattern_syntax_exception", reason)
        }
        RegexError::Replacement(m) if m.starts_with("No group ") && !m.contains("name") => ApiError::new(500, "index_out_of_bounds_exception", m),
        RegexError::Replacement(m) => ApiError::illegal_argument(m),
        // The sandbox can't evaluate it; a real node would (or would spin on it).
        other => ApiError::illegal_argument(format!("the sandbox does not evaluate this rename pattern: {other}")),
    }
}

/// Why an absolute `fs` location is refused (Environment.resolveRepoFile; real 7.17.29 and
/// 2.19.1), or `None`. Relative locations resolve below path.repo.
fn outside_path_repo(path_repo: Option<&[String]>, location: &str) -> Option<&'static str> {
    let roots = path_repo?;
    if !location.starts_with('/') {
        return None;
    }
    if roots.is_empty() {
        return Some("doesn't match any of the locations specified by path.repo because this setting is empty");
    }
    let parts = |p: &str| p.split('/').filter(|s| !s.is_empty() && *s != ".").map(str::to_string).collect::<Vec<_>>();
    let loc = parts(location);
    let inside = roots.iter().any(|r| {
        let root = parts(r);
        loc.len() >= root.len() && loc[..root.len()] == root[..] && !loc[root.len()..].iter().any(|s| s == "..")
    });
    (!inside).then_some("doesn't match any of the locations specified by path.repo")
}
