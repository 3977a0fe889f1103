//! The `.guide` front end on any text: parse, check, compile, analyse the variants, render every
//! diagnostic. Seeds: the campaigns, the UI fixtures and the spec's shared file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (project, bases) = guide_fuzz::load(text);
    guide_fuzz::analyse(&project, &bases);
});
