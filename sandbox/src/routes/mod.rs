//! Routing: a table of path patterns like Elasticsearch's `PathTrie` (literal segments win over
//! `{params}`), 405 for known paths with the wrong method, 400 `no handler found` otherwise.

pub mod cluster;
pub mod indices;
pub mod snapshot;

use crate::errors::ApiError;
use crate::http::{Request, Response};
use crate::state::State;
use crate::util::pct_decode;
use crate::version::Distribution;
use serde_json::Value;
use std::collections::HashMap;

pub type HandlerFn = fn(&mut Ctx) -> Result<Reply, ApiError>;

pub enum Reply {
    Json(u16, Value),
    Text(u16, String),
    /// HEAD-style: status only.
    Status(u16),
}

pub struct Route {
    pub methods: &'static [&'static str],
    pub pattern: &'static str,
    pub handler: HandlerFn,
    /// Accepted query parameters besides the common ones.
    pub params: &'static [&'static str],
}

pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub req: &'a Request,
    pub params: HashMap<String, String>,
    pub query: Vec<(String, String)>,
    pub now: i64,
}

const COMMON: &[&str] = &["pretty", "human", "error_trace", "filter_path", "source", "source_content_type"];

impl Ctx<'_> {
    pub fn p(&self, k: &str) -> &str {
        self.params.get(k).map(|s| s.as_str()).unwrap_or("")
    }
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    /// Elasticsearch boolean parsing: `true`, `false`, or empty (= true).
    pub fn flag(&self, k: &str, default: bool) -> Result<bool, ApiError> {
        match self.q(k) {
            None => Ok(default),
            Some("") | Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(v) => Err(ApiError::illegal_argument(format!(
                "Failed to parse value [{v}] as only [true] or [false] are allowed."
            ))),
        }
    }
    pub fn int(&self, k: &str) -> Result<Option<i64>, ApiError> {
        match self.q(k) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::illegal_argument(format!("Failed to parse int parameter [{k}] with value [{v}]"))
            }),
        }
    }
    pub fn dist(&self) -> Distribution {
        self.st.dist
    }
    pub fn is_es(&self) -> bool {
        self.st.dist == Distribution::Elasticsearch
    }
    pub fn human(&self) -> bool {
        self.flag("human", false).unwrap_or(false)
    }

    /// Parses the JSON body; `None` for an empty body.
    pub fn body(&self) -> Result<Option<Value>, ApiError> {
        let b = &self.req.body;
        if b.iter().all(|c| c.is_ascii_whitespace()) {
            return Ok(None);
        }
        match serde_json::from_slice::<Value>(b) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                let (l, c) = (e.line(), e.column());
                if self.is_es() && self.st.version.major >= 8 {
                    Err(ApiError::new(400, "x_content_parse_exception", format!("[{l}:{c}] {msg}")))
                } else {
                    Err(ApiError::new(
                        400,
                        "json_parse_exception",
                        format!("{msg}\n at [Source: (org.opensearch.common.bytes.AbstractBytesReference$MarkSupportingStreamInputWrapper); line: {l}, column: {c}]"),
                    ))
                }
            }
        }
    }
    pub fn body_object(&self) -> Result<serde_json::Map<String, Value>, ApiError> {
        match self.body()? {
            None => Ok(serde_json::Map::new()),
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(ApiError::parse("request body must be a JSON object")),
        }
    }
}

