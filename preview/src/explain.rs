//! Why each scene plays: the conditions on the way to every scene of the storyboard, written out
//! from the IR, evaluated with one recipient's record, with the attribute values they read.
//!
//! The runtime's timeline says *which* scenes play; this module says *why*, for the preview's
//! panel. It walks [`ir::Campaign::story`] the way the VM runs it (an `if` takes its first true
//! arm, a `match` the arm covering the subject's value, a scene its own `when`) and evaluates
//! every condition on the way with a small interpreter over [`Value`]s. Conditions are printed
//! from the IR (attribute slots back to names, enum indices back to values), so an `include`'s
//! condition, written in another file than the scene, reads the same as any other.

use guide_compiler::diagnostic::Span;
use guide_compiler::ir::{self, ArithOp, CompareOp, Const, ExprKind, Node, Ty};
use guide_runtime::format;
use guide_runtime::schema::{Fields, Schema, Type};
use guide_runtime::{Date, Period, Record, Value};
use serde::Serialize;

/// One condition on the way to a scene, evaluated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    /// `when`, `if`, `else if`, `else`, `match`, `include`, `requires`.
    pub kind: &'static str,
    /// The condition as written out from the IR: `eta >= 55 and not contatti_aggiornati`, or for
    /// a match `modalita_pagamento in (bonifico)`.
    pub condition: String,
    /// Whether it holds for this recipient; `None` when it was not evaluated (an earlier
    /// condition on the way already failed) or could not be (arithmetic out of range).
    pub holds: Option<bool>,
    /// The attributes it reads, with this recipient's values: `("eta", "57")`.
    pub values: Vec<(String, String)>,
    /// `file:line` where the condition (or the branch) is written.
    pub at: String,
}

/// One scene of the storyboard, whether it plays and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SceneWhy {
    /// The scene id.
    pub id: String,
    /// Whether every condition on the way holds.
    pub plays: bool,
    /// `file:line` of the scene.
    pub at: String,
    /// The conditions, outermost first; empty for a scene that always plays.
    pub reasons: Vec<Reason>,
}

/// The explanation of a whole storyboard for one recipient.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    /// The campaign's `requires`, if it has one.
    pub requires: Option<Reason>,
    /// Every scene of the storyboard in order, the ending last.
    pub scenes: Vec<SceneWhy>,
}

/// Explains which scenes of `c` play for `record` (already checked against `c.schema`).
pub fn explain(c: &ir::Campaign, record: &Record) -> Explanation {
    let ex = Explainer { c, record };
    let requires = c.requires.as_ref().map(|r| {
        let mut reason = ex.reason("requires", r, true);
        reason.at = ex.at(0, &r.span);
        reason
    });
    let mut scenes = Vec::new();
    let mut path = Vec::new();
    ex.nodes(&c.story, &mut path, true, &mut scenes);
    ex.scene(&c.ending, &mut path, true, &mut scenes);
    Explanation { requires, scenes }
}

struct Explainer<'a> {
    c: &'a ir::Campaign,
    record: &'a Record,
}

