//! The loaded, validated program.

use super::reader::{self, LoadError};
use super::verify::{self, Verified};
use super::{AvailabilityRule, DecisionPoint, Module, Op, Span};
use crate::date::{Date, Period};
use crate::prepared::TextInfo;
use crate::record::{Record, RecordBuilder};
use crate::schema::Schema;
use crate::timeline::Timeline;
use crate::vm::{EvalError, Evaluator, Limits, Outcome};
use crate::write::Fragments;

/// A compiled campaign, loaded and validated: ready to produce timelines.
///
/// Loading ([`Program::from_bytes`]) checks everything once: the checksum, the version, every
/// index and jump target, the stack discipline and the types of the code. Evaluation can then
/// only fail on the recipient's data (or on the limits), never panic. A `Program` is immutable,
/// `Send` and `Sync`: share it between threads and evaluate concurrently.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) m: Module,
    pub(crate) v: Verified,
    pub(crate) version: (u16, u16),
    /// JSON fragments for [`Timeline::write_json`], rendered once.
    pub(crate) frag: Fragments,
    /// Word counts and sentences of the static texts, computed once.
    pub(crate) text: TextInfo,
    /// The runs of instructions executed as one step.
    pub(crate) fused: crate::fuse::Fused,
    /// How records of the schema are decoded from JSON.
    #[cfg(feature = "json")]
    pub(crate) plan: crate::decode::Plan,
}

/// How the campaign's availability is declared (see [`Metadata::availability`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability<'p> {
    /// No window: always available.
    Always,
    /// `available until EXPR`.
    Until {
        /// The date expression, as written.
        expr: &'p str,
    },
    /// `available for PERIOD from EXPR`.
    For {
        /// The period.
        period: Period,
        /// The start date expression, as written.
        from: &'p str,
    },
}

/// A campaign's metadata, borrowed from its [`Program`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata<'p> {
    /// Campaign id.
    pub id: &'p str,
    /// Title.
    pub title: &'p str,
    /// Locale (`it-IT`).
    pub locale: &'p str,
    /// Speaking rate, words per minute (scene durations derive from it).
    pub rate_wpm: u32,
    /// Declared bounds of the total duration in ms, if any.
    pub length_ms: Option<(u64, u64)>,
    /// The availability rule.
    pub availability: Availability<'p>,
    /// The consent/eligibility condition, as written, if any.
    pub requires: Option<&'p str>,
    /// The fingerprint of the embedded schema.
    pub schema_fingerprint: u64,
    /// The bytecode version of the file it was loaded from (major, minor).
    pub version: (u16, u16),
}

impl Program {
    /// Loads a `.guidec` file: decodes and validates it (see [`LoadError`] for every way this
    /// can fail).
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, LoadError> {
        let m = reader::decode(bytes)?;
        let half = |at: usize| {
            bytes
                .get(at..at + 2)
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map_or(0, u16::from_le_bytes)
        };
        let (major, minor) = (half(8), half(10));
        let mut p = Program::from_module(m)?;
        p.version = (major, minor);
        Ok(p)
    }

    /// Validates a module built in memory (as the compiler does before writing it).
    pub fn from_module(m: Module) -> Result<Program, LoadError> {
        let v = verify::verify(&m)?;
        let minor = super::writer::minor_needed(&m);
        let frag = Fragments::new(&m);
        let text = TextInfo::new(&m);
        let fused = crate::fuse::Fused::new(&m, &v);
        #[cfg(feature = "json")]
        let plan = crate::decode::Plan::new(&m.schema);
        Ok(Program {
            #[cfg(feature = "json")]
            plan,
            m,
            v,
            frag,
            text,
            fused,
            version: (super::format::MAJOR, minor),
        })
    }

    /// Encodes the program as `.guidec` bytes (current version).
    pub fn to_bytes(&self) -> Vec<u8> {
        super::writer::encode(&self.m)
    }

    /// The module: the program as plain data (tables, code, strings).
    pub fn module(&self) -> &Module {
        &self.m
    }

    /// The runs of instructions the evaluator executes as one step, one per line (an internal
    /// plan, listed for tests; its format may change).
    #[doc(hidden)]
    pub fn fusion_plan(&self) -> String {
        self.fused.describe(&self.m)
    }

    /// A pool string (empty for an index out of range, which validation excludes).
    pub(crate) fn str(&self, i: u32) -> &str {
        self.m.strings.get(i as usize).map_or("", String::as_str)
    }

