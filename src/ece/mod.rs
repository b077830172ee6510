//! Elastic Cloud Enterprise: the deprecated take-snapshot call of the clusters API, its
//! monitoring call, and the fallback to the Elasticsearch snapshot API through the deployment
//! proxy. Sans-IO like the rest of the crate: builders return [`Request`](crate::Request)s,
//! decoders take [`Response`](crate::Response)s, and [`EceSnapshot`] decides what to send next.
//!
//! ```
//! use essnap::ece::{EceConnection, EceSnapshot, Next, ProxyTarget, TakeSnapshot};
//! use essnap::{Response, Secret};
//!
//! let conn = EceConnection::parse("https://ece.example:12443").unwrap().with_api_key("c2VjcmV0").unwrap();
//! let take = TakeSnapshot { name: Some("before-upgrade".into()), password: Some(Secret::new("pw")), ..TakeSnapshot::new("a1b2c3") };
//! let mut flow = EceSnapshot::new(take).with_proxy(ProxyTarget::new("d4e5f6"));
//! let first = flow.first_request().unwrap();
//! assert_eq!(conn.prepare(&first).url, "https://ece.example:12443/api/v1/clusters/elasticsearch/a1b2c3/_snapshot");
//! // The clusters API is gone on this ECE: the snapshot is taken through the proxy instead.
//! let Next::Fallback(req) = flow.on_response(&Response::new(404, "")) else { panic!() };
//! assert_eq!(req.path, "/api/v1/deployments/d4e5f6/elasticsearch/_main/proxy/_snapshot/found-snapshots/before-upgrade?wait_for_completion=false");
//! assert_eq!(flow.on_response(&Response::new(200, r#"{"accepted":true}"#)), Next::Done("before-upgrade".into()));
//! ```

pub mod cluster;
pub mod connection;
pub mod proxy;
pub mod run;
pub mod snapshot;

pub use cluster::{EceClusterInfo, EceProgress, GetCluster, PlanInfo, PlanStep, PlansInfo, SnapshotStatusInfo, decode_cluster_info};
pub use connection::{API_PREFIX, EceConnection, validate_cluster_id, validate_deployment_id, validate_ref_id};
pub use proxy::{MAIN_REF_ID, MANAGEMENT_HEADER, ProxyTarget};
pub use run::{EceSnapshotOutcome, EceSnapshotRun};
pub use snapshot::{
    DEFAULT_FALLBACK_NAME, DEFAULT_REPOSITORY, EceSnapshot, Next, TakeSnapshot, TakeSnapshotResponse, decode_take_snapshot,
    route_is_gone,
};
