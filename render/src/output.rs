//! Output files that appear complete or not at all: written under a temporary name in the same
//! folder (`.NAME.partial-PID`), renamed when the run ends, removed when it fails or is
//! interrupted. Never a half-written file under the final name. Every temporary is created,
//! written and renamed under an [`interrupt::guard`] and registered
//! with [`interrupt`], whose signal handler removes them.

use crate::interrupt::{self, Interrupted};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why a file or folder could not be created.
#[derive(Debug)]
pub enum CreateError {
    /// An interrupt was requested.
    Interrupted,
    /// The file system refused.
    Io(io::Error),
}

impl From<io::Error> for CreateError {
    fn from(e: io::Error) -> CreateError {
        CreateError::Io(e)
    }
}

impl From<CreateError> for io::Error {
    /// An interrupt becomes [`io::ErrorKind::Interrupted`], for callers that only speak `io`.
    fn from(e: CreateError) -> io::Error {
        match e {
            CreateError::Interrupted => io::Error::new(io::ErrorKind::Interrupted, "interrupted"),
            CreateError::Io(e) => e,
        }
    }
}

impl From<Interrupted> for CreateError {
    fn from(_: Interrupted) -> CreateError {
        CreateError::Interrupted
    }
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
    pub fn create(path: &Path) -> Result<Sink, CreateError> {
        let _g = interrupt::guard()?;
        let (inner, rename): (Box<dyn Write + Send>, _) = if path == Path::new("-") {
            (Box::new(io::stdout()), None)
        } else if is_special(path) {
            (Box::new(File::options().write(true).open(path)?), None)
        } else {
            let tmp = partial_name(path);
            let f = File::create(&tmp)?;
            interrupt::register(&tmp);
            (Box::new(f), Some((tmp, path.to_path_buf())))
        };
        Ok(Sink {
            w: BufWriter::with_capacity(256 * 1024, inner),
            rename,
        })
    }

    /// Appends bytes (under an [`interrupt::guard`]).
    pub fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)
    }

    /// Writes what is buffered (under an [`interrupt::guard`]).
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// Flushes and gives the file its final name (under an [`interrupt::guard`], in an
    /// [`interrupt::commit`]).
    pub fn finish(mut self) -> io::Result<()> {
        self.w.flush()?;
        if let Some((tmp, path)) = self.rename.take() {
            if let Err(e) = fs::rename(&tmp, &path) {
                interrupt::discard(&tmp);
                return Err(e);
            }
            interrupt::unregister(&tmp);
        }
        Ok(())
    }
}

impl Drop for Sink {
    /// A sink dropped without [`Sink::finish`] (an error ended the run) removes its temporary.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            interrupt::discard(&tmp);
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
    pub fn create(path: &Path) -> Result<Folder, CreateError> {
        if fs::metadata(path).is_ok_and(|m| !m.is_dir()) {
            return Err(CreateError::Io(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it is not a folder (this format writes one file per recipient into a folder)",
            )));
        }
        if let Ok(mut entries) = fs::read_dir(path) {
            if entries.next().is_some() {
                return Err(CreateError::Io(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "it exists and is not empty: choose another or empty it",
                )));
            }
        }
        let tmp = partial_name(path);
        let _g = interrupt::guard()?;
        fs::create_dir_all(&tmp)?;
        interrupt::register(&tmp);
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
        interrupt::unregister(&self.tmp);
        self.done = true;
        Ok(())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if !self.done {
            interrupt::discard(&self.tmp);
        }
    }
}

/// Writes one recipient's file in `dir`, named after `key` (made safe for a file name); a
/// second recipient with the same key gets `KEY-lineN`, so nothing is overwritten. Call it under
/// an [`interrupt::guard`]. An error names the file.
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
    let named =
        |e: io::Error, path: &Path| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut path = dir.join(format!("{name}.{ext}"));
    let open = |p: &Path| File::options().write(true).create_new(true).open(p);
    let mut f = match open(&path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            path = dir.join(format!("{name}-line{line}.{ext}"));
            open(&path).map_err(|e| named(e, &path))?
        }
        r => r.map_err(|e| named(e, &path))?,
    };
    f.write_all(bytes).map_err(|e| named(e, &path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_cannot_be_written_is_named() {
        let dir = std::env::temp_dir().join(format!("guide-no-such-folder-{}", std::process::id()));
        let e = write_named(&dir, "RSSMRA", 3, "vtt", b"WEBVTT\n").expect_err("no folder");
        assert!(
            e.to_string()
                .contains(&format!("{}", dir.join("RSSMRA.vtt").display())),
            "{e}"
        );
    }
}
