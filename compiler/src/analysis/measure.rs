//! The lengths a notification template can take, over every value the schema allows: fewest and
//! most characters, most GSM-7 septets and most UTF-16 units, and whether it can leave GSM-7.

use super::sms;
use crate::ir::{self, Const, ExprKind, Format, NoteTemplate, Part, Piece, Ty};
use guide_runtime::schema::{Attribute, Bound, Fields, Type};
use guide_runtime::{format, Date};

/// The shortest personal link: `http://x/g/` (a base of 8 characters), the 22-character token,
/// `?c=io`.
pub const LINK_MIN_CHARS: usize = 8 + 3 + 22 + 5;
/// The longest personal link the proof allows: publishing with notifications refuses a base URL
/// whose links would be longer (`BASE/g/TOKEN?c=email` at most 80 characters, a base of at most
/// 47).
pub const LINK_MAX_CHARS: usize = 80;

/// The range of lengths of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// The fewest characters.
    pub min: usize,
    /// The most characters (`None`: unbounded, an attribute has no `max_length`).
    pub max: Option<usize>,
    /// The most GSM-7 septets, were it all GSM-7.
    pub septets: Option<usize>,
    /// The most UTF-16 units.
    pub units: Option<usize>,
    /// Whether it always stays in GSM-7.
    pub gsm: bool,
    /// The attributes whose length is unbounded, by dotted name.
    pub unbounded: Vec<String>,
    /// The attributes written as free text, which may hold characters outside GSM-7.
    pub free: Vec<String>,
    /// Whether the text written in the storyboard (values aside) is all GSM-7.
    pub literal_gsm: bool,
}

fn merge(into: &mut Vec<String>, from: &[String]) {
    for u in from {
        if !into.contains(u) {
            into.push(u.clone());
        }
    }
}

impl Measure {
    /// The empty text.
    pub fn empty() -> Measure {
        Measure::exact("")
    }

    /// A literal.
    pub fn exact(s: &str) -> Measure {
        let n = s.chars().count();
        let gsm: Option<usize> = s.chars().map(sms::septets).sum();
        Measure {
            min: n,
            max: Some(n),
            septets: Some(gsm.unwrap_or(2 * n)),
            units: Some(s.encode_utf16().count()),
            gsm: gsm.is_some(),
            unbounded: Vec::new(),
            free: Vec::new(),
            literal_gsm: gsm.is_some(),
        }
    }

    /// Free text of 0 to `max` characters (`None`: unbounded): any character may appear.
    fn free(min: usize, max: Option<usize>) -> Measure {
        Measure {
            min,
            max,
            septets: max.map(|m| 2 * m),
            units: max.map(|m| 2 * m),
            gsm: false,
            unbounded: Vec::new(),
            free: Vec::new(),
            literal_gsm: true,
        }
    }

    /// This text followed by `other`.
    pub fn then(mut self, other: &Measure) -> Measure {
        let add = |a: Option<usize>, b: Option<usize>| Some(a?.saturating_add(b?));
        self.min += other.min;
        self.max = add(self.max, other.max);
        self.septets = add(self.septets, other.septets);
        self.units = add(self.units, other.units);
        self.gsm &= other.gsm;
        self.literal_gsm &= other.literal_gsm;
        merge(&mut self.unbounded, &other.unbounded);
        merge(&mut self.free, &other.free);
        self
    }

    /// Either this text or `other`.
    pub fn or(mut self, other: &Measure) -> Measure {
        let max = |a: Option<usize>, b: Option<usize>| Some(a?.max(b?));
        self.min = self.min.min(other.min);
        self.max = max(self.max, other.max);
        self.septets = max(self.septets, other.septets);
        self.units = max(self.units, other.units);
        self.gsm &= other.gsm;
        self.literal_gsm &= other.literal_gsm;
        merge(&mut self.unbounded, &other.unbounded);
        merge(&mut self.free, &other.free);
        self
    }

    /// The most SMS segments this text can take (`None` when unbounded).
    pub fn max_segments(&self) -> Option<usize> {
        let gsm = sms::segments(sms::Encoding::Gsm7, self.septets?);
        if self.gsm {
            return Some(gsm);
        }
        Some(gsm.max(sms::segments(sms::Encoding::Ucs2, self.units?)))
    }

