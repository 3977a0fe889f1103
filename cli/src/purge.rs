//! `guide purge --db DB [--grace DAYS] [--as-of DATE]`: retention. The work is done by
//! [`guide_server::purge`](mod@guide_server::purge).

use super::publish::shown_db;
use super::EXIT_USAGE;
use guide_runtime::Date;
use std::process::ExitCode;

/// The arguments of `guide purge`.
#[derive(clap::Args)]
pub struct Args {
    /// The database: a SQLite file, or a postgres:// URL.
    #[arg(long)]
    db: String,
    /// Days to keep the data after a recipient's window has closed.
    #[arg(long, default_value_t = 0)]
    grace: u32,
    /// The day to purge as of (YYYY-MM-DD; default: today, UTC).
    #[arg(long = "as-of", value_parser = date)]
    as_of: Option<Date>,
}

fn date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s).ok_or_else(|| "expected a date written YYYY-MM-DD".into())
}

pub fn run(args: Args) -> ExitCode {
    let mut store = match guide_server::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let as_of = args.as_of.unwrap_or_else(guide_server::purge::today);
    match guide_server::purge(store.as_mut(), as_of, args.grace) {
        Ok(n) => {
            eprintln!(
                "purged {} recipient(s) of {} whose window closed {} day(s) or more before {as_of}",
                super::render::count(n),
                shown_db(&args.db),
                args.grace
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
