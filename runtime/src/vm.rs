//! The machine: runs a validated [`Program`] over one recipient's [`Record`] and fills a
//! [`Timeline`].
//!
//! A stack machine over a small `Copy` value type: strings are borrowed from the record or the
//! program, never cloned; text is appended to one arena string per timeline. An [`Evaluator`]
//! keeps its buffers between recipients, so that evaluating one recipient allocates nothing once
//! the buffers have grown to the size of a guide.
//!
//! Frequent runs of instructions (a line with a value in it, a test of one attribute, static
//! lines, pop-ups and buttons) are executed as one fused step, chosen at load time (the private
//! `fuse` module); they give exactly what their instructions give one by one.
//!
//! Work is bounded by [`Limits`]: a number of instructions (fuel) and a number of bytes of
//! output text. Going past either is [`EvalError::Limit`], not a problem with the data.

use crate::bytecode::{ArithOp, FmtKind, Op, Program, Target, NO_DECISION};
use crate::date::{Date, Period};
use crate::format;
use crate::fuse::{Ins, LineRun, Piece};
use crate::ops::{self, OpError, Operand};
use crate::prepared::{Sentence, StaticBody};
use crate::record::{Record, RecordError, Value};
use crate::timeline::{
    slice, CaptionRec, Decision, FormattedValue, PopupRec, SceneRec, TextRef, Timeline, ValueRec,
    VariantId, Window, ARENA,
};
use crate::write::first_escape;
use std::fmt;

/// Bounds on the work of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of instructions executed (default 1,000,000; a 12-scene guide takes a
    /// few hundred).
    pub fuel: u64,
    /// Maximum number of bytes of text in the timeline (default 1 MiB).
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 1_000_000,
            max_output_bytes: 1 << 20,
        }
    }
}

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// [`Limits::fuel`].
    Fuel,
    /// [`Limits::max_output_bytes`].
    Output,
}

/// The result of evaluating an eligible or ineligible recipient.
#[derive(Debug, Clone)]
pub enum Outcome<T> {
    /// The recipient's timeline.
    Eligible(T),
    /// The campaign's `requires` condition is false for this recipient: there is no guide for
    /// them. This is not an error.
    NotEligible,
}

impl<T> Outcome<T> {
    /// The timeline, if eligible.
    pub fn eligible(self) -> Option<T> {
        match self {
            Outcome::Eligible(t) => Some(t),
            Outcome::NotEligible => None,
        }
    }
}

