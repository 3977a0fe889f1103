//! The formats `guide render` writes for one recipient: the timeline as JSON (one line per
//! recipient), WebVTT captions, a plain-text transcript and SSML narration (one file each).
//!
//! Whatever a record holds, every file stays well formed: in WebVTT and in the transcript any
//! run of whitespace and control characters in a text (a name with a blank line, a tab, an
//! escape sequence) becomes one space, so a value cannot end a cue or a line early, and WebVTT
//! text has `&`, `<` and `>` escaped (so `-->` cannot start a new cue); SSML is XML-escaped and
//! the control characters XML 1.0 does not allow are dropped.

use guide_runtime::format as it;
use guide_runtime::{FormattedValue, TextPart, Timeline};
use std::fmt::Write as _;

/// What `guide render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One timeline JSON object per line, in input order (the default).
    Json,
    /// A WebVTT caption file per recipient: the narration's sentences with their times.
    Vtt,
    /// A plain-text transcript per recipient: the guide as a person reads it, pop-ups and
    /// buttons included.
    Transcript,
    /// The narration as SSML per recipient, for a text-to-speech voice, with amounts, dates and
    /// numbers marked so that they are spoken correctly in Italian.
    Ssml,
    /// The narration spoken per recipient (Ogg Opus), by the [`crate::Speaker`] of the run's
    /// options (the command line plugs in guide-voice).
    Audio,
}

impl OutputFormat {
    /// Every format, in the order a command line lists them.
    pub const ALL: [OutputFormat; 5] = [
        OutputFormat::Json,
        OutputFormat::Vtt,
        OutputFormat::Transcript,
        OutputFormat::Ssml,
        OutputFormat::Audio,
    ];

    /// The name a command line gives this format (`json`, `vtt`, `transcript`, `ssml`).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Vtt => "vtt",
            OutputFormat::Transcript => "transcript",
            OutputFormat::Ssml => "ssml",
            OutputFormat::Audio => "audio",
        }
    }

    /// What the format is, in one sentence, for a command's help.
    pub fn description(self) -> &'static str {
        match self {
            OutputFormat::Json => "One timeline JSON object per line, in input order (the default)",
            OutputFormat::Vtt => {
                "A WebVTT caption file per recipient: the narration's sentences with their times"
            }
            OutputFormat::Transcript => {
                "A plain-text transcript per recipient: the guide as a person reads it, pop-ups \
                 and buttons included"
            }
            OutputFormat::Ssml => {
                "The narration as SSML per recipient, for a text-to-speech voice, with amounts, \
                 dates and numbers marked so that they are spoken correctly in Italian"
            }
            OutputFormat::Audio => {
                "The narration spoken per recipient (Ogg Opus, espeak-ng's Italian voice or \
                 --voice-command), each sentence at its caption's time"
            }
        }
    }

    /// The format named `name` (as [`OutputFormat::name`] gives it).
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        OutputFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The extension of the per-recipient files (`None` for JSON Lines, a single file).
    pub fn extension(self) -> Option<&'static str> {
        match self {
            OutputFormat::Json => None,
            OutputFormat::Vtt => Some("vtt"),
            OutputFormat::Transcript => Some("txt"),
            OutputFormat::Ssml => Some("ssml"),
            OutputFormat::Audio => Some("opus"),
        }
    }

    /// Writes one recipient's timeline in this format.
    pub fn write(self, t: &Timeline<'_>, out: &mut Vec<u8>) {
        match self {
            OutputFormat::Json => {
                t.write_json(out);
                out.push(b'\n');
            }
            OutputFormat::Vtt => out.extend_from_slice(vtt(t).as_bytes()),
            OutputFormat::Transcript => out.extend_from_slice(transcript(t).as_bytes()),
            OutputFormat::Ssml => out.extend_from_slice(ssml(t).as_bytes()),
            // Written by the run's speaker (see `crate::Speaker`), not here.
            OutputFormat::Audio => {}
        }
    }
}

/// `hh:mm:ss.mmm`, as WebVTT writes times.
fn vtt_time(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// `m:ss`, for people.
fn clock(ms: u64) -> String {
    format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60)
}

/// Whether `c` is whitespace or a control character: a run of them becomes one space in a
/// one-line text.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Appends `s` on one line: every run of whitespace and control characters becomes one space,
/// and `escape` writes the other characters.
fn one_line(out: &mut String, s: &str, escape: fn(&mut String, char)) {
    let mut blank = false;
    for c in s.chars() {
        if is_blank(c) {
            blank = true;
            continue;
        }
        if blank {
            out.push(' ');
            blank = false;
        }
        escape(out, c);
    }
    if blank {
        out.push(' ');
    }
}

