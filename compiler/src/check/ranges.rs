//! Comparisons that the range an attribute declares in the schema (`min`, `max`,
//! `max_length`) decides: `importo_mensile < 0` with `min: 0` is always false, and the content
//! it guards never plays. Reported as W0103, at the comparison, with the bound that decides it.

use super::error::CheckError;
use super::Checker;
use crate::analysis::domains::lookup;
use crate::analysis::ranges::range_at;
use crate::ir::{self, CompareOp, Const, ExprKind};
use guide_runtime::schema::{Bound, Range};

impl Checker<'_> {
    /// Reports every comparison of condition `c` (through `and`, `or` and `not`) that the range
    /// of the attribute it reads makes always true or always false.
    pub(super) fn range_decided(&mut self, c: &ir::Expr) {
        match &c.kind {
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.range_decided(a);
                self.range_decided(b);
            }
            ExprKind::Not(a) => self.range_decided(a),
            ExprKind::Compare(op, a, b) => {
                let (op, path, constant) = match (attribute(a), &b.kind, attribute(b), &a.kind) {
                    (Some(p), ExprKind::Const(k), ..) => (*op, p, k),
                    (None, _, Some(p), ExprKind::Const(k)) => (flip(*op), p, k),
                    _ => return,
                };
                let range = range_at(&self.schema.attributes, path);
                if range.is_unbounded() {
                    return;
                }
                if let Some(value) = decide(op, &range, constant) {
                    let attribute = lookup(&self.schema.attributes, path)
                        .map(|(name, _)| name)
                        .unwrap_or_default();
                    self.error(CheckError::RangeCondition {
                        span: c.span.clone(),
                        value,
                        attribute,
                        range: describe(&range),
                    });
                }
            }
            _ => {}
        }
    }
}

/// The attribute path an operand reads, through a proven-present optional or a conversion of
/// an int to a decimal.
fn attribute(e: &ir::Expr) -> Option<&[usize]> {
    match &e.kind {
        ExprKind::Attr(p) => Some(p),
        ExprKind::Unwrap(inner) | ExprKind::ToDecimal(inner) => attribute(inner),
        _ => None,
    }
}

/// `c op x` as `x op' c`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// The value of `x op c` for every `x` the range allows, if it is the same for all.
fn decide(op: CompareOp, range: &Range, c: &Const) -> Option<bool> {
    match c {
        Const::Int(c) => ordered(op, bound_i(range.min), bound_i(range.max), *c),
        Const::Money(c) => ordered(op, bound_c(range.min), bound_c(range.max), *c),
        Const::Decimal(c) => ordered(op, bound_f(range.min), bound_f(range.max), *c),
        Const::Str(s) => {
            let too_long = range
                .max_length
                .is_some_and(|max| s.chars().count() > max as usize);
            match (op, too_long) {
                (CompareOp::Eq, true) => Some(false),
                (CompareOp::Ne, true) => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

fn bound_i(b: Option<Bound>) -> Option<i64> {
    match b {
        Some(Bound::Int(i)) => Some(i),
        _ => None,
    }
}

fn bound_c(b: Option<Bound>) -> Option<i64> {
    match b {
        Some(Bound::Cents(c)) => Some(c),
        _ => None,
    }
}

/// A bound as a decimal (an int attribute is compared as a decimal with a decimal constant).
fn bound_f(b: Option<Bound>) -> Option<f64> {
    match b {
        Some(Bound::Decimal(d)) => Some(d),
        Some(Bound::Int(i)) => Some(i as f64),
        _ => None,
    }
}

/// The value of `x op c` for every `x` in `[lo, hi]` (a missing bound is open), if constant.
fn ordered<T: PartialOrd + Copy>(
    op: CompareOp,
    lo: Option<T>,
    hi: Option<T>,
    c: T,
) -> Option<bool> {
    let all_ge = lo.is_some_and(|l| l >= c);
    let all_gt = lo.is_some_and(|l| l > c);
    let all_le = hi.is_some_and(|h| h <= c);
    let all_lt = hi.is_some_and(|h| h < c);
    let only_c = all_ge && all_le;
    let decided = |always: bool, never: bool| match (always, never) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    match op {
        CompareOp::Ge => decided(all_ge, all_lt),
        CompareOp::Gt => decided(all_gt, all_le),
        CompareOp::Le => decided(all_le, all_gt),
        CompareOp::Lt => decided(all_lt, all_ge),
        CompareOp::Eq => decided(only_c, all_gt || all_lt),
        CompareOp::Ne => decided(all_gt || all_lt, only_c),
    }
}

/// The range as the schema writes it: `min: 0.00`, `min: 1, max: 104`, `max_length: 40`.
fn describe(r: &Range) -> String {
    let mut parts = Vec::new();
    if let Some(b) = r.min {
        parts.push(format!("min: {b}"));
    }
    if let Some(b) = r.max {
        parts.push(format!("max: {b}"));
    }
    if let Some(n) = r.max_length {
        parts.push(format!("max_length: {n}"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompareOp::*;

    #[test]
    fn comparisons_decided_by_a_range() {
        // x in [0, 104]
        let (lo, hi) = (Some(0), Some(104));
        assert_eq!(ordered(Ge, lo, hi, 0), Some(true));
        assert_eq!(ordered(Lt, lo, hi, 0), Some(false));
        assert_eq!(ordered(Gt, lo, hi, 0), None);
        assert_eq!(ordered(Le, lo, hi, 0), None);
        assert_eq!(ordered(Gt, lo, hi, 104), Some(false));
        assert_eq!(ordered(Le, lo, hi, 104), Some(true));
        assert_eq!(ordered(Lt, lo, hi, 104), None);
        assert_eq!(ordered(Eq, lo, hi, 105), Some(false));
        assert_eq!(ordered(Ne, lo, hi, -1), Some(true));
        assert_eq!(ordered(Eq, lo, hi, 50), None);
        assert_eq!(ordered(Eq, Some(3), Some(3), 3), Some(true));
        assert_eq!(ordered(Ne, Some(3), Some(3), 3), Some(false));
        // Open above.
        assert_eq!(ordered(Gt, Some(0), None, 1_000_000), None);
        assert_eq!(ordered(Ge, Some(0), None, -5), Some(true));
        assert_eq!(ordered::<i64>(Ge, None, None, 0), None);
        assert_eq!(flip(Lt), Gt);
        let name = Range {
            max_length: Some(3),
            ..Range::default()
        };
        assert_eq!(decide(Eq, &name, &Const::Str("Luca".into())), Some(false));
        assert_eq!(decide(Ne, &name, &Const::Str("Luca".into())), Some(true));
        assert_eq!(decide(Eq, &name, &Const::Str("Léa".into())), None);
    }
}
