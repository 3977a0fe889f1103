//! Representative values: for every attribute a condition reads, the few values that separate
//! every outcome the storyboard can tell apart.
//!
//! A condition only distinguishes an integer attribute around the constants it is compared with
//! (`eta >= 55` splits ages into `< 55` and `>= 55`), an enum by its values, a set by which of the
//! tested values it contains, an optional by presence. So the product of these small domains
//! reaches every combination of branch outcomes a recipient can produce, without sampling.

use crate::ir::{self, Const, ExprKind, Format, Node, Part, Ty};
use guide_runtime::schema::{Fields, Schema, Type};
use guide_runtime::{Date, Period};
use serde_json::{json, Value};

/// Where a value lives in a record: top-level attribute slots, through nested records.
pub type Path = Vec<usize>;

/// The representative values of one attribute (as JSON, as a record would carry them).
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// The attribute.
    pub path: Path,
    /// Its dotted name.
    pub name: String,
    /// The values; `Value::Null` stands for "absent".
    pub values: Vec<Value>,
}

#[derive(Debug, Default)]
struct Facts {
    ints: Vec<i64>,
    cents: Vec<i64>,
    decimals: Vec<f64>,
    dates: Vec<Date>,
    strings: Vec<String>,
    set_values: Vec<String>,
    presence: bool,
    counts: Vec<i64>,
    /// Fields of list elements read by `any`/`for`, with their own facts.
    element: Vec<(Path, Facts)>,
}

