//! The generic request builder every typed builder uses: it picks the URL template that fits
//! the given parts, percent-encodes each part as one segment, and accepts only parameters the
//! API's spec lists.

use serde_json::Value;

use super::spec::{self, ApiSpec, BodyRule};
use crate::error::InputError;
use crate::request::{Method, Request, encode_query_value, encode_segment};

/// Builds a [`Request`] for any API in the catalogue.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    spec: &'static ApiSpec,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl RequestBuilder {
    /// Picks the template of `api` whose placeholders are exactly the given parts.
    pub fn new(api: &str, method: Method, parts: &[(&str, &str)]) -> Result<Self, InputError> {
        let spec = spec::find(api)
            .ok_or_else(|| InputError::new("api", format!("`{api}` is not an API essnap knows"), "see essnap::api::spec::APIS"))?;
        let mut names: Vec<&str> = parts.iter().map(|(k, _)| *k).collect();
        crate::sort::sort_by(&mut names, &|a, b| a.cmp(b));
        let template = spec
            .paths
            .iter()
            .find(|p| {
                let mut t = p.parts();
                crate::sort::sort_by(&mut t, &|a, b| a.cmp(b));
                t == names && p.methods.contains(&method)
            })
            .ok_or_else(|| {
                InputError::new(
                    "api",
                    format!("{api} has no {method} path with parts {names:?}"),
                    "pass the parts one of its paths needs",
                )
            })?;
        let mut path = String::with_capacity(template.template.len() + 32);
        for seg in template.template.split('/').skip(1) {
            path.push('/');
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(part) => {
                    let value = parts.iter().find(|(k, _)| *k == part).map(|(_, v)| *v).unwrap_or_default();
                    if value.is_empty() {
                        return Err(InputError::new(part, format!("the {part} is empty"), format!("give a {part} name")));
                    }
                    path.push_str(&encode_segment(value));
                }
                None => path.push_str(seg),
            }
        }
        Ok(RequestBuilder { spec, method, path, query: Vec::new(), body: None })
    }

    /// Adds a query parameter; fails for a parameter the API does not list.
    pub fn param(mut self, name: &str, value: impl ToString) -> Result<Self, InputError> {
        if !self.spec.accepts_param(name) {
            return Err(InputError::new(
                "parameter",
                format!("{} does not accept the parameter `{name}`", self.spec.name),
                format!("accepted: {}", self.spec.params.join(", ")),
            ));
        }
        self.query.retain(|(k, _)| k != name);
        self.query.push((name.to_string(), value.to_string()));
        Ok(self)
    }

    /// Adds a parameter when it has a value.
    pub fn opt(self, name: &str, value: Option<impl ToString>) -> Result<Self, InputError> {
        match value {
            Some(v) => self.param(name, v),
            None => Ok(self),
        }
    }

    /// Adds caller-supplied parameters (the `extra` field of typed builders).
    pub fn params(mut self, extra: &[(String, String)]) -> Result<Self, InputError> {
        for (k, v) in extra {
            self = self.param(k, v)?;
        }
        Ok(self)
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn build(self) -> Result<Request, InputError> {
        if self.spec.body == BodyRule::Required && self.body.is_none() {
            return Err(InputError::new("body", format!("{} needs a body", self.spec.name), "pass the request body"));
        }
        if self.spec.body == BodyRule::None && self.body.is_some() {
            return Err(InputError::new("body", format!("{} takes no body", self.spec.name), "remove the body"));
        }
        let mut path = self.path;
        for (i, (k, v)) in self.query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(k);
            path.push('=');
            path.push_str(&encode_query_value(v));
        }
        let (headers, body) = match self.body {
            Some(b) => (
                vec![("content-type".to_string(), "application/json".to_string())],
                Some(crate::json::to_vec(&b)),
            ),
            None => (Vec::new(), None),
        };
        Ok(Request { api: self.spec.name, method: self.method, path, headers, body })
    }
}

/// Validates a time value as Elasticsearch parses it (`30s`, `1m`, `500ms`, `-1`, `0`).
pub fn validate_time(field: &str, s: &str) -> Result<(), InputError> {
    let ok = s == "-1"
        || s == "0"
        || ["nanos", "micros", "ms", "s", "m", "h", "d"].iter().any(|u| {
            s.strip_suffix(u).is_some_and(|n| !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if ok {
        Ok(())
    } else {
        Err(InputError::new(field, format!("`{s}` is not a time value"), "write a number and a unit: 30s, 1m, 500ms, 2h, 1d"))
    }
}

/// Joins names into one comma-separated list after checking each with `check`.
pub(crate) fn join_checked(
    field: &str,
    items: &[String],
    check: fn(&str) -> Result<(), InputError>,
) -> Result<String, InputError> {
    if items.is_empty() {
        return Err(InputError::new(field, format!("no {field} given"), format!("give at least one {field} name")));
    }
    for i in items {
        check(i)?;
    }
    Ok(items.join(","))
}
