//! The runtime stays light: its dependency tree is an allowlist. It may depend on serde (and on
//! what serde itself is built from), and, with the `json` feature only, on serde_json and what
//! serde_json is built from. Anything else, with or without the feature, fails this test.

use std::process::Command;

/// serde and its own dependencies: `serde_core` (the traits, split out of recent `serde`)
/// and the derive macro with what it is built from.
const SERDE: [&str; 7] = [
    "serde",
    "serde_core",
    "serde_derive",
    "proc-macro2",
    "quote",
    "syn",
    "unicode-ident",
];

/// serde_json and its own dependencies, allowed with the `json` feature only: `zmij` writes
/// floating-point numbers in recent serde_json, where `ryu` did before.
const JSON: [&str; 5] = ["serde_json", "itoa", "ryu", "memchr", "zmij"];

/// The runtime's normal (not dev, not build) dependency tree, one crate a line.
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

/// The crates of `tree` (the output of `cargo tree --prefix none`) that are not the runtime and
/// not in `allowed`.
fn intruders(tree: &str, allowed: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "guide-runtime" && !allowed.contains(name))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn without_json_the_runtime_depends_on_serde_only() {
    let t = tree(&[]);
    assert!(t.starts_with("guide-runtime "), "{t}");
    let found = intruders(&t, &SERDE);
    assert!(
        found.is_empty(),
        "not allowed in the runtime's dependencies (no features): {found:?}\n{t}"
    );
}

#[test]
fn with_json_the_runtime_depends_on_serde_and_serde_json_only() {
    let t = tree(&["--features", "json"]);
    assert!(t.starts_with("guide-runtime "), "{t}");
    assert!(t.lines().any(|l| l.starts_with("serde_json ")), "{t}");
    let allowed: Vec<&str> = SERDE.iter().chain(&JSON).copied().collect();
    let found = intruders(&t, &allowed);
    assert!(
        found.is_empty(),
        "not allowed in the runtime's dependencies (json): {found:?}\n{t}"
    );
}

#[test]
fn the_allowlist_rejects_what_it_does_not_name() {
    let t = "guide-runtime v0.1.0 (/x)\nserde v1.0.0\nserde_json v1.0.0\npest v2.7.0\nmemchr v2.0.0 (*)\n";
    assert_eq!(intruders(t, &SERDE), ["memchr", "pest", "serde_json"]);
    let all: Vec<&str> = SERDE.iter().chain(&JSON).copied().collect();
    assert_eq!(intruders(t, &all), ["pest"]);
}
