//! `guide diff` on a fixture pair per kind of change: `tests/diff/base` against
//! `tests/diff/KIND` (each KIND's first line says what it changes). The reports are snapshots;
//! exit codes are 1 with changes, 0 without, 2 on errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

fn guide(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guide"))
        .current_dir(cwd)
        .arg("diff")
        .args(args)
        .output()
        .expect("guide runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_kind_of_change_is_reported_once() {
    let kinds = [
        "text",
        "duration",
        "narration",
        "popup",
        "button",
        "branch_added",
        "branch_removed",
    ];
    for kind in kinds {
        let out = guide(&fixtures(), &["base", kind]);
        assert_eq!(out.status.code(), Some(1), "{kind}: {out:?}");
        insta::assert_snapshot!(format!("diff_{kind}"), stdout(&out));
    }
}

#[test]
fn a_change_of_layout_only_is_no_change() {
    let out = guide(&fixtures(), &["base", "layout_only"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("no change"), "{}", stdout(&out));
}

#[test]
fn json_for_ci() {
    let out = guide(&fixtures(), &["base", "duration", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    insta::assert_snapshot!(
        "diff_duration_json",
        serde_json::to_string_pretty(&v).expect("prints")
    );
}

#[test]
fn with_data_each_change_counts_its_recipients() {
    let dir = std::env::temp_dir().join(format!("guide-diff-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let data = dir.join("recipients.jsonl");
    let mut lines = String::new();
    for i in 0..30 {
        let pagamento = if i % 3 == 0 { "posta" } else { "bonifico" };
        lines.push_str(&format!(
            "{{\"codice_fiscale\":\"CF{i:04}\",\"nome\":\"Anna\",\"sesso\":\"F\",\"pagamento\":\"{pagamento}\",\"figli\":{},\"contatti_aggiornati\":{}}}\n",
            i % 2,
            i % 5 == 0
        ));
    }
    std::fs::write(&data, lines).expect("write");
    let data = data.to_string_lossy().into_owned();
    let out = guide(&fixtures(), &["base", "popup", "--data", &data]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("diff_popup_data", stdout(&out));
    // The same data against an unchanged campaign: nothing changes, exit 0.
    let out = guide(&fixtures(), &["base", "layout_only", "--data", &data]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).contains("30 read, 0 guides change"),
        "{}",
        stdout(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_exit_with_2() {
    let out = guide(&fixtures(), &["base", "missing_folder"]);
    assert_eq!(out.status.code(), Some(2));
    let out = guide(&fixtures(), &["base"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--git REV`: the campaign as committed against the campaign on disk.
#[test]
fn against_a_git_revision() {
    let dir = std::env::temp_dir().join(format!("guide-diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let campaign = dir.join("campaign");
    std::fs::create_dir_all(&campaign).expect("temp dir");
    std::fs::copy(fixtures().join("schema.ron"), dir.join("schema.ron")).expect("copy");
    std::fs::copy(
        fixtures().join("base/campaign.guide"),
        campaign.join("campaign.guide"),
    )
    .expect("copy");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(&dir)
            .args([
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@example.org",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git runs")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    assert_eq!(
        guide(&dir, &["campaign", "--git", "HEAD"]).status.code(),
        Some(0)
    );
    std::fs::copy(
        fixtures().join("text/campaign.guide"),
        campaign.join("campaign.guide"),
    )
    .expect("copy");
    let out = guide(&dir, &["campaign", "--git", "HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("+ text     ecco il tuo nuovo assegno"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        guide(&dir, &["campaign", "--git", "nope"]).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Compiled `.guidec` files have no variants to enumerate: they are compared on `--data`, here a
/// CSV file read as `guide render` reads it.
#[test]
fn bytecode_files_with_csv_data() {
    let dir = std::env::temp_dir().join(format!("guide-diff-guidec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for kind in ["base", "popup"] {
        let out = Command::new(env!("CARGO_BIN_EXE_guide"))
            .arg("build")
            .arg(fixtures().join(kind))
            .arg("-o")
            .arg(dir.join(format!("{kind}.guidec")))
            .output()
            .expect("guide runs");
        assert!(out.status.success(), "{out:?}");
    }
    let mut csv = String::from("codice_fiscale,nome,sesso,pagamento,figli,contatti_aggiornati\n");
    for i in 0..12 {
        let pagamento = if i % 4 == 0 { "posta" } else { "bonifico" };
        csv.push_str(&format!("CF{i:04},Luca,M,{pagamento},{},true\n", i % 3));
    }
    std::fs::write(dir.join("recipients.csv"), csv).expect("write");
    let out = guide(
        &dir,
        &["base.guidec", "popup.guidec", "--data", "recipients.csv"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("12 read, 3 guides change"), "{text}");
    assert!(text.contains("change 1 of 1: 3 recipients"), "{text}");
    assert!(!text.contains("variants:"), "{text}");
    // Without --data there is nothing to compare them on.
    let out = guide(&dir, &["base.guidec", "popup.guidec"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
