//! End-to-end: the real `guide preview` binary on a temporary copy of the campaigns, driven in
//! headless Chromium by `tests/e2e/preview.e2e.mjs` (Node, playwright-core): play, pop-ups,
//! recipient form, live reload, diagnostics. See `browser/mod.rs` for what it needs.
//! Screenshots go to `target/e2e-artifacts/`.

use std::time::Duration;

mod browser;

#[test]
fn preview_in_headless_chromium() {
    if browser::run_script("preview.e2e.mjs", "preview-e2e", Duration::from_secs(180)) {
        assert!(browser::artifacts().join("preview-naspi.png").exists());
    }
}