    /// The campaign's metadata.
    pub fn metadata(&self) -> Metadata<'_> {
        let meta = &self.m.meta;
        Metadata {
            id: self.str(meta.id),
            title: self.str(meta.title),
            locale: self.str(meta.locale),
            rate_wpm: meta.rate_wpm,
            length_ms: meta.length,
            availability: match meta.availability {
                AvailabilityRule::Always => Availability::Always,
                AvailabilityRule::Until { expr } => Availability::Until {
                    expr: self.str(expr),
                },
                AvailabilityRule::For { period, from } => Availability::For {
                    period,
                    from: self.str(from),
                },
            },
            requires: meta.requires.map(|r| self.str(r)),
            schema_fingerprint: meta.schema_fingerprint,
            version: self.version,
        }
    }

    /// The recipient schema embedded in the program: records are checked against it.
    pub fn schema(&self) -> &Schema {
        &self.m.schema
    }

    /// The decision points, indexed as in [`crate::timeline::Decision::point`].
    pub fn decision_points(&self) -> &[DecisionPoint] {
        &self.m.decisions
    }

    /// The readable label of a decision point (`scene figli when count(figli) > 0`).
    pub fn decision_label(&self, point: u16) -> &str {
        self.m
            .decisions
            .get(usize::from(point))
            .map_or("", |d| self.str(d.label))
    }

    /// A span's source location as `file:line:col`.
    pub fn span_location(&self, span: u32) -> String {
        match self.m.spans.get(span as usize) {
            Some(s) => format!("{}:{}:{}", self.file_name(s), s.line, s.col),
            None => String::from("?"),
        }
    }

    fn file_name(&self, s: &Span) -> &str {
        self.m
            .files
            .get(usize::from(s.file))
            .map_or("?", |&f| self.str(f))
    }

    /// The span of the instruction at `pc`, from the line table.
    pub fn span_of(&self, pc: usize) -> Option<u32> {
        let pc = u32::try_from(pc).ok()?;
        let i = self.m.lines.partition_point(|&(p, _)| p <= pc);
        i.checked_sub(1)
            .and_then(|i| self.m.lines.get(i))
            .map(|&(_, s)| s)
    }

    /// A builder for a record of this program's schema (for embedding without JSON).
    pub fn record_builder(&self) -> RecordBuilder<'_> {
        RecordBuilder::new(&self.m.schema)
    }

    /// Decodes and checks a JSON record against the embedded schema.
    #[cfg(feature = "json")]
    pub fn record_from_json(&self, value: &serde_json::Value) -> Result<Record, EvalError> {
        Record::from_json(&self.m.schema, value).map_err(EvalError::Record)
    }

    /// An evaluator with the default [`Limits`]: reuse it to evaluate many recipients with
    /// almost no allocation.
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator::new(self, Limits::default())
    }

    /// Evaluates one recipient: their [`crate::timeline::Timeline`], or
    /// [`Outcome::NotEligible`] when the campaign's `requires` condition is false for them.
    ///
    /// The record must have been built against [`Program::schema`] (with
    /// [`Program::record_builder`] or, with the `json` feature, `Record::from_json`).
    pub fn evaluate(&self, record: &Record) -> Result<Outcome<Timeline<'_>>, EvalError> {
        let mut ev = self.evaluator();
        let eligible = matches!(ev.evaluate(record)?, Outcome::Eligible(_));
        Ok(if eligible {
            Outcome::Eligible(ev.into_timeline())
        } else {
            Outcome::NotEligible
        })
    }

    /// [`Program::evaluate`] with `today` as the reference date the campaign's `today` reads.
    pub fn evaluate_at(
        &self,
        record: &Record,
        today: Date,
    ) -> Result<Outcome<Timeline<'_>>, EvalError> {
        let mut ev = self.evaluator();
        ev.set_today(Some(today));
        let eligible = matches!(ev.evaluate(record)?, Outcome::Eligible(_));
        Ok(if eligible {
            Outcome::Eligible(ev.into_timeline())
        } else {
            Outcome::NotEligible
        })
    }

    /// [`Program::evaluate_json`] with a reference date ([`Program::evaluate_at`]).
    #[cfg(feature = "json")]
    pub fn evaluate_json_at(
        &self,
        value: &serde_json::Value,
        today: Date,
    ) -> Result<Outcome<Timeline<'_>>, EvalError> {
        let record = self.record_from_json(value)?;
        self.evaluate_at(&record, today)
    }

    /// Whether the campaign reads `today`: a host must then give a reference date
    /// ([`Program::evaluate_at`], [`Evaluator::set_today`]).
    pub fn reads_today(&self) -> bool {
        self.m.code.iter().any(|op| matches!(op, Op::Today))
    }

    /// Decodes a JSON record against the embedded schema and evaluates it.
    #[cfg(feature = "json")]
    pub fn evaluate_json(
        &self,
        value: &serde_json::Value,
    ) -> Result<Outcome<Timeline<'_>>, EvalError> {
        let record = self.record_from_json(value)?;
        self.evaluate(&record)
    }

    /// A readable listing of the program (see [`crate::disasm`]).
    pub fn disassemble(&self) -> String {
        crate::disasm::disassemble(self)
    }
}
