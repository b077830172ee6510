//! CORS like Elasticsearch's `http.cors.*`: enabled by default for `*` in the sandbox.

use crate::http::{Request, Response};

pub const ALLOW_METHODS: &str = "OPTIONS, HEAD, GET, POST, PUT, DELETE";
pub const ALLOW_HEADERS: &str =
    "X-Requested-With, Content-Type, Content-Length, Authorization, Accept, User-Agent, X-Elastic-Client-Meta, X-Management-Request";
pub const MAX_AGE: &str = "1728000";

#[derive(Debug, Clone)]
pub enum Cors {
    Disabled,
    /// `*` or an explicit origin.
    Origin(String),
}

impl Cors {
    fn allowed(&self, origin: &str) -> Option<String> {
        match self {
            Cors::Disabled => None,
            Cors::Origin(o) if o == "*" => Some("*".into()),
            Cors::Origin(o) => (o == origin).then(|| origin.to_string()),
        }
    }

    /// Preflight (`OPTIONS` + `Access-Control-Request-Method`) or a disallowed origin: answer directly.
    pub fn intercept(&self, req: &Request) -> Option<Response> {
        let Cors::Origin(_) = self else { return None };
        let origin = req.header("origin")?;
        let allowed = self.allowed(origin);
        let preflight = req.method == "OPTIONS" && req.header("access-control-request-method").is_some();
        match allowed {
            None => Some(Response::empty(403)),
            Some(a) if preflight => {
                let mut r = Response::empty(200)
                    .header("access-control-allow-origin", a.clone())
                    .header("access-control-allow-methods", ALLOW_METHODS)
                    .header("access-control-allow-headers", ALLOW_HEADERS)
                    .header("access-control-max-age", MAX_AGE);
                if a != "*" {
                    r = r.header("vary", "Origin").header("access-control-allow-credentials", "true");
                }
                Some(r)
            }
            Some(_) => None,
        }
    }

    pub fn decorate(&self, req: &Request, resp: &mut Response) {
        let Some(origin) = req.header("origin") else { return };
        if let Some(a) = self.allowed(origin)
            && !resp.headers.iter().any(|(k, _)| k == "access-control-allow-origin") {
                if a != "*" {
                    resp.headers.push(("vary".into(), "Origin".into()));
                    resp.headers.push(("access-control-allow-credentials".into(), "true".into()));
                }
                resp.headers.push(("access-control-allow-origin".into(), a));
            }
    }
}
