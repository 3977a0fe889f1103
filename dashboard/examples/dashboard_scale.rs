//! The dashboard's figures on a large database: fills a SQLite file with EVENTS events (default
//! 10,000,000) through `Store::record_events`, as `guide serve` stores them (batches of 10
//! events, two per viewer, a NASpI-like guide of 12 scenes, 3 pop-ups, 7 services, 4 variants,
//! 5 channels), then times every figure of the campaign (`figures::report`, the queries of the
//! page and of every export) a few times. Used by `bench/dashboard.sh`.
//!
//! ```text
//! cargo run --release -p guide-dashboard --example dashboard_scale -- DB [EVENTS]
//! ```

use std::time::Instant;

use guide_runtime::Date;
use guide_server::StoredEvent;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SCENES: [&str; 12] = [
    "intro",
    "importo",
    "primo_pagamento",
    "durata",
    "pagamento_bonifico",
    "obblighi",
    "servizi",
    "canali_accesso",
    "reddito_autonomo",
    "comunicazioni",
    "contatti",
    "ending",
];
const POPUPS: [&str; 3] = [
    "importo_calcolo",
    "obblighi_conseguenze",
    "reddito_autonomo_riduzione",
];
const SERVICES: [&str; 7] = [
    "myinps",
    "naspi",
    "certificazione_unica",
    "contatta_inps",
    "gestione_consensi",
    "inps_mobile",
    "app_io",
];
const CHANNELS: [&str; 5] = ["qr", "myinps", "io", "sms", "email"];
const DEVICES: [&str; 3] = ["mobile", "tablet", "desktop"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("DB")?;
    let total: u64 = args.next().map_or(Ok(10_000_000), |a| a.parse())?;
    let _ = std::fs::remove_file(&db);
    let mut store = guide_server::open(&db)?;
    store.put_version("naspi", "v1", b"-")?;
    let mut rng = Rng(16);
    let start = Date::parse_iso("2024-05-01").ok_or("date")?;
    let filled = Instant::now();
    let (mut stored, mut batch, mut viewer) = (0u64, 0u64, 0u64);
    while stored < total {
        viewer += 1;
        let id = format!(
            "{:032x}",
            u128::from(viewer).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        );
        let day = Date::from_days(start.to_days() + i64::try_from(rng.below(60))?).ok_or("day")?;
        let base = StoredEvent {
            campaign: "naspi".into(),
            version: "v1".into(),
            variant: format!("v-{:016x}", rng.below(4)),
            kind: "initialized",
            target: String::new(),
            value: 0,
            channel: CHANNELS[usize::try_from(rng.below(5))?],
            device: DEVICES[usize::try_from(rng.below(3))?],
            viewer: id,
        };
        // Where this viewer leaves, and what they do: 20 events in two batches of 10.
        let reach = 1 + usize::try_from(rng.below(12))?;
        let mut events = Vec::with_capacity(20);
        let ev = |kind: &'static str, target: &str, value: i32| StoredEvent {
            kind,
            target: target.to_string(),
            value,
            ..base.clone()
        };
        events.push(ev("initialized", "", 0));
        events.push(ev("played", "", 0));
        for s in SCENES.iter().take(reach.min(8)) {
            events.push(ev("scene", s, 0));
        }
        // Every other progress step, so that the completions fit in the 20 events.
        for step in 1..=i32::try_from(reach * 5 / 12)?.max(1) {
            events.push(ev("progressed", "", step * 20));
        }
        if rng.below(100) < 58 {
            events.push(ev("popup", POPUPS[usize::try_from(rng.below(3))?], 0));
            events.push(ev("button", SERVICES[usize::try_from(rng.below(7))?], 0));
            events.push(ev("rated", "", 3 + i32::try_from(rng.below(3))?));
        }
        if reach >= 10 {
            events.push(ev("completed", "", 80));
        }
        if reach == 12 {
            events.push(ev("completed", "", 100));
        }
        while events.len() < 20 {
            events.push(ev("paused", "", 0));
        }
        events.truncate(20);
        for half in events.chunks(10) {
            batch += 1;
            store.record_events(&format!("{batch:022}"), day, half)?;
            stored += half.len() as u64;
        }
        if viewer.is_multiple_of(100_000) {
            eprintln!("{stored} events, {:.0} s", filled.elapsed().as_secs_f64());
        }
    }
    let secs = filled.elapsed().as_secs_f64();
    println!(
        "filled: {stored} events of {viewer} viewers in {batch} batches, {secs:.0} s ({:.0} events/s through Store::record_events)",
        stored as f64 / secs
    );
    for run in 1..=3 {
        let t = Instant::now();
        let report = guide_dashboard::figures::report(store.as_mut(), "naspi")?;
        let page = guide_dashboard::page::campaign(&report);
        let json = guide_dashboard::export::report_json(&report).to_string();
        println!(
            "run {run}: every figure of the campaign (page {} KB, tutto.json {} KB) in {:.0} ms",
            page.len() / 1024,
            json.len() / 1024,
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
