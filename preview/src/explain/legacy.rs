//! LEGACY, kept on purpose and only for one question: the VM records one decision for an
//! included scene, `include … when A` and the scene's own `when B` together (`A and B`). When
//! that decision is false, the panel says which half failed by evaluating the halves here, a
//! re-evaluation next to the VM's; every other `holds` of the panel is the VM's own decision.
//! The property test (`preview/tests/explain_vm.rs`) checks that these halves always combine to
//! the VM's decision. Retire this module once the runtime records the operands of a decision's
//! top-level `and` (see the report of the preview's one-pipeline change).

use guide_compiler::ir::{self, ArithOp, CompareOp, Const, ExprKind};
use guide_runtime::{Period, Record, Value};

use super::show::{read_attr, V};

/// Whether a condition holds for `record`, by re-evaluation (see the module's warning).
pub fn holds(e: &ir::Expr, record: &Record) -> Option<bool> {
    match eval(e, record, &mut Vec::new()) {
        Some(V::Bool(b)) => Some(b),
        _ => None,
    }
}

/// Evaluates a typed expression; `None` when it cannot be (overflow, a date out of range, a
/// shape the checker would not have let through).
fn eval(e: &ir::Expr, record: &Record, locals: &mut Vec<Vec<Value>>) -> Option<V> {
    Some(match &e.kind {
        ExprKind::Const(c) => match c {
            Const::Bool(b) => V::Bool(*b),
            Const::Int(i) => V::Int(*i),
            Const::Decimal(d) => V::Dec(*d),
            Const::Money(m) => V::Money(*m),
            Const::Date(d) => V::Date(*d),
            Const::Period(m, d) => V::Period(Period::new(*m, *d)),
            Const::Duration(ms) => V::Duration(*ms),
            Const::Str(s) => V::Str(s.clone()),
            Const::Enum(i) => V::Enum(*i),
        },
        // The reference date is the host's: this evaluator has none.
        ExprKind::Today => return None,
        ExprKind::Attr(path) => read_attr(record, path)?,
        ExprKind::Local(depth, path) => {
            let element = locals.get(*depth)?;
            let Some((&first, rest)) = path.split_first() else {
                return Some(V::Record(element.clone()));
            };
            let mut v = element.get(first)?;
            for &i in rest {
                match v {
                    Value::Record(fields) => v = fields.get(i)?,
                    _ => return None,
                }
            }
            V::from(v)
        }
        ExprKind::Not(a) => match eval(a, record, locals)? {
            V::Bool(b) => V::Bool(!b),
            _ => return None,
        },
        ExprKind::Neg(a) => match eval(a, record, locals)? {
            V::Int(i) => V::Int(i.checked_neg()?),
            V::Dec(d) => V::Dec(-d),
            V::Money(m) => V::Money(m.checked_neg()?),
            V::Period(p) => V::Period(p.checked_neg()?),
            _ => return None,
        },
        ExprKind::And(a, b) => match eval(a, record, locals)? {
            V::Bool(false) => V::Bool(false),
            V::Bool(true) => eval(b, record, locals)?,
            _ => return None,
        },
        ExprKind::Or(a, b) => match eval(a, record, locals)? {
            V::Bool(true) => V::Bool(true),
            V::Bool(false) => eval(b, record, locals)?,
            _ => return None,
        },
        ExprKind::Compare(op, a, b) => {
            let (a, b) = (eval(a, record, locals)?, eval(b, record, locals)?);
            V::Bool(compare(*op, &a, &b)?)
        }
        ExprKind::In(elem, set, negated) => {
            let (elem, set) = (eval(elem, record, locals)?, eval(set, record, locals)?);
            match (elem, set) {
                (V::Enum(i), V::Set(bits)) => {
                    let inside = i < 64 && bits & (1u64 << i) != 0;
                    V::Bool(inside != *negated)
                }
                _ => return None,
            }
        }
        ExprKind::Arith(op, a, b) => {
            let (a, b) = (eval(a, record, locals)?, eval(b, record, locals)?);
            arith(*op, a, b)?
        }
        // The flag is true for `is present`, false for `is absent`.
        ExprKind::Present(a, is_present) => {
            let present = !matches!(eval(a, record, locals)?, V::Absent);
            V::Bool(present == *is_present)
        }
        ExprKind::Default(a, b) => match eval(a, record, locals)? {
            V::Absent => eval(b, record, locals)?,
            v => v,
        },
        ExprKind::Unwrap(a) => match eval(a, record, locals)? {
            V::Absent => return None,
            v => v,
        },
        ExprKind::Count(a) => match eval(a, record, locals)? {
            V::List(l) => V::Int(i64::try_from(l.len()).ok()?),
            V::Set(bits) => V::Int(i64::from(bits.count_ones())),
            _ => return None,
        },
        ExprKind::ToDecimal(a) => match eval(a, record, locals)? {
            V::Int(i) => V::Dec(i as f64),
            V::Dec(d) => V::Dec(d),
            _ => return None,
        },
        ExprKind::Any(list, cond) => {
            let V::List(elements) = eval(list, record, locals)? else {
                return None;
            };
            let mut found = false;
            for el in elements {
                locals.push(el);
                let r = eval(cond, record, locals);
                locals.pop();
                match r? {
                    V::Bool(true) => {
                        found = true;
                        break;
                    }
                    V::Bool(false) => {}
                    _ => return None,
                }
            }
            V::Bool(found)
        }
    })
}

