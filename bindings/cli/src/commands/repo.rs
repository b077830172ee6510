//! `essnap repo add|verify|remove`

use clap::{Subcommand, ValueEnum};

use crate::host::ops;
use crate::{Ctx, Outcome, output, usage};

#[derive(Subcommand)]
pub enum Cmd {
    /// Register (or replace) a repository.
    #[command(after_help = "Examples:\n  essnap repo add backups --type fs --location /mnt/backups\n  essnap repo add s3-backups --type s3 --bucket my-bucket --base-path es/prod\n\nS3 access keys belong in each node's keystore (s3.client.default.access_key), never in repository settings.")]
    Add(AddArgs),
    /// Ask every node to check it can use the repository.
    #[command(after_help = "Example:\n  essnap repo verify backups")]
    Verify { name: String },
    /// Unregister a repository (its files stay where they are). Needs --yes.
    #[command(after_help = "Example:\n  essnap repo remove old-backups --yes")]
    Remove {
        name: String,
        /// Really remove it.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Fs,
    S3,
}

#[derive(clap::Args)]
pub struct AddArgs {
    pub name: String,
    /// Repository type.
    #[arg(long = "type", value_enum)]
    pub kind: Kind,
    /// fs: the directory (must be listed in the nodes' path.repo).
    #[arg(long)]
    pub location: Option<String>,
    /// s3: the bucket.
    #[arg(long)]
    pub bucket: Option<String>,
    /// s3: the client (keystore section), `default` if not given.
    #[arg(long)]
    pub client: Option<String>,
    /// s3: a path inside the bucket.
    #[arg(long)]
    pub base_path: Option<String>,
    /// Compress metadata files.
    #[arg(long)]
    pub compress: bool,
    /// Register read-only.
    #[arg(long)]
    pub readonly: bool,
    /// Do not ask the nodes to verify it now.
    #[arg(long)]
    pub no_verify: bool,
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Outcome {
    match cmd {
        Cmd::Add(a) => add(ctx, a),
        Cmd::Verify { name } => {
            ctx.connect()?;
            let r = ctx.guest.client.essnap_snapshots_operations().call_verify_repository(&mut ctx.guest.store, &name);
            let nodes = ctx.call(r)?;
            if ctx.json {
                output::json(&serde_json::json!({ "repository": name, "verified": true, "nodes": nodes }));
            } else {
                println!("repository {name} verified by {} node(s): {}", nodes.len(), nodes.join(", "));
            }
            Ok(0)
        }
        Cmd::Remove { name, yes } => {
            if !yes {
                return Err(usage(format!("removing repository {name} needs confirmation"), "add --yes (the snapshots' files are kept)"));
            }
            ctx.connect()?;
            let r = ctx.guest.client.essnap_snapshots_operations().call_remove_repository(&mut ctx.guest.store, &name);
            ctx.call(r)?;
            if ctx.json {
                output::json(&serde_json::json!({ "repository": name, "removed": true }));
            } else {
                println!("repository {name} removed (its files were not touched)");
            }
            Ok(0)
        }
    }
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Outcome {
    let flag = |b: bool| b.then_some(true);
    let settings = match a.kind {
        Kind::Fs => {
            let Some(location) = a.location else { return Err(usage("an fs repository needs --location", "give the directory, listed in path.repo on every node")) };
            ops::RepositorySettings::Fs(ops::FsSettings { location, compress: flag(a.compress), readonly: flag(a.readonly) })
        }
        Kind::S3 => {
            let Some(bucket) = a.bucket else { return Err(usage("an s3 repository needs --bucket", "give the bucket name")) };
            if !ctx.json {
                eprintln!(
                    "{}: S3 access keys belong in each node's keystore (`elasticsearch-keystore add s3.client.{}.access_key`), never in repository settings",
                    ctx.paint("33", "note"),
                    a.client.as_deref().unwrap_or("default")
                );
            }
            ops::RepositorySettings::S3(ops::S3Settings { bucket, client: a.client, base_path: a.base_path, compress: flag(a.compress), readonly: flag(a.readonly) })
        }
    };
    ctx.connect()?;
    let r = ctx.guest.client.essnap_snapshots_operations().call_add_repository(&mut ctx.guest.store, &a.name, &settings, !a.no_verify);
    ctx.call(r)?;
    if ctx.json {
        output::json(&serde_json::json!({ "repository": a.name, "added": true, "verified": !a.no_verify }));
    } else {
        println!("repository {} registered{}", a.name, if a.no_verify { "" } else { " and verified" });
    }
    Ok(0)
}
