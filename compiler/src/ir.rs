//! The typed intermediate representation: what the checker proves and code generation consumes.
//!
//! Every name is resolved (attributes to slot paths, services to their definitions, included
//! scenes inlined), every expression carries its type, and every optional value read is known to
//! be guarded. Spans point into the file each node came from (`file` indexes [`Campaign::files`]).

use crate::diagnostic::{SourceFile, Span};
use guide_runtime::schema::{Fields, Schema};

/// A checked campaign, ready for code generation.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// `campaign ID`.
    pub id: String,
    /// `title`.
    pub title: String,
    /// `locale`.
    pub locale: String,
    /// The recipient schema.
    pub schema: Schema,
    /// When the guide can be watched.
    pub availability: Availability,
    /// Who may receive it at all.
    pub requires: Option<Expr>,
    /// Declared bounds of the total duration, in ms.
    pub length: Option<(u64, u64)>,
    /// Where `length` is declared (in file 0).
    pub length_span: Option<Span>,
    /// Speaking rate, words per minute.
    pub rate_wpm: u32,
    /// The storyboard, ending excluded.
    pub story: Vec<Node>,
    /// The ending (always last).
    pub ending: Scene,
    /// Every source file involved: 0 is the campaign file, then imports, then the schema.
    pub files: Vec<SourceFile>,
    /// The messages that announce the guide (`notify` blocks), in the order written.
    pub notifications: Vec<Notification>,
}

/// A notification channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A message in the app IO (and INPS Mobile): subject, Markdown body, up to two buttons.
    Io,
    /// An SMS.
    Sms,
    /// An e-mail: subject, plain text and HTML.
    Email,
}

impl Channel {
    /// The channel's name, as written after `notify` and in `?c=`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Io => "io",
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    /// Every channel, in order.
    pub const ALL: [Channel; 3] = [Channel::Io, Channel::Sms, Channel::Email];
}

/// A `notify` block, checked.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The channel.
    pub channel: Channel,
    /// Which recipients get it (besides having the contact, for SMS and e-mail).
    pub when: Option<Expr>,
    /// The contact attribute (SMS: mobile number; e-mail: address); for the app IO, the key.
    pub to: Option<Expr>,
    /// The most SMS segments the text may take (1 when not declared).
    pub segments: u32,
    /// The subject (app IO, e-mail).
    pub subject: Option<NoteTemplate>,
    /// The app IO body paragraphs, the SMS text pieces or the e-mail's plain-text paragraphs.
    pub body: Vec<NoteLine>,
    /// The e-mail's HTML pieces.
    pub html: Vec<NoteLine>,
    /// The app IO buttons (at most two).
    pub buttons: Vec<NoteButton>,
    /// The channel's name, after `notify`.
    pub span: Span,
}

/// A paragraph (or piece) of a notification, shown when its condition holds.
#[derive(Debug, Clone)]
pub struct NoteLine {
    /// What it says.
    pub template: NoteTemplate,
    /// When it is included.
    pub when: Option<Expr>,
    /// Where.
    pub span: Span,
}

/// A notification button.
#[derive(Debug, Clone)]
pub struct NoteButton {
    /// Its label.
    pub label: NoteTemplate,
    /// Where it leads: the personal link (`None`) or a service's address.
    pub url: Option<String>,
    /// Where.
    pub span: Span,
}

/// A notification template: a guide template plus the personal link.
#[derive(Debug, Clone, Default)]
pub struct NoteTemplate {
    /// The pieces.
    pub pieces: Vec<Piece>,
}

/// A piece of a notification template.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Text, a value or an agreement, as in the guide's templates.
    Part(Part),
    /// `{link}`: the recipient's personal link, with the channel (`?c=sms`).
    Link,
}

/// The availability window.
#[derive(Debug, Clone)]
pub enum Availability {
    /// No window declared.
    Always,
    /// Until a date (an expression of type date, usually a literal).
    Until(Expr),
    /// A period from a date expression.
    For {
        /// Months.
        months: i32,
        /// Days.
        days: i32,
        /// The start date.
        from: Expr,
    },
}

