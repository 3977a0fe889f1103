//! The one place where the checker's and the analyses' error data become [`Diagnostic`]s, as
//! Gleam's `error.rs`: the stages keep plain enums with the facts (types, names, spans in any file
//! of the project); every title, label and help is written here, from those facts. Syntax and
//! schema errors render through [`crate::diagnostic::IntoDiagnostic`] next to their enums.

mod analysis;
mod notify;

use crate::check::error::{
    Bound, CheckError, Constant, Context, Expected, FileId, FileKind, IdKind, Located, Misplaced,
    Part,
};
use crate::diagnostic::{did_you_mean, Diagnostic, IntoDiagnostic, SourceFile};
use crate::ir::Ty;
use crate::syntax::ast::BinaryOp;
use crate::syntax::SyntaxError;

/// The files a problem can point into: the project's `.guide` files and its schema.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The `.guide` files, as [`crate::project::Project::files`].
    pub files: &'a [SourceFile],
    /// The schema file, if one was read.
    pub schema: Option<&'a SourceFile>,
}

impl<'a> Sources<'a> {
    /// The sources of a loaded project.
    pub fn of(project: &'a crate::project::Project) -> Self {
        Sources {
            files: &project.files,
            schema: project.schema.as_ref().map(|(f, _)| f),
        }
    }

    /// The syntax errors of the project's files, rendered (each next to its enum, see
    /// [`crate::syntax::SyntaxError`]).
    pub fn syntax(&self, errors: &[(usize, SyntaxError)]) -> Vec<Diagnostic> {
        errors
            .iter()
            .map(|(file, e)| e.clone().into_diagnostic(&self.get(FileId::Guide(*file))))
            .collect()
    }

    /// The file `id` names (an empty file if it is out of range, which only a bug can cause).
    pub fn get(&self, id: FileId) -> SourceFile {
        let file = match id {
            FileId::Guide(i) => self.files.get(i),
            FileId::Schema => self.schema,
        };
        file.cloned()
            .unwrap_or_else(|| SourceFile::new("<unknown>", ""))
    }
}

