//! The operators of the language on values: arithmetic, negation, comparison, `in` and `??`.
//!
//! These are the functions the machine ([`crate::vm`]) runs for [`Op::Arith`](crate::bytecode::Op),
//! `Op::Neg`, `Op::Cmp`, `Op::In` and `Op::Coalesce`, and the ones the compiler's constant
//! folding calls, so that a condition folded when a campaign is checked has the value the
//! machine would give it. Anything else that evaluates expressions (the preview's explanation
//! of a recipient's scenes, for instance) should call them too.
//!
//! ```
//! use guide_runtime::bytecode::{ArithOp, CmpOp};
//! use guide_runtime::ops::{self, OpError, Operand};
//!
//! // Money times a decimal is rounded to the cent, half away from zero.
//! let v = ops::arith(ArithOp::MulMoney, Operand::Money(1_001), Operand::Decimal(0.5));
//! assert_eq!(v, Ok(Operand::Money(501)));
//! assert_eq!(
//!     ops::arith(ArithOp::AddInt, Operand::Int(i64::MAX), Operand::Int(1)),
//!     Err(OpError::IntegerOverflow)
//! );
//! // -0.0 and 0.0 are equal.
//! assert_eq!(ops::compare(CmpOp::Eq, Operand::Decimal(-0.0), Operand::Decimal(0.0)), Ok(true));
//! ```

use crate::bytecode::{ArithOp, CmpOp};
use crate::date::{Date, Period};
use std::cmp::Ordering;
use std::fmt;

/// A value an operator works on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand<'a> {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal.
    Decimal(f64),
    /// An amount, in cents.
    Money(i64),
    /// A date.
    Date(Date),
    /// A calendar period.
    Period(Period),
    /// A string.
    Str(&'a str),
    /// An enum value: its index among the enum's values.
    Enum(u16),
    /// A set of enum values: bit `i` for the value of index `i`.
    Set(u64),
}

/// Why an operator gives no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpError {
    /// An integer result out of the 64-bit range.
    IntegerOverflow,
    /// An amount out of range (more than about 92 million billion euros either way).
    AmountOverflow,
    /// A decimal result that is not a finite number.
    DecimalOverflow,
    /// A division by zero (decimal or amount).
    DivisionByZero,
    /// A date past 9999-12-31 or before 0001-01-01.
    DateOutOfRange,
    /// Operands the operator does not take (the checker lets none through).
    Mismatch,
}

