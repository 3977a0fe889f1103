//! `guide preview --voice`: the guide on the page spoken, as `guide serve --audio-cache` speaks
//! it ([`guide_voice`]). Each evaluation the page asks for is remembered under a key (the
//! campaign's build and the record); `GET /audio/SLUG/KEY` starts speaking it on a thread of its
//! own and answers `202` until the file is made, then the file (the last few are kept in
//! memory). One synthesis at a time.

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use guide_runtime::Outcome;
use guide_voice::{narrate, CommandEncoder, CommandVoice, Encoder as _};

use crate::workspace::Good;

/// Evaluations remembered, and audio files kept.
const KEPT: usize = 32;

/// A remembered evaluation.
struct Asked {
    key: String,
    slug: String,
    generation: u64,
    record: serde_json::Value,
}

/// What a request for an evaluation's audio gets.
pub enum Spoken {
    /// The file.
    Ready(Vec<u8>),
    /// Being made: ask again.
    Pending,
    /// Unknown, of another build, or the voice failed.
    Missing,
}

/// The preview's voice.
pub struct Voice {
    inner: Arc<Inner>,
}

struct Inner {
    voice: CommandVoice,
    encoder: CommandEncoder,
    asked: Mutex<VecDeque<Asked>>,
    made: Mutex<VecDeque<(String, Option<Vec<u8>>)>>,
    making: Mutex<HashSet<String>>,
    one_at_a_time: Mutex<()>,
}

impl Voice {
    /// espeak-ng's Italian voice, or `command` (SSML on standard input, WAV on standard output).
    pub fn new(command: Option<&str>) -> Voice {
        Voice {
            inner: Arc::new(Inner {
                voice: command.map_or_else(CommandVoice::espeak, CommandVoice::parse),
                encoder: CommandEncoder::opus(),
                asked: Mutex::new(VecDeque::new()),
                made: Mutex::new(VecDeque::new()),
                making: Mutex::new(HashSet::new()),
                one_at_a_time: Mutex::new(()),
            }),
        }
    }

    /// Remembers an evaluation; the key its audio is asked by.
    pub fn remember(&self, slug: &str, generation: u64, record: &serde_json::Value) -> String {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        slug.hash(&mut h);
        generation.hash(&mut h);
        record.to_string().hash(&mut h);
        let key = format!("{:016x}", h.finish());
        if let Ok(mut asked) = self.inner.asked.lock() {
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
        self.inner.encoder.content_type()
    }

    /// The audio of evaluation `key` of `slug`, whose current build is `good`.
    pub fn audio(&self, slug: &str, key: &str, good: &Arc<Good>) -> Spoken {
        if let Some(made) = self.inner.made(key) {
            return made.map_or(Spoken::Missing, Spoken::Ready);
        }
        let record = {
            let Ok(asked) = self.inner.asked.lock() else {
                return Spoken::Missing;
            };
            match asked.iter().find(|a| a.key == key) {
                Some(a) if a.slug == slug && a.generation == good.generation => a.record.clone(),
                _ => return Spoken::Missing,
            }
        };
        let Ok(mut making) = self.inner.making.lock() else {
            return Spoken::Missing;
        };
        if making.insert(key.to_string()) {
            let inner = Arc::clone(&self.inner);
            let good = Arc::clone(good);
            let owned = key.to_string();
            let started = std::thread::Builder::new()
                .name("guide-voice".into())
                .spawn(move || {
                    let bytes = inner.make(&good, &record);
                    if let Ok(mut made) = inner.made.lock() {
                        if made.len() >= KEPT {
                            made.pop_front();
                        }
                        made.push_back((owned.clone(), bytes));
                    }
                    if let Ok(mut m) = inner.making.lock() {
                        m.remove(&owned);
                    }
                });
            if started.is_err() {
                making.remove(key);
                return Spoken::Missing;
            }
        }
        Spoken::Pending
    }
}

impl Inner {
    /// What was made for `key`, if anything was (`Some(None)`: the voice failed).
    fn made(&self, key: &str) -> Option<Option<Vec<u8>>> {
        let made = self.made.lock().ok()?;
        made.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
    }

    /// Speaks the guide of `record`; `None` when the voice failed (said on standard error).
    fn make(&self, good: &Good, record: &serde_json::Value) -> Option<Vec<u8>> {
        let _turn = self.one_at_a_time.lock().ok()?;
        let program = good.engine.program();
        let Ok(Outcome::Eligible(t)) = program.evaluate_json(record) else {
            return None;
        };
        let spoken = narrate(&t, &self.voice, program.metadata().rate_wpm)
            .map_err(|e| eprintln!("voice: {e}"))
            .ok()?;
        self.encoder
            .encode(&spoken.pcm)
            .map_err(|e| eprintln!("voice: {e}"))
            .ok()
    }
}