fn join(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was expected, as a phrase ("a date", "one of A, B").
pub fn describe_expected(e: &Expected) -> String {
    match e {
        Expected::Type(t) => t.describe(),
        Expected::NumberOrAmount => "a number or an amount".into(),
        Expected::ListOrSet => "a list or a set".into(),
        Expected::List => "a list".into(),
        Expected::Record => "a record".into(),
        Expected::Optional => "an optional attribute".into(),
        Expected::Set => "a set".into(),
        Expected::Date => "a date".into(),
        Expected::Period => "a period".into(),
        Expected::OneOf(values) => format!("one of {}", values.join(", ")),
    }
}

/// What to write instead of a value of the wrong type, by where it was.
fn mismatch_help(expected: &Expected, context: &Context) -> String {
    match context {
        Context::Negation => "only numbers and amounts can be negated".into(),
        Context::Count => "`count` counts the elements of a List or Set attribute".into(),
        Context::DateSpan(f) => format!("`{f}(from, to)` counts between two dates"),
        Context::AnyIn => "`any x in LIST: condition` needs a List attribute".into(),
        Context::ForEach => {
            "`for x in LIST` repeats the line for each element of a List attribute".into()
        }
        Context::AvailableUntil => "write `available until 2024-02-29`".into(),
        Context::AvailableFor => "write `available for 6 months from data_liquidazione`".into(),
        Context::AvailableFrom => "the window starts from a date attribute of the recipient".into(),
        Context::FieldAccess { path, field } => {
            format!("`{path}` has no fields; remove `.{field}`")
        }
        Context::DefaultOf => "`??` gives a default to an optional attribute; this one is always present, so remove `?? ...`".into(),
        Context::Membership => "`in` tests membership in a Set attribute, e.g. `quattordicesima in prestazioni`".into(),
        Context::SetMember => {
            let first = match expected {
                Expected::OneOf(v) => v.first().map_or("", String::as_str),
                _ => "",
            };
            format!("write a value of the set, e.g. `{first} in ...`")
        }
        Context::DefaultValue => format!(
            "the default takes the place of the attribute: write a {} here",
            describe_expected(expected)
        ),
    }
}

/// What to write instead of an operator that does not apply.
fn operands_help(op: BinaryOp, left: &Ty, right: &Ty) -> String {
    use BinaryOp::*;
    use Ty::*;
    let arithmetic = matches!(op, Add | Sub | Mul | Div);
    if arithmetic {
        match (op, left, right) {
            (Div, Int, Int) => {
                "integer division would round: write one side as a decimal, e.g. `x / 2.0`".into()
            }
            (_, Date, Int) => "add a period to a date: `data + 6 months`".into(),
            (_, Money, Int | Decimal) | (_, Int | Decimal, Money) => {
                "add or subtract amounts, e.g. `importo + € 10`; multiply or divide them by numbers"
                    .into()
            }
            _ => "arithmetic works on numbers, amounts, and dates with periods".into(),
        }
    } else {
        match (left, right) {
            (Money, Int | Decimal) | (Int | Decimal, Money) => {
                "write amounts with the euro sign: `€ 500`".into()
            }
            (Money, Str) | (Str, Money) => {
                "write amounts with the euro sign, without quotes: `€ 500`".into()
            }
            (Date, Str) | (Str, Date) => "write dates without quotes: `2024-02-29`".into(),
            (Int, Str) => "write numbers without quotes: `18`".into(),
            (Decimal, Str) => "write numbers without quotes: `0.75`".into(),
            (Str, Int | Decimal) => "write text in double quotes: `\"Maria\"`".into(),
            (Date, Int | Decimal | Money | Period) | (Int | Decimal | Money | Period, Date) => {
                "compare a date with a date: `2024-02-29`, or `data + 6 months`".into()
            }
            (Bool, _) | (_, Bool) => {
                "a bool is already a condition: write `contatti_aggiornati` or \
                 `not contatti_aggiornati` (or compare it with `true` / `false`)"
                    .into()
            }
            (Enum(values), _) | (_, Enum(values)) => match values.first() {
                Some(v) => format!("compare it with one of its values: `== {v}`"),
                None => "compare it with one of its values".into(),
            },
            (Set(_), _) | (_, Set(_)) => {
                "test a value's membership instead: `quattordicesima in prestazioni`".into()
            }
            (List(_), _) | (_, List(_)) => "compare its size instead: `count(figli) > 0`".into(),
            _ if left == right => format!(
                "{} values can only be compared with == and !=",
                left.describe()
            ),
            _ => match (example(left), example(right)) {
                (Some(l), _) => format!(
                    "compare {} with {}: e.g. `{l}`",
                    a(&left.describe()),
                    a(&left.describe())
                ),
                (None, Some(r)) => format!(
                    "compare {} with {}: e.g. `{r}`",
                    a(&right.describe()),
                    a(&right.describe())
                ),
                (None, None) => "compare values of the same type".into(),
            },
        }
    }
}

/// A literal of type `ty`, to show what to write.
fn example(ty: &Ty) -> Option<&'static str> {
    Some(match ty {
        Ty::Str => "\"Maria\"",
        Ty::Int => "18",
        Ty::Decimal => "0.75",
        Ty::Money => "€ 500",
        Ty::Date => "2024-02-29",
        Ty::Period => "6 months",
        Ty::Duration => "30s",
        _ => return None,
    })
}

/// A noun with its indefinite article: `an int`, `a date`.
fn a(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// What a formatter accepts, as a phrase.
fn formatter_accepts(name: &str) -> &'static str {
    match name {
        "money" => "amounts (money)",
        "date" | "short_date" => "dates",
        "number" => "numbers (int, decimal)",
        "upper" | "lower" | "capitalize" => "strings",
        _ => "whole numbers (int)",
    }
}

/// An id's kind, as a noun.
fn id_kind(what: IdKind) -> &'static str {
    match what {
        IdKind::Scene => "scene",
        IdKind::SharedScene => "shared scene",
        IdKind::Service => "service",
        IdKind::PopUp => "pop-up",
    }
}

/// A missing part, as a noun phrase, and how to write it.
fn part(what: Part) -> (&'static str, &'static str) {
    match what {
        Part::TitleText => ("a title", "title \"La tua NASpI\""),
        Part::CampaignTitle => ("the campaign's title", "title \"La tua NASpI\""),
        Part::CampaignSchema => ("the campaign's schema", "schema \"schema.ron\""),
        Part::ServiceLabel => ("the service's label", "label \"Accedi a MyINPS\""),
        Part::ServiceUrl => ("the service's url", "url \"https://www.inps.it/...\""),
        Part::PopupButton => ("the pop-up's button label", "button \"Scopri di più\""),
        Part::PopupTitle => ("the pop-up's title", "title \"...\""),
        Part::PopupBody => ("the pop-up's body", "body \"...\""),
    }
}

