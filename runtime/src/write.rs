//! Writing a [`Timeline`] as compact JSON without serde: [`Timeline::write_json`].
//!
//! The bytes are exactly those of the serde form (`Timeline::to_json`, keys in the documented
//! order, serde_json's string escaping), only produced faster: everything that does not depend
//! on the recipient (keys, scene ids and visuals, pop-up ids, buttons, the rating scale) is
//! rendered to JSON once when the program is loaded ([`Fragments`]) and copied; pool strings
//! that need no escaping (nearly all) are copied as they are; only text built for the recipient
//! is scanned for characters to escape, eight bytes at a time.

use crate::bytecode::{Module, Op, Target, NO_STRING};
use crate::date::Date;
use crate::timeline::{slice, SceneRec, TextRef, Timeline, Window, ARENA};

/// JSON fragments of a program, rendered once at load time.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragments {
    /// Per pool string: whether it can be written between quotes as it is.
    clean: Vec<bool>,
    /// `{"campaign":"…","title":"…","variant":"v-`
    header: String,
    /// Per scene definition: `{"id":"…","start_ms":`
    scene_open: Vec<String>,
    /// Per scene definition: `,"visual":"…"` (then `,"visual_alt":"…"` when it has one) or
    /// nothing.
    scene_visual: Vec<String>,
    /// Per scene definition: its explicit duration (0: derived) and `,"duration_ms":N` for it.
    duration: Vec<(u64, String)>,
    /// Per scene definition: `,"rating":{"question":"` when it has a rating.
    rating_open: Vec<Option<String>>,
    /// Per scene definition: `","min":1,"max":5}` when it has a rating.
    rating_close: Vec<String>,
    /// Per pop-up definition: `{"id":"…","button":"`
    popup_open: Vec<String>,
    /// Per button definition: `{"label":"…","url":"…"}`
    button: Vec<String>,
    /// Per scene definition whose content is the same for every recipient (straight-line
    /// static texts, pop-ups and buttons, no narration, no rating): everything after its start,
    /// `,"duration_ms":N,"visual":…,"texts":[…],…,"captions":[]}`, and where the part after
    /// the duration begins (for a scene whose duration is not the explicit one).
    static_tail: Vec<Option<(String, usize)>>,
}

impl Fragments {
    /// Renders the fragments of a module (its indices already validated).
    pub(crate) fn new(m: &Module) -> Fragments {
        let s = |i: u32| m.strings.get(i as usize).map_or("", String::as_str);
        let q = |i: u32| {
            let mut o = String::new();
            escape_into_string(&mut o, s(i));
            o
        };
        let clean = m
            .strings
            .iter()
            .map(|x| !needs_escape(x.as_bytes()))
            .collect();
        let header = format!(
            "{{\"campaign\":\"{}\",\"title\":\"{}\",\"variant\":\"v-",
            q(m.meta.id),
            q(m.meta.title)
        );
        let mut f = Fragments {
            clean,
            header,
            ..Fragments::default()
        };
        for sc in &m.scenes {
            f.scene_open
                .push(format!("{{\"id\":\"{}\",\"start_ms\":", q(sc.id)));
            f.duration.push((
                sc.duration_ms,
                format!(",\"duration_ms\":{}", sc.duration_ms),
            ));
            f.scene_visual.push(match (sc.visual, sc.alt) {
                (NO_STRING, _) => String::new(),
                (v, NO_STRING) => format!(",\"visual\":\"{}\"", q(v)),
                (v, a) => format!(",\"visual\":\"{}\",\"visual_alt\":\"{}\"", q(v), q(a)),
            });
            match sc.rating {
                Some((min, max)) => {
                    f.rating_open
                        .push(Some(",\"rating\":{\"question\":\"".to_owned()));
                    f.rating_close
                        .push(format!("\",\"min\":{min},\"max\":{max}}}"));
                }
                None => {
                    f.rating_open.push(None);
                    f.rating_close.push(String::new());
                }
            }
        }
        for p in &m.popups {
            f.popup_open
                .push(format!("{{\"id\":\"{}\",\"button\":\"", q(p.id)));
        }
        for b in &m.buttons {
            let svc = m.services.get(usize::from(b.service));
            f.button.push(format!(
                "{{\"label\":\"{}\",\"url\":\"{}\"}}",
                q(b.label),
                svc.map_or(String::new(), |x| q(x.url))
            ));
        }
        f.static_tail = static_tails(m, &f, &q);
        f
    }
}

