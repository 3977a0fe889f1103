//! Personal links: the CSV manifest for the print shop and the notification systems, and one
//! QR code per recipient (SVG and PNG).
//!
//! A link is `BASE/g/TOKEN`; the QR code carries `BASE/g/TOKEN?c=qr`, so the service can count
//! views by channel (`qr`, `myinps`, `io`, `sms`, `email`: the notification systems add their
//! own `?c=`).

use guide_render::output::{Folder, Sink};
use guide_runtime::Date;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Modules of white around a QR code (the standard's quiet zone).
pub const QUIET_ZONE: usize = 4;
/// The smallest side of a PNG QR code, in pixels (about 2 cm at 400 dpi).
pub const MIN_PNG_SIDE: usize = 300;

/// The base of every link: an `http` or `https` URL without query or fragment, no trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

/// Why a base URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBaseUrl(&'static str);

impl fmt::Display for BadBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BadBaseUrl {}

impl BaseUrl {
    /// Checks a base URL: `https://host[:port][/path]` or `http://...`.
    pub fn parse(s: &str) -> Result<BaseUrl, BadBaseUrl> {
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or(BadBaseUrl(
                "the base URL must start with https:// or http://",
            ))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(BadBaseUrl("the base URL has no host"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BadBaseUrl("the base URL contains spaces"));
        }
        if s.contains(['?', '#']) {
            return Err(BadBaseUrl(
                "the base URL must not have a query (?) or a fragment (#)",
            ));
        }
        if host.contains('@') {
            return Err(BadBaseUrl("the base URL must not hold a user or password"));
        }
        Ok(BaseUrl(s.trim_end_matches('/').to_owned()))
    }

    /// The link of a token: `BASE/g/TOKEN`.
    pub fn link(&self, token: &str) -> String {
        format!("{}/g/{token}", self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What to write besides the database.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// The base of the links.
    pub base: BaseUrl,
    /// The CSV manifest, if wanted.
    pub manifest: Option<PathBuf>,
    /// The folder of QR codes, if wanted (must not exist or be empty).
    pub qr_dir: Option<PathBuf>,
}

/// Writes the manifest and the QR codes as recipients are published; nothing appears under the
/// final names until [`LinkWriter::finish`].
pub struct LinkWriter {
    base: BaseUrl,
    manifest: Option<Sink>,
    qr: Option<Folder>,
}

impl LinkWriter {
    /// Starts the outputs; the manifest's first column is named after the key attribute.
    pub fn create(opts: &LinkOptions, key_name: &str) -> io::Result<LinkWriter> {
        let mut manifest = opts.manifest.as_deref().map(Sink::create).transpose()?;
        let qr = opts.qr_dir.as_deref().map(Folder::create).transpose()?;
        if let Some(m) = &mut manifest {
            let header = [
                key_name,
                "url",
                "available_from",
                "available_until",
                "qr_url",
                "qr_file",
            ];
            m.write_all(&csv_row(&header)?)?;
        }
        Ok(LinkWriter {
            base: opts.base.clone(),
            manifest,
            qr,
        })
    }

    /// Adds one recipient: a manifest line and, if wanted, its QR code files
    /// (`TOKEN.svg`, `TOKEN.png`).
    pub fn add(
        &mut self,
        key: &str,
        token: &str,
        from: Option<Date>,
        until: Option<Date>,
    ) -> io::Result<()> {
        let url = self.base.link(token);
        let qr_url = format!("{url}?c=qr");
        let mut qr_file = String::new();
        if let Some(folder) = &self.qr {
            let code = qr_code(&qr_url)?;
            write_file(folder.dir(), &format!("{token}.svg"), svg(&code).as_bytes())?;
            write_file(folder.dir(), &format!("{token}.png"), &png(&code)?)?;
            qr_file = format!("{token}.png");
        }
        if let Some(m) = &mut self.manifest {
            let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
            let (f, u) = (day(from), day(until));
            let cells = [key, &url, &f, &u, &qr_url, &qr_file];
            m.write_all(&csv_row(&cells)?)?;
        }
        Ok(())
    }

    /// Gives the manifest and the QR folder their final names.
    pub fn finish(self) -> io::Result<()> {
        if let Some(m) = self.manifest {
            m.finish()?;
        }
        if let Some(q) = self.qr {
            q.finish()?;
        }
        Ok(())
    }
}

fn csv_row(cells: &[&str]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).map_err(io::Error::other)?;
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    std::fs::write(dir.join(name), bytes)
}

/// The QR code of `text`, error correction level M.
pub fn qr_code(text: &str) -> io::Result<QrCode> {
    QrCode::with_error_correction_level(text, EcLevel::M).map_err(io::Error::other)
}

/// The code as SVG, with its quiet zone, at least [`MIN_PNG_SIDE`] units wide.
pub fn svg(code: &QrCode) -> String {
    code.render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(MIN_PNG_SIDE as u32, MIN_PNG_SIDE as u32)
        .build()
}

/// The code as a greyscale PNG: [`QUIET_ZONE`] modules of white around it, each module a
/// square of whole pixels, at least [`MIN_PNG_SIDE`] pixels wide.
pub fn png(code: &QrCode) -> io::Result<Vec<u8>> {
    let (side, pixels) = pixels(code);
    let mut out = Vec::new();
    let n = u32::try_from(side).map_err(io::Error::other)?;
    let mut enc = png::Encoder::new(&mut out, n, n);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(io::Error::other)?;
    w.write_image_data(&pixels).map_err(io::Error::other)?;
    w.finish().map_err(io::Error::other)?;
    Ok(out)
}

/// The side in pixels and the greyscale pixels (0 dark, 255 light) of the code's PNG.
pub fn pixels(code: &QrCode) -> (usize, Vec<u8>) {
    let modules = code.width() + 2 * QUIET_ZONE;
    let scale = MIN_PNG_SIDE.div_ceil(modules);
    let side = modules * scale;
    let colors = code.to_colors();
    let mut px = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != Color::Dark {
            continue;
        }
        let (mx, my) = (i % code.width() + QUIET_ZONE, i / code.width() + QUIET_ZONE);
        for y in my * scale..(my + 1) * scale {
            let row = y * side;
            px[row + mx * scale..row + (mx + 1) * scale].fill(0);
        }
    }
    (side, px)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let b = BaseUrl::parse("https://guide.inps.it/").unwrap();
        assert_eq!(b.link("abc"), "https://guide.inps.it/g/abc");
        assert!(BaseUrl::parse("http://127.0.0.1:8080/v").is_ok());
        for bad in [
            "guide.inps.it",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/?a=1",
            "https://u:p@x",
            "javascript:alert(1)",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn png_has_quiet_zone_and_size() {
        let code = qr_code("https://guide.inps.it/g/AAAAAAAAAAAAAAAAAAAAAA?c=qr").unwrap();
        let (side, px) = pixels(&code);
        assert!(side >= MIN_PNG_SIDE);
        let scale = side / (code.width() + 2 * QUIET_ZONE);
        // The quiet zone is white on every side.
        let q = QUIET_ZONE * scale;
        for y in 0..side {
            for x in 0..side {
                if x < q || y < q || x >= side - q || y >= side - q {
                    assert_eq!(px[y * side + x], 255);
                }
            }
        }
        // The decoder reads the URL back.
        let img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| px[y * side + x]);
        let mut img = img;
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, text) = grids[0].decode().unwrap();
        assert_eq!(text, "https://guide.inps.it/g/AAAAAAAAAAAAAAAAAAAAAA?c=qr");
    }
}
