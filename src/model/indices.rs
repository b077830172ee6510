//! Index listings (with settings), open/close acknowledgements and data streams.


use crate::json::{FromJson, ToJson};
use serde_json::{Map, Value};

use crate::lenient;
use crate::version::Version;

/// `GET /{index}`: index name → aliases and settings.
pub type Indices = super::NameMap<IndexInfo>;

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct IndexInfo {
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Map<String, Value>>,
    #[json(default)]
    pub settings: IndexSettings,
    /// Data stream the index backs (Elasticsearch 7.9+).
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub data_stream: Option<String>,
}

/// Index settings as the server sends them, nested (`{"index": {"version": {...}}}`) or flat
/// (`{"index.version.created": ...}`); accessors read both.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
#[json(transparent)]
pub struct IndexSettings(pub Map<String, Value>);

impl IndexSettings {
    /// A setting by its dotted name, e.g. `index.version.created`.
    pub fn get(&self, dotted: &str) -> Option<&Value> {
        if let Some(v) = self.0.get(dotted) {
            return Some(v);
        }
        // Nested form: walk the path, allowing flat keys at any depth (`index` → `version.created`).
        fn walk<'a>(m: &'a Map<String, Value>, rest: &str) -> Option<&'a Value> {
            if let Some(v) = m.get(rest) {
                return Some(v);
            }
            let mut split = rest.char_indices().filter(|(_, c)| *c == '.').map(|(i, _)| i);
            split.find_map(|i| m.get(&rest[..i]).and_then(Value::as_object).and_then(|sub| walk(sub, &rest[i + 1..])))
        }
        walk(&self.0, dotted)
    }

    pub fn get_str(&self, dotted: &str) -> Option<String> {
        match self.get(dotted)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The version that created the index (`index.version.created`, an id such as `7100299`).
    pub fn version_created(&self) -> Option<Version> {
        let s = self.get_str("index.version.created")?;
        Version::parse(&s).ok()
    }

    pub fn number_of_shards(&self) -> Option<u32> {
        self.get_str("index.number_of_shards")?.parse().ok()
    }

    pub fn uuid(&self) -> Option<String> {
        self.get_str("index.uuid")
    }

    pub fn is_hidden(&self) -> bool {
        self.get_str("index.hidden").as_deref() == Some("true")
    }

    /// `index.verified_before_close` / state is not a setting; closed indices are found through
    /// `expand_wildcards=all` + cat indices. This reads `index.blocks.write` for archives.
    pub fn is_write_blocked(&self) -> bool {
        self.get_str("index.blocks.write").as_deref() == Some("true")
    }
}

/// `POST /{index}/_close` and `/_open` (and other acknowledged calls).
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct Acknowledged {
    #[json(default)]
    pub acknowledged: bool,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub shards_acknowledged: Option<bool>,
    /// Close (7.3+): per index result.
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub indices: Option<super::NameMap<IndexCloseResult>>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct IndexCloseResult {
    #[json(default)]
    pub closed: bool,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<Value>>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<Value>,
}

/// `GET /_data_stream`
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct DataStreams {
    #[json(default)]
    pub data_streams: Vec<DataStream>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct DataStream {
    pub name: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_field: Option<TimestampField>,
    #[json(default)]
    pub indices: Vec<BackingIndex>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::u64_opt")]
    pub generation: Option<u64>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub ilm_policy: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub hidden: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::bool_opt")]
    pub system: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct TimestampField {
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct BackingIndex {
    pub index_name: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub index_uuid: Option<String>,
}
