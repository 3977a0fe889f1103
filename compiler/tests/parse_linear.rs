//! The parser's work is linear in its input, whatever the input: counted in grammar rule calls
//! (with pest's call limit), not in seconds. Each family of `inputs/scaling.rs` (a real
//! campaign grown to size, chains of unclosed brackets of every kind, garbage) is parsed at two
//! sizes eight times apart; the calls per byte must stay under a fixed bound and must not grow
//! with the size. Exponential or quadratic recovery (as before, when each `if a {` line doubled
//! the time) fails both.
//!
//! The call limit is global to the process: this binary holds this one test only.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

#[path = "inputs/scaling.rs"]
mod scaling;

use guide_compiler::syntax::{parse, SyntaxError};
use std::num::NonZeroUsize;

/// Grammar rule calls allowed per byte of input (a valid campaign takes about 10).
const CALLS_PER_BYTE: usize = 40;

/// Whether `text` parses within `limit` rule calls, and the errors it gives.
fn within(text: &str, limit: usize) -> (bool, Vec<SyntaxError>) {
    pest::set_call_limit(NonZeroUsize::new(limit));
    let (_, errors) = parse(text);
    pest::set_call_limit(None);
    let over = errors.iter().any(|e| {
        matches!(
            e,
            SyntaxError::TooComplex {
                what: "parsing work",
                ..
            }
        )
    });
    (!over, errors)
}

/// The fewest rule calls `text` parses in, to within 1/64.
fn calls(text: &str) -> usize {
    let (mut lo, mut hi) = (0, CALLS_PER_BYTE * text.len());
    if !within(text, hi).0 {
        return usize::MAX;
    }
    while hi - lo > hi / 64 + 1 {
        let mid = lo + (hi - lo) / 2;
        if within(text, mid).0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[test]
fn parsing_takes_rule_calls_in_proportion_to_the_input() {
    for family in scaling::FAMILIES {
        let mut per_byte = Vec::new();
        for size in [8 << 10, 64 << 10] {
            let text = scaling::input(family, size);
            let n = calls(&text);
            assert!(
                n != usize::MAX,
                "{family}, {} bytes: more than {CALLS_PER_BYTE} rule calls per byte",
                text.len()
            );
            per_byte.push(n as f64 / text.len() as f64);
            // What each family must say, and never that it is too deep or too long.
            let (_, errors) = within(&text, n);
            assert!(
                !errors
                    .iter()
                    .any(|e| matches!(e, SyntaxError::TooComplex { .. })),
                "{family}: {errors:?}"
            );
            match *family {
                "valid" => assert!(errors.is_empty(), "{errors:?}"),
                "garbage" => assert!(!errors.is_empty()),
                _ => assert!(
                    errors
                        .iter()
                        .any(|e| matches!(e, SyntaxError::UnclosedBlock { .. })),
                    "{family}: {errors:?}"
                ),
            }
        }
        eprintln!(
            "{family:>20}: {:.1} rule calls per byte at 8 kB, {:.1} at 64 kB",
            per_byte[0], per_byte[1]
        );
        assert!(
            per_byte[1] < per_byte[0] * 1.25 + 0.5,
            "{family}: the calls per byte grow with the size: {per_byte:?}"
        );
    }
}