/// The JSON after the duration of every scene whose content does not depend on the
/// recipient: its code, from `scene` to `end.scene`, only has static lines of text and of
/// pop-ups, pop-ups and buttons (a scene's `when` is a branch around it, outside), and its
/// `scene` instruction is the only one for it.
fn static_tails(
    m: &Module,
    f: &Fragments,
    q: &dyn Fn(u32) -> String,
) -> Vec<Option<(String, usize)>> {
    let mut tails: Vec<Option<(String, usize)>> = vec![None; m.scenes.len()];
    let mut count = vec![0usize; m.scenes.len()];
    for (pc, op) in m.code.iter().enumerate() {
        let Op::Scene(def) = *op else {
            continue;
        };
        let d = usize::from(def);
        if let Some(c) = count.get_mut(d) {
            *c += 1;
        }
        if m.scenes.get(d).is_none_or(|sc| sc.rating.is_some()) {
            continue;
        }
        let mut texts = Vec::new();
        let mut popups = Vec::new();
        let mut buttons = Vec::new();
        let mut popup: Option<(u16, [u32; 3])> = None;
        let mut ok = false;
        for op in m.code.iter().skip(pc + 1) {
            match *op {
                Op::StaticLine { target, text } => match (target, popup.as_mut()) {
                    (Target::Text, None) => texts.push(text),
                    (Target::PopupButton, Some((_, p))) => p[0] = text,
                    (Target::PopupTitle, Some((_, p))) => p[1] = text,
                    (Target::PopupBody, Some((_, p))) => p[2] = text,
                    _ => break,
                },
                Op::Popup(p) if popup.is_none() => popup = Some((p, [NO_STRING; 3])),
                Op::EndPopup => match popup.take() {
                    Some((p, lines)) if !lines.contains(&NO_STRING) => popups.push((p, lines)),
                    _ => break,
                },
                Op::Button(b) if popup.is_none() => buttons.push(b),
                Op::EndScene => {
                    ok = popup.is_none();
                    break;
                }
                _ => break,
            }
        }
        if !ok {
            continue;
        }
        let mut t = f.duration.get(d).map_or(String::new(), |x| x.1.clone());
        let after_duration = t.len();
        t.push_str(f.scene_visual.get(d).map_or("", String::as_str));
        t.push_str(",\"texts\":[");
        for (i, &x) in texts.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            t.push('"');
            t.push_str(&q(x));
            t.push('"');
        }
        t.push_str("],\"narration\":\"\",\"popups\":[");
        for (i, (p, [b, ti, bo])) in popups.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            t.push_str(f.popup_open.get(usize::from(*p)).map_or("", String::as_str));
            t.push_str(&format!(
                "{}\",\"title\":\"{}\",\"body\":\"{}\"}}",
                q(*b),
                q(*ti),
                q(*bo)
            ));
        }
        t.push_str("],\"buttons\":[");
        for (i, b) in buttons.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            t.push_str(f.button.get(usize::from(*b)).map_or("", String::as_str));
        }
        t.push_str("],\"captions\":[]}");
        if let Some(slot) = tails.get_mut(d) {
            *slot = Some((t, after_duration));
        }
    }
    for (tail, c) in tails.iter_mut().zip(count) {
        if c != 1 {
            *tail = None;
        }
    }
    tails
}

