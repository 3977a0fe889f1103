//! The open documents, and a campaign read with them in place of the files on disk.

use guide_compiler::project::{self, FsReader, Project, Reader};
use lsp_types::Url;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its URI as the client gave it.
    pub uri: Url,
    /// Its current text.
    pub text: String,
}

/// What the server knows: the open documents, by normalised path, and the projects read
/// since the last change (hover, completion and the rest ask for the same project again and
/// again between two keystrokes).
#[derive(Debug, Default)]
pub struct World {
    docs: BTreeMap<PathBuf, Document>,
    projects: RefCell<HashMap<PathBuf, Option<Rc<Project>>>>,
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

    /// The open documents.
    pub fn docs(&self) -> &BTreeMap<PathBuf, Document> {
        &self.docs
    }

    /// Opens or replaces a document.
    pub fn open(&mut self, path: PathBuf, doc: Document) {
        self.docs.insert(path, doc);
        self.projects.get_mut().clear();
    }

    /// Closes a document: the file on disk is read again.
    pub fn close(&mut self, path: &Path) {
        self.docs.remove(path);
        self.projects.get_mut().clear();
    }

    /// The project whose first file is `path` (a campaign or a library), read with the open
    /// documents; `None` if it cannot be read at all.
    pub fn project(&self, path: &Path) -> Option<Rc<Project>> {
        if let Some(found) = self.projects.borrow().get(path) {
            return found.clone();
        }
        let read = project::load_with(path, &Overlay(&self.docs))
            .ok()
            .map(Rc::new);
        self.projects
            .borrow_mut()
            .insert(path.to_path_buf(), read.clone());
        read
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
