//! `essnap ece snapshot`

use clap::Subcommand;

use crate::host::{ops, requests};
use crate::{Ctx, Outcome, credentials, output, usage};

#[derive(Subcommand)]
pub enum Cmd {
    /// Take a snapshot of an ECE-managed cluster through the ECE API.
    #[command(after_help = "Examples:\n  ESSNAP_ECE_API_KEY=... essnap ece snapshot --ece-url https://ece.example:12443 --cluster-id 0123abcd --repository found-snapshots --name before-upgrade --wait\n  ESSNAP_ECE_PASSWORD=... ESSNAP_ES_PASSWORD=... essnap ece snapshot --ece-url https://ece.example:12443 --ece-user admin --cluster-id 0123abcd --es-user elastic --deployment-id 4567ef\n\nWhen ECE refuses, essnap exits 1 and prints the mapped code, ECE's own code and a hint.")]
    Snapshot(SnapshotArgs),
}

#[derive(clap::Args)]
pub struct SnapshotArgs {
    /// The ECE API URL (`https://ece.example:12443`).
    #[arg(long, env = "ESSNAP_ECE_URL")]
    pub ece_url: String,
    /// The Elasticsearch cluster id (as ECE shows it).
    #[arg(long)]
    pub cluster_id: String,
    /// The repository (ECE's configured one if not given).
    #[arg(long)]
    pub repository: Option<String>,
    /// The snapshot name (ECE picks one if not given).
    #[arg(long)]
    pub name: Option<String>,
    /// The deployment id: lets essnap use the deployment proxy when the clusters API is gone.
    #[arg(long)]
    pub deployment_id: Option<String>,
    /// ECE user (password from ESSNAP_ECE_PASSWORD); or use the global --api-key / ESSNAP_ECE_API_KEY.
    #[arg(long)]
    pub ece_user: Option<String>,
    /// ECE API key.
    #[arg(long = "ece-api-key", env = "ESSNAP_ECE_API_KEY", hide_env_values = true)]
    pub ece_api_key: Option<String>,
    /// Elasticsearch user for the snapshot request body (password from ESSNAP_ES_PASSWORD).
    #[arg(long)]
    pub es_user: Option<String>,
    /// Watch until ECE finished applying the snapshot.
    #[arg(long)]
    pub wait: bool,
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Outcome {
    let Cmd::Snapshot(a) = cmd;
    let api_key = a.ece_api_key.clone().or_else(|| ctx.global.api_key.clone());
    let user = a.ece_user.clone().or_else(|| ctx.global.user.clone());
    let creds = credentials(user.as_deref(), "ESSNAP_ECE_PASSWORD", api_key.as_deref())?;
    if matches!(creds, requests::Credentials::None) {
        return Err(usage("ECE needs credentials", "give --api-key (or ESSNAP_ECE_API_KEY), or --ece-user with ESSNAP_ECE_PASSWORD"));
    }
    let es_credentials = match &a.es_user {
        Some(u) => match std::env::var("ESSNAP_ES_PASSWORD") {
            Ok(p) => Some((u.clone(), p)),
            Err(_) => return Err(usage(format!("--es-user {u} needs a password"), "set ESSNAP_ES_PASSWORD")),
        },
        None => None,
    };
    ctx.connect_ece(&a.ece_url, creds)?;
    let req = ops::EceSnapshotRequest {
        cluster_id: a.cluster_id.clone(),
        repository: a.repository.clone(),
        name: a.name.clone(),
        es_credentials,
        deployment_id: a.deployment_id.clone(),
        wait: a.wait,
    };
    let r = ctx.guest.client.essnap_snapshots_operations().call_ece_snapshot(&mut ctx.guest.store, &req);
    let o = ctx.call(r)?;
    let code = if o.state.as_deref() == Some("failed") { 1 } else { 0 };
    if ctx.json {
        output::json(&serde_json::json!({ "name": o.name, "via_proxy": o.via_proxy, "state": o.state, "exit_code": code }));
    } else {
        println!("ECE snapshot {} started{}", o.name, if o.via_proxy { " (through the deployment proxy)" } else { "" });
        if let Some(s) = &o.state {
            println!("state: {s}");
        }
    }
    Ok(code)
}
