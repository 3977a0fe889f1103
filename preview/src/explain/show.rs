//! How the explanation panel writes things: an expression back as `.guide` source (from the IR:
//! attribute slots back to names, enum indices back to values), and a recipient's attribute
//! values the Italian way. Reading a value out of the record is not evaluating anything: the
//! decisions themselves come from the VM (see the parent module).

use guide_compiler::ir::{self, ArithOp, CompareOp, Const, ExprKind, Ty};
use guide_runtime::format;
use guide_runtime::schema::{Fields, Schema, Type};
use guide_runtime::{Date, Period, Record, Value};

/// A value during evaluation: a record's values plus the types only expressions produce.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// An absent optional value.
    Absent,
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Decimal.
    Dec(f64),
    /// Cents.
    Money(i64),
    /// A date.
    Date(Date),
    /// A calendar period.
    Period(Period),
    /// Milliseconds.
    Duration(u64),
    /// Text.
    Str(String),
    /// An enum value's index.
    Enum(u16),
    /// A set of enum values (bit i: value i).
    Set(u64),
    /// A nested record's fields.
    Record(Vec<Value>),
    /// A list of records.
    List(Vec<Vec<Value>>),
}

impl From<&Value> for V {
    fn from(v: &Value) -> V {
        match v {
            Value::Absent => V::Absent,
            Value::Bool(b) => V::Bool(*b),
            Value::Int(i) => V::Int(*i),
            Value::Decimal(d) => V::Dec(*d),
            Value::Money(m) => V::Money(*m),
            Value::Date(d) => V::Date(*d),
            Value::Str(s) => V::Str(s.to_string()),
            Value::Enum(i) => V::Enum(*i),
            Value::Set(s) => V::Set(*s),
            Value::Record(r) => V::Record(r.clone()),
            Value::List(l) => V::List(l.clone()),
        }
    }
}

/// Reads an attribute of the record through nested records.
pub fn read_attr(record: &Record, path: &[usize]) -> Option<V> {
    let (&first, rest) = path.split_first()?;
    let mut v = record.get(first);
    for &i in rest {
        match v {
            Value::Record(fields) => v = fields.get(i)?,
            _ => return None,
        }
    }
    Some(V::from(v))
}

/// The name of the attribute at `path` (`indirizzo.comune`) and its declared type.
pub fn attr_name(fields: &Fields, path: &[usize]) -> (String, Option<Type>) {
    let mut names = Vec::new();
    let mut fields = fields;
    let mut ty = None;
    for &i in path {
        let Some((name, attr)) = fields.0.get(i) else {
            names.push("?".to_string());
            break;
        };
        names.push(name.clone());
        ty = Some(attr.ty.clone());
        let mut inner = &attr.ty;
        while let Type::Optional(t) = inner {
            inner = t;
        }
        if let Type::Record(f) = inner {
            fields = f;
        }
    }
    (names.join("."), ty)
}

/// The attribute paths `e` reads, in order of first appearance, without repeats.
pub fn attrs(e: &ir::Expr, out: &mut Vec<Vec<usize>>) {
    match &e.kind {
        ExprKind::Attr(p) => {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        ExprKind::Const(_) | ExprKind::Local(..) | ExprKind::Today => {}
        ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::Present(a, _)
        | ExprKind::Unwrap(a)
        | ExprKind::Count(a)
        | ExprKind::ToDecimal(a) => attrs(a, out),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Default(a, b)
        | ExprKind::Any(a, b) => {
            attrs(a, out);
            attrs(b, out);
        }
    }
}

fn unoptional(t: &Type) -> &Type {
    match t {
        Type::Optional(t) => unoptional(t),
        t => t,
    }
}

/// A value as the preview shows it next to a condition: money and dates the Italian way,
/// enum values by name, absent values as `assente`.
pub fn show_value(v: &V, ty: Option<&Type>) -> String {
    let ty = ty.map(unoptional);
    let mut out = String::new();
    match v {
        V::Absent => out.push_str("assente"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) => out.push_str(&i.to_string()),
        V::Dec(d) => {
            if !format::decimal(&mut out, *d) {
                out = d.to_string();
            }
        }
        V::Money(m) => format::money(&mut out, *m),
        V::Date(d) => out.push_str(&d.to_string()),
        V::Period(p) => out.push_str(&format!("{} mesi e {} giorni", p.months(), p.days())),
        V::Duration(ms) => out.push_str(&format!("{ms} ms")),
        V::Str(s) => out.push_str(&format!("\"{s}\"")),
        V::Enum(i) => match ty {
            Some(Type::Enum(names)) => {
                out.push_str(names.get(usize::from(*i)).map_or("?", String::as_str))
            }
            _ => out.push_str(&i.to_string()),
        },
        V::Set(bits) => {
            let names: Vec<&str> = match ty {
                Some(Type::Set(names)) => names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && bits & (1u64 << i) != 0)
                    .map(|(_, n)| n.as_str())
                    .collect(),
                _ => Vec::new(),
            };
            out.push('{');
            out.push_str(&names.join(", "));
            out.push('}');
        }
        V::Record(_) => out.push_str("{…}"),
        V::List(l) => out.push_str(&format!("[{} elementi]", l.len())),
    }
    out
}

