//! Typing expressions and templates against the schema, with presence narrowing.

use super::error::{CheckError, Constant, Context, Expected};
use super::Checker;
use crate::diagnostic::did_you_mean;
use crate::ir::{self, ArithOp, CompareOp, Const, ExprKind, Format, Part, Ty};
use crate::syntax::ast::{self, BinaryOp, TemplatePart, UnaryOp};
use guide_runtime::ops::{self, Operand};
use guide_runtime::schema::Fields;
use guide_runtime::Period;

/// A value place whose presence can be proven: an attribute path or a local's field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Attribute slot path.
    Attr(Vec<usize>),
    /// Local depth and field path.
    Local(usize, Vec<usize>),
}

/// What is in scope while checking one expression.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `for`/`any` element names and their record fields, outermost first.
    pub locals: Vec<(String, Fields)>,
    /// Optional places proven present here.
    pub present: Vec<Place>,
}

impl Scope {
    /// This scope plus the facts a condition proves when it is true (`positive`) or false.
    pub fn with_facts(&self, cond: &ir::Expr, positive: bool) -> Scope {
        let mut s = self.clone();
        facts(cond, positive, &mut s.present);
        s
    }
}

/// Collects the places that `cond` proves present when it evaluates to `positive`.
pub fn facts(cond: &ir::Expr, positive: bool, out: &mut Vec<Place>) {
    match &cond.kind {
        ExprKind::Present(inner, is_present) if *is_present == positive => {
            if let Some(p) = place_of(inner) {
                out.push(p);
            }
        }
        ExprKind::Not(inner) => facts(inner, !positive, out),
        ExprKind::And(a, b) if positive => {
            facts(a, true, out);
            facts(b, true, out);
        }
        ExprKind::Or(a, b) if !positive => {
            facts(a, false, out);
            facts(b, false, out);
        }
        _ => {}
    }
}

fn place_of(e: &ir::Expr) -> Option<Place> {
    match &e.kind {
        ExprKind::Attr(p) => Some(Place::Attr(p.clone())),
        ExprKind::Local(d, p) => Some(Place::Local(*d, p.clone())),
        _ => None,
    }
}

fn err(span: &ast::Expr) -> ir::Expr {
    ir::Expr {
        kind: ExprKind::Const(Const::Bool(false)),
        ty: Ty::Error,
        span: span.span.clone(),
    }
}

fn mk(kind: ExprKind, ty: Ty, span: std::ops::Range<usize>) -> ir::Expr {
    ir::Expr { kind, ty, span }
}

fn contains_presence(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Presence(..) => true,
        ast::ExprKind::Unary(_, a) => contains_presence(a),
        ast::ExprKind::Binary(_, a, b) => contains_presence(a) || contains_presence(b),
        _ => false,
    }
}

/// Whether an expression reads the recipient at all.
pub fn depends_on_recipient(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Const(_) => false,
        ExprKind::Attr(_) | ExprKind::Local(..) | ExprKind::Today => true,
        ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::Present(a, _)
        | ExprKind::Unwrap(a)
        | ExprKind::Count(a)
        | ExprKind::ToDecimal(a) => depends_on_recipient(a),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Default(a, b)
        | ExprKind::Any(a, b) => depends_on_recipient(a) || depends_on_recipient(b),
    }
}

