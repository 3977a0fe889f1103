//! Retention: once a recipient's window has closed (plus a grace period), their personal data
//! is deleted. The row keeps only what the service needs to answer "no longer available"
//! (HTTP 410): the token, the campaign and version, the window's dates.

use crate::store::Store;
use crate::StoreError;
use guide_runtime::Date;

/// Deletes the record and the key hash of every recipient whose window ended more than `grace_days`
/// days before `as_of` (a window `[from, until)` is purged from the day `until + grace`).
/// Returns the number of recipients purged. Rows without an end date are never purged.
pub fn purge(store: &mut dyn Store, as_of: Date, grace_days: u32) -> Result<u64, StoreError> {
    let cutoff = Date::from_days(as_of.to_days() - i64::from(grace_days)).unwrap_or(Date::MIN);
    store.purge_until(cutoff)
}

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0)).unwrap_or(Date::MIN)
}
