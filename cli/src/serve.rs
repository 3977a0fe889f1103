//! `guide serve --db DB [--host 127.0.0.1] [--port N] [--grace DAYS] [--as-of DATE]`: every
//! recipient's own guide at `/g/TOKEN`. The work is done by [`guide_server::serve`].

use super::publish::shown_db;
use super::EXIT_USAGE;
use guide_runtime::Date;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

/// The arguments of `guide serve`.
#[derive(clap::Args)]
pub struct Args {
    /// The database: a SQLite file, or a postgres:// URL.
    #[arg(long)]
    db: String,
    /// The address to listen on (put a TLS reverse proxy in front: see the README).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The port (0: a free one, printed at start).
    #[arg(long, default_value_t = 8090)]
    port: u16,
    /// Days personal data is kept after a window closes (purged at start and then daily).
    #[arg(long, default_value_t = 0)]
    grace: u32,
    /// Failed token look-ups a client may make per minute before it gets 429.
    #[arg(long = "failures-per-minute", default_value_t = 20)]
    failures_per_minute: u32,
    /// DEMOS AND TESTS ONLY: view the guides as on this day (YYYY-MM-DD) instead of today, or
    /// `first-day`: each guide as on the first day of its own window (nothing is purged then).
    #[arg(long = "as-of", value_parser = as_of)]
    as_of: Option<AsOf>,
    /// Connections one client address may hold (behind a reverse proxy every connection
    /// comes from the proxy: raise it to the proxy's).
    #[arg(long = "max-per-address", default_value_t = 64)]
    max_per_address: usize,
    /// A reverse proxy whose `X-Forwarded-For` header names the client (repeatable): failed
    /// look-ups are then counted per client, not per proxy. From other addresses the header is
    /// ignored.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    trusted_proxy: Vec<IpAddr>,
    /// Event batches (what the players report) one client address may send per minute.
    #[arg(long = "event-batches-per-minute", default_value_t = 120)]
    event_batches_per_minute: u32,
    /// Days the anonymised events are kept (purged at start and then daily).
    #[arg(long = "event-days", default_value_t = 730)]
    event_days: u32,
    /// No line per request on standard error.
    #[arg(long)]
    quiet: bool,
    /// The campaigns' folder: `/visual/CAMPAIGN/NAME` serves the pictures next to each
    /// campaign's `.guide` file (without it the player shows a neutral picture).
    #[arg(long, value_name = "DIR")]
    visuals: Option<std::path::PathBuf>,
    /// Speak the guides (`/g/TOKEN/audio`, Ogg Opus), keeping the files in DIR: each made on
    /// its first request (espeak-ng and opusenc, from Debian's packages).
    #[arg(long = "audio-cache", value_name = "DIR")]
    audio_cache: Option<std::path::PathBuf>,
    /// With --audio-cache: another voice, a command that reads SSML on standard input and
    /// writes a WAV file on standard output (`{wpm}` becomes the speaking rate).
    #[arg(
        long = "voice-command",
        value_name = "COMMAND",
        requires = "audio_cache"
    )]
    voice_command: Option<String>,
}

/// The day of the views, when it is not today.
#[derive(Debug, Clone, Copy)]
enum AsOf {
    Day(Date),
    FirstDay,
}

fn as_of(s: &str) -> Result<AsOf, String> {
    if s == "first-day" {
        return Ok(AsOf::FirstDay);
    }
    Date::parse_iso(s)
        .map(AsOf::Day)
        .ok_or_else(|| "expected a date written YYYY-MM-DD, or first-day".into())
}

pub fn run(args: Args) -> ExitCode {
    match args.as_of {
        Some(AsOf::Day(d)) => eprintln!("WARNING: --as-of {d}: every guide is viewed as on {d}, not today. For demos and tests only."),
        Some(AsOf::FirstDay) => eprintln!("WARNING: --as-of first-day: every guide is viewed as on the first day of its own window, not today, and nothing is purged. For demos only."),
        None => {}
    }
    let opts = guide_server::serve::Options {
        addr: SocketAddr::new(args.host, args.port),
        as_of: match args.as_of {
            Some(AsOf::Day(d)) => Some(d),
            _ => None,
        },
        each_window: matches!(args.as_of, Some(AsOf::FirstDay)),
        grace_days: args.grace,
        failures_per_minute: args.failures_per_minute,
        log: !args.quiet,
        max_per_address: args.max_per_address,
        trusted_proxies: args.trusted_proxy.clone(),
        visuals: args.visuals.clone(),
        voice: args
            .audio_cache
            .clone()
            .map(|cache| guide_server::serve::audio::VoiceOptions {
                cache,
                command: args.voice_command.clone(),
            }),
        event_batches_per_minute: args.event_batches_per_minute,
        event_days: args.event_days,
    };
    let db = args.db.clone();
    let (running, purged) = match guide_server::serve::start(move || guide_server::open(&db), &opts)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    eprintln!(
        "purged {} recipient(s) of {} at start (grace {} day(s))",
        super::render::count(purged),
        shown_db(&args.db),
        args.grace
    );
    // The address on standard output, alone on its line: scripts and tests read it.
    println!("http://{}/", running.addr());
    eprintln!(
        "guides at http://{}/g/TOKEN (Ctrl-C to stop)",
        running.addr()
    );
    loop {
        std::thread::park();
    }
}
