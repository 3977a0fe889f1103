//! End-to-end: the real `guide preview` binary on a temporary copy of the campaigns, driven in
//! headless Chromium by `tests/e2e/preview.e2e.mjs` (Node, playwright-core).
//!
//! Needs `/usr/bin/chromium` (Debian's package; `GUIDE_CHROMIUM` names another), `node`, and
//! `npm ci` run in `tests/e2e`; `./test.sh` installs all three. Without them the test FAILS,
//! saying what is missing, unless told to skip with `GUIDE_SKIP_BROWSER=1` (then it says it
//! skipped): a missing browser never passes silently.
//! Screenshots go to `target/e2e-artifacts/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The whole browser run may take this long.
const NODE_TIMEOUT: Duration = Duration::from_secs(180);

/// Set to `1` to skip the browser test where Chromium or playwright-core cannot be installed.
const SKIP: &str = "GUIDE_SKIP_BROWSER";

fn skip_requested() -> bool {
    std::env::var(SKIP).is_ok_and(|v| v == "1")
}

fn missing_prerequisite(what: &str) {
    let msg = format!(
        "the end-to-end preview test needs {what}; run ./test.sh, which installs it \
         (apt-get install chromium, npm ci in cli/tests/e2e), or set {SKIP}=1 to skip it"
    );
    assert!(skip_requested(), "{msg}");
    eprintln!("skipped ({SKIP}=1): {msg}");
}

#[path = "../../preview/tests/common/mod.rs"]
mod common;
use common::copy_dir;

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn preview_in_headless_chromium() {
    if skip_requested() {
        eprintln!("skipped: {SKIP}=1");
        return;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let e2e = manifest.join("tests/e2e");
    let chromium = std::env::var_os("GUIDE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return missing_prerequisite(&format!("Chromium at {}", chromium.display()));
    }
    let node_ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_ok {
        return missing_prerequisite("Node.js (`node`)");
    }
    if !e2e
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return missing_prerequisite("playwright-core (`npm ci` in cli/tests/e2e)");
    }

    let tmp = std::env::temp_dir().join(format!("guide-preview-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let campaigns = tmp.join("campaigns");
    copy_dir(&manifest.join("../campaigns"), &campaigns);
    let artifacts = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../target"))
        .join("e2e-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");

    let mut child = Command::new(env!("CARGO_BIN_EXE_guide"))
        .args(["preview", "--port", "0"])
        .arg(&campaigns)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start guide preview");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://") {
                let _ = tx.send(line[at..].trim().to_string());
                return;
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("guide preview printed its address");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let mut node = Command::new("node")
        .arg("preview.e2e.mjs")
        .arg(&url)
        .arg(&campaigns)
        .arg(&artifacts)
        .current_dir(&e2e)
        .env("GUIDE_CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.try_wait().expect("wait for node") {
            break status;
        }
        if started.elapsed() > NODE_TIMEOUT {
            let _ = node.kill();
            let _ = node.wait();
            panic!("the browser test took longer than {NODE_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = node.wait_with_output().expect("node output");
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    println!("{out}");
    eprintln!("{err}");
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(status.success(), "the browser test failed:\n{out}\n{err}");
    assert!(artifacts.join("preview-naspi.png").exists());
}
