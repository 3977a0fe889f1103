//! What the checker can find wrong (or suspicious), as data: the facts (types, names in scope,
//! spans, in this file or in others), never prose. [`crate::report`] writes the messages.

use crate::diagnostic::{Severity, Span};
use crate::ir::Ty;
use crate::syntax::ast::BinaryOp;

/// Which file a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileId {
    /// A `.guide` file: an index into the project's files (0 is the campaign).
    Guide(usize),
    /// The campaign's schema file.
    Schema,
}

/// A checker problem with the file it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The file.
    pub file: FileId,
    /// The problem.
    pub error: CheckError,
}

/// A place in a `.guide` file of the project (maybe another file than the problem's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index into the project's files.
    pub file: usize,
    /// Where in that file.
    pub span: Span,
}

/// What a value should have been, where a [`CheckError::TypeMismatch`] is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// This exact type.
    Type(Ty),
    /// An int, a decimal or money.
    NumberOrAmount,
    /// A list or a set.
    ListOrSet,
    /// A list of records.
    List,
    /// A record (something with fields).
    Record,
    /// An optional attribute.
    Optional,
    /// A set of enum values.
    Set,
    /// A date.
    Date,
    /// A calendar period (`6 months`).
    Period,
    /// One of these enum values.
    OneOf(Vec<String>),
}

/// Where a [`CheckError::TypeMismatch`] was found: the construct that needed the type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// The operand of unary `-`.
    Negation,
    /// The argument of `count(...)`.
    Count,
    /// The list of `any x in LIST: ...`.
    AnyIn,
    /// The list of `for x in LIST`.
    ForEach,
    /// The date of `available until`.
    AvailableUntil,
    /// The period of `available for`.
    AvailableFor,
    /// The date after `from` in `available for ... from`.
    AvailableFrom,
    /// `path.field` where `path` (as written) has no fields.
    FieldAccess {
        /// The path before the field, as written.
        path: String,
        /// The field asked for.
        field: String,
    },
    /// The left side of `??`.
    DefaultOf,
    /// The right side of `in` / `not in`.
    Membership,
    /// The left side of `in` / `not in` (a value of the set's enum).
    SetMember,
    /// The default after `??`, which must have the optional attribute's type.
    DefaultValue,
    /// An argument of `years_between`, `months_between` or `days_between` (the function).
    DateSpan(String),
}

/// What kind of id is declared twice ([`CheckError::DuplicateId`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A scene of the campaign (or an included one).
    Scene,
    /// A scene of an imported library.
    SharedScene,
    /// A service.
    Service,
    /// A pop-up.
    PopUp,
}

/// What is wrong with a `notify` block ([`CheckError::Notification`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NotifyProblem {
    /// E0701: `notify` names no known channel.
    UnknownChannel {
        /// The name written.
        name: String,
    },
    /// E0702: a statement the channel does not take.
    NotForChannel {
        /// The statement's first word.
        statement: &'static str,
        /// The channel.
        channel: &'static str,
    },
    /// E0703: a statement the channel needs is missing.
    Missing {
        /// The statement's first word.
        statement: &'static str,
        /// The channel.
        channel: &'static str,
    },
    /// E0704: more buttons than an app IO message carries.
    TooManyButtons {
        /// The most allowed.
        max: usize,
    },
    /// E0704: `segments` outside 1..=10.
    Segments {
        /// The number written.
        found: i64,
    },
    /// E0705: the contact after `to` is not text.
    ContactNotText {
        /// Its type.
        found: Ty,
    },
    /// E0706: `{deadline}` in a campaign with no availability window.
    NoDeadline,
    /// E0706: `{link}` takes no formatter.
    LinkFormatter,
    /// E0707: an app IO message needs the schema's key (the fiscal code).
    IoWithoutKey,
    /// E0708: a second block for the same channel.
    SecondOfChannel {
        /// The channel.
        channel: &'static str,
        /// The first block's channel name.
        first: Span,
    },
}

/// A required part that is missing or empty ([`CheckError::Missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `title ""`: a title with no text.
    TitleText,
    /// The campaign's `title`.
    CampaignTitle,
    /// The campaign's `schema`.
    CampaignSchema,
    /// A service's `label`.
    ServiceLabel,
    /// A service's `url`.
    ServiceUrl,
    /// A pop-up's `button`.
    PopupButton,
    /// A pop-up's `title`.
    PopupTitle,
    /// A pop-up's `body`.
    PopupBody,
}

