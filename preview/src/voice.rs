//! `guide preview --voice`: the guide on the page spoken, as `guide serve --audio-cache` speaks
//! it ([`guide_voice`]). Each evaluation the page asks for is remembered under a key (the
//! campaign's build and the record); `GET /audio/SLUG/KEY` speaks it on the first request and
//! keeps the last few files in memory. One synthesis at a time.

use std::collections::VecDeque;
use std::hash::{Hash as _, Hasher as _};
use std::sync::Mutex;

use guide_runtime::{Outcome, Program};
use guide_voice::{narrate, CommandEncoder, CommandVoice, Encoder as _};

/// Evaluations remembered, and audio files kept.
const KEPT: usize = 32;

/// A remembered evaluation.
struct Asked {
    key: String,
    slug: String,
    generation: u64,
    record: serde_json::Value,
}

/// The preview's voice.
pub struct Voice {
    voice: CommandVoice,
    encoder: CommandEncoder,
    asked: Mutex<VecDeque<Asked>>,
    made: Mutex<VecDeque<(String, Vec<u8>)>>,
    one_at_a_time: Mutex<()>,
}

impl Voice {
    /// espeak-ng's Italian voice, or `command` (SSML on standard input, WAV on standard output).
    pub fn new(command: Option<&str>) -> Voice {
        Voice {
            voice: command.map_or_else(CommandVoice::espeak, CommandVoice::parse),
            encoder: CommandEncoder::opus(),
            asked: Mutex::new(VecDeque::new()),
            made: Mutex::new(VecDeque::new()),
            one_at_a_time: Mutex::new(()),
        }
    }

    /// Remembers an evaluation; the key its audio is asked by.
    pub fn remember(&self, slug: &str, generation: u64, record: &serde_json::Value) -> String {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        slug.hash(&mut h);
        generation.hash(&mut h);
        record.to_string().hash(&mut h);
        let key = format!("{:016x}", h.finish());
        if let Ok(mut asked) = self.asked.lock() {
            if !asked.iter().any(|a| a.key == key) {
                if asked.len() >= KEPT {
                    asked.pop_front();
                }
                asked.push_back(Asked {
                    key: key.clone(),
                    slug: slug.to_string(),
                    generation,
                    record: record.clone(),
                });
            }
        }
        key
    }

    /// The media type of the files.
    pub fn content_type(&self) -> &'static str {
        self.encoder.content_type()
    }

    /// The audio of evaluation `key` of `slug`, with `program` of build `generation`; `None`
    /// when the key is unknown or of another build, or the voice failed.
    pub fn audio(
        &self,
        slug: &str,
        key: &str,
        generation: u64,
        program: &Program,
    ) -> Option<Vec<u8>> {
        let cached = |made: &VecDeque<(String, Vec<u8>)>| {
            made.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
        };
        if let Some(b) = cached(&*self.made.lock().ok()?) {
            return Some(b);
        }
        let record = {
            let asked = self.asked.lock().ok()?;
            let a = asked.iter().find(|a| a.key == key)?;
            if a.slug != slug || a.generation != generation {
                return None;
            }
            a.record.clone()
        };
        let _turn = self.one_at_a_time.lock().ok()?;
        if let Some(b) = cached(&*self.made.lock().ok()?) {
            return Some(b);
        }
        let Ok(Outcome::Eligible(t)) = program.evaluate_json(&record) else {
            return None;
        };
        let spoken = narrate(&t, &self.voice, program.metadata().rate_wpm)
            .map_err(|e| eprintln!("voice: {e}"))
            .ok()?;
        let bytes = self
            .encoder
            .encode(&spoken.pcm)
            .map_err(|e| eprintln!("voice: {e}"))
            .ok()?;
        let mut made = self.made.lock().ok()?;
        if made.len() >= KEPT {
            made.pop_front();
        }
        made.push_back((key.to_string(), bytes.clone()));
        Some(bytes)
    }
}
