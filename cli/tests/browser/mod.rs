//! Shared by the browser tests: start the real `guide preview` on a temporary copy of the
//! campaigns and run one Node script (playwright-core driving Debian's headless Chromium) against
//! it, with a bounded run time.
//!
//! Needs `/usr/bin/chromium` (`GUIDE_CHROMIUM` names another), `node`, and `npm ci` run in
//! `tests/e2e`; `./test.sh` installs all three. Without them the test FAILS, saying what is
//! missing, unless told to skip with `GUIDE_SKIP_BROWSER=1` (then it says it skipped): a missing
//! browser never passes silently.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "../../../preview/tests/common/mod.rs"]
mod common;
use common::copy_dir;

/// Set to `1` to skip the browser tests where Chromium or playwright-core cannot be installed.
const SKIP: &str = "GUIDE_SKIP_BROWSER";

fn skip_requested() -> bool {
    std::env::var(SKIP).is_ok_and(|v| v == "1")
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the screenshots go: `target/e2e-artifacts/`.
pub fn artifacts() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../target"))
        .join("e2e-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// What a browser test runs with: the Node project `tests/e2e` and Chromium.
pub struct Setup {
    pub e2e: PathBuf,
    pub chromium: PathBuf,
}

/// The browser tests' prerequisites; `None` when skipping is asked for. Panics, naming what is
/// missing, when one is missing and skipping is not asked for.
pub fn setup() -> Option<Setup> {
    if skip_requested() {
        eprintln!("skipped: {SKIP}=1");
        return None;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let e2e = manifest.join("tests/e2e");
    let chromium = std::env::var_os("GUIDE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let missing = |what: &str| -> ! {
        panic!(
            "the browser tests need {what}; run ./test.sh, which installs it \
             (apt-get install chromium, npm ci in cli/tests/e2e), or set {SKIP}=1 to skip them"
        )
    };
    if !chromium.exists() {
        missing(&format!("Chromium at {}", chromium.display()));
    }
    let node_ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_ok {
        missing("Node.js (`node`)");
    }
    for module in ["playwright-core", "axe-core"] {
        if !e2e
            .join("node_modules")
            .join(module)
            .join("package.json")
            .exists()
        {
            missing(&format!("{module} (`npm ci` in cli/tests/e2e)"));
        }
    }
    Some(Setup { e2e, chromium })
}

/// Runs `node SCRIPT ARGS...` in `tests/e2e` with Chromium; panics when the script fails or
/// takes longer than `limit`. Returns what it printed.
pub fn node(setup: &Setup, script: &str, args: &[&OsStr], limit: Duration) -> String {
    let mut node = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&setup.e2e)
        .env("GUIDE_CHROMIUM", &setup.chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.try_wait().expect("wait for node") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = node.kill();
            let _ = node.wait();
            panic!("the browser test {script} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = node.wait_with_output().expect("node output");
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr);
    println!("{out}");
    eprintln!("{err}");
    assert!(
        status.success(),
        "the browser test {script} failed:\n{out}\n{err}"
    );
    out
}

/// Runs `node SCRIPT URL CAMPAIGNS_DIR ARTIFACTS_DIR` in `tests/e2e` against a fresh
/// `guide preview` on a copy of `campaigns/` named `tag`; panics when the script fails or takes
/// longer than `limit`. Returns false when a prerequisite is missing (the test is skipped).
pub fn run_script(script: &str, tag: &str, limit: Duration) -> bool {
    let Some(setup) = setup() else {
        return false;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("guide-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let campaigns = tmp.join("campaigns");
    copy_dir(&manifest.join("../campaigns"), &campaigns);
    let artifacts = artifacts();

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

    let args = [url.as_ref(), campaigns.as_os_str(), artifacts.as_os_str()];
    node(&setup, script, &args, limit);
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
    true
}
