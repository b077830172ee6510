//! Basic and `ApiKey` authentication with the real 401 bodies. Credentials are never logged.

use crate::errors::ApiError;
use crate::http::{Request, Response};
use crate::version::Distribution;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub users: Vec<(String, String)>,
    pub api_keys: Vec<String>,
}

const ES_BASIC: &str = "Basic realm=\"security\", charset=\"UTF-8\"";
const ES_APIKEY: &str = "ApiKey";
const OS_BASIC: &str = "Basic realm=\"OpenSearch Security\"";

/// Constant-time-ish comparison so timing does not leak matching prefixes.
fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Auth {
    pub fn check(&self, req: &Request, dist: Distribution) -> Result<(), Response> {
        let header = req.header("authorization");
        let uri = req.uri();
        let fail = |reason: String| -> Response {
            match dist {
                Distribution::Elasticsearch => {
                    let www = serde_json::json!([ES_BASIC, ES_APIKEY]);
                    let e = ApiError::new(401, "security_exception", reason).with("header", serde_json::json!({ "WWW-Authenticate": www }));
                    Response::new(401, "application/json", e.body_string().into_bytes())
                        .header("www-authenticate", ES_BASIC)
                        .header("www-authenticate", ES_APIKEY)
                }
                Distribution::Opensearch => {
                    Response::new(401, "text/plain; charset=UTF-8", b"Unauthorized".to_vec()).header("www-authenticate", OS_BASIC)
                }
            }
        };
        let Some(h) = header else {
            return Err(fail(format!("missing authentication credentials for REST request [{uri}]")));
        };
        let (scheme, value) = h.split_once(' ').unwrap_or((h, ""));
        let value = value.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD.decode(value).ok().and_then(|b| String::from_utf8(b).ok());
            let Some((user, pass)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
                return Err(fail(format!("missing authentication credentials for REST request [{uri}]")));
            };
            if self.users.iter().any(|(u, p)| eq(u.as_bytes(), user.as_bytes()) && eq(p.as_bytes(), pass.as_bytes())) {
                return Ok(());
            }
            return Err(fail(format!("unable to authenticate user [{user}] for REST request [{uri}]")));
        }
        if scheme.eq_ignore_ascii_case("apikey") && dist == Distribution::Elasticsearch {
            if self.api_keys.iter().any(|k| eq(k.as_bytes(), value.as_bytes())) {
                return Ok(());
            }
            return Err(fail("unable to authenticate with provided credentials and anonymous access is not allowed for this request".into()));
        }
        Err(fail(format!("missing authentication credentials for REST request [{uri}]")))
    }
}
