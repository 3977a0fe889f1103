//! `--as-of DATE`: the reference date a campaign's `today` reads. The runtime never reads a
//! clock: the command decides the day, by default the current date (UTC) taken here.

use guide_runtime::Date;

/// Parses `--as-of`.
pub fn parse(s: &str) -> Result<Date, String> {
    Date::parse_iso(s).ok_or_else(|| "expected a date written YYYY-MM-DD".into())
}

/// The date given, or today's.
pub fn or_today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(guide_server::purge::today)
}