fn compare(op: CompareOp, a: &V, b: &V) -> Option<bool> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (V::Int(x), V::Int(y)) | (V::Money(x), V::Money(y)) => Some(x.cmp(y)),
        (V::Dec(x), V::Dec(y)) => x.partial_cmp(y),
        (V::Int(x), V::Dec(y)) => (*x as f64).partial_cmp(y),
        (V::Dec(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(y)),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Enum(x), V::Enum(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Set(x), V::Set(y)) => Some(x.cmp(y)),
        (V::Absent, V::Absent) => Some(Ordering::Equal),
        _ => None,
    };
    Some(match op {
        CompareOp::Eq => ord == Some(Ordering::Equal) || a == b,
        CompareOp::Ne => !(ord == Some(Ordering::Equal) || a == b),
        CompareOp::Lt => ord? == Ordering::Less,
        CompareOp::Le => ord? != Ordering::Greater,
        CompareOp::Gt => ord? == Ordering::Greater,
        CompareOp::Ge => ord? != Ordering::Less,
    })
}

fn as_dec(v: &V) -> Option<f64> {
    match v {
        V::Int(i) => Some(*i as f64),
        V::Dec(d) => Some(*d),
        _ => None,
    }
}

fn money_scaled(cents: i64, factor: f64, divide: bool) -> Option<i64> {
    let x = if divide {
        if factor == 0.0 {
            return None;
        }
        cents as f64 / factor
    } else {
        cents as f64 * factor
    };
    let r = x.round();
    (r.is_finite() && r.abs() < 9.0e18).then_some(r as i64)
}

fn arith(op: ArithOp, a: V, b: V) -> Option<V> {
    Some(match (op, a, b) {
        (ArithOp::AddInt, V::Int(x), V::Int(y)) => V::Int(x.checked_add(y)?),
        (ArithOp::SubInt, V::Int(x), V::Int(y)) => V::Int(x.checked_sub(y)?),
        (ArithOp::MulInt, V::Int(x), V::Int(y)) => V::Int(x.checked_mul(y)?),
        (ArithOp::AddDec, x, y) => V::Dec(as_dec(&x)? + as_dec(&y)?),
        (ArithOp::SubDec, x, y) => V::Dec(as_dec(&x)? - as_dec(&y)?),
        (ArithOp::MulDec, x, y) => V::Dec(as_dec(&x)? * as_dec(&y)?),
        (ArithOp::DivDec, x, y) => {
            let d = as_dec(&y)?;
            if d == 0.0 {
                return None;
            }
            V::Dec(as_dec(&x)? / d)
        }
        (ArithOp::AddMoney, V::Money(x), V::Money(y)) => V::Money(x.checked_add(y)?),
        (ArithOp::SubMoney, V::Money(x), V::Money(y)) => V::Money(x.checked_sub(y)?),
        (ArithOp::MulMoney, V::Money(x), y) => V::Money(money_scaled(x, as_dec(&y)?, false)?),
        (ArithOp::DivMoney, V::Money(x), y) => V::Money(money_scaled(x, as_dec(&y)?, true)?),
        (ArithOp::AddPeriod, V::Date(d), V::Period(p)) => V::Date(d.add_period(p)?),
        (ArithOp::SubPeriod, V::Date(d), V::Period(p)) => V::Date(d.sub_period(p)?),
        (ArithOp::AddPeriods, V::Period(a), V::Period(b)) => V::Period(a.checked_add(b)?),
        (ArithOp::SubPeriods, V::Period(a), V::Period(b)) => V::Period(a.checked_sub(b)?),
        (ArithOp::YearsBetween, V::Date(a), V::Date(b)) => V::Int(a.years_until(b)),
        (ArithOp::MonthsBetween, V::Date(a), V::Date(b)) => V::Int(a.months_until(b)),
        (ArithOp::DaysBetween, V::Date(a), V::Date(b)) => V::Int(a.days_until(b)),
        _ => return None,
    })
}
