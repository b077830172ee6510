//! `essnap-sandbox --port 0 --seed FILE.json [--faults SPEC] [--cors-origin ORIGIN|*] [--no-cors] [--host H] [--quiet]`

use essnap_sandbox::{Config, faults, seed::Seed, start};
use std::io::Write;

const USAGE: &str = "usage: essnap-sandbox --seed FILE.json [--port N] [--host 127.0.0.1] [--faults JSON|FILE] [--cors-origin ORIGIN|*] [--no-cors] [--quiet]";

fn main() {
    let mut args = std::env::args().skip(1);
    let mut seed_path: Option<String> = None;
    let mut port: u16 = 0;
    let mut host = "127.0.0.1".to_string();
    let mut fault_spec: Option<String> = None;
    let mut cors: Option<String> = Some("*".into());
    let mut log = true;
    while let Some(a) = args.next() {
        let mut val = |name: &str| -> String {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--seed" => seed_path = Some(val("--seed")),
            "--port" => {
                port = val("--port").parse().unwrap_or_else(|_| {
                    eprintln!("--port: expected a number 0-65535");
                    std::process::exit(2)
                })
            }
            "--host" => host = val("--host"),
            "--faults" => fault_spec = Some(val("--faults")),
            "--cors-origin" => cors = Some(val("--cors-origin")),
            "--no-cors" => cors = None,
            "--quiet" => log = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => {
                eprintln!("unknown argument [{other}]\n{USAGE}");
                std::process::exit(2)
            }
        }
    }
    let Some(seed_path) = seed_path else {
        eprintln!("--seed is required\n{USAGE}");
        std::process::exit(2)
    };
    let seed = Seed::from_file(std::path::Path::new(&seed_path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let mut config = Config::new(seed);
    config.port = port;
    config.host = host;
    config.cors_origin = cors;
    config.log = log;
    if let Some(f) = fault_spec {
        config.faults = faults::parse_specs(&f).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
    }
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = tx.send(());
    }) {
        eprintln!("cannot install signal handler: {e}");
    }
    let handle = start(config).unwrap_or_else(|e| {
        eprintln!("cannot start sandbox: {e}");
        std::process::exit(1)
    });
    println!("{}", handle.url);
    let _ = std::io::stdout().flush();
    let _ = rx.recv();
    eprintln!("[essnap-sandbox] shutting down");
    handle.shutdown();
}
