//! Parsing a cluster URL as operators write it, and turning a [`Request`] into something a
//! host can send (absolute URL + authentication headers).
//!
//! Credentials in the URL (`https://admin:pw@host:9200`) become an `Authorization: Basic`
//! header and are removed from the URL, because browsers refuse URLs that carry credentials.
//! Every secret is held in a [`Secret`], which prints as `***`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::error::InputError;
use crate::request::{Method, Request};

/// The port Elasticsearch and OpenSearch listen on unless told otherwise.
pub const DEFAULT_PORT: u16 = 9200;

/// A secret value (password, API key, token). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself; call only where it is sent, never where it is printed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Basic { username: String, password: Secret },
    /// The value after `ApiKey ` (base64 of `id:key`, as Elasticsearch returns it in `encoded`).
    ApiKey(Secret),
    Bearer(Secret),
}

impl Credentials {
    /// An API key given either encoded (as Elasticsearch's `encoded` field) or as `id:key`.
    pub fn api_key(key: &str) -> Result<Self, InputError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(InputError::new("api_key", "the API key is empty", "pass the `encoded` value returned by the create-API-key call, or `id:key`"));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::new("api_key", "the API key contains whitespace", "pass the key alone, without the `ApiKey ` prefix"));
        }
        let encoded = if key.contains(':') { BASE64.encode(key) } else { key.to_string() };
        Ok(Credentials::ApiKey(Secret(encoded)))
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> Secret {
        Secret(match self {
            Credentials::Basic { username, password } => {
                format!("Basic {}", BASE64.encode(format!("{username}:{}", password.expose())))
            }
            Credentials::ApiKey(k) => format!("ApiKey {}", k.expose()),
            Credentials::Bearer(t) => format!("Bearer {}", t.expose()),
        })
    }
}

/// Where a cluster is and how to authenticate to it.
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    pub scheme: Scheme,
    /// Host name, IPv4 address, or IPv6 address in brackets (`[::1]`).
    pub host: String,
    pub port: u16,
    /// Path prefix for clusters behind a proxy: empty or `/something` (no trailing slash).
    pub path_prefix: String,
    pub credentials: Option<Credentials>,
    /// Extra headers sent with every request (never printed by `Debug`).
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("base_url", &self.base_url())
            .field("credentials", &self.credentials)
            .field("headers", &RedactedHeaders(&self.headers))
            .finish()
    }
}

/// Shows header names only for any header that might carry a secret.
struct RedactedHeaders<'a>(&'a [(String, String)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| {
                if is_sensitive_header(k) { format!("{k}: ***") } else { format!("{k}: {v}") }
            }))
            .finish()
    }
}

/// Header names whose values are treated as secrets.
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["authorization", "cookie", "key", "token", "secret", "password"].iter().any(|s| n.contains(s))
}

