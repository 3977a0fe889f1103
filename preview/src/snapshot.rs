//! A value the request handlers read without ever waiting on a compile: an [`Arc`] swapped in
//! whole when something changes.
//!
//! Readers take the lock only to clone the `Arc` (a few nanoseconds); writers build the new
//! value first, outside the lock, and take it only to swap the pointer. No one ever holds it
//! while parsing, checking or analysing a campaign.

use std::sync::{Arc, PoisonError, RwLock};

/// The current snapshot of a `T`.
#[derive(Debug)]
pub struct Shared<T> {
    current: RwLock<Arc<T>>,
}

/// A snapshot could not be read: a writer panicked while swapping it (never expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poisoned;

impl<T> Shared<T> {
    /// A snapshot holding `value`.
    pub fn new(value: T) -> Shared<T> {
        Shared {
            current: RwLock::new(Arc::new(value)),
        }
    }

    /// The current snapshot.
    pub fn read(&self) -> Result<Arc<T>, Poisoned> {
        self.current
            .read()
            .map(|g| Arc::clone(&g))
            .map_err(|_| Poisoned)
    }

    /// Replaces the snapshot.
    pub fn swap(&self, value: Arc<T>) {
        let mut g = self.current.write().unwrap_or_else(PoisonError::into_inner);
        *g = value;
    }
}
