//! The narration of a timeline, spoken.
//!
//! **Synchronisation: per cue.** Every caption cue of the timeline (a sentence, with its start
//! and end) is synthesised on its own, from SSML marked up as `guide render --format ssml`
//! marks the narration (amounts, dates and numbers read as a person says them), and its sound
//! is placed at the cue's start in a track as long as the guide. A cue's sound therefore starts
//! exactly when its caption appears (to the sample); a sound longer than its cue is synthesised
//! again faster, up to [`MAX_SPEED_UP`] times, so that it ends before the next caption (beyond
//! that it is cut at the cue's end). The timeline stays the authority: the audio follows it, it
//! never moves a caption.
//!
//! **Voices.** [`Synthesizer`] is the one interface: SSML in, mono PCM out. [`CommandVoice`]
//! runs any program that reads SSML on standard input and writes a WAV file on standard
//! output; the default is espeak-ng's Italian voice ([`CommandVoice::espeak`]). An institution
//! plugs in a better voice (a cloud SSML service) with a command, e.g. a `curl` that posts the
//! SSML and prints the WAV answer (see the README).
//!
//! **Encoding.** [`Encoder`] turns the track into a compressed file: [`CommandEncoder::opus`]
//! runs `opusenc` (Ogg Opus, 16 kbit/s speech: about 120 kB a minute).

mod command;
mod cue;
pub mod wav;

pub use command::{CommandEncoder, CommandVoice};
pub use cue::cue_ssml;

use guide_runtime::Timeline;
use std::fmt;

/// How much faster than its speaking rate a cue may be spoken to fit its time.
pub const MAX_SPEED_UP: f64 = 1.6;

/// Mono 16-bit sound.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pcm {
    /// Samples per second.
    pub rate: u32,
    /// The samples.
    pub samples: Vec<i16>,
}

impl Pcm {
    /// Its length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        if self.rate == 0 {
            return 0;
        }
        self.samples.len() as u64 * 1000 / u64::from(self.rate)
    }
}

/// Why a narration could not be made.
#[derive(Debug)]
pub enum VoiceError {
    /// The voice or encoder program could not be started or fed.
    Start {
        /// The program.
        program: String,
        /// Why.
        reason: String,
    },
    /// It ran and failed.
    Failed {
        /// The program.
        program: String,
        /// How it ended (`exit status: 1`). Its standard error is not kept: it may echo the
        /// text spoken.
        status: String,
    },
    /// Its output was not the WAV expected.
    BadWav(String),
}

impl fmt::Display for VoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VoiceError::Start { program, reason } => write!(f, "cannot run {program}: {reason}"),
            VoiceError::Failed { program, status } => write!(
                f,
                "{program} failed ({status}); run it by hand on a test record to see its own error"
            ),
            VoiceError::BadWav(why) => write!(f, "the voice's output is not a WAV file: {why}"),
        }
    }
}

impl std::error::Error for VoiceError {}

/// A voice: speaks one SSML document.
pub trait Synthesizer: Send + Sync {
    /// The sound of `ssml` (a whole `<speak>` document), at `wpm` words per minute.
    fn speak(&self, ssml: &str, wpm: u32) -> Result<Pcm, VoiceError>;
}

/// Turns a track into a compressed file.
pub trait Encoder: Send + Sync {
    /// The file's bytes.
    fn encode(&self, pcm: &Pcm) -> Result<Vec<u8>, VoiceError>;
    /// Its media type (`audio/ogg` for Opus).
    fn content_type(&self) -> &'static str;
    /// Its file extension, without the dot.
    fn extension(&self) -> &'static str;
}

/// Where a cue's sound lies in the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// The cue's start, where its sound starts, in ms from the guide's start.
    pub start_ms: u64,
    /// The cue's end.
    pub end_ms: u64,
    /// How long its sound lasts (cut at the cue's end), in ms.
    pub sound_ms: u64,
}

/// The narration of a timeline as one track, and where each cue's sound is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Narration {
    /// The track: as long as the guide.
    pub pcm: Pcm,
    /// One per caption cue, in order.
    pub cues: Vec<Placed>,
}

/// Speaks every caption cue of `t` with `voice` at `wpm` and places it at its cue's start.
pub fn narrate(
    t: &Timeline<'_>,
    voice: &dyn Synthesizer,
    wpm: u32,
) -> Result<Narration, VoiceError> {
    let mut out = Narration::default();
    for scene in t.all_scenes() {
        for (cue, ssml) in scene.captions().zip(cue_ssml(&scene)) {
            let window = cue.end_ms.saturating_sub(cue.start_ms);
            let mut pcm = voice.speak(&ssml, wpm)?;
            let spoken = pcm.duration_ms();
            if spoken > window && window > 0 {
                let factor = (spoken as f64 / window as f64).min(MAX_SPEED_UP);
                pcm = voice.speak(&ssml, (f64::from(wpm) * factor).ceil() as u32)?;
            }
            if out.pcm.rate == 0 {
                out.pcm.rate = pcm.rate;
            }
            let sound_ms = place(&mut out.pcm, &pcm, cue.start_ms, cue.end_ms)?;
            out.cues.push(Placed {
                start_ms: cue.start_ms,
                end_ms: cue.end_ms,
                sound_ms,
            });
        }
    }
    // The track lasts as long as the guide: silence after the last cue.
    let rate = if out.pcm.rate == 0 {
        22_050
    } else {
        out.pcm.rate
    };
    out.pcm.rate = rate;
    let total = samples_at(t.duration_ms(), rate);
    out.pcm.samples.resize(total, 0);
    Ok(out)
}

/// The sample at `ms`.
fn samples_at(ms: u64, rate: u32) -> usize {
    usize::try_from(ms * u64::from(rate) / 1000).unwrap_or(usize::MAX)
}

/// Copies `sound` into `track` from `start_ms`, cut at `end_ms`; its length placed, in ms.
fn place(track: &mut Pcm, sound: &Pcm, start_ms: u64, end_ms: u64) -> Result<u64, VoiceError> {
    if sound.rate != track.rate {
        return Err(VoiceError::BadWav(format!(
            "the voice changed its sample rate ({} then {})",
            track.rate, sound.rate
        )));
    }
    let from = samples_at(start_ms, track.rate);
    let to = samples_at(end_ms, track.rate).min(from.saturating_add(sound.samples.len()));
    if track.samples.len() < to {
        track.samples.resize(to, 0);
    }
    let n = to.saturating_sub(from);
    track.samples[from..to].copy_from_slice(&sound.samples[..n]);
    Ok(n as u64 * 1000 / u64::from(track.rate.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sound_is_placed_at_its_start_and_cut_at_its_end() {
        let mut track = Pcm {
            rate: 1000,
            samples: Vec::new(),
        };
        let sound = Pcm {
            rate: 1000,
            samples: vec![7; 500],
        };
        assert_eq!(place(&mut track, &sound, 100, 400).unwrap(), 300);
        assert_eq!(track.samples.len(), 400);
        assert!(track.samples[..100].iter().all(|&s| s == 0));
        assert!(track.samples[100..].iter().all(|&s| s == 7));
    }
}
