//! The portable scene bytecode (`.guidec`): its in-memory form ([`Module`]), its encoding
//! ([`writer`]), its decoding and validation ([`reader`]) and the loaded, validated [`Program`].
//!
//! The byte layout is specified in `language-spec/bytecode.md`; the constants are in [`format`](mod@format).
//! The compiler builds a [`Module`] from a checked campaign and calls [`writer::encode`]; a service
//! calls [`Program::from_bytes`], which decodes and validates everything once so that evaluation
//! can only fail on the recipient's data, never on the program.

pub mod format;
pub mod reader;
pub mod writer;

mod program;
pub(crate) mod verify;

pub use program::{Metadata, Program};
pub use reader::LoadError;

use crate::date::{Date, Period};
use crate::schema::{Fields, Schema, Type};

/// "No string": the index written for an absent optional string.
pub const NO_STRING: u32 = u32::MAX;
/// "No decision point": written in [`Op::IterBegin`] when the iteration is not a decision.
pub const NO_DECISION: u16 = u16::MAX;

/// A whole compiled campaign, as plain data: what [`writer::encode`] writes and
/// [`reader::decode`] reads back. Every reference to text is an index into [`Module::strings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The string pool, deduplicated by the producer.
    pub strings: Vec<String>,
    /// Campaign metadata.
    pub meta: Meta,
    /// The recipient schema.
    pub schema: Schema,
    /// Attribute paths: slot indices through nested records ([`Op::Attr`], [`Op::Local`]).
    pub paths: Vec<Vec<u16>>,
    /// Source files named by spans (indices into `strings`), relative to the campaign file.
    pub files: Vec<u32>,
    /// Source spans.
    pub spans: Vec<Span>,
    /// Decision points: every place where evaluation chooses between outcomes.
    pub decisions: Vec<DecisionPoint>,
    /// Scenes, the ending last.
    pub scenes: Vec<SceneDef>,
    /// Pop-ups.
    pub popups: Vec<PopupDef>,
    /// Online services.
    pub services: Vec<ServiceDef>,
    /// Buttons (a service and the label shown).
    pub buttons: Vec<ButtonDef>,
    /// Jump tables of [`Op::Match`]: for each enum value, the arm taken and its first
    /// instruction.
    pub jump_tables: Vec<Vec<MatchArm>>,
    /// The instructions.
    pub code: Vec<Op>,
    /// The line table: `(first instruction, span index)`, instructions in increasing order; an
    /// instruction's span is the one of the last entry at or before it.
    pub lines: Vec<(u32, u32)>,
}

impl Default for Module {
    fn default() -> Self {
        Module {
            strings: Vec::new(),
            meta: Meta::default(),
            schema: Schema {
                key: None,
                gender: None,
                attributes: Fields::default(),
            },
            paths: Vec::new(),
            files: Vec::new(),
            spans: Vec::new(),
            decisions: Vec::new(),
            scenes: Vec::new(),
            popups: Vec::new(),
            services: Vec::new(),
            buttons: Vec::new(),
            jump_tables: Vec::new(),
            code: Vec::new(),
            lines: Vec::new(),
        }
    }
}

/// Campaign metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    /// Campaign id (string index).
    pub id: u32,
    /// Title (string index).
    pub title: u32,
    /// Locale (string index).
    pub locale: u32,
    /// Speaking rate in words per minute (at least 1).
    pub rate_wpm: u32,
    /// Declared bounds of the total duration, in ms.
    pub length: Option<(u64, u64)>,
    /// When the guide can be watched.
    pub availability: AvailabilityRule,
    /// The consent/eligibility condition as written (string index), if any.
    pub requires: Option<u32>,
    /// The fingerprint of the embedded schema ([`schema_fingerprint`]).
    pub schema_fingerprint: u64,
}

/// The availability rule as declared (the code resolves it per recipient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AvailabilityRule {
    /// No window.
    #[default]
    Always,
    /// `available until EXPR`; the expression as written (string index).
    Until {
        /// The date expression as written.
        expr: u32,
    },
    /// `available for PERIOD from EXPR`.
    For {
        /// The period.
        period: Period,
        /// The start expression as written (string index).
        from: u32,
    },
}

