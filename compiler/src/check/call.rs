//! The functions of the language (`count(...)` is typed with the other expressions) and the
//! reference date `today`.

use super::error::{CheckError, Context, Expected};
use super::expr::Scope;
use super::Checker;
use crate::diagnostic::did_you_mean;
use crate::ir::{self, ArithOp, ExprKind, Ty};
use crate::syntax::ast;

/// The name of the reference date: the day the host evaluates the guide for (`--as-of`), unless
/// the schema declares an attribute of that name.
pub const TODAY: &str = "today";

/// Every function, with the number of its arguments: what E0112 suggests from.
pub const FUNCTIONS: [(&str, usize); 4] = [
    ("count", 1),
    ("years_between", 2),
    ("months_between", 2),
    ("days_between", 2),
];

impl Checker<'_> {
    /// `args` when there are exactly `n` of them; otherwise E0113, and `None`.
    pub(super) fn arguments<'a>(
        &mut self,
        name: &ast::Ident,
        args: &'a [ast::Expr],
        n: usize,
    ) -> Option<&'a [ast::Expr]> {
        if args.len() == n {
            return Some(args);
        }
        let start = args.first().map_or(name.span.start, |a| a.span.start);
        let end = args.last().map_or(name.span.end, |a| a.span.end);
        self.error(CheckError::FunctionArgs {
            span: start..end,
            name: name.name.clone(),
            expected: n,
            found: args.len(),
        });
        None
    }

    /// A call of a function other than `count`: the spans between two dates.
    pub(super) fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        e: &ast::Expr,
        scope: &Scope,
    ) -> ir::Expr {
        let op = match name.name.as_str() {
            "years_between" => ArithOp::YearsBetween,
            "months_between" => ArithOp::MonthsBetween,
            "days_between" => ArithOp::DaysBetween,
            _ => {
                let suggestion =
                    did_you_mean(&name.name, FUNCTIONS.iter().map(|(f, _)| *f)).map(String::from);
                self.error(CheckError::UnknownFunction {
                    span: name.span.clone(),
                    name: name.name.clone(),
                    suggestion,
                });
                return error(e);
            }
        };
        let Some([from, to]) = self.arguments(name, args, 2) else {
            return error(e);
        };
        let from_x = self.date_argument(from, scope, &name.name);
        let to_x = self.date_argument(to, scope, &name.name);
        match (from_x, to_x) {
            (Some(a), Some(b)) => ir::Expr {
                kind: ExprKind::Arith(op, Box::new(a), Box::new(b)),
                ty: Ty::Int,
                span: e.span.clone(),
            },
            _ => error(e),
        }
    }

    fn date_argument(&mut self, a: &ast::Expr, scope: &Scope, function: &str) -> Option<ir::Expr> {
        let x = self.value(a, scope, None);
        match x.ty {
            Ty::Date => Some(x),
            Ty::Error => None,
            ref other => {
                self.error(CheckError::TypeMismatch {
                    span: a.span.clone(),
                    expected: Expected::Date,
                    found: other.clone(),
                    context: Context::DateSpan(function.to_string()),
                });
                None
            }
        }
    }
}

fn error(e: &ast::Expr) -> ir::Expr {
    ir::Expr {
        kind: ExprKind::Const(ir::Const::Bool(false)),
        ty: Ty::Error,
        span: e.span.clone(),
    }
}
