//! Voices and encoders that are programs: SSML (or WAV) on standard input, WAV (or the
//! compressed file) on standard output.

use crate::{wav, Encoder, Pcm, Synthesizer, VoiceError};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// Runs `argv` with `input` on standard input; its standard output.
fn run(argv: &[String], input: &[u8]) -> Result<Vec<u8>, VoiceError> {
    let program = argv.first().cloned().unwrap_or_default();
    let start = |e: std::io::Error| VoiceError::Start {
        program: program.clone(),
        reason: e.to_string(),
    };
    let mut child = Command::new(&program)
        .args(&argv[1.min(argv.len())..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(start)?;
    // Feed standard input from a thread: a program may write before it has read everything.
    let mut stdin = child.stdin.take().ok_or_else(|| VoiceError::Start {
        program: program.clone(),
        reason: "no standard input".into(),
    })?;
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(start)?;
    let fed = feeder.join();
    if !out.status.success() {
        // Its error output is not kept: a voice may echo the text it was given, which holds
        // personal data (a name, an amount), and the error reaches logs.
        return Err(VoiceError::Failed {
            program,
            status: out.status.to_string(),
        });
    }
    if let Ok(Err(e)) = fed {
        return Err(start(e));
    }
    Ok(out.stdout)
}

/// A voice that is a command: the SSML on its standard input, a WAV file (16-bit PCM) on its
/// standard output. `{wpm}` in an argument becomes the speaking rate in words per minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandVoice {
    /// The program and its arguments.
    pub argv: Vec<String>,
}

impl CommandVoice {
    /// espeak-ng's Italian voice (Debian: `apt-get install espeak-ng`).
    pub fn espeak() -> CommandVoice {
        CommandVoice::parse("espeak-ng --stdout -m -v it -s {wpm} --stdin")
    }

    /// A command line split on blanks (no quoting: wrap anything longer in a script).
    pub fn parse(line: &str) -> CommandVoice {
        CommandVoice {
            argv: line.split_whitespace().map(str::to_string).collect(),
        }
    }
}

impl Synthesizer for CommandVoice {
    fn speak(&self, ssml: &str, wpm: u32) -> Result<Pcm, VoiceError> {
        let argv: Vec<String> = self
            .argv
            .iter()
            .map(|a| a.replace("{wpm}", &wpm.to_string()))
            .collect();
        wav::read(&run(&argv, ssml.as_bytes())?)
    }
}

/// An encoder that is a command: a WAV file on its standard input, the compressed file on its
/// standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandEncoder {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// The media type of what it writes.
    pub content_type: &'static str,
    /// Its file extension.
    pub extension: &'static str,
}

impl CommandEncoder {
    /// Ogg Opus at 16 kbit/s with `opusenc` (Debian: `apt-get install opus-tools`).
    pub fn opus() -> CommandEncoder {
        CommandEncoder {
            argv: "opusenc --quiet --bitrate 16 --speech - -"
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            content_type: "audio/ogg",
            extension: "opus",
        }
    }
}

impl Encoder for CommandEncoder {
    fn encode(&self, pcm: &Pcm) -> Result<Vec<u8>, VoiceError> {
        run(&self.argv, &wav::write(pcm))
    }

    fn content_type(&self) -> &'static str {
        self.content_type
    }

    fn extension(&self) -> &'static str {
        self.extension
    }
}
