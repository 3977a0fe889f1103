//! `GET /g/TOKEN/audio`: the recipient's guide spoken ([`guide_voice`]), made on the first
//! request and cached on disk by campaign version and timeline (two recipients with the same
//! guide share one file). One synthesis at a time: a voice takes the cores it is given.

use guide_runtime::Timeline;
use guide_voice::{narrate, CommandEncoder, CommandVoice, Encoder as _, Synthesizer};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Mutex;

/// How `guide serve` speaks.
#[derive(Debug, Clone)]
pub struct VoiceOptions {
    /// Where the audio files are kept.
    pub cache: PathBuf,
    /// The voice: a command reading SSML on standard input and writing WAV on standard output
    /// (`{wpm}` is replaced by the speaking rate); `None`: espeak-ng's Italian voice.
    pub command: Option<String>,
}

/// The voice of a running server.
pub struct Voice {
    voice: CommandVoice,
    encoder: CommandEncoder,
    cache: PathBuf,
    one_at_a_time: Mutex<()>,
}

impl Voice {
    /// A voice as `opts` say.
    pub fn new(opts: &VoiceOptions) -> Voice {
        Voice {
            voice: opts
                .command
                .as_deref()
                .map_or_else(CommandVoice::espeak, CommandVoice::parse),
            encoder: CommandEncoder::opus(),
            cache: opts.cache.clone(),
            one_at_a_time: Mutex::new(()),
        }
    }

    /// The media type of the files.
    pub fn content_type(&self) -> &'static str {
        self.encoder.content_type()
    }

    /// The audio of `t` (of `campaign` at `version`): from the cache, or spoken now.
    pub fn audio(
        &self,
        t: &Timeline<'_>,
        campaign: &str,
        version: &str,
    ) -> Result<Vec<u8>, String> {
        let mut h = Sha256::new();
        h.update(campaign.as_bytes());
        h.update([0]);
        h.update(version.as_bytes());
        h.update([0]);
        h.update(t.to_json().as_bytes());
        let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let file = self
            .cache
            .join(format!("{key}.{}", self.encoder.extension()));
        if let Ok(bytes) = std::fs::read(&file) {
            return Ok(bytes);
        }
        let _turn = self
            .one_at_a_time
            .lock()
            .map_err(|_| "voice poisoned".to_string())?;
        // Made while this request waited its turn?
        if let Ok(bytes) = std::fs::read(&file) {
            return Ok(bytes);
        }
        let voice: &dyn Synthesizer = &self.voice;
        let spoken =
            narrate(t, voice, t.program().metadata().rate_wpm).map_err(|e| e.to_string())?;
        let bytes = self
            .encoder
            .encode(&spoken.pcm)
            .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&self.cache).map_err(|e| e.to_string())?;
        let partial = self
            .cache
            .join(format!(".{key}.partial-{}", std::process::id()));
        std::fs::write(&partial, &bytes)
            .and_then(|()| std::fs::rename(&partial, &file))
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                e.to_string()
            })?;
        Ok(bytes)
    }
}
