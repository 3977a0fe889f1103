//! `guide render PATH --data FILE --out FILE`: every recipient's guide, streamed, on every
//! core. The work is done by [`guide_render`].

use super::EXIT_USAGE;
use clap::builder::TypedValueParser as _;
use guide_render as render;
use guide_render::formats::OutputFormat;
use guide_render::{InputFormat, Options, Paths, RenderError, Summary};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code: the run completed but some records were rejected (see the rejects file).
pub const EXIT_REJECTED: u8 = 3;
/// What an interrupted run prints on standard error.
const INTERRUPTED: &str = "interrupted: nothing was written under the output's name";

const AFTER_HELP: &str = "\
Input: JSON Lines (one object per line; blank lines are skipped) or CSV with a header row
naming the attributes (chosen by the .csv extension, or --input). CSV cells are typed by the
schema: true/false, 1234, 0.75, money as 1234.50, dates as YYYY-MM-DD, enum values as declared,
sets as values separated by |, an empty cell is an absent value; a field of a nested record is
a column named parent.field; a list attribute is one column holding a JSON array of objects
(lists are best given in JSON Lines).

Output: --format json writes one timeline JSON object per line, in input order, to --out.
vtt, transcript, ssml and audio write one file per recipient (KEY.vtt, KEY.txt, KEY.ssml,
KEY.opus: the narration spoken, each sentence at its caption's time; named by the
schema's key attribute, line-N without one) into the folder --out, which must not exist or be
empty. Files are written under a temporary name (.NAME.partial-PID) and renamed at the end: a
failed or interrupted run leaves nothing, neither temporaries nor a file under a final name.
In vtt and transcript, any run of spaces, line breaks and control characters in a text becomes
one space; ssml escapes XML's special characters and drops the control characters XML forbids.

Nothing is lost: every record read is rendered, listed as not eligible (the campaign's
`requires` is false for them) in --not-eligible, or rejected with its line number, key and
error in --rejects. The summary on standard error checks read = rendered + not eligible +
rejected.

Exit codes: 0 every record rendered or not eligible; 3 some records rejected (the others are
rendered); 1 the campaign has errors; 2 usage or I/O problems (no output left; the message
names the file); 130 interrupted by Ctrl-C or a termination signal (nothing left).";

/// The arguments of `guide render`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// A campaign (.guide file or folder), or a compiled .guidec file.
    path: PathBuf,
    /// The recipients: JSON Lines, or CSV with a header row.
    #[arg(long)]
    data: PathBuf,
    /// Where to write: a JSON Lines file (`-` for standard output), or a folder for vtt,
    /// transcript and ssml.
    #[arg(long)]
    out: PathBuf,
    /// What to write.
    #[arg(long, default_value = "json", value_parser = output_format())]
    format: OutputFormat,
    /// The format of the data (default: CSV for a .csv file, JSON Lines otherwise).
    #[arg(long, value_parser = input_format())]
    input: Option<InputFormat>,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// The rejected records (default: OUT.rejects.jsonl beside the output).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// The recipients who are not eligible (default: OUT.not-eligible.jsonl beside the output).
    #[arg(long = "not-eligible")]
    not_eligible: Option<PathBuf>,
    /// No progress bar (there is none when standard error is not a terminal).
    #[arg(long, short)]
    quiet: bool,
    /// The day the guides are produced for, which `today` reads (YYYY-MM-DD; default: today).
    #[arg(long = "as-of", value_parser = super::as_of::parse)]
    as_of: Option<guide_runtime::Date>,
    /// With --format audio: the voice, a command that reads SSML on standard input and writes
    /// a WAV file on standard output (`{wpm}` becomes the speaking rate); espeak-ng's Italian
    /// voice without it.
    #[arg(long = "voice-command", value_name = "COMMAND")]
    voice_command: Option<String>,
}

/// guide-voice as the run's speaker: each sentence at its caption's time, Ogg Opus.
fn speaker(command: Option<&str>) -> render::Speaker {
    use guide_voice::Encoder as _;
    let voice = command.map_or_else(
        guide_voice::CommandVoice::espeak,
        guide_voice::CommandVoice::parse,
    );
    let encoder = guide_voice::CommandEncoder::opus();
    std::sync::Arc::new(move |t, out| {
        let wpm = t.program().metadata().rate_wpm;
        let spoken = guide_voice::narrate(t, &voice, wpm).map_err(|e| e.to_string())?;
        out.extend(encoder.encode(&spoken.pcm).map_err(|e| e.to_string())?);
        Ok(())
    })
}

/// The values of `--format`, with their help, from the render crate's own list.
fn output_format() -> impl clap::builder::TypedValueParser<Value = OutputFormat> {
    let values = OutputFormat::ALL
        .map(|f| clap::builder::PossibleValue::new(f.name()).help(f.description()));
    clap::builder::PossibleValuesParser::new(values)
        .map(|name: String| OutputFormat::from_name(&name).unwrap_or(OutputFormat::Json))
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

pub fn run(args: Args) -> ExitCode {
    // Ctrl-C (or a termination signal) ends the run without leaving anything behind; installed
    // first, so that the whole command is covered (see `guide_render::interrupt`).
    if let Err(e) = render::interrupt::install(INTERRUPTED) {
        eprintln!("warning: cannot handle Ctrl-C: {e}");
    }
    let program = match super::build::load(&args.path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if threads == 0 {
        eprintln!("error: --threads must be at least 1");
        return ExitCode::from(EXIT_USAGE);
    }
    let paths = Paths::new(args.data, args.out, args.rejects, args.not_eligible);
    let opts = Options {
        input: args
            .input
            .unwrap_or_else(|| InputFormat::of_path(&paths.data)),
        format: args.format,
        threads,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        as_of: Some(super::as_of::or_today(args.as_of)),
        speaker: (args.format == OutputFormat::Audio)
            .then(|| speaker(args.voice_command.as_deref())),
    };
    match render::render(&program, &paths, &opts) {
        Ok(s) => {
            print_summary(program.metadata().id, &paths, &s);
            if s.rejected > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(RenderError::Interrupted) => render::interrupt::exit(INTERRUPTED),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A count with thousands separated by commas, for people.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_summary(campaign: &str, paths: &Paths, s: &Summary) {
    let shown = |p: &Path| p.display().to_string();
    eprintln!(
        "rendered {campaign}: {} -> {}",
        shown(&paths.data),
        shown(&paths.out)
    );
    eprintln!("  read          {:>12}", count(s.read));
    eprintln!("  rendered      {:>12}", count(s.rendered));
    print_accounting(
        (s.not_eligible, &paths.not_eligible),
        (s.rejected, &paths.rejects),
        s.elapsed,
        s.per_second(),
    );
}

/// The summary lines `guide render` and `guide publish` share: the not-eligible and rejected
/// counts with their files, the time and rate, and where to look when records were rejected.
pub fn print_accounting(
    not_eligible: (u64, &Path),
    rejected: (u64, &Path),
    elapsed: std::time::Duration,
    per_second: f64,
) {
    eprintln!(
        "  not eligible  {:>12}  {}",
        count(not_eligible.0),
        not_eligible.1.display()
    );
    eprintln!(
        "  rejected      {:>12}  {}",
        count(rejected.0),
        rejected.1.display()
    );
    eprintln!(
        "  time          {:>10.3} s  {} recipients/s",
        elapsed.as_secs_f64(),
        count(per_second.round() as u64)
    );
    if rejected.0 > 0 {
        eprintln!(
            "{} record(s) rejected: see {} (exit code {EXIT_REJECTED})",
            count(rejected.0),
            rejected.1.display()
        );
    }
}