/// Binding strength, as in the grammar's Pratt parser (`syntax/parser.rs`): `or` < `and` <
/// `not` < comparisons and `in` < `+ -` < `* /` < `??` < unary `-` < `is present`.
fn prec(e: &ir::Expr) -> u8 {
    match &e.kind {
        ExprKind::Any(..) => 0,
        ExprKind::Or(..) => 1,
        ExprKind::And(..) => 2,
        ExprKind::Not(..) => 3,
        ExprKind::Compare(..) | ExprKind::In(..) => 4,
        ExprKind::Arith(op, ..) => match op {
            ArithOp::YearsBetween | ArithOp::MonthsBetween | ArithOp::DaysBetween => 10,
            ArithOp::MulInt
            | ArithOp::MulDec
            | ArithOp::DivDec
            | ArithOp::MulMoney
            | ArithOp::DivMoney => 6,
            _ => 5,
        },
        ExprKind::Default(..) => 7,
        ExprKind::Neg(..) => 8,
        ExprKind::Present(..) => 9,
        ExprKind::Unwrap(a) | ExprKind::ToDecimal(a) => prec(a),
        _ => 10,
    }
}

/// The name given to the element of an `any` (the source's own name is not kept in the IR).
fn element_name(depth: usize) -> String {
    if depth == 0 {
        "elemento".into()
    } else {
        format!("elemento{}", depth + 1)
    }
}

/// Writes a typed expression back as `.guide` source: `eta >= 55 and not contatti_aggiornati`.
pub fn print(e: &ir::Expr, schema: &Schema) -> String {
    let mut out = String::new();
    Printer {
        schema,
        locals: Vec::new(),
    }
    .expr(e, &mut out);
    out
}

struct Printer<'a> {
    schema: &'a Schema,
    /// The fields of the elements of the `any` lists being printed, innermost last.
    locals: Vec<Fields>,
}

