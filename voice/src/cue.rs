//! The SSML of each caption cue: the cue's words, with the values in it marked up as
//! `guide render --format ssml` marks them.

use guide_render::formats::{value, xml_escape};
use guide_runtime::format::date_words;
use guide_runtime::timeline::SceneView;
use guide_runtime::{FormattedValue, TextPart};

/// One `<speak>` document per caption cue of `scene`, in order.
///
/// A cue is a sentence of the narration: the values wholly inside it are marked up (amounts
/// with `<sub>`, numbers with `<say-as interpret-as="cardinal">`, decimals with `<sub>`), dates
/// as `<sub alias="primo aprile 2024">` (the words a person says; a `say-as date` is read digit
/// by digit by some voices, espeak-ng among them). A cue not found in the narration is spoken
/// as written.
pub fn cue_ssml(scene: &SceneView<'_>) -> Vec<String> {
    let narration = scene.narration();
    // The byte range of each part in the narration.
    let mut parts = Vec::new();
    let mut at = 0usize;
    for p in scene.narration_parts() {
        let len = match p {
            TextPart::Text(x) => x.len(),
            TextPart::Value(x, _) => x.len(),
        };
        parts.push((at, at + len, p));
        at += len;
    }
    let mut from = 0usize;
    scene
        .captions()
        .map(|cue| {
            let mut body = String::new();
            match narration.get(from..).and_then(|rest| rest.find(cue.text)) {
                Some(i) => {
                    let (a, b) = (from + i, from + i + cue.text.len());
                    from = b;
                    for &(pa, pb, p) in &parts {
                        let (lo, hi) = (pa.max(a), pb.min(b));
                        if lo >= hi {
                            continue;
                        }
                        match p {
                            TextPart::Value(x, v) if lo == pa && hi == pb => {
                                spoken(&mut body, x, v)
                            }
                            _ => xml_escape(&mut body, narration.get(lo..hi).unwrap_or("")),
                        }
                    }
                }
                None => xml_escape(&mut body, cue.text),
            }
            format!(
                "<speak version=\"1.1\" xmlns=\"http://www.w3.org/2001/10/synthesis\" \
                 xml:lang=\"it-IT\">{body}</speak>"
            )
        })
        .collect()
}

/// A value, marked up to be spoken.
fn spoken(out: &mut String, written: &str, v: FormattedValue) {
    match v {
        FormattedValue::Date(d) => {
            let mut words = String::new();
            date_words(&mut words, d);
            if let Some(rest) = words.strip_prefix("1 ") {
                words = format!("primo {rest}");
            }
            out.push_str("<sub alias=\"");
            xml_escape(out, &words);
            out.push_str("\">");
            xml_escape(out, written);
            out.push_str("</sub>");
        }
        other => value(out, written, other),
    }
}
