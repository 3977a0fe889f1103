//! What the checker can find wrong (or suspicious), as data.

use crate::diagnostic::{Diagnostic, IntoDiagnostic, SourceFile, Span};

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
        expected: String,
        /// What it is.
        found: String,
        /// What to write instead.
        help: String,
    },
    /// E0103: a condition that is not true/false.
    NotBoolean {
        /// Where.
        span: Span,
        /// Its type.
        found: String,
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
        op: String,
        /// Left type.
        left: String,
        /// Right type.
        right: String,
        /// What to write instead.
        help: String,
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
        /// The formatter (`(none)` for the default).
        formatter: String,
        /// The value's type.
        found: String,
        /// What it accepts.
        accepts: String,
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
    },
    /// E0113: wrong arguments to a formatter.
    FormatterArgs {
        /// Where.
        span: Span,
        /// The formatter.
        name: String,
        /// What it takes.
        takes: String,
    },
    /// E0201: a scene or pop-up id used twice.
    DuplicateId {
        /// The second one.
        span: Span,
        /// What kind of id.
        what: &'static str,
        /// The id.
        id: String,
        /// The first one, when in the same file.
        first: Option<Span>,
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
    /// E0208: a required part missing.
    Missing {
        /// Where it should be.
        span: Span,
        /// What is missing.
        what: &'static str,
        /// How to write it.
        example: &'static str,
    },
    /// E0209: a statement given twice where one is allowed.
    Repeated {
        /// The second one.
        span: Span,
        /// What.
        what: String,
    },
    /// E0210: something that must be unique or absent.
    NotHere {
        /// Where.
        span: Span,
        /// What.
        message: String,
        /// What to do.
        help: String,
    },
    /// E0212: an unsupported locale.
    BadLocale {
        /// Where.
        span: Span,
        /// As written.
        locale: String,
    },
    /// E0213: a declared number out of range.
    OutOfRange {
        /// Where.
        span: Span,
        /// What.
        message: String,
        /// What to write.
        help: String,
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
        what: &'static str,
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
        found: String,
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
        why: String,
    },
}