/// A place in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Index into [`Module::files`].
    pub file: u16,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column (in characters) of the start.
    pub col: u32,
}

/// What kind of choice a decision point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DecisionKind {
    /// A scene's `when` (outcome 0 false, 1 true).
    Scene = 0,
    /// A `text` line's `when`.
    Text = 1,
    /// A `say` line's `when`.
    Say = 2,
    /// A pop-up's `when`.
    Popup = 3,
    /// A button's `when`.
    Button = 4,
    /// One arm of an `if`/`else if` chain (outcome 0 false, 1 true).
    If = 5,
    /// A `match` (outcome: the arm taken, from 0; the `else` is the last).
    Match = 6,
    /// A `[masculine|feminine]` agreement (outcome 0 masculine, 1 feminine, 2 neither).
    Gender = 7,
    /// A `text ... for x in LIST` repetition (outcome: the number of elements, saturated).
    ForEach = 8,
}

impl DecisionKind {
    /// The kind with this byte, if any.
    pub fn from_u8(b: u8) -> Option<DecisionKind> {
        use DecisionKind::*;
        Some(match b {
            0 => Scene,
            1 => Text,
            2 => Say,
            3 => Popup,
            4 => Button,
            5 => If,
            6 => Match,
            7 => Gender,
            8 => ForEach,
            _ => return None,
        })
    }

    /// A lower-case name for listings.
    pub fn name(self) -> &'static str {
        match self {
            DecisionKind::Scene => "scene",
            DecisionKind::Text => "text",
            DecisionKind::Say => "say",
            DecisionKind::Popup => "popup",
            DecisionKind::Button => "button",
            DecisionKind::If => "if",
            DecisionKind::Match => "match",
            DecisionKind::Gender => "gender",
            DecisionKind::ForEach => "for",
        }
    }
}

/// One decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionPoint {
    /// What kind of choice.
    pub kind: DecisionKind,
    /// Where (index into [`Module::spans`]).
    pub span: u32,
    /// A readable description, e.g. `scene figli when count(figli) > 0` (string index).
    pub label: u32,
    /// Number of possible outcomes; 0 when unbounded ([`DecisionKind::ForEach`]).
    pub outcomes: u16,
}

/// A scene (or the ending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SceneDef {
    /// Stable id (string index).
    pub id: u32,
    /// Where it is declared (span index).
    pub span: u32,
    /// Asset reference (string index) or [`NO_STRING`].
    pub visual: u32,
    /// The visual's alternative text (string index), or [`NO_STRING`] when it is decorative
    /// or there is no visual (section `ALTS`).
    pub alt: u32,
    /// Explicit duration in ms; 0 means derived from the narration.
    pub duration_ms: u64,
    /// The rating scale `(min, max)`, ending only.
    pub rating: Option<(u8, u8)>,
}

/// A pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopupDef {
    /// Stable id (string index).
    pub id: u32,
    /// Where (span index).
    pub span: u32,
}

/// An online service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceDef {
    /// Stable id (string index).
    pub id: u32,
    /// Default label (string index).
    pub label: u32,
    /// Address (string index).
    pub url: u32,
}

/// A button: a service with the label shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonDef {
    /// Index into [`Module::services`].
    pub service: u16,
    /// The label shown (string index).
    pub label: u32,
    /// Where (span index).
    pub span: u32,
}

/// One entry of a [`Op::Match`] jump table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchArm {
    /// The arm (the decision's outcome).
    pub arm: u16,
    /// Its first instruction.
    pub target: u32,
}

/// Where a text line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Target {
    /// An on-screen line of the scene.
    Text = 0,
    /// A narration line of the scene.
    Say = 1,
    /// The label of the button opening the current pop-up.
    PopupButton = 2,
    /// The current pop-up's title.
    PopupTitle = 3,
    /// The current pop-up's body.
    PopupBody = 4,
    /// The ending's rating question.
    Rating = 5,
}

