//! Typed response models, decoded leniently: unknown fields are ignored, fields some versions
//! omit are `Option`, numbers sent as strings are accepted. Each model serializes back to the
//! field names the servers use, so nothing a model names is lost when it is re-encoded.

pub mod cat;
pub mod cluster;
pub mod indices;
pub mod listing;
pub mod name_map;
pub mod recovery;
pub mod repository;
pub mod snapshot;
pub mod status;

pub use cat::{CatIndex, CatRepository, CatSnapshot};
pub use cluster::{ClusterHealth, Info, VersionInfo};
pub use listing::SnapshotColumns;
pub use name_map::NameMap;
pub use indices::{Acknowledged, DataStream, DataStreams, IndexInfo, IndexSettings, Indices};
pub use recovery::{IndexRecovery, Recoveries, ShardRecovery};
pub use repository::{CleanupResult, Repositories, RepositoryInfo, VerifyResult};
pub use snapshot::{CreateSnapshotResponse, GetSnapshotsResponse, RestoreResponse, SnapshotInfo, SnapshotState};
pub use status::{SnapshotStatus, SnapshotStatusResponse};