    /// The text as YAML writes it in double quotes: `"` and `\` take two characters.
    pub fn yaml_quoted(&self) -> Measure {
        let mut m = self.clone();
        m.max = m.max.map(|x| 2 * x);
        m.septets = m.septets.map(|x| 2 * x);
        m.units = m.units.map(|x| 2 * x);
        m
    }
}

/// How a template is measured: the gender agreed with (`None`: either), the schema.
pub struct Measurer<'s> {
    /// The recipient attributes.
    pub schema: &'s Fields,
    /// `Some(true)` for the feminine forms, `Some(false)` for the masculine, `None` for both.
    pub feminine: Option<bool>,
}

impl Measurer<'_> {
    /// The lengths of a notification template; `link` the measure of the personal link.
    pub fn template(&self, t: &NoteTemplate, link: &Measure) -> Measure {
        t.pieces.iter().fold(Measure::empty(), |acc, p| match p {
            Piece::Link => acc.then(link),
            Piece::Part(part) => acc.then(&self.part(part)),
        })
    }

    fn part(&self, p: &Part) -> Measure {
        match p {
            Part::Text(s) => Measure::exact(s),
            Part::Gender {
                masculine,
                feminine,
            } => match self.feminine {
                Some(true) => Measure::exact(feminine),
                Some(false) => Measure::exact(masculine),
                None => Measure::exact(masculine).or(&Measure::exact(feminine)),
            },
            Part::Value(e, f) => self.value(e, f),
        }
    }

    fn value(&self, e: &ir::Expr, f: &Format) -> Measure {
        match f {
            Format::Str | Format::Upper | Format::Lower | Format::Capitalize => {
                let base = self.text(e);
                // Case mapping can lengthen a character (`ß` becomes `SS`, at most three).
                let grow = |m: Measure, by: usize| Measure {
                    max: m.max.map(|x| x * by),
                    septets: m.septets.map(|x| x * by),
                    units: m.units.map(|x| x * by),
                    ..m
                };
                match (f, &e.ty) {
                    (_, Ty::Enum(_)) | (Format::Str, _) => base,
                    (Format::Upper, _) => grow(base, 3),
                    (Format::Lower, _) => grow(base, 2),
                    _ => {
                        let mut m = base;
                        m.max = m.max.map(|x| x + 2);
                        m.septets = m.septets.map(|x| x + 4);
                        m.units = m.units.map(|x| x + 4);
                        m
                    }
                }
                .cased(f, &e.ty)
            }
            Format::Bool => Measure::exact("sì").or(&Measure::exact("no")),
            Format::Money => self.numbers(e, format::money),
            Format::Int => self.numbers(e, format::int),
            Format::Count(s, p) => self
                .numbers(e, format::int)
                .then(&Measure::exact(" "))
                .then(&Measure::exact(s).or(&Measure::exact(p))),
            Format::Plural(s, p) => Measure::exact(s).or(&Measure::exact(p)),
            Format::Decimal => {
                let mut out = String::new();
                let _ = format::decimal(&mut out, -f64::MAX);
                Measure::exact("0").or(&Measure::exact(&out))
            }
            Format::Date | Format::ShortDate => self.dates(e, f),
        }
    }

    /// A text value: a constant, an attribute (bounded by its `max_length`), or either of two.
    fn text(&self, e: &ir::Expr) -> Measure {
        match &e.kind {
            ExprKind::Const(Const::Str(s)) => Measure::exact(s),
            ExprKind::Const(Const::Enum(i)) => match &e.ty {
                Ty::Enum(values) => values
                    .get(usize::from(*i))
                    .map_or_else(Measure::empty, |v| Measure::exact(v)),
                _ => Measure::empty(),
            },
            ExprKind::Unwrap(x) => self.text(x),
            ExprKind::Default(a, b) => self.text(a).or(&self.text(b)),
            ExprKind::Attr(path) => match attribute(self.schema, path) {
                Some((name, attr)) => match &attr.ty {
                    Type::Enum(values) => enum_measure(values),
                    Type::Optional(t) if matches!(**t, Type::Enum(_)) => match &**t {
                        Type::Enum(values) => enum_measure(values),
                        _ => Measure::empty(),
                    },
                    _ => {
                        let mut m = Measure::free(0, max_length(attr));
                        if m.max.is_none() {
                            m.unbounded.push(name.clone());
                        }
                        m.free.push(name);
                        m
                    }
                },
                None => Measure::free(0, None),
            },
            _ => match &e.ty {
                Ty::Enum(values) => enum_measure(values),
                _ => Measure::free(0, None),
            },
        }
    }

    /// A number: the shortest and longest of its formatted bounds (the type's when undeclared).
    fn numbers(&self, e: &ir::Expr, write: impl Fn(&mut String, i64)) -> Measure {
        let formatted = |v: i64| {
            let mut s = String::new();
            write(&mut s, v);
            Measure::exact(&s)
        };
        let bounds_of = |x: &ir::Expr| match &x.kind {
            ExprKind::Attr(path) => {
                attribute(self.schema, path).map_or((i64::MIN, i64::MAX), |(_, a)| int_bounds(a))
            }
            _ => (i64::MIN, i64::MAX),
        };
        let (lo, hi) = match &e.kind {
            ExprKind::Const(Const::Int(v) | Const::Money(v)) => return formatted(*v),
            ExprKind::Unwrap(x) => bounds_of(x),
            _ => bounds_of(e),
        };
        // Lengths grow with the magnitude: the bounds and the value nearest zero bound every
        // value between.
        formatted(0.clamp(lo, hi))
            .or(&formatted(lo))
            .or(&formatted(hi))
    }

    fn dates(&self, e: &ir::Expr, f: &Format) -> Measure {
        let write = |d: Date| {
            let mut s = String::new();
            if *f == Format::Date {
                format::date_words(&mut s, d);
            } else {
                format::short_date(&mut s, d);
            }
            Measure::exact(&s)
        };
        if let ExprKind::Const(Const::Date(d)) = &e.kind {
            return write(*d);
        }
        // Day 1 or 2 digits, the shortest and longest month names, years 1 to 9999.
        let mut m = write(Date::MAX);
        for (y, mo, d) in [(1, 3, 1), (9999, 9, 30), (1, 1, 1)] {
            if let Some(date) = Date::new(y, mo, d) {
                m = m.or(&write(date));
            }
        }
        m
    }
}

