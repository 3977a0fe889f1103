//! Superinstructions: short runs of bytecode that the evaluator executes as one step, chosen
//! once when the program is loaded.
//!
//! Most of a guide is a few shapes repeated: a line of text with one or two values in it
//! (`line; lit; attr; fmt; lit; end.line`), a condition on one attribute
//! (`attr; push.enum; cmp; branch`), a run of static lines, pop-ups and buttons. Executed op
//! by op, each of these pays the dispatch of every instruction and moves its values through
//! the stack. [`Fused::new`] finds them in the code and gives the evaluator, for each
//! instruction, either the instruction itself or a fused step ([`Ins`]) that does what the
//! whole run does.
//!
//! The bytecode is not changed: every instruction stays where it is, so a jump into the middle
//! of a run executes its remaining instructions one by one, and a fused step stands only at the
//! first instruction of its run. A fused step gives exactly the effect and the error that its
//! instructions give one by one: it spends the same fuel and counts the same output, and when
//! it meets a case it does not handle (less fuel left than it needs, a record whose values are
//! not of the types the schema declares) it changes nothing and the evaluator runs the rest
//! of the recipient op by op ([`Fused::plain`]).

use crate::bytecode::verify::Verified;
use crate::bytecode::{CmpOp, FmtKind, Module, Op, Target};
use crate::date::Date;
use crate::ops::{decimal_order, holds};
use crate::record::Value;
use crate::timeline::{PopupRec, TextRef};
use crate::write::first_escape;
use std::fmt::Write as _;

/// What the evaluator executes at one instruction.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ins {
    /// The instruction itself.
    Op(Op),
    /// A line of text built from literals, values of top-level attributes and gendered words:
    /// [`Fused::lines`].
    Line(u32),
    /// A branch on a comparison of a top-level attribute with a constant: [`Fused::tests`].
    Test(u32),
    /// Static lines of text, pop-ups and buttons: [`Fused::statics`].
    Static(u32),
}

/// The fused steps of a program and what each needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fused {
    /// Per instruction: what the evaluator executes there.
    pub code: Vec<Ins>,
    /// Per instruction: the instruction itself (evaluation op by op).
    pub plain: Vec<Ins>,
    /// The lines of [`Ins::Line`].
    pub lines: Vec<LineRun>,
    /// The tests of [`Ins::Test`].
    pub tests: Vec<TestRun>,
    /// The static runs of [`Ins::Static`].
    pub statics: Vec<StaticRun>,
}

/// `line TARGET; PIECE...; end.line`.
#[derive(Debug, Clone)]
pub(crate) struct LineRun {
    pub target: Target,
    pub pieces: Box<[Piece]>,
    /// Whether the text the line adds needs no JSON escaping, except the values it scans
    /// ([`Piece::Value::scan`]): its literals, gendered words and count words need none.
    pub clean: bool,
    /// Instructions of the run, `line` and `end.line` included (as fuel counts them).
    pub ops: u64,
    /// The instruction after `end.line`.
    pub next: usize,
}

/// A part of a fused line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Piece {
    /// `lit S`.
    Lit(u32),
    /// `attr P; fmt K` with `P` a top-level attribute.
    Value {
        slot: u16,
        /// The enum of the value, for its name.
        enum_id: u16,
        kind: FmtKind,
        /// The `attr` instruction (where a value of the wrong type is reported).
        attr_pc: usize,
        /// The `fmt` instruction (where a value that cannot be formatted is reported).
        fmt_pc: usize,
        /// Whether the text written may need JSON escaping (text from the record, an enum
        /// value's name), to be checked when it is written.
        scan: bool,
    },
    /// `gender D M F`.
    Gender {
        decision: u16,
        masculine: u32,
        feminine: u32,
    },
}

/// `attr P; [not]; branch D else T` on a boolean, or `attr P; push.K C; cmp OP; branch D else T`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TestRun {
    pub slot: usize,
    pub test: Test,
    pub decision: u16,
    /// Where the branch goes when the test is false.
    pub target: usize,
    /// Instructions of the run, `branch` included.
    pub ops: u64,
    /// The instruction after `branch`.
    pub next: usize,
}

