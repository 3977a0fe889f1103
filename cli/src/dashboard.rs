//! `guide dashboard --db DB [--host 127.0.0.1] [--port N]`: the staff's monitoring dashboard,
//! on an address of its own. The work is done by [`guide_dashboard`].

use super::publish::shown_db;
use super::EXIT_USAGE;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

/// The arguments of `guide dashboard`.
#[derive(clap::Args)]
pub struct Args {
    /// The database: a SQLite file, or a postgres:// URL (the one `guide serve` uses).
    #[arg(long)]
    db: String,
    /// The address to listen on: the staff's network only, never the recipients' (see the
    /// README).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The port (0: a free one, printed at start).
    #[arg(long, default_value_t = 8091)]
    port: u16,
    /// No line per request on standard error.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: Args) -> ExitCode {
    let store = match guide_server::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let opts = guide_dashboard::Options {
        addr: SocketAddr::new(args.host, args.port),
        log: !args.quiet,
    };
    let running = match guide_dashboard::start(store, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // The address on standard output, alone on its line: scripts and tests read it.
    println!("http://{}/", running.addr());
    eprintln!(
        "dashboard of {} at http://{}/ (Ctrl-C to stop)",
        shown_db(&args.db),
        running.addr()
    );
    loop {
        std::thread::park();
    }
}
