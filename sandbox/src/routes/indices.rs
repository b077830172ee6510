//! Index APIs a snapshot tool touches: get/create/delete, settings, open/close, data streams, recovery.

use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::state::Index;
use crate::util::{human_bytes, human_time, iso, percent, split_csv};
use crate::version::{Distribution, Version};
use serde_json::{Map, Value, json};

fn resolve(ctx: &Ctx, expr: &str, include: impl Fn(&Index) -> bool) -> Result<Vec<String>, ApiError> {
    let ignore = ctx.flag("ignore_unavailable", false)?;
    let exprs = split_csv(expr);
    let found = ctx.st.resolve_indices(&exprs, include, ignore).map_err(|m| ApiError::index_not_found(&m))?;
    let allow_no = ctx.flag("allow_no_indices", true)?;
    if found.is_empty() && !allow_no {
        return Err(ApiError::index_not_found(if expr.is_empty() { "_all" } else { expr }));
    }
    Ok(found)
}

fn version_id(ctx: &Ctx, i: &Index) -> String {
    match (ctx.st.dist, i.created.dist) {
        (_, d) => i.created.version.id(d).to_string(),
    }
}

fn settings_of(ctx: &Ctx, i: &Index, flat: bool) -> Value {
    let mut f = Map::new();
    f.insert("index.creation_date".into(), json!(i.creation_date.to_string()));
    f.insert("index.number_of_replicas".into(), json!(i.replicas.to_string()));
    f.insert("index.number_of_shards".into(), json!(i.shards.to_string()));
    f.insert("index.provided_name".into(), json!(i.name));
    f.insert("index.uuid".into(), json!(i.uuid));
    f.insert("index.version.created".into(), json!(version_id(ctx, i)));
    if i.hidden {
        f.insert("index.hidden".into(), json!("true"));
    }
    if !i.open {
        f.insert("index.verified_before_close".into(), json!("true"));
    }
    if i.recovery.is_some() {
        let r = i.recovery.as_ref().unwrap();
        if ctx.st.dist == Distribution::Elasticsearch {
            f.insert("index.routing.allocation.initial_recovery._id".into(), Value::Null);
        }
        let _ = r;
        f.remove("index.routing.allocation.initial_recovery._id");
    }
    for (k, v) in &i.extra_settings {
        let s = match v {
            Value::String(s) => json!(s),
            Value::Null => continue,
            other => json!(other.to_string()),
        };
        f.insert(k.clone(), s);
    }
    if flat {
        return Value::Object(f);
    }
    let mut nested = Map::new();
    for (k, v) in f {
        insert_nested(&mut nested, &k, v);
    }
    Value::Object(nested)
}

fn insert_nested(m: &mut Map<String, Value>, key: &str, v: Value) {
    match key.split_once('.') {
        None => {
            m.insert(key.to_string(), v);
        }
        Some((head, rest)) => {
            let e = m.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if !e.is_object() {
                *e = Value::Object(Map::new());
            }
            insert_nested(e.as_object_mut().unwrap(), rest, v);
        }
    }
}

pub fn get_index(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let head = ctx.req.method == "HEAD";
    let expr = ctx.p("index").to_string();
    let names = match resolve(ctx, &expr, |_| true) {
        Ok(n) => n,
        Err(e) if head => return Ok(Reply::Status(e.status)),
        Err(e) => return Err(e),
    };
    if head {
        return Ok(Reply::Status(if names.is_empty() { 404 } else { 200 }));
    }
    let flat = ctx.flag("flat_settings", false)?;
    let mut out = Map::new();
    for n in names {
        let i = &ctx.st.indices[&n];
        let aliases: Map<String, Value> = i.aliases.iter().map(|a| (a.clone(), json!({}))).collect();
        out.insert(n.clone(), json!({"aliases": aliases, "mappings": {}, "settings": settings_of(ctx, i, flat)}));
    }
    Ok(Reply::Json(200, Value::Object(out)))
}

pub fn get_settings(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let names = resolve(ctx, &expr, |_| true)?;
    let flat = ctx.flag("flat_settings", false)?;
    let mut out = Map::new();
    for n in names {
        let i = &ctx.st.indices[&n];
        out.insert(n.clone(), json!({"settings": settings_of(ctx, i, flat)}));
    }
    Ok(Reply::Json(200, Value::Object(out)))
}

