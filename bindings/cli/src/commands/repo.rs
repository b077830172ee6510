//! `essnap repo add|verify|remove`

use clap::Subcommand;

use crate::host::ops;
use crate::{Ctx, Fail, Outcome, output, usage};

#[derive(Subcommand)]
pub enum Cmd {
    /// Register (or replace) a repository.
    #[command(after_help = "Examples:\n  essnap repo add backups --type fs --location /mnt/backups\n  essnap repo add s3-backups --type s3 --bucket my-bucket --base-path es/prod\n  essnap repo add gcs-backups --type gcs --bucket my-bucket --client secondary\n  essnap repo add azure-backups --type azure --container snapshots --base-path prod\n  essnap repo add archive --type url --repo-url file:/mnt/backups\n  essnap repo add big --type fs --location /mnt/big --setting chunk_size=1gb --setting max_restore_bytes_per_sec=200mb\n\nCredentials belong in each node's keystore (s3.client.default.access_key, ...), never in repository settings: essnap refuses them.")]
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

#[derive(clap::Args)]
pub struct AddArgs {
    pub name: String,
    /// Repository type: fs, s3, url, azure, gcs, hdfs, source, ... (what the nodes' plugins provide).
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,
    /// fs: the directory (must be listed in the nodes' path.repo).
    #[arg(long)]
    pub location: Option<String>,
    /// s3, gcs: the bucket.
    #[arg(long)]
    pub bucket: Option<String>,
    /// azure: the container.
    #[arg(long)]
    pub container: Option<String>,
    /// s3, gcs, azure: the client (keystore section), `default` if not given.
    #[arg(long)]
    pub client: Option<String>,
    /// s3, gcs, azure: a path inside the bucket or container.
    #[arg(long)]
    pub base_path: Option<String>,
    /// url: where the repository is (file:, http:, https:, ftp:, jar:); read-only.
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    /// Any other setting of the type (chunk_size, max_restore_bytes_per_sec, ...); repeatable.
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
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

/// The flags that belong to one repository type, and the types they belong to.
const TYPED_FLAGS: [(&str, &[&str]); 5] = [
    ("--location", &["fs"]),
    ("--bucket", &["s3", "gcs"]),
    ("--container", &["azure"]),
    ("--client", &["s3", "gcs", "azure"]),
    ("--base-path", &["s3", "gcs", "azure"]),
];

fn add(ctx: &mut Ctx, a: AddArgs) -> Outcome {
    let kind = a.kind.trim().to_ascii_lowercase();
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(usage(format!("`{}` is not a repository type", a.kind), "use fs, s3, url, azure, gcs, hdfs or source (what the nodes' plugins provide)"));
    }
    let given = [&a.location, &a.bucket, &a.container, &a.client, &a.base_path];
    for ((flag, kinds), value) in TYPED_FLAGS.iter().zip(given) {
        if value.is_some() && !kinds.contains(&kind.as_str()) {
            return Err(usage(format!("{flag} is not a setting of {kind} repositories"), format!("{flag} is for {} repositories; other settings go in --setting KEY=VALUE", kinds.join(" and "))));
        }
    }
    if a.repo_url.is_some() && kind != "url" {
        return Err(usage(format!("--repo-url is not a setting of {kind} repositories"), "--repo-url is for url repositories (--type url)"));
    }
    let extra = super::key_values("--setting", &a.settings)?.unwrap_or_default();
    let flag = |b: bool| b.then_some(true);
    let need = |v: Option<String>, flag: &str, what: &str| v.ok_or_else(|| usage(format!("a {kind} repository needs {flag}"), what.to_string()));
    if matches!(kind.as_str(), "s3" | "gcs" | "azure") && !ctx.json {
        let key = match kind.as_str() {
            "s3" => "s3.client.{}.access_key",
            "gcs" => "gcs.client.{}.credentials_file",
            _ => "azure.client.{}.key",
        };
        eprintln!(
            "{}: {kind} credentials belong in each node's keystore ({}), never in repository settings",
            ctx.paint("33", "note"),
            key.replace("{}", a.client.as_deref().unwrap_or("default"))
        );
    }
    let settings = match kind.as_str() {
        "fs" if extra.is_empty() => ops::RepositorySettings::Fs(ops::FsSettings {
            location: need(a.location, "--location", "give the directory, listed in path.repo on every node")?,
            compress: flag(a.compress),
            readonly: flag(a.readonly),
        }),
        "s3" if extra.is_empty() => ops::RepositorySettings::S3(ops::S3Settings {
            bucket: need(a.bucket, "--bucket", "give the bucket name")?,
            client: a.client,
            base_path: a.base_path,
            compress: flag(a.compress),
            readonly: flag(a.readonly),
        }),
        "url" if extra.is_empty() && !a.compress && !a.readonly => {
            ops::RepositorySettings::Url(need(a.repo_url, "--repo-url", "give the repository's URL, e.g. --repo-url file:/mnt/backups (inside path.repo)")?)
        }
        _ => {
            let mut m = serde_json::Map::new();
            let named = [("location", a.location), ("bucket", a.bucket), ("container", a.container), ("client", a.client), ("base_path", a.base_path), ("url", a.repo_url)];
            for (k, v) in named {
                if let Some(v) = v {
                    m.insert(k.to_string(), serde_json::Value::String(v));
                }
            }
            for (k, v) in [("compress", a.compress), ("readonly", a.readonly)] {
                if v {
                    m.insert(k.to_string(), serde_json::Value::Bool(true));
                }
            }
            m.extend(extra);
            ops::RepositorySettings::Other(ops::OtherRepositorySettings { kind: kind.clone(), settings_json: serde_json::Value::Object(m).to_string() })
        }
    };
    ctx.connect()?;
    let r = ctx.guest.client.essnap_snapshots_operations().call_add_repository(&mut ctx.guest.store, &a.name, &settings, !a.no_verify);
    if let Err(fail) = ctx.call(r) {
        // The server registers first and verifies after: the registration stays.
        if matches!(&fail, Fail::Error(e) if e.code_name == "repository_verification_failed") && !ctx.json {
            eprintln!(
                "{}: the cluster keeps repository {} registered although its nodes can't use it; fix the cause and run `essnap repo add` again (that replaces it), or remove it with `essnap repo remove {} --yes`",
                ctx.paint("33", "note"),
                a.name,
                a.name
            );
        }
        return Err(fail);
    }
    if ctx.json {
        output::json(&serde_json::json!({ "repository": a.name, "added": true, "verified": !a.no_verify }));
    } else {
        println!("repository {} registered{}", a.name, if a.no_verify { "" } else { " and verified" });
    }
    Ok(0)
}
