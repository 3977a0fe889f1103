//! The real file system as a [`Reader`]: the one place of the language crate allowed to touch the
//! disk (`compiler/clippy.toml` forbids it everywhere else).
#![allow(clippy::disallowed_methods)]

use super::Reader;
use std::io;
use std::path::{Path, PathBuf};

/// Reads files and folders from the file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsReader;

impl Reader for FsReader {
    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }

    fn is_dir(&self, path: &Path) -> io::Result<bool> {
        std::fs::metadata(path).map(|m| m.is_dir())
    }
}