impl Checker<'_> {
    /// Checks a condition: a bool, with a warning when it cannot depend on the recipient.
    pub fn cond(&mut self, e: &ast::Expr, scope: &Scope) -> ir::Expr {
        let c = self.value(e, scope, None);
        if c.ty == Ty::Error {
            return c;
        }
        if c.ty != Ty::Bool {
            self.error(CheckError::NotBoolean {
                span: e.span.clone(),
                found: c.ty.clone(),
            });
            return mk(c.kind, Ty::Error, c.span);
        }
        self.range_decided(&c);
        // A presence test on a non-optional value already explained itself.
        if !depends_on_recipient(&c) && !contains_presence(e) {
            if let Some(v) = const_bool(&c) {
                self.error(CheckError::ConstantCondition {
                    span: e.span.clone(),
                    value: v,
                    why: Constant::Independent,
                });
            }
        }
        c
    }

    /// Checks an expression that must produce a value (not an unguarded optional).
    pub fn value(&mut self, e: &ast::Expr, scope: &Scope, expected: Option<&Ty>) -> ir::Expr {
        let x = self.expr(e, scope, expected);
        self.require_value(x, e)
    }

    fn require_value(&mut self, x: ir::Expr, e: &ast::Expr) -> ir::Expr {
        if let Ty::Optional(_) = x.ty {
            let name = self.text_of(&e.span);
            self.error(CheckError::Unguarded {
                span: e.span.clone(),
                name,
            });
            return mk(x.kind, Ty::Error, x.span);
        }
        x
    }

    fn text_of(&self, span: &std::ops::Range<usize>) -> String {
        self.file().text.get(span.clone()).unwrap_or("").to_string()
    }

    /// Types an expression; optional values are returned as `Optional` unless proven present.
    pub fn expr(&mut self, e: &ast::Expr, scope: &Scope, expected: Option<&Ty>) -> ir::Expr {
        let span = e.span.clone();
        match &e.kind {
            ast::ExprKind::Bool(b) => mk(ExprKind::Const(Const::Bool(*b)), Ty::Bool, span),
            ast::ExprKind::Int(i) => mk(ExprKind::Const(Const::Int(*i)), Ty::Int, span),
            ast::ExprKind::Decimal(d) => mk(ExprKind::Const(Const::Decimal(*d)), Ty::Decimal, span),
            ast::ExprKind::Money(c) => mk(ExprKind::Const(Const::Money(*c)), Ty::Money, span),
            ast::ExprKind::Duration(ms) => {
                mk(ExprKind::Const(Const::Duration(*ms)), Ty::Duration, span)
            }
            ast::ExprKind::Period { months, days } => mk(
                ExprKind::Const(Const::Period(*months, *days)),
                Ty::Period,
                span,
            ),
            ast::ExprKind::Date(text) => match guide_runtime::Date::parse_iso(text) {
                Some(d) => mk(ExprKind::Const(Const::Date(d)), Ty::Date, span),
                None => {
                    self.error(CheckError::InvalidDate {
                        span,
                        text: text.clone(),
                    });
                    err(e)
                }
            },
            ast::ExprKind::Str(s) => match expected {
                Some(Ty::Enum(values)) => self.enum_value(s, values, e),
                _ => mk(ExprKind::Const(Const::Str(s.clone())), Ty::Str, span),
            },
            ast::ExprKind::Path(segs) => self.path(segs, e, scope, expected),
            ast::ExprKind::Unary(UnaryOp::Not, inner) => {
                let x = self.value(inner, scope, Some(&Ty::Bool));
                if !matches!(x.ty, Ty::Bool | Ty::Error) {
                    self.error(CheckError::NotBoolean {
                        span: inner.span.clone(),
                        found: x.ty.clone(),
                    });
                    return err(e);
                }
                let ty = x.ty.clone();
                mk(ExprKind::Not(Box::new(x)), ty, span)
            }
            ast::ExprKind::Unary(UnaryOp::Neg, inner) => {
                let x = self.value(inner, scope, None);
                match x.ty {
                    Ty::Int | Ty::Decimal | Ty::Money | Ty::Error => {
                        let ty = x.ty.clone();
                        mk(ExprKind::Neg(Box::new(x)), ty, span)
                    }
                    ref other => {
                        self.error(CheckError::TypeMismatch {
                            span: inner.span.clone(),
                            expected: Expected::NumberOrAmount,
                            found: other.clone(),
                            context: Context::Negation,
                        });
                        err(e)
                    }
                }
            }
            ast::ExprKind::Presence(inner, present) => {
                let x = self.expr(inner, scope, None);
                if x.ty == Ty::Error {
                    return err(e);
                }
                if !matches!(x.ty, Ty::Optional(_)) {
                    let proven = matches!(x.kind, ExprKind::Unwrap(_));
                    self.error(CheckError::ConstantCondition {
                        span: span.clone(),
                        value: *present,
                        why: if proven {
                            Constant::ProvenPresent
                        } else {
                            Constant::NotOptional(self.text_of(&inner.span).to_string())
                        },
                    });
                    return mk(ExprKind::Const(Const::Bool(*present)), Ty::Bool, span);
                }
                mk(ExprKind::Present(Box::new(x), *present), Ty::Bool, span)
            }
            ast::ExprKind::Call(name, args) => {
                if name.name != "count" {
                    return self.call(name, args, e, scope);
                }
                let Some(arg) = self.arguments(name, args, 1).and_then(|a| a.first()) else {
                    return err(e);
                };
                let x = self.value(arg, scope, None);
                match x.ty {
                    Ty::List(_) | Ty::Set(_) => mk(ExprKind::Count(Box::new(x)), Ty::Int, span),
                    Ty::Error => err(e),
                    ref other => {
                        self.error(CheckError::TypeMismatch {
                            span: arg.span.clone(),
                            expected: Expected::ListOrSet,
                            found: other.clone(),
                            context: Context::Count,
                        });
                        err(e)
                    }
                }
            }
            ast::ExprKind::Any(var, list, cond) => {
                let l = self.value(list, scope, None);
                let fields = match &l.ty {
                    Ty::List(f) => f.clone(),
                    Ty::Error => return err(e),
                    other => {
                        self.error(CheckError::TypeMismatch {
                            span: list.span.clone(),
                            expected: Expected::List,
                            found: other.clone(),
                            context: Context::AnyIn,
                        });
                        return err(e);
                    }
                };
                let mut inner = scope.clone();
                inner.locals.push((var.name.clone(), fields));
                let c = self.cond(cond, &inner);
                mk(ExprKind::Any(Box::new(l), Box::new(c)), Ty::Bool, span)
            }
            ast::ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e, scope),
        }
    }

    fn enum_value(&mut self, s: &str, values: &[String], e: &ast::Expr) -> ir::Expr {
        match values.iter().position(|v| v == s) {
            Some(i) => mk(
                ExprKind::Const(Const::Enum(i as u16)),
                Ty::Enum(values.to_vec()),
                e.span.clone(),
            ),
            None => {
                let suggestion = values
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(s))
                    .cloned()
                    .or_else(|| {
                        did_you_mean(s, values.iter().map(String::as_str)).map(String::from)
                    });
                self.error(CheckError::NotInEnum {
                    span: e.span.clone(),
                    value: s.to_string(),
                    allowed: values.to_vec(),
                    suggestion,
                });
                err(e)
            }
        }
    }

    fn path(
        &mut self,
        segs: &[ast::Ident],
        e: &ast::Expr,
        scope: &Scope,
        expected: Option<&Ty>,
    ) -> ir::Expr {
        let Some(first) = segs.first() else {
            return err(e);
        };
        // Resolve the head: a local, an attribute, or a bare enum value.
        let (mut place, mut ty) = if let Some(depth) =
            scope.locals.iter().rposition(|(n, _)| *n == first.name)
        {
            let fields = scope.locals[depth].1.clone();
            (Place::Local(depth, Vec::new()), Ty::Record(fields))
        } else if let Some((i, attr)) = self.schema.attributes.get(&first.name) {
            self.used[i] = true;
            (Place::Attr(vec![i]), Ty::from_schema(&attr.ty))
        } else {
            if segs.len() == 1 {
                if let Some(Ty::Enum(values)) = expected {
                    return self.enum_value(&first.name, values, e);
                }
                if first.name == super::call::TODAY {
                    return mk(ExprKind::Today, Ty::Date, e.span.clone());
                }
            }
            if !self.schema_ok {
                return err(e);
            }
            let mut candidates: Vec<&str> = self.schema.attributes.iter().map(|(n, _)| n).collect();
            candidates.extend(scope.locals.iter().map(|(n, _)| n.as_str()));
            if let Some(Ty::Enum(values)) = expected {
                candidates.extend(values.iter().map(String::as_str));
            }
            let suggestion = did_you_mean(&first.name, candidates).map(String::from);
            self.error(CheckError::UnknownAttribute {
                span: first.span.clone(),
                name: first.name.clone(),
                suggestion,
            });
            return err(e);
        };
        let mut walked = first.name.clone();
        for seg in &segs[1..] {
            // Step through an optional record only when it is proven present.
            if let Ty::Optional(inner) = &ty {
                if scope.present.contains(&place) {
                    ty = (**inner).clone();
                } else {
                    self.error(CheckError::Unguarded {
                        span: first.span.start..seg.span.start.saturating_sub(1),
                        name: walked.clone(),
                    });
                    return err(e);
                }
            }
            let fields = match &ty {
                Ty::Record(f) => f.clone(),
                other => {
                    self.error(CheckError::TypeMismatch {
                        span: seg.span.clone(),
                        expected: Expected::Record,
                        found: other.clone(),
                        context: Context::FieldAccess {
                            path: walked.clone(),
                            field: seg.name.clone(),
                        },
                    });
                    return err(e);
                }
            };
            match fields.get(&seg.name) {
                Some((i, attr)) => {
                    match &mut place {
                        Place::Attr(p) | Place::Local(_, p) => p.push(i),
                    }
                    ty = Ty::from_schema(&attr.ty);
                }
                None => {
                    self.error(CheckError::UnknownField {
                        span: seg.span.clone(),
                        name: seg.name.clone(),
                        record: walked.clone(),
                        fields: fields.iter().map(|(n, _)| n.to_string()).collect(),
                    });
                    return err(e);
                }
            }
            walked.push('.');
            walked.push_str(&seg.name);
        }
        let kind = match place.clone() {
            Place::Attr(p) => ExprKind::Attr(p),
            Place::Local(d, p) => ExprKind::Local(d, p),
        };
        let x = mk(kind, ty.clone(), e.span.clone());
        match ty {
            Ty::Optional(inner) if scope.present.contains(&place) => {
                mk(ExprKind::Unwrap(Box::new(x)), *inner, e.span.clone())
            }
            _ => x,
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: &ast::Expr,
        b: &ast::Expr,
        e: &ast::Expr,
        scope: &Scope,
    ) -> ir::Expr {
        let span = e.span.clone();
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.cond_operand(a, scope);
                let inner = if l.ty == Ty::Bool {
                    scope.with_facts(&l, op == BinaryOp::And)
                } else {
                    scope.clone()
                };
                let r = self.cond_operand(b, &inner);
                let kind = if op == BinaryOp::And {
                    ExprKind::And(Box::new(l), Box::new(r))
                } else {
                    ExprKind::Or(Box::new(l), Box::new(r))
                };
                mk(kind, Ty::Bool, span)
            }
            BinaryOp::Default => {
                let l = self.expr(a, scope, None);
                let inner = match &l.ty {
                    Ty::Optional(t) => (**t).clone(),
                    Ty::Error => return err(e),
                    other => {
                        self.error(CheckError::TypeMismatch {
                            span: a.span.clone(),
                            expected: Expected::Optional,
                            found: other.clone(),
                            context: Context::DefaultOf,
                        });
                        return err(e);
                    }
                };
                let r = self.value(b, scope, Some(&inner));
                let r = self.coerce(r, &inner, b);
                mk(ExprKind::Default(Box::new(l), Box::new(r)), inner, span)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let r = self.value(b, scope, None);
                let values = match &r.ty {
                    Ty::Set(v) => v.clone(),
                    Ty::Error => return err(e),
                    other => {
                        self.error(CheckError::TypeMismatch {
                            span: b.span.clone(),
                            expected: Expected::Set,
                            found: other.clone(),
                            context: Context::Membership,
                        });
                        return err(e);
                    }
                };
                let enum_ty = Ty::Enum(values.clone());
                let l = self.value(a, scope, Some(&enum_ty));
                if l.ty != Ty::Error && l.ty != enum_ty {
                    self.error(CheckError::TypeMismatch {
                        span: a.span.clone(),
                        expected: Expected::OneOf(values),
                        found: l.ty.clone(),
                        context: Context::SetMember,
                    });
                    return err(e);
                }
                mk(
                    ExprKind::In(Box::new(l), Box::new(r), op == BinaryOp::NotIn),
                    Ty::Bool,
                    span,
                )
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                // Type the side that names an attribute first, so a bare enum value on the other
                // side is resolved against it.
                let a_is_value = matches!(&a.kind, ast::ExprKind::Path(s) if s.len() == 1 && !self.is_name_in_scope(&s[0].name, scope));
                let (l, r) = if a_is_value {
                    let r = self.value(b, scope, None);
                    let l = self.value(a, scope, Some(&r.ty));
                    (l, r)
                } else {
                    let l = self.value(a, scope, None);
                    let r = self.value(b, scope, Some(&l.ty));
                    (l, r)
                };
                if l.ty == Ty::Error || r.ty == Ty::Error {
                    return err(e);
                }
                let (l, r) = match (&l.ty, &r.ty) {
                    (Ty::Int, Ty::Decimal) => (to_decimal(l), r),
                    (Ty::Decimal, Ty::Int) => (l, to_decimal(r)),
                    _ => (l, r),
                };
                let ordered = matches!(l.ty, Ty::Int | Ty::Decimal | Ty::Money | Ty::Date);
                let is_eq = matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                let ok = l.ty == r.ty
                    && (ordered || (is_eq && matches!(l.ty, Ty::Str | Ty::Bool | Ty::Enum(_))));
                if !ok {
                    self.error(CheckError::BadOperands {
                        span,
                        op,
                        left: l.ty.clone(),
                        right: r.ty.clone(),
                    });
                    return err(e);
                }
                let cop = match op {
                    BinaryOp::Eq => CompareOp::Eq,
                    BinaryOp::Ne => CompareOp::Ne,
                    BinaryOp::Lt => CompareOp::Lt,
                    BinaryOp::Le => CompareOp::Le,
                    BinaryOp::Gt => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                mk(
                    ExprKind::Compare(cop, Box::new(l), Box::new(r)),
                    Ty::Bool,
                    span,
                )
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let l = self.value(a, scope, None);
                let r = self.value(b, scope, None);
                if l.ty == Ty::Error || r.ty == Ty::Error {
                    return err(e);
                }
                use BinaryOp::*;
                use Ty::*;
                let (arith, ty, l, r) = match (op, &l.ty, &r.ty) {
                    (Add, Int, Int) => (ArithOp::AddInt, Int, l, r),
                    (Sub, Int, Int) => (ArithOp::SubInt, Int, l, r),
                    (Mul, Int, Int) => (ArithOp::MulInt, Int, l, r),
                    (Add | Sub | Mul | Div, Int | Decimal, Int | Decimal)
                        if !(matches!(op, Div) && l.ty == Int && r.ty == Int) =>
                    {
                        let a = match op {
                            Add => ArithOp::AddDec,
                            Sub => ArithOp::SubDec,
                            Mul => ArithOp::MulDec,
                            _ => ArithOp::DivDec,
                        };
                        (a, Decimal, to_decimal(l), to_decimal(r))
                    }
                    (Add, Money, Money) => (ArithOp::AddMoney, Money, l, r),
                    (Sub, Money, Money) => (ArithOp::SubMoney, Money, l, r),
                    (Mul, Money, Int | Decimal) => (ArithOp::MulMoney, Money, l, to_decimal(r)),
                    (Mul, Int | Decimal, Money) => (ArithOp::MulMoney, Money, r, to_decimal(l)),
                    (Div, Money, Int | Decimal) => (ArithOp::DivMoney, Money, l, to_decimal(r)),
                    (Add, Date, Period) => (ArithOp::AddPeriod, Date, l, r),
                    (Sub, Date, Period) => (ArithOp::SubPeriod, Date, l, r),
                    (Add, Period, Period) => (ArithOp::AddPeriods, Period, l, r),
                    (Sub, Period, Period) => (ArithOp::SubPeriods, Period, l, r),
                    _ => {
                        self.error(CheckError::BadOperands {
                            span,
                            op,
                            left: l.ty.clone(),
                            right: r.ty.clone(),
                        });
                        return err(e);
                    }
                };
                mk(ExprKind::Arith(arith, Box::new(l), Box::new(r)), ty, span)
            }
        }
    }

    fn cond_operand(&mut self, e: &ast::Expr, scope: &Scope) -> ir::Expr {
        let x = self.value(e, scope, Some(&Ty::Bool));
        if !matches!(x.ty, Ty::Bool | Ty::Error) {
            self.error(CheckError::NotBoolean {
                span: e.span.clone(),
                found: x.ty.clone(),
            });
            return mk(x.kind, Ty::Error, x.span);
        }
        x
    }

    fn is_name_in_scope(&self, name: &str, scope: &Scope) -> bool {
        scope.locals.iter().any(|(n, _)| n == name) || self.schema.attributes.get(name).is_some()
    }

    fn coerce(&mut self, x: ir::Expr, want: &Ty, e: &ast::Expr) -> ir::Expr {
        if x.ty == *want || x.ty == Ty::Error {
            return x;
        }
        if x.ty == Ty::Int && *want == Ty::Decimal {
            return to_decimal(x);
        }
        self.error(CheckError::TypeMismatch {
            span: e.span.clone(),
            expected: Expected::Type(want.clone()),
            found: x.ty.clone(),
            context: Context::DefaultValue,
        });
        mk(x.kind, Ty::Error, x.span)
    }

    /// Checks a template: every hole typed and formatted, agreement available.
    pub fn template(&mut self, t: &ast::Template, scope: &Scope) -> ir::Template {
        let mut parts = Vec::new();
        for p in &t.parts {
            match p {
                TemplatePart::Text(s) => parts.push(Part::Text(s.clone())),
                TemplatePart::Gender {
                    masculine,
                    feminine,
                    span,
                } => {
                    match &self.schema.gender {
                        None if !self.schema_ok => {}
                        None => self.error(CheckError::NoGender { span: span.clone() }),
                        Some(g) => {
                            if let Some((i, _)) = self.schema.attributes.get(&g.attribute) {
                                self.used[i] = true;
                            }
                        }
                    }
                    parts.push(Part::Gender {
                        masculine: masculine.clone(),
                        feminine: feminine.clone(),
                    });
                }
                TemplatePart::Hole {
                    expr,
                    formatter,
                    span,
                } => {
                    let x = self.value(expr, scope, None);
                    if x.ty == Ty::Error {
                        continue;
                    }
                    if let Some(fmt) = self.format(&x.ty, formatter.as_ref(), span) {
                        parts.push(Part::Value(x, fmt));
                    }
                }
            }
        }
        ir::Template { parts }
    }

    fn format(
        &mut self,
        ty: &Ty,
        f: Option<&ast::Formatter>,
        span: &std::ops::Range<usize>,
    ) -> Option<Format> {
        let Some(f) = f else {
            let fmt = match ty {
                Ty::Str | Ty::Enum(_) => Format::Str,
                Ty::Money => Format::Money,
                Ty::Date => Format::Date,
                Ty::Int => Format::Int,
                Ty::Decimal => Format::Decimal,
                other => {
                    self.error(CheckError::BadFormatter {
                        span: span.clone(),
                        formatter: None,
                        found: other.clone(),
                    });
                    return None;
                }
            };
            return Some(fmt);
        };
        let name = f.name.name.as_str();
        let args: Vec<String> = f.args.iter().map(|a| a.value.clone()).collect();
        const NAMES: [&str; 9] = [
            "money",
            "date",
            "short_date",
            "number",
            "upper",
            "lower",
            "capitalize",
            "count",
            "plural",
        ];
        if !NAMES.contains(&name) {
            self.error(CheckError::UnknownFormatter {
                span: f.name.span.clone(),
                name: name.into(),
                suggestion: did_you_mean(name, NAMES).map(String::from),
            });
            return None;
        }
        let two_args = matches!(name, "count" | "plural");
        if two_args != (args.len() == 2) || (!two_args && !args.is_empty()) {
            self.error(CheckError::FormatterArgs {
                span: f.span.clone(),
                name: name.into(),
            });
            return None;
        }
        let (ok, fmt) = match name {
            "money" => (*ty == Ty::Money, Format::Money),
            "date" => (*ty == Ty::Date, Format::Date),
            "short_date" => (*ty == Ty::Date, Format::ShortDate),
            "number" => (
                matches!(ty, Ty::Int | Ty::Decimal),
                if *ty == Ty::Int {
                    Format::Int
                } else {
                    Format::Decimal
                },
            ),
            "upper" => (matches!(ty, Ty::Str | Ty::Enum(_)), Format::Upper),
            "lower" => (matches!(ty, Ty::Str | Ty::Enum(_)), Format::Lower),
            "capitalize" => (matches!(ty, Ty::Str | Ty::Enum(_)), Format::Capitalize),
            "count" => (
                *ty == Ty::Int,
                Format::Count(args[0].clone(), args[1].clone()),
            ),
            _ => (
                *ty == Ty::Int,
                Format::Plural(args[0].clone(), args[1].clone()),
            ),
        };
        if !ok {
            self.error(CheckError::BadFormatter {
                span: f.span.clone(),
                formatter: Some(name.into()),
                found: ty.clone(),
            });
            return None;
        }
        Some(fmt)
    }
}