/// Why a recipient's timeline could not be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The record does not match the schema: names the attribute, what was expected and what
    /// was found.
    Record(RecordError),
    /// A value computed from the record is out of range: an overflow, a division by zero, a
    /// date past 9999-12-31.
    Computation {
        /// What went wrong.
        reason: &'static str,
        /// Where in the campaign's source (`file:line:col`).
        location: String,
    },
    /// The campaign reads `today` and the host gave no reference date
    /// ([`Evaluator::set_today`], [`Program::evaluate_at`](crate::Program::evaluate_at)).
    NoReferenceDate {
        /// Where in the campaign's source (`file:line:col`).
        location: String,
    },
    /// The evaluation went past one of its [`Limits`].
    Limit {
        /// Which.
        kind: LimitKind,
        /// Its value.
        limit: u64,
    },
    /// The record was not built against this program's schema (a value of another type where
    /// the schema declares one), or an optional value the program proved present is absent.
    Mismatch {
        /// What was met.
        reason: &'static str,
        /// Where in the campaign's source (`file:line:col`).
        location: String,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Record(e) => write!(f, "the record does not fit the schema: {e}"),
            EvalError::Computation { reason, location } => {
                write!(
                    f,
                    "{location}: cannot compute this recipient's guide: {reason}"
                )
            }
            EvalError::NoReferenceDate { location } => write!(
                f,
                "{location}: the campaign reads `today`, but no reference date was given (--as-of)"
            ),
            EvalError::Limit {
                kind: LimitKind::Fuel,
                limit,
            } => write!(
                f,
                "evaluation stopped after {limit} instructions (fuel limit)"
            ),
            EvalError::Limit {
                kind: LimitKind::Output,
                limit,
            } => write!(
                f,
                "evaluation stopped: the timeline exceeds {limit} bytes of text"
            ),
            EvalError::Mismatch { reason, location } => write!(
                f,
                "{location}: the record does not match the program's schema: {reason}"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

impl From<RecordError> for EvalError {
    fn from(e: RecordError) -> Self {
        EvalError::Record(e)
    }
}

/// A value on the machine's stack.
#[derive(Debug, Clone, Copy)]
enum V<'a> {
    Absent,
    Bool(bool),
    Int(i64),
    Dec(f64),
    Money(i64),
    Date(Date),
    Period(Period),
    Str(&'a str),
    /// Enum id, value index.
    Enum(u16, u16),
    /// The set's bit mask.
    Set(u64),
    /// A whole record (only the element of an iteration, which nothing reads as a value).
    Record,
    List(&'a [Vec<Value>]),
}

/// An iteration in progress.
#[derive(Debug, Clone, Copy)]
struct Frame<'a> {
    list: &'a [Vec<Value>],
    next: usize,
    current: &'a [Value],
}

/// Reuses a vector's allocation for another lifetime of its (empty) contents.
fn recycle<'b, A, B>(mut v: Vec<A>) -> Vec<B>
where
    A: Copy + 'b,
    B: Copy + 'b,
{
    v.clear();
    // An empty map: with `A` and `B` of the same layout the standard library collects in place.
    v.into_iter().filter_map(|_| None).collect()
}

/// A scene being built.
#[derive(Debug, Clone, Copy, Default)]
struct Building {
    def: u16,
    texts: u32,
    popups: u32,
    buttons: u32,
    says: usize,
    line_start: usize,
    target: Option<Target>,
    popup: PopupRec,
}

/// Evaluates recipients of one program, keeping its buffers between them.
///
/// ```
/// # fn demo(program: &guide_runtime::Program, records: &[guide_runtime::Record]) {
/// let mut ev = program.evaluator();
/// for r in records {
///     match ev.evaluate(r) {
///         Ok(guide_runtime::Outcome::Eligible(t)) => println!("{}", t.variant()),
///         Ok(guide_runtime::Outcome::NotEligible) => {}
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Evaluator<'p> {
    program: &'p Program,
    limits: Limits,
    timeline: Timeline<'p>,
    says: Vec<TextRef>,
    stack: Vec<V<'static>>,
    frames: Vec<Frame<'static>>,
    out_bytes: usize,
    /// The record buffer of [`Evaluator::evaluate_json_str`].
    record: Record,
    /// Sentences of a narration being cut into captions.
    sentences: Vec<Sentence>,
    /// Whether the shortcuts are taken: fused steps ([`crate::fuse`]), static scenes recorded
    /// by reference to their prepared body, words and sentences of static text counted at
    /// load time.
    fusion: bool,
    /// The reference date `today` reads ([`Evaluator::set_today`]).
    today: Option<Date>,
}

fn bits(b: bool) -> u16 {
    u16::from(b)
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `program` with the given limits.
    pub fn new(program: &'p Program, limits: Limits) -> Evaluator<'p> {
        Evaluator {
            program,
            limits,
            timeline: Timeline::new(program),
            says: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
            out_bytes: 0,
            record: Record::empty(),
            sentences: Vec::new(),
            fusion: true,
            today: None,
        }
    }

    /// Sets the reference date that `today` reads in the campaign (the day the guide is
    /// produced or viewed): the host decides it, the runtime never reads a clock, so the same
    /// record and date always give the same timeline. Without one, a campaign that reads
    /// `today` fails with [`EvalError::NoReferenceDate`]; other campaigns ignore it.
    pub fn set_today(&mut self, today: Option<Date>) {
        self.today = today;
    }

    /// The reference date in force ([`Evaluator::set_today`]).
    pub fn today(&self) -> Option<Date> {
        self.today
    }

    /// Whether the evaluator takes its shortcuts (the default: runs of instructions executed as
    /// fused steps, a scene whose body is the same for everyone recorded by reference to its
    /// body prepared at load time, the words and sentences of static text counted at load
    /// time) or executes every instruction one by one and counts every word. Both give the
    /// same timelines and the same errors; this switch exists to test that.
    #[doc(hidden)]
    pub fn set_fusion(&mut self, on: bool) {
        self.fusion = on;
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Evaluates one recipient. The timeline returned borrows the evaluator until the next
    /// call.
    pub fn evaluate(&mut self, record: &Record) -> Result<Outcome<&Timeline<'p>>, EvalError> {
        if self.eval_record(record)? {
            Ok(Outcome::Eligible(&self.timeline))
        } else {
            Ok(Outcome::NotEligible)
        }
    }

    /// Runs the program over `record`: `true` when eligible (the timeline is ready).
    fn eval_record(&mut self, record: &Record) -> Result<bool, EvalError> {
        self.timeline.clear();
        self.says.clear();
        self.out_bytes = 0;
        let mut stack: Vec<V<'_>> = recycle(std::mem::take(&mut self.stack));
        let mut frames: Vec<Frame<'_>> = recycle(std::mem::take(&mut self.frames));
        let r = self.run(record, &mut stack, &mut frames);
        self.stack = recycle(stack);
        self.frames = recycle(frames);
        if r? {
            self.timeline.variant = VariantId::of(&self.timeline.decisions);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Evaluates a JSON record (decoded against the program's schema).
    #[cfg(feature = "json")]
    pub fn evaluate_json(
        &mut self,
        value: &serde_json::Value,
    ) -> Result<Outcome<&Timeline<'p>>, EvalError> {
        let record = self.program.record_from_json(value)?;
        self.evaluate(&record)
    }

    /// Decodes the text of one JSON record against the program's schema
    /// ([`Record::decode_json_str`]: streaming, no intermediate `serde_json::Value`) and
    /// evaluates it. The record's buffers are kept in the evaluator and reused: this is the
    /// fastest way from a line of JSON to a timeline.
    #[cfg(feature = "json")]
    pub fn evaluate_json_str(&mut self, text: &str) -> Result<Outcome<&Timeline<'p>>, EvalError> {
        self.evaluate_json_slice(text.as_bytes())
    }

    /// [`Evaluator::evaluate_json_str`] from bytes as read from a file (see
    /// [`Record::decode_json_slice`]): bytes that are not UTF-8 are a record error.
    #[cfg(feature = "json")]
    pub fn evaluate_json_slice(
        &mut self,
        text: &[u8],
    ) -> Result<Outcome<&Timeline<'p>>, EvalError> {
        let mut record = std::mem::replace(&mut self.record, Record::empty());
        let program = self.program;
        let r = match record.decode_json_planned(program.schema(), &program.plan, text) {
            Ok(()) => self.eval_record(&record),
            Err(e) => Err(EvalError::Record(e)),
        };
        self.record = record;
        if r? {
            Ok(Outcome::Eligible(&self.timeline))
        } else {
            Ok(Outcome::NotEligible)
        }
    }

    /// The record last decoded by `Evaluator::evaluate_json_str` or `evaluate_json_slice`
    /// (`json` feature; empty before the first call, unspecified values after a decoding
    /// error).
    pub fn last_record(&self) -> &Record {
        &self.record
    }

    /// The last timeline produced, taken out of the evaluator.
    pub fn into_timeline(self) -> Timeline<'p> {
        self.timeline
    }

    #[cold]
    #[inline(never)]
    fn location(&self, pc: usize) -> String {
        self.program.span_of(pc).map_or_else(
            || format!("instruction {pc}"),
            |s| self.program.span_location(s),
        )
    }

    #[cold]
    #[inline(never)]
    fn computation(&self, pc: usize, reason: &'static str) -> EvalError {
        EvalError::Computation {
            reason,
            location: self.location(pc),
        }
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, pc: usize, reason: &'static str) -> EvalError {
        EvalError::Mismatch {
            reason,
            location: self.location(pc),
        }
    }

    /// The text being built (a line's literals, whose bytes are counted when the line ends)
    /// stays within the output limit too: a hostile loop inside one line cannot grow it.
    fn arena_within_limit(&self) -> Result<(), EvalError> {
        if self.timeline.arena.len() > self.limits.max_output_bytes {
            return Err(EvalError::Limit {
                kind: LimitKind::Output,
                limit: self.limits.max_output_bytes as u64,
            });
        }
        Ok(())
    }

    fn emit_bytes(&mut self, n: usize) -> Result<(), EvalError> {
        self.out_bytes = self.out_bytes.saturating_add(n);
        if self.out_bytes > self.limits.max_output_bytes {
            return Err(EvalError::Limit {
                kind: LimitKind::Output,
                limit: self.limits.max_output_bytes as u64,
            });
        }
        Ok(())
    }

    fn pool_ref(&self, s: u32) -> TextRef {
        TextRef {
            src: s,
            start: 0,
            end: u32::try_from(self.program.str(s).len()).unwrap_or(0),
        }
    }

    /// Stores a finished line.
    fn put_line(&mut self, b: &mut Building, target: Target, t: TextRef) -> Result<(), EvalError> {
        self.emit_bytes((t.end - t.start) as usize)?;
        let tl = &mut self.timeline;
        match target {
            Target::Text => tl.texts.push(t),
            Target::Say => self.says.push(t),
            Target::PopupButton => b.popup.button = t,
            Target::PopupTitle => b.popup.title = t,
            Target::PopupBody => b.popup.body = t,
            Target::Rating => tl.rating = Some(t),
        }
        Ok(())
    }

    #[allow(clippy::too_many_lines)]
    fn run<'a>(
        &mut self,
        record: &'a Record,
        stack: &mut Vec<V<'a>>,
        frames: &mut Vec<Frame<'a>>,
    ) -> Result<bool, EvalError>
    where
        'p: 'a,
    {
        let program: &'p Program = self.program;
        let fused = &program.fused;
        let fusion = self.fusion;
        let mut code: &'p [Ins] = if fusion { &fused.code } else { &fused.plain };
        let mut fuel = self.limits.fuel;
        let mut pc = 0usize;
        let mut b = Building::default();
        macro_rules! pop {
            () => {
                match stack.pop() {
                    Some(v) => v,
                    None => return Err(self.mismatch(pc, "the value stack is empty")),
                }
            };
        }
        macro_rules! pop_as {
            ($pat:pat => $e:expr) => {
                match stack.pop() {
                    Some($pat) => $e,
                    Some(V::Absent) => return Err(self.mismatch(pc, "an optional value is absent")),
                    _ => return Err(self.mismatch(pc, "a value of an unexpected type")),
                }
            };
        }
        // A fused step that cannot be taken here (too little fuel left, a value not of the type
        // the schema declares): the rest of the recipient runs op by op, from that instruction.
        macro_rules! plain {
            () => {{
                code = &fused.plain;
                pc -= 1;
                fuel += 1;
                continue;
            }};
        }
        // The side-table entry of a fused step, when there is fuel for all its instructions.
        // (A fused run has two instructions at least, so `ops - 1` does not wrap.)
        macro_rules! fused {
            ($table:expr, $i:expr) => {
                match $table.get($i as usize) {
                    Some(x) if x.ops - 1 <= fuel => x,
                    _ => plain!(),
                }
            };
        }
        loop {
            if fuel == 0 {
                return Err(EvalError::Limit {
                    kind: LimitKind::Fuel,
                    limit: self.limits.fuel,
                });
            }
            fuel -= 1;
            let Some(&ins) = code.get(pc) else {
                return Err(self.mismatch(pc, "execution ran past the end of the code"));
            };
            let here = pc;
            pc += 1;
            let op = match ins {
                Ins::Op(op) => op,
                Ins::Line(i) => {
                    let l = fused!(fused.lines, i);
                    fuel -= l.ops - 1;
                    self.fused_line(record, l, &mut b)?;
                    pc = l.next;
                    continue;
                }
                Ins::Test(i) => {
                    let t = fused!(fused.tests, i);
                    let Some(x) = t.eval(record.values()) else {
                        plain!()
                    };
                    fuel -= t.ops - 1;
                    self.timeline.decisions.push(Decision {
                        point: t.decision,
                        outcome: bits(x),
                    });
                    pc = if x { t.next } else { t.target };
                    continue;
                }
                Ins::Static(i) => {
                    let s = fused!(fused.statics, i);
                    fuel -= s.ops - 1;
                    self.emit_bytes(s.out_bytes)?;
                    let tl = &mut self.timeline;
                    tl.texts.extend_from_slice(&s.texts);
                    tl.popups.extend_from_slice(&s.popups);
                    tl.buttons.extend_from_slice(&s.buttons);
                    if let Some(p) = s.popups.last() {
                        b.popup = *p;
                    }
                    pc = s.next;
                    continue;
                }
            };
            match op {
                Op::PushBool(x) => stack.push(V::Bool(x)),
                Op::PushInt(x) => stack.push(V::Int(x)),
                Op::PushDec(x) => stack.push(V::Dec(x)),
                Op::PushMoney(x) => stack.push(V::Money(x)),
                Op::PushDate(x) => stack.push(V::Date(x)),
                Op::PushPeriod(x) => stack.push(V::Period(x)),
                Op::PushStr(s) => stack.push(V::Str(program.str(s))),
                Op::PushEnum { enum_id, value } => stack.push(V::Enum(enum_id, value)),
                Op::Today => match self.today {
                    Some(d) => stack.push(V::Date(d)),
                    None => {
                        return Err(EvalError::NoReferenceDate {
                            location: self.location(here),
                        })
                    }
                },
                Op::Attr(p) | Op::Local { path: p, .. } => {
                    let root: &'a [Value] = match op {
                        Op::Local { depth, .. } => match frames.get(usize::from(depth)) {
                            Some(f) => f.current,
                            None => return Err(self.mismatch(here, "no iteration")),
                        },
                        _ => record.values(),
                    };
                    let path = program
                        .m
                        .paths
                        .get(p as usize)
                        .map_or(&[][..], Vec::as_slice);
                    let e = program.v.load_enum.get(here).copied().unwrap_or(u16::MAX);
                    let v = load(root, path, e).ok_or_else(|| {
                        self.mismatch(here, "a value of another type than the schema declares")
                    })?;
                    stack.push(v);
                }
                Op::Not => {
                    let x = pop_as!(V::Bool(x) => x);
                    stack.push(V::Bool(!x));
                }
                Op::Neg => {
                    let v = pop!();
                    let v = match operand(v).map(ops::neg) {
                        Some(Ok(x)) => value(x, v),
                        Some(Err(e)) if e != OpError::Mismatch => {
                            return Err(self.computation(here, e.reason()))
                        }
                        _ => return Err(self.mismatch(here, "negation of a non-number")),
                    };
                    stack.push(v);
                }
                Op::Cmp(c) => {
                    let r = pop!();
                    let l = pop!();
                    let ord = match (operand(l), operand(r)) {
                        (Some(l), Some(r)) => ops::order(l, r),
                        _ => None,
                    };
                    let Some(ord) = ord else {
                        return Err(self.mismatch(here, "comparison of unlike values"));
                    };
                    stack.push(V::Bool(ops::holds(c, ord)));
                }
                Op::In { negated } => {
                    let mask = pop_as!(V::Set(m) => m);
                    let i = pop_as!(V::Enum(_, i) => i);
                    stack.push(V::Bool(ops::contains(i, mask) != negated));
                }
                Op::Arith(a) => {
                    let r = pop!();
                    let l = pop!();
                    let v = self.arith(here, a, l, r)?;
                    stack.push(v);
                }
                Op::Present { negated } => {
                    let v = pop!();
                    stack.push(V::Bool(!matches!(v, V::Absent) != negated));
                }
                Op::Unwrap => {
                    if matches!(stack.last(), Some(V::Absent) | None) {
                        return Err(self.mismatch(
                            here,
                            "an optional attribute the campaign proved present is absent",
                        ));
                    }
                }
                Op::Coalesce(t) => match stack.last() {
                    Some(V::Absent) => {
                        stack.pop();
                    }
                    Some(_) => pc = t as usize,
                    None => return Err(self.mismatch(here, "the value stack is empty")),
                },
                Op::Count => {
                    let n = match pop!() {
                        V::List(l) => i64::try_from(l.len()).unwrap_or(i64::MAX),
                        V::Set(m) => i64::from(m.count_ones()),
                        _ => return Err(self.mismatch(here, "count of a non-collection")),
                    };
                    stack.push(V::Int(n));
                }
                Op::ToDec => {
                    let x = pop_as!(V::Int(x) => x);
                    stack.push(V::Dec(ops::to_decimal(x)));
                }
                Op::Jump(t) => pc = t as usize,
                Op::JumpIfFalseOrPop(t) | Op::JumpIfTrueOrPop(t) => {
                    let jump_on = matches!(op, Op::JumpIfTrueOrPop(_));
                    match stack.last() {
                        Some(V::Bool(x)) if *x == jump_on => pc = t as usize,
                        Some(V::Bool(_)) => {
                            stack.pop();
                        }
                        _ => return Err(self.mismatch(here, "a condition is not a boolean")),
                    }
                }
                Op::JumpIfFalse(t) => {
                    if !pop_as!(V::Bool(x) => x) {
                        pc = t as usize;
                    }
                }
                Op::Branch { decision, target } => {
                    let x = pop_as!(V::Bool(x) => x);
                    self.timeline.decisions.push(Decision {
                        point: decision,
                        outcome: bits(x),
                    });
                    if !x {
                        pc = target as usize;
                    }
                }
                Op::Match { decision, table } => {
                    let i = pop_as!(V::Enum(_, i) => i);
                    let arm = program
                        .m
                        .jump_tables
                        .get(table as usize)
                        .and_then(|t| t.get(usize::from(i)))
                        .copied()
                        .ok_or_else(|| self.mismatch(here, "an enum value out of range"))?;
                    self.timeline.decisions.push(Decision {
                        point: decision,
                        outcome: arm.arm,
                    });
                    pc = arm.target as usize;
                }
                Op::IterBegin { decision } => {
                    let list = pop_as!(V::List(l) => l);
                    if decision != NO_DECISION {
                        self.timeline.decisions.push(Decision {
                            point: decision,
                            outcome: u16::try_from(list.len()).unwrap_or(u16::MAX),
                        });
                    }
                    frames.push(Frame {
                        list,
                        next: 0,
                        current: &[],
                    });
                }
                Op::IterNext(t) => {
                    let Some(f) = frames.last_mut() else {
                        return Err(self.mismatch(here, "no iteration"));
                    };
                    match f.list.get(f.next) {
                        Some(el) => {
                            f.current = el;
                            f.next += 1;
                        }
                        None => {
                            frames.pop();
                            pc = t as usize;
                        }
                    }
                }
                Op::IterEnd => {
                    frames.pop();
                }
                Op::Pop => {
                    pop!();
                }
                Op::Require => {
                    if !pop_as!(V::Bool(x) => x) {
                        return Ok(false);
                    }
                }
                Op::AvailableUntil => {
                    let d = pop_as!(V::Date(d) => d);
                    self.timeline.available = Window {
                        from: None,
                        until: Some(d),
                    };
                }
                Op::AvailableFor(p) => {
                    let d = pop_as!(V::Date(d) => d);
                    let until = d.add_period(p).ok_or_else(|| {
                        self.computation(here, "the end of availability is past 9999-12-31")
                    })?;
                    self.timeline.available = Window {
                        from: Some(d),
                        until: Some(until),
                    };
                }
                Op::Scene(s) => {
                    // A body with the same content for everyone is recorded at once, as if
                    // run instruction by instruction up to its `end.scene` included (same
                    // fuel, same output count), by reference to the body (nothing is copied):
                    // unless the fuel would run out inside it, where it does run step by step.
                    // (Nothing reads the scene being built after its `end.scene`: validation
                    // allows scene instructions only between `scene` and `end.scene`.)
                    // Off with fusion, so that the plain run checks this shortcut too.
                    if let Some(body) = program.text.static_body(here).filter(|_| fusion) {
                        if body.ops < fuel {
                            fuel -= body.ops + 1;
                            self.emit_bytes(body.out_bytes)?;
                            self.static_scene(s, here, body);
                            pc = body.end + 1;
                            continue;
                        }
                    }
                    let tl = &mut self.timeline;
                    b = Building {
                        def: s,
                        texts: len32(tl.texts.len()),
                        popups: len32(tl.popups.len()),
                        buttons: len32(tl.buttons.len()),
                        says: self.says.len(),
                        ..Building::default()
                    };
                }
                Op::EndScene => self.end_scene(&b)?,
                Op::Line(t) => {
                    b.target = Some(t);
                    b.line_start = self.timeline.arena.len();
                }
                Op::Lit(s) => {
                    self.timeline.arena_clean = false;
                    self.timeline.arena.push_str(program.str(s));
                    self.arena_within_limit()?;
                }
                Op::Fmt(k) => {
                    self.timeline.arena_clean = false;
                    let v = pop!();
                    self.format(here, k, v)?;
                }
                Op::Gender {
                    decision,
                    masculine,
                    feminine,
                } => {
                    self.timeline.arena_clean = false;
                    self.gender(record, decision, masculine, feminine)?;
                }
                Op::EndLine => {
                    let t = TextRef {
                        src: ARENA,
                        start: len32(b.line_start),
                        end: len32(self.timeline.arena.len()),
                    };
                    if let Some(target) = b.target.take() {
                        self.put_line(&mut b, target, t)?;
                    }
                }
                Op::StaticLine { target, text } => {
                    let t = self.pool_ref(text);
                    self.put_line(&mut b, target, t)?;
                }
                Op::Popup(p) => {
                    b.popup = PopupRec {
                        def: p,
                        ..PopupRec::default()
                    };
                }
                Op::EndPopup => self.timeline.popups.push(b.popup),
                Op::Button(x) => {
                    let label = program
                        .m
                        .buttons
                        .get(usize::from(x))
                        .map_or(0, |d| program.str(d.label).len());
                    self.emit_bytes(label)?;
                    self.timeline.buttons.push(x);
                }
                Op::Halt => return Ok(true),
            }
        }
    }

    /// `gender`: the word that agrees with the recipient's gender (both, slashed, when it is
    /// not known), and the decision taken.
    fn gender(
        &mut self,
        record: &Record,
        decision: u16,
        masculine: u32,
        feminine: u32,
    ) -> Result<(), EvalError> {
        let program = self.program;
        let outcome = match program.v.gender {
            Some((slot, m, f)) => match record.get(slot) {
                Value::Enum(i) if *i == m => 0,
                Value::Enum(i) if *i == f => 1,
                _ => 2,
            },
            None => 2,
        };
        self.timeline.decisions.push(Decision {
            point: decision,
            outcome,
        });
        let arena = &mut self.timeline.arena;
        match outcome {
            0 => arena.push_str(program.str(masculine)),
            1 => arena.push_str(program.str(feminine)),
            _ => {
                arena.push_str(program.str(masculine));
                arena.push('/');
                arena.push_str(program.str(feminine));
            }
        }
        self.arena_within_limit()
    }

    /// A fused line ([`Ins::Line`]): what its instructions do one by one, in the same order,
    /// with the same errors. (Kept out of line: inlined, it costs the dispatch loop registers.)
    #[inline(never)]
    fn fused_line(
        &mut self,
        record: &Record,
        l: &LineRun,
        b: &mut Building,
    ) -> Result<(), EvalError> {
        let program = self.program;
        let start = self.timeline.arena.len();
        b.target = None;
        b.line_start = start;
        if !l.clean {
            self.timeline.arena_clean = false;
        }
        for &p in &l.pieces {
            match p {
                Piece::Lit(s) => {
                    self.timeline.arena.push_str(program.str(s));
                    self.arena_within_limit()?;
                }
                Piece::Value {
                    slot,
                    enum_id,
                    kind,
                    attr_pc,
                    fmt_pc,
                    scan,
                } => {
                    let v = load(record.values(), std::slice::from_ref(&slot), enum_id)
                        .ok_or_else(|| {
                            self.mismatch(
                                attr_pc,
                                "a value of another type than the schema declares",
                            )
                        })?;
                    let at = self.timeline.arena.len();
                    self.format(fmt_pc, kind, v)?;
                    if scan && self.timeline.arena_clean {
                        let written = self.timeline.arena.as_bytes().get(at..).unwrap_or(&[]);
                        self.timeline.arena_clean = first_escape(written).is_none();
                    }
                }
                Piece::Gender {
                    decision,
                    masculine,
                    feminine,
                } => self.gender(record, decision, masculine, feminine)?,
            }
        }
        let t = TextRef {
            src: ARENA,
            start: len32(start),
            end: len32(self.timeline.arena.len()),
        };
        self.put_line(b, l.target, t)
    }

    /// `l a r` ([`ops::arith`]), with the machine's errors.
    fn arith<'a>(&self, pc: usize, a: ArithOp, l: V<'a>, r: V<'a>) -> Result<V<'a>, EvalError> {
        match (operand(l), operand(r)) {
            (Some(x), Some(y)) => match ops::arith(a, x, y) {
                Ok(v) => Ok(value(v, l)),
                Err(OpError::Mismatch) => Err(self.mismatch(pc, ARITH_MISMATCH)),
                Err(e) => Err(self.computation(pc, e.reason())),
            },
            _ => Err(self.mismatch(pc, ARITH_MISMATCH)),
        }
    }

    fn format(&mut self, pc: usize, k: FmtKind, v: V<'_>) -> Result<(), EvalError> {
        let program = self.program;
        let name = |e: u16, i: u16| -> &str {
            program
                .v
                .enums
                .get(usize::from(e))
                .and_then(|vals| vals.get(usize::from(i)))
                .map_or("", String::as_str)
        };
        let out = &mut self.timeline.arena;
        let start = out.len();
        let value = match (k, v) {
            (FmtKind::Money, V::Money(c)) => Some(FormattedValue::Money(c)),
            (FmtKind::Date | FmtKind::ShortDate, V::Date(d)) => Some(FormattedValue::Date(d)),
            (FmtKind::Int, V::Int(n)) => Some(FormattedValue::Int(n)),
            (FmtKind::Count(..), V::Int(n)) => Some(FormattedValue::Count(n)),
            (FmtKind::Decimal, V::Dec(x)) => Some(FormattedValue::Decimal(x)),
            _ => None,
        };
        match (k, v) {
            (FmtKind::Str, V::Str(s)) => out.push_str(s),
            (FmtKind::Str, V::Enum(e, i)) => out.push_str(name(e, i)),
            (FmtKind::Upper, V::Str(s)) => format::upper(out, s),
            (FmtKind::Upper, V::Enum(e, i)) => format::upper(out, name(e, i)),
            (FmtKind::Lower, V::Str(s)) => format::lower(out, s),
            (FmtKind::Lower, V::Enum(e, i)) => format::lower(out, name(e, i)),
            (FmtKind::Capitalize, V::Str(s)) => format::capitalize(out, s),
            (FmtKind::Capitalize, V::Enum(e, i)) => format::capitalize(out, name(e, i)),
            (FmtKind::Money, V::Money(c)) => format::money(out, c),
            (FmtKind::Date, V::Date(d)) => format::date_words(out, d),
            (FmtKind::ShortDate, V::Date(d)) => format::short_date(out, d),
            (FmtKind::Int, V::Int(n)) => format::int(out, n),
            (FmtKind::Decimal, V::Dec(x)) => {
                if !format::decimal(out, x) {
                    return Err(self.computation(pc, "a decimal that is not a finite number"));
                }
            }
            (FmtKind::Bool, V::Bool(x)) => out.push_str(if x { "sì" } else { "no" }),
            (FmtKind::Count(s, p), V::Int(n)) => {
                format::count(out, n, program.str(s), program.str(p))
            }
            (FmtKind::Plural(s, p), V::Int(n)) => {
                out.push_str(format::plural_word(n, program.str(s), program.str(p)))
            }
            (_, V::Absent) => return Err(self.mismatch(pc, "an optional value is absent")),
            _ => return Err(self.mismatch(pc, "a value of an unexpected type")),
        }
        if out.len() > self.limits.max_output_bytes {
            return Err(EvalError::Limit {
                kind: LimitKind::Output,
                limit: self.limits.max_output_bytes as u64,
            });
        }
        if let Some(value) = value {
            let end = len32(out.len());
            self.timeline.values.push(ValueRec {
                start: len32(start),
                end,
                value,
            });
        }
        Ok(())
    }

    /// Records a scene whose content is its static body (see [`SceneRec::body`]).
    fn static_scene(&mut self, def: u16, pc: usize, body: &StaticBody) {
        let program = self.program;
        let explicit = program
            .m
            .scenes
            .get(usize::from(def))
            .map_or(0, |d| d.duration_ms);
        let duration_ms = scene_duration(program, explicit, || body.words);
        let tl = &mut self.timeline;
        let start_ms = tl.duration_ms;
        tl.scenes.push(SceneRec {
            def,
            start_ms,
            duration_ms,
            body: u32::try_from(pc).ok(),
            ..SceneRec::default()
        });
        tl.duration_ms = start_ms.saturating_add(duration_ms);
    }

    fn end_scene(&mut self, b: &Building) -> Result<(), EvalError> {
        let program = self.program;
        // Without fusion, the words and sentences of static text prepared at load time are
        // counted again here, so that the plain run checks them.
        let fusion = self.fusion;
        let def = program.m.scenes.get(usize::from(b.def)).copied();
        if self.says.len() <= b.says {
            // No narration (most scenes of many guides): no captions to cut.
            let tl = &mut self.timeline;
            let texts_end = len32(tl.texts.len());
            let duration_ms = scene_duration(program, def.map_or(0, |d| d.duration_ms), || {
                text_words(
                    program,
                    fusion,
                    &tl.arena,
                    slice(&tl.texts, (b.texts, texts_end)),
                )
            });
            let start_ms = tl.duration_ms;
            let captions = len32(tl.captions.len());
            tl.scenes.push(SceneRec {
                def: b.def,
                start_ms,
                duration_ms,
                texts: (b.texts, texts_end),
                narration: TextRef::default(),
                popups: (b.popups, len32(tl.popups.len())),
                buttons: (b.buttons, len32(tl.buttons.len())),
                captions: (captions, captions),
                body: None,
            });
            tl.duration_ms = start_ms.saturating_add(duration_ms);
            return Ok(());
        }
        // The narration: one `say` is used as is; several are joined by a space in the arena.
        let says = self.says.get(b.says..).unwrap_or(&[]);
        let narration = match says {
            [] => TextRef::default(),
            [one] => *one,
            many => {
                let tl = &mut self.timeline;
                tl.arena_clean = false;
                let start = tl.arena.len();
                for (i, t) in many.iter().enumerate() {
                    if i > 0 {
                        tl.arena.push(' ');
                    }
                    let (a, e) = (t.start as usize, t.end as usize);
                    if t.src == ARENA {
                        // The formatted values of the line move with it.
                        let shift = len32(tl.arena.len()).wrapping_sub(t.start);
                        let first = tl.values.partition_point(|v| v.start < t.start);
                        let n = tl.values.len();
                        for j in first..n {
                            match tl.values.get(j).copied() {
                                Some(v) if v.end <= t.end => tl.values.push(ValueRec {
                                    start: v.start.wrapping_add(shift),
                                    end: v.end.wrapping_add(shift),
                                    value: v.value,
                                }),
                                _ => break,
                            }
                        }
                        tl.arena.extend_from_within(a..e);
                    } else {
                        tl.arena
                            .push_str(program.str(t.src).get(a..e).unwrap_or(""));
                    }
                }
                TextRef {
                    src: ARENA,
                    start: len32(start),
                    end: len32(tl.arena.len()),
                }
            }
        };
        self.says.truncate(b.says);
        let tl = &mut self.timeline;
        let texts_end = len32(tl.texts.len());
        let info = &program.text;
        // The narration's sentences and their words: computed once at load time for a static
        // `say`, here for text built for the recipient.
        let mut scratch = if narration.end == narration.start {
            Vec::new()
        } else {
            std::mem::take(&mut self.sentences)
        };
        scratch.clear();
        let sentences: &[Sentence] = if narration.end == narration.start {
            &[]
        } else if let Some(cut) = info.static_sentences(narration).filter(|_| fusion) {
            cut
        } else {
            let narr = crate::timeline::text_in(program, &tl.arena, narration);
            sentences(narr, |s, e| {
                let w = narr.get(s..e).map_or(0, format::words);
                if w > 0 {
                    scratch.push(Sentence {
                        start: len32(s),
                        end: len32(e),
                        words: len32(w),
                    });
                }
            });
            &scratch
        };
        let words: u64 = sentences.iter().map(|c| u64::from(c.words)).sum();
        // Derived from the narration's words, or from the on-screen lines' when it has none.
        let duration_ms = scene_duration(program, def.map_or(0, |d| d.duration_ms), || {
            if words > 0 {
                words
            } else {
                text_words(
                    program,
                    fusion,
                    &tl.arena,
                    slice(&tl.texts, (b.texts, texts_end)),
                )
            }
        });
        let start_ms = tl.duration_ms;
        // Caption cues: sentences of the narration, timed by their share of its words.
        let cap_start = len32(tl.captions.len());
        if words > 0 {
            let mut done = 0u64;
            // `done <= words`, so the share of the duration fits in a u64.
            let at = |done: u64| {
                let share = u128::from(duration_ms) * u128::from(done) / u128::from(words);
                start_ms.saturating_add(u64::try_from(share).unwrap_or(u64::MAX))
            };
            for c in sentences {
                let from = at(done);
                done += u64::from(c.words);
                tl.captions.push(CaptionRec {
                    start_ms: from,
                    end_ms: at(done),
                    text: TextRef {
                        src: narration.src,
                        start: narration.start + c.start,
                        end: narration.start + c.end,
                    },
                });
            }
        }
        if scratch.capacity() > 0 {
            self.sentences = scratch;
        }
        tl.scenes.push(SceneRec {
            def: b.def,
            start_ms,
            duration_ms,
            texts: (b.texts, texts_end),
            narration,
            popups: (b.popups, len32(tl.popups.len())),
            buttons: (b.buttons, len32(tl.buttons.len())),
            captions: (cap_start, len32(tl.captions.len())),
            body: None,
        });
        tl.duration_ms = start_ms.saturating_add(duration_ms);
        Ok(())
    }
}

