//! Embedding the guide runtime: load a compiled campaign (`.guidec`, built with
//! `guide build`), make one recipient's record with the builder API (no JSON needed) and print
//! their storyboard.
//!
//! ```sh
//! guide build campaigns/red2021 -o red2021.guidec
//! cargo run -p guide-embed-example -- red2021.guidec codice_fiscale=RSSMRA41S42H501F \
//!     nome=Maria sesso=F prestazioni=quattordicesima,importo_aggiuntivo contatti_aggiornati=false
//! ```
//!
//! Each `NAME=VALUE` sets a top-level attribute, read according to the schema embedded in the
//! program: numbers, `true`/`false`, amounts in euros (`1234.50`), ISO dates, enum values, and
//! sets as comma-separated values. Exit codes: 0 done, 1 bad program or record, 2 usage.

use guide_runtime::schema::Type;
use guide_runtime::{Date, Outcome, Program, RecordError};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, attrs)) = args.split_first() else {
        eprintln!("usage: guide-embed-example FILE.guidec [NAME=VALUE ...]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    // Loading validates the whole program once; evaluation cannot fail on the program after.
    let program = match Program::from_bytes(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let meta = program.metadata();
    eprintln!(
        "loaded {} ({}), bytecode {}.{}, schema {:016x}",
        meta.title, meta.id, meta.version.0, meta.version.1, meta.schema_fingerprint
    );
    let record = match record(&program, attrs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match program.evaluate(&record) {
        Ok(Outcome::Eligible(t)) => {
            print!("{}", t.storyboard());
            ExitCode::SUCCESS
        }
        Ok(Outcome::NotEligible) => {
            println!("this recipient is not eligible for {}", meta.id);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Builds a record from `NAME=VALUE` arguments, typed by the program's schema.
fn record(program: &Program, attrs: &[String]) -> Result<guide_runtime::Record, String> {
    let schema = program.schema();
    let mut b = program.record_builder();
    for a in attrs {
        let (name, value) = a
            .split_once('=')
            .ok_or_else(|| format!("{a:?} is not NAME=VALUE"))?;
        let Some((_, attr)) = schema.attributes.get(name) else {
            // Let the builder explain (with a suggestion).
            b.set_str(name, value).map_err(|e| e.to_string())?;
            continue;
        };
        let mut ty = &attr.ty;
        while let Type::Optional(inner) = ty {
            ty = inner;
        }
        let bad = |what: &str| format!("attribute {name:?}: {value:?} is not {what}");
        let r: Result<_, RecordError> = match ty {
            Type::String => b.set_str(name, value),
            Type::Bool => b.set_bool(name, value.parse().map_err(|_| bad("true or false"))?),
            Type::Int => b.set_int(name, value.parse().map_err(|_| bad("an integer"))?),
            Type::Decimal => b.set_decimal(name, value.parse().map_err(|_| bad("a number"))?),
            Type::Money => b.set_money_cents(
                name,
                cents(value).ok_or_else(|| bad("an amount like 1234.50"))?,
            ),
            Type::Date => b.set_date(
                name,
                Date::parse_iso(value).ok_or_else(|| bad("a date YYYY-MM-DD"))?,
            ),
            Type::Enum(_) => b.set_enum(name, value),
            Type::Set(_) => {
                let values: Vec<&str> = value.split(',').filter(|v| !v.is_empty()).collect();
                b.set_set(name, &values)
            }
            _ => {
                return Err(format!(
                    "attribute {name:?}: records and lists cannot be given on the command line"
                ))
            }
        };
        r.map_err(|e| e.to_string())?;
    }
    b.build().map_err(|e| e.to_string())
}

/// `1234.5` -> 123450 cents.
fn cents(s: &str) -> Option<i64> {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut c: i64 = whole.parse::<i64>().ok()?.checked_mul(100)?;
    let f = format!("{frac:0<2}");
    c = c.checked_add(f.parse::<i64>().ok()?)?;
    Some(if neg { -c } else { c })
}