/// Collects the domains of every attribute the campaign's decisions depend on, in schema order.
pub fn domains(c: &ir::Campaign) -> Vec<Domain> {
    let mut facts: Vec<(Path, Facts)> = Vec::new();
    let mut w = Walker { facts: &mut facts };
    if let Some(r) = &c.requires {
        w.expr(r, None);
    }
    if let ir::Availability::For { from, .. } = &c.availability {
        w.expr(from, None);
    }
    w.nodes(&c.story);
    w.scene(&c.ending);
    if let Some(g) = &c.schema.gender {
        if let Some((i, _)) = c.schema.attributes.get(&g.attribute) {
            entry(&mut facts, &[i]);
        }
    }
    let mut out: Vec<Domain> = facts
        .iter()
        .filter_map(|(path, f)| {
            let (name, ty) = lookup(&c.schema.attributes, path)?;
            Some(Domain {
                path: path.clone(),
                name,
                values: values_for(ty, f),
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn entry<'a>(facts: &'a mut Vec<(Path, Facts)>, path: &[usize]) -> &'a mut Facts {
    let i = match facts.iter().position(|(p, _)| p == path) {
        Some(i) => i,
        None => {
            facts.push((path.to_vec(), Facts::default()));
            facts.len() - 1
        }
    };
    &mut facts[i].1
}

/// The dotted name and type of a path.
pub fn lookup<'s>(fields: &'s Fields, path: &[usize]) -> Option<(String, &'s Type)> {
    let (first, rest) = path.split_first()?;
    let (name, attr) = fields.0.get(*first)?;
    if rest.is_empty() {
        return Some((name.clone(), &attr.ty));
    }
    let inner = match &attr.ty {
        Type::Record(f) => f,
        Type::Optional(t) => match &**t {
            Type::Record(f) => f,
            _ => return None,
        },
        _ => return None,
    };
    let (n, t) = lookup(inner, rest)?;
    Some((format!("{name}.{n}"), t))
}

struct Walker<'f> {
    facts: &'f mut Vec<(Path, Facts)>,
}

impl Walker<'_> {
    fn nodes(&mut self, nodes: &[Node]) {
        for n in nodes {
            match n {
                Node::Scene(s) => self.scene(s),
                Node::If {
                    arms, otherwise, ..
                } => {
                    for (c, body) in arms {
                        self.expr(c, None);
                        self.nodes(body);
                    }
                    self.nodes(otherwise);
                }
                Node::Match {
                    subject,
                    arms,
                    otherwise,
                    ..
                } => {
                    self.expr(subject, None);
                    for (_, body) in arms {
                        self.nodes(body);
                    }
                    self.nodes(otherwise);
                }
            }
        }
    }

    fn scene(&mut self, s: &ir::Scene) {
        if let Some(w) = &s.when {
            self.expr(w, None);
        }
        for l in s.texts.iter().chain(&s.says) {
            if let Some(w) = &l.when {
                self.expr(w, None);
            }
            if let Some(f) = &l.for_each {
                self.expr(f, None);
            }
            self.template(&l.template);
        }
        for p in &s.popups {
            if let Some(w) = &p.when {
                self.expr(w, None);
            }
            self.template(&p.button);
            self.template(&p.title);
            self.template(&p.body);
        }
        for b in &s.buttons {
            if let Some(w) = &b.when {
                self.expr(w, None);
            }
        }
        if let Some(r) = &s.rating {
            self.template(&r.question);
        }
    }

    fn template(&mut self, t: &ir::Template) {
        for p in &t.parts {
            // A value written into text decides nothing (the witness keeps its base value), but
            // number agreement separates 1 from the rest.
            if let Part::Value(e, fmt) = p {
                if matches!(fmt, Format::Count(..) | Format::Plural(..)) {
                    if let ExprKind::Attr(path) = &e.kind {
                        entry(self.facts, path).ints.extend([1, 2]);
                    }
                }
            }
        }
    }

    /// Records what `e` tells about the attributes it reads. `other` is the constant the
    /// expression is compared with, when there is one.
    fn expr(&mut self, e: &ir::Expr, other: Option<&Const>) {
        match &e.kind {
            ExprKind::Attr(path) => {
                let f = entry(self.facts, path);
                if let Some(c) = other {
                    add_const(f, c);
                }
            }
            ExprKind::Unwrap(inner) => {
                if let ExprKind::Attr(path) = &inner.kind {
                    let f = entry(self.facts, path);
                    f.presence = true;
                    if let Some(c) = other {
                        add_const(f, c);
                    }
                } else {
                    self.expr(inner, other);
                }
            }
            ExprKind::Present(inner, _) => {
                if let ExprKind::Attr(path) = &inner.kind {
                    entry(self.facts, path).presence = true;
                } else {
                    self.expr(inner, None);
                }
            }
            ExprKind::Default(a, b) => {
                if let ExprKind::Attr(path) = &a.kind {
                    let f = entry(self.facts, path);
                    f.presence = true;
                    if let Some(c) = other {
                        add_const(f, c);
                    }
                }
                self.expr(b, None);
            }
            ExprKind::Compare(_, a, b) => {
                let ca = const_of(a);
                let cb = const_of(b);
                self.expr(a, cb.as_ref());
                self.expr(b, ca.as_ref());
            }
            ExprKind::In(a, b, _) => {
                if let (Some(Const::Enum(i)), ExprKind::Attr(path)) = (const_of(a), &b.kind) {
                    if let Ty::Set(values) = &b.ty {
                        if let Some(v) = values.get(i as usize) {
                            let f = entry(self.facts, path);
                            if !f.set_values.contains(v) {
                                f.set_values.push(v.clone());
                            }
                        }
                    }
                } else {
                    self.expr(a, None);
                    self.expr(b, None);
                }
            }
            ExprKind::Count(inner) => {
                if let ExprKind::Attr(path) = &inner.kind {
                    let f = entry(self.facts, path);
                    if let Some(Const::Int(n)) = other {
                        f.counts.extend([n - 1, *n, n + 1]);
                    }
                    f.counts.extend([0, 1]);
                } else {
                    self.expr(inner, None);
                }
            }
            ExprKind::Any(list, cond) => {
                if let ExprKind::Attr(path) = &list.kind {
                    let mut inner: Vec<(Path, Facts)> = Vec::new();
                    Walker { facts: &mut inner }.local(cond);
                    let f = entry(self.facts, path);
                    f.counts.extend([0, 1]);
                    f.element.extend(inner);
                } else {
                    self.expr(list, None);
                }
            }
            ExprKind::Arith(_, a, b) => {
                // `x + k > c` still separates x around c - k; approximate with c itself.
                self.expr(a, other);
                self.expr(b, other);
            }
            ExprKind::Not(a) | ExprKind::Neg(a) | ExprKind::ToDecimal(a) => self.expr(a, other),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.expr(a, None);
                self.expr(b, None);
            }
            ExprKind::Const(_) | ExprKind::Local(..) | ExprKind::Today => {}
        }
    }

    /// Facts about the fields of a list element (local 0 inside `any`).
    fn local(&mut self, e: &ir::Expr) {
        match &e.kind {
            ExprKind::Compare(_, a, b) => {
                if let (ExprKind::Local(_, p), Some(c)) = (&a.kind, const_of(b)) {
                    add_const(entry(self.facts, p), &c);
                }
                if let (ExprKind::Local(_, p), Some(c)) = (&b.kind, const_of(a)) {
                    add_const(entry(self.facts, p), &c);
                }
            }
            ExprKind::Local(_, p) => {
                entry(self.facts, p);
            }
            ExprKind::Not(a) => self.local(a),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.local(a);
                self.local(b);
            }
            _ => {}
        }
    }
}

