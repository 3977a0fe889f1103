//! The preview compiles through `guide_compiler::compile()`, the entry point of `guide check`:
//! once a campaign is analysed, the diagnostics it shows are exactly `guide check`'s, the
//! analyses' included (a guide outside its declared length, dead content), and a campaign whose
//! only errors are the analyses' still plays.

use std::path::Path;

use guide_preview::{Options, Preview};

mod common;
mod slow;
use common::TempCampaigns;
use slow::*;

/// `guide check`'s diagnostics of the campaign in `dir`, rendered as the page shows them.
fn check(dir: &Path) -> Vec<String> {
    let project = guide_compiler::project::load(dir).expect("load");
    guide_compiler::compile(&project)
        .diagnostics
        .iter()
        .map(|d| d.render(false))
        .collect()
}

fn shown(state: &serde_json::Value) -> Vec<String> {
    state["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["text"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_diagnostics_shown_are_those_of_guide_check() {
    let tmp = TempCampaigns::new("preview-pipeline", "check");
    let root = tmp.root();
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../compiler/tests/ui");
    for fixture in ["err_length_out_of_bounds", "err_dead_content"] {
        let dir = root.join(fixture);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(
            ui.join(format!("{fixture}.guide")),
            dir.join(format!("{fixture}.guide")),
        )
        .expect("copy");
        for schema in ["schema.ron", "schema_nogender.ron"] {
            std::fs::copy(ui.join(schema), dir.join(schema)).expect("copy");
        }
    }
    let p = Preview::start(&Options {
        root: root.clone(),
        host: "127.0.0.1".parse().expect("ip"),
        port: 0,
        watch: false,
    })
    .expect("the preview starts");
    assert!(p.wait_idle(STATE_GUARD), "the compilations did not end");
    let addr = p.addr();
    for slug in [
        "assegno_sociale",
        "assegno_unico",
        "naspi",
        "neopensionati",
        "red2021",
        "err_length_out_of_bounds",
        "err_dead_content",
    ] {
        let s = state(addr, slug);
        assert_eq!(s["analysed"], true, "{s}");
        assert_eq!(shown(&s), check(&root.join(slug)), "{slug}");
    }
    let s = state(addr, "err_length_out_of_bounds");
    assert!(shown(&s).iter().any(|t| t.contains("E0501")), "{s}");
    assert_eq!(
        s["playable"], true,
        "the analyses' errors do not stop it playing"
    );
    let s = state(addr, "err_dead_content");
    assert!(shown(&s).iter().any(|t| t.contains("W0401")), "{s}");
    // Before the analysis (phase 1), a broken source shows the checker's list, which is then
    // `guide check`'s too (compile() stops at the check).
    let naspi = root.join("naspi/naspi.guide");
    let good = std::fs::read_to_string(&naspi).expect("read");
    std::fs::write(&naspi, good.replace("scene intro", "scene intro intro")).expect("write");
    p.reload();
    let s = wait_state(addr, "naspi", "the error", |s| {
        s["errors"].as_u64() > Some(0) && s["compiling"] == false
    });
    assert_eq!(shown(&s), check(&root.join("naspi")));
    p.stop();
}

#[test]
fn a_campaign_caught_halfway_through_a_save_stays_listed_with_its_last_good_version() {
    let tmp = TempCampaigns::new("preview-pipeline", "halfway");
    let root = tmp.root();
    let p = Preview::start(&Options {
        root: root.clone(),
        host: "127.0.0.1".parse().expect("ip"),
        port: 0,
        watch: false,
    })
    .expect("the preview starts");
    assert!(
        p.wait_settled(STATE_GUARD),
        "the campaigns were not checked"
    );
    let addr = p.addr();
    let before = state(addr, "naspi");
    // An editor truncates the file before writing it: for a moment it has no header.
    std::fs::write(root.join("naspi/naspi.guide"), "").expect("write");
    p.reload();
    let s = wait_state(addr, "naspi", "the error", |s| {
        s["generation"].as_u64() > before["generation"].as_u64() && s["compiling"] == false
    });
    assert_eq!(s["status"], "errors", "{s}");
    assert_eq!(s["playable"], true, "the last good version stays: {s}");
    p.stop();
}
