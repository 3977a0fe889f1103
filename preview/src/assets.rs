//! Everything the pages need, embedded in the binary: templates, style sheet, script, fonts.
//! The preview works with no network at all.

use handlebars::Handlebars;
use serde::Serialize;

/// A static file served under `/static/`.
pub struct Asset {
    /// The name after `/static/`.
    pub name: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: &'static [u8],
}

/// The static files.
pub const STATIC: &[Asset] = &[
    Asset {
        name: "preview.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/preview.css"),
    },
    Asset {
        name: "player.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/player.js"),
    },
    Asset {
        name: "index.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/index.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("assets/favicon.svg"),
    },
    Asset {
        name: "fonts/titillium-web-400.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("assets/fonts/titillium-web-latin-400-normal.woff2"),
    },
    Asset {
        name: "fonts/titillium-web-700.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("assets/fonts/titillium-web-latin-700-normal.woff2"),
    },
];

/// The static file called `name`, if any. Names are compared whole: nothing else is reachable.
pub fn get(name: &str) -> Option<&'static Asset> {
    STATIC.iter().find(|a| a.name == name)
}

/// The page templates, compiled once.
pub struct Templates {
    hb: Handlebars<'static>,
}

impl Templates {
    /// Compiles the embedded templates.
    pub fn new() -> Result<Templates, String> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        let templates = [
            ("head", include_str!("assets/head.hbs")),
            ("index", include_str!("assets/index.hbs")),
            ("campaign", include_str!("assets/campaign.hbs")),
            ("error", include_str!("assets/error.hbs")),
        ];
        for (name, text) in templates {
            if name == "head" {
                hb.register_partial(name, text)
            } else {
                hb.register_template_string(name, text)
            }
            .map_err(|e| format!("template {name}: {e}"))?;
        }
        Ok(Templates { hb })
    }

    /// Renders a page; values are HTML-escaped by handlebars (`{{x}}`, never `{{{x}}}`).
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String, String> {
        self.hb.render(name, data).map_err(|e| e.to_string())
    }
}
