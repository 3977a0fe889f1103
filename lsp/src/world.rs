//! The open documents, and a campaign read with them in place of the files on disk.

use guide_compiler::project::{self, FsReader, Project, Reader};
use lsp_types::Url;
use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its URI as the client gave it.
    pub uri: Url,
    /// Its current text.
    pub text: String,
}

/// What the server knows: the open documents, by normalised path.
#[derive(Debug, Default)]
pub struct World {
    /// The open documents.
    pub docs: BTreeMap<PathBuf, Document>,
}

/// Reads open documents from memory and everything else from disk.
struct Overlay<'a>(&'a BTreeMap<PathBuf, Document>);

impl Reader for Overlay<'_> {
    fn read(&self, path: &Path) -> io::Result<String> {
        match self.0.get(&normalize(path)) {
            Some(doc) => Ok(doc.text.clone()),
            None => FsReader.read(path),
        }
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        FsReader.list(dir)
    }

    fn is_dir(&self, path: &Path) -> io::Result<bool> {
        if self.0.contains_key(&normalize(path)) {
            return Ok(false);
        }
        FsReader.is_dir(path)
    }
}

impl World {
    /// The path of a `file:` URI, normalised.
    pub fn path_of(uri: &Url) -> Option<PathBuf> {
        uri.to_file_path().ok().map(|p| normalize(&p))
    }

    /// The URI of a path the compiler names a file with.
    pub fn uri_of(&self, path: &str) -> Option<Url> {
        let p = normalize(Path::new(path));
        match self.docs.get(&p) {
            Some(doc) => Some(doc.uri.clone()),
            None => Url::from_file_path(&p).ok(),
        }
    }

    /// The project whose first file is `path` (a campaign or a library), read with the open
    /// documents; `None` if it cannot be read at all.
    pub fn project(&self, path: &Path) -> Option<Project> {
        project::load_with(path, &Overlay(&self.docs)).ok()
    }
}

/// `a/b/../c` as `a/c`, as the compiler names imported files.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
