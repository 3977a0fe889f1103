//! When the variant analysis may say "never": which conditions the representative values of
//! [`super::domains`] decide exactly, and which outcomes no value could give at all.
//!
//! The enumeration runs every combination of representative values. That finds every outcome
//! of a condition that compares one attribute (or one field of a list element) with constants,
//! because the values sit on both sides of every constant. A condition that relates two values
//! (`f.data_nascita + 18 years <= data_decesso`), reads `today`, or multiplies is tried at
//! values drawn from the other side's values too, which usually reaches every outcome, but not
//! provably: for such a condition an outcome nobody reached is reported only when it is
//! impossible whatever its parts are worth ([`Verdict::impossible`]), and otherwise nothing is
//! said. The same holds for everything nested under such a condition.

use crate::ir::{self, ArithOp, Const, ExprKind};
use guide_runtime::ops::{self, Operand};
use guide_runtime::{Date, Period};

/// What may be said of a decision's unreached outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    /// The enumeration decides this decision exactly (its condition and every enclosing one
    /// compare single values with constants).
    pub exact: bool,
    /// Outcomes (false, true) that no values of the condition's parts can give.
    pub impossible: [bool; 2],
}

impl Verdict {
    /// Whether an unreached `outcome` (0 false, 1 true) is dead content for certain.
    pub fn dead(self, outcome: u16) -> bool {
        self.exact
            || self
                .impossible
                .get(usize::from(outcome))
                .copied()
                .unwrap_or(false)
    }

    /// The verdict of a decision on `cond` under enclosing conditions that are `context_exact`.
    pub fn of(cond: &ir::Expr, context_exact: bool) -> Verdict {
        Verdict {
            exact: context_exact && exact(cond),
            impossible: [!can_be(cond, false), !can_be(cond, true)],
        }
    }
}

/// Whether the enumeration decides `cond` exactly.
pub fn exact(cond: &ir::Expr) -> bool {
    match &cond.kind {
        ExprKind::Const(_) | ExprKind::Attr(_) => true,
        ExprKind::Unwrap(_) => is_attr(cond),
        ExprKind::Not(a) => exact(a),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => exact(a) && exact(b),
        ExprKind::Present(x, _) => is_attr(x),
        ExprKind::In(a, b, _) => matches!(a.kind, ExprKind::Const(_)) && is_attr(b),
        ExprKind::Compare(_, a, b) => match (constant(a), constant(b)) {
            (None, Some(c)) => exact_term(a, &c),
            (Some(c), None) => exact_term(b, &c),
            (Some(_), Some(_)) => true,
            (None, None) => false,
        },
        ExprKind::Any(list, c) => is_attr(list) && one_field(c),
        _ => false,
    }
}

/// Whether a condition inside `for x in LIST` (or `any`) reads one field of the element only,
/// comparing it with constants: one-element lists with that field at each representative value
/// reach all its outcomes.
pub fn one_field(cond: &ir::Expr) -> bool {
    let mut field = None;
    single_local(cond, &mut field)
}

fn single_local(e: &ir::Expr, field: &mut Option<Vec<usize>>) -> bool {
    let mut same = |p: &Vec<usize>| match field {
        Some(f) => f == p,
        None => {
            *field = Some(p.clone());
            true
        }
    };
    match &e.kind {
        ExprKind::Const(_) => true,
        ExprKind::Local(0, p) => same(p),
        ExprKind::Not(a) => single_local(a, field),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            single_local(a, field) && single_local(b, field)
        }
        ExprKind::Compare(_, a, b) => match (&a.kind, &b.kind, constant(a), constant(b)) {
            (ExprKind::Local(0, p), _, _, Some(_)) | (_, ExprKind::Local(0, p), Some(_), _) => {
                same(p)
            }
            _ => false,
        },
        _ => false,
    }
}

fn is_attr(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Attr(_) => true,
        ExprKind::Unwrap(a) => is_attr(a),
        _ => false,
    }
}