/// The comparison of a [`TestRun`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Test {
    /// The boolean itself, or its negation.
    Bool {
        negate: bool,
    },
    Int(CmpOp, i64),
    Money(CmpOp, i64),
    Dec(CmpOp, f64),
    Date(CmpOp, Date),
    /// By value index, as `cmp` compares enum values.
    Enum(CmpOp, u16),
}

impl TestRun {
    /// The outcome for a record whose top-level values are `values`; `None` when the value is
    /// not of the type the test expects (the instructions then report it one by one).
    #[inline]
    pub(crate) fn eval(&self, values: &[Value]) -> Option<bool> {
        let v = values.get(self.slot)?;
        let ord = match (self.test, v) {
            (Test::Bool { negate }, Value::Bool(b)) => return Some(*b != negate),
            (Test::Int(c, k), Value::Int(x)) | (Test::Money(c, k), Value::Money(x)) => {
                return Some(holds(c, x.cmp(&k)))
            }
            (Test::Dec(c, k), Value::Decimal(x)) => return Some(holds(c, decimal_order(*x, k))),
            (Test::Date(c, k), Value::Date(d)) => return Some(holds(c, d.cmp(&k))),
            (Test::Enum(c, k), Value::Enum(i)) => (c, i.cmp(&k)),
            _ => return None,
        };
        Some(holds(ord.0, ord.1))
    }
}

/// Consecutive `static.line text`, `popup; static.line popup.*...; end.popup` and `button`
/// instructions: what they add to the timeline.
#[derive(Debug, Clone, Default)]
pub(crate) struct StaticRun {
    pub texts: Box<[TextRef]>,
    pub popups: Box<[PopupRec]>,
    pub buttons: Box<[u16]>,
    /// Bytes of text they add (as the output limit counts them).
    pub out_bytes: usize,
    /// Instructions of the run.
    pub ops: u64,
    /// The instruction after the run.
    pub next: usize,
}

/// Shortest run worth fusing: a single instruction is its own best step. (Lines and tests
/// have two instructions at least too: the evaluator relies on it.)
const MIN_OPS: u64 = 2;

impl Fused {
    /// Finds the fused steps of a verified module.
    pub(crate) fn new(m: &Module, v: &Verified) -> Fused {
        let mut f = Fused {
            plain: m.code.iter().map(|&op| Ins::Op(op)).collect(),
            ..Fused::default()
        };
        for (pc, &op) in m.code.iter().enumerate() {
            let ins = if let Some(l) = line(m, v, pc) {
                f.lines.push(l);
                Ins::Line(index(f.lines.len()))
            } else if let Some(t) = test(m, pc) {
                f.tests.push(t);
                Ins::Test(index(f.tests.len()))
            } else if let Some(s) = statics(m, pc) {
                f.statics.push(s);
                Ins::Static(index(f.statics.len()))
            } else {
                Ins::Op(op)
            };
            f.code.push(ins);
        }
        debug_assert!(
            f.lines.iter().all(|l| l.ops >= MIN_OPS)
                && f.tests.iter().all(|t| t.ops >= MIN_OPS)
                && f.statics.iter().all(|s| s.ops >= MIN_OPS),
            "a fused run of fewer than two instructions"
        );
        f
    }