impl Target {
    /// The target with this byte, if any.
    pub fn from_u8(b: u8) -> Option<Target> {
        Some(match b {
            0 => Target::Text,
            1 => Target::Say,
            2 => Target::PopupButton,
            3 => Target::PopupTitle,
            4 => Target::PopupBody,
            5 => Target::Rating,
            _ => return None,
        })
    }

    /// A lower-case name for listings.
    pub fn name(self) -> &'static str {
        match self {
            Target::Text => "text",
            Target::Say => "say",
            Target::PopupButton => "popup.button",
            Target::PopupTitle => "popup.title",
            Target::PopupBody => "popup.body",
            Target::Rating => "rating",
        }
    }
}

/// Comparison operators of [`Op::Cmp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CmpOp {
    /// `==`.
    Eq = 0,
    /// `!=`.
    Ne = 1,
    /// `<`.
    Lt = 2,
    /// `<=`.
    Le = 3,
    /// `>`.
    Gt = 4,
    /// `>=`.
    Ge = 5,
}

impl CmpOp {
    /// The operator with this byte, if any.
    pub fn from_u8(b: u8) -> Option<CmpOp> {
        Some(match b {
            0 => CmpOp::Eq,
            1 => CmpOp::Ne,
            2 => CmpOp::Lt,
            3 => CmpOp::Le,
            4 => CmpOp::Gt,
            5 => CmpOp::Ge,
            _ => return None,
        })
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators of [`Op::Arith`], by operand types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ArithOp {
    /// int + int.
    AddInt = 0,
    /// int - int.
    SubInt = 1,
    /// int * int.
    MulInt = 2,
    /// decimal + decimal.
    AddDec = 3,
    /// decimal - decimal.
    SubDec = 4,
    /// decimal * decimal.
    MulDec = 5,
    /// decimal / decimal.
    DivDec = 6,
    /// money + money.
    AddMoney = 7,
    /// money - money.
    SubMoney = 8,
    /// money * decimal, rounded to the cent half away from zero.
    MulMoney = 9,
    /// money / decimal, rounded to the cent half away from zero.
    DivMoney = 10,
    /// date + period.
    AddPeriod = 11,
    /// date - period.
    SubPeriod = 12,
    /// period + period (months with months, days with days). Since format 1.1.
    AddPeriods = 13,
    /// period - period. Since format 1.1.
    SubPeriods = 14,
    /// Whole years from a date to another ([`Date::years_until`]): an int. Since format 1.1.
    YearsBetween = 15,
    /// Whole months from a date to another ([`Date::months_until`]): an int. Since format 1.1.
    MonthsBetween = 16,
    /// Days from a date to another ([`Date::days_until`]): an int. Since format 1.1.
    DaysBetween = 17,
}

impl ArithOp {
    /// The operator with this byte, if any.
    pub fn from_u8(b: u8) -> Option<ArithOp> {
        use ArithOp::*;
        Some(match b {
            0 => AddInt,
            1 => SubInt,
            2 => MulInt,
            3 => AddDec,
            4 => SubDec,
            5 => MulDec,
            6 => DivDec,
            7 => AddMoney,
            8 => SubMoney,
            9 => MulMoney,
            10 => DivMoney,
            11 => AddPeriod,
            12 => SubPeriod,
            13 => AddPeriods,
            14 => SubPeriods,
            15 => YearsBetween,
            16 => MonthsBetween,
            17 => DaysBetween,
            _ => return None,
        })
    }

    /// A lower-case name for listings.
    pub fn name(self) -> &'static str {
        use ArithOp::*;
        match self {
            AddInt => "add.int",
            SubInt => "sub.int",
            MulInt => "mul.int",
            AddDec => "add.dec",
            SubDec => "sub.dec",
            MulDec => "mul.dec",
            DivDec => "div.dec",
            AddMoney => "add.money",
            SubMoney => "sub.money",
            MulMoney => "mul.money",
            DivMoney => "div.money",
            AddPeriod => "add.period",
            SubPeriod => "sub.period",
            AddPeriods => "add.periods",
            SubPeriods => "sub.periods",
            YearsBetween => "years.between",
            MonthsBetween => "months.between",
            DaysBetween => "days.between",
        }
    }

    /// The minor version of the format that introduced this operator.
    pub fn since_minor(self) -> u16 {
        if (self as u8) < ArithOp::AddPeriods as u8 {
            0
        } else {
            1
        }
    }
}

/// How [`Op::Fmt`] writes a value into the current line (see "Text templates" in the language
/// reference; every formatter is one of [`crate::format`]'s functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FmtKind {
    /// A string as is, or an enum value's name.
    Str,
    /// Money: `€ 1.234,56`.
    Money,
    /// A date in words: `29 febbraio 2024`.
    Date,
    /// A date as `29/02/2024`.
    ShortDate,
    /// An integer: `1.234`.
    Int,
    /// A decimal: `0,75`.
    Decimal,
    /// A boolean: `sì` / `no`.
    Bool,
    /// A string (or enum name) in upper case.
    Upper,
    /// In lower case.
    Lower,
    /// First letter upper case.
    Capitalize,
    /// An integer and the agreeing word: `20 settimane` (singular, plural: string indices).
    Count(u32, u32),
    /// Only the agreeing word (singular, plural: string indices).
    Plural(u32, u32),
}