/// The title, label and help of something in the wrong place.
fn misplaced(what: Misplaced) -> (&'static str, &'static str, &'static str) {
    match what {
        Misplaced::SecondCampaign => (
            "a second campaign header",
            "this file already has a `campaign` header above",
            "a file describes one campaign: remove this header or move it to its own file",
        ),
        Misplaced::EndingInLibrary => (
            "an ending in a library",
            "this file has no `campaign` header, so no guide ends here",
            "only campaigns have an ending; move it to the campaign file",
        ),
        Misplaced::SecondEnding => (
            "a second ending",
            "the campaign already has an `ending` above",
            "a campaign has one ending: merge the two",
        ),
        Misplaced::EndingCondition => (
            "a condition on the ending",
            "this `when` would let some recipients skip the ending",
            "the ending always plays; put `when` on its lines and buttons instead",
        ),
        Misplaced::IncludeInLibrary => (
            "an `include` in a library",
            "a library has no storyboard to place this scene in",
            "libraries define scenes; campaigns place them with `include`",
        ),
        Misplaced::IfInLibrary => (
            "an `if` in a library",
            "a library has no storyboard, so this condition decides nothing",
            "libraries define scenes; put conditions on the `include` in the campaign",
        ),
        Misplaced::MatchInLibrary => (
            "a `match` in a library",
            "a library has no storyboard, so this `match` decides nothing",
            "libraries define scenes; put conditions on the `include` in the campaign",
        ),
        Misplaced::NotifyInLibrary => (
            "a notification in a library",
            "a library has no recipients to notify",
            "declare `notify` blocks in the campaign file",
        ),
        Misplaced::RatingOutsideEnding => (
            "a rating outside the ending",
            "this scene is not the ending, where the guide asks its rating question",
            "the rating question closes the guide: move it to the `ending` block",
        ),
    }
}

/// The title, label and help of a declared value out of range.
fn out_of_range(bound: &Bound) -> (String, String, String) {
    match bound {
        Bound::ServiceUrl => (
            "a service's url must be a web address".into(),
            "this does not start with https:// or http://".into(),
            "write the full address, starting with https://".into(),
        ),
        Bound::LengthReversed {
            shortest_ms,
            longest_ms,
        } => (
            "the shortest length is longer than the longest".into(),
            format!(
                "{} comes first but is longer than {}",
                crate::analysis::variants::clock(*shortest_ms),
                crate::analysis::variants::clock(*longest_ms)
            ),
            "write the shorter duration first: `length 3m30s to 5m`".into(),
        ),
        Bound::SpeakingRate(n) => (
            format!("a speaking rate of {n} words per minute"),
            "a speaking rate must be between 60 and 400 words per minute".into(),
            "Italian narration runs at 130-180 words per minute; write e.g. `speaking rate 150 wpm`".into(),
        ),
        Bound::ZeroDuration => (
            "a scene cannot last 0 seconds".into(),
            "this duration is zero".into(),
            "write a positive duration, e.g. `duration 4s`, or leave it out to derive it from the narration".into(),
        ),
    }
}

impl Located {
    /// The diagnostic that explains this problem.
    pub fn to_diagnostic(&self, sources: &Sources) -> Diagnostic {
        self.error.to_diagnostic(&sources.get(self.file), sources)
    }
}