pub fn create_index(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("index").to_string();
    if let Err(why) = crate::seed::check_index_name(&name) {
        return Err(ApiError::new(400, "invalid_index_name_exception", format!("Invalid index name [{name}], {why}"))
            .with("index_uuid", "_na_")
            .with("index", name.clone()));
    }
    if let Some(i) = ctx.st.indices.get(&name) {
        return Err(ApiError::resource_already_exists(&name, &i.uuid));
    }
    let body = ctx.body_object()?;
    let mut flat = Map::new();
    if let Some(s) = body.get("settings") {
        flatten("", s, &mut flat);
    }
    let get = |k: &str| -> Option<&Value> { flat.get(&format!("index.{k}")).or(flat.get(k)) };
    let parse_u32 = |k: &str, d: u32| -> Result<u32, ApiError> {
        match get(k) {
            None => Ok(d),
            Some(v) => {
                let s = match v {
                    Value::String(s) => s.clone(),
                    o => o.to_string(),
                };
                s.parse::<u32>().map_err(|_| ApiError::illegal_argument(format!("Failed to parse value [{s}] for setting [index.{k}]")))
            }
        }
    };
    let shards = parse_u32("number_of_shards", 1)?;
    if shards == 0 || shards > 1024 {
        return Err(ApiError::illegal_argument(format!(
            "Failed to parse value [{shards}] for setting [index.number_of_shards] must be >= 1"
        )));
    }
    let replicas = parse_u32("number_of_replicas", 1)?;
    let mut idx = ctx.st.new_index(&name, shards, replicas);
    if let Some(Value::Object(a)) = body.get("aliases") {
        idx.aliases = a.keys().cloned().collect();
    }
    ctx.st.indices.insert(name.clone(), idx);
    Ok(Reply::Json(200, json!({"acknowledged": true, "shards_acknowledged": true, "index": name})))
}

fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