impl Explainer<'_> {
    fn at(&self, file: usize, span: &Span) -> String {
        match self.c.files.get(file) {
            Some(f) => format!("{}:{}", f.path, f.line_col(span.start).0),
            None => String::new(),
        }
    }

    fn reason(&self, kind: &'static str, e: &ir::Expr, active: bool) -> Reason {
        let holds = if active {
            match eval(e, self.record, &mut Vec::new()) {
                Some(V::Bool(b)) => Some(b),
                _ => None,
            }
        } else {
            None
        };
        Reason {
            kind,
            condition: print(e, &self.c.schema),
            holds,
            values: self.values(e),
            at: String::new(),
        }
    }

    /// The attributes `e` reads, with their values, in order of first appearance.
    fn values(&self, e: &ir::Expr) -> Vec<(String, String)> {
        let mut paths = Vec::new();
        attrs(e, &mut paths);
        paths
            .into_iter()
            .map(|p| {
                let (name, ty) = attr_name(&self.c.schema.attributes, &p);
                let value = read_attr(self.record, &p)
                    .map(|v| show_value(&v, ty.as_ref()))
                    .unwrap_or_else(|| "?".into());
                (name, value)
            })
            .collect()
    }

    fn nodes(&self, nodes: &[Node], path: &mut Vec<Reason>, active: bool, out: &mut Vec<SceneWhy>) {
        for n in nodes {
            match n {
                Node::Scene(s) => self.scene(s, path, active, out),
                Node::If {
                    arms,
                    otherwise,
                    span,
                    file,
                } => {
                    let mut taken = false;
                    let mut before = Vec::new();
                    for (i, (cond, body)) in arms.iter().enumerate() {
                        let arm_active = active && !taken;
                        let mut r =
                            self.reason(if i == 0 { "if" } else { "else if" }, cond, arm_active);
                        r.at = self.at(*file, &cond.span);
                        let depth = path.len();
                        path.extend(before.iter().cloned());
                        path.push(r.clone());
                        let holds = r.holds == Some(true);
                        self.nodes(body, path, arm_active && holds, out);
                        path.truncate(depth);
                        taken |= holds;
                        // Later arms play only when this one is false: say so on their way.
                        let mut negated = r;
                        negated.kind = "else";
                        negated.holds = negated.holds.map(|h| !h);
                        negated.condition = format!("not ({})", negated.condition);
                        before.push(negated);
                    }
                    if !otherwise.is_empty() {
                        let depth = path.len();
                        path.extend(before.iter().cloned());
                        if before.is_empty() {
                            path.push(Reason {
                                kind: "else",
                                condition: String::new(),
                                holds: Some(!taken),
                                values: Vec::new(),
                                at: self.at(*file, span),
                            });
                        }
                        self.nodes(otherwise, path, active && !taken, out);
                        path.truncate(depth);
                    }
                }
                Node::Match {
                    subject,
                    arms,
                    otherwise,
                    file,
                    ..
                } => {
                    let names = match &subject.ty {
                        Ty::Enum(v) => v.clone(),
                        _ => Vec::new(),
                    };
                    let value = if active {
                        match eval(subject, self.record, &mut Vec::new()) {
                            Some(V::Enum(i)) => Some(i),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    let subject_text = print(subject, &self.c.schema);
                    let values = self.values(subject);
                    let at = self.at(*file, &subject.span);
                    let mut covered = Vec::new();
                    for (idx, body) in arms {
                        covered.extend(idx.iter().copied());
                        let listed: Vec<&str> = idx
                            .iter()
                            .filter_map(|&i| names.get(usize::from(i)).map(String::as_str))
                            .collect();
                        path.push(Reason {
                            kind: "match",
                            condition: format!("{subject_text} in ({})", listed.join(", ")),
                            holds: value.map(|v| idx.contains(&v)),
                            values: values.clone(),
                            at: at.clone(),
                        });
                        let holds = value.is_some_and(|v| idx.contains(&v));
                        self.nodes(body, path, active && holds, out);
                        path.pop();
                    }
                    if !otherwise.is_empty() {
                        let rest: Vec<&str> = names
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| !covered.iter().any(|&c| usize::from(c) == *i))
                            .map(|(_, n)| n.as_str())
                            .collect();
                        let holds = value.map(|v| !covered.contains(&v));
                        path.push(Reason {
                            kind: "match",
                            condition: format!("{subject_text} in ({})", rest.join(", ")),
                            holds,
                            values: values.clone(),
                            at: at.clone(),
                        });
                        self.nodes(otherwise, path, active && holds == Some(true), out);
                        path.pop();
                    }
                }
            }
        }
    }

    fn scene(&self, s: &ir::Scene, path: &mut [Reason], active: bool, out: &mut Vec<SceneWhy>) {
        let mut reasons = path.to_vec();
        let mut plays = active;
        // An included scene's `when` is `And(include's, own)`: explain each where it is written.
        let (include, own) = match (&s.include, &s.when) {
            (Some(site), Some(w)) => match &site.when {
                Some(iw) => {
                    let own = match &w.kind {
                        ExprKind::And(a, b) if a.span == iw.span && w.span != iw.span => {
                            Some(b.as_ref())
                        }
                        _ => None,
                    };
                    (Some((iw, site)), own)
                }
                None => (None, Some(w)),
            },
            (_, w) => (None, w.as_ref()),
        };
        if let Some((iw, site)) = include {
            let mut r = self.reason("include", iw, active);
            r.at = self.at(site.file, &site.span);
            plays &= r.holds == Some(true);
            reasons.push(r);
        }
        if let Some(w) = own {
            let mut r = self.reason("when", w, active && plays);
            r.at = self.at(s.file, &s.span);
            plays &= r.holds == Some(true);
            reasons.push(r);
        }
        out.push(SceneWhy {
            id: s.id.clone(),
            plays,
            at: self.at(s.file, &s.span),
            reasons,
        });
    }
}