impl Timeline<'_> {
    /// Appends the timeline as compact JSON to `out`: the same bytes as
    /// [`Timeline::to_json`](crate::Timeline) (with the `json` feature) and as any serde
    /// serialiser writing compact JSON, produced several times faster. No newline is added.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let f = &self.program.frag;
        out.reserve(4096);
        out.extend_from_slice(f.header.as_bytes());
        hex16(out, self.variant.0);
        out.extend_from_slice(b"\",\"available\":");
        window(out, self.available);
        out.extend_from_slice(b",\"duration_ms\":");
        uint(out, self.duration_ms);
        out.extend_from_slice(b",\"scenes\":[");
        let n = self.scenes.len().saturating_sub(1);
        for (i, rec) in self.scenes.iter().take(n).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.scene_json(out, rec, false);
        }
        out.extend_from_slice(b"],\"ending\":");
        match self.scenes.last() {
            Some(rec) => self.scene_json(out, rec, true),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }

    fn scene_json(&self, out: &mut Vec<u8>, rec: &SceneRec, ending: bool) {
        let f = &self.program.frag;
        let def = usize::from(rec.def);
        out.extend_from_slice(f.scene_open.get(def).map_or("", String::as_str).as_bytes());
        uint(out, rec.start_ms);
        let explicit = match f.duration.get(def) {
            Some((ms, frag)) if *ms == rec.duration_ms && *ms != 0 => Some(frag),
            _ => None,
        };
        if let Some(Some((tail, after_duration))) = f.static_tail.get(def) {
            if explicit.is_some() {
                out.extend_from_slice(tail.as_bytes());
            } else {
                out.extend_from_slice(b",\"duration_ms\":");
                uint(out, rec.duration_ms);
                out.extend_from_slice(tail.as_bytes().get(*after_duration..).unwrap_or(&[]));
            }
            return;
        }
        match explicit {
            Some(frag) => out.extend_from_slice(frag.as_bytes()),
            None => {
                out.extend_from_slice(b",\"duration_ms\":");
                uint(out, rec.duration_ms);
            }
        }
        out.extend_from_slice(
            f.scene_visual
                .get(def)
                .map_or("", String::as_str)
                .as_bytes(),
        );
        out.extend_from_slice(b",\"texts\":[");
        let (texts, popups, buttons) = self.parts(rec);
        for (i, &t) in texts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            self.text_json(out, t);
            out.push(b'"');
        }
        if !ending
            && rec.narration.start == rec.narration.end
            && popups.is_empty()
            && buttons.is_empty()
            && rec.captions.0 == rec.captions.1
        {
            // The usual end of a scene with only lines of text, in one copy.
            out.extend_from_slice(
                b"],\"narration\":\"\",\"popups\":[],\"buttons\":[],\"captions\":[]}",
            );
            return;
        }
        out.extend_from_slice(b"],\"narration\":\"");
        self.text_json(out, rec.narration);
        out.extend_from_slice(b"\",\"popups\":[");
        for (i, p) in popups.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(
                f.popup_open
                    .get(usize::from(p.def))
                    .map_or("", String::as_str)
                    .as_bytes(),
            );
            self.text_json(out, p.button);
            out.extend_from_slice(b"\",\"title\":\"");
            self.text_json(out, p.title);
            out.extend_from_slice(b"\",\"body\":\"");
            self.text_json(out, p.body);
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"],\"buttons\":[");
        for (i, &b) in buttons.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(
                f.button
                    .get(usize::from(b))
                    .map_or("", String::as_str)
                    .as_bytes(),
            );
        }
        out.extend_from_slice(b"],\"captions\":[");
        for (i, c) in slice(&self.captions, rec.captions).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start_ms\":");
            uint(out, c.start_ms);
            out.extend_from_slice(b",\"end_ms\":");
            uint(out, c.end_ms);
            out.extend_from_slice(b",\"text\":\"");
            self.text_json(out, c.text);
            out.extend_from_slice(b"\"}");
        }
        out.push(b']');
        if ending {
            if let (Some(q), Some(Some(open))) = (self.rating, f.rating_open.get(def)) {
                if self.rating().is_some() {
                    out.extend_from_slice(open.as_bytes());
                    self.text_json(out, q);
                    out.extend_from_slice(
                        f.rating_close
                            .get(def)
                            .map_or("", String::as_str)
                            .as_bytes(),
                    );
                }
            }
        }
        out.push(b'}');
    }

    /// Writes a text escaped (without quotes): pool strings known to be clean are copied.
    #[inline]
    fn text_json(&self, out: &mut Vec<u8>, t: TextRef) {
        let (a, b) = (t.start as usize, t.end as usize);
        if t.src == ARENA {
            let bytes = self.arena.as_bytes().get(a..b).unwrap_or(&[]);
            if self.arena_clean {
                out.extend_from_slice(bytes);
            } else {
                escape_bytes(out, bytes);
            }
        } else {
            let p = self.program;
            let s =
                p.m.strings
                    .get(t.src as usize)
                    .map_or(&[][..], |s| s.as_bytes());
            let bytes = s.get(a..b).unwrap_or(&[]);
            if p.frag.clean.get(t.src as usize) == Some(&true) {
                out.extend_from_slice(bytes);
            } else {
                escape_bytes(out, bytes);
            }
        }
    }
}

