//! The player on every screen and its accessibility audit, in headless Chromium:
//! `tests/e2e/player.sweep.mjs` checks that for every scene of every demo recipient of the five
//! campaigns, at 320×568, 390×844, 768×1024, 1024×768, 1366×900 and 1920×1080, nothing in the
//! stage is clipped or scrolls and no page scrolls sideways; that axe-core finds no WCAG 2.1 A/AA
//! violation on the index and every campaign page (playing, pop-up open, ending, error overlay);
//! and the focus, live region, motion and recipient details. See `browser/mod.rs` for what it
//! needs. Screenshots (`player-<campaign>-phone.png`, `-desktop.png`) go to
//! `target/e2e-artifacts/`.

use std::time::Duration;

mod browser;

#[test]
fn player_fits_every_screen_and_passes_the_audit() {
    if browser::run_script("player.sweep.mjs", "player-sweep", Duration::from_secs(240)) {
        assert!(browser::artifacts().join("player-naspi-phone.png").exists());
    }
}