/// An element of the storyboard.
#[derive(Debug, Clone)]
pub enum Node {
    /// A scene, with its own condition.
    Scene(Box<Scene>),
    /// Branches: the first true condition's block plays, else `otherwise`.
    If {
        /// Conditions and blocks.
        arms: Vec<(Expr, Vec<Node>)>,
        /// The else block (empty when absent).
        otherwise: Vec<Node>,
        /// Where.
        span: Span,
        /// In which file.
        file: usize,
    },
    /// A match on an enum value.
    Match {
        /// The enum-typed subject.
        subject: Expr,
        /// For each arm: the enum value indices it covers, and its block.
        arms: Vec<(Vec<u16>, Vec<Node>)>,
        /// The else block (empty when absent or unreachable).
        otherwise: Vec<Node>,
        /// Where.
        span: Span,
        /// In which file.
        file: usize,
    },
}

/// A scene (or the ending).
#[derive(Debug, Clone)]
pub struct Scene {
    /// Stable id.
    pub id: String,
    /// Where it was declared (the id).
    pub span: Span,
    /// In which file.
    pub file: usize,
    /// Whether it plays: its own condition, and for an included scene the `include`'s condition
    /// too (`And(include, own)` when both exist; see [`Scene::include`] for which is which).
    pub when: Option<Expr>,
    /// For a scene placed by `include ID [when C]`: where the include is (the scene's own spans,
    /// `span` and `file`, stay those of its library).
    pub include: Option<IncludeSite>,
    /// Asset reference.
    pub visual: Option<String>,
    /// The visual's alternative text; `None` when it is decorative (or there is no visual).
    pub visual_alt: Option<String>,
    /// Explicit duration in ms; otherwise derived from the narration.
    pub duration_ms: Option<u64>,
    /// On-screen lines.
    pub texts: Vec<Line>,
    /// Narration lines.
    pub says: Vec<Line>,
    /// Pop-ups.
    pub popups: Vec<Popup>,
    /// Buttons.
    pub buttons: Vec<Button>,
    /// The rating question (ending only).
    pub rating: Option<Rating>,
}

/// Where a shared scene was included.
#[derive(Debug, Clone)]
pub struct IncludeSite {
    /// The file with the `include` line.
    pub file: usize,
    /// The `include ...` line.
    pub span: Span,
    /// Its condition, if any: when present it is the first operand of the scene's `when`.
    pub when: Option<Expr>,
}

/// A text or narration line.
#[derive(Debug, Clone)]
pub struct Line {
    /// What it says.
    pub template: Template,
    /// When it is shown.
    pub when: Option<Expr>,
    /// Repeated for each element of this list (the element is local 0.. by nesting depth).
    pub for_each: Option<Expr>,
    /// Where.
    pub span: Span,
}

/// A pop-up.
#[derive(Debug, Clone)]
pub struct Popup {
    /// Id, unique in the campaign.
    pub id: String,
    /// When it is offered.
    pub when: Option<Expr>,
    /// Label of the button that opens it.
    pub button: Template,
    /// Title.
    pub title: Template,
    /// Body.
    pub body: Template,
    /// Where.
    pub span: Span,
}

/// A button to an online service.
#[derive(Debug, Clone)]
pub struct Button {
    /// The service id.
    pub service: String,
    /// The label shown.
    pub label: String,
    /// The address.
    pub url: String,
    /// When it is shown.
    pub when: Option<Expr>,
    /// Where.
    pub span: Span,
}

/// The closing rating question.
#[derive(Debug, Clone)]
pub struct Rating {
    /// The question.
    pub question: Template,
    /// Scale start (1).
    pub min: u8,
    /// Scale end.
    pub max: u8,
}

/// A text with typed holes.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The pieces.
    pub parts: Vec<Part>,
}

/// A piece of a template.
#[derive(Debug, Clone)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A formatted value.
    Value(Expr, Format),
    /// `[masculine|feminine]`.
    Gender {
        /// Masculine form.
        masculine: String,
        /// Feminine form.
        feminine: String,
    },
}

