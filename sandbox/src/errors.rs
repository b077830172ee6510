//! The standard Elasticsearch/OpenSearch error envelope and the exceptions the sandbox raises.

use serde_json::{Map, Value, json};

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: u16,
    pub kind: String,
    pub reason: String,
    /// Extra fields rendered next to `type`/`reason` (e.g. `index`, `resource.id`).
    pub extra: Map<String, Value>,
    pub caused_by: Option<Box<ApiError>>,
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: u16, kind: &str, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            kind: kind.to_string(),
            reason: reason.into(),
            extra: Map::new(),
            caused_by: None,
            headers: Vec::new(),
        }
    }
    pub fn with(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.extra.insert(k.to_string(), v.into());
        self
    }
    pub fn caused_by(mut self, e: ApiError) -> Self {
        self.caused_by = Some(Box::new(e));
        self
    }

    fn inner(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        m.insert("reason".into(), json!(self.reason));
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        if let Some(c) = &self.caused_by {
            m.insert("caused_by".into(), c.inner());
        }
        Value::Object(m)
    }

    /// `{"error":{"root_cause":[...],"type","reason",...},"status":N}`
    /// `ElasticsearchException.guessRootCauses`: the innermost cause that is still an Elasticsearch/OpenSearch
    /// exception (a wrapped Java exception such as `illegal_state_exception` does not become the root cause).
    pub fn root_cause(&self) -> &ApiError {
        const JAVA: &[&str] = &[
            "illegal_argument_exception",
            "illegal_state_exception",
            "null_pointer_exception",
            "number_format_exception",
            "unsupported_operation_exception",
            "io_exception",
            "json_parse_exception",
        ];
        match &self.caused_by {
            Some(c) if !JAVA.contains(&c.kind.as_str()) => c.root_cause(),
            _ => self,
        }
    }

    pub fn body(&self) -> Value {
        let mut root = self.root_cause().inner();
        if let Some(o) = root.as_object_mut() {
            o.remove("caused_by");
        }
        let mut top = self.inner();
        if let Some(o) = top.as_object_mut() {
            o.insert("root_cause".into(), json!([root]));
            // root_cause first, like the real server
            let mut ordered = Map::new();
            ordered.insert("root_cause".into(), o.remove("root_cause").unwrap());
            for (k, v) in o.iter() {
                ordered.insert(k.clone(), v.clone());
            }
            top = Value::Object(ordered);
        }
        json!({ "error": top, "status": self.status })
    }

    /// The error body with the key order of a real cluster (`root_cause`, `type`, `reason`, extras,
    /// `caused_by`), which clients that regex-match the raw text rely on.
    pub fn body_string(&self) -> String {
        fn obj(e: &ApiError, with_cause: bool, root: Option<&ApiError>) -> String {
            let mut parts = vec![];
            if let Some(r) = root {
                parts.push(format!("\"root_cause\":[{}]", obj(r, false, None)));
            }
            parts.push(format!("\"type\":{}", Value::String(e.kind.clone())));
            parts.push(format!("\"reason\":{}", Value::String(e.reason.clone())));
            for (k, v) in &e.extra {
                parts.push(format!("{}:{}", Value::String(k.clone()), v));
            }
            if with_cause
                && let Some(c) = &e.caused_by {
                    parts.push(format!("\"caused_by\":{}", obj(c, true, None)));
                }
            format!("{{{}}}", parts.join(","))
        }
        format!("{{\"error\":{},\"status\":{}}}", obj(self, true, Some(self.root_cause())), self.status)
    }

    // ---- constructors for the exceptions real clusters raise ----

    pub fn repository_missing(repo: &str) -> Self {
        ApiError::new(404, "repository_missing_exception", format!("[{repo}] missing"))
    }
    pub fn snapshot_missing(repo: &str, snap: &str) -> Self {
        ApiError::new(404, "snapshot_missing_exception", format!("[{repo}:{snap}] is missing"))
    }
    pub fn invalid_snapshot_name(repo: &str, snap: &str, why: &str) -> Self {
        ApiError::new(
            400,
            "invalid_snapshot_name_exception",
            format!("[{repo}:{snap}] Invalid snapshot name [{snap}], {why}"),
        )
    }
    pub fn concurrent(repo: &str, snap: &str, why: &str) -> Self {
        ApiError::new(503, "concurrent_snapshot_execution_exception", format!("[{repo}:{snap}] {why}"))
    }
    /// `snapshot` is `repo:name/uuid` or `repo:name`.
    pub fn restore(snapshot: &str, why: impl AsRef<str>) -> Self {
        ApiError::new(500, "snapshot_restore_exception", format!("[{snapshot}] {}", why.as_ref()))
    }
    pub fn index_not_found(index: &str) -> Self {
        ApiError::new(404, "index_not_found_exception", format!("no such index [{index}]"))
            .with("resource.type", "index_or_alias")
            .with("resource.id", index)
            .with("index_uuid", "_na_")
            .with("index", index)
    }
    pub fn illegal_argument(reason: impl Into<String>) -> Self {
        ApiError::new(400, "illegal_argument_exception", reason)
    }
    pub fn parse(reason: impl Into<String>) -> Self {
        ApiError::new(400, "parse_exception", reason)
    }
    pub fn action_request_validation(errors: &[String]) -> Self {
        let mut s = String::from("Validation Failed: ");
        for (i, e) in errors.iter().enumerate() {
            s.push_str(&format!("{}: {};", i + 1, e));
        }
        ApiError::new(400, "action_request_validation_exception", s)
    }
    pub fn resource_already_exists(index: &str, uuid: &str) -> Self {
        ApiError::new(400, "resource_already_exists_exception", format!("index [{index}/{uuid}] already exists"))
            .with("index_uuid", uuid)
            .with("index", index)
    }
    pub fn unrecognized_params(path: &str, params: &[String]) -> Self {
        let reason = if params.len() == 1 {
            format!("request [{path}] contains unrecognized parameter: [{}]", params[0])
        } else {
            format!(
                "request [{path}] contains unrecognized parameters: {}",
                params.iter().map(|p| format!("[{p}]")).collect::<Vec<_>>().join(", ")
            )
        };
        ApiError::illegal_argument(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn envelope() {
        let e = ApiError::snapshot_missing("r", "s").caused_by(ApiError::illegal_argument("x"));
        let b = e.body();
        assert_eq!(b["status"], 404);
        assert_eq!(b["error"]["root_cause"][0]["type"], "snapshot_missing_exception");
        assert!(b["error"]["root_cause"][0].get("caused_by").is_none());
        assert_eq!(b["error"]["caused_by"]["type"], "illegal_argument_exception");
    }
}
