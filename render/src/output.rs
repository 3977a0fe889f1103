//! Output files that appear complete or not at all: written under a temporary name in the same
//! folder (`.NAME.partial-PID`), renamed when the run ends, removed when it fails. Never a
//! half-written file under the final name. An interrupted process removes the temporaries of
//! the runs in progress ([`remove_partials`], called by the command's Ctrl-C handler).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The temporaries of the runs in progress.
static PARTIALS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn partials() -> MutexGuard<'static, Vec<PathBuf>> {
    PARTIALS.lock().unwrap_or_else(PoisonError::into_inner)
}

fn register(tmp: &Path) {
    partials().push(tmp.to_path_buf());
}

fn unregister(tmp: &Path) {
    partials().retain(|p| p != tmp);
}

/// Removes the temporary files and folders of every run in progress: for a process that is
/// interrupted and exits without finishing its runs. Returns how many were removed.
pub fn remove_partials() -> usize {
    let mut list = partials();
    let mut removed = 0;
    for p in list.drain(..) {
        // A worker may still be adding a file to a folder: try again a few times.
        for _ in 0..5 {
            let r = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
            if r.is_ok() || !p.exists() {
                removed += 1;
                break;
            }
        }
    }
    removed
}

/// Whether `path` names standard output (`-`) or an existing file that is not a regular file
/// (`/dev/null`, a pipe): those are written in place, never renamed.
pub fn is_special(path: &Path) -> bool {
    path == Path::new("-") || fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The temporary name of `path`: `.NAME.partial-PID` beside it.
fn partial_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = format!(".{name}.partial-{}", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp),
        _ => PathBuf::from(tmp),
    }
}

/// A file being written.
pub struct Sink {
    w: BufWriter<Box<dyn Write + Send>>,
    /// `(temporary, final)` when the file is renamed at the end.
    rename: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    /// Starts writing `path` (see the module documentation).
    pub fn create(path: &Path) -> io::Result<Sink> {
        let (inner, rename): (Box<dyn Write + Send>, _) = if path == Path::new("-") {
            (Box::new(io::stdout()), None)
        } else if is_special(path) {
            (Box::new(File::options().write(true).open(path)?), None)
        } else {
            let tmp = partial_name(path);
            let f = File::create(&tmp)?;
            register(&tmp);
            (Box::new(f), Some((tmp, path.to_path_buf())))
        };
        Ok(Sink {
            w: BufWriter::with_capacity(256 * 1024, inner),
            rename,
        })
    }

    /// Appends bytes.
    pub fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)
    }

    /// Flushes and gives the file its final name.
    pub fn finish(mut self) -> io::Result<()> {
        self.w.flush()?;
        if let Some((tmp, path)) = self.rename.take() {
            unregister(&tmp);
            if let Err(e) = fs::rename(&tmp, &path) {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Drop for Sink {
    /// A sink dropped without [`Sink::finish`] (an error ended the run) removes its temporary.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            unregister(&tmp);
            let _ = fs::remove_file(tmp);
        }
    }
}

/// A folder of per-recipient files, filled under a temporary name and renamed at the end.
pub struct Folder {
    tmp: PathBuf,
    path: PathBuf,
    done: bool,
}

impl Folder {
    /// Starts filling the folder `path`, which must not exist or be empty.
    pub fn create(path: &Path) -> io::Result<Folder> {
        if let Ok(mut entries) = fs::read_dir(path) {
            if entries.next().is_some() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "the output folder {} exists and is not empty: choose another or empty it",
                        path.display()
                    ),
                ));
            }
        }
        let tmp = partial_name(path);
        fs::create_dir_all(&tmp)?;
        register(&tmp);
        Ok(Folder {
            tmp,
            path: path.to_path_buf(),
            done: false,
        })
    }

    /// Where files are written until the end.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Renames the folder to its final name.
    pub fn finish(mut self) -> io::Result<()> {
        if self.path.is_dir() {
            fs::remove_dir(&self.path)?;
        }
        fs::rename(&self.tmp, &self.path)?;
        unregister(&self.tmp);
        self.done = true;
        Ok(())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if !self.done {
            unregister(&self.tmp);
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes one recipient's file in `dir`, named after `key` (made safe for a file name); a
/// second recipient with the same key gets `KEY-lineN`, so nothing is overwritten.
pub fn write_named(dir: &Path, key: &str, line: u64, ext: &str, bytes: &[u8]) -> io::Result<()> {
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    let open = |n: &str| {
        File::options()
            .write(true)
            .create_new(true)
            .open(dir.join(format!("{n}.{ext}")))
    };
    let mut f = match open(&name) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => open(&format!("{name}-line{line}"))?,
        r => r?,
    };
    f.write_all(bytes)
}