fn window(out: &mut Vec<u8>, w: Window) {
    out.extend_from_slice(b"{\"from\":");
    opt_date(out, w.from);
    out.extend_from_slice(b",\"until\":");
    opt_date(out, w.until);
    out.push(b'}');
}

fn opt_date(out: &mut Vec<u8>, d: Option<Date>) {
    match d {
        None => out.extend_from_slice(b"null"),
        Some(d) => {
            out.push(b'"');
            let y = u32::try_from(d.year()).unwrap_or(0);
            if y < 1000 {
                out.push(b'0');
                if y < 100 {
                    out.push(b'0');
                    if y < 10 {
                        out.push(b'0');
                    }
                }
            }
            uint(out, u64::from(y));
            out.push(b'-');
            two(out, d.month());
            out.push(b'-');
            two(out, d.day());
            out.push(b'"');
        }
    }
}

fn two(out: &mut Vec<u8>, n: u8) {
    out.push(b'0' + (n / 10) % 10);
    out.push(b'0' + n % 10);
}

/// Two decimal digits of each number below 100.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal.
#[inline]
pub(crate) fn uint(out: &mut Vec<u8>, n: u64) {
    match u32::try_from(n) {
        Ok(small) if small < 100_000_000 => uint8(out, small),
        _ => uint_wide(out, n),
    }
}

/// Writes `n` (below 10^8) in decimal: the digits are put right-aligned in one word, shifted
/// down to its first bytes and the word is copied whole (a copy of known size, without a
/// call), then the length is cut back to the digits.
#[inline]
fn uint8(out: &mut Vec<u8>, n: u32) {
    let mut buf = [0u8; 8];
    let i = digits_into(&mut buf, u64::from(n));
    let word = u64::from_le_bytes(buf) >> (8 * i);
    let len = out.len();
    out.extend_from_slice(&word.to_le_bytes());
    out.truncate(len + 8 - i);
}

/// Writes `n` in decimal, any size.
fn uint_wide(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let i = digits_into(&mut buf, n);
    out.extend_from_slice(buf.get(i..).unwrap_or(&[]));
}

/// Puts the decimal digits of `n` at the end of `buf`, two at a time; returns where they start
/// (`buf` must have room for them: 20 bytes hold any `u64`).
#[inline]
fn digits_into(buf: &mut [u8], mut n: u64) -> usize {
    let mut i = buf.len();
    while n >= 100 {
        let p = (n % 100) as usize * 2;
        n /= 100;
        i = i.saturating_sub(2);
        if let (Some(d), Some(s)) = (buf.get_mut(i..i + 2), PAIRS.get(p..p + 2)) {
            d.copy_from_slice(s);
        }
    }
    if n >= 10 {
        let p = n as usize * 2;
        i = i.saturating_sub(2);
        if let (Some(d), Some(s)) = (buf.get_mut(i..i + 2), PAIRS.get(p..p + 2)) {
            d.copy_from_slice(s);
        }
    } else {
        i = i.saturating_sub(1);
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + n as u8;
        }
    }
    i
}

