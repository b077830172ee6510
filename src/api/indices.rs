//! Builders for the `indices.*` APIs the planners need: get (with settings), close, open,
//! data streams and recovery.

use super::builder::{RequestBuilder, join_checked};
use super::snapshot::{master_timeout, time_param};
use crate::dialect::Dialect;
use crate::error::InputError;
use crate::names::validate_index_expression;
use crate::request::{Method, Request};

/// Wildcard expansion options shared by the index APIs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexOptions {
    pub ignore_unavailable: Option<bool>,
    pub allow_no_indices: Option<bool>,
    /// `open`, `closed`, `hidden`, `none`, `all` (comma-separated).
    pub expand_wildcards: Option<String>,
}

impl IndexOptions {
    fn apply(&self, b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        if let Some(w) = &self.expand_wildcards {
            for part in w.split(',') {
                if !matches!(part, "open" | "closed" | "hidden" | "none" | "all") {
                    return Err(InputError::new("expand_wildcards", format!("`{part}` is not a wildcard option"), "use open, closed, hidden, none or all"));
                }
            }
        }
        b.opt("ignore_unavailable", self.ignore_unavailable)?
            .opt("allow_no_indices", self.allow_no_indices)?
            .opt("expand_wildcards", self.expand_wildcards.as_ref())
    }
}

fn index_list(indices: &[String]) -> Result<String, InputError> {
    join_checked("index", indices, validate_index_expression)
}

/// `GET /{index}`: indices with settings (incl. `index.version.created`), aliases and mappings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetIndices {
    pub indices: Vec<String>,
    /// `aliases`, `mappings`, `settings` (comma-separated); settings+aliases is what planners need.
    pub features: Option<String>,
    pub flat_settings: Option<bool>,
    pub include_defaults: Option<bool>,
    pub local: Option<bool>,
    pub options: IndexOptions,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl GetIndices {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(indices: I) -> Self {
        GetIndices { indices: indices.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let idx = index_list(&self.indices)?;
        let b = RequestBuilder::new("indices.get", Method::Get, &[("index", &idx)])?
            .opt("features", self.features.as_ref())?
            .opt("flat_settings", self.flat_settings)?
            .opt("include_defaults", self.include_defaults)?
            .opt("local", self.local)?;
        let b = self.options.apply(b)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `GET /{index}/_settings[/{name}]`: settings only (lighter than [`GetIndices`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetSettings {
    /// Empty: all indices.
    pub indices: Vec<String>,
    /// Setting names or patterns (`index.version.*`); empty: all.
    pub names: Vec<String>,
    pub flat_settings: Option<bool>,
    pub include_defaults: Option<bool>,
    pub local: Option<bool>,
    pub options: IndexOptions,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl GetSettings {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let idx = if self.indices.is_empty() { None } else { Some(index_list(&self.indices)?) };
        let names = if self.names.is_empty() {
            None
        } else {
            for n in &self.names {
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-*".contains(&b)) {
                    return Err(InputError::new("setting", format!("`{n}` is not a setting name"), "use dotted names such as index.version.created"));
                }
            }
            Some(self.names.join(","))
        };
        let mut parts: Vec<(&str, &str)> = Vec::new();
        if let Some(i) = &idx {
            parts.push(("index", i));
        }
        if let Some(n) = &names {
            parts.push(("name", n));
        }
        let b = RequestBuilder::new("indices.get_settings", Method::Get, &parts)?
            .opt("flat_settings", self.flat_settings)?
            .opt("include_defaults", self.include_defaults)?
            .opt("local", self.local)?;
        let b = self.options.apply(b)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `POST /{index}/_close` or `/_open` for a list of indices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexStateChange {
    pub indices: Vec<String>,
    pub timeout: Option<String>,
    pub wait_for_active_shards: Option<String>,
    pub options: IndexOptions,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl IndexStateChange {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(indices: I) -> Self {
        IndexStateChange { indices: indices.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    fn build(&self, api: &str, d: &Dialect) -> Result<Request, InputError> {
        let idx = index_list(&self.indices)?;
        let b = RequestBuilder::new(api, Method::Post, &[("index", &idx)])?
            .opt("wait_for_active_shards", self.wait_for_active_shards.as_ref())?;
        let b = time_param(b, "timeout", &self.timeout)?;
        let b = self.options.apply(b)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }

    /// `POST /{index}/_close`
    pub fn close(&self, d: &Dialect) -> Result<Request, InputError> {
        self.build("indices.close", d)
    }

    /// `POST /{index}/_open`
    pub fn open(&self, d: &Dialect) -> Result<Request, InputError> {
        self.build("indices.open", d)
    }
}

/// `GET /_data_stream[/{name}]`
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetDataStreams {
    /// Names or patterns; empty: all.
    pub names: Vec<String>,
    pub expand_wildcards: Option<String>,
    pub include_defaults: Option<bool>,
    pub verbose: Option<bool>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl GetDataStreams {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = if self.names.is_empty() {
            RequestBuilder::new("indices.get_data_stream", Method::Get, &[])?
        } else {
            let n = index_list(&self.names)?;
            RequestBuilder::new("indices.get_data_stream", Method::Get, &[("name", &n)])?
        };
        let b = b
            .opt("expand_wildcards", self.expand_wildcards.as_ref())?
            .opt("include_defaults", self.include_defaults)?
            .opt("verbose", self.verbose)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `GET /[{index}/]_recovery`: shard recoveries, including restores from snapshots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recovery {
    /// Empty: all indices.
    pub indices: Vec<String>,
    pub active_only: Option<bool>,
    /// `true` lists every file: large; the planners leave it off.
    pub detailed: Option<bool>,
    pub options: IndexOptions,
    pub extra: Vec<(String, String)>,
}

impl Recovery {
    pub fn build(&self, _d: &Dialect) -> Result<Request, InputError> {
        let b = if self.indices.is_empty() {
            RequestBuilder::new("indices.recovery", Method::Get, &[])?
        } else {
            let idx = index_list(&self.indices)?;
            RequestBuilder::new("indices.recovery", Method::Get, &[("index", &idx)])?
        };
        let b = b.opt("active_only", self.active_only)?.opt("detailed", self.detailed)?;
        self.options.apply(b)?.params(&self.extra)?.build()
    }
}
