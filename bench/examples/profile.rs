//! A loop to profile under callgrind or perf: `profile MODE N REPS` takes the first N
//! recipients of the naspi-like workload and, REPS times over (`eval`, `write`) or once (the
//! others), runs one stage on them:
//!
//! - `eval`: evaluation alone, on records decoded beforehand;
//! - `write`: evaluation and `write_json`, on records decoded beforehand;
//! - `decode`: decoding alone;
//! - anything else: JSON line in, JSON out.
//!
//! Instructions per recipient, which machine noise does not change: run under callgrind with
//! two values of REPS and divide the difference by N times the difference of REPS.
//!
//! ```sh
//! cargo build --release -p guide-bench --example profile
//! valgrind --tool=callgrind target/release/examples/profile eval 1000 20
//! ```

use guide_runtime::{Outcome, Record};

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "eval".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let program = guide_bench::program("examples/naspi-peer");
    let lines = guide_bench::recipients(n);
    let mut ev = program.evaluator();
    let mut out = Vec::new();
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut total = 0usize;
    match what.as_str() {
        "eval" => {
            let records: Vec<Record> = lines
                .iter()
                .filter_map(|l| Record::from_json_str(program.schema(), l).ok())
                .collect();
            for _ in 0..reps {
                for r in &records {
                    if let Ok(Outcome::Eligible(t)) = ev.evaluate(r) {
                        total += t.scenes().len();
                    }
                }
            }
        }
        "write" => {
            let records: Vec<Record> = lines
                .iter()
                .filter_map(|l| Record::from_json_str(program.schema(), l).ok())
                .collect();
            for _ in 0..reps {
                for r in &records {
                    if let Ok(Outcome::Eligible(t)) = ev.evaluate(r) {
                        out.clear();
                        t.write_json(&mut out);
                        total += out.len();
                    }
                }
            }
        }
        "decode" => {
            let mut r = Record::empty();
            for l in &lines {
                total += usize::from(r.decode_json_str(program.schema(), l).is_ok());
            }
        }
        _ => {
            for l in &lines {
                if let Ok(Outcome::Eligible(t)) = ev.evaluate_json_str(l) {
                    out.clear();
                    t.write_json(&mut out);
                    total += out.len();
                }
            }
        }
    }
    println!("{total}");
}
