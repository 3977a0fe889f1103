//! The recipient's pages: the player, the text version, and the notices (not yet available,
//! no longer available, not found), from templates embedded in the binary.

use guide_runtime::{Date, Timeline};
use handlebars::Handlebars;
use serde::Serialize;

/// A date as written in Italian: `1° marzo 2025` (the runtime's formatter of dates in texts).
pub fn italian_date(d: Date) -> String {
    let mut out = String::new();
    guide_runtime::format::date_words(&mut out, d);
    out
}

/// JSON safe inside a `<script type="application/json">` element: `<`, `>` and `&` (which
/// JSON only has inside strings) written as `\u` escapes, so no `</script>` can end it.
pub fn json_for_html(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len() + 16);
    json_for_html_into(json.as_bytes(), &mut out);
    // Only ASCII bytes were replaced by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`json_for_html`] appended to `out`: the runs between `<`, `>` and `&` (found with SIMD,
/// `memchr3`) are copied whole.
fn json_for_html_into(json: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    for i in memchr::memchr3_iter(b'<', b'>', b'&', json) {
        out.extend_from_slice(&json[start..i]);
        out.extend_from_slice(match json[i] {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        });
        start = i + 1;
    }
    out.extend_from_slice(&json[start..]);
}

/// The page templates, compiled once.
pub struct Pages {
    hb: Handlebars<'static>,
    /// The player page, rendered once with markers and cut at them: a view fills the holes.
    player: Vec<Piece>,
    /// The length of the player page's fixed text.
    player_len: usize,
}

/// A piece of the player page.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Title,
    Timeline,
    Token,
}

/// The markers of the holes of the player page (control characters no template holds).
const HOLES: [(&str, Piece); 3] = [
    ("\u{1}T\u{1}", Piece::Title),
    ("\u{1}J\u{1}", Piece::Timeline),
    ("\u{1}K\u{1}", Piece::Token),
];

/// `page` cut at the markers of [`HOLES`].
fn cut(page: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = page;
    while let Some((at, marker, piece)) = HOLES
        .iter()
        .filter_map(|(m, p)| rest.find(m).map(|at| (at, *m, p)))
        .min_by_key(|(at, _, _)| *at)
    {
        pieces.push(Piece::Text(rest[..at].to_string()));
        pieces.push(piece.clone());
        rest = &rest[at + marker.len()..];
    }
    pieces.push(Piece::Text(rest.to_string()));
    pieces
}

/// The data of the player page.
#[derive(Serialize)]
struct PlayerPage<'a> {
    title: &'a str,
    timeline: String,
    text_href: &'a str,
    rating_href: &'a str,
    audio_href: Option<String>,
}

/// A scene of the text version.
#[derive(Serialize)]
struct TextScene<'t> {
    texts: Vec<&'t str>,
    narration: &'t str,
    popups: Vec<guide_runtime::timeline::Popup<'t>>,
    buttons: Vec<TextButton<'t>>,
}

/// A button of the text version.
#[derive(Serialize)]
struct TextButton<'t> {
    label: &'t str,
    url: &'t str,
}

/// The data of the text version.
#[derive(Serialize)]
struct TextPage<'t> {
    title: &'t str,
    scenes: Vec<TextScene<'t>>,
    rating: Option<String>,
    player_href: &'t str,
}

/// The data of a notice.
#[derive(Serialize)]
struct Notice<'a> {
    heading: &'a str,
    message: &'a str,
    myinps: bool,
}

impl Pages {
    /// Compiles the embedded templates.
    pub fn new() -> Result<Pages, String> {
        Pages::speaking(false)
    }

