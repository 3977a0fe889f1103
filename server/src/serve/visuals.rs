//! `GET /visual/CAMPAIGN/NAME`: a scene's picture, read from `DIR/CAMPAIGN/NAME` where `DIR` is
//! `guide serve --visuals DIR` (the campaigns' folder: each campaign's pictures sit next to its
//! `.guide` file). Only a plain file name with a picture's extension, really under `DIR` once
//! links are resolved; anything else, or no `--visuals`, is `404` (the player then shows its
//! neutral picture).

use std::path::{Path, PathBuf};

/// Largest picture served, in bytes.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// The file and its media type, if `campaign` and `name` name a picture under `dir`.
pub fn find(dir: &Path, campaign: &str, name: &str) -> Option<(PathBuf, &'static str)> {
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.len() <= 200
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !plain(campaign) || !plain(name) {
        return None;
    }
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    let media = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        _ => return None,
    };
    let root = dir.canonicalize().ok()?;
    let real = root.join(campaign).join(name).canonicalize().ok()?;
    let meta = std::fs::metadata(&real).ok()?;
    (real.starts_with(&root) && meta.is_file() && meta.len() <= MAX_BYTES).then_some((real, media))
}

#[cfg(test)]
mod tests {
    use super::find;
    use std::path::Path;

    fn campaigns() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../campaigns"))
    }

    #[test]
    fn serves_a_campaigns_picture() {
        let (path, media) = find(campaigns(), "naspi", "naspi_intro.png").expect("found");
        assert!(path.ends_with("campaigns/naspi/naspi_intro.png"));
        assert_eq!(media, "image/png");
    }

    #[test]
    fn refuses_anything_but_a_plain_picture_name() {
        for (c, n) in [
            ("naspi", "../red2021/red_intro.png"),
            ("..", "campaigns/naspi/naspi_intro.png"),
            ("naspi", "naspi.guide"),
            ("naspi", ".hidden.png"),
            ("naspi", "missing.png"),
            ("naspi/demo", "x.png"),
            ("", "naspi_intro.png"),
            ("naspi", "demo"),
        ] {
            assert!(find(campaigns(), c, n).is_none(), "{c}/{n} was served");
        }
    }
}
