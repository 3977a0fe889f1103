//! The runtime stays light: none of the compiler's heavy dependencies may enter its dependency
//! tree, with or without the `json` feature.

use std::process::Command;

const FORBIDDEN: [&str; 5] = ["pest", "miette", "handlebars", "clap", "tiny_http"];

fn tree(features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "guide-runtime",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_heavy_dependencies() {
    for features in [&[][..], &["--features", "json"][..]] {
        let t = tree(features);
        assert!(t.contains("guide-runtime"), "{t}");
        for line in t.lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            assert!(
                !FORBIDDEN.iter().any(|f| name == *f
                    || name.starts_with(&format!("{f}_"))
                    || name.starts_with(&format!("{f}-"))),
                "{name} is in the runtime's dependency tree ({features:?}):\n{t}"
            );
        }
    }
}