    /// Compiles the embedded templates; with `audio`, the player asks for the guide spoken
    /// (`/g/TOKEN/audio`).
    pub fn speaking(audio: bool) -> Result<Pages, String> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_partial("head", include_str!("assets/head.hbs"))
            .map_err(|e| format!("template head: {e}"))?;
        for (name, text) in [
            ("recipient", include_str!("assets/recipient.hbs")),
            ("text", include_str!("assets/text.hbs")),
            ("notice", include_str!("assets/notice.hbs")),
        ] {
            hb.register_template_string(name, text)
                .map_err(|e| format!("template {name}: {e}"))?;
        }
        let marked = hb
            .render(
                "recipient",
                &PlayerPage {
                    title: HOLES[0].0,
                    timeline: HOLES[1].0.into(),
                    text_href: &format!("/g/{}/testo", HOLES[2].0),
                    rating_href: &format!("/g/{}/rating", HOLES[2].0),
                    audio_href: audio.then(|| format!("/g/{}/audio", HOLES[2].0)),
                },
            )
            .map_err(|e| format!("template recipient: {e}"))?;
        let player = cut(&marked);
        let player_len = player
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                _ => 0,
            })
            .sum();
        Ok(Pages {
            hb,
            player,
            player_len,
        })
    }

    fn render(&self, name: &str, data: &impl Serialize) -> String {
        self.hb
            .render(name, data)
            .unwrap_or_else(|e| format!("<!doctype html><title>Errore</title><p>{e}</p>"))
    }

    /// The player page of `token` (a well-formed token: URL-safe characters only) for
    /// `timeline`.
    pub fn player(&self, timeline: &Timeline<'_>, token: &str) -> String {
        let page = self.player_bytes(timeline, token, &mut Vec::new());
        // Pieces of a `&str`, UTF-8 JSON with ASCII escapes, a token: UTF-8.
        String::from_utf8(page).unwrap_or_default()
    }

    /// [`Pages::player`] as bytes, built in one buffer; `scratch` holds the timeline's JSON on
    /// the way (reuse it across views).
    pub fn player_bytes(
        &self,
        timeline: &Timeline<'_>,
        token: &str,
        scratch: &mut Vec<u8>,
    ) -> Vec<u8> {
        scratch.clear();
        timeline.write_json(scratch);
        let mut page = Vec::with_capacity(self.player_len + scratch.len() + 256);
        for piece in &self.player {
            match piece {
                Piece::Text(t) => page.extend_from_slice(t.as_bytes()),
                Piece::Title => {
                    page.extend_from_slice(handlebars::html_escape(timeline.title()).as_bytes())
                }
                Piece::Timeline => json_for_html_into(scratch, &mut page),
                Piece::Token => page.extend_from_slice(token.as_bytes()),
            }
        }
        page
    }

    /// The text version of `timeline`.
    pub fn text(&self, timeline: &Timeline<'_>, token: &str) -> String {
        let player_href = &format!("/g/{token}");
        let scenes = timeline
            .scenes()
            .chain(
                timeline
                    .ending()
                    .filter(|e| !timeline.scenes().any(|s| s.id() == e.id())),
            )
            .map(|s| TextScene {
                texts: s.texts().collect(),
                narration: s.narration(),
                popups: s.popups().collect(),
                buttons: s
                    .buttons()
                    .map(|b| TextButton {
                        label: b.label,
                        url: b.url,
                    })
                    .collect(),
            })
            .collect();
        let rating = timeline
            .rating()
            .map(|r| format!("{} (da {} a {})", r.question, r.min, r.max));
        self.render(
            "text",
            &TextPage {
                title: timeline.title(),
                scenes,
                rating,
                player_href,
            },
        )
    }

    /// The guide is not available yet: from `from`.
    pub fn not_yet(&self, from: Date) -> String {
        let message = format!(
            "Questa guida sarà disponibile dal {}. Torna a questo indirizzo da quel giorno.",
            italian_date(from)
        );
        self.notice("La guida non è ancora disponibile", &message, false)
    }

    /// The guide is no longer available: since `until`, when known.
    pub fn gone(&self, until: Option<Date>) -> String {
        let message = match until {
            Some(d) => format!(
                "Questa guida non è più disponibile dal {}.",
                italian_date(d)
            ),
            None => "Questa guida non è più disponibile.".into(),
        };
        self.notice("La guida non è più disponibile", &message, true)
    }

    /// No guide at this address (the same page for every token not found, well-formed or not).
    pub fn not_found(&self) -> String {
        self.notice(
            "Pagina non trovata",
            "A questo indirizzo non c'è nessuna guida. Controlla di aver copiato il collegamento per intero.",
            true,
        )
    }

    /// Too many addresses tried.
    pub fn too_many(&self) -> String {
        self.notice(
            "Troppi tentativi",
            "Da questa rete sono stati aperti troppi indirizzi inesistenti. Riprova tra qualche minuto.",
            true,
        )
    }

    /// The guide could not be produced.
    pub fn failed(&self) -> String {
        self.notice(
            "La guida non è disponibile",
            "In questo momento non è possibile mostrare la guida. Riprova più tardi.",
            true,
        )
    }

    fn notice(&self, heading: &str, message: &str, myinps: bool) -> String {
        self.render(
            "notice",
            &Notice {
                heading,
                message,
                myinps,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_italian() {
        assert_eq!(
            italian_date(Date::new(2025, 3, 1).unwrap()),
            "1° marzo 2025"
        );
        assert_eq!(
            italian_date(Date::new(2024, 12, 31).unwrap()),
            "31 dicembre 2024"
        );
    }

    #[test]
    fn the_player_page_is_cut_at_its_holes() {
        let pages = Pages::new().unwrap();
        let holes: Vec<_> = pages
            .player
            .iter()
            .filter(|p| !matches!(p, Piece::Text(_)))
            .collect();
        assert_eq!(
            holes,
            [
                &Piece::Token,
                &Piece::Title,
                &Piece::Token,
                &Piece::Timeline
            ]
        );
        assert!(pages.player.iter().all(|p| match p {
            Piece::Text(t) => !t.contains('\u{1}'),
            _ => true,
        }));
    }

    #[test]
    fn json_in_html_cannot_close_its_script() {
        let j = json_for_html(r#"{"a":"</script><b>&"}"#);
        assert!(!j.contains('<') && !j.contains('>') && !j.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back["a"], "</script><b>&");
    }
}
