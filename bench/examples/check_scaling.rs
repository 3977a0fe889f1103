//! `guide check` time against input size, for valid campaigns and for the inputs that used to
//! make the parser's recovery exponential: prints one table (family, size, ms, ms per kB).
//! The inputs are those of the parser's rule-call test (`compiler/tests/inputs/scaling.rs`):
//! naspi grown by repeating its scenes, chains of unclosed brackets of every kind, garbage.
//! Each is written next to a copy of naspi's schema and `campaigns/common`, and checked by the
//! release binary, best of RUNS runs (default 3; the process start is included).
//!
//! ```sh
//! cargo build --release -p guide-compiler
//! cargo run --release -p guide-bench --example check_scaling
//! ```

#[path = "../../compiler/tests/inputs/scaling.rs"]
mod scaling;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const SIZES: [usize; 6] = [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guide = std::env::var_os("GUIDE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/guide"));
    if !guide.exists() {
        eprintln!(
            "no {}: run `cargo build --release -p guide-compiler` first",
            guide.display()
        );
        std::process::exit(2);
    }
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let work = root.join("target/check_scaling");
    let dir = work.join("campaigns/naspi");
    std::fs::create_dir_all(&dir).expect("create the work folder");
    std::fs::copy(
        root.join("campaigns/naspi/schema.ron"),
        dir.join("schema.ron"),
    )
    .expect("copy the schema");
    let common = work.join("campaigns/common");
    std::fs::create_dir_all(&common).expect("create the common folder");
    for entry in std::fs::read_dir(root.join("campaigns/common")).expect("campaigns/common") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), common.join(entry.file_name())).expect("copy");
    }

    println!("| input | size (bytes) | exit | diagnostics | `guide check` (ms) | ms per kB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for family in scaling::FAMILIES {
        for size in SIZES {
            let text = scaling::input(family, size);
            let file = dir.join("input.guide");
            std::fs::write(&file, &text).expect("write the input");
            let mut best = f64::MAX;
            let mut exit = None;
            let mut lines = 0;
            for _ in 0..runs {
                let start = Instant::now();
                let out = Command::new(&guide)
                    .arg("check")
                    .arg(&file)
                    .args(["--format", "json"])
                    .stdin(Stdio::null())
                    .output()
                    .expect("run guide check");
                best = best.min(start.elapsed().as_secs_f64() * 1000.0);
                exit = out.status.code();
                lines = out.stdout.iter().filter(|b| **b == b'\n').count();
            }
            println!(
                "| {family} | {} | {} | {lines} | {best:.1} | {:.3} |",
                text.len(),
                exit.map_or("-".to_string(), |c| c.to_string()),
                best / (text.len() as f64 / 1024.0)
            );
        }
    }
}