impl OpError {
    /// What went wrong, in a few words (the `reason` of
    /// [`EvalError::Computation`](crate::EvalError)).
    pub fn reason(self) -> &'static str {
        match self {
            OpError::IntegerOverflow => "integer overflow",
            OpError::AmountOverflow => "amount overflow",
            OpError::DecimalOverflow => "decimal overflow",
            OpError::DivisionByZero => "division by zero",
            OpError::DateOutOfRange => "a date past 9999-12-31 or before 0001-01-01",
            OpError::Mismatch => "operands of unexpected types",
        }
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for OpError {}

/// The largest amount, in cents, that a multiplication or a division of an amount may give
/// (either sign): a little under `i64::MAX`, so that the rounded product converts exactly.
const MONEY_LIMIT: f64 = 9.2e18;

/// `l op r` for an arithmetic operator of the bytecode (the operand types are part of the
/// operator: an int operand of a decimal operator is converted by [`to_decimal`] first).
///
/// Integers and amounts add, subtract and multiply exactly, or fail with an overflow; decimals
/// fail when the result is not finite; an amount multiplied or divided by a decimal is rounded to
/// the cent, half away from zero; a date plus or minus a period is clamped to the end of the
/// month (see [`Date::add_period`]); periods add months with months and days with days; the
/// spans between two dates are whole years, months or days ([`Date::months_until`]).
pub fn arith<'a>(op: ArithOp, l: Operand<'a>, r: Operand<'a>) -> Result<Operand<'a>, OpError> {
    use ArithOp::*;
    use Operand as O;
    Ok(match (op, l, r) {
        (AddInt, O::Int(x), O::Int(y)) => O::Int(x.checked_add(y).ok_or(OpError::IntegerOverflow)?),
        (SubInt, O::Int(x), O::Int(y)) => O::Int(x.checked_sub(y).ok_or(OpError::IntegerOverflow)?),
        (MulInt, O::Int(x), O::Int(y)) => O::Int(x.checked_mul(y).ok_or(OpError::IntegerOverflow)?),
        (AddDec | SubDec | MulDec | DivDec, O::Decimal(x), O::Decimal(y)) => {
            O::Decimal(decimal(op, x, y)?)
        }
        (AddMoney, O::Money(x), O::Money(y)) => {
            O::Money(x.checked_add(y).ok_or(OpError::AmountOverflow)?)
        }
        (SubMoney, O::Money(x), O::Money(y)) => {
            O::Money(x.checked_sub(y).ok_or(OpError::AmountOverflow)?)
        }
        (MulMoney | DivMoney, O::Money(x), O::Decimal(y)) => O::Money(scale(op, x, y)?),
        (AddPeriod, O::Date(d), O::Period(p)) => {
            O::Date(d.add_period(p).ok_or(OpError::DateOutOfRange)?)
        }
        (SubPeriod, O::Date(d), O::Period(p)) => {
            O::Date(d.sub_period(p).ok_or(OpError::DateOutOfRange)?)
        }
        (AddPeriods, O::Period(a), O::Period(b)) => {
            O::Period(a.checked_add(b).ok_or(OpError::IntegerOverflow)?)
        }
        (SubPeriods, O::Period(a), O::Period(b)) => {
            O::Period(a.checked_sub(b).ok_or(OpError::IntegerOverflow)?)
        }
        (YearsBetween, O::Date(a), O::Date(b)) => O::Int(a.years_until(b)),
        (MonthsBetween, O::Date(a), O::Date(b)) => O::Int(a.months_until(b)),
        (DaysBetween, O::Date(a), O::Date(b)) => O::Int(a.days_until(b)),
        _ => return Err(OpError::Mismatch),
    })
}

/// Decimal `x op y` (`op` one of the decimal operators): a finite number or an error.
fn decimal(op: ArithOp, x: f64, y: f64) -> Result<f64, OpError> {
    let v = match op {
        ArithOp::AddDec => x + y,
        ArithOp::SubDec => x - y,
        ArithOp::MulDec => x * y,
        _ => {
            if y == 0.0 {
                return Err(OpError::DivisionByZero);
            }
            x / y
        }
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(OpError::DecimalOverflow)
    }
}

/// `cents * y` (or `cents / y` for [`ArithOp::DivMoney`]), rounded to the cent half away from
/// zero.
fn scale(op: ArithOp, cents: i64, y: f64) -> Result<i64, OpError> {
    let v = if op == ArithOp::DivMoney {
        if y == 0.0 {
            return Err(OpError::DivisionByZero);
        }
        cents as f64 / y
    } else {
        cents as f64 * y
    };
    let c = v.round();
    if !c.is_finite() || c >= MONEY_LIMIT || c <= -MONEY_LIMIT {
        return Err(OpError::AmountOverflow);
    }
    Ok(c as i64)
}

/// `-v`, for an integer, a decimal or an amount.
pub fn neg(v: Operand<'_>) -> Result<Operand<'_>, OpError> {
    Ok(match v {
        Operand::Int(x) => Operand::Int(x.checked_neg().ok_or(OpError::IntegerOverflow)?),
        Operand::Decimal(x) => Operand::Decimal(-x),
        Operand::Money(x) => Operand::Money(x.checked_neg().ok_or(OpError::AmountOverflow)?),
        _ => return Err(OpError::Mismatch),
    })
}

/// An int as a decimal (the conversion of an int operand of a decimal operator).
pub fn to_decimal(x: i64) -> f64 {
    x as f64
}

/// The order of two decimals: the numbers' (`-0.0` equals `0.0`), and for values that are not
/// numbers (which no evaluation produces) IEEE 754's total order, so that it is always one.
#[inline]
pub fn decimal_order(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| a.total_cmp(&b))
}

/// The order of two values of the same type: integers, amounts, dates and enum values (by
/// index) as numbers, decimals by [`decimal_order`], strings byte by byte, `false` before
/// `true`. `None` for values of different types, periods and sets.
#[inline]
pub fn order(l: Operand<'_>, r: Operand<'_>) -> Option<Ordering> {
    use Operand as O;
    Some(match (l, r) {
        (O::Int(a), O::Int(b)) | (O::Money(a), O::Money(b)) => a.cmp(&b),
        (O::Decimal(a), O::Decimal(b)) => decimal_order(a, b),
        (O::Date(a), O::Date(b)) => a.cmp(&b),
        (O::Bool(a), O::Bool(b)) => a.cmp(&b),
        (O::Str(a), O::Str(b)) => a.cmp(b),
        (O::Enum(a), O::Enum(b)) => a.cmp(&b),
        _ => return None,
    })
}

/// Whether `ord` satisfies the comparison `c`.
#[inline]
pub fn holds(c: CmpOp, ord: Ordering) -> bool {
    match c {
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
    }
}

/// `l c r` ([`order`], then [`holds`]); [`OpError::Mismatch`] for values without an order.
pub fn compare(c: CmpOp, l: Operand<'_>, r: Operand<'_>) -> Result<bool, OpError> {
    order(l, r)
        .map(|ord| holds(c, ord))
        .ok_or(OpError::Mismatch)
}

/// `value in set`: whether the set holds the enum value of this index (`not in` is its negation).
#[inline]
pub fn contains(value: u16, set: u64) -> bool {
    set.checked_shr(u32::from(value)).unwrap_or(0) & 1 == 1
}

/// `value ?? default`: the value when present (`Some`), else the default.
pub fn coalesce<'a>(value: Option<Operand<'a>>, default: Operand<'a>) -> Operand<'a> {
    value.unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_order_as_numbers_and_always_order() {
        assert_eq!(decimal_order(-0.0, 0.0), Ordering::Equal);
        assert_eq!(decimal_order(0.1, 0.2), Ordering::Less);
        assert_eq!(decimal_order(f64::INFINITY, f64::MAX), Ordering::Greater);
        assert_eq!(decimal_order(f64::NAN, f64::INFINITY), Ordering::Greater);
        assert_eq!(decimal_order(f64::NAN, f64::NAN), Ordering::Equal);
        assert_eq!(decimal_order(-f64::NAN, f64::NEG_INFINITY), Ordering::Less);
    }

    #[test]
    fn arithmetic_fails_rather_than_wraps_or_goes_infinite() {
        use Operand as O;
        let a = |op, l, r| arith(op, l, r);
        assert_eq!(
            a(ArithOp::MulInt, O::Int(i64::MIN), O::Int(-1)),
            Err(OpError::IntegerOverflow)
        );
        assert_eq!(
            a(ArithOp::SubMoney, O::Money(i64::MIN), O::Money(1)),
            Err(OpError::AmountOverflow)
        );
        assert_eq!(
            a(ArithOp::MulDec, O::Decimal(f64::MAX), O::Decimal(2.0)),
            Err(OpError::DecimalOverflow)
        );
        assert_eq!(
            a(ArithOp::AddDec, O::Decimal(f64::NAN), O::Decimal(0.0)),
            Err(OpError::DecimalOverflow)
        );
        assert_eq!(
            a(ArithOp::DivDec, O::Decimal(1.0), O::Decimal(-0.0)),
            Err(OpError::DivisionByZero)
        );
        assert_eq!(
            a(ArithOp::DivMoney, O::Money(1), O::Decimal(0.0)),
            Err(OpError::DivisionByZero)
        );
        assert_eq!(
            a(ArithOp::MulMoney, O::Money(i64::MAX), O::Decimal(1.0)),
            Err(OpError::AmountOverflow)
        );
        assert_eq!(
            a(ArithOp::MulMoney, O::Money(-5), O::Decimal(0.5)),
            Ok(O::Money(-3))
        );
        assert_eq!(
            a(ArithOp::AddInt, O::Int(1), O::Decimal(1.0)),
            Err(OpError::Mismatch)
        );
        assert_eq!(neg(O::Int(i64::MIN)), Err(OpError::IntegerOverflow));
        assert_eq!(neg(O::Str("x")), Err(OpError::Mismatch));
    }

    #[test]
    fn periods_clamp_to_the_end_of_the_month() {
        let d = |s| Operand::Date(Date::parse_iso(s).expect("a date"));
        let one_month = Operand::Period(Period::new(1, 0));
        assert_eq!(
            arith(ArithOp::AddPeriod, d("2024-01-31"), one_month),
            Ok(d("2024-02-29"))
        );
        assert_eq!(
            arith(ArithOp::SubPeriod, d("2024-03-31"), one_month),
            Ok(d("2024-02-29"))
        );
        assert_eq!(
            arith(
                ArithOp::AddPeriod,
                d("9999-12-31"),
                Operand::Period(Period::new(0, 1))
            ),
            Err(OpError::DateOutOfRange)
        );
    }

    #[test]
    fn membership_and_default() {
        assert!(contains(3, 0b1000));
        assert!(!contains(64, u64::MAX));
        assert_eq!(coalesce(None, Operand::Int(1)), Operand::Int(1));
        assert_eq!(
            coalesce(Some(Operand::Int(2)), Operand::Int(1)),
            Operand::Int(2)
        );
        assert_eq!(
            compare(CmpOp::Lt, Operand::Str("a"), Operand::Str("b")),
            Ok(true)
        );
        assert_eq!(
            compare(CmpOp::Eq, Operand::Int(1), Operand::Money(1)),
            Err(OpError::Mismatch)
        );
    }
}