    /// A listing of the fused steps of `m`, one per line: where each starts, how many
    /// instructions it stands for, where it goes on, and what it does.
    pub(crate) fn describe(&self, m: &Module) -> String {
        let text = |s: u32| m.strings.get(s as usize).map_or("?", String::as_str);
        let attr = |slot: usize| {
            m.schema
                .attributes
                .0
                .get(slot)
                .map_or("?", |(n, _)| n.as_str())
        };
        let mut out = String::new();
        for (pc, ins) in self.code.iter().enumerate() {
            match *ins {
                Ins::Op(_) => {}
                Ins::Line(i) => {
                    let Some(l) = self.lines.get(i as usize) else {
                        continue;
                    };
                    let _ = write!(
                        out,
                        "{pc:04} line x{} -> {:04} {:?}:",
                        l.ops, l.next, l.target
                    );
                    for p in &l.pieces {
                        let _ = match *p {
                            Piece::Lit(s) => write!(out, " {:?}", text(s)),
                            Piece::Value { slot, kind, .. } => {
                                write!(out, " {{{} {kind:?}}}", attr(usize::from(slot)))
                            }
                            Piece::Gender {
                                masculine,
                                feminine,
                                ..
                            } => write!(out, " [{}|{}]", text(masculine), text(feminine)),
                        };
                    }
                    out.push('\n');
                }
                Ins::Test(i) => {
                    let Some(t) = self.tests.get(i as usize) else {
                        continue;
                    };
                    let _ = writeln!(
                        out,
                        "{pc:04} test x{} -> {:04} else {:04}: d{} {} {:?}",
                        t.ops,
                        t.next,
                        t.target,
                        t.decision,
                        attr(t.slot),
                        t.test
                    );
                }
                Ins::Static(i) => {
                    let Some(s) = self.statics.get(i as usize) else {
                        continue;
                    };
                    let _ = writeln!(
                        out,
                        "{pc:04} static x{} -> {:04}: {} texts, {} popups, {} buttons, {} bytes",
                        s.ops,
                        s.next,
                        s.texts.len(),
                        s.popups.len(),
                        s.buttons.len(),
                        s.out_bytes
                    );
                }
            }
        }
        out
    }
}

/// The index of the last element of a list of `len`.
fn index(len: usize) -> u32 {
    u32::try_from(len.saturating_sub(1)).unwrap_or(u32::MAX)
}

/// The top-level slot `attr` reads, when its path has one step.
fn top_level(m: &Module, op: Option<&Op>) -> Option<u16> {
    match op? {
        Op::Attr(p) => match m.paths.get(*p as usize)?.as_slice() {
            [slot] => Some(*slot),
            _ => None,
        },
        _ => None,
    }
}

fn line(m: &Module, v: &Verified, pc: usize) -> Option<LineRun> {
    let Some(Op::Line(target)) = m.code.get(pc) else {
        return None;
    };
    let mut pieces = Vec::new();
    let clean_str = |s: u32| {
        m.strings
            .get(s as usize)
            .is_some_and(|t| first_escape(t.as_bytes()).is_none())
    };
    let mut clean = true;
    let mut at = pc + 1;
    loop {
        match m.code.get(at)? {
            Op::Lit(s) => {
                clean &= clean_str(*s);
                pieces.push(Piece::Lit(*s));
                at += 1;
            }
            Op::Gender {
                decision,
                masculine,
                feminine,
            } => {
                clean &= clean_str(*masculine) && clean_str(*feminine);
                pieces.push(Piece::Gender {
                    decision: *decision,
                    masculine: *masculine,
                    feminine: *feminine,
                });
                at += 1;
            }
            Op::Attr(_) => {
                let slot = top_level(m, m.code.get(at))?;
                let Some(Op::Fmt(kind)) = m.code.get(at + 1) else {
                    return None;
                };
                let scan = match *kind {
                    FmtKind::Str | FmtKind::Upper | FmtKind::Lower | FmtKind::Capitalize => true,
                    FmtKind::Count(a, b) | FmtKind::Plural(a, b) => {
                        clean &= clean_str(a) && clean_str(b);
                        false
                    }
                    FmtKind::Money
                    | FmtKind::Date
                    | FmtKind::ShortDate
                    | FmtKind::Int
                    | FmtKind::Decimal
                    | FmtKind::Bool => false,
                };
                pieces.push(Piece::Value {
                    slot,
                    enum_id: v.load_enum.get(at).copied()?,
                    kind: *kind,
                    attr_pc: at,
                    fmt_pc: at + 1,
                    scan,
                });
                at += 2;
            }
            Op::EndLine => {
                return Some(LineRun {
                    target: *target,
                    pieces: pieces.into_boxed_slice(),
                    clean,
                    ops: (at + 1 - pc) as u64,
                    next: at + 1,
                });
            }
            _ => return None,
        }
    }
}