trait Cased {
    fn cased(self, f: &Format, ty: &Ty) -> Measure;
}

impl Cased for Measure {
    /// Enum values under a case formatter: measured on the mapped names.
    fn cased(self, f: &Format, ty: &Ty) -> Measure {
        let Ty::Enum(values) = ty else { return self };
        let map = |v: &str| {
            let mut s = String::new();
            match f {
                Format::Upper => format::upper(&mut s, v),
                Format::Lower => format::lower(&mut s, v),
                Format::Capitalize => format::capitalize(&mut s, v),
                _ => s.push_str(v),
            }
            s
        };
        values
            .iter()
            .map(|v| Measure::exact(&map(v)))
            .reduce(|a, b| a.or(&b))
            .unwrap_or(self)
    }
}

fn enum_measure(values: &[String]) -> Measure {
    values
        .iter()
        .map(|v| Measure::exact(v))
        .reduce(|a, b| a.or(&b))
        .unwrap_or_else(Measure::empty)
}

/// The dotted name and the declaration of an attribute path.
pub fn attribute<'s>(fields: &'s Fields, path: &[usize]) -> Option<(String, &'s Attribute)> {
    let (first, rest) = path.split_first()?;
    let (name, attr) = fields.0.get(*first)?;
    if rest.is_empty() {
        return Some((name.clone(), attr));
    }
    let inner = match &attr.ty {
        Type::Record(f) => f,
        Type::Optional(t) => match &**t {
            Type::Record(f) => f,
            _ => return None,
        },
        _ => return None,
    };
    let (n, a) = attribute(inner, rest)?;
    Some((format!("{name}.{n}"), a))
}

/// The declared maximum length of a text attribute, in characters.
pub fn max_length(attr: &Attribute) -> Option<usize> {
    attr.max_length().and_then(|n| usize::try_from(n).ok())
}

/// The declared bounds of an int or money attribute (the type's extremes when undeclared).
fn int_bounds(attr: &Attribute) -> (i64, i64) {
    let v = |b: Option<Bound>, or: i64| match b {
        Some(Bound::Int(v) | Bound::Cents(v)) => v,
        _ => or,
    };
    (v(attr.range.min, i64::MIN), v(attr.range.max, i64::MAX))
}