/// Appends `s` as one line of plain text (see [`one_line`]).
fn plain(out: &mut String, s: &str) {
    one_line(out, s, String::push);
}

/// Escapes a character of WebVTT cue text: `&`, `<`, `>` (so that `-->` cannot appear).
fn vtt_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

/// Whether XML 1.0 allows `c` in a document (`Char` production): not the C0 controls other
/// than tab, line feed and carriage return, nor U+FFFE and U+FFFF.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Escapes text for XML: `&`, `<`, `>`, and drops the characters XML 1.0 does not allow.
pub fn xml_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
}

/// Escapes text for an XML attribute value between double quotes.
pub fn attr_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            c => xml_escape(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

/// The WebVTT caption file: one cue per sentence of the narration, identified by the scene and
/// the sentence's number (`importo-2`). A guide without narration has no cues.
pub fn vtt(t: &Timeline<'_>) -> String {
    let mut out = String::from("WEBVTT\n");
    for scene in t.all_scenes() {
        for (i, c) in scene.captions().enumerate() {
            let _ = write!(
                out,
                "\n{}-{}\n{} --> {}\n",
                scene.id(),
                i + 1,
                vtt_time(c.start_ms),
                vtt_time(c.end_ms)
            );
            one_line(&mut out, c.text, vtt_char);
            out.push('\n');
        }
    }
    out
}

/// The transcript: title and availability, then scene after scene its on-screen texts, its
/// narration, its pop-ups (the button that opens each, its title and body) and its buttons
/// (label and address), and the closing rating question.
pub fn transcript(t: &Timeline<'_>) -> String {
    let mut out = String::new();
    plain(&mut out, t.title());
    out.push('\n');
    let w = t.available();
    let day = |prefix: &str, d: Option<guide_runtime::Date>, out: &mut String| {
        if let Some(d) = d {
            out.push_str(prefix);
            it::date_words(out, d);
        }
    };
    if w.from.is_some() || w.until.is_some() {
        out.push_str("Disponibile");
        day(" dal ", w.from, &mut out);
        day(" fino al ", w.until, &mut out);
        out.push('\n');
    }
    let _ = writeln!(out, "Durata {}", clock(t.duration_ms()));
    for s in t.all_scenes() {
        let _ = writeln!(out, "\n[{}]", clock(s.start_ms()));
        for line in s.texts() {
            plain(&mut out, line);
            out.push('\n');
        }
        if !s.narration().is_empty() {
            out.push_str("Voce: ");
            plain(&mut out, s.narration());
            out.push('\n');
        }
        for p in s.popups() {
            out.push_str("Approfondimento «");
            plain(&mut out, p.button);
            out.push_str("»: ");
            plain(&mut out, p.title);
            out.push_str("\n  ");
            plain(&mut out, p.body);
            out.push('\n');
        }
        for b in s.buttons() {
            out.push_str("Pulsante «");
            plain(&mut out, b.label);
            out.push_str("»: ");
            plain(&mut out, b.url);
            out.push('\n');
        }
        if s.is_ending() {
            if let Some(r) = t.rating() {
                out.push_str("Valutazione: ");
                plain(&mut out, r.question);
                let _ = writeln!(out, " (da {} a {})", r.min, r.max);
            }
        }
    }
    out
}

/// The narration as SSML 1.1 for an Italian voice: a `<mark>` at each scene (named by its id,
/// to synchronise the video), a paragraph per scene, and the values the storyboard formatted
/// marked up so that they are read as meant: amounts with `<sub>` (`€ 1.234,56` is spoken
/// "1234 euro e 56 centesimi"), dates with `<say-as interpret-as="date" format="dmy">` (so that
/// the first of the month is read "primo"), integers and counts with
/// `<say-as interpret-as="cardinal">` without the thousands dot, decimals with `<sub>`
/// ("0 virgola 75").
pub fn ssml(t: &Timeline<'_>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<speak version=\"1.1\" \
         xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"it-IT\">\n",
    );
    for s in t.all_scenes() {
        out.push_str("  <mark name=\"");
        attr_escape(&mut out, s.id());
        out.push_str("\"/>\n");
        if s.narration().is_empty() {
            let _ = writeln!(out, "  <break time=\"{}ms\"/>", s.duration_ms());
            continue;
        }
        out.push_str("  <p>");
        for part in s.narration_parts() {
            match part {
                TextPart::Text(x) => xml_escape(&mut out, x),
                TextPart::Value(x, v) => value(&mut out, x, v),
            }
        }
        out.push_str("</p>\n");
    }
    out.push_str("</speak>\n");
    out
}