fn test(m: &Module, pc: usize) -> Option<TestRun> {
    let slot = usize::from(top_level(m, m.code.get(pc))?);
    let (test, branch_at) = match (m.code.get(pc + 1)?, m.code.get(pc + 2)) {
        (Op::Branch { .. }, _) => (Test::Bool { negate: false }, pc + 1),
        (Op::Not, Some(Op::Branch { .. })) => (Test::Bool { negate: true }, pc + 2),
        (konst, Some(Op::Cmp(c))) => {
            let t = match *konst {
                Op::PushInt(k) => Test::Int(*c, k),
                Op::PushMoney(k) => Test::Money(*c, k),
                Op::PushDec(k) => Test::Dec(*c, k),
                Op::PushDate(k) => Test::Date(*c, k),
                Op::PushEnum { value, .. } => Test::Enum(*c, value),
                _ => return None,
            };
            (t, pc + 3)
        }
        _ => return None,
    };
    let Some(Op::Branch { decision, target }) = m.code.get(branch_at) else {
        return None;
    };
    Some(TestRun {
        slot,
        test,
        decision: *decision,
        target: *target as usize,
        ops: (branch_at + 1 - pc) as u64,
        next: branch_at + 1,
    })
}

fn statics(m: &Module, pc: usize) -> Option<StaticRun> {
    let is_static = |op: &Op| {
        matches!(
            op,
            Op::StaticLine { .. } | Op::Popup(_) | Op::EndPopup | Op::Button(_)
        )
    };
    // Only where a run starts: a jump into the middle of one runs its rest op by op, and the
    // scan stays linear in the length of the code.
    if pc
        .checked_sub(1)
        .and_then(|p| m.code.get(p))
        .is_some_and(is_static)
    {
        return None;
    }
    let pool = |s: u32| TextRef {
        src: s,
        start: 0,
        end: m
            .strings
            .get(s as usize)
            .map_or(0, |t| u32::try_from(t.len()).unwrap_or(0)),
    };
    let label = |b: u16| {
        m.buttons
            .get(usize::from(b))
            .and_then(|d| m.strings.get(d.label as usize))
            .map_or(0, String::len)
    };
    let mut run = StaticRun::default();
    let (mut texts, mut popups, mut buttons) = (Vec::new(), Vec::new(), Vec::new());
    let mut open: Option<PopupRec> = None;
    let mut out_bytes = 0usize;
    // The run as it stands at its last point where no pop-up is open: its length, and the
    // lengths of what it adds.
    let mut best = (0u64, 0usize, 0usize, 0usize, 0usize);
    for (at, op) in m.code.iter().enumerate().skip(pc) {
        match (*op, open.as_mut()) {
            (Op::StaticLine { target, text }, p) => {
                let r = pool(text);
                out_bytes += r.end as usize;
                match (target, p) {
                    (Target::Text, None) => texts.push(r),
                    (Target::PopupButton, Some(p)) => p.button = r,
                    (Target::PopupTitle, Some(p)) => p.title = r,
                    (Target::PopupBody, Some(p)) => p.body = r,
                    _ => break,
                }
            }
            (Op::Popup(def), None) => {
                open = Some(PopupRec {
                    def,
                    ..PopupRec::default()
                });
            }
            (Op::EndPopup, Some(p)) => {
                popups.push(*p);
                open = None;
            }
            (Op::Button(b), None) => {
                out_bytes += label(b);
                buttons.push(b);
            }
            _ => break,
        }
        if open.is_none() {
            let ops = (at + 1 - pc) as u64;
            best = (ops, texts.len(), popups.len(), buttons.len(), out_bytes);
        }
    }
    let (ops, n_texts, n_popups, n_buttons, out_bytes) = best;
    if ops < MIN_OPS {
        return None;
    }
    texts.truncate(n_texts);
    popups.truncate(n_popups);
    buttons.truncate(n_buttons);
    run.texts = texts.into_boxed_slice();
    run.popups = popups.into_boxed_slice();
    run.buttons = buttons.into_boxed_slice();
    run.out_bytes = out_bytes;
    run.ops = ops;
    run.next = pc + ops as usize;
    Some(run)
}
