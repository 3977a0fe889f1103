//! The syntax tree of one `.guide` file, as written, with a byte span on every node.

use crate::diagnostic::Span;

/// A name with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// One parsed file: a campaign or a library.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// The `campaign { ... }` header, absent in a library.
    pub campaign: Option<Campaign>,
    /// Other headers found after the first (each is an error).
    pub extra_campaigns: Vec<Span>,
    /// `import "path"` lines.
    pub imports: Vec<Import>,
    /// Service declarations.
    pub services: Vec<Service>,
    /// Scenes, includes and branches, in storyboard order. In a library, the scene definitions.
    pub story: Vec<StoryItem>,
    /// The `ending { ... }` blocks (exactly one is expected in a campaign).
    pub endings: Vec<Scene>,
    /// `notify CHANNEL [when C] { ... }` blocks.
    pub notifications: Vec<Notify>,
}

/// `notify CHANNEL [when C] { ... }`: a message announcing the guide on one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Notify {
    /// The channel's name as written (`io`, `sms`, `email`).
    pub channel: Ident,
    /// `when C`: which recipients get it.
    pub when: Option<Expr>,
    /// The statements of its body, in order.
    pub stmts: Vec<NotifyStmt>,
    /// The whole block.
    pub span: Span,
    /// Whether some of its lines could not be parsed.
    pub broken: bool,
}

/// One line of a notification.
#[derive(Debug, Clone, PartialEq)]
pub enum NotifyStmt {
    /// `to PATH`: the contact attribute (SMS: mobile number; e-mail: address).
    To(Expr, Span),
    /// `segments N`: the most SMS segments the text may take.
    Segments(i64, Span),
    /// `subject "..."`.
    Subject(Template, Span),
    /// `body "..." [when C]`: a paragraph of an app IO message.
    Body(TextLine),
    /// `text "..." [when C]`: the SMS text, or a paragraph of the e-mail's plain text.
    Text(TextLine),
    /// `html "..." [when C]`: a piece of the e-mail's HTML body.
    Html(TextLine),
    /// `button SERVICE ["label"]` or `button "label"` (to the personal link).
    Button {
        /// The service, when the button opens one.
        service: Option<Ident>,
        /// The label (for a service, overrides its own).
        label: Option<Template>,
        /// The whole line.
        span: Span,
    },
}

/// The campaign header.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// `campaign ID`.
    pub id: Ident,
    /// Where the whole header is.
    pub span: Span,
    /// The header statements, in order.
    pub stmts: Vec<HeaderStmt>,
}

/// One line of the campaign header.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderStmt {
    /// `title "..."`.
    Title(Str),
    /// `locale "it-IT"`.
    Locale(Str),
    /// `schema "schema.ron"`.
    Schema(Str),
    /// `available until EXPR`.
    AvailableUntil(Expr, Span),
    /// `available for PERIOD from EXPR`.
    AvailableFor(Expr, Expr, Span),
    /// `requires EXPR`.
    Requires(Expr, Span),
    /// `length MIN to MAX`.
    Length(DurationLit, DurationLit, Span),
    /// `speaking rate N wpm`.
    Rate(u32, Span),
}

/// A plain string literal (no holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The unescaped value.
    pub value: String,
    /// Where, quotes included.
    pub span: Span,
}

/// `import "path"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The path as written.
    pub path: Str,
    /// The whole line.
    pub span: Span,
}

/// `service ID { label "..." url "..." }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its id.
    pub id: Ident,
    /// `label`.
    pub label: Option<Str>,
    /// `url`.
    pub url: Option<Str>,
    /// The whole block.
    pub span: Span,
}

/// An element of the storyboard.
#[derive(Debug, Clone, PartialEq)]
pub enum StoryItem {
    /// `scene ID [when C] { ... }`.
    Scene(Scene),
    /// `include ID [when C]`.
    Include(Include),
    /// `if C { ... } else if C { ... } else { ... }`.
    If(IfBlock),
    /// `match E { case v { ... } ... }`.
    Match(MatchBlock),
}

/// A scene, or the ending.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// The id (`ending` for the ending, spanning the keyword).
    pub id: Ident,
    /// `when C`.
    pub when: Option<Expr>,
    /// The statements of its body.
    pub stmts: Vec<SceneStmt>,
    /// The whole block.
    pub span: Span,
    /// Whether some of its lines could not be parsed (checks of its completeness are skipped).
    pub broken: bool,
}

/// `include ID [when C]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    /// The shared scene's id.
    pub id: Ident,
    /// `when C`.
    pub when: Option<Expr>,
    /// The whole line.
    pub span: Span,
}

/// One line of a scene body.
#[derive(Debug, Clone, PartialEq)]
pub enum SceneStmt {
    /// `visual "asset" alt "…"` or `visual "asset" decorative`.
    Visual(Visual),
    /// `duration 6.5s`.
    Duration(DurationLit),
    /// `text "..." [when C] [for x in list]`.
    Text(TextLine),
    /// `say "..." [when C]`.
    Say(TextLine),
    /// `popup ID { ... }`.
    Popup(Popup),
    /// `button SERVICE ["label"] [when C]`.
    Button(Button),
    /// `rating "question" from 1 to 5`.
    Rating(Rating),
}

