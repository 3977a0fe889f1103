//! Representative dates for conditions that relate values: `f.data_nascita + 18 years <=
//! data_decesso`, `years_between(data_nascita, today) >= 18`, `data_scadenza - 30 days <
//! today`. For each date the comparison reads, the others are held at their representative
//! values and the date is moved until the comparison changes its outcome; the days on both
//! sides of that boundary become representative values too. Every function of the language on
//! dates (`+ period`, the spans between dates) is monotone in each date, so a comparison changes
//! at most twice (`==`), and a binary search finds where.

use crate::ir::{self, Const, ExprKind};
use guide_runtime::bytecode::CmpOp;
use guide_runtime::ops::{self, Operand};
use guide_runtime::{Date, Period};

/// A value a comparison reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Var {
    /// An attribute of the recipient.
    Attr(Vec<usize>),
    /// A field of the element of the iteration the condition sits in.
    Local(Vec<usize>),
    /// The reference date.
    Today,
}

/// The variables of `e`, in order of appearance; `None` when `e` holds something the solver
/// does not evaluate.
pub fn vars(e: &ir::Expr, out: &mut Vec<Var>) -> Option<()> {
    let mut add = |v: Var| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    match &e.kind {
        ExprKind::Const(_) => {}
        ExprKind::Attr(p) => add(Var::Attr(p.clone())),
        ExprKind::Local(0, p) => add(Var::Local(p.clone())),
        ExprKind::Today => add(Var::Today),
        ExprKind::Unwrap(a) | ExprKind::ToDecimal(a) | ExprKind::Neg(a) => vars(a, out)?,
        ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) => {
            vars(a, out)?;
            vars(b, out)?;
        }
        _ => return None,
    }
    Some(())
}

/// Evaluates `e` with each variable's value from `value`.
fn eval<'a>(e: &ir::Expr, value: &dyn Fn(&Var) -> Option<Operand<'a>>) -> Option<Operand<'a>> {
    Some(match &e.kind {
        ExprKind::Const(c) => match c {
            Const::Int(i) => Operand::Int(*i),
            Const::Decimal(d) => Operand::Decimal(*d),
            Const::Money(m) => Operand::Money(*m),
            Const::Date(d) => Operand::Date(*d),
            Const::Period(m, d) => Operand::Period(Period::new(*m, *d)),
            Const::Bool(b) => Operand::Bool(*b),
            _ => return None,
        },
        ExprKind::Attr(p) => value(&Var::Attr(p.clone()))?,
        ExprKind::Local(0, p) => value(&Var::Local(p.clone()))?,
        ExprKind::Today => value(&Var::Today)?,
        ExprKind::Unwrap(a) => eval(a, value)?,
        ExprKind::ToDecimal(a) => match eval(a, value)? {
            Operand::Int(i) => Operand::Decimal(ops::to_decimal(i)),
            _ => return None,
        },
        ExprKind::Neg(a) => ops::neg(eval(a, value)?).ok()?,
        ExprKind::Arith(op, a, b) => {
            ops::arith(op.runtime(), eval(a, value)?, eval(b, value)?).ok()?
        }
        ExprKind::Compare(op, a, b) => {
            Operand::Bool(ops::compare(op.runtime(), eval(a, value)?, eval(b, value)?).ok()?)
        }
        _ => return None,
    })
}

/// How far from its anchor a date is moved looking for a boundary: 150 years each way.
const REACH_DAYS: i64 = 150 * 366;

/// The dates around which the comparison `cmp` changes outcome as `target` (a date variable)
/// moves, the other variables at `anchor`'s values. Both `<` and `<=` versions of the
/// comparison are searched, so `==` and `!=` get both ends of their interval.
pub fn boundaries(
    cmp: &ir::Expr,
    target: &Var,
    anchor: &dyn Fn(&Var) -> Option<Date>,
) -> Vec<Date> {
    let ExprKind::Compare(_, a, b) = &cmp.kind else {
        return Vec::new();
    };
    let Some(centre) = anchor(target) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for op in [CmpOp::Lt, CmpOp::Le] {
        let holds = |x: i64| -> Option<bool> {
            let d = Date::from_days(x)?;
            let value = |v: &Var| -> Option<Operand<'static>> {
                if v == target {
                    Some(Operand::Date(d))
                } else {
                    anchor(v).map(Operand::Date)
                }
            };
            let l = eval(a, &value)?;
            let r = eval(b, &value)?;
            ops::compare(op, l, r).ok()
        };
        // The whole calendar but its first and last centuries (where `+ period` may leave it),
        // or else 150 years around the anchor.
        let c = centre.to_days();
        let wide = (Date::new(100, 1, 1), Date::new(9900, 12, 31));
        let mut range = None;
        if let (Some(l), Some(h)) = wide {
            if let (Some(a), Some(b)) = (holds(l.to_days()), holds(h.to_days())) {
                range = Some((l.to_days(), h.to_days(), a, b));
            }
        }
        if range.is_none() {
            let (l, h) = (c - REACH_DAYS, c + REACH_DAYS);
            if let (Some(a), Some(b)) = (holds(l), holds(h)) {
                range = Some((l, h, a, b));
            }
        }
        let Some((mut lo, mut hi, at_lo, at_hi)) = range else {
            continue;
        };
        if at_lo == at_hi {
            continue;
        }
        // Invariant: holds(lo) == at_lo, holds(hi) != at_lo.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            match holds(mid) {
                Some(v) if v == at_lo => lo = mid,
                Some(_) => hi = mid,
                None => break,
            }
        }
        out.extend(Date::from_days(lo));
        out.extend(Date::from_days(hi));
    }
    out
}