/// Writes `n` as 16 lower-case hex digits.
fn hex16(out: &mut Vec<u8>, n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    for (i, slot) in buf.iter_mut().enumerate() {
        *slot = HEX[((n >> (60 - 4 * i)) & 0xf) as usize];
    }
    out.extend_from_slice(&buf);
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the word is a control character, `"` or `\`.
#[inline]
fn word_needs_escape(w: u64) -> bool {
    let control = w.wrapping_sub(LO * 0x20) & !w;
    let q = w ^ (LO * u64::from(b'"'));
    let quote = q.wrapping_sub(LO) & !q;
    let b = w ^ (LO * u64::from(b'\\'));
    let backslash = b.wrapping_sub(LO) & !b;
    (control | quote | backslash) & HI != 0
}

#[inline]
fn byte_needs_escape(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// Whether `s` has a byte JSON strings must escape.
fn needs_escape(s: &[u8]) -> bool {
    first_escape(s).is_some()
}

/// The position of the first byte to escape in a JSON string (a control character, `"` or
/// `\`), if any; eight bytes at a time.
#[inline]
pub(crate) fn first_escape(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut chunks = s.chunks_exact(8);
    for c in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if word_needs_escape(u64::from_le_bytes(w)) {
            break;
        }
        i += 8;
    }
    let rest = s.get(i..)?;
    if rest.len() < 8 {
        // The last bytes, checked as one word: the last eight bytes of `s` when it has that
        // many (the bytes before `rest` were found clean), else `rest` padded with spaces.
        let mut w = [b' '; 8];
        match s.len().checked_sub(8) {
            Some(from) => w.copy_from_slice(s.get(from..)?),
            None => w.get_mut(..rest.len())?.copy_from_slice(rest),
        }
        if !word_needs_escape(u64::from_le_bytes(w)) {
            return None;
        }
    }
    rest.iter()
        .position(|&c| byte_needs_escape(c))
        .map(|p| p + i)
}

/// Appends `s` escaped as the inside of a JSON string, byte for byte as serde_json does:
/// `"` and `\` are backslashed, control characters written `\n`, `\t`... or `\u00XX`.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    escape_bytes(out, s.as_bytes());
}

/// [`escape_into`] over the bytes of a string (or a byte range of one cut at character
/// boundaries, as every [`TextRef`] is).
#[inline]
fn escape_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let mut rest = s;
    while let Some(p) = first_escape(rest) {
        let (clean, tail) = rest.split_at(p);
        out.extend_from_slice(clean);
        let Some((&c, tail)) = tail.split_first() else {
            break;
        };
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0xf)]);
            }
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
}

fn escape_into_string(out: &mut String, s: &str) {
    let mut v = Vec::new();
    escape_into(&mut v, s);
    out.push_str(&String::from_utf8_lossy(&v));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut v = Vec::new();
        escape_into(&mut v, s);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn escapes_like_serde_json() {
        for s in [
            "",
            "plain text, è più lungo di otto byte",
            "a\"b\\c\nd\u{1}é€",
            "\u{7f}\u{1f}\u{0}\t\r\u{8}\u{c}/",
            "Lorenzo \"Nini\"",
            "12345678\"",
            "\"12345678",
        ] {
            let serde = serde_json_like(s);
            assert_eq!(esc(s), serde, "{s:?}");
            assert_eq!(needs_escape(s.as_bytes()), esc(s) != s);
        }
        for b in 0u8..=127 {
            let s = String::from(char::from(b)).repeat(9);
            assert_eq!(esc(&s), serde_json_like(&s), "{b}");
        }
        // One character to escape at every position of texts of every length around a word.
        for len in 0..20 {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
                    let s: String = (0..len).map(|i| if i == at { c } else { 'a' }).collect();
                    assert_eq!(esc(&s), serde_json_like(&s), "{s:?}");
                    assert_eq!(first_escape(s.as_bytes()), Some(at), "{s:?}");
                }
            }
            let clean = "é".repeat(len);
            assert_eq!(first_escape(clean.as_bytes()), None);
        }
    }

    /// The reference escaping (serde_json's rules, written plainly).
    fn serde_json_like(s: &str) -> String {
        let mut o = String::new();
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                '\n' => o.push_str("\\n"),
                '\r' => o.push_str("\\r"),
                '\t' => o.push_str("\\t"),
                '\u{8}' => o.push_str("\\b"),
                '\u{c}' => o.push_str("\\f"),
                c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o
    }

    #[test]
    fn numbers() {
        let edges = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1]
        });
        let mut v = b"x".to_vec();
        for n in (0..=100_000).chain(edges).chain([u64::MAX - 1, u64::MAX]) {
            v.truncate(1);
            uint(&mut v, n);
            assert_eq!(String::from_utf8_lossy(&v), format!("x{n}"));
        }
        let mut v = Vec::new();
        hex16(&mut v, 0x03f1_d015_170d_3ec2);
        assert_eq!(v, b"03f1d015170d3ec2");
    }
}