/// How a value is written into text.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// A string as is (also enum values).
    Str,
    /// `€ 1.234,56`.
    Money,
    /// `29 febbraio 2024`.
    Date,
    /// `29/02/2024`.
    ShortDate,
    /// `1.234`.
    Int,
    /// `0,75`.
    Decimal,
    /// `sì`/`no` for booleans.
    Bool,
    /// Upper case.
    Upper,
    /// Lower case.
    Lower,
    /// First letter upper case.
    Capitalize,
    /// `20 settimane`.
    Count(String, String),
    /// `settimane`.
    Plural(String, String),
}

/// The types of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Text.
    Str,
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// Decimal.
    Decimal,
    /// Money (cents).
    Money,
    /// Date.
    Date,
    /// Calendar period.
    Period,
    /// Duration (ms).
    Duration,
    /// An enum value, with the enum's values.
    Enum(Vec<String>),
    /// A set of enum values.
    Set(Vec<String>),
    /// A nested record.
    Record(Fields),
    /// A list of records.
    List(Fields),
    /// Possibly absent.
    Optional(Box<Ty>),
    /// The type of an expression that already produced an error.
    Error,
}

impl Ty {
    /// The type of a schema attribute.
    pub fn from_schema(t: &guide_runtime::schema::Type) -> Ty {
        use guide_runtime::schema::Type as T;
        match t {
            T::String => Ty::Str,
            T::Bool => Ty::Bool,
            T::Int => Ty::Int,
            T::Decimal => Ty::Decimal,
            T::Money => Ty::Money,
            T::Date => Ty::Date,
            T::Enum(v) => Ty::Enum(v.clone()),
            T::Set(v) => Ty::Set(v.clone()),
            T::Optional(t) => Ty::Optional(Box::new(Ty::from_schema(t))),
            T::Record(f) => Ty::Record(f.clone()),
            T::List(f) => Ty::List(f.clone()),
        }
    }

    /// The name used in messages.
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Decimal => "decimal".into(),
            Ty::Money => "money".into(),
            Ty::Date => "date".into(),
            Ty::Period => "period".into(),
            Ty::Duration => "duration".into(),
            Ty::Enum(v) => format!("enum ({})", v.join(", ")),
            Ty::Set(v) => format!("set of ({})", v.join(", ")),
            Ty::Record(_) => "record".into(),
            Ty::List(_) => "list".into(),
            Ty::Optional(t) => format!("optional {}", t.describe()),
            Ty::Error => "unknown".into(),
        }
    }
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Ty,
    /// Where.
    pub span: Span,
}

/// Constants.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Decimal.
    Decimal(f64),
    /// Cents.
    Money(i64),
    /// A date.
    Date(guide_runtime::Date),
    /// Months and days.
    Period(i32, i32),
    /// Milliseconds.
    Duration(u64),
    /// Text.
    Str(String),
    /// An enum value's index.
    Enum(u16),
}