fn join(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl IntoDiagnostic for CheckError {
    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        use CheckError::*;
        match self {
            UnknownAttribute {
                span,
                name,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    "E0101",
                    format!("unknown attribute `{name}`"),
                    file,
                    span,
                    format!("the schema has no attribute `{name}`, and no value of that name fits here"),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(
                        "use an attribute declared in the campaign's schema.ron, or declare it there",
                    ),
                }
            }
            TypeMismatch {
                span,
                expected,
                found,
                help,
            } => Diagnostic::error(
                "E0102",
                format!("expected {expected}, found {found}"),
                file,
                span,
                format!("this is a {found}"),
            )
            .with_help(help),
            NotBoolean { span, found } => Diagnostic::error(
                "E0103",
                "a condition must be true or false",
                file,
                span,
                format!("this is a {found}, not a condition"),
            )
            .with_help("compare it with something, e.g. `eta >= 55`, `sesso == F`, `x is present`"),
            NotInEnum {
                span,
                value,
                allowed,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    "E0104",
                    format!("`{value}` is not one of the values"),
                    file,
                    span,
                    format!("the possible values are {}", join(&allowed)),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("write one of {}", join(&allowed))),
                }
            }
            UnknownField {
                span,
                name,
                record,
                fields,
            } => Diagnostic::error(
                "E0105",
                format!("`{record}` has no field `{name}`"),
                file,
                span,
                format!("the fields of `{record}` are {}", join(&fields)),
            )
            .with_help(
                match crate::diagnostic::did_you_mean(&name, fields.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of {}", join(&fields)),
                },
            ),
            BadOperands {
                span,
                op,
                left,
                right,
                help,
            } => Diagnostic::error(
                "E0106",
                format!("`{op}` cannot combine {left} and {right}"),
                file,
                span,
                format!("{left} {op} {right} has no meaning"),
            )
            .with_help(help),
            Unguarded { span, name } => Diagnostic::error(
                "E0107",
                format!("`{name}` may be absent"),
                file,
                span,
                format!("`{name}` is optional and nothing here proves it is present"),
            )
            .with_help(format!(
                "add `when {name} is present` to the line or scene, or give a default: `{name} ?? ...`"
            )),
            BadFormatter {
                span,
                formatter,
                found,
                accepts,
            } => Diagnostic::error(
                "E0108",
                if formatter == "(none)" {
                    format!("a {found} cannot be written into text")
                } else {
                    format!("`{formatter}` cannot format a {found}")
                },
                file,
                span,
                format!("this value is a {found}"),
            )
            .with_help(if formatter == "(none)" {
                accepts
            } else {
                format!("`{formatter}` formats {accepts}")
            }),
            NoGender { span } => Diagnostic::error(
                "E0109",
                "gender agreement needs a gender attribute",
                file,
                span,
                "`[masculine|feminine]` picks a form by the recipient's gender",
            )
            .with_help(
                "declare it in schema.ron: gender: (attribute: \"sesso\", masculine: \"M\", feminine: \"F\")",
            ),
            InvalidDate { span, text } => Diagnostic::error(
                "E0110",
                format!("`{text}` is not a date"),
                file,
                span,
                "this day does not exist in the calendar",
            )
            .with_help("write an existing date as YYYY-MM-DD, e.g. 2024-02-29 (2024 is a leap year)"),
            UnknownFormatter {
                span,
                name,
                suggestion,
            } => Diagnostic::error(
                "E0111",
                format!("unknown formatter `{name}`"),
                file,
                span,
                "no formatter has this name",
            )
            .with_help(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "the formatters are money, date, short_date, number, upper, lower, capitalize, count(\"one\", \"many\") and plural(\"one\", \"many\")".into(),
            }),
            UnknownFunction { span, name } => Diagnostic::error(
                "E0112",
                format!("unknown function `{name}`"),
                file,
                span,
                "the only function is `count(...)`",
            )
            .with_help("write `count(list)` for the number of elements of a list or set"),
            FormatterArgs { span, name, takes } => Diagnostic::error(
                "E0113",
                format!("wrong arguments to `{name}`"),
                file,
                span,
                format!("`{name}` takes {takes}"),
            )
            .with_help(format!("write it like `{{n | {name}(\"settimana\", \"settimane\")}}`")),
            DuplicateId {
                span,
                what,
                id,
                first,
            } => {
                let d = Diagnostic::error(
                    "E0201",
                    format!("{what} `{id}` is declared twice"),
                    file,
                    span,
                    format!("a second {what} called `{id}`"),
                )
                .with_help(format!(
                    "ids are stable names used by timelines, snapshots and analytics: give this {what} another id"
                ));
                match first {
                    Some(f) => d.with_note(f, "the first one is here"),
                    None => d,
                }
            }
            UnknownService {
                span,
                id,
                suggestion,
            } => Diagnostic::error(
                "E0203",
                format!("unknown service `{id}`"),
                file,
                span,
                "no service of this id is declared or imported",
            )
            .with_help(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "declare it with `service ID { label \"...\" url \"...\" }` or import the catalogue: `import \"../common/services.guide\"`".into(),
            }),
            UnknownScene {
                span,
                id,
                suggestion,
                has_imports,
            } => Diagnostic::error(
                "E0204",
                format!("unknown shared scene `{id}`"),
                file,
                span,
                "no imported library defines a scene of this id",
            )
            .with_help(match (suggestion, has_imports) {
                (Some(s), _) => format!("did you mean `{s}`?"),
                (None, false) => "import the library that defines it: `import \"../common/scenes.guide\"`".into(),
                (None, true) => "define it in an imported library, or write the scene here with `scene ID { ... }`".into(),
            }),
            MissingEnding { span } => Diagnostic::error(
                "E0206",
                "this campaign has no ending",
                file,
                span,
                "every campaign ends with an `ending` block",
            )
            .with_help("add: ending { text \"Grazie\" button myinps rating \"Quanto ti è stato utile questo video?\" from 1 to 5 }"),
            BadRating { span, min, max } => Diagnostic::error(
                "E0207",
                format!("invalid rating scale {min} to {max}"),
                file,
                span,
                "a rating scale starts at 1 and ends between 2 and 10",
            )
            .with_help("write `from 1 to 5`, the scale the institution uses"),
            Missing {
                span,
                what,
                example,
            } => Diagnostic::error(
                "E0208",
                format!("missing {what}"),
                file,
                span,
                format!("this needs {what}"),
            )
            .with_help(format!("add `{example}`")),
            Repeated { span, what } => Diagnostic::error(
                "E0209",
                format!("`{what}` is given twice"),
                file,
                span,
                format!("only one `{what}` is allowed here"),
            )
            .with_help("remove one of them"),
            NotHere {
                span,
                message,
                help,
            } => Diagnostic::error("E0210", message.clone(), file, span, message).with_help(help),
            BadLocale { span, locale } => Diagnostic::error(
                "E0212",
                format!("unsupported locale `{locale}`"),
                file,
                span,
                "the formatting rules exist only for Italian",
            )
            .with_help("write `locale \"it-IT\"`, or leave it out"),
            OutOfRange {
                span,
                message,
                help,
            } => Diagnostic::error("E0213", message.clone(), file, span, message).with_help(help),
            EmptyScene { span, id } => Diagnostic::error(
                "E0214",
                format!("scene `{id}` shows and says nothing"),
                file,
                span,
                "a scene needs at least one `text` or `say` line",
            )
            .with_help("add a line: text \"...\""),
            MissingFile {
                span,
                path,
                reason,
                what,
            } => Diagnostic::error(
                "E0301",
                format!("cannot read {what} `{path}`"),
                file,
                span,
                reason,
            )
            .with_help("paths are relative to the file that names them; check the spelling"),
            ImportCampaign { span, path } => Diagnostic::error(
                "E0302",
                format!("`{path}` is a campaign, not a library"),
                file,
                span,
                "only files without a `campaign` header can be imported",
            )
            .with_help("move the shared scenes and services to a library file and import that"),
            ImportCycle { span, cycle } => Diagnostic::error(
                "E0303",
                "import cycle",
                file,
                span,
                format!("this import closes a cycle: {}", cycle.join(" -> ")),
            )
            .with_help("remove one of the imports; a library must not import, directly or not, the file that imports it"),
            MatchNotEnum { span, found } => Diagnostic::error(
                "E0403",
                "`match` needs an enum",
                file,
                span,
                format!("this is a {found}"),
            )
            .with_help("match on an attribute declared as Enum([...]); for other values use `if`"),
            NonExhaustive { span, missing } => Diagnostic::error(
                "E0404",
                "this `match` does not cover every value",
                file,
                span,
                format!("missing: {}", join(&missing)),
            )
            .with_help(format!(
                "add `case {} {{ ... }}`, or an `else {{ ... }}` arm",
                missing.join(", ")
            )),
            DuplicateArm { span, value, first } => Diagnostic::error(
                "E0405",
                format!("`{value}` is already covered"),
                file,
                span,
                "this arm can never play for this value",
            )
            .with_note(first, "first covered here")
            .with_help(format!("remove `{value}` from one of the arms")),
            UnreachableElse { span } => Diagnostic::error(
                "E0406",
                "unreachable `else`",
                file,
                span,
                "every value already has a `case`, so this never plays",
            )
            .with_help("remove the `else` arm"),
            UnusedAttribute { span, name } => Diagnostic::warning(
                "W0101",
                format!("attribute `{name}` is never used"),
                file,
                span,
                "no scene, line or condition reads it",
            )
            .with_help("use it in the storyboard, or remove it from the schema"),
            ConstantCondition { span, value, why } => Diagnostic::warning(
                "W0102",
                format!("this condition is always {value}"),
                file,
                span,
                why,
            )
            .with_help(if value {
                "remove the condition"
            } else {
                "this content never plays: fix the condition or remove the content"
            }),
        }
    }
}
