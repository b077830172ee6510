//! The rules, each with the source it comes from. Paths are relative to `../shared/es-spec/`.

use crate::json::ToJson;

/// A compatibility rule: a stable id, what it says, and where it is written down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson)]
pub struct Rule {
    pub id: &'static str,
    pub says: &'static str,
    pub source: &'static str,
}

pub const SNAPSHOT_NOT_NEWER: Rule = Rule {
    id: "snapshot-not-newer",
    says: "a snapshot can't be restored to a cluster older than the version that took it",
    source: "compat/elasticsearch-snapshot-compatibility.md extract 1 (\"You can't restore a snapshot to an earlier version\"); compat/opensearch-compatibility.md summary (RestoreService: \"which is higher than the version of this node\")",
};

pub const ES_INDEX_TABLE: Rule = Rule {
    id: "es-index-table",
    says: "an index can be restored into the cluster versions the index compatibility table allows (the cluster's major or the one before)",
    source: "compat/elasticsearch-snapshot-compatibility.md extracts 1-2 (index compatibility tables) and 3-4 (8.x snapshot/index tables)",
};

pub const ES_ARCHIVE: Rule = Rule {
    id: "es-archive-indices",
    says: "Elasticsearch 8.3+ can restore indices created by 5.0-6.8 (9.x: 5.0-7.17) only as read-only archive indices, which need an Enterprise license",
    source: "compat/elasticsearch-snapshot-compatibility.md extracts 1-2, footnote 1 (archive indices) and \"Restoring incompatible indices\"",
};

pub const ES_6_8_INTO_7_0: Rule = Rule {
    id: "es-6.8-not-into-7.0",
    says: "indices and snapshots from 6.8 can't be restored into 7.0-7.1",
    source: "compat/elasticsearch-snapshot-compatibility.md extracts 2-4 (row 6.8, column 7.0-7.1)",
};

pub const ES_CANT_READ_OPENSEARCH: Rule = Rule {
    id: "es-cannot-read-opensearch",
    says: "Elasticsearch cannot restore snapshots taken by OpenSearch",
    source: "compat/opensearch-compatibility.md summary (OpenSearch masks its version ids with 0x08000000, which Elasticsearch reads as a far newer version)",
};

pub const OS_READS_ES_UP_TO_7_10_2: Rule = Rule {
    id: "opensearch-reads-es-up-to-7.10.2",
    says: "OpenSearch can restore Elasticsearch snapshots only up to 7.10.2, the version it forked from",
    source: "compat/opensearch-compatibility.md extracts 6-7 (migration paths; 7.11+ needs Logstash)",
};

pub const OS_MIN_INDEX_COMPAT: Rule = Rule {
    id: "opensearch-min-index-version",
    says: "OpenSearch 1.x reads indices created by Elasticsearch 6.0+, 2.x by Elasticsearch 7.0+ or OpenSearch 1.x+, 3.x only by OpenSearch 2.0+",
    source: "compat/opensearch-compatibility.md summary (Version.computeMinIndexCompatVersion), extract 4 (3.0 breaking change), extract 6 (6.x only into 1.x)",
};

pub const INDEX_NOT_NEWER: Rule = Rule {
    id: "index-not-newer",
    says: "an index can't be restored to a cluster older than the version that created it",
    source: "compat/elasticsearch-snapshot-compatibility.md extract 1 (\"You can't restore an index to an earlier version\")",
};

pub const ROLLING_UPGRADE: Rule = Rule {
    id: "rolling-upgrade-version",
    says: "a snapshot taken during a rolling upgrade reports the oldest node's version; its indices may be newer",
    source: "issue 5 (snapshot version is the minimum node version at snapshot time)",
};

pub const INDEX_VERSION_LOWER_BOUND: Rule = Rule {
    id: "index-version-lower-bound",
    says: "Elasticsearch 8.11+ may report a snapshot's version as an index version (e.g. 8505000), which only bounds the release from below",
    source: "es-spec README (\"Don't assume semver in `version`\", elastic/elasticsearch#107191)",
};

pub const ALL: &[Rule] = &[
    SNAPSHOT_NOT_NEWER,
    ES_INDEX_TABLE,
    ES_ARCHIVE,
    ES_6_8_INTO_7_0,
    ES_CANT_READ_OPENSEARCH,
    OS_READS_ES_UP_TO_7_10_2,
    OS_MIN_INDEX_COMPAT,
    INDEX_NOT_NEWER,
    ROLLING_UPGRADE,
    INDEX_VERSION_LOWER_BOUND,
];
