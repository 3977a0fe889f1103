//! Criterion benchmarks: compile, check, evaluation alone, and end-to-end rendering (a JSON line
//! in, the timeline's JSON out) of the naspi-like workload, with minijinja and handlebars
//! rendering the peers' templates (`peer-templates/`) on the same recipients in the same run.
//!
//! ```sh
//! cargo bench -p guide-bench                 # or ./bench.sh for the whole table
//! GUIDE_BENCH_DATA=recipients.jsonl cargo bench -p guide-bench
//! ```

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use guide_bench::{compile, program, recipients, root};
use guide_compiler::{check, project};
use guide_runtime::{Outcome, Record};
use std::time::Duration;

/// Recipients per iteration of the per-recipient benchmarks.
const N: usize = 10_000;

fn compile_and_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("naspi_peer", |b| {
        b.iter(|| black_box(compile("examples/naspi-peer")));
    });
    let campaigns = [
        "campaigns/assegno_sociale",
        "campaigns/assegno_unico",
        "campaigns/naspi",
        "campaigns/neopensionati",
        "campaigns/red2021",
    ];
    g.bench_function("check_all_five", |b| {
        b.iter(|| {
            for c in campaigns {
                let p = project::load(&root().join(c)).expect("loads");
                let checked = check::check(&p);
                black_box(checked.has_errors());
            }
        });
    });
    g.finish();
}

/// Recipients of the evaluation benchmark: few enough that their decoded records stay in the
/// cache, as a record just decoded is.
const N_EVAL: usize = 1_000;

fn evaluate(c: &mut Criterion) {
    let program = program("examples/naspi-peer");
    let lines = recipients(N_EVAL);
    let records: Vec<Record> = lines
        .iter()
        .map(|l| Record::from_json_str(program.schema(), l).expect("a good record"))
        .collect();
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("naspi_peer", |b| {
        let mut ev = program.evaluator();
        b.iter(|| {
            for r in &records {
                match ev.evaluate(r) {
                    Ok(Outcome::Eligible(t)) => {
                        black_box(t.duration_ms());
                    }
                    other => panic!("{other:?}"),
                }
            }
        });
    });
    // red2021: narration, captions and gender agreement.
    let red = guide_bench::program("campaigns/red2021");
    let demos: Vec<Record> = std::fs::read_dir(root().join("campaigns/red2021/demo"))
        .expect("demo")
        .filter_map(Result::ok)
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("demo");
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            Record::from_json(red.schema(), &v).expect("record")
        })
        .collect();
    g.throughput(Throughput::Elements(demos.len() as u64));
    g.bench_function("red2021_demos", |b| {
        let mut ev = red.evaluator();
        b.iter(|| {
            for r in &demos {
                black_box(ev.evaluate(r).is_ok());
            }
        });
    });
    g.finish();
}

/// JSON string escaping, as serde_json does it, written as runs of unescaped text.
fn escape<W: std::fmt::Write + ?Sized>(out: &mut W, s: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if u32::from(c) < 0x20 => "",
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        if esc.is_empty() {
            write!(out, "\\u{:04x}", u32::from(c))?;
        } else {
            out.write_str(esc)?;
        }
        start = i + c.len_utf8();
    }
    out.write_str(&s[start..])
}

/// The peers' `euro` filter: `1234.5` as `1.234,50`.
fn euro(x: f64) -> String {
    let mut s = String::new();
    guide_runtime::format::money(&mut s, (x * 100.0).round() as i64);
    s.trim_start_matches("€ ").to_owned()
}

/// The peers' `data_it` filter: `2024-03-15` as `15 marzo 2024`.
fn data_it(iso: &str) -> String {
    match guide_runtime::Date::parse_iso(iso) {
        Some(d) => {
            let mut s = String::new();
            guide_runtime::format::date_words(&mut s, d);
            s
        }
        None => iso.to_owned(),
    }
}

/// A template file read as the peers read it: lines trimmed and joined.
fn template(name: &str) -> String {
    let path = root().join("bench/peer-templates").join(name);
    let text = std::fs::read_to_string(&path).expect("peer template");
    text.lines().map(str::trim).collect()
}

fn end_to_end(c: &mut Criterion) {
    let lines = recipients(N);
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.measurement_time(Duration::from_secs(8));

    let program = program("examples/naspi-peer");
    g.bench_function("guide", |b| {
        let mut ev = program.evaluator();
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            for l in &lines {
                if let Ok(Outcome::Eligible(t)) = ev.evaluate_json_str(l) {
                    t.write_json(&mut out);
                    out.push(b'\n');
                }
            }
            black_box(out.len());
        });
    });

    let mut env = minijinja::Environment::new();
    env.set_formatter(|out, state, value| {
        if let Some(s) = value.as_str() {
            escape(out, s).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
            })
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("euro", euro);
    env.add_filter("data_it", |s: &str| data_it(s));
    env.add_template_owned("naspi.jinja", template("naspi.jinja"))
        .expect("template");
    let tmpl = env.get_template("naspi.jinja").expect("template");
    g.bench_function("minijinja", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            for l in &lines {
                let ctx: minijinja::Value = serde_json::from_str(l).expect("JSON");
                let s = tmpl.render(ctx).expect("render");
                out.extend_from_slice(s.as_bytes());
                out.push(b'\n');
            }
            black_box(out.len());
        });
    });

    let mut hb = handlebars::Handlebars::new();
    hb.register_escape_fn(|s| {
        let mut e = String::with_capacity(s.len());
        let _ = escape(&mut e, s);
        e
    });
    hb.register_helper(
        "euro",
        Box::new(
            |h: &handlebars::Helper<'_>,
             _: &handlebars::Handlebars<'_>,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext<'_, '_>,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let x = h.param(0).and_then(|p| p.value().as_f64()).unwrap_or(0.0);
                out.write(&euro(x))?;
                Ok(())
            },
        ),
    );
    hb.register_helper(
        "data_it",
        Box::new(
            |h: &handlebars::Helper<'_>,
             _: &handlebars::Handlebars<'_>,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext<'_, '_>,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let s = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
                out.write(&data_it(s))?;
                Ok(())
            },
        ),
    );
    hb.register_template_string("naspi", template("naspi.hbs"))
        .expect("template");
    g.bench_function("handlebars", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            for l in &lines {
                let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
                let ctx = handlebars::Context::from(v);
                hb.render_with_context_to_write("naspi", &ctx, &mut out)
                    .expect("render");
                out.push(b'\n');
            }
            black_box(out.len());
        });
    });
    g.finish();

    // The three agree on the texts (checked for all 200,000 recipients by
    // examples/naspi-peer/compare.py); here a quick check that the engines are set up alike.
    let first = lines.first().expect("a recipient");
    let ctx: minijinja::Value = serde_json::from_str(first).expect("JSON");
    let mj = tmpl.render(ctx).expect("render");
    let v: serde_json::Value = serde_json::from_str(first).expect("JSON");
    let hbs = hb.render("naspi", &v).expect("render");
    assert_eq!(mj, hbs, "minijinja and handlebars disagree");
}

criterion_group!(benches, compile_and_check, evaluate, end_to_end);
criterion_main!(benches);