pub fn routes() -> Vec<Route> {
    use cluster as c;
    use indices as i;
    use snapshot as s;
    const MT: &[&str] = &["master_timeout", "cluster_manager_timeout", "timeout"];
    vec![
        Route { methods: &["GET", "HEAD"], pattern: "/", handler: c::info, params: &[] },
        Route { methods: &["GET"], pattern: "/_cluster/health", handler: c::health, params: &["wait_for_status", "timeout", "level", "local", "master_timeout", "cluster_manager_timeout", "wait_for_no_relocating_shards", "wait_for_no_initializing_shards", "wait_for_active_shards", "wait_for_nodes", "wait_for_events", "expand_wildcards"] },
        Route { methods: &["GET"], pattern: "/_cluster/health/{index}", handler: c::health, params: &["wait_for_status", "timeout", "level", "local", "master_timeout", "cluster_manager_timeout", "wait_for_no_relocating_shards", "wait_for_no_initializing_shards", "wait_for_active_shards", "wait_for_nodes", "wait_for_events", "expand_wildcards"] },
        Route { methods: &["GET"], pattern: "/_cat/indices", handler: c::cat_indices, params: &["format", "v", "h", "s", "help", "bytes", "health", "pri", "expand_wildcards", "local", "master_timeout", "cluster_manager_timeout", "time", "include_unloaded_segments"] },
        Route { methods: &["GET"], pattern: "/_cat/indices/{index}", handler: c::cat_indices, params: &["format", "v", "h", "s", "help", "bytes", "health", "pri", "expand_wildcards", "local", "master_timeout", "cluster_manager_timeout", "time", "include_unloaded_segments"] },
        Route { methods: &["GET"], pattern: "/_cat/snapshots", handler: c::cat_snapshots, params: &["format", "v", "h", "s", "help", "ignore_unavailable", "master_timeout", "cluster_manager_timeout", "time"] },
        Route { methods: &["GET"], pattern: "/_cat/snapshots/{repository}", handler: c::cat_snapshots, params: &["format", "v", "h", "s", "help", "ignore_unavailable", "master_timeout", "cluster_manager_timeout", "time"] },
        Route { methods: &["GET"], pattern: "/_cat/repositories", handler: c::cat_repositories, params: &["format", "v", "h", "s", "help", "local", "master_timeout", "cluster_manager_timeout"] },
        // snapshot namespace
        Route { methods: &["GET"], pattern: "/_snapshot", handler: s::get_repository, params: &["local", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["GET"], pattern: "/_snapshot/{repository}", handler: s::get_repository, params: &["local", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["PUT", "POST"], pattern: "/_snapshot/{repository}", handler: s::put_repository, params: &["verify", "master_timeout", "cluster_manager_timeout", "timeout"] },
        Route { methods: &["DELETE"], pattern: "/_snapshot/{repository}", handler: s::delete_repository, params: MT },
        Route { methods: &["POST"], pattern: "/_snapshot/{repository}/_verify", handler: s::verify_repository, params: MT },
        Route { methods: &["POST"], pattern: "/_snapshot/{repository}/_cleanup", handler: s::cleanup_repository, params: MT },
        Route { methods: &["GET"], pattern: "/_snapshot/_status", handler: s::status, params: &["master_timeout", "cluster_manager_timeout", "ignore_unavailable"] },
        Route { methods: &["GET"], pattern: "/_snapshot/{repository}/_status", handler: s::status, params: &["master_timeout", "cluster_manager_timeout", "ignore_unavailable"] },
        Route { methods: &["GET"], pattern: "/_snapshot/{repository}/{snapshot}/_status", handler: s::status, params: &["master_timeout", "cluster_manager_timeout", "ignore_unavailable"] },
        Route { methods: &["GET"], pattern: "/_snapshot/{repository}/{snapshot}", handler: s::get_snapshots, params: &["master_timeout", "cluster_manager_timeout", "ignore_unavailable", "index_names", "index_details", "include_repository", "sort", "size", "order", "from_sort_value", "after", "offset", "slm_policy_filter", "verbose", "state"] },
        Route { methods: &["PUT", "POST"], pattern: "/_snapshot/{repository}/{snapshot}", handler: s::create_snapshot, params: &["master_timeout", "cluster_manager_timeout", "wait_for_completion"] },
        Route { methods: &["DELETE"], pattern: "/_snapshot/{repository}/{snapshot}", handler: s::delete_snapshot, params: &["master_timeout", "cluster_manager_timeout", "wait_for_completion"] },
        Route { methods: &["PUT"], pattern: "/_snapshot/{repository}/{snapshot}/_clone/{target_snapshot}", handler: s::clone_snapshot, params: MT },
        Route { methods: &["POST"], pattern: "/_snapshot/{repository}/{snapshot}/_restore", handler: s::restore, params: &["master_timeout", "cluster_manager_timeout", "wait_for_completion"] },
        // indices
        Route { methods: &["GET"], pattern: "/_recovery", handler: i::recovery, params: &["active_only", "detailed", "ignore_unavailable", "allow_no_indices", "expand_wildcards"] },
        Route { methods: &["GET"], pattern: "/{index}/_recovery", handler: i::recovery, params: &["active_only", "detailed", "ignore_unavailable", "allow_no_indices", "expand_wildcards"] },
        Route { methods: &["GET"], pattern: "/_data_stream", handler: i::get_data_stream, params: &["expand_wildcards", "include_defaults", "master_timeout", "verbose"] },
        Route { methods: &["GET"], pattern: "/_data_stream/{name}", handler: i::get_data_stream, params: &["expand_wildcards", "include_defaults", "master_timeout", "verbose"] },
        Route { methods: &["PUT"], pattern: "/_data_stream/{name}", handler: i::create_data_stream, params: &["master_timeout", "cluster_manager_timeout", "timeout"] },
        Route { methods: &["DELETE"], pattern: "/_data_stream/{name}", handler: i::delete_data_stream, params: &["expand_wildcards", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["PUT", "POST"], pattern: "/_index_template/{name}", handler: i::put_index_template, params: &["create", "cause", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["DELETE"], pattern: "/_index_template/{name}", handler: i::delete_index_template, params: &["master_timeout", "cluster_manager_timeout", "timeout"] },
        Route { methods: &["GET"], pattern: "/_settings", handler: i::get_settings, params: &["flat_settings", "include_defaults", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "local", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["GET"], pattern: "/{index}/_settings", handler: i::get_settings, params: &["flat_settings", "include_defaults", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "local", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["POST"], pattern: "/{index}/_close", handler: i::close, params: &["ignore_unavailable", "allow_no_indices", "expand_wildcards", "master_timeout", "cluster_manager_timeout", "timeout", "wait_for_active_shards"] },
        Route { methods: &["POST"], pattern: "/{index}/_open", handler: i::open, params: &["ignore_unavailable", "allow_no_indices", "expand_wildcards", "master_timeout", "cluster_manager_timeout", "timeout", "wait_for_active_shards", "wait_for_completion"] },
        Route { methods: &["GET", "HEAD"], pattern: "/{index}", handler: i::get_index, params: &["flat_settings", "include_defaults", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "local", "master_timeout", "cluster_manager_timeout", "features"] },
        Route { methods: &["PUT"], pattern: "/{index}", handler: i::create_index, params: &["wait_for_active_shards", "timeout", "master_timeout", "cluster_manager_timeout"] },
        Route { methods: &["DELETE"], pattern: "/{index}", handler: i::delete_index, params: &["ignore_unavailable", "allow_no_indices", "expand_wildcards", "timeout", "master_timeout", "cluster_manager_timeout"] },
    ]
}

pub enum Matched<'r> {
    Found(&'r Route, HashMap<String, String>),
    WrongMethod(Vec<&'static str>),
    NotFound,
}

fn match_pattern(pattern: &str, segs: &[String]) -> Option<(HashMap<String, String>, u32)> {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if pat.len() != segs.len() {
        return None;
    }
    let mut params = HashMap::new();
    let mut literal_score = 0u32;
    for (i, (p, s)) in pat.iter().zip(segs).enumerate() {
        if p.starts_with('{') {
            params.insert(p.trim_matches(|c| c == '{' || c == '}').to_string(), s.clone());
        } else if p == s {
            literal_score |= 1 << (16 - i.min(16));
        } else {
            return None;
        }
    }
    Some((params, literal_score))
}

pub fn segments(raw_path: &str) -> Vec<String> {
    raw_path.split('/').filter(|s| !s.is_empty()).map(|s| pct_decode(s, false)).collect()
}

pub fn find<'r>(table: &'r [Route], method: &str, raw_path: &str) -> Matched<'r> {
    let segs = segments(raw_path);
    let mut cands: Vec<(&Route, HashMap<String, String>, u32)> =
        table.iter().filter_map(|r| match_pattern(r.pattern, &segs).map(|(p, s)| (r, p, s))).collect();
    if cands.is_empty() {
        return Matched::NotFound;
    }
    cands.sort_by(|a, b| b.2.cmp(&a.2));
    for (r, p, _) in &cands {
        if r.methods.contains(&method) {
            return Matched::Found(r, p.clone());
        }
    }
    let mut allowed: Vec<&'static str> = vec![];
    for (r, _, _) in &cands {
        for m in r.methods {
            if !allowed.contains(m) {
                allowed.push(m);
            }
        }
    }
    Matched::WrongMethod(allowed)
}

pub fn parse_query(qs: &str) -> Vec<(String, String)> {
    qs.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (pct_decode(k, true), pct_decode(v, true)),
            None => (pct_decode(p, true), String::new()),
        })
        .collect()
}

/// Runs a request through the table. Returns the response and whether the handler ran.
pub fn dispatch(table: &[Route], st: &mut State, req: &Request, now: i64) -> Response {
    let query = parse_query(&req.query_string);
    let method = if req.method == "HEAD" { "HEAD" } else { req.method.as_str() };
    let pretty = query.iter().any(|(k, v)| k == "pretty" && v != "false");
    let (route, params) = match find(table, method, &req.path) {
        Matched::Found(r, p) => (r, p),
        Matched::WrongMethod(allowed) => {
            if method == "OPTIONS" {
                return Response::empty(200).header("allow", allowed.join(","));
            }
            let body = serde_json::json!({
                "error": format!("Incorrect HTTP method for uri [{}] and method [{}], allowed: [{}]", req.uri(), req.method, allowed.join(", ")),
                "status": 405
            });
            return json_response(405, &body, pretty).header("allow", allowed.join(","));
        }
        Matched::NotFound => {
            let body = serde_json::json!({
                "error": format!("no handler found for uri [{}] and method [{}]", req.uri(), req.method),
                "status": 400
            });
            return json_response(400, &body, pretty);
        }
    };
    // unrecognized parameters, like RestHandler#unrecognized
    let mut unknown: Vec<String> = vec![];
    for (k, _) in &query {
        let known = COMMON.contains(&k.as_str())
            || (route.params.contains(&k.as_str())
                && !(k == "cluster_manager_timeout" && st.dist == Distribution::Elasticsearch)
                // `_cat/indices` takes expand_wildcards from 7.x (real 6.8.23 refuses it).
                && !(k == "expand_wildcards" && route.pattern.starts_with("/_cat/indices") && st.dist == Distribution::Elasticsearch && st.version.major < 7));
        if !known && !unknown.contains(k) {
            unknown.push(k.clone());
        }
    }
    if !unknown.is_empty() {
        unknown.sort();
        let e = ApiError::unrecognized_params(&req.path, &unknown);
        return error_response(&e, pretty);
    }
    let mut ctx = Ctx { st, req, params, query, now };
    let deprecated_master = ctx.st.dist == Distribution::Opensearch && ctx.q("master_timeout").is_some();
    let result = (route.handler)(&mut ctx);
    let mut resp = match result {
        Ok(Reply::Json(s, v)) => json_response(s, &v, pretty),
        Ok(Reply::Text(s, t)) => Response::new(s, "text/plain; charset=UTF-8", t.into_bytes()),
        Ok(Reply::Status(s)) => Response::empty(s),
        Err(mut e) => {
            // Elasticsearch 6.x: "no such index", without the name (real 6.8.23).
            if ctx.st.dist == Distribution::Elasticsearch && ctx.st.version.major < 7 && e.kind == "index_not_found_exception" && e.reason.starts_with("no such index [") {
                e.reason = "no such index".into();
            }
            let mut r = error_response(&e, pretty);
            r.headers.extend(e.headers.clone());
            r
        }
    };
    if deprecated_master {
        resp.headers.push((
            "warning".into(),
            format!(
                "299 OpenSearch-{}-sandbox \"Parameter [master_timeout] is deprecated and will be removed in 3.0. To support inclusive language, please use [cluster_manager_timeout] instead.\"",
                st_version(&ctx)
            ),
        ));
    }
    resp
}

fn st_version(ctx: &Ctx) -> String {
    ctx.st.version.to_string()
}

pub fn json_response(status: u16, v: &Value, pretty: bool) -> Response {
    let body = if pretty { serde_json::to_vec_pretty(v) } else { serde_json::to_vec(v) }.unwrap_or_default();
    Response::new(status, "application/json; charset=UTF-8", body)
}

pub fn error_response(e: &ApiError, pretty: bool) -> Response {
    if pretty {
        return json_response(e.status, &e.body(), true);
    }
    Response::new(e.status, "application/json; charset=UTF-8", e.body_string().into_bytes())
}