impl FmtKind {
    /// A lower-case name for listings.
    pub fn name(self) -> &'static str {
        match self {
            FmtKind::Str => "str",
            FmtKind::Money => "money",
            FmtKind::Date => "date",
            FmtKind::ShortDate => "short_date",
            FmtKind::Int => "int",
            FmtKind::Decimal => "decimal",
            FmtKind::Bool => "bool",
            FmtKind::Upper => "upper",
            FmtKind::Lower => "lower",
            FmtKind::Capitalize => "capitalize",
            FmtKind::Count(..) => "count",
            FmtKind::Plural(..) => "plural",
        }
    }
}

/// One instruction. The machine has a value stack, a stack of iteration frames (the elements of
/// `for`/`any` lists) and the output under construction. Jump targets are instruction indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// Push a boolean.
    PushBool(bool),
    /// Push an integer.
    PushInt(i64),
    /// Push a decimal.
    PushDec(f64),
    /// Push an amount, in cents.
    PushMoney(i64),
    /// Push a date.
    PushDate(Date),
    /// Push a period.
    PushPeriod(Period),
    /// Push a pool string.
    PushStr(u32),
    /// Push an enum value: the enum (see [`enum_table`]) and the value's index.
    PushEnum {
        /// The enum's index in [`enum_table`].
        enum_id: u16,
        /// The value's index among the enum's values.
        value: u16,
    },
    /// Push the reference date the host gave the evaluation (`today`). Since format 1.1.
    Today,
    /// Push the recipient's attribute at a path (index into [`Module::paths`]).
    Attr(u32),
    /// Push a field of the element of an enclosing iteration.
    Local {
        /// The iteration, 0 the outermost.
        depth: u8,
        /// The path inside the element (index into [`Module::paths`]; may be empty).
        path: u32,
    },
    /// Pop a bool, push its negation.
    Not,
    /// Pop an int, decimal or money, push its opposite.
    Neg,
    /// Pop two values of the same type, push the comparison.
    Cmp(CmpOp),
    /// Pop a set and an enum value of its enum, push membership (negated for `not in`).
    In {
        /// `not in`.
        negated: bool,
    },
    /// Pop two operands, push the result.
    Arith(ArithOp),
    /// Pop an optional value, push whether it is present (negated for `is absent`).
    Present {
        /// `is absent`.
        negated: bool,
    },
    /// Pop an optional value proven present, push it (an absent value is an evaluation error).
    Unwrap,
    /// `a ?? b`: the top is an optional value; if present, replace it by its value and jump;
    /// otherwise pop it and continue (the code for `b` follows).
    Coalesce(u32),
    /// Pop a list or a set, push its number of elements.
    Count,
    /// Pop an int, push it as a decimal.
    ToDec,
    /// Pop nothing, jump.
    Jump(u32),
    /// `and`: if the top (a bool) is false, jump keeping it; otherwise pop it.
    JumpIfFalseOrPop(u32),
    /// `or`: if the top (a bool) is true, jump keeping it; otherwise pop it.
    JumpIfTrueOrPop(u32),
    /// Pop a bool; jump if false.
    JumpIfFalse(u32),
    /// Pop a bool, record it as the outcome of a decision point, jump if false.
    Branch {
        /// The decision point.
        decision: u16,
        /// Where to go when false.
        target: u32,
    },
    /// Pop an enum value, record the arm as the outcome of a decision point and jump to it.
    Match {
        /// The decision point.
        decision: u16,
        /// Index into [`Module::jump_tables`]: one entry per value of the enum.
        table: u32,
    },
    /// Pop a list and start iterating over it (recording its length when `decision` is not
    /// [`NO_DECISION`]).
    IterBegin {
        /// A [`DecisionKind::ForEach`] decision point, or [`NO_DECISION`].
        decision: u16,
    },
    /// Move the innermost iteration to its next element; when there is none, end the
    /// iteration and jump.
    IterNext(u32),
    /// End the innermost iteration early.
    IterEnd,
    /// Pop a value.
    Pop,
    /// Pop a bool: when false, the recipient is not eligible and evaluation stops.
    Require,
    /// Pop a date: the guide is available until it.
    AvailableUntil,
    /// Pop a date: the guide is available from it for a period.
    AvailableFor(Period),
    /// Start a scene (index into [`Module::scenes`]).
    Scene(u16),
    /// End the current scene.
    EndScene,
    /// Start a line of text going to a target.
    Line(Target),
    /// Append a pool string to the current line.
    Lit(u32),
    /// Pop a value and append it, formatted, to the current line.
    Fmt(FmtKind),
    /// Append the form agreeing with the recipient's gender (strings), recording the decision.
    Gender {
        /// The decision point.
        decision: u16,
        /// The masculine form.
        masculine: u32,
        /// The feminine form.
        feminine: u32,
    },
    /// End the current line.
    EndLine,
    /// A whole line of static text (a pool string) going to a target.
    StaticLine {
        /// Where it goes.
        target: Target,
        /// The text.
        text: u32,
    },
    /// Start a pop-up (index into [`Module::popups`]); three lines follow (button label, title,
    /// body), then [`Op::EndPopup`].
    Popup(u16),
    /// End the current pop-up.
    EndPopup,
    /// Add a button (index into [`Module::buttons`]) to the current scene.
    Button(u16),
    /// End of evaluation.
    Halt,
}

