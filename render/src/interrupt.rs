//! Interrupts (Ctrl-C, `SIGTERM`, `SIGHUP`) that leave nothing behind, for any command that
//! writes files which must appear complete or not at all: `guide render` today, `guide publish`
//! tomorrow. A command calls [`install`] once; its work writes its temporaries under a
//! [`guard`], registers them with [`register`] and renames them to their final names in one
//! [`commit`].
//!
//! # Why it is correct by construction
//!
//! One rule: **every write into a registered temporary happens under the gate**, a read lock
//! that [`guard`] takes and that refuses (with [`Interrupted`]) once an interrupt is requested.
//! Creating and registering a temporary, writing a batch, creating a per-recipient file in a
//! temporary folder, flushing and renaming at the end: all under a guard. So when a signal comes,
//! the handler installed by [`install`], and only it, does this:
//!
//! 1. it sets the flag: from now on no write can start (a worker that comes next gets
//!    [`Interrupted`] from [`guard`], never a folder that has vanished under it);
//! 2. it takes the gate for writing, which waits for the writes in progress to end;
//! 3. it removes every registered temporary (nothing can be writing into them any more), prints
//!    the command's message and exits with [`EXIT_INTERRUPTED`].
//!
//! The one exception is a commit that got the gate first: it checks the flag under the gate, and
//! if no interrupt was requested it renames every temporary and marks the work done; the handler,
//! when it gets the gate, then leaves the process alone, and it ends normally with every file
//! complete. A commit that finds the flag set does nothing and returns [`Interrupted`].
//!
//! Meanwhile the workers that see the flag stop, and the work returns [`Interrupted`] to its
//! owner, which drops its temporaries and calls [`exit`]. Dropping one [`discard`]s it: removes
//! it, and only then unregisters it, so a handler that exits while an owner is still removing a
//! large folder has removed that folder too (the handler may remove a temporary the owner is
//! removing or has removed: removing twice is harmless). Whichever of the handler and the owner
//! gets there first, the process exits with 130 and nothing is left. Without [`install`] (a
//! library, a test) the flag is set by [`request`] and the work ends the same way, its owner
//! removing its temporaries.
//!
//! A write that blocks for ever (standard output into a pipe nobody reads) holds the gate, so
//! the handler waits for it.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

/// The exit code of an interrupted command: 128 + `SIGINT`, as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// An interrupt was requested: the work stopped and wrote nothing under a final name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// Set by the signal handler (or [`request`]): no write starts any more.
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// Held for reading by every write into a temporary, for writing by the signal handler.
static GATE: RwLock<()> = RwLock::new(());
/// The temporaries of the work in progress, and whether the last work committed (renamed its
/// files to their final names) since the last temporary was registered.
static STATE: Mutex<State> = Mutex::new(State {
    temporaries: Vec::new(),
    committed: false,
});
/// Taken by [`exit`] and never released, so that the process exits once.
static EXITING: Mutex<()> = Mutex::new(());

struct State {
    temporaries: Vec<PathBuf>,
    committed: bool,
}

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Permission to write into temporaries, until dropped. See [`guard`].
pub struct Guard {
    _read: RwLockReadGuard<'static, ()>,
}

/// Permission to write into a temporary: refused once an interrupt is requested. Hold it for
/// the write only (a batch, a file), never while waiting for another thread, and never take a
/// second one while holding one.
pub fn guard() -> Result<Guard, Interrupted> {
    let read = GATE.read().unwrap_or_else(PoisonError::into_inner);
    if requested() {
        return Err(Interrupted);
    }
    Ok(Guard { _read: read })
}

/// Whether an interrupt was requested (a cheap check for a loop between two writes).
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Requests an interrupt, as a signal does, without exiting: the work in progress stops at its
/// next write and returns [`Interrupted`]. For embedders and tests.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Registers a temporary file or folder, to be removed if the process is interrupted. Call it
/// under a [`guard`], right after creating the temporary.
pub fn register(temporary: &Path) {
    let mut st = state();
    st.temporaries.push(temporary.to_path_buf());
    st.committed = false;
}

/// Forgets a temporary that was renamed or removed.
pub fn unregister(temporary: &Path) {
    state().temporaries.retain(|p| p != temporary);
}

/// Removes a temporary file or folder that will not be renamed, then unregisters it: while it
/// is being removed it stays registered, so the signal handler, if it comes meanwhile, removes
/// it as well before the process exits.
pub fn discard(temporary: &Path) {
    remove(temporary);
    unregister(temporary);
}

/// Removes a file or a folder and everything in it. A removal running at the same time (the
/// owner's and the handler's) makes entries vanish under it: it tries again until nothing is
/// left, a few times.
fn remove(p: &Path) {
    for _ in 0..3 {
        let r = match fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(p),
            Ok(_) => fs::remove_file(p),
            Err(_) => return,
        };
        if r.is_ok() {
            return;
        }
    }
}

/// Runs `rename`, which gives the temporaries their final names (and unregisters them), unless
/// an interrupt was requested: then nothing is renamed. Once `rename` has run, the signal
/// handler lets the process end normally.
pub fn commit<T>(rename: impl FnOnce() -> T) -> Result<T, Interrupted> {
    let _g = guard()?;
    let r = rename();
    state().committed = true;
    Ok(r)
}

/// Removes every registered temporary. Only the signal handler calls it, holding the gate.
fn remove_temporaries() {
    let list = std::mem::take(&mut state().temporaries);
    for p in list {
        remove(&p);
    }
}

/// Prints `message` on standard error and exits with [`EXIT_INTERRUPTED`], once (a second
/// caller waits for the process to end).
pub fn exit(message: &str) -> ! {
    let _once = EXITING.lock().unwrap_or_else(PoisonError::into_inner);
    eprintln!("{message}");
    std::process::exit(i32::from(EXIT_INTERRUPTED))
}

/// Installs the handler of Ctrl-C, `SIGTERM` and `SIGHUP` described in the
/// [module documentation](self): it stops every write, removes the temporaries, prints
/// `message` and exits with [`EXIT_INTERRUPTED`], unless the work has just committed. Call it
/// once, before the work creates anything.
pub fn install(message: &'static str) -> io::Result<()> {
    ctrlc::set_handler(move || {
        request();
        let _writing = GATE.write().unwrap_or_else(PoisonError::into_inner);
        if state().committed {
            return;
        }
        remove_temporaries();
        exit(message);
    })
    .map_err(io::Error::other)
}