/// The kinds of typed expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Const(Const),
    /// The reference date the host gives the evaluation (`today`).
    Today,
    /// An attribute of the recipient: slot indices through nested records.
    Attr(Vec<usize>),
    /// A field path inside a `for`/`any` element: the local's depth, then slot indices.
    Local(usize, Vec<usize>),
    /// `not`, `-`.
    Not(Box<Expr>),
    /// Numeric negation.
    Neg(Box<Expr>),
    /// `and` (short-circuit).
    And(Box<Expr>, Box<Expr>),
    /// `or` (short-circuit).
    Or(Box<Expr>, Box<Expr>),
    /// Comparison of two values of the same type.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// Enum value in a set (negated for `not in`).
    In(Box<Expr>, Box<Expr>, bool),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Presence of an optional value: the flag is true for `is present`, false for `is absent`.
    Present(Box<Expr>, bool),
    /// `a ?? b`.
    Default(Box<Expr>, Box<Expr>),
    /// An optional value proven present: its inner value.
    Unwrap(Box<Expr>),
    /// Number of elements of a list or set.
    Count(Box<Expr>),
    /// An int used as a decimal.
    ToDecimal(Box<Expr>),
    /// Whether some element of a list satisfies a condition (element is local at `depth`).
    Any(Box<Expr>, Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// Arithmetic operators, by operand types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// int + int.
    AddInt,
    /// int - int.
    SubInt,
    /// int * int.
    MulInt,
    /// decimal arithmetic (ints promoted).
    AddDec,
    /// decimal -.
    SubDec,
    /// decimal *.
    MulDec,
    /// decimal /.
    DivDec,
    /// money + money.
    AddMoney,
    /// money - money.
    SubMoney,
    /// money * int or decimal (rhs promoted to decimal).
    MulMoney,
    /// money / int or decimal.
    DivMoney,
    /// date + period.
    AddPeriod,
    /// date - period.
    SubPeriod,
    /// period + period.
    AddPeriods,
    /// period - period.
    SubPeriods,
    /// `years_between(a, b)`: whole years from date a to date b, an int.
    YearsBetween,
    /// `months_between(a, b)`: whole months.
    MonthsBetween,
    /// `days_between(a, b)`: days.
    DaysBetween,
}

impl CompareOp {
    /// The machine's comparison: the code generator emits it, and the checker's folding and the
    /// analyses evaluate with it (`guide_runtime::ops::compare`), as [`ArithOp::runtime`].
    pub fn runtime(self) -> guide_runtime::bytecode::CmpOp {
        use guide_runtime::bytecode::CmpOp;
        match self {
            CompareOp::Eq => CmpOp::Eq,
            CompareOp::Ne => CmpOp::Ne,
            CompareOp::Lt => CmpOp::Lt,
            CompareOp::Le => CmpOp::Le,
            CompareOp::Gt => CmpOp::Gt,
            CompareOp::Ge => CmpOp::Ge,
        }
    }
}

impl ArithOp {
    /// The machine's operator: the code generator emits it, and the checker's folding and the
    /// analyses evaluate with it (`guide_runtime::ops::arith`), so all three agree.
    pub fn runtime(self) -> guide_runtime::bytecode::ArithOp {
        match self {
            ArithOp::AddInt => guide_runtime::bytecode::ArithOp::AddInt,
            ArithOp::SubInt => guide_runtime::bytecode::ArithOp::SubInt,
            ArithOp::MulInt => guide_runtime::bytecode::ArithOp::MulInt,
            ArithOp::AddDec => guide_runtime::bytecode::ArithOp::AddDec,
            ArithOp::SubDec => guide_runtime::bytecode::ArithOp::SubDec,
            ArithOp::MulDec => guide_runtime::bytecode::ArithOp::MulDec,
            ArithOp::DivDec => guide_runtime::bytecode::ArithOp::DivDec,
            ArithOp::AddMoney => guide_runtime::bytecode::ArithOp::AddMoney,
            ArithOp::SubMoney => guide_runtime::bytecode::ArithOp::SubMoney,
            ArithOp::MulMoney => guide_runtime::bytecode::ArithOp::MulMoney,
            ArithOp::DivMoney => guide_runtime::bytecode::ArithOp::DivMoney,
            ArithOp::AddPeriod => guide_runtime::bytecode::ArithOp::AddPeriod,
            ArithOp::SubPeriod => guide_runtime::bytecode::ArithOp::SubPeriod,
            ArithOp::AddPeriods => guide_runtime::bytecode::ArithOp::AddPeriods,
            ArithOp::SubPeriods => guide_runtime::bytecode::ArithOp::SubPeriods,
            ArithOp::YearsBetween => guide_runtime::bytecode::ArithOp::YearsBetween,
            ArithOp::MonthsBetween => guide_runtime::bytecode::ArithOp::MonthsBetween,
            ArithOp::DaysBetween => guide_runtime::bytecode::ArithOp::DaysBetween,
        }
    }
}