impl Printer<'_> {
    fn child(&mut self, e: &ir::Expr, min: u8, out: &mut String) {
        if prec(e) < min {
            out.push('(');
            self.expr(e, out);
            out.push(')');
        } else {
            self.expr(e, out);
        }
    }

    fn binary(&mut self, e: &ir::Expr, a: &ir::Expr, op: &str, b: &ir::Expr, out: &mut String) {
        let p = prec(e);
        self.child(a, p, out);
        out.push(' ');
        out.push_str(op);
        out.push(' ');
        self.child(b, p + 1, out);
    }

    fn expr(&mut self, e: &ir::Expr, out: &mut String) {
        match &e.kind {
            ExprKind::Const(c) => out.push_str(&match c {
                Const::Bool(b) => b.to_string(),
                Const::Int(i) => i.to_string(),
                Const::Decimal(d) => d.to_string(),
                Const::Money(m) => {
                    let sign = if *m < 0 { "-" } else { "" };
                    let a = m.unsigned_abs();
                    format!("€ {sign}{}.{:02}", a / 100, a % 100)
                }
                Const::Date(d) => d.to_string(),
                Const::Period(m, d) => match (m, d) {
                    (m, 0) => format!("{m} {}", if *m == 1 { "month" } else { "months" }),
                    (0, d) => format!("{d} {}", if *d == 1 { "day" } else { "days" }),
                    (m, d) => format!("{m} months {d} days"),
                },
                Const::Duration(ms) => format!("{ms}ms"),
                Const::Str(s) => format!("{s:?}"),
                Const::Enum(i) => match &e.ty {
                    Ty::Enum(names) => names
                        .get(usize::from(*i))
                        .cloned()
                        .unwrap_or_else(|| i.to_string()),
                    _ => i.to_string(),
                },
            }),
            ExprKind::Attr(path) => out.push_str(&attr_name(&self.schema.attributes, path).0),
            ExprKind::Local(depth, path) => {
                out.push_str(&element_name(*depth));
                match self.locals.get(*depth) {
                    Some(fields) if !path.is_empty() => {
                        out.push('.');
                        out.push_str(&attr_name(fields, path).0);
                    }
                    _ => {
                        for i in path {
                            out.push_str(&format!(".{i}"));
                        }
                    }
                }
            }
            ExprKind::Not(a) => {
                out.push_str("not ");
                self.child(a, 3, out);
            }
            ExprKind::Neg(a) => {
                out.push('-');
                self.child(a, 8, out);
            }
            ExprKind::And(a, b) => self.binary(e, a, "and", b, out),
            ExprKind::Or(a, b) => self.binary(e, a, "or", b, out),
            ExprKind::Compare(op, a, b) => {
                let s = match op {
                    CompareOp::Eq => "==",
                    CompareOp::Ne => "!=",
                    CompareOp::Lt => "<",
                    CompareOp::Le => "<=",
                    CompareOp::Gt => ">",
                    CompareOp::Ge => ">=",
                };
                self.binary(e, a, s, b, out);
            }
            ExprKind::In(a, b, negated) => {
                self.binary(e, a, if *negated { "not in" } else { "in" }, b, out)
            }
            ExprKind::Today => out.push_str("today"),
            ExprKind::Arith(
                op @ (ArithOp::YearsBetween | ArithOp::MonthsBetween | ArithOp::DaysBetween),
                a,
                b,
            ) => {
                out.push_str(match op {
                    ArithOp::YearsBetween => "years_between(",
                    ArithOp::MonthsBetween => "months_between(",
                    _ => "days_between(",
                });
                self.expr(a, out);
                out.push_str(", ");
                self.expr(b, out);
                out.push(')');
            }
            ExprKind::Arith(op, a, b) => {
                let s = match op {
                    ArithOp::AddInt
                    | ArithOp::AddDec
                    | ArithOp::AddMoney
                    | ArithOp::AddPeriod
                    | ArithOp::AddPeriods => "+",
                    ArithOp::SubInt
                    | ArithOp::SubDec
                    | ArithOp::SubMoney
                    | ArithOp::SubPeriod
                    | ArithOp::SubPeriods => "-",
                    // Written as calls, above.
                    ArithOp::YearsBetween | ArithOp::MonthsBetween | ArithOp::DaysBetween => ",",
                    ArithOp::MulInt | ArithOp::MulDec | ArithOp::MulMoney => "*",
                    ArithOp::DivDec | ArithOp::DivMoney => "/",
                };
                self.binary(e, a, s, b, out);
            }
            ExprKind::Present(a, is_present) => {
                self.child(a, 10, out);
                out.push_str(if *is_present {
                    " is present"
                } else {
                    " is absent"
                });
            }
            ExprKind::Default(a, b) => self.binary(e, a, "??", b, out),
            ExprKind::Unwrap(a) | ExprKind::ToDecimal(a) => self.expr(a, out),
            ExprKind::Count(a) => {
                out.push_str("count(");
                self.expr(a, out);
                out.push(')');
            }
            ExprKind::Any(list, cond) => {
                out.push_str(&format!("any {} in ", element_name(self.locals.len())));
                self.expr(list, out);
                out.push_str(": ");
                let fields = match &list.ty {
                    Ty::List(f) => f.clone(),
                    Ty::Optional(t) => match t.as_ref() {
                        Ty::List(f) => f.clone(),
                        _ => Fields::default(),
                    },
                    _ => Fields::default(),
                };
                self.locals.push(fields);
                self.expr(cond, out);
                self.locals.pop();
            }
        }
    }
}
