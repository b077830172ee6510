//! Versions, version ids and the compatibility rules between snapshots, indices and clusters.

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// OpenSearch sets this bit on its own version ids so they sort apart from legacy Elasticsearch ids.
pub const OPENSEARCH_MASK: u64 = 0x0800_0000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    Elasticsearch,
    Opensearch,
}

impl Distribution {
    pub fn label(self) -> &'static str {
        match self {
            Distribution::Elasticsearch => "Elasticsearch",
            Distribution::Opensearch => "OpenSearch",
        }
    }
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch }
    }

    /// Accepts `8.12.2`, `6.8` (patch 0). Rejects anything else.
    pub fn parse(s: &str) -> Option<Version> {
        let mut it = s.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        let patch = match it.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        if it.next().is_some() || major > 99 || minor > 99 || patch > 99 {
            return None;
        }
        Some(Version { major, minor, patch })
    }

    /// Elasticsearch id: `8.10.0` -> 8100099.
    pub fn es_id(self) -> u64 {
        self.major as u64 * 1_000_000 + self.minor as u64 * 10_000 + self.patch as u64 * 100 + 99
    }

    pub fn id(self, dist: Distribution) -> u64 {
        match dist {
            Distribution::Elasticsearch => self.es_id(),
            Distribution::Opensearch => self.es_id() ^ OPENSEARCH_MASK,
        }
    }

    /// How a legacy (unmasked) Elasticsearch node decodes an arbitrary id.
    pub fn from_es_id(id: u64) -> String {
        format!("{}.{}.{}", id / 1_000_000, id / 10_000 % 100, id / 100 % 100)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A version tagged with the distribution that wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistVersion {
    pub dist: Distribution,
    pub version: Version,
}

/// The last Elasticsearch release OpenSearch forked from.
pub const ES_FORK_POINT: Version = Version::new(7, 10, 2);

impl DistVersion {
    /// Total order on the "legacy id line": OpenSearch 1.x/2.x are newer than every ES 7.x.
    pub fn cmp_line(&self, other: &DistVersion) -> Ordering {
        self.line_id().cmp(&other.line_id())
    }
    fn line_id(&self) -> u64 {
        match self.dist {
            Distribution::Elasticsearch => self.version.es_id(),
            Distribution::Opensearch => self.version.es_id() | OPENSEARCH_MASK,
        }
    }
}

/// Minimum index-compatibility version of a cluster and how it is printed.
pub fn min_index_compat(cluster: DistVersion) -> (DistVersion, &'static str) {
    let es = |v: Version| DistVersion { dist: Distribution::Elasticsearch, version: v };
    match (cluster.dist, cluster.version.major) {
        (Distribution::Elasticsearch, m) if m >= 9 => (es(Version::new(8, 0, 0)), ""),
        (Distribution::Elasticsearch, 8) => (es(Version::new(7, 0, 0)), ""),
        (Distribution::Elasticsearch, 7) => (es(Version::new(6, 0, 0)), "-beta1"),
        (Distribution::Elasticsearch, _) => (es(Version::new(5, 0, 0)), ""),
        (Distribution::Opensearch, 1) => (es(Version::new(6, 0, 0)), "-beta1"),
        (Distribution::Opensearch, 2) => (es(Version::new(7, 0, 0)), ""),
        (Distribution::Opensearch, _) => {
            (DistVersion { dist: Distribution::Opensearch, version: Version::new(2, 0, 0) }, "")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ids() {
        assert_eq!(Version::parse("8.10.0").unwrap().es_id(), 8_100_099);
        assert_eq!(Version::parse("2.0.1").unwrap().id(Distribution::Opensearch), 136_217_927);
        assert_eq!(Version::from_es_id(136_217_927), "136.21.79");
        assert_eq!(Version::parse("6.8").unwrap(), Version::new(6, 8, 0));
        assert!(Version::parse("8.x").is_none());
        assert!(Version::parse("8").is_none());
    }
}