pub fn delete_index(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let names = resolve(ctx, &expr, |_| true)?;
    for n in &names {
        if let Some(ds) = ctx.st.data_streams.values().find(|d| d.indices.last() == Some(n)) {
            return Err(ApiError::illegal_argument(format!(
                "index [{n}] is the write index for data stream [{}] and cannot be deleted",
                ds.name
            )));
        }
    }
    for n in names {
        ctx.st.indices.remove(&n);
        for ds in ctx.st.data_streams.values_mut() {
            ds.indices.retain(|b| *b != n);
        }
    }
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

pub fn close(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let names = resolve(ctx, &expr, |i| i.open)?;
    let mut out = Map::new();
    for n in names {
        if ctx.st.data_streams.values().any(|d| d.indices.last() == Some(&n)) {
            // MetadataIndexStateService (real 2.19.1): a plain illegal_argument.
            return Err(ApiError::illegal_argument(format!("cannot close the following data stream write indices [{n}]")));
        }
        if let Some(i) = ctx.st.indices.get_mut(&n) {
            i.open = false;
        }
        out.insert(n, json!({"closed": true}));
    }
    // The per-index answer arrived in 7.2 (real 6.8.23: only `acknowledged`).
    if ctx.is_es() && ctx.st.version < Version::new(7, 2, 0) {
        return Ok(Reply::Json(200, json!({"acknowledged": true})));
    }
    Ok(Reply::Json(200, json!({"acknowledged": true, "shards_acknowledged": true, "indices": out})))
}

pub fn open(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let exprs = split_csv(&expr);
    let ignore = ctx.flag("ignore_unavailable", false)?;
    // open expands wildcards to closed indices too
    let names = ctx.st.resolve_indices(&exprs, |_| true, ignore).map_err(|m| ApiError::index_not_found(&m))?;
    for n in names {
        if let Some(i) = ctx.st.indices.get_mut(&n) {
            i.open = true;
        }
    }
    Ok(Reply::Json(200, json!({"acknowledged": true, "shards_acknowledged": true})))
}

pub fn get_data_stream(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("name").to_string();
    let es = ctx.is_es();
    let v = ctx.st.version;
    let mut names: Vec<String> = vec![];
    for e in if expr.is_empty() { vec!["*".to_string()] } else { split_csv(&expr) } {
        if e == "*" || e == "_all" || e.contains('*') {
            names.extend(ctx.st.data_streams.keys().filter(|k| crate::util::simple_match(&e, k) || e == "_all").cloned());
        } else if ctx.st.data_streams.contains_key(&e) {
            names.push(e);
        } else {
            return Err(ApiError::index_not_found(&e));
        }
    }
    names.dedup();
    let mut out = vec![];
    for n in names {
        let ds = &ctx.st.data_streams[&n];
        let modern = es && v >= Version::new(8, 11, 0);
        let indices: Vec<Value> = ds
            .indices
            .iter()
            .map(|b| {
                let uuid = ctx.st.indices.get(b).map(|i| i.uuid.clone()).unwrap_or_default();
                if modern {
                    json!({"index_name": b, "index_uuid": uuid, "prefer_ilm": true, "managed_by": "Unmanaged"})
                } else {
                    json!({"index_name": b, "index_uuid": uuid})
                }
            })
            .collect();
        let health = ds
            .indices
            .iter()
            .filter_map(|b| ctx.st.indices.get(b))
            .map(|i| i.health(ctx.now))
            .fold("GREEN", |acc, h| match (acc, h) {
                (_, "red") | ("RED", _) => "RED",
                (_, "yellow") | ("YELLOW", _) => "YELLOW",
                _ => "GREEN",
            });
        let mut m = Map::new();
        m.insert("name".into(), json!(ds.name));
        m.insert("timestamp_field".into(), json!({"name": "@timestamp"}));
        m.insert("indices".into(), json!(indices));
        m.insert("generation".into(), json!(ds.indices.len()));
        m.insert("status".into(), json!(health));
        // The template that matches the name now; none, no field (real 2.19.1 after a renamed restore).
        if let Some(t) = ctx.st.template_for(&ds.name).filter(|t| t.data_stream) {
            m.insert("template".into(), json!(t.name));
        }
        if es {
            m.insert("hidden".into(), json!(false));
            m.insert("system".into(), json!(false));
            m.insert("allow_custom_routing".into(), json!(false));
            m.insert("replicated".into(), json!(false));
        }
        if modern {
            m.insert("_meta".into(), json!({}));
            m.insert("next_generation_managed_by".into(), json!("Unmanaged"));
            m.insert("prefer_ilm".into(), json!(true));
            m.insert("rollover_on_write".into(), json!(false));
        }
        out.push(Value::Object(m));
    }
    Ok(Reply::Json(200, json!({"data_streams": out})))
}

fn node_json(ctx: &Ctx) -> Value {
    json!({"id": ctx.st.node_id, "host": "127.0.0.1", "transport_address": "127.0.0.1:9300", "ip": "127.0.0.1", "name": ctx.st.node_name})
}

fn time_field(m: &mut Map<String, Value>, name: &str, millis: i64, human: bool, as_date: bool) {
    if human {
        m.insert(name.into(), json!(if as_date { iso(millis) } else { human_time(millis) }));
    }
    m.insert(format!("{name}_in_millis"), json!(millis));
}

pub fn recovery_json(ctx: &Ctx, i: &Index, shard: u32, detailed: bool) -> Value {
    let human = ctx.human();
    let es = ctx.is_es();
    let now = ctx.now;
    let progress = i.recovery_progress(now);
    let done = progress >= 1.0;
    let total_bytes = i.size_bytes();
    let total_files = i.files();
    let rec_bytes = (total_bytes as f64 * progress) as u64;
    let rec_files = (total_files as f64 * progress) as u64;
    let (kind, start, stop, source) = match &i.recovery {
        Some(r) => (
            "SNAPSHOT",
            r.start,
            r.start + r.duration,
            {
                let mut s = json!({"repository": r.repository, "snapshot": r.snapshot, "version": r.version, "index": r.source_index, "restoreUUID": r.restore_uuid});
                // SnapshotRecoverySource.addAdditionalFields on OpenSearch 2.x (all four on real 2.19.1 and 3.3.2,
                // none on 1.3.20; the versions in between follow the features' releases, not verified)
                let v = &ctx.st.version;
                if !es {
                    for (key, since, value) in [
                        ("isSearchableSnapshot", Version::new(2, 4, 0), json!(false)),
                        ("remoteStoreIndexShallowCopy", Version::new(2, 9, 0), json!(false)),
                        ("sourceRemoteStoreRepository", Version::new(2, 14, 0), Value::Null),
                        ("sourceRemoteTranslogRepository", Version::new(2, 14, 0), Value::Null),
                    ] {
                        if *v >= since {
                            s[key] = value;
                        }
                    }
                }
                s
            },
        ),
        None => ("EMPTY_STORE", i.creation_date, i.creation_date + 15, if es { json!({}) } else { json!({"bootstrap_new_history_uuid": false}) }),
    };
    let mut m = Map::new();
    m.insert("id".into(), json!(shard));
    m.insert("type".into(), json!(kind));
    m.insert("stage".into(), json!(if done { "DONE" } else { "INDEX" }));
    m.insert("primary".into(), json!(true));
    time_field(&mut m, "start_time", start, human, true);
    if done {
        time_field(&mut m, "stop_time", stop, human, true);
    }
    time_field(&mut m, "total_time", if done { stop - start } else { now - start }, human, false);
    m.insert("source".into(), source);
    m.insert("target".into(), node_json(ctx));
    let mut size = Map::new();
    let bytes_field = |m: &mut Map<String, Value>, name: &str, b: u64| {
        if human {
            m.insert(name.into(), json!(human_bytes(b)));
        }
        m.insert(format!("{name}_in_bytes"), json!(b));
    };
    bytes_field(&mut size, "total", total_bytes);
    bytes_field(&mut size, "reused", 0);
    bytes_field(&mut size, "recovered", rec_bytes);
    if es && ctx.st.version >= Version::new(7, 15, 0) {
        bytes_field(&mut size, "recovered_from_snapshot", 0);
    }
    size.insert("percent".into(), json!(percent(rec_bytes, total_bytes)));
    let mut files = Map::new();
    files.insert("total".into(), json!(total_files));
    files.insert("reused".into(), json!(0));
    files.insert("recovered".into(), json!(rec_files));
    files.insert("percent".into(), json!(percent(rec_files, total_files)));
    // Elasticsearch 6.x lists no file details for a snapshot recovery (real 6.8.23).
    if detailed && !(es && ctx.st.version.major < 7) {
        let details: Vec<Value> = (0..total_files)
            .map(|f| {
                let len = total_bytes / total_files.max(1);
                let name = if f == 0 { "segments_1".to_string() } else { format!("_{}.cfs", f - 1) };
                let rec = (len as f64 * progress) as u64;
                // RecoveryState.FileDetail: name, length_in_bytes, reused, recovered_in_bytes (+ the human forms),
                // and recovered_from_snapshot_in_bytes from ES 7.15 (real 7.17.29 and 2.19.1)
                let mut d = Map::new();
                d.insert("name".into(), json!(name));
                bytes_field(&mut d, "length", len);
                d.insert("reused".into(), json!(false));
                bytes_field(&mut d, "recovered", rec);
                if es && ctx.st.version >= Version::new(7, 15, 0) {
                    bytes_field(&mut d, "recovered_from_snapshot", 0);
                }
                Value::Object(d)
            })
            .collect();
        files.insert("details".into(), json!(details));
    }
    let mut index = Map::new();
    index.insert("size".into(), Value::Object(size));
    index.insert("files".into(), Value::Object(files));
    for t in ["total_time", "source_throttle_time", "target_throttle_time"] {
        let v = if t == "total_time" { if done { stop - start } else { now - start } } else { 0 };
        time_field(&mut index, t, v, human, false);
    }
    m.insert("index".into(), Value::Object(index));
    let mut translog = Map::new();
    translog.insert("recovered".into(), json!(0));
    translog.insert("total".into(), json!(0));
    translog.insert("percent".into(), json!("100.0%"));
    translog.insert("total_on_start".into(), json!(0));
    time_field(&mut translog, "total_time", 0, human, false);
    m.insert("translog".into(), Value::Object(translog));
    let mut verify = Map::new();
    time_field(&mut verify, "check_index_time", 0, human, false);
    time_field(&mut verify, "total_time", 0, human, false);
    m.insert("verify_index".into(), Value::Object(verify));
    Value::Object(m)
}

pub fn recovery(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("index").to_string();
    let active_only = ctx.flag("active_only", false)?;
    let detailed = ctx.flag("detailed", false)?;
    let names = resolve(ctx, &expr, |i| i.open)?;
    let mut out = Map::new();
    for n in names {
        let i = &ctx.st.indices[&n];
        if !i.open {
            continue;
        }
        if active_only && i.recovery_progress(ctx.now) >= 1.0 {
            continue;
        }
        let shards: Vec<Value> = (0..i.shards).map(|s| recovery_json(ctx, i, s, detailed)).collect();
        out.insert(n.clone(), json!({"shards": shards}));
    }
    Ok(Reply::Json(200, Value::Object(out)))
}

// ---------------------------------------------------------------- index templates, data streams

/// `PUT _index_template/{name}`: patterns, `data_stream`, `priority`, `template.settings`.
pub fn put_index_template(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("name").to_string();
    let body = ctx.body_object()?;
    let patterns: Vec<String> = match body.get("index_patterns") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        _ => return Err(ApiError::action_request_validation(&["index patterns are missing".into()])),
    };
    let mut flat = Map::new();
    if let Some(s) = body.get("template").and_then(|t| t.get("settings")) {
        flatten("", s, &mut flat);
    }
    let shards = flat
        .get("index.number_of_shards")
        .or(flat.get("number_of_shards"))
        .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .unwrap_or(1) as u32;
    let priority = body.get("priority").and_then(Value::as_i64).unwrap_or(0);
    let data_stream = body.get("data_stream").is_some_and(|d| d.is_object());
    ctx.st.templates.insert(name.clone(), crate::state::IndexTemplate { name, patterns, data_stream, priority, shards });
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

pub fn delete_index_template(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("name").to_string();
    if ctx.st.templates.remove(&name).is_none() {
        return Err(ApiError::new(404, "index_template_missing_exception", format!("index_template [{name}] missing")));
    }
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

/// `PUT _data_stream/{name}`: needs a matching template with `data_stream` (real 2.19.1 texts).
pub fn create_data_stream(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let name = ctx.p("name").to_string();
    if ctx.st.data_streams.contains_key(&name) {
        return Err(ApiError::new(400, "resource_already_exists_exception", format!("data_stream [{name}] already exists")));
    }
    let template = match ctx.st.template_for(&name) {
        Some(t) if t.data_stream => t.clone(),
        _ => return Err(ApiError::illegal_argument(format!("no matching index template found for data stream [{name}]"))),
    };
    // OpenSearch and Elasticsearch before 7.11 name backing indices without the date.
    let dated = ctx.is_es() && ctx.st.version >= Version::new(7, 11, 0);
    let backing = if dated {
        let p = crate::util::parts(ctx.now);
        format!(".ds-{name}-{:04}.{:02}.{:02}-000001", p.year, p.month, p.day)
    } else {
        format!(".ds-{name}-000001")
    };
    let idx = ctx.st.new_index(&backing, template.shards, 0);
    ctx.st.indices.insert(backing.clone(), crate::state::Index { hidden: true, ..idx });
    ctx.st.data_streams.insert(name.clone(), crate::state::DataStream { name, indices: vec![backing] });
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}

/// `DELETE _data_stream/{name}`: the data stream and its backing indices.
pub fn delete_data_stream(ctx: &mut Ctx) -> Result<Reply, ApiError> {
    let expr = ctx.p("name").to_string();
    let mut names = vec![];
    for e in split_csv(&expr) {
        let hits: Vec<String> = ctx.st.data_streams.keys().filter(|k| crate::util::simple_match(&e, k)).cloned().collect();
        // OpenSearch acknowledges a missing name (real 2.19.1).
        if hits.is_empty() && !e.contains('*') && ctx.is_es() {
            return Err(ApiError::new(404, "resource_not_found_exception", format!("data_streams matching [{e}] not found")));
        }
        names.extend(hits);
    }
    for n in names {
        if let Some(ds) = ctx.st.data_streams.remove(&n) {
            for b in ds.indices {
                ctx.st.indices.remove(&b);
            }
        }
    }
    Ok(Reply::Json(200, json!({"acknowledged": true})))
}