/// Which kind of file cannot be read ([`CheckError::MissingFile`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The campaign's schema.
    Schema,
    /// An imported library.
    Import,
}

/// Something that is in the wrong place ([`CheckError::NotHere`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misplaced {
    /// A second `campaign` header in a file.
    SecondCampaign,
    /// An `ending` block in a library.
    EndingInLibrary,
    /// A second `ending` block.
    SecondEnding,
    /// A `when` on the ending.
    EndingCondition,
    /// An `include` in a library.
    IncludeInLibrary,
    /// An `if` block in a library.
    IfInLibrary,
    /// A `match` block in a library.
    MatchInLibrary,
    /// `notify` in a library (notifications belong to a campaign).
    NotifyInLibrary,
    /// A `rating` in a scene that is not the ending.
    RatingOutsideEnding,
}

/// A declared number or text outside what is allowed ([`CheckError::OutOfRange`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// A service url that is not an http(s) address.
    ServiceUrl,
    /// `length A to B` with A longer than B (both in ms).
    LengthReversed {
        /// The first bound.
        shortest_ms: u64,
        /// The second bound.
        longest_ms: u64,
    },
    /// A speaking rate outside 60..=400 words per minute.
    SpeakingRate(u32),
    /// `duration 0s`.
    ZeroDuration,
}

/// Why a condition is constant ([`CheckError::ConstantCondition`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constant {
    /// It reads nothing of the recipient.
    Independent,
    /// A presence test on a value an enclosing condition already proved present.
    ProvenPresent,
    /// A presence test on a value that is not optional (as written).
    NotOptional(String),
}

