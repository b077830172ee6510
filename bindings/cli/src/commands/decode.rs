//! `essnap decode API FILE`

use std::io::Read;
use std::path::PathBuf;

use crate::host::types;
use crate::{Ctx, Fail, Outcome, output, usage};

/// Decode a response body saved from a cluster.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  curl -s localhost:9200/_snapshot/backups/_all > r.json && essnap decode snapshot.get r.json\n  essnap decode snapshot.restore error.json --status 500\n  echo '{}' | essnap decode cat.indices -\n\nPrints the typed value (exit 0) or the mapped error (exit 2) as JSON.")]
pub struct Args {
    /// The rest-api-spec name of the API (`snapshot.get`, `indices.recovery`, ...).
    pub api: String,
    /// The body file, `-` for stdin.
    pub file: PathBuf,
    /// The HTTP status the body came with (an error body needs its status).
    #[arg(long, default_value_t = 200)]
    pub status: u16,
}

pub fn run(ctx: &mut Ctx, a: Args) -> Outcome {
    let body = if a.file.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v).map_err(|e| usage(format!("could not read stdin: {e}"), "pipe the body in"))?;
        v
    } else {
        std::fs::read(&a.file).map_err(|e| usage(format!("could not read {}: {e}", a.file.display()), "give the path of a saved response body, or - for stdin"))?
    };
    let resp = types::HttpResponse { status: a.status, headers: vec![("content-type".into(), "application/json".into())], body };
    let r = ctx.guest.client.essnap_snapshots_decoding().call_decode(&mut ctx.guest.store, &a.api, &resp);
    match ctx.trap(r)? {
        Ok(json) => {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap_or(serde_json::Value::String(json));
            output::json(&serde_json::json!({ "api": a.api, "status": a.status, "decoded": v }));
            Ok(0)
        }
        Err(e) => {
            output::json(&serde_json::json!({ "api": a.api, "status": a.status, "error": crate::error_json(&e) }));
            if !ctx.json {
                eprintln!("{}: {}: {}", ctx.paint("31;1", "could not decode"), e.code_name, e.message);
                eprintln!("  hint: {}", e.hint);
            }
            Err(Fail::Exit(2))
        }
    }
}
