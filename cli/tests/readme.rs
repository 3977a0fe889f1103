//! The README's figures are the program's: the table of campaigns (variants, duration range,
//! demo table) must say what `guide variants` prints today, so the two cannot drift apart.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `guide variants [--minimal] PATH`: the number of variants listed (JSON lines) and the table
/// printed for people (its summary line says the duration range).
fn variants(path: &Path, minimal: bool) -> (usize, String) {
    let run = |json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guide"));
        cmd.arg("variants");
        if json {
            cmd.arg("--format").arg("json");
        }
        if minimal {
            cmd.arg("--minimal");
        }
        let out = cmd.arg(path).output().expect("guide runs");
        assert!(out.status.success(), "guide variants {}", path.display());
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    (run(true).lines().count(), run(false))
}

#[test]
fn the_campaign_table_says_what_guide_variants_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let rows: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| campaign | seed | variants |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    assert!(rows.len() >= 6, "the README has the campaign table");
    for row in rows {
        let name = row[0].trim_matches('`');
        let path = if name.contains('/') {
            root().join(name)
        } else {
            root().join("campaigns").join(name)
        };
        let (all, summary) = variants(&path, false);
        let (minimal, _) = variants(&path, true);
        let count: usize = row[2]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a variant count");
        assert_eq!(count, all, "README: variants of {name}");
        let range = row[3].split(" (").next().unwrap_or_default();
        assert!(
            summary.contains(&format!("variants, {range} ")),
            "README: duration range of {name} is `{range}`, guide variants says: {summary}"
        );
        assert_eq!(
            row[4].parse::<usize>().ok(),
            Some(minimal),
            "README: demo table (--minimal) of {name}"
        );
    }
}
