//! Comparable versions that understand every shape real clusters report.
//!
//! - release strings: `"8.10.0"`, `"7.0.0-beta1"`, `"8.13.0-SNAPSHOT"`;
//! - Elasticsearch legacy version ids: `8100099` = 8.10.0 (`major*1_000_000 + minor*10_000 + patch*100 + build`);
//! - OpenSearch masked ids: `136217927` = `2000199 ^ 0x0800_0000` = 2.0.1;
//! - Elasticsearch 8.11+ index versions reported in get-snapshot as `"8505000"`: these are not
//!   releases, so only a lower bound is known (8_500_000 ≈ 8.11.0, 9_000_000 ≈ 9.0.0).

use std::cmp::Ordering;
use std::fmt;

use crate::json::{FromJson, JsonError, Kind, Reader, ToJson, Writer};

/// OpenSearch XORs its version ids with this bit so that they never collide with Elasticsearch's.
pub const OPENSEARCH_ID_MASK: u32 = 0x0800_0000;

/// First index-version id of Elasticsearch 8.11, where index versions were detached from releases.
const FIRST_DETACHED_INDEX_VERSION: u32 = 8_500_000;

/// A version, ordered by `major.minor.patch` (pre-releases sort before their release).
/// Equality and order ignore `source`: `8100099` equals `8.10.0`.
#[derive(Clone, Debug)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// `alpha1`, `beta2`, `rc1`, `SNAPSHOT`, ... (empty for a release).
    pub pre: String,
    /// How the version was written, when it was not a plain release string.
    pub source: VersionSource,
}

/// Where a [`Version`] came from, so that imprecise ones can be reported as such.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum VersionSource {
    /// A `major.minor.patch` string.
    #[default]
    Release,
    /// A legacy numeric id (`8100099`).
    LegacyId(u32),
    /// An OpenSearch masked id (`136217927`), stored unmasked.
    OpenSearchId(u32),
    /// An Elasticsearch index version (`8505000`): only a lower bound on the release.
    IndexVersion(u32),
}

/// Why a string is not a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionParseError {
    pub input: String,
}

impl fmt::Display for VersionParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a version: expected `major.minor.patch` (e.g. 8.12.2) or a numeric version id (e.g. 8100099)",
            self.input.chars().take(64).collect::<String>()
        )
    }
}

impl std::error::Error for VersionParseError {}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch, pre: String::new(), source: VersionSource::Release }
    }

    /// Parses any string shape: `8.10.0`, `7.0.0-beta1`, `8`, `8.1`, `8505000`, `136217927`.
    pub fn parse(input: &str) -> Result<Self, VersionParseError> {
        let s = input.trim();
        let err = || VersionParseError { input: input.to_string() };
        if s.is_empty() {
            return Err(err());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) && s.len() >= 5 {
            let id: u32 = s.parse().map_err(|_| err())?;
            return Ok(Self::from_id(id));
        }
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, p),
            None => (s, ""),
        };
        let mut parts = core.split('.');
        let mut next = |required: bool| -> Result<u32, VersionParseError> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map_err(|_| err())
                }
                None if !required => Ok(0),
                _ => Err(err()),
            }
        };
        let major = next(true)?;
        let minor = next(false)?;
        let patch = next(false)?;
        if parts.next().is_some() || pre.len() > 32 || !pre.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return Err(err());
        }
        Ok(Version { major, minor, patch, pre: pre.to_string(), source: VersionSource::Release })
    }

    /// Decodes a numeric id: OpenSearch masked ids, Elasticsearch legacy ids and index versions.
    pub fn from_id(id: u32) -> Self {
        if id & OPENSEARCH_ID_MASK != 0 {
            let mut v = Self::from_legacy_id(id ^ OPENSEARCH_ID_MASK);
            v.source = VersionSource::OpenSearchId(id ^ OPENSEARCH_ID_MASK);
            return v;
        }
        let (major, minor) = (id / 1_000_000, (id / 10_000) % 100);
        // Legacy release ids end in 99; detached index versions have a "minor" far past any release.
        if id % 100 != 99 && id >= FIRST_DETACHED_INDEX_VERSION && (major >= 9 || minor >= 50) {
            let (minor, patch) = if major == 8 { (11, 0) } else { (0, 0) };
            return Version {
                major,
                minor,
                patch,
                pre: String::new(),
                source: VersionSource::IndexVersion(id),
            };
        }
        Self::from_legacy_id(id)
    }

    fn from_legacy_id(id: u32) -> Self {
        let build = id % 100;
        let pre = match build {
            99 => String::new(),
            0..=24 => format!("alpha{build}"),
            25..=49 => format!("beta{}", build - 25),
            _ => format!("rc{}", build - 50),
        };
        Version {
            major: id / 1_000_000,
            minor: (id / 10_000) % 100,
            patch: (id / 100) % 100,
            pre,
            source: VersionSource::LegacyId(id),
        }
    }

    /// True when only a lower bound of the release is known (index versions).
    pub fn is_lower_bound(&self) -> bool {
        matches!(self.source, VersionSource::IndexVersion(_))
    }

    /// The version without pre-release or source, for comparisons against rule boundaries.
    pub fn release(&self) -> (u32, u32, u32) {
        (self.major, self.minor, self.patch)
    }

    pub fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        self.release() >= (major, minor, patch)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.major, self.minor, self.patch, &self.pre).hash(h);
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release().cmp(&other.release()).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let VersionSource::IndexVersion(id) = self.source {
            return write!(f, "index version {id} (≥ {}.{}.{})", self.major, self.minor, self.patch);
        }
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Version {
    type Err = VersionParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Written as the string a user would write (`"8.10.0"`); index versions keep their id.
impl ToJson for Version {
    fn write_json(&self, w: &mut Writer) {
        match self.source {
            VersionSource::IndexVersion(id) => w.str(&id.to_string()),
            _ => w.str(&format!("{}.{}.{}{}{}", self.major, self.minor, self.patch, if self.pre.is_empty() { "" } else { "-" }, self.pre)),
        }
    }
}

/// Accepts a version string or a numeric id.
impl FromJson for Version {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        match r.kind() {
            Some(Kind::Number) => u32::read_json(r).map(Version::from_id),
            Some(Kind::String) => {
                let s = r.str()?;
                Version::parse(&s).map_err(|e| r.error(e.to_string()))
            }
            _ => Err(r.unexpected("a version string or id")),
        }
    }
}

