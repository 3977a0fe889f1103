//! Output files that appear complete or not at all: written under a temporary name in the same
//! folder, renamed when the run ends. An interrupted run leaves only the temporary
//! (`.NAME.partial-PID`), never a half-written file under the final name.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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
            fs::rename(&tmp, &path)?;
        }
        Ok(())
    }
}

impl Drop for Sink {
    /// A sink dropped without [`Sink::finish`] (an error ended the run) removes its temporary.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
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
        self.done = true;
        Ok(())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if !self.done {
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