/// A formatted value in SSML, as [`ssml`] marks it up (the voice crate marks up its cues
/// with it too).
pub fn value(out: &mut String, written: &str, v: FormattedValue) {
    match v {
        FormattedValue::Money(c) => {
            let neg = if c < 0 { "meno " } else { "" };
            let a = c.unsigned_abs();
            let (e, cents) = (a / 100, a % 100);
            let mut alias = format!("{neg}{e} euro");
            match cents {
                0 => {}
                1 => alias.push_str(" e 1 centesimo"),
                n => {
                    let _ = write!(alias, " e {n} centesimi");
                }
            }
            sub(out, &alias, written);
        }
        FormattedValue::Date(d) => {
            let _ = write!(
                out,
                "<say-as interpret-as=\"date\" format=\"dmy\">{:02}/{:02}/{:04}</say-as>",
                d.day(),
                d.month(),
                d.year()
            );
        }
        FormattedValue::Int(n) => {
            let _ = write!(out, "<say-as interpret-as=\"cardinal\">{n}</say-as>");
        }
        FormattedValue::Count(n) => {
            // `20 settimane`: the number, then the word as written.
            let word = written.split_once(' ').map_or("", |(_, w)| w);
            let _ = write!(out, "<say-as interpret-as=\"cardinal\">{n}</say-as>");
            if !word.is_empty() {
                out.push(' ');
                xml_escape(out, word);
            }
        }
        FormattedValue::Decimal(_) => {
            // `1.234,5` is spoken "1234 virgola 5".
            let plain: String = written.chars().filter(|&c| c != '.').collect();
            let alias = plain
                .replacen(',', " virgola ", 1)
                .replacen('-', "meno ", 1);
            sub(out, &alias, written);
        }
    }
}

fn sub(out: &mut String, alias: &str, written: &str) {
    out.push_str("<sub alias=\"");
    attr_escape(out, alias);
    out.push_str("\">");
    xml_escape(out, written);
    out.push_str("</sub>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(vtt_time(0), "00:00:00.000");
        assert_eq!(vtt_time(3_723_456), "01:02:03.456");
        assert_eq!(clock(98_600), "1:38");
    }

    #[test]
    fn values() {
        let mut s = String::new();
        value(&mut s, "€ 1.234,56", FormattedValue::Money(123_456));
        assert_eq!(
            s,
            "<sub alias=\"1234 euro e 56 centesimi\">€ 1.234,56</sub>"
        );
        s.clear();
        value(&mut s, "-€ 0,01", FormattedValue::Money(-1));
        assert_eq!(s, "<sub alias=\"meno 0 euro e 1 centesimo\">-€ 0,01</sub>");
        s.clear();
        value(&mut s, "20 settimane", FormattedValue::Count(20));
        assert_eq!(s, "<say-as interpret-as=\"cardinal\">20</say-as> settimane");
        s.clear();
        value(&mut s, "1.234,5", FormattedValue::Decimal(1234.5));
        assert_eq!(s, "<sub alias=\"1234 virgola 5\">1.234,5</sub>");
        s.clear();
        value(&mut s, "1.234", FormattedValue::Int(1234));
        assert_eq!(s, "<say-as interpret-as=\"cardinal\">1234</say-as>");
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn one_line_texts() {
        let mut s = String::new();
        one_line(
            &mut s,
            "Cara Anna\n\nRossi\r\n\t\u{7}\u{1b}[2J x  -->  y\u{2028}",
            vtt_char,
        );
        assert_eq!(s, "Cara Anna Rossi [2J x --&gt; y ");
        s.clear();
        plain(&mut s, "a\u{85}b <c>");
        assert_eq!(s, "a b <c>");
    }

    #[test]
    fn xml_text_drops_what_xml_forbids() {
        let mut s = String::new();
        xml_escape(&mut s, "a\u{0}b\u{1b}c\td\ne\u{fffe}\u{ffff}f<&>\u{10ffff}");
        assert_eq!(s, "abc\td\nef&lt;&amp;&gt;\u{10ffff}");
    }
}
