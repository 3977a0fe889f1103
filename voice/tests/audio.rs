//! The narration of one real guide, spoken by espeak-ng and encoded by opusenc (both installed
//! by ./test.sh): its length against the timeline and its cues against the captions.

#![allow(clippy::disallowed_methods)] // a test reads fixtures and runs programs

use guide_runtime::{Outcome, Program};
use guide_voice::{narrate, wav, CommandEncoder, CommandVoice, Encoder, Pcm};
use std::path::Path;

fn naspi() -> Program {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../campaigns/naspi"));
    let project = guide_compiler::project::load(dir).expect("the campaign loads");
    let compiled = guide_compiler::compile(&project);
    let (program, _) = compiled.output().expect("the campaign compiles");
    program.clone()
}

/// The first sample louder than silence at or after `ms`, in ms.
fn first_sound_ms(pcm: &Pcm, ms: u64) -> Option<u64> {
    let from = (ms * u64::from(pcm.rate) / 1000) as usize;
    let i = pcm
        .samples
        .get(from..)?
        .iter()
        .position(|s| s.unsigned_abs() > 300)?;
    Some(ms + i as u64 * 1000 / u64::from(pcm.rate))
}

#[test]
fn a_spoken_guide_lasts_as_its_timeline_and_each_sentence_starts_with_its_caption() {
    let program = naspi();
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../campaigns/naspi/demo/giulia.json"
        ))
        .expect("demo readable"),
    )
    .expect("demo is JSON");
    let Ok(Outcome::Eligible(t)) = program.evaluate_json(&record) else {
        panic!("giulia is eligible");
    };
    let wpm = program.metadata().rate_wpm;
    let voice = CommandVoice::espeak();
    let spoken = narrate(&t, &voice, wpm).expect("espeak-ng speaks (apt-get install espeak-ng)");

    // The track is the guide's length.
    let duration = t.duration_ms();
    assert!(duration > 60_000, "{duration}");
    assert!(spoken.pcm.duration_ms().abs_diff(duration) * 10 <= duration);

    // Every caption has its sentence: the sound starts within 100 ms of the caption and
    // speaks for a good part of it.
    let captions: Vec<_> = t
        .all_scenes()
        .flat_map(|s| s.captions().collect::<Vec<_>>())
        .collect();
    assert_eq!(spoken.cues.len(), captions.len());
    assert!(captions.len() > 10);
    for (cue, c) in spoken.cues.iter().zip(&captions) {
        assert_eq!((cue.start_ms, cue.end_ms), (c.start_ms, c.end_ms));
        let heard = first_sound_ms(&spoken.pcm, c.start_ms).expect("a sound");
        assert!(heard - c.start_ms <= 100, "{:?} heard at {heard} ms", c);
        assert!(
            cue.sound_ms * 2 >= c.end_ms - c.start_ms,
            "{:?}: only {} ms of speech",
            c,
            cue.sound_ms
        );
    }

    // Encoded, it stays a few hundred kB and the guide's length.
    let opus = CommandEncoder::opus()
        .encode(&spoken.pcm)
        .expect("opusenc encodes (apt-get install opus-tools)");
    assert!(opus.starts_with(b"OggS"));
    let kb = opus.len() / 1000;
    assert!((50..=600).contains(&kb), "{kb} kB");
    let decoded = std::process::Command::new("opusdec")
        .args(["--quiet", "--force-wav", "--rate", "22050", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            let mut stdin = c.stdin.take().expect("stdin");
            let bytes = opus.clone();
            let w = std::thread::spawn(move || stdin.write_all(&bytes));
            let out = c.wait_with_output();
            let _ = w.join();
            out
        })
        .expect("opusdec decodes");
    let back = wav::read(&decoded.stdout).expect("a WAV");
    let back_ms = back.duration_ms();
    assert!(
        back_ms.abs_diff(duration) * 10 <= duration,
        "{back_ms} ms for {duration} ms"
    );
    eprintln!(
        "naspi/giulia: {} s of guide, {} cues, {kb} kB of Opus",
        duration / 1000,
        captions.len()
    );
}
