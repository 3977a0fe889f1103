//! The `.guide` files under the workspace folders, for the answers that reach campaigns nobody
//! has open (rename).

use crate::world;
use std::path::{Path, PathBuf};

/// At most this many files are looked at (a workspace opened at `/` must not hang the editor).
const MAX_FILES: usize = 5_000;

/// Every `.guide` file under `roots`, skipping hidden folders, build output and Node packages.
pub fn guide_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        let walk = walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped(e.path()));
        for entry in walk.flatten() {
            if out.len() >= MAX_FILES {
                return out;
            }
            let path = entry.path();
            if entry.file_type().is_file() && path.extension().is_some_and(|x| x == "guide") {
                out.push(world::normalize(path));
            }
        }
    }
    out
}

fn skipped(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n == "target" || n == "node_modules")
}
