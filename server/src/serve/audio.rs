//! `GET /g/TOKEN/audio`: the recipient's guide spoken ([`guide_voice`]), made on the first
//! request and cached on disk by campaign version and timeline (two recipients with the same
//! guide share one file).
//!
//! A request never waits for the voice: a file not made yet is started on a thread of its own
//! and the answer is `202 Accepted` with `Retry-After: 2` (the player asks again); a file being
//! made is not started twice. One synthesis at a time: a voice takes the cores it is given.

use guide_runtime::{Outcome, Program, Timeline};
use guide_voice::{narrate, CommandEncoder, CommandVoice, Encoder as _};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How `guide serve` speaks.
#[derive(Debug, Clone)]
pub struct VoiceOptions {
    /// Where the audio files are kept.
    pub cache: PathBuf,
    /// The voice: a command reading SSML on standard input and writing WAV on standard output
    /// (`{wpm}` is replaced by the speaking rate); `None`: espeak-ng's Italian voice.
    pub command: Option<String>,
}

/// What a request for a guide's audio gets.
pub enum Spoken {
    /// The file.
    Ready(Vec<u8>),
    /// Being made: ask again.
    Pending,
}

/// The voice of a running server.
pub struct Voice {
    inner: Arc<Inner>,
}

struct Inner {
    voice: CommandVoice,
    encoder: CommandEncoder,
    cache: PathBuf,
    making: Mutex<HashSet<String>>,
    one_at_a_time: Mutex<()>,
}

impl Voice {
    /// A voice as `opts` say.
    pub fn new(opts: &VoiceOptions) -> Voice {
        Voice {
            inner: Arc::new(Inner {
                voice: opts
                    .command
                    .as_deref()
                    .map_or_else(CommandVoice::espeak, CommandVoice::parse),
                encoder: CommandEncoder::opus(),
                cache: opts.cache.clone(),
                making: Mutex::new(HashSet::new()),
                one_at_a_time: Mutex::new(()),
            }),
        }
    }

    /// The media type of the files.
    pub fn content_type(&self) -> &'static str {
        self.inner.encoder.content_type()
    }

    /// The audio of `t` (of `campaign` at `version`, evaluated by `program` from `record`):
    /// from the cache, or started now.
    pub fn audio(
        &self,
        t: &Timeline<'_>,
        (campaign, version): (&str, &str),
        program: &Arc<Program>,
        record: &serde_json::Value,
        today: guide_runtime::Date,
    ) -> Spoken {
        let mut h = Sha256::new();
        h.update(campaign.as_bytes());
        h.update([0]);
        h.update(version.as_bytes());
        h.update([0]);
        h.update(t.to_json().as_bytes());
        let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let file = self
            .inner
            .cache
            .join(format!("{key}.{}", self.inner.encoder.extension()));
        if let Ok(bytes) = std::fs::read(&file) {
            return Spoken::Ready(bytes);
        }
        let Ok(mut making) = self.inner.making.lock() else {
            return Spoken::Pending;
        };
        if making.insert(key.clone()) {
            let inner = Arc::clone(&self.inner);
            let program = Arc::clone(program);
            let record = record.clone();
            let started = std::thread::Builder::new()
                .name("guide-voice".into())
                .spawn(move || {
                    if let Err(e) = inner.make(&program, &record, today, &key, &file) {
                        eprintln!("voice: {e}");
                    }
                    if let Ok(mut m) = inner.making.lock() {
                        m.remove(&key);
                    }
                });
            if started.is_err() {
                eprintln!("voice: cannot start a thread");
            }
        }
        Spoken::Pending
    }
}

impl Inner {
    /// Speaks the guide of `record` into `file`.
    fn make(
        &self,
        program: &Program,
        record: &serde_json::Value,
        today: guide_runtime::Date,
        key: &str,
        file: &std::path::Path,
    ) -> Result<(), String> {
        let _turn = self
            .one_at_a_time
            .lock()
            .map_err(|_| "voice poisoned".to_string())?;
        let Ok(Outcome::Eligible(t)) = program.evaluate_json_at(record, today) else {
            return Err("the guide no longer evaluates".into());
        };
        let spoken =
            narrate(&t, &self.voice, program.metadata().rate_wpm).map_err(|e| e.to_string())?;
        let bytes = self
            .encoder
            .encode(&spoken.pcm)
            .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&self.cache).map_err(|e| e.to_string())?;
        let partial = self
            .cache
            .join(format!(".{key}.partial-{}", std::process::id()));
        std::fs::write(&partial, &bytes)
            .and_then(|()| std::fs::rename(&partial, file))
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                e.to_string()
            })
    }
}
