//! `guide publish PATH --data FILE --db DB`: every eligible recipient stored in the recipient
//! service's database with a personal token; links and QR codes on request. The work is done
//! by [`guide_server`].

use super::render::EXIT_REJECTED;

/// What an interrupted run prints on standard error.
const INTERRUPTED: &str =
    "interrupted: the recipients committed so far stay published; run again to complete";
use super::EXIT_USAGE;
use clap::builder::TypedValueParser as _;
use guide_compiler::notify::Notifier;
use guide_render::InputFormat;
use guide_server::links::{BaseUrl, LinkOptions};
use guide_server::publish::BATCH_ROWS;
use guide_server::{OutboxHandle, PublishError, PublishOptions, PublishPaths, Summary};
use std::sync::{Arc, Mutex};

use super::outbox::FileOutbox;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Input: JSON Lines or CSV, exactly as for `guide render` (see `guide render --help`).

Every record read is published, listed as not eligible in --not-eligible, or rejected with its
line number, key and error in --rejects; the summary checks read = published + not eligible +
rejected. It prints counts only, never a recipient's data.

Each published recipient gets an opaque personal token (128 random bits); the row holds the
campaign version, the record and the availability window, and the key attribute only as a keyed
hash. Publishing the same recipients again keeps their tokens, updates their data and serves the
new campaign version. Recipients are written 10,000 per transaction: an interrupted run keeps
what it committed, and running it again completes the work.

--db: a SQLite file (created if needed) or a postgres:// URL.
--links FILE writes a CSV manifest (key, url, available_from, available_until [exclusive],
qr_url, qr_file); --qr DIR one QR code per recipient (TOKEN.svg, TOKEN.png) for BASE/g/TOKEN?c=qr.
Both need --base-url.
--outbox DIR writes the notifications the campaign declares (`notify` blocks) for every
published recipient: io.jsonl (app IO message requests), sms.jsonl (number, text, segments,
encoding), email/NNNNNNNN.eml (RFC 5322, plain text and HTML), skipped.jsonl (key, channel,
reason: no consent, no contact, a malformed number or address) and summary.json (per channel).
Needs --base-url (links of at most 80 characters) and the campaign's source.

Exit codes: 0 every record published or not eligible; 3 some records rejected (the others are
published); 1 the campaign has errors; 2 usage, I/O or database problems; 130 interrupted.";

/// The arguments of `guide publish`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// A campaign (.guide file or folder), or a compiled .guidec file.
    path: PathBuf,
    /// The recipients: JSON Lines, or CSV with a header row.
    #[arg(long)]
    data: PathBuf,
    /// The database: a SQLite file, or a postgres:// URL.
    #[arg(long)]
    db: String,
    /// The format of the data (default: CSV for a .csv file, JSON Lines otherwise).
    #[arg(long, value_parser = input_format())]
    input: Option<InputFormat>,
    /// The rejected records (default: DATA.rejects.jsonl beside the data).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// The recipients who are not eligible (default: DATA.not-eligible.jsonl beside the data).
    #[arg(long = "not-eligible")]
    not_eligible: Option<PathBuf>,
    /// Write a CSV manifest of the links (key, URL, window, QR file).
    #[arg(long, requires = "base_url")]
    links: Option<PathBuf>,
    /// Write one QR code per recipient (SVG and PNG) into this folder (must not exist or be
    /// empty).
    #[arg(long, requires = "base_url")]
    qr: Option<PathBuf>,
    /// Write the notifications of every published recipient into this folder (must not exist or
    /// be empty): io.jsonl, sms.jsonl, email/*.eml, skipped.jsonl, summary.json. Needs the
    /// campaign's source.
    #[arg(long, requires = "base_url")]
    outbox: Option<PathBuf>,
    /// The base of the links (http or https): a link is BASE/g/TOKEN.
    #[arg(long = "base-url", value_parser = base_url)]
    base_url: Option<BaseUrl>,
    /// Recipients per transaction.
    #[arg(long, default_value_t = BATCH_ROWS)]
    batch: usize,
    /// The day eligibility is decided for, which `today` reads (YYYY-MM-DD; default: today).
    /// Each page is evaluated again, as on the day it is viewed.
    #[arg(long = "as-of", value_parser = super::as_of::parse)]
    as_of: Option<guide_runtime::Date>,
}

fn base_url(s: &str) -> Result<BaseUrl, String> {
    BaseUrl::parse(s).map_err(|e| e.to_string())
}

