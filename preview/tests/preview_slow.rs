//! A slow compilation never holds up the preview, whatever the parser's speed: a hook makes the
//! compile worker sleep for a campaign marked `// lento`, and the preview must open its port at
//! once, go on serving every other campaign and the last good version, report the compilation
//! past its budget, and drop the slow result once a newer save superseded it.
//!
//! Timeouts here are failure guards, never assertions on speed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use guide_preview::{Hook, Options, Preview, Tuning};

mod common;
mod slow;
use common::TempCampaigns;
use slow::*;

const MARK: &str = "// lento";

/// A hook that holds every compilation of a campaign whose main file is marked, until released.
#[derive(Clone, Default)]
struct Brake {
    released: Arc<AtomicBool>,
    held: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
}

impl Brake {
    fn hook(&self) -> Hook {
        let b = self.clone();
        Hook::new(move |dir: &Path| {
            let marked = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "guide"))
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(MARK)));
            if !marked {
                return;
            }
            b.held.fetch_add(1, Ordering::SeqCst);
            let until = Instant::now() + STATE_GUARD;
            while !b.released.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
            b.done.fetch_add(1, Ordering::SeqCst);
        })
    }
}

fn start(root: &Path, brake: &Brake) -> Preview {
    Preview::start_with(
        &Options {
            root: root.to_path_buf(),
            host: "127.0.0.1".parse().expect("ip"),
            port: 0,
            watch: true,
        },
        Tuning {
            budget: Duration::from_secs(1),
            hook: Some(brake.hook()),
        },
    )
    .expect("the preview starts")
}

fn mark(file: &PathBuf) -> String {
    let good = std::fs::read_to_string(file).expect("read");
    std::fs::write(file, format!("{MARK}\n{good}")).expect("write");
    good
}

#[test]
fn a_slow_campaign_at_start_does_not_hold_up_the_port_or_the_others() {
    let tmp = TempCampaigns::new("preview-slow", "start");
    let root = tmp.root();
    let naspi = root.join("naspi/naspi.guide");
    let good = mark(&naspi);
    let brake = Brake::default();
    let p = start(&root, &brake);
    let addr = p.addr();

    // The port answers at once, the slow campaign is listed, compiling.
    let (status, index) = request(addr, "GET", "/api/index", None);
    assert_eq!(status, 200);
    let campaigns = index["campaigns"].as_array().expect("campaigns");
    assert_eq!(campaigns.len(), 5, "{index}");
    let s = state(addr, "naspi");
    assert_eq!(s["compiling"], true, "held by the hook: {s}");
    assert_eq!(s["playable"], false);

    // The others play.
    wait_state(addr, "red2021", "red2021 checked", |s| {
        s["playable"] == true
    });
    let out = evaluate_demo(addr, &root, "red2021", "maria");
    assert_eq!(out["status"], "ok", "{out}");

    // The slow one is reported past its budget, with nothing to play yet.
    let s = wait_state(addr, "naspi", "the timeout", too_slow);
    assert!(messages(&s).contains("took longer than 1 s"), "{s}");
    assert!(messages(&s).contains("no good version"), "{s}");
    assert_eq!(s["status"], "errors");
    assert_eq!(s["compiling"], false);
    assert_eq!(brake.held.load(Ordering::SeqCst), 1);

    // A newer save supersedes it: compiled at once, while the slow one is still held.
    let before = s["generation"].as_u64().expect("generation");
    std::fs::write(&naspi, &good).expect("write");
    let s = wait_state(addr, "naspi", "the restored file", |s| {
        s["generation"].as_u64() > Some(before) && s["playable"] == true && s["compiling"] == false
    });
    assert_eq!(s["errors"], 0, "{s}");
    assert_eq!(s["good_is_current"], true);
    let generation = s["generation"].clone();
    assert_eq!(
        brake.done.load(Ordering::SeqCst),
        0,
        "the slow one is still held"
    );
    let out = evaluate_demo(addr, &root, "naspi", "luca");
    assert_eq!(out["status"], "ok", "{out}");

    // Released, the slow compilation ends; its result is stale and dropped.
    brake.released.store(true, Ordering::SeqCst);
    let until = Instant::now() + STATE_GUARD;
    while brake.done.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < until, "the hook was never released");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(p.wait_idle(STATE_GUARD), "the compilations did not end");
    for _ in 0..20 {
        let s = state(addr, "naspi");
        assert_eq!(s["generation"], generation, "a stale result was taken: {s}");
        assert_eq!(s["errors"], 0, "{s}");
        std::thread::sleep(Duration::from_millis(25));
    }
    p.stop();
}

#[test]
fn a_slow_save_keeps_the_last_good_version_playable_and_the_others_serving() {
    let tmp = TempCampaigns::new("preview-slow", "save");
    let root = tmp.root();
    let brake = Brake::default();
    let p = start(&root, &brake);
    let addr = p.addr();
    assert!(
        p.wait_settled(STATE_GUARD),
        "the campaigns were not checked"
    );
    let before = state(addr, "naspi");
    assert_eq!(before["good_is_current"], true, "{before}");

    let naspi = root.join("naspi/naspi.guide");
    let good = mark(&naspi);
    let s = wait_state(addr, "naspi", "the timeout", too_slow);
    assert!(
        messages(&s).contains("the last good version is shown"),
        "{s}"
    );
    assert_eq!(s["playable"], true);
    assert_eq!(s["good_is_current"], false);
    assert!(s["generation"].as_u64() > before["generation"].as_u64());

    // Meanwhile everything answers: the last good naspi, the other campaigns, the index.
    let out = evaluate_demo(addr, &root, "naspi", "luca");
    assert_eq!(out["status"], "ok", "{out}");
    assert_eq!(out["generation"], before["good_generation"]);
    let out = evaluate_demo(addr, &root, "assegno_unico", "silvia");
    assert_eq!(out["status"], "ok", "{out}");
    let (status, index) = request(addr, "GET", "/api/index", None);
    assert_eq!(status, 200);
    let entry = index["campaigns"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["slug"] == "naspi"))
        .cloned()
        .expect("naspi listed");
    assert_eq!(entry["status"], "errors", "{entry}");
    let (status, _) = request(addr, "GET", "/c/naspi", None);
    assert_eq!(status, 200);

    // Restored, it is clean again without waiting for the slow compilation.
    std::fs::write(&naspi, &good).expect("write");
    let s = wait_state(addr, "naspi", "the restored file", |s| {
        s["errors"] == 0 && s["good_is_current"] == true && s["compiling"] == false
    });
    assert_eq!(s["status"], "clean", "{s}");
    assert_eq!(
        brake.done.load(Ordering::SeqCst),
        0,
        "the slow one is still held"
    );
    brake.released.store(true, Ordering::SeqCst);
    p.stop();
}
