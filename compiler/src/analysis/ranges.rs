//! Representative values kept inside the ranges a schema declares (`min`, `max`,
//! `max_length`): a witness record must be one a reader accepts, and a condition can only tell
//! recipients apart within the range. The value domains are drawn elsewhere (`domains`); these
//! functions only bring each drawn value into its attribute's range.

use guide_runtime::schema::{Bound, Fields, Range, Type};
use serde_json::{json, Value};

/// The range of the attribute at `path` (top-level slots, through nested records); unbounded
/// for a path that names none.
pub fn range_at(fields: &Fields, path: &[usize]) -> Range {
    let Some((first, rest)) = path.split_first() else {
        return Range::default();
    };
    let Some((_, attr)) = fields.0.get(*first) else {
        return Range::default();
    };
    if rest.is_empty() {
        return attr.range;
    }
    let mut ty = &attr.ty;
    while let Type::Optional(inner) = ty {
        ty = inner;
    }
    match ty {
        Type::Record(inner) => range_at(inner, rest),
        _ => Range::default(),
    }
}

/// `values` with each brought into `range` (see [`fit`]), repetitions removed, order kept.
pub fn fit_all(range: &Range, values: Vec<Value>) -> Vec<Value> {
    if range.is_unbounded() {
        return values;
    }
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        let v = fit(range, v);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// A value (as JSON, as a record carries it) brought into `range`: a number past a bound
/// becomes the bound (the nearest value a record can have, which still separates the outcomes
/// of a comparison with a constant beyond it), a string longer than `max_length` is cut to it.
/// Other values (null for absent, arrays, objects, dates) are returned as they are.
pub fn fit(range: &Range, v: Value) -> Value {
    match v {
        Value::Number(n) => {
            let (Some(x), min, max) = (n.as_f64(), range.min, range.max) else {
                return Value::Number(n);
            };
            let below = min.filter(|b| x < as_f64(*b));
            let above = max.filter(|b| x > as_f64(*b));
            match below.or(above) {
                Some(b) => to_json(b),
                None => Value::Number(n),
            }
        }
        Value::String(s) => match range.max_length {
            Some(max) if s.chars().count() > max as usize => {
                Value::String(s.chars().take(max as usize).collect())
            }
            _ => Value::String(s),
        },
        other => other,
    }
}

/// A bound in the unit a record writes it (euros for money).
fn as_f64(b: Bound) -> f64 {
    match b {
        Bound::Int(i) => i as f64,
        Bound::Cents(c) => c as f64 / 100.0,
        Bound::Decimal(d) => d,
    }
}

/// A bound as a record carries it.
fn to_json(b: Bound) -> Value {
    match b {
        Bound::Int(i) => json!(i),
        Bound::Cents(c) => json!(c as f64 / 100.0),
        Bound::Decimal(d) => json!(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: Option<Bound>, max: Option<Bound>, max_length: Option<u32>) -> Range {
        Range {
            min,
            max,
            max_length,
        }
    }

    #[test]
    fn values_are_brought_into_the_range() {
        let r = range(Some(Bound::Int(18)), Some(Bound::Int(120)), None);
        assert_eq!(
            fit_all(
                &r,
                vec![json!(1), json!(17), json!(18), json!(55), json!(121)]
            ),
            [json!(18), json!(55), json!(120)]
        );
        let r = range(Some(Bound::Cents(0)), None, None);
        assert_eq!(
            fit_all(&r, vec![Value::Null, json!(-0.01), json!(0.0), json!(0.01)]),
            [Value::Null, json!(0.0), json!(0.01)]
        );
        let r = range(None, Some(Bound::Decimal(0.5)), None);
        assert_eq!(fit(&r, json!(0.75)), json!(0.5));
        let r = range(None, None, Some(3));
        assert_eq!(fit(&r, json!("Maria")), json!("Mar"));
        assert_eq!(fit(&r, json!("Léa")), json!("Léa"));
        // Unbounded: untouched.
        assert_eq!(
            fit_all(&Range::default(), vec![json!(1), json!(1)]),
            [json!(1), json!(1)]
        );
    }
}