fn to_decimal(x: ir::Expr) -> ir::Expr {
    if x.ty == Ty::Int {
        let span = x.span.clone();
        mk(ExprKind::ToDecimal(Box::new(x)), Ty::Decimal, span)
    } else {
        x
    }
}

/// The value of a condition that reads no recipient data, when it can be folded.
pub fn const_bool(e: &ir::Expr) -> Option<bool> {
    match const_value(e)? {
        Operand::Bool(b) => Some(b),
        _ => None,
    }
}

/// The value of an expression that reads no recipient data, computed by the runtime's own
/// operators ([`guide_runtime::ops`]), so that it is the value the machine would compute; `None`
/// when it reads the recipient or the machine would stop with an error (an overflow, a division
/// by zero, a date out of range).
pub fn const_value(e: &ir::Expr) -> Option<Operand<'_>> {
    Some(match &e.kind {
        ExprKind::Const(c) => match c {
            Const::Bool(b) => Operand::Bool(*b),
            Const::Int(i) => Operand::Int(*i),
            Const::Decimal(d) => Operand::Decimal(*d),
            Const::Money(m) => Operand::Money(*m),
            Const::Date(d) => Operand::Date(*d),
            Const::Period(m, d) => Operand::Period(Period::new(*m, *d)),
            Const::Str(s) => Operand::Str(s),
            Const::Enum(i) => Operand::Enum(*i),
            Const::Duration(_) => return None,
        },
        ExprKind::Not(a) => match const_value(a)? {
            Operand::Bool(b) => Operand::Bool(!b),
            _ => return None,
        },
        ExprKind::Neg(a) => ops::neg(const_value(a)?).ok()?,
        ExprKind::ToDecimal(a) => match const_value(a)? {
            Operand::Int(i) => Operand::Decimal(ops::to_decimal(i)),
            _ => return None,
        },
        // Short-circuited, as the machine does.
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            let stop = matches!(e.kind, ExprKind::Or(..));
            match const_value(a)? {
                Operand::Bool(x) if x == stop => Operand::Bool(x),
                Operand::Bool(_) => match const_value(b)? {
                    Operand::Bool(y) => Operand::Bool(y),
                    _ => return None,
                },
                _ => return None,
            }
        }
        ExprKind::Compare(op, a, b) => {
            Operand::Bool(ops::compare(op.runtime(), const_value(a)?, const_value(b)?).ok()?)
        }
        ExprKind::Arith(op, a, b) => {
            ops::arith(op.runtime(), const_value(a)?, const_value(b)?).ok()?
        }
        _ => return None,
    })
}