/// A scene's duration: its explicit `explicit_ms`, or (when 0) the time its `words`, counted
/// only then, take at the campaign's speaking rate.
fn scene_duration(program: &Program, explicit_ms: u64, words: impl FnOnce() -> u64) -> u64 {
    match explicit_ms {
        0 => derived_duration(
            usize::try_from(words()).unwrap_or(usize::MAX),
            program.m.meta.rate_wpm,
        ),
        ms => ms,
    }
}

/// The words of on-screen lines: counted at load time for whole pool strings (unless
/// `prepared` is false), here for text built for the recipient.
fn text_words(program: &Program, prepared: bool, arena: &str, texts: &[TextRef]) -> u64 {
    texts
        .iter()
        .map(
            |&t| match program.text.static_words(t).filter(|_| prepared) {
                Some(w) => u64::from(w),
                None => format::words(crate::timeline::text_in(program, arena, t)) as u64,
            },
        )
        .sum()
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The duration of `words` words at `rate_wpm` words per minute: rounded up to 100 ms, at least
/// 2 seconds.
pub fn derived_duration(words: usize, rate_wpm: u32) -> u64 {
    let rate = u64::from(rate_wpm.max(1));
    let ms = (words as u64).saturating_mul(60_000).div_ceil(rate);
    ms.div_ceil(100).saturating_mul(100).max(2000)
}

/// Calls `f` with the byte range of each sentence of `text`, trimmed: a sentence ends after
/// `.`, `!`, `?` or `:` followed by whitespace or the end of the text.
pub fn sentences(text: &str, mut f: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut emit = |s: usize, e: usize| {
        let part = text.get(s..e).unwrap_or("");
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            f(s + lead, s + lead + trimmed.len());
        }
    };
    for (i, &c) in bytes.iter().enumerate() {
        if matches!(c, b'.' | b'!' | b'?' | b':')
            && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
        {
            emit(start, i + 1);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        emit(start, bytes.len());
    }
}

const ARITH_MISMATCH: &str = "arithmetic on values of unexpected types";

/// A stack value as an operand of [`ops`]: `None` for an absent value, a record, a list.
#[inline]
fn operand(v: V<'_>) -> Option<Operand<'_>> {
    Some(match v {
        V::Bool(x) => Operand::Bool(x),
        V::Int(x) => Operand::Int(x),
        V::Dec(x) => Operand::Decimal(x),
        V::Money(x) => Operand::Money(x),
        V::Date(x) => Operand::Date(x),
        V::Period(x) => Operand::Period(x),
        V::Str(x) => Operand::Str(x),
        V::Enum(_, i) => Operand::Enum(i),
        V::Set(x) => Operand::Set(x),
        V::Absent | V::Record | V::List(_) => return None,
    })
}

/// The result `v` of an operator back on the stack; an enum value keeps the enum of `like`, the
/// operand it came from.
#[inline]
fn value<'a>(v: Operand<'a>, like: V<'a>) -> V<'a> {
    match v {
        Operand::Bool(x) => V::Bool(x),
        Operand::Int(x) => V::Int(x),
        Operand::Decimal(x) => V::Dec(x),
        Operand::Money(x) => V::Money(x),
        Operand::Date(x) => V::Date(x),
        Operand::Period(x) => V::Period(x),
        Operand::Str(x) => V::Str(x),
        Operand::Enum(i) => match like {
            V::Enum(e, _) => V::Enum(e, i),
            _ => V::Enum(u16::MAX, i),
        },
        Operand::Set(x) => V::Set(x),
    }
}

/// Reads the value at `path` from `root`; `None` when the record does not have the shape the
/// schema declares.
fn load<'a>(root: &'a [Value], path: &[u16], enum_id: u16) -> Option<V<'a>> {
    let mut vals = root;
    let Some((last, init)) = path.split_last() else {
        let _ = root;
        return Some(V::Record);
    };
    for &slot in init {
        match vals.get(usize::from(slot))? {
            Value::Record(fs) => vals = fs,
            _ => return None,
        }
    }
    Some(match vals.get(usize::from(*last))? {
        Value::Absent => V::Absent,
        Value::Bool(b) => V::Bool(*b),
        Value::Int(i) => V::Int(*i),
        Value::Decimal(x) => V::Dec(*x),
        Value::Money(c) => V::Money(*c),
        Value::Date(d) => V::Date(*d),
        Value::Str(s) => V::Str(s),
        Value::Enum(i) => V::Enum(enum_id, *i),
        Value::Set(m) => V::Set(*m),
        Value::Record(_) => V::Record,
        Value::List(l) => V::List(l),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(derived_duration(0, 150), 2000);
        assert_eq!(derived_duration(5, 150), 2000);
        assert_eq!(derived_duration(10, 150), 4000);
        assert_eq!(derived_duration(11, 150), 4400);
        assert_eq!(derived_duration(7, 160), 2700);
    }

    #[test]
    fn sentence_split() {
        let text = "Ciao Anna. Il tuo importo è di € 1.234,56! Perché? Ecco: tutto.";
        let mut out = Vec::new();
        sentences(text, |s, e| out.push(&text[s..e]));
        assert_eq!(
            out,
            [
                "Ciao Anna.",
                "Il tuo importo è di € 1.234,56!",
                "Perché?",
                "Ecco:",
                "tutto."
            ]
        );
        let mut out = Vec::new();
        sentences("  senza punto finale  ", |s, e| out.push((s, e)));
        assert_eq!(out, [(2, 20)]);
    }
}
