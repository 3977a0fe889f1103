//! Representative values: for every attribute a condition reads, the few values that separate
//! every outcome the storyboard can tell apart.
//!
//! A condition only distinguishes an integer attribute around the constants it is compared with
//! (`eta >= 55` splits ages into `< 55` and `>= 55`), an enum by its values, a set by which of the
//! tested values it contains, an optional by presence. So the product of these small domains
//! reaches every combination of branch outcomes a recipient can produce, without sampling.

use super::solve::{self, Var};
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
pub fn domains(c: &ir::Campaign, as_of: Date) -> Vec<Domain> {
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
    relational(c, &mut facts, as_of);
    let mut out: Vec<Domain> = facts
        .iter()
        .filter_map(|(path, f)| {
            let (name, ty) = lookup(&c.schema.attributes, path)?;
            let range = super::ranges::range_at(&c.schema.attributes, path);
            Some(Domain {
                path: path.clone(),
                name,
                values: super::ranges::fit_all(&range, values_for(ty, f)),
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

/// The dotted name and type of a path ([`super::measure::attribute`]'s type).
pub fn lookup<'s>(fields: &'s Fields, path: &[usize]) -> Option<(String, &'s Type)> {
    super::measure::attribute(fields, path).map(|(name, attr)| (name, &attr.ty))
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
                // A condition per element: facts about the element's fields.
                if let (ExprKind::Attr(path), Some(w)) = (&f.kind, &l.when) {
                    let mut inner: Vec<(Path, Facts)> = Vec::new();
                    Walker { facts: &mut inner }.local(w);
                    let f = entry(self.facts, path);
                    f.counts.extend([0, 1]);
                    f.element.extend(inner);
                }
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
                    // The attributes the condition reads besides the element.
                    self.expr(cond, None);
                } else {
                    self.expr(list, None);
                }
            }
            ExprKind::Arith(op, a, b) => {
                // `x + k > c` separates x around c - k (and `x * k > c` around c / k); c
                // itself is kept too.
                let inverse = match (other, const_of(b)) {
                    (Some(c), Some(k)) => invert(*op, c, &k),
                    _ => None,
                };
                self.expr(a, other);
                if let Some(i) = &inverse {
                    self.expr(a, Some(i));
                }
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

/// The constant `x` is compared with when `x op k` is compared with `c`, for the operators that
/// can be undone.
fn invert(op: ir::ArithOp, c: &Const, k: &Const) -> Option<Const> {
    use ir::ArithOp as A;
    Some(match (op, c, k) {
        (A::AddInt, Const::Int(c), Const::Int(k)) => Const::Int(c.checked_sub(*k)?),
        (A::SubInt, Const::Int(c), Const::Int(k)) => Const::Int(c.checked_add(*k)?),
        (A::MulInt, Const::Int(c), Const::Int(k)) if *k != 0 => Const::Int(c / k),
        (A::AddMoney, Const::Money(c), Const::Money(k)) => Const::Money(c.checked_sub(*k)?),
        (A::SubMoney, Const::Money(c), Const::Money(k)) => Const::Money(c.checked_add(*k)?),
        (A::AddDec, Const::Decimal(c), Const::Decimal(k)) => Const::Decimal(c - k),
        (A::SubDec, Const::Decimal(c), Const::Decimal(k)) => Const::Decimal(c + k),
        (A::MulDec, Const::Decimal(c), Const::Decimal(k)) if *k != 0.0 => Const::Decimal(c / k),
        _ => return None,
    })
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
            // an `any` condition or a `for` line's.
            let mut varied: Vec<Value> = Vec::new();
            for (path, ef) in &f.element {
                if let Some((_, fty)) = lookup(fields, path) {
                    let range = super::ranges::range_at(fields, path);
                    for v in super::ranges::fit_all(&range, values_for(fty, ef)) {
                        let mut e = element.clone();
                        set_path(&mut e, fields, path, v);
                        if !varied.contains(&e) {
                            varied.push(e.clone());
                        }
                        let l = Value::Array(vec![e]);
                        if !out.contains(&l) {
                            out.push(l);
                        }
                    }
                }
            }
            // And one list of all those elements, where some pass a condition and others fail
            // it (a line `for` each element `when` it holds, in a scene that needs one).
            if varied.len() > 1 {
                varied.truncate(8);
                out.push(Value::Array(varied));
            }
            out
        }
    }
}

/// The representative dates of the comparisons that relate values ([`super::solve`]).
fn relational(c: &ir::Campaign, facts: &mut Vec<(Path, Facts)>, as_of: Date) {
    let mut found: Vec<(ir::Expr, Option<Path>)> = Vec::new();
    let mut r = Relations { out: &mut found };
    if let Some(e) = &c.requires {
        r.expr(e, None);
    }
    r.nodes(&c.story);
    r.scene(&c.ending);
    let default = Date::new(2024, 3, 15).unwrap_or(Date::MIN);
    for (cmp, list) in found {
        let mut vars = Vec::new();
        if solve::vars(&cmp, &mut vars).is_none() {
            continue;
        }
        // Up to three representative dates of each variable, from what is known so far.
        let known = |v: &Var, facts: &Vec<(Path, Facts)>| -> Vec<Date> {
            let dates = match v {
                Var::Today => return vec![as_of],
                Var::Attr(p) => facts.iter().find(|(q, _)| q == p).map(|(_, f)| &f.dates),
                Var::Local(p) => list.as_ref().and_then(|l| {
                    let (_, f) = facts.iter().find(|(q, _)| q == l)?;
                    f.element
                        .iter()
                        .find(|(q, _)| q == p)
                        .map(|(_, f)| &f.dates)
                }),
            };
            let mut d: Vec<Date> = dates
                .map(|d| d.iter().take(3).copied().collect())
                .unwrap_or_default();
            if d.is_empty() {
                d.push(default);
            }
            d
        };
        // Move one date, the others held at their first representative value: an element's
        // field rather than an attribute, and never `today` (the host's).
        let target = vars
            .iter()
            .find(|v| matches!(v, Var::Local(_)))
            .or_else(|| vars.iter().find(|v| matches!(v, Var::Attr(_))));
        if let Some(target) = target {
            let anchors: Vec<(Var, Vec<Date>)> =
                vars.iter().map(|v| (v.clone(), known(v, facts))).collect();
            let anchor = |v: &Var| -> Option<Date> {
                let (_, d) = anchors.iter().find(|(w, _)| w == v)?;
                d.first().copied()
            };
            let new = solve::boundaries(&cmp, target, &anchor);
            let f = match target {
                Var::Attr(p) => entry(facts, p),
                Var::Local(p) => {
                    let Some(l) = &list else { continue };
                    let lf = entry(facts, l);
                    lf.counts.extend([0, 1]);
                    match lf.element.iter().position(|(q, _)| q == p) {
                        Some(i) => &mut lf.element[i].1,
                        None => {
                            lf.element.push((p.clone(), Facts::default()));
                            let n = lf.element.len() - 1;
                            &mut lf.element[n].1
                        }
                    }
                }
                Var::Today => continue,
            };
            for d in new {
                if !f.dates.contains(&d) {
                    f.dates.push(d);
                }
            }
        }
    }
}

/// Collects the comparisons that relate values or compute on dates, with the list whose
/// element they read (for a `for` line's or an `any`'s condition).
struct Relations<'a> {
    out: &'a mut Vec<(ir::Expr, Option<Path>)>,
}

impl Relations<'_> {
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
                    arms, otherwise, ..
                } => {
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
            let list = match l.for_each.as_ref().map(|f| &f.kind) {
                Some(ExprKind::Attr(p)) => Some(p.clone()),
                _ => None,
            };
            if let Some(w) = &l.when {
                self.expr(w, list.as_ref());
            }
        }
        for w in s.popups.iter().filter_map(|p| p.when.as_ref()) {
            self.expr(w, None);
        }
        for w in s.buttons.iter().filter_map(|b| b.when.as_ref()) {
            self.expr(w, None);
        }
    }

    fn expr(&mut self, e: &ir::Expr, list: Option<&Path>) {
        match &e.kind {
            ExprKind::Compare(_, a, b) => {
                let plain = |x: &ir::Expr| {
                    matches!(
                        x.kind,
                        ExprKind::Const(_) | ExprKind::Attr(_) | ExprKind::Local(..)
                    )
                };
                if !(plain(a) && plain(b) && (const_of(a).is_some() || const_of(b).is_some())) {
                    self.out.push((e.clone(), list.cloned()));
                }
            }
            ExprKind::Not(a) => self.expr(a, list),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.expr(a, list);
                self.expr(b, list);
            }
            ExprKind::Any(l, c) => {
                if let ExprKind::Attr(p) = &l.kind {
                    self.expr(c, Some(p));
                }
            }
            _ => {}
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
                .map(|(n, a)| {
                    let v = super::ranges::fit(&a.range, default_value(&a.ty));
                    (n.to_string(), v)
                })
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
