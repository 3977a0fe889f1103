//! `guide preview [PATH] [--port N] [--host ADDR]`.

use super::EXIT_USAGE;
use guide_preview::{Options, Preview, Tuning};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The folder searched for campaigns (or one campaign folder).
    #[arg(default_value = "campaigns")]
    path: PathBuf,
    /// The port to listen on; by default a free one.
    #[arg(long)]
    port: Option<u16>,
    /// The address to listen on. Anything but a loopback address (127.0.0.1, ::1) makes the
    /// demo recipients reachable from the network.
    #[arg(long)]
    host: Option<IpAddr>,
    /// Seconds a campaign may take to compile before the page reports it as too slow (its last
    /// good version and the other campaigns keep playing meanwhile).
    #[arg(
        long = "compile-timeout",
        default_value_t = 5.0,
        value_name = "SECONDS"
    )]
    compile_timeout: f64,
    /// Speak the guide on the page (espeak-ng's Italian voice and opusenc, from Debian's
    /// packages), each evaluation on its first play.
    #[arg(long)]
    voice: bool,
    /// With --voice: another voice, a command that reads SSML on standard input and writes a
    /// WAV file on standard output (`{wpm}` becomes the speaking rate).
    #[arg(long = "voice-command", value_name = "COMMAND", requires = "voice")]
    voice_command: Option<String>,
}

pub fn run(args: Args) -> ExitCode {
    let host = args.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !host.is_loopback() {
        eprintln!(
            "warning: listening on {host}, not on a loopback address: the demo recipients and \
             every record typed into the page can be read by anyone who reaches this machine \
             on the network"
        );
    }
    let opts = Options {
        root: args.path.clone(),
        host,
        port: args.port.unwrap_or(0),
        watch: true,
    };
    if !(args.compile_timeout.is_finite() && args.compile_timeout > 0.0) {
        eprintln!("error: --compile-timeout takes a number of seconds above 0");
        return ExitCode::from(EXIT_USAGE);
    }
    let tuning = Tuning {
        budget: Duration::from_secs_f64(args.compile_timeout.min(86_400.0)),
        hook: None,
    };
    let voice = args
        .voice
        .then(|| guide_preview::voice::Voice::new(args.voice_command.as_deref()));
    let preview = match Preview::start_speaking(&opts, tuning, voice) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let campaigns = preview
        .app()
        .workspace
        .read()
        .map(|w| w.campaigns().len())
        .unwrap_or(0);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "guide preview: {campaigns} campaign(s) under {}, reloading on save",
        args.path.display()
    );
    let _ = writeln!(out, "  {}", preview.url());
    let _ = writeln!(out, "Press Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
