//! A signal that comes while the owner of a large temporary folder is removing it (the run
//! failed, or saw the interrupt first) must not end the process before the folder is gone.
//!
//! The test runs itself again as a child process that installs the handler, fills a temporary
//! folder with many files, drops it on a thread and, once the removal has begun, sends itself
//! `SIGTERM`. The parent checks that the child exited with 130 and left nothing.

use guide_render::interrupt::{self, EXIT_INTERRUPTED};
use guide_render::output::Folder;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child's environment: the folder to work in.
const CHILD: &str = "GUIDE_INTERRUPT_REMOVAL_CHILD";
/// Files in the temporary folder: enough for its removal to take a while.
const FILES: usize = 20_000;

#[test]
fn a_signal_during_the_owners_removal_leaves_nothing() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(Path::new(&dir));
    }
    if !Path::new("/bin/kill").exists() && !Path::new("/usr/bin/kill").exists() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/render-tests")
        .join(format!("interrupt-removal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let o = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "a_signal_during_the_owners_removal_leaves_nothing",
            "--nocapture",
        ])
        .env(CHILD, &dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the child runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(i32::from(EXIT_INTERRUPTED)),
        "the child did not exit as interrupted: {err}"
    );
    assert!(err.contains("interrupted by the test"), "{err}");
    let left: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the scratch folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child's part: never returns.
fn child(dir: &Path) -> ! {
    interrupt::install("interrupted by the test").expect("the handler");
    let folder = Folder::create(&dir.join("out")).expect("the temporary folder");
    let tmp = folder.dir().to_path_buf();
    {
        let _g = interrupt::guard().expect("no interrupt yet");
        for i in 0..FILES {
            std::fs::write(tmp.join(format!("{i}.txt")), b"x").expect("a file");
        }
    }
    let dropper = std::thread::spawn(move || drop(folder));
    // Wait until the owner's removal has begun, then signal.
    let t0 = Instant::now();
    while std::fs::read_dir(&tmp).map_or(0, Iterator::count) >= FILES
        && t0.elapsed() < Duration::from_secs(30)
    {
        std::thread::yield_now();
    }
    Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("kill");
    let _ = dropper.join();
    // The handler exits the process; if it has not yet, give it time.
    std::thread::sleep(Duration::from_secs(30));
    std::process::exit(0)
}
