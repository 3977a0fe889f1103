//! Helpers of the benchmarks in `benches/guide.rs`: the naspi-like campaign and its recipients.
//!
//! The recipients are the peers' file when `GUIDE_BENCH_DATA` names it (`./bench.sh` does:
//! `../shared/peers`' generator, 200,000 recipients), otherwise a deterministic sample with the
//! same fields and ranges made here.

use guide_compiler::{check, codegen, project};
use guide_runtime::Program;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Compiles a campaign of the repository (`examples/naspi-peer`, `campaigns/red2021`) to
/// `.guidec` bytes, as `guide build` does.
///
/// # Panics
/// When the campaign does not compile: the benchmarks need it.
pub fn compile(campaign: &str) -> Vec<u8> {
    let project = project::load(&root().join(campaign)).expect("the campaign loads");
    let checked = check::check(&project);
    assert!(!checked.has_errors(), "{campaign} has errors");
    codegen::compile(&checked.campaign.expect("a campaign"))
}

/// The loaded program of a campaign of the repository.
///
/// # Panics
/// When the campaign does not compile.
pub fn program(campaign: &str) -> Program {
    Program::from_bytes(&compile(campaign)).expect("the program loads")
}

/// `n` recipients of the naspi-like workload, one JSON object per string.
pub fn recipients(n: usize) -> Vec<String> {
    if let Ok(path) = std::env::var("GUIDE_BENCH_DATA") {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text.lines().take(n).map(str::to_owned).collect();
        }
    }
    generated(n)
}

/// A deterministic sample: the peers' fields and ranges (names with accents and spaces, a
/// quoted nickname now and then, amounts from 300 to 1,550.42 euros, dates in 2024-2026).
pub fn generated(n: usize) -> Vec<String> {
    const NAMES_F: [&str; 8] = [
        "Giulia",
        "Maria Grazia",
        "Zoë",
        "Chloé",
        "Fatima",
        "Olena",
        "Anna Maria",
        "Carmela",
    ];
    const NAMES_M: [&str; 8] = [
        "Niccolò",
        "Gian Luca",
        "Mosè",
        "José",
        "Mohamed",
        "Ion",
        "Pier Paolo",
        "Dario",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    (1..=n)
        .map(|id| {
            let female = next(2) == 0;
            let list = if female { NAMES_F } else { NAMES_M };
            let mut nome = list[next(8) as usize].to_owned();
            if next(100) == 0 {
                nome.push_str(" \\\"Nini\\\"");
            }
            let cents = 30_000 + next(125_043);
            format!(
                "{{\"id\":{id},\"nome\":\"{nome}\",\"sesso\":\"{}\",\"importo_mensile\":{}.{:02},\"data_primo_pagamento\":\"{}-{:02}-{:02}\",\"durata_settimane\":{},\"modalita_pagamento\":\"{}\",\"ha_figli\":{},\"eta\":{},\"patronato\":{},\"contatti_aggiornati\":{}}}",
                if female { "F" } else { "M" },
                cents / 100,
                cents % 100,
                2024 + next(3),
                1 + next(12),
                1 + next(28),
                4 + next(101),
                if next(4) == 0 { "ufficio_postale" } else { "bonifico" },
                next(10) < 4,
                18 + next(50),
                next(2) == 0,
                next(10) < 7,
            )
        })
        .collect()
}