impl CheckError {
    /// The diagnostic that explains this problem, found in `file`; `sources` resolves places in
    /// other files (the first declaration of a duplicated id).
    pub fn to_diagnostic(&self, file: &SourceFile, sources: &Sources) -> Diagnostic {
        use CheckError::*;
        match self.clone() {
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
                context,
            } => Diagnostic::error(
                "E0102",
                format!(
                    "expected {}, found {}",
                    describe_expected(&expected),
                    found.describe()
                ),
                file,
                span,
                format!("this is a {}", found.describe()),
            )
            .with_help(mismatch_help(&expected, &context)),
            NotBoolean { span, found } => Diagnostic::error(
                "E0103",
                "a condition must be true or false",
                file,
                span,
                format!("this is a {}, not a condition", found.describe()),
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
                match did_you_mean(&name, fields.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of {}", join(&fields)),
                },
            ),
            BadOperands {
                span,
                op,
                left,
                right,
            } => {
                let (l, r, sym) = (left.describe(), right.describe(), op.symbol());
                Diagnostic::error(
                    "E0106",
                    format!("`{sym}` cannot combine {l} and {r}"),
                    file,
                    span,
                    format!("{l} {sym} {r} has no meaning"),
                )
                .with_help(operands_help(op, &left, &right))
            }
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
            } => {
                let ty = found.describe();
                let (title, help) = match formatter {
                    None => (
                        format!("a {ty} cannot be written into text"),
                        match found {
                            Ty::Bool => "to show text only for some recipients, put `when CONDITION` on the line, or use two lines".to_string(),
                            Ty::List(_) => "to show a line per element, write `text \"...\" for x in LIST`".to_string(),
                            _ => "write strings, numbers, amounts and dates into text".to_string(),
                        },
                    ),
                    Some(name) => (
                        format!("`{name}` cannot format a {ty}"),
                        format!("`{name}` formats {}", formatter_accepts(&name)),
                    ),
                };
                Diagnostic::error("E0108", title, file, span, format!("this value is a {ty}"))
                    .with_help(help)
            }
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
            UnknownFunction {
                span,
                name,
                suggestion,
            } => Diagnostic::error(
                "E0112",
                format!("unknown function `{name}`"),
                file,
                span,
                "the functions are `count`, `years_between`, `months_between` and `days_between`",
            )
            .with_help(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "write `count(list)` for the number of elements of a list or set, \
                         `years_between(from, to)` for whole years between two dates"
                    .into(),
            }),
            FunctionArgs {
                span,
                name,
                expected,
                found,
            } => Diagnostic::error(
                "E0113",
                format!("wrong arguments to `{name}`"),
                file,
                span,
                format!(
                    "`{name}` takes {expected} argument{}, not {found}",
                    if expected == 1 { "" } else { "s" }
                ),
            )
            .with_help(if name == "count" {
                "write `count(list)`".to_string()
            } else {
                format!("write `{name}(from, to)` with two dates, the earlier first")
            }),
            FormatterArgs { span, name } => Diagnostic::error(
                "E0113",
                format!("wrong arguments to `{name}`"),
                file,
                span,
                if matches!(name.as_str(), "count" | "plural") {
                    format!("`{name}` takes two texts: the singular and the plural")
                } else {
                    format!("`{name}` takes no arguments")
                },
            )
            .with_help(format!("write it like `{{n | {name}(\"settimana\", \"settimane\")}}`")),
            DuplicateId {
                span,
                what,
                id,
                first,
            } => {
                let what = id_kind(what);
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
                let in_file = sources.get(FileId::Guide(first.file));
                d.with_note_in(&in_file, first.span, "the first one is here")
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
            Notification { span, problem } => notify::diagnostic(file, span, problem),
            Missing { span, what } => {
                let (what, example) = part(what);
                Diagnostic::error(
                "E0208",
                format!("missing {what}"),
                file,
                span,
                format!("this needs {what}"),
            )
            .with_help(format!("add `{example}`"))
            }
            Repeated { span, what } => Diagnostic::error(
                "E0209",
                format!("`{what}` is given twice"),
                file,
                span,
                format!("only one `{what}` is allowed here"),
            )
            .with_help("remove one of them"),
            NotHere { span, what } => {
                let (title, label, help) = misplaced(what);
                Diagnostic::error("E0210", title, file, span, label).with_help(help)
            }
            BadLocale { span, locale } => Diagnostic::error(
                "E0212",
                format!("unsupported locale `{locale}`"),
                file,
                span,
                "the formatting rules exist only for Italian",
            )
            .with_help("write `locale \"it-IT\"`, or leave it out"),
            OutOfRange { span, bound } => {
                let (title, label, help) = out_of_range(&bound);
                Diagnostic::error("E0213", title, file, span, label).with_help(help)
            }
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
                format!(
                    "cannot read {} `{path}`",
                    match what {
                        FileKind::Schema => "the schema",
                        FileKind::Import => "the import",
                    }
                ),
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
                format!("this is a {}", found.describe()),
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
            MissingAlt { span, visual } => Diagnostic::error(
                "E0220",
                format!("visual `{visual}` has no alternative text"),
                file,
                span,
                "whoever cannot see the picture must be told what it shows",
            )
            .with_help("add `alt \"what the picture shows\"`, or `decorative` if it adds nothing to the texts"),
            MissingVisual { span, path } => Diagnostic::warning(
                "W0110",
                format!("visual file `{path}` does not exist"),
                file,
                span,
                "no such file next to the campaign",
            )
            .with_help("add the picture to the campaign's folder; the player shows a neutral picture meanwhile"),
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
                match why {
                    Constant::Independent => "it does not depend on the recipient".to_string(),
                    Constant::ProvenPresent => {
                        "an enclosing condition already proves it present".to_string()
                    }
                    Constant::NotOptional(name) => {
                        format!("`{name}` is not optional: it is always present")
                    }
                },
            )
            .with_help(if value {
                "remove the condition"
            } else {
                "this content never plays: fix the condition or remove the content"
            }),
            RangeCondition {
                span,
                value,
                attribute,
                range,
            } => Diagnostic::warning(
                "W0103",
                format!("this comparison is always {value}"),
                file,
                span,
                format!("the schema bounds `{attribute}` ({range}): no record can make it {}", !value),
            )
            .with_help(if value {
                "remove the comparison, or correct the bound in the schema"
            } else {
                "the comparison never holds: fix it, or the bound in the schema"
            }),
        }
    }
}
