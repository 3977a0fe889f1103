//! The `guide` command: argument parsing and the subcommands. The language lives in
//! `guide-compiler`, batch production in `guide-render`, the preview server in `guide-preview`.
//!
//! Exit codes (a contract other tools rely on): 0 success (warnings allowed), 1 the input has
//! errors (diagnostics printed), 2 usage or I/O problems.

mod as_of;
mod build;
mod check;
mod dashboard;
mod diff;
mod disasm;
mod fmt;
mod lsp;
mod outbox;
mod preview;
mod publish;
mod purge;
mod render;
mod run;
mod serve;
mod variants;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Compiler and tools of the `.guide` storyboard language.
#[derive(Parser)]
#[command(name = "guide", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format of diagnostics.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum DiagFormat {
    /// For people: source excerpts with labels (colour only on a terminal).
    Human,
    /// One JSON object per diagnostic per line.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a campaign (a .guide file or a campaign folder) and report every problem.
    Check {
        /// The campaign: a .guide file or a folder containing one.
        path: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
    },
    /// Compile a campaign into portable bytecode (a .guidec file).
    Build {
        /// The campaign: a .guide file or a folder containing one.
        path: PathBuf,
        /// Where to write the bytecode (default: CAMPAIGN_ID.guidec in the current folder).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Print a readable listing of compiled bytecode (a .guidec file, or a campaign compiled on
    /// the fly).
    Disasm {
        /// A .guidec file, or a campaign.
        file: PathBuf,
    },
    /// Produce one recipient's timeline.
    Run {
        /// A campaign (.guide file or folder), or a .guidec file.
        path: PathBuf,
        /// The recipient's record (a JSON object).
        #[arg(long)]
        data: PathBuf,
        /// How to print the timeline.
        #[arg(long, value_enum, default_value = "json")]
        format: run::RunFormat,
        /// The day the guide is produced for, which `today` reads (YYYY-MM-DD; default: today).
        #[arg(long = "as-of", value_parser = as_of::parse)]
        as_of: Option<guide_runtime::Date>,
    },
    /// List every personalised variant a recipient can receive, with a witness record for each.
    Variants {
        /// The campaign: a .guide file or a folder containing one.
        path: PathBuf,
        /// Only a smallest set of witnesses that together play every scene, pop-up, button and
        /// text alternative (the demo table).
        #[arg(long)]
        minimal: bool,
        /// How to print the variants.
        #[arg(long, value_enum, default_value = "text")]
        format: variants::VariantsFormat,
        /// The day the witnesses are evaluated at, which `today` reads (YYYY-MM-DD; default:
        /// today).
        #[arg(long = "as-of", value_parser = as_of::parse)]
        as_of: Option<guide_runtime::Date>,
    },
    /// What a change to a campaign changes for its recipients: variants added, removed and
    /// changed, each change shown once with what it reaches (exit 0 no change, 1 changes, 2 errors).
    Diff(diff::Args),
    /// Rewrite .guide files in the one canonical layout, comments kept (--check: only list the
    /// files that would change, exit 1 if any).
    Fmt(fmt::Args),
    /// Render every recipient of a file (JSON Lines or CSV): streamed, on every core, in input
    /// order; rejected and ineligible records listed apart.
    Render(render::Args),
    /// Serve every campaign under a folder in the browser, personalised for any recipient,
    /// reloading as files are saved.
    Preview(preview::Args),
    /// Publish every eligible recipient of a file into the recipient service's database, each
    /// with a personal token; links manifest and QR codes on request.
    Publish(publish::Args),
    /// Delete the personal data of every recipient whose availability window has closed.
    Purge(purge::Args),
    /// Serve every published recipient's own guide at /g/TOKEN (window checked at each view;
    /// purge at start and daily).
    Serve(serve::Args),
    /// Serve the staff's monitoring dashboard (views, interactions, completion, ratings, from
    /// the anonymised events), on an address of its own, with CSV and JSON exports.
    Dashboard(dashboard::Args),
    /// Run the language server for editors (JSON-RPC over stdin and stdout).
    Lsp,
}

/// Exit code: the input has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: usage or I/O problem.
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check { path, format } => check::run(&path, format),
        Command::Build { path, output } => build::run(&path, output),
        Command::Disasm { file } => disasm::run(&file),
        Command::Run {
            path,
            data,
            format,
            as_of,
        } => run::run(&path, &data, format, as_of::or_today(as_of)),
        Command::Variants {
            path,
            minimal,
            format,
            as_of,
        } => variants::run(&path, minimal, format, as_of::or_today(as_of)),
        Command::Diff(args) => diff::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Render(args) => render::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Purge(args) => purge::run(args),
        Command::Lsp => lsp::run(),
        Command::Serve(args) => serve::run(args),
        Command::Dashboard(args) => dashboard::run(args),
    }
}