/// The values of `--input`, with their help.
fn input_format() -> impl clap::builder::TypedValueParser<Value = InputFormat> {
    let values =
        InputFormat::ALL.map(|(_, name, help)| clap::builder::PossibleValue::new(name).help(help));
    clap::builder::PossibleValuesParser::new(values).map(|name: String| {
        InputFormat::ALL
            .into_iter()
            .find(|(_, n, _)| *n == name)
            .map_or(InputFormat::Jsonl, |(f, _, _)| f)
    })
}

/// The database as shown to people: a PostgreSQL URL may hold a password.
pub fn shown_db(db: &str) -> String {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        "PostgreSQL".into()
    } else {
        db.to_owned()
    }
}

pub fn run(args: Args) -> ExitCode {
    let program = match super::build::load(&args.path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let outbox = match (&args.outbox, &args.base_url) {
        (Some(dir), Some(base)) => match outbox(
            &args.path,
            dir,
            base,
            &program,
            super::as_of::or_today(args.as_of),
        ) {
            Ok(o) => Some(o),
            Err(code) => return code,
        },
        _ => None,
    };
    if args.batch == 0 {
        eprintln!("error: --batch must be at least 1");
        return ExitCode::from(EXIT_USAGE);
    }
    let mut store = match guide_server::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // Ctrl-C ends the run: the batch in progress is rolled back (its transaction never
    // commits), the lists are not left behind (guide_render::interrupt removes them).
    if let Err(e) = guide_render::interrupt::install(INTERRUPTED) {
        eprintln!("error: cannot handle interrupts: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let links = args.base_url.map(|base| LinkOptions {
        base,
        manifest: args.links,
        qr_dir: args.qr,
    });
    let paths = PublishPaths::new(args.data, args.rejects, args.not_eligible);
    let opts = PublishOptions {
        input: args
            .input
            .unwrap_or_else(|| InputFormat::of_path(&paths.data)),
        batch_rows: args.batch,
        links: links.filter(|l| l.manifest.is_some() || l.qr_dir.is_some()),
        as_of: Some(super::as_of::or_today(args.as_of)),
        outbox,
    };
    match guide_server::publish(store.as_mut(), &program, &paths, &opts) {
        Ok(s) => {
            print_summary(program.metadata().id, &paths, &shown_db(&args.db), &s);
            if s.rejected > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(PublishError::Interrupted) => guide_render::interrupt::exit(INTERRUPTED),
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                PublishError::Usage(_)
                | PublishError::Io(_)
                | PublishError::Store(_)
                | PublishError::Interrupted => ExitCode::from(EXIT_USAGE),
            }
        }
    }
}

/// The notifications outbox: the campaign compiled from source, its notifications with it.
fn outbox(
    path: &Path,
    dir: &Path,
    base: &BaseUrl,
    program: &guide_runtime::Program,
    as_of: guide_runtime::Date,
) -> Result<OutboxHandle, ExitCode> {
    let is_source = !path.is_file() || path.extension().is_some_and(|e| e == "guide");
    if !is_source {
        eprintln!("error: --outbox needs the campaign's source (a .guide file or folder)");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let compiled = super::build::compile_project(path)?;
    let Some(campaign) = compiled.campaign else {
        return Err(ExitCode::from(super::EXIT_ERRORS));
    };
    if campaign.notifications.is_empty() {
        eprintln!("error: --outbox: the campaign declares no `notify` block");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let notifier = match Notifier::new(&campaign) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: the notifications do not compile: {e}");
            return Err(ExitCode::from(super::EXIT_ERRORS));
        }
    };
    let key = program.schema().key.clone().unwrap_or_default();
    match FileOutbox::create(dir, notifier, base.clone(), &key, program.metadata().id) {
        Ok(o) => Ok(OutboxHandle(Arc::new(Mutex::new(o.at(Some(as_of)))))),
        Err(e) => {
            eprintln!("error: --outbox {}: {e}", dir.display());
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

fn print_summary(campaign: &str, paths: &PublishPaths, db: &str, s: &Summary) {
    let shown = |p: &Path| p.display().to_string();
    let count = super::render::count;
    eprintln!("published {campaign}: {} -> {db}", shown(&paths.data));
    eprintln!("  read          {:>12}", count(s.read));
    eprintln!(
        "  published     {:>12}  ({} new, {} updated)",
        count(s.published),
        count(s.created),
        count(s.published - s.created)
    );
    if s.withdrawn > 0 {
        eprintln!(
            "  withdrawn     {:>12}  (published before, not eligible now: link closed, data deleted)",
            count(s.withdrawn)
        );
    }
    super::render::print_accounting(
        (s.not_eligible, &paths.not_eligible),
        (s.rejected, &paths.rejects),
        s.elapsed,
        s.per_second(),
    );
}
