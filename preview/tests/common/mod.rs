//! What the preview tests share: a temporary copy of the campaigns and a server on an
//! ephemeral loopback port.

#![allow(dead_code)] // each test file uses its own part

use guide_preview::{Options, Preview};
use std::path::{Path, PathBuf};

/// A copy of `campaigns/` in a fresh temporary folder, removed on drop.
pub struct TempCampaigns {
    /// The temporary folder (holding `campaigns/`).
    pub dir: PathBuf,
}

impl TempCampaigns {
    /// A copy for the test file `suite`, test `name` (unique per process).
    pub fn new(suite: &str, name: &str) -> TempCampaigns {
        let dir = std::env::temp_dir().join(format!("guide-{suite}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&campaigns(), &dir.join("campaigns"));
        TempCampaigns { dir }
    }

    /// The copied `campaigns/` folder.
    pub fn root(&self) -> PathBuf {
        self.dir.join("campaigns")
    }
}

impl Drop for TempCampaigns {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The project's `campaigns/` folder.
pub fn campaigns() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../campaigns")
}

/// Copies a folder and everything under it.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create folder");
    for entry in std::fs::read_dir(src).expect("read folder") {
        let entry = entry.expect("entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
}

/// A preview of the campaigns under `root` on 127.0.0.1, on a port the system picks, watching
/// the files.
pub fn start(root: &Path) -> Preview {
    Preview::start(&Options {
        root: root.to_path_buf(),
        host: "127.0.0.1".parse().expect("ip"),
        port: 0,
        watch: true,
    })
    .expect("the preview starts")
}