impl Connection {
    /// Parses `[scheme://][user[:password]@]host[:port][/prefix]`. The scheme defaults to
    /// `http`, the port to 9200. Credentials are percent-decoded and moved into a header.
    pub fn parse(url: &str) -> Result<Self, InputError> {
        const FIELD: &str = "url";
        let bad = |problem: String, hint: &str| InputError::new(FIELD, problem, hint);
        let url = url.trim();
        if url.is_empty() {
            return Err(bad("the cluster URL is empty".into(), "give the cluster's address, e.g. https://localhost:9200"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("the cluster URL contains whitespace".into(), "remove spaces; percent-encode them in a password as %20"));
        }
        let (scheme, rest) = match url.split_once("://") {
            Some((s, rest)) => match s.to_ascii_lowercase().as_str() {
                "http" => (Scheme::Http, rest),
                "https" => (Scheme::Https, rest),
                other => {
                    return Err(bad(
                        format!("unsupported URL scheme `{}`", truncate(other, 16)),
                        "use http:// or https://",
                    ));
                }
            },
            // `http:/host`, `https:host`: a scheme without its `//` would otherwise be read as a
            // host named `http` with a bad port.
            None => match url.split_once(':') {
                Some((s, after)) if matches!(s.to_ascii_lowercase().as_str(), "http" | "https") && !after.starts_with(|c: char| c.is_ascii_digit()) => {
                    return Err(bad(format!("the URL scheme `{s}:` is not followed by `//`"), "write it as http://host:9200 or https://host:9200"));
                }
                Some((s, after)) if after.starts_with('/') && !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()) => {
                    return Err(bad(format!("`{}:/` is not a URL scheme essnap knows", truncate(s, 16)), "use http:// or https://"));
                }
                _ => (Scheme::Http, url),
            },
        };
        if rest.contains('?') || rest.contains('#') {
            return Err(bad(
                "the cluster URL has a query string or fragment".into(),
                "give only scheme, host, port and an optional path prefix",
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        // The last '@' separates credentials: a password may contain an encoded '@'.
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let credentials = match userinfo {
            None => None,
            Some(ui) => {
                let (user, pass) = ui.split_once(':').unwrap_or((ui, ""));
                let username = pct_decode(user).map_err(|_| bad("the user name in the URL is not valid UTF-8 after percent-decoding".into(), "percent-encode the user name"))?;
                let password = pct_decode(pass).map_err(|_| bad("the password in the URL is not valid UTF-8 after percent-decoding".into(), "percent-encode special characters in the password"))?;
                if username.is_empty() {
                    return Err(bad("the URL has credentials but no user name".into(), "write https://USER:PASSWORD@host:9200"));
                }
                Some(Credentials::Basic { username, password: Secret(password) })
            }
        };
        let (host, port) = parse_host_port(hostport).map_err(|(p, h)| bad(p, h))?;
        let prefix = path.trim_end_matches('/');
        if prefix.split('/').any(|s| s == ".." || s == ".") {
            return Err(bad("the path prefix contains `.` or `..`".into(), "give the proxy's path prefix as it is, e.g. /elasticsearch"));
        }
        Ok(Connection {
            scheme,
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            path_prefix: prefix.to_string(),
            credentials,
            headers: Vec::new(),
        })
    }

    /// Replaces the credentials (e.g. with an API key from a flag or environment variable).
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// `scheme://host:port/prefix` — never with credentials.
    pub fn base_url(&self) -> String {
        format!("{}://{}:{}{}", self.scheme.as_str(), self.host, self.port, self.path_prefix)
    }

    /// The absolute URL and all headers for a request.
    pub fn prepare(&self, req: &Request) -> PreparedRequest {
        let mut headers = Vec::with_capacity(req.headers.len() + self.headers.len() + 1);
        headers.extend(self.headers.iter().cloned());
        headers.extend(req.headers.iter().cloned());
        if let Some(c) = &self.credentials {
            headers.push(("authorization".to_string(), c.header_value().expose().to_string()));
        }
        PreparedRequest {
            method: req.method,
            url: format!("{}{}", self.base_url(), req.path),
            headers,
            body: req.body.clone(),
        }
    }
}

/// A request ready for the wire. `Debug` hides secret header values.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn pct_decode(s: &str) -> Result<String, std::str::Utf8Error> {
    percent_encoding::percent_decode_str(s).decode_utf8().map(|c| c.into_owned())
}

fn parse_host_port(s: &str) -> Result<(String, Option<u16>), (String, &'static str)> {
    let hint = "write the cluster's address as host:port, e.g. es.example.com:9200";
    if s.is_empty() {
        return Err(("the cluster URL has no host".into(), hint));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']').ok_or(("an IPv6 address is missing its closing `]`".into(), hint))?;
        let addr = &rest[..end];
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err((format!("`[{}]` is not an IPv6 address", truncate(addr, 40)), hint));
        }
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(("unexpected characters after the IPv6 address".into(), hint)),
        };
        (format!("[{addr}]"), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    if !host.starts_with('[') {
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|l| {
                !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        if !valid {
            return Err((format!("`{}` is not a valid host name", truncate(&host, 64)), hint));
        }
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => return Err((format!("`{}` is not a valid port (1-65535)", truncate(p, 16)), hint)),
            Ok(n) => Some(n),
        },
    };
    Ok((host.to_ascii_lowercase(), port))
}