/// A text or narration line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// Its template.
    pub template: Template,
    /// `when C`.
    pub when: Option<Expr>,
    /// `for NAME in PATH`.
    pub for_each: Option<ForEach>,
    /// The whole line.
    pub span: Span,
}

/// `for NAME in PATH`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach {
    /// The element's name.
    pub var: Ident,
    /// The list.
    pub list: Expr,
    /// The clause.
    pub span: Span,
}

/// `popup ID [when C] { button "..." title "..." body "..." }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Popup {
    /// Its id.
    pub id: Ident,
    /// `when C`.
    pub when: Option<Expr>,
    /// The label of the button that opens it.
    pub button: Option<Template>,
    /// Its title.
    pub title: Option<Template>,
    /// Its body.
    pub body: Option<Template>,
    /// The whole block.
    pub span: Span,
    /// Statements given twice (each is an error): the keyword's span.
    pub repeated: Vec<Span>,
    /// Whether some of its lines could not be parsed.
    pub broken: bool,
}

/// `button SERVICE ["label"] [when C]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    /// The service id.
    pub service: Ident,
    /// A label that overrides the service's.
    pub label: Option<Str>,
    /// `when C`.
    pub when: Option<Expr>,
    /// The whole line.
    pub span: Span,
}

/// `rating "question" from MIN to MAX`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// The question.
    pub question: Template,
    /// Scale start.
    pub min: (i64, Span),
    /// Scale end.
    pub max: (i64, Span),
    /// The whole line.
    pub span: Span,
}

/// `if` / `else if` / `else`.
#[derive(Debug, Clone, PartialEq)]
pub struct IfBlock {
    /// Conditions with their blocks, in order.
    pub arms: Vec<(Expr, Vec<StoryItem>)>,
    /// The `else` block.
    pub otherwise: Option<(Span, Vec<StoryItem>)>,
    /// The whole construct.
    pub span: Span,
}

/// `match SUBJECT { case a, b { ... } else { ... } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchBlock {
    /// What is matched.
    pub subject: Expr,
    /// The arms.
    pub cases: Vec<CaseArm>,
    /// The `else` arm: the keyword's span and the block.
    pub otherwise: Option<(Span, Vec<StoryItem>)>,
    /// The whole construct.
    pub span: Span,
}

/// `case a, b { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseArm {
    /// The values.
    pub values: Vec<Ident>,
    /// The block.
    pub body: Vec<StoryItem>,
    /// The `case ...` head.
    pub span: Span,
}

/// `visual "asset" [alt "…" | decorative]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Visual {
    /// The file, relative to the campaign's folder.
    pub file: Str,
    /// Its alternative text or the mark that it is decorative; `None` when neither is written
    /// (an error of the checker: WCAG 1.1.1).
    pub alt: Option<VisualAlt>,
    /// The whole line.
    pub span: Span,
}

/// What a visual says to whom cannot see it.
#[derive(Debug, Clone, PartialEq)]
pub enum VisualAlt {
    /// `alt "…"`: the alternative text.
    Text(Str),
    /// `decorative`: it adds nothing the texts do not say (the player gives it `alt=""`).
    Decorative(Span),
}

/// A duration literal, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationLit {
    /// Milliseconds.
    pub ms: u64,
    /// Where.
    pub span: Span,
}

/// A template: text with holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The pieces, in order.
    pub parts: Vec<TemplatePart>,
    /// Where, quotes included.
    pub span: Span,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text (escapes resolved).
    Text(String),
    /// `{expr | formatter}`.
    Hole {
        /// The expression.
        expr: Expr,
        /// The formatter.
        formatter: Option<Formatter>,
        /// The hole, braces included.
        span: Span,
    },
    /// `[masculine|feminine]`.
    Gender {
        /// Masculine form.
        masculine: String,
        /// Feminine form.
        feminine: String,
        /// Where, brackets included.
        span: Span,
    },
}

/// `| name("arg", ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatter {
    /// Its name.
    pub name: Ident,
    /// String arguments.
    pub args: Vec<Str>,
    /// Where.
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `a.b.c`: an attribute, a record field, or a bare enum value.
    Path(Vec<Ident>),
    /// `true` / `false`.
    Bool(bool),
    /// `42`.
    Int(i64),
    /// `0.75`.
    Decimal(f64),
    /// `€ 12.50`, in cents.
    Money(i64),
    /// `2024-02-29` (validated later).
    Date(String),
    /// `6 months`: months and days.
    Period {
        /// Months.
        months: i32,
        /// Days.
        days: i32,
    },
    /// `4s`.
    Duration(u64),
    /// `"text"`.
    Str(String),
    /// Prefix and infix operators.
    Unary(UnaryOp, Box<Expr>),
    /// A binary operation.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x is present` (true) / `x is absent` (false).
    Presence(Box<Expr>, bool),
    /// `count(x)`, `years_between(a, b)`: a function and its arguments (at least one).
    Call(Ident, Vec<Expr>),
    /// `any x in list: cond`.
    Any(Ident, Box<Expr>, Box<Expr>),
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
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
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `??`.
    Default,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Default => "??",
        }
    }
}
