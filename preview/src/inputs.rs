//! What a campaign's compilation read, so that a save can be told apart from a no-op without
//! parsing anything: every file read and every folder listed goes through a [`Recorder`], and
//! [`Fingerprint::replay`] reads the same paths again and hashes what it finds.
//!
//! This is exact: the project depends on nothing else (an import added to a file changes that
//! file, a new demo recipient changes the listing of `demo/`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use guide_compiler::project::{FsReader, Reader};

/// One thing a compilation asked of the file system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Access {
    /// The text of a file.
    Read(PathBuf),
    /// The entries of a folder.
    List(PathBuf),
    /// Whether a path is a folder.
    IsDir(PathBuf),
}

/// The accesses of one compilation and the hash of what they returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// What was accessed, in order, without repeats.
    pub accesses: Vec<Access>,
    /// The hash of the results.
    pub hash: u64,
}

impl Fingerprint {
    /// The accesses made before a campaign was ever compiled: its folder, the files in it and
    /// its demo recipients (enough to notice any change until a compilation records more).
    pub fn initial(dir: &Path) -> Fingerprint {
        let mut accesses = vec![Access::List(dir.to_path_buf())];
        let demo = dir.join("demo");
        for folder in [dir, demo.as_path()] {
            let mut files: Vec<PathBuf> = FsReader.list(folder).unwrap_or_default();
            files.sort();
            accesses.extend(files.into_iter().map(Access::Read));
        }
        accesses.push(Access::List(demo));
        Fingerprint::replay_accesses(accesses)
    }

    /// The same accesses made again now.
    pub fn replay(&self) -> Fingerprint {
        Fingerprint::replay_accesses(self.accesses.clone())
    }

    fn replay_accesses(accesses: Vec<Access>) -> Fingerprint {
        let mut h = DefaultHasher::new();
        for a in &accesses {
            hash_result(&mut h, a, &FsReader);
        }
        Fingerprint {
            accesses,
            hash: h.finish(),
        }
    }
}

fn hash_result(h: &mut DefaultHasher, a: &Access, reader: &dyn Reader) {
    a.hash(h);
    match a {
        Access::Read(p) => reader.read(p).map_err(|e| e.kind()).hash(h),
        Access::List(p) => {
            let mut entries = reader.list(p).map_err(|e| e.kind());
            if let Ok(e) = &mut entries {
                e.sort();
            }
            entries.hash(h);
        }
        Access::IsDir(p) => reader.is_dir(p).map_err(|e| e.kind()).hash(h),
    }
}

/// A [`Reader`] over the file system that remembers what it was asked and hashes the answers,
/// as [`Fingerprint::replay`] will.
#[derive(Debug, Default)]
pub struct Recorder {
    seen: Mutex<(Vec<Access>, DefaultHasher)>,
}

impl Recorder {
    /// What was read so far.
    pub fn fingerprint(&self) -> Fingerprint {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        Fingerprint {
            accesses: seen.0.clone(),
            hash: seen.1.finish(),
        }
    }

    fn note<T: Hash>(&self, a: Access, result: &io::Result<T>) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.0.contains(&a) {
            return;
        }
        a.hash(&mut seen.1);
        result.as_ref().map_err(io::Error::kind).hash(&mut seen.1);
        seen.0.push(a);
    }
}

/// Files larger than this are not read (a campaign file, a schema or a demo recipient is a few
/// kilobytes).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

impl Reader for Recorder {
    fn read(&self, path: &Path) -> io::Result<String> {
        let r = match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
            )),
            _ => FsReader.read(path),
        };
        self.note(Access::Read(path.to_path_buf()), &r);
        r
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut r = FsReader.list(dir);
        if let Ok(e) = &mut r {
            e.sort();
        }
        self.note(Access::List(dir.to_path_buf()), &r);
        r
    }

    fn is_dir(&self, path: &Path) -> io::Result<bool> {
        let r = FsReader.is_dir(path);
        self.note(Access::IsDir(path.to_path_buf()), &r);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_matches_until_a_file_read_changes() {
        let dir = std::env::temp_dir().join(format!("guide-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("demo")).expect("mkdir");
        std::fs::write(dir.join("a.guide"), "campaign a {}").expect("write");
        let rec = Recorder::default();
        let _ = rec.is_dir(&dir);
        let _ = rec.list(&dir);
        let _ = rec.read(&dir.join("a.guide"));
        let _ = rec.read(&dir.join("a.guide"));
        let fp = rec.fingerprint();
        assert_eq!(fp.accesses.len(), 3);
        assert_eq!(fp.replay(), fp);
        let initial = Fingerprint::initial(&dir);
        assert_eq!(initial.replay(), initial);
        std::fs::write(dir.join("a.guide"), "campaign b {}").expect("write");
        assert_ne!(fp.replay().hash, fp.hash);
        assert_ne!(initial.replay().hash, initial.hash);
        let before = initial.replay();
        std::fs::write(dir.join("demo/x.json"), "{}").expect("write");
        assert_ne!(initial.replay().hash, before.hash, "a new demo recipient");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