/// Every scene of the storyboard in order, in every branch, the ending last.
pub fn all_scenes(c: &ir::Campaign) -> Vec<&ir::Scene> {
    fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a ir::Scene>) {
        for n in nodes {
            match n {
                Node::Scene(s) => out.push(s),
                Node::If {
                    arms, otherwise, ..
                } => {
                    for (_, body) in arms {
                        walk(body, out);
                    }
                    walk(otherwise, out);
                }
                Node::Match {
                    arms, otherwise, ..
                } => {
                    for (_, body) in arms {
                        walk(body, out);
                    }
                    walk(otherwise, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&c.story, &mut out);
    out.push(&c.ending);
    out
}

// ------------------------------------------------------------------------------ evaluation

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

/// Evaluates a typed expression; `None` when it cannot be (overflow, a date out of range, a
/// shape the checker would not have let through).
pub fn eval(e: &ir::Expr, record: &Record, locals: &mut Vec<Vec<Value>>) -> Option<V> {
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
        _ => return None,
    })
}

// ------------------------------------------------------------------------------ printing

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

fn attrs(e: &ir::Expr, out: &mut Vec<Vec<usize>>) {
    match &e.kind {
        ExprKind::Attr(p) => {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        ExprKind::Const(_) | ExprKind::Local(..) => {}
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
            ExprKind::Arith(op, a, b) => {
                let s = match op {
                    ArithOp::AddInt | ArithOp::AddDec | ArithOp::AddMoney | ArithOp::AddPeriod => {
                        "+"
                    }
                    ArithOp::SubInt | ArithOp::SubDec | ArithOp::SubMoney | ArithOp::SubPeriod => {
                        "-"
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use guide_compiler::project::load_source;
    use std::path::Path;

    const SCHEMA: &str = r#"(
        gender: (attribute: "sesso", masculine: "M", feminine: "F"),
        attributes: {
            "sesso": (type: Enum(["M", "F"])),
            "eta": (type: Int),
            "modo": (type: Enum(["bonifico", "posta", "altro"])),
            "reddito": (type: Optional(Money)),
            "aggiornati": (type: Bool),
            "figli": (type: List({ "nome": (type: String), "eta": (type: Int) })),
        },
    )"#;

    const GUIDE: &str = r#"campaign t {
    title "T"
    schema "schema.ron"
}
import "lib.guide"
scene intro { text "Ciao" }
if eta >= 55 and not aggiornati {
    scene anziano { text "A" }
} else if reddito is present {
    scene reddito { text "R" }
} else {
    scene altro { text "B" }
}
match modo {
    case bonifico { scene b { text "b" } }
    case posta { scene p { text "p" } }
    else { scene o { text "o" } }
}
scene ricco when (reddito ?? € 0) > € 1000 { text "x" }
scene adulti when any f in figli: f.eta >= 18 { text "y" }
include condivisa when not aggiornati
ending { text "Fine" }
"#;

    fn campaign() -> ir::Campaign {
        let project = load_source(Path::new("t/t.guide"), GUIDE.into(), &mut |p| {
            if p.ends_with("schema.ron") {
                Ok(SCHEMA.into())
            } else if p.ends_with("lib.guide") {
                Ok("scene condivisa when eta > 40 { text \"L\" }\n".into())
            } else {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        });
        let checked = guide_compiler::check::check(&project);
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.render(false))
            .collect();
        checked
            .campaign
            .unwrap_or_else(|| panic!("{}", errors.join("\n")))
    }

    fn record(c: &ir::Campaign, json: serde_json::Value) -> Record {
        Record::from_json(&c.schema, &json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn plays(x: &Explanation) -> Vec<&str> {
        x.scenes
            .iter()
            .filter(|s| s.plays)
            .map(|s| s.id.as_str())
            .collect()
    }

    #[test]
    fn walks_branches_like_the_vm() {
        let c = campaign();
        let r = record(
            &c,
            serde_json::json!({"sesso": "M", "eta": 60, "modo": "altro", "reddito": 2000, "aggiornati": false,
                "figli": [{"nome": "A", "eta": 3}, {"nome": "B", "eta": 19}]}),
        );
        let x = explain(&c, &r);
        assert_eq!(
            plays(&x),
            [
                "intro",
                "anziano",
                "o",
                "ricco",
                "adulti",
                "condivisa",
                "ending"
            ]
        );
        let shared = x
            .scenes
            .iter()
            .find(|s| s.id == "condivisa")
            .expect("condivisa");
        let kinds: Vec<(&str, &str, Option<bool>)> = shared
            .reasons
            .iter()
            .map(|r| (r.kind, r.condition.as_str(), r.holds))
            .collect();
        assert_eq!(
            kinds,
            [
                ("include", "not aggiornati", Some(true)),
                ("when", "eta > 40", Some(true))
            ]
        );
        assert!(shared.reasons[0].at.starts_with("t/t.guide:"));
        assert!(shared.reasons[1].at.starts_with("t/lib.guide:1"));
        let adulti = x.scenes.iter().find(|s| s.id == "adulti").expect("adulti");
        assert_eq!(
            adulti.reasons[0].condition,
            "any elemento in figli: elemento.eta >= 18"
        );
        assert_eq!(
            adulti.reasons[0].values,
            [("figli".to_string(), "[2 elementi]".to_string())]
        );
        let anziano = &x.scenes[1];
        assert_eq!(anziano.reasons.len(), 1);
        assert_eq!(anziano.reasons[0].condition, "eta >= 55 and not aggiornati");
        assert_eq!(anziano.reasons[0].holds, Some(true));
        assert_eq!(
            anziano.reasons[0].values,
            [
                ("eta".to_string(), "60".to_string()),
                ("aggiornati".to_string(), "false".to_string())
            ]
        );
        assert!(anziano.reasons[0].at.starts_with("t/t.guide:7"));
        // The second arm was not even evaluated: the first one was taken.
        let reddito = &x.scenes[2];
        assert!(!reddito.plays);
        assert_eq!(reddito.reasons.last().map(|r| r.holds), Some(None));
        let o = x.scenes.iter().find(|s| s.id == "o").expect("o");
        assert_eq!(o.reasons[0].condition, "modo in (altro)");
        assert_eq!(o.reasons[0].values[0].1, "altro");
        let ricco = x.scenes.iter().find(|s| s.id == "ricco").expect("ricco");
        assert_eq!(ricco.reasons[0].condition, "reddito ?? € 0.00 > € 1000.00");
        assert_eq!(ricco.reasons[0].values[0].1, "€ 2.000,00");
    }

    #[test]
    fn else_branch_and_absent_values() {
        let c = campaign();
        let r = record(
            &c,
            serde_json::json!({"sesso": "F", "eta": 30, "modo": "bonifico", "aggiornati": true, "figli": []}),
        );
        let x = explain(&c, &r);
        assert_eq!(plays(&x), ["intro", "altro", "b", "ending"]);
        let altro = x.scenes.iter().find(|s| s.id == "altro").expect("altro");
        assert_eq!(altro.reasons.len(), 2);
        assert_eq!(altro.reasons[1].condition, "not (reddito is present)");
        assert_eq!(altro.reasons[1].values[0].1, "assente");
        assert_eq!(altro.reasons[1].holds, Some(true));
    }
}