/// Whether the domains hold both sides of `term OP c` for every constant `c` it is compared
/// with: one attribute, maybe counted, defaulted, or shifted by a constant.
fn exact_term(term: &ir::Expr, c: &Const) -> bool {
    match &term.kind {
        ExprKind::Attr(_) | ExprKind::Unwrap(_) => is_attr(term),
        ExprKind::Count(x) => {
            is_attr(x)
                && match (&x.ty, c) {
                    // Lists are tried with up to 4 elements; counts around int constants only.
                    (ir::Ty::List(_), Const::Int(n)) => (0..=3).contains(n),
                    (_, Const::Int(_)) => true,
                    _ => false,
                }
        }
        ExprKind::Default(x, d) => is_attr(x) && matches!(d.kind, ExprKind::Const(_)),
        ExprKind::ToDecimal(x) => exact_term(x, c),
        ExprKind::Arith(ArithOp::AddPeriod | ArithOp::SubPeriod, x, k) => {
            is_attr(x) && matches!(k.kind, ExprKind::Const(_))
        }
        _ => false,
    }
}

/// The constant value of an expression written with constants only.
pub fn constant(e: &ir::Expr) -> Option<Const> {
    match &e.kind {
        ExprKind::Const(c) => Some(c.clone()),
        _ => match crate::check::expr::const_value(e)? {
            Operand::Int(i) => Some(Const::Int(i)),
            Operand::Decimal(d) => Some(Const::Decimal(d)),
            Operand::Money(m) => Some(Const::Money(m)),
            Operand::Date(d) => Some(Const::Date(d)),
            Operand::Period(p) => Some(Const::Period(p.months(), p.days())),
            Operand::Bool(b) => Some(Const::Bool(b)),
            _ => None,
        },
    }
}

/// At most this many assignments are tried by [`can_be`]; beyond, it answers "maybe".
const MAX_ASSIGNMENTS: usize = 4096;

/// Whether `cond` can evaluate to `want` for some values of its parts, each comparison of a
/// value with constants taking that value on both sides of each constant, every other part
/// (a comparison of two values, a presence test...) taking either truth value. An
/// over-approximation: `false` means no recipient can give `want`.
pub fn can_be(cond: &ir::Expr, want: bool) -> bool {
    let mut terms: Vec<(String, Vec<Operand<'static>>)> = Vec::new();
    let mut free: Vec<String> = Vec::new();
    atoms(cond, &mut terms, &mut free);
    let mut total: usize = 1usize << free.len().min(20);
    for (_, v) in &terms {
        total = total.saturating_mul(v.len().max(1));
    }
    if free.len() > 12 || total > MAX_ASSIGNMENTS {
        return true;
    }
    let mut digits = vec![0usize; terms.len()];
    loop {
        for mask in 0..(1usize << free.len()) {
            let env = Env {
                terms: &terms,
                digits: &digits,
                free: &free,
                mask,
            };
            if env.eval(cond) != Some(!want) {
                return true;
            }
        }
        let mut k = 0;
        loop {
            if k == digits.len() {
                return false;
            }
            digits[k] += 1;
            if digits[k] < terms[k].1.len() {
                break;
            }
            digits[k] = 0;
            k += 1;
        }
    }
}

struct Env<'a> {
    terms: &'a [(String, Vec<Operand<'static>>)],
    digits: &'a [usize],
    free: &'a [String],
    mask: usize,
}

impl Env<'_> {
    /// The truth value of `e` under this assignment; `None` when unknown (then "maybe").
    fn eval(&self, e: &ir::Expr) -> Option<bool> {
        match &e.kind {
            ExprKind::Not(a) => self.eval(a).map(|b| !b),
            ExprKind::And(a, b) => match self.eval(a)? {
                false => Some(false),
                true => self.eval(b),
            },
            ExprKind::Or(a, b) => match self.eval(a)? {
                true => Some(true),
                false => self.eval(b),
            },
            ExprKind::Const(Const::Bool(b)) => Some(*b),
            ExprKind::Compare(op, a, b) => {
                let (term, c, flipped) = match (constant(a), constant(b)) {
                    (None, Some(c)) => (a, c, false),
                    (Some(c), None) => (b, c, true),
                    _ => return self.free_value(e),
                };
                let k = key(term);
                let i = self.terms.iter().position(|(t, _)| *t == k)?;
                let v = *self.terms.get(i)?.1.get(*self.digits.get(i)?)?;
                let c = operand(&c)?;
                let (l, r) = if flipped { (c, v) } else { (v, c) };
                ops::compare(op.runtime(), l, r).ok()
            }
            _ => self.free_value(e),
        }
    }

    fn free_value(&self, e: &ir::Expr) -> Option<bool> {
        let i = self.free.iter().position(|f| *f == key(e))?;
        Some(self.mask & (1 << i) != 0)
    }
}

