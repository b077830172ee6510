//! Where an ECE installation is, how to authenticate to it, and which ids are well formed.
//!
//! The ECE API lives under `/api/v1` of the coordinator (`https://ece.example:12443`). A URL
//! given with `/api/v1` at the end is accepted too: the builders add the prefix themselves.

use std::fmt;

use crate::connection::{Connection, Credentials, PreparedRequest, Scheme, Secret};
use crate::error::InputError;
use crate::request::Request;

/// The prefix of every ECE API path.
pub const API_PREFIX: &str = "/api/v1";

/// An ECE (or Elastic Cloud) API endpoint with its credentials. `Debug` never shows secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct EceConnection {
    inner: Connection,
}

impl fmt::Debug for EceConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EceConnection").field(&self.inner).finish()
    }
}

impl EceConnection {
    /// Parses `https://[user:password@]host[:port][/prefix][/api/v1]`. Without a port, the
    /// scheme's (443/80) is used — not Elasticsearch's 9200; ECE's own default, 12443, must be
    /// written out. Credentials in the URL become `Authorization: Basic`.
    pub fn parse(url: &str) -> Result<Self, InputError> {
        let mut inner = Connection::parse(url).map_err(|mut e| {
            e.hint = "give the ECE API address, e.g. https://ece.example:12443".to_string();
            e
        })?;
        if !has_explicit_port(url) {
            inner.port = match inner.scheme {
                Scheme::Https => 443,
                Scheme::Http => 80,
            };
        }
        if let Some(p) = inner.path_prefix.strip_suffix(API_PREFIX) {
            inner.path_prefix = p.to_string();
        }
        Ok(EceConnection { inner })
    }

    /// Replaces the credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.inner.credentials = Some(credentials);
        self
    }

    /// An ECE API key, sent as `Authorization: ApiKey <key>`. ECE keys are opaque: unlike
    /// Elasticsearch `id:key` pairs they are sent exactly as given.
    pub fn with_api_key(self, key: &str) -> Result<Self, InputError> {
        let key = key.trim();
        let key = key.strip_prefix("ApiKey ").unwrap_or(key).trim();
        if key.is_empty() {
            return Err(InputError::new("api_key", "the ECE API key is empty", "create an API key in the ECE UI (user menu > API keys) and pass it"));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::new("api_key", "the ECE API key contains whitespace", "pass the key alone, as ECE showed it"));
        }
        Ok(self.with_credentials(Credentials::ApiKey(Secret::new(key))))
    }

    /// Basic authentication with an ECE user (`admin`, `readonly`, or a native user).
    pub fn with_user(self, username: &str, password: Secret) -> Result<Self, InputError> {
        if username.is_empty() || username.chars().any(|c| c == ':' || c.is_control()) {
            return Err(InputError::new("username", "the ECE user name is empty or contains `:`", "give the ECE user, e.g. admin"));
        }
        Ok(self.with_credentials(Credentials::Basic { username: username.to_string(), password }))
    }

    /// `scheme://host:port[/prefix]`, without `/api/v1` and without credentials.
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// The underlying connection (the same type the Elasticsearch side uses).
    pub fn connection(&self) -> &Connection {
        &self.inner
    }

    /// The absolute URL and all headers (authentication included) for a request built by this
    /// module (its path already starts with `/api/v1`).
    pub fn prepare(&self, req: &Request) -> PreparedRequest {
        self.inner.prepare(req)
    }
}

/// Whether the authority part of `url` names a port.
fn has_explicit_port(url: &str) -> bool {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match hostport.rfind(']') {
        Some(i) => hostport[i + 1..].starts_with(':'),
        None => hostport.contains(':'),
    }
}

/// An Elasticsearch cluster id as ECE shows it: lowercase hexadecimal (32 characters on real
/// installations; shorter ones are accepted for test doubles).
pub fn validate_cluster_id(id: &str) -> Result<(), InputError> {
    validate_hex_id("cluster_id", "Elasticsearch cluster id", id)
}

/// A deployment id: lowercase hexadecimal, like cluster ids.
pub fn validate_deployment_id(id: &str) -> Result<(), InputError> {
    validate_hex_id("deployment_id", "deployment id", id)
}

fn validate_hex_id(field: &str, what: &str, id: &str) -> Result<(), InputError> {
    let hint = format!("copy the {what} from the ECE UI: 32 lowercase hexadecimal characters such as 3f2a1c0b9d8e4f7a6b5c4d3e2f1a0b9c");
    let shown: String = id.chars().take(40).collect();
    if id.is_empty() {
        return Err(InputError::new(field, format!("the {what} is empty"), hint));
    }
    if id.len() > 64 {
        return Err(InputError::new(field, format!("the {what} `{shown}…` is longer than 64 characters"), hint));
    }
    if id.bytes().all(|b| b.is_ascii_hexdigit()) && id.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(InputError::new(field, format!("the {what} `{shown}` has uppercase letters"), format!("ECE ids are lowercase: use `{}`", id.to_ascii_lowercase())));
    }
    if !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(InputError::new(field, format!("`{shown}` is not an ECE {what} (only 0-9 and a-f are allowed)"), hint));
    }
    Ok(())
}

/// A deployment resource's ref_id (`main-elasticsearch`, or `_main` when there is only one).
pub fn validate_ref_id(ref_id: &str) -> Result<(), InputError> {
    let ok = !ref_id.is_empty()
        && ref_id.len() <= 64
        && ref_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        let shown: String = ref_id.chars().take(40).collect();
        Err(InputError::new(
            "ref_id",
            format!("`{shown}` is not a resource ref_id"),
            "use the Elasticsearch resource's ref_id from the deployment (`main-elasticsearch`), or `_main`",
        ))
    }
}