/// A problem found while checking a campaign against its schema.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    /// E0101: a name that is no attribute, field or value in scope.
    UnknownAttribute {
        /// Where.
        span: Span,
        /// The name.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// E0102: a value of the wrong type.
    TypeMismatch {
        /// Where.
        span: Span,
        /// What was needed.
        expected: Expected,
        /// What it is.
        found: Ty,
        /// The construct that needed it.
        context: Context,
    },
    /// E0103: a condition that is not true/false.
    NotBoolean {
        /// Where.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// E0104: a value that is not one of the enum's.
    NotInEnum {
        /// Where.
        span: Span,
        /// The value.
        value: String,
        /// The enum's values.
        allowed: Vec<String>,
        /// The closest value.
        suggestion: Option<String>,
    },
    /// E0105: a field a record does not have.
    UnknownField {
        /// Where.
        span: Span,
        /// The field.
        name: String,
        /// The record's path.
        record: String,
        /// Its fields.
        fields: Vec<String>,
    },
    /// E0106: an operator that does not apply to these types.
    BadOperands {
        /// Where.
        span: Span,
        /// The operator.
        op: BinaryOp,
        /// Left type.
        left: Ty,
        /// Right type.
        right: Ty,
    },
    /// E0107: an optional value used without a presence test or default.
    Unguarded {
        /// Where.
        span: Span,
        /// As written.
        name: String,
    },
    /// E0108: a formatter applied to a type it does not format.
    BadFormatter {
        /// Where.
        span: Span,
        /// The formatter (`None` for the default one of a bare `{value}`).
        formatter: Option<String>,
        /// The value's type.
        found: Ty,
    },
    /// E0109: `[m|f]` without a gender attribute in the schema.
    NoGender {
        /// Where.
        span: Span,
    },
    /// E0110: a date that does not exist.
    InvalidDate {
        /// Where.
        span: Span,
        /// As written.
        text: String,
    },
    /// E0111: a formatter that does not exist, or with wrong arguments.
    UnknownFormatter {
        /// Where.
        span: Span,
        /// The name.
        name: String,
        /// The closest.
        suggestion: Option<String>,
    },
    /// E0112: a function that does not exist.
    UnknownFunction {
        /// Where.
        span: Span,
        /// The name.
        name: String,
        /// The closest function, if one is close.
        suggestion: Option<String>,
    },
    /// E0113: a function called with the wrong number of arguments.
    FunctionArgs {
        /// The arguments (the name when there are none).
        span: Span,
        /// The function.
        name: String,
        /// How many it takes.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// E0113: wrong arguments to a formatter.
    FormatterArgs {
        /// Where.
        span: Span,
        /// The formatter.
        name: String,
    },
    /// E0201: a scene or pop-up id used twice.
    DuplicateId {
        /// The second one.
        span: Span,
        /// What kind of id.
        what: IdKind,
        /// The id.
        id: String,
        /// The first one, in this file or another.
        first: Place,
    },
    /// E0203: an unknown service.
    UnknownService {
        /// Where.
        span: Span,
        /// The id.
        id: String,
        /// The closest.
        suggestion: Option<String>,
    },
    /// E0204: an unknown shared scene.
    UnknownScene {
        /// Where.
        span: Span,
        /// The id.
        id: String,
        /// The closest.
        suggestion: Option<String>,
        /// Whether any library is imported.
        has_imports: bool,
    },
    /// E0206: a campaign without an ending.
    MissingEnding {
        /// The campaign header.
        span: Span,
    },
    /// E0207: a rating scale other than 1..N with 2 <= N <= 10.
    BadRating {
        /// Where.
        span: Span,
        /// Start.
        min: i64,
        /// End.
        max: i64,
    },
    /// E0701..E0707: a `notify` block the channel cannot send.
    Notification {
        /// Where.
        span: Span,
        /// What is wrong.
        problem: NotifyProblem,
    },
    /// E0208: a required part missing.
    Missing {
        /// Where it should be.
        span: Span,
        /// What is missing.
        what: Part,
    },
    /// E0209: a statement given twice where one is allowed.
    Repeated {
        /// The second one.
        span: Span,
        /// What.
        what: String,
    },
    /// E0210: something in a place where it has no meaning.
    NotHere {
        /// Where.
        span: Span,
        /// What it is.
        what: Misplaced,
    },
    /// E0212: an unsupported locale.
    BadLocale {
        /// Where.
        span: Span,
        /// As written.
        locale: String,
    },
    /// E0213: a declared number (or address) out of range.
    OutOfRange {
        /// Where.
        span: Span,
        /// Which bound.
        bound: Bound,
    },
    /// E0214: a scene with nothing to show or say.
    EmptyScene {
        /// The id.
        span: Span,
        /// The id.
        id: String,
    },
    /// E0301: an import or schema file that cannot be read.
    MissingFile {
        /// The path string.
        span: Span,
        /// The resolved path.
        path: String,
        /// Why.
        reason: String,
        /// What kind of file.
        what: FileKind,
    },
    /// E0302: importing a file that is a campaign.
    ImportCampaign {
        /// The path string.
        span: Span,
        /// The path.
        path: String,
    },
    /// E0303: a file importing itself through others.
    ImportCycle {
        /// The import that closes the cycle.
        span: Span,
        /// The cycle, as paths.
        cycle: Vec<String>,
    },
    /// E0403: `match` on something that is not an enum.
    MatchNotEnum {
        /// Where.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// E0404: a `match` that misses values.
    NonExhaustive {
        /// The `match`.
        span: Span,
        /// The missing values.
        missing: Vec<String>,
    },
    /// E0405: a value listed in two arms.
    DuplicateArm {
        /// The second one.
        span: Span,
        /// The value.
        value: String,
        /// The first.
        first: Span,
    },
    /// E0406: an `else` that can never play.
    UnreachableElse {
        /// The `else`.
        span: Span,
    },
    /// E0220: a `visual` with neither `alt "…"` nor `decorative` (WCAG 1.1.1).
    MissingAlt {
        /// The `visual` line.
        span: Span,
        /// Its file.
        visual: String,
    },
    /// W0110: a `visual` whose file is not in the campaign's folder.
    MissingVisual {
        /// The file name, in the `visual` line.
        span: Span,
        /// The path looked at.
        path: String,
    },
    /// W0101: an attribute no expression uses.
    UnusedAttribute {
        /// In the schema file.
        span: Span,
        /// The name.
        name: String,
    },
    /// W0102: a condition that does not depend on the recipient.
    ConstantCondition {
        /// Where.
        span: Span,
        /// Its value.
        value: bool,
        /// Why.
        why: Constant,
    },
    /// W0103: a comparison that the range an attribute declares makes always true or false.
    RangeCondition {
        /// The comparison.
        span: Span,
        /// Its value, for every record the schema allows.
        value: bool,
        /// The attribute compared.
        attribute: String,
        /// Its range as the schema writes it: `min: 0.00`.
        range: String,
    },
}

impl CheckError {
    /// Whether it stops compilation or is only worth a look.
    pub fn severity(&self) -> Severity {
        match self {
            CheckError::UnusedAttribute { .. }
            | CheckError::ConstantCondition { .. }
            | CheckError::RangeCondition { .. }
            | CheckError::MissingVisual { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}