fn atoms(e: &ir::Expr, terms: &mut Vec<(String, Vec<Operand<'static>>)>, free: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Not(a) => atoms(a, terms, free),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            atoms(a, terms, free);
            atoms(b, terms, free);
        }
        ExprKind::Const(Const::Bool(_)) => {}
        ExprKind::Compare(_, a, b) => {
            let (term, c) = match (constant(a), constant(b)) {
                (None, Some(c)) => (a, c),
                (Some(c), None) => (b, c),
                _ => return add_free(e, free),
            };
            let k = key(term);
            let i = match terms.iter().position(|(t, _)| *t == k) {
                Some(i) => i,
                None => {
                    terms.push((k, Vec::new()));
                    terms.len() - 1
                }
            };
            if let Some((_, values)) = terms.get_mut(i) {
                for v in around(&c) {
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
            }
        }
        _ => add_free(e, free),
    }
}

fn add_free(e: &ir::Expr, free: &mut Vec<String>) {
    let k = key(e);
    if !free.contains(&k) {
        free.push(k);
    }
}

/// Values just below, at and just above a constant.
fn around(c: &Const) -> Vec<Operand<'static>> {
    match c {
        Const::Int(i) => vec![
            Operand::Int(i.saturating_sub(1)),
            Operand::Int(*i),
            Operand::Int(i.saturating_add(1)),
        ],
        Const::Money(m) => vec![
            Operand::Money(m.saturating_sub(1)),
            Operand::Money(*m),
            Operand::Money(m.saturating_add(1)),
        ],
        Const::Decimal(d) => vec![
            Operand::Decimal(d - 0.001),
            Operand::Decimal(*d),
            Operand::Decimal(d + 0.001),
        ],
        Const::Date(d) => {
            let day = Period::days_only(1);
            let mut v: Vec<Operand<'static>> =
                d.sub_period(day).into_iter().map(Operand::Date).collect();
            v.push(Operand::Date(*d));
            v.extend(d.add_period(day).map(Operand::Date));
            v
        }
        Const::Bool(b) => vec![Operand::Bool(*b), Operand::Bool(!b)],
        // Strings, enums, periods: the constant itself and "something else" are told apart by
        // equality only, which the free truth values already cover.
        _ => Vec::new(),
    }
}

fn operand(c: &Const) -> Option<Operand<'static>> {
    Some(match c {
        Const::Int(i) => Operand::Int(*i),
        Const::Money(m) => Operand::Money(*m),
        Const::Decimal(d) => Operand::Decimal(*d),
        Const::Date(d) => Operand::Date(*d),
        Const::Bool(b) => Operand::Bool(*b),
        _ => return None,
    })
}

/// A key naming an expression by its structure (spans left out).
pub fn key(e: &ir::Expr) -> String {
    match &e.kind {
        ExprKind::Const(c) => format!("{c:?}"),
        ExprKind::Today => "today".into(),
        ExprKind::Attr(p) => format!("attr{p:?}"),
        ExprKind::Local(d, p) => format!("local{d}{p:?}"),
        ExprKind::Not(a) => format!("not({})", key(a)),
        ExprKind::Neg(a) => format!("neg({})", key(a)),
        ExprKind::Unwrap(a) => format!("unwrap({})", key(a)),
        ExprKind::Count(a) => format!("count({})", key(a)),
        ExprKind::ToDecimal(a) => format!("dec({})", key(a)),
        ExprKind::Present(a, p) => format!("present{p}({})", key(a)),
        ExprKind::And(a, b) => format!("and({},{})", key(a), key(b)),
        ExprKind::Or(a, b) => format!("or({},{})", key(a), key(b)),
        ExprKind::Compare(op, a, b) => format!("cmp{op:?}({},{})", key(a), key(b)),
        ExprKind::In(a, b, n) => format!("in{n}({},{})", key(a), key(b)),
        ExprKind::Arith(op, a, b) => format!("{op:?}({},{})", key(a), key(b)),
        ExprKind::Default(a, b) => format!("default({},{})", key(a), key(b)),
        ExprKind::Any(a, b) => format!("any({},{})", key(a), key(b)),
    }
}

/// The date the analysis evaluates `today` at when the host gives none: the same day the
/// representative dates default to.
pub fn analysis_date() -> Date {
    Date::new(2024, 3, 15).unwrap_or(Date::MIN)
}