fn const_of(e: &ir::Expr) -> Option<Const> {
    match &e.kind {
        ExprKind::Const(c) => Some(c.clone()),
        ExprKind::ToDecimal(inner) => match const_of(inner)? {
            Const::Int(i) => Some(Const::Decimal(i as f64)),
            other => Some(other),
        },
        ExprKind::Neg(inner) => match const_of(inner)? {
            Const::Int(i) => Some(Const::Int(-i)),
            Const::Decimal(d) => Some(Const::Decimal(-d)),
            Const::Money(m) => Some(Const::Money(-m)),
            _ => None,
        },
        _ => None,
    }
}

fn add_const(f: &mut Facts, c: &Const) {
    match c {
        Const::Int(i) => f
            .ints
            .extend([i.saturating_sub(1), *i, i.saturating_add(1)]),
        Const::Money(m) => f
            .cents
            .extend([m.saturating_sub(1), *m, m.saturating_add(1)]),
        Const::Decimal(d) => f.decimals.extend([d - 0.01, *d, d + 0.01]),
        Const::Date(d) => {
            let day = Period::days_only(1);
            f.dates.extend(d.sub_period(day));
            f.dates.push(*d);
            f.dates.extend(d.add_period(day));
        }
        Const::Str(s) => f.strings.push(s.clone()),
        Const::Enum(_) | Const::Bool(_) | Const::Period(..) | Const::Duration(_) => {}
    }
}

