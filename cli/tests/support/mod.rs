//! Shared by the tests of the recipient service (`publish.rs`, `serve.rs`, `monitoring.rs`,
//! `outbox.rs`): the repository's root, a fresh folder per test, the `guide` binary and its
//! servers, the demo recipients, and the databases a test runs against.
// Each test binary uses its own part of this module.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The test binary's name (`serve`, `publish`, ...): it names its folders and databases.
const AREA: &str = env!("CARGO_CRATE_NAME");

/// A fresh folder `target/AREA-tests/NAME-PID/`, AREA the test binary's name.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join(format!("{AREA}-tests"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs `guide` with `args`; its exit code and standard error.
pub fn guide(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_guide"))
        .args(args)
        .output()
        .expect("guide runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A path as an argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A `guide` server started by a test, stopped when dropped however the test ends.
pub struct Running {
    child: Child,
    /// Where it listens (`127.0.0.1:PORT`).
    pub addr: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `guide COMMAND --db DB --port 0 ARGS`, its standard error to `stderr`, and waits for
/// the address it prints.
pub fn start(command: &str, db: &str, args: &[&str], stderr: Stdio) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guide"))
        .args([command, "--db", db, "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start guide");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let addr = line
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    assert!(!addr.is_empty(), "guide {command} printed no address");
    Running { child, addr }
}

/// The demo recipients of `campaign` (`campaigns/CAMPAIGN/demo/*.json`), by file name.
pub fn demos(campaign: &str) -> Vec<Value> {
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(root().join("campaigns").join(campaign).join("demo"))
            .expect("demo folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("demo")).expect("JSON"))
        .collect()
}

/// The databases a test runs against: a SQLite file in `dir`, and a fresh PostgreSQL database
/// when GUIDE_TEST_POSTGRES is set to a server's URL (`./test.sh` starts one).
pub fn databases(dir: &Path, name: &str) -> Vec<String> {
    let mut dbs = vec![dir.join(format!("{name}.db")).display().to_string()];
    if let Ok(url) = std::env::var("GUIDE_TEST_POSTGRES") {
        if !url.is_empty() {
            dbs.push(fresh_postgres(&url, &format!("guide_{AREA}_{name}")));
        }
    }
    dbs
}

/// A new, empty database `PREFIX_PID` on the server of `url`; its URL.
fn fresh_postgres(url: &str, prefix: &str) -> String {
    let db = format!("{prefix}_{}", std::process::id());
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect to PostgreSQL");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .expect("drop");
    c.batch_execute(&format!("CREATE DATABASE {db}"))
        .expect("create database");
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    if query.is_empty() {
        format!("{server}/{db}")
    } else {
        format!("{server}/{db}?{query}")
    }
}
