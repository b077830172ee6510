//! `essnap info`

use crate::{Ctx, Outcome, output};

/// Which cluster this is.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  essnap --url https://es.example:9200 --api-key $KEY info")]
pub struct Args {}

pub fn run(ctx: &mut Ctx, _: Args) -> Outcome {
    ctx.connect()?;
    let r = ctx.guest.client.essnap_snapshots_operations().call_info(&mut ctx.guest.store);
    let c = ctx.call(r)?;
    if ctx.json {
        let raw: serde_json::Value = serde_json::from_str(&c.json).unwrap_or_default();
        output::json(&serde_json::json!({
            "distribution": super::distribution(c.distribution).to_lowercase(),
            "version": c.version.as_ref().map(|v| &v.text),
            "node_name": c.node_name, "cluster_name": c.cluster_name, "cluster_uuid": c.cluster_uuid, "info": raw,
        }));
    } else {
        println!("{} {}", super::distribution(c.distribution), super::version(&c.version));
        println!("cluster: {}", c.cluster_name.as_deref().unwrap_or("-"));
        println!("node:    {}", c.node_name.as_deref().unwrap_or("-"));
        println!("uuid:    {}", c.cluster_uuid.as_deref().unwrap_or("-"));
    }
    Ok(0)
}