fn dedup<T: PartialEq>(v: &mut Vec<T>) {
    let mut out: Vec<T> = Vec::new();
    for x in v.drain(..) {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    *v = out;
}

fn values_for(ty: &Type, f: &Facts) -> Vec<Value> {
    match ty {
        Type::Optional(inner) => {
            let mut v = vec![Value::Null];
            v.extend(values_for(inner, f));
            v
        }
        Type::Bool => vec![json!(false), json!(true)],
        Type::Enum(values) => values.iter().map(|v| json!(v)).collect(),
        Type::Set(values) => {
            let tested: Vec<&String> = values.iter().filter(|v| f.set_values.contains(v)).collect();
            // `count(set)` compared with n: sets of the first n values.
            let by_count =
                f.counts.iter().filter(|n| **n >= 0).map(|n| {
                    Value::Array(values.iter().take(*n as usize).map(|v| json!(v)).collect())
                });
            let mut out: Vec<Value> = Vec::new();
            for v in by_count {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            let subsets: Vec<Value> = if tested.len() <= 6 {
                (0..1u32 << tested.len())
                    .map(|mask| {
                        Value::Array(
                            tested
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| mask & (1 << i) != 0)
                                .map(|(_, v)| json!(v))
                                .collect(),
                        )
                    })
                    .collect()
            } else {
                let mut v = vec![json!([])];
                v.extend(tested.iter().map(|t| json!([t])));
                v.push(Value::Array(tested.iter().map(|t| json!(t)).collect()));
                v
            };
            for v in subsets {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            out
        }
        Type::Int => {
            let mut v = f.ints.clone();
            if v.is_empty() {
                v.push(1);
            }
            v.sort_unstable();
            dedup(&mut v);
            v.into_iter().map(|i| json!(i)).collect()
        }
        Type::Money => {
            let mut v = f.cents.clone();
            if v.is_empty() {
                v.push(123_456);
            }
            v.sort_unstable();
            dedup(&mut v);
            v.into_iter().map(|c| json!(c as f64 / 100.0)).collect()
        }
        Type::Decimal => {
            let mut v = f.decimals.clone();
            if v.is_empty() {
                v.push(0.5);
            }
            v.sort_by(|a, b| a.total_cmp(b));
            dedup(&mut v);
            v.into_iter()
                .map(|d| json!((d * 100.0).round() / 100.0))
                .collect()
        }
        Type::Date => {
            let mut v = f.dates.clone();
            if v.is_empty() {
                v.extend(Date::new(2024, 3, 15));
            }
            v.sort_unstable();
            dedup(&mut v);
            v.into_iter().map(|d| json!(d.to_string())).collect()
        }
        Type::String => {
            let mut v = f.strings.clone();
            v.push("Maria".into());
            dedup(&mut v);
            v.into_iter().map(|s| json!(s)).collect()
        }
        Type::Record(fields) => vec![default_value(&Type::Record(fields.clone()))],
        Type::List(fields) => {
            let mut counts = f.counts.clone();
            counts.retain(|n| (0..=4).contains(n));
            if counts.is_empty() {
                counts.push(1);
            }
            counts.sort_unstable();
            dedup(&mut counts);
            let element = default_value(&Type::Record(fields.clone()));
            let mut out: Vec<Value> = counts
                .iter()
                .map(|n| Value::Array(vec![element.clone(); *n as usize]))
                .collect();
            // One-element lists whose element takes each representative of each field read by
            // an `any` condition.
            for (path, ef) in &f.element {
                if let Some((_, fty)) = lookup(fields, path) {
                    for v in values_for(fty, ef) {
                        let mut e = element.clone();
                        set_path(&mut e, fields, path, v);
                        let l = Value::Array(vec![e]);
                        if !out.contains(&l) {
                            out.push(l);
                        }
                    }
                }
            }
            out
        }
    }
}

/// A plausible value of a type, for attributes no decision depends on.
pub fn default_value(ty: &Type) -> Value {
    match ty {
        Type::String => json!("Maria"),
        Type::Bool => json!(false),
        Type::Int => json!(1),
        Type::Decimal => json!(0.5),
        Type::Money => json!(1234.56),
        Type::Date => json!("2024-03-15"),
        Type::Enum(v) => v.first().map_or(Value::Null, |s| json!(s)),
        Type::Set(_) => json!([]),
        Type::Optional(_) => Value::Null,
        Type::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(n, a)| (n.to_string(), default_value(&a.ty)))
                .collect(),
        ),
        Type::List(_) => json!([]),
    }
}

/// Sets the value at `path` inside a JSON record shaped by `fields`.
pub fn set_path(record: &mut Value, fields: &Fields, path: &[usize], v: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some((name, attr)) = fields.0.get(*first) else {
        return;
    };
    let Value::Object(map) = record else {
        return;
    };
    if rest.is_empty() {
        map.insert(name.clone(), v);
        return;
    }
    let inner_fields = match &attr.ty {
        Type::Record(f) => f,
        Type::Optional(t) => match &**t {
            Type::Record(f) => f,
            _ => return,
        },
        _ => return,
    };
    let slot = map
        .entry(name.clone())
        .or_insert_with(|| default_value(&Type::Record(inner_fields.clone())));
    if slot.is_null() {
        *slot = default_value(&Type::Record(inner_fields.clone()));
    }
    set_path(slot, inner_fields, rest, v);
}

/// A base record for a schema: every attribute with a plausible value.
pub fn base_record(schema: &Schema) -> Value {
    default_value(&Type::Record(schema.attributes.clone()))
}