impl Op {
    /// The minor version of the format that introduced this instruction: a writer declares the
    /// highest minor its code needs (so a campaign that uses nothing newer keeps the bytes of
    /// version 1.0), and a reader rejects an instruction newer than the file's minor.
    pub fn since_minor(self) -> u16 {
        match self {
            Op::Today => 1,
            Op::Arith(a) => a.since_minor(),
            _ => 0,
        }
    }
}

/// The enums of a schema, deduplicated by their list of values, in the order they are first met
/// walking the attributes depth first (sets count as their enum). [`Op::PushEnum`] names an enum
/// by its position here; the compiler and the runtime both number enums with this function.
pub fn enum_table(schema: &Schema) -> Vec<&[String]> {
    fn walk<'s>(fields: &'s Fields, out: &mut Vec<&'s [String]>) {
        for (_, attr) in fields.iter() {
            ty(&attr.ty, out);
        }
    }
    fn ty<'s>(t: &'s Type, out: &mut Vec<&'s [String]>) {
        match t {
            Type::Enum(v) | Type::Set(v) if !out.contains(&v.as_slice()) => out.push(v),
            Type::Optional(inner) => ty(inner, out),
            Type::Record(f) | Type::List(f) => walk(f, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&schema.attributes, &mut out);
    out
}

/// The fingerprint of a schema: FNV-1a 64 of its canonical encoding (the body of the `SCHM`
/// section). Two schemas have the same fingerprint when they declare the same attributes, types,
/// descriptions, key and gender, in the same order.
pub fn schema_fingerprint(schema: &Schema) -> u64 {
    crate::checksum::fnv1a64(&writer::encode_schema(schema))
}
