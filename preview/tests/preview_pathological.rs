//! A campaign that keeps the parser busy (a header, 30 nested `if a {`, an ending: minutes for
//! today's parser) neither keeps the preview from opening its port nor stops it serving, at
//! start or when saved over a good campaign. Written against behaviour only: once the parser is
//! linear, the same file is just a campaign with errors and every assertion still holds
//! (`preview_slow.rs` keeps the slow path tested with a hook whatever the parser's speed).
//!
//! A worker stuck in the parser cannot be stopped: this file runs in a process of its own, which
//! ends (and takes the worker with it) when its test does.

use std::time::Duration;

use guide_preview::{Options, Preview, Tuning};

mod common;
mod slow;
use common::TempCampaigns;
use slow::*;

#[test]
fn a_campaign_that_makes_the_parser_slow_never_hangs_the_preview() {
    let tmp = TempCampaigns::new("preview-pathological", "parser");
    let root = tmp.root();
    std::fs::create_dir_all(root.join("lenta")).expect("mkdir");
    std::fs::write(root.join("lenta/lenta.guide"), pathological("lenta")).expect("write");
    let p = Preview::start_with(
        &Options {
            root: root.clone(),
            host: "127.0.0.1".parse().expect("ip"),
            port: 0,
            watch: true,
        },
        Tuning {
            budget: Duration::from_secs(2),
            hook: None,
        },
    )
    .expect("the preview starts");
    let addr = p.addr();

    // The port is open, every campaign listed.
    let (status, index) = request(addr, "GET", "/api/index", None);
    assert_eq!(status, 200);
    assert_eq!(
        index["campaigns"].as_array().map(Vec::len),
        Some(6),
        "{index}"
    );
    // The others play; the slow one shows an error (past its budget, or its syntax errors once
    // the parser is fast).
    wait_state(addr, "naspi", "naspi checked", |s| {
        s["good_is_current"] == true
    });
    let out = evaluate_demo(addr, &root, "naspi", "luca");
    assert_eq!(out["status"], "ok", "{out}");
    let s = wait_state(addr, "lenta", "the slow campaign's error", |s| {
        s["errors"].as_u64() > Some(0) && s["compiling"] == false
    });
    assert_eq!(s["playable"], false, "{s}");

    // Saved over a good campaign: its last good version plays, the others too.
    let naspi = root.join("naspi/naspi.guide");
    let good = std::fs::read_to_string(&naspi).expect("read");
    std::fs::write(&naspi, pathological("naspi")).expect("write");
    let s = wait_state(addr, "naspi", "naspi's error", |s| {
        s["errors"].as_u64() > Some(0) && s["compiling"] == false
    });
    assert_eq!(s["playable"], true, "the last good version stays: {s}");
    let out = evaluate_demo(addr, &root, "naspi", "luca");
    assert_eq!(out["status"], "ok", "{out}");
    let out = evaluate_demo(addr, &root, "red2021", "maria");
    assert_eq!(out["status"], "ok", "{out}");

    // Restored, it is clean again, whatever the slow compilation is still doing.
    std::fs::write(&naspi, &good).expect("write");
    let s = wait_state(addr, "naspi", "the restored file", |s| {
        s["errors"] == 0 && s["good_is_current"] == true && s["compiling"] == false
    });
    assert_eq!(s["status"], "clean", "{s}");
    p.stop();
}
