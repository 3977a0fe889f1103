//! The one representation every stage's errors are turned into, and its rendering.
//!
//! Each stage (syntax, schema, checker, analysis) owns a plain error enum with spans and the facts
//! needed to explain it. They implement [`IntoDiagnostic`]; this module turns a [`Diagnostic`]
//! into a miette report (for people) or a JSON line (for tools).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A source file as the compiler read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as given (relative to the working directory), used in messages.
    pub path: String,
    /// The whole text.
    pub text: Arc<str>,
    /// The offset of each line's start: positions are found in logarithmic time (counting the
    /// newlines before each made code generation quadratic in the file's size).
    line_starts: Arc<[usize]>,
    /// The length of the longest line, newline included.
    longest_line: usize,
}

impl SourceFile {
    /// A file from a path and its text.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let line_starts: Arc<[usize]> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let longest_line = line_starts
            .iter()
            .zip(line_starts.iter().skip(1).chain([&text.len()]))
            .map(|(a, b)| b - a)
            .max()
            .unwrap_or(0);
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            longest_line,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte range in one source file.
pub type Span = Range<usize>;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look; the campaign still compiles.
    Warning,
    /// The campaign does not compile.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A secondary location shown with the main one, in the same file or in another one (an import
/// that declared the same id first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file it is in.
    pub file: SourceFile,
    /// Where in that file.
    pub span: Span,
    /// What it says there.
    pub label: String,
}

/// One message for the author of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `E0102`; listed in language-spec/language.md.
    pub code: &'static str,
    /// A short title.
    pub message: String,
    /// The file it is about.
    pub file: SourceFile,
    /// The main location.
    pub span: Span,
    /// A full sentence shown under the span.
    pub label: String,
    /// What to write instead.
    pub help: Option<String>,
    /// Other related locations, in this file or in others.
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// An error with a code, title, location and label.
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        file: &SourceFile,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: file.clone(),
            span,
            label: label.into(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A warning with a code, title, location and label.
    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        file: &SourceFile,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, file, span, label)
        }
    }

    /// Adds the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary location in the diagnostic's own file.
    pub fn with_note(self, span: Span, label: impl Into<String>) -> Self {
        let file = self.file.clone();
        self.with_note_in(&file, span, label)
    }

    /// Adds a secondary location in `file` (which may be another file than the diagnostic's).
    pub fn with_note_in(mut self, file: &SourceFile, span: Span, label: impl Into<String>) -> Self {
        self.notes.push(Note {
            file: file.clone(),
            span,
            label: label.into(),
        });
        self
    }

    /// The notes in the diagnostic's own file (shown as labels under its snippet).
    fn local_notes(&self) -> impl Iterator<Item = &Note> {
        self.notes
            .iter()
            .filter(move |n| n.file.path == self.file.path)
    }

    /// The notes in other files (shown after it, each with its own snippet).
    fn foreign_notes(&self) -> impl Iterator<Item = &Note> {
        self.notes
            .iter()
            .filter(move |n| n.file.path != self.file.path)
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders for people, as `guide check` prints it. `color` only on a terminal.
    pub fn render(&self, color: bool) -> String {
        use miette::{GraphicalReportHandler, GraphicalTheme};
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false)
            .with_show_related_as_nested(true);
        let mut out = String::new();
        let report = Report::of(self);
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}[{}]: {}", self.severity, self.code, self.message);
        }
        out
    }

    /// One JSON object (no newline) for `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.file.line_col(self.span.start);
        let (end_line, end_column) = self.file.line_col(self.span.end);
        serde_json::json!({
            "severity": self.severity.to_string(),
            "code": self.code,
            "message": self.message,
            "file": self.file.path,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "label": self.label,
            "help": self.help,
            "notes": self.notes.iter().map(Note::to_json).collect::<Vec<_>>(),
        })
    }
}

impl Note {
    /// The note as a JSON object: `file`, `line`, `column`, `end_line`, `end_column`, `label`.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.file.line_col(self.span.start);
        let (end_line, end_column) = self.file.line_col(self.span.end);
        serde_json::json!({
            "file": self.file.path,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "label": self.label,
        })
    }

    /// The note as a diagnostic of its own, to render it with its own file's snippet.
    fn as_diagnostic(&self) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            code: "",
            message: format!("in {}", self.file.path),
            file: self.file.clone(),
            span: self.span.clone(),
            label: self.label.clone(),
            help: None,
            notes: Vec::new(),
        }
    }
}

/// Implemented by each stage's error enum.
pub trait IntoDiagnostic {
    /// The diagnostic that explains this error in `file`.
    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic;
}

/// Lines longer than this many bytes are not shown whole: only a window of [`WINDOW`] bytes
/// around the span they hold, between `…` (a 1 MB line would make a 1 MB report, and miette
/// cannot place a label past column 65,535). Line and column numbers stay those of the file.
pub const MAX_SHOWN_LINE: usize = 1000;
/// The part of a long line shown: about a third before the span, the rest after.
pub const WINDOW: usize = 160;

/// A piece of the file kept in the text shown: `orig` in the file, at `shown` in the view.
#[derive(Debug, Clone)]
struct Seg {
    orig: Range<usize>,
    shown: usize,
}

/// The file as shown when some of its lines are too long: long lines cut to a window.
#[derive(Debug)]
struct View {
    text: String,
    segs: Vec<Seg>,
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

impl View {
    /// The view of `d`'s file, or `None` when every line is short enough to show whole.
    fn of(d: &Diagnostic) -> Option<View> {
        let text: &str = &d.file.text;
        // Newline and carriage return included: a line of MAX_SHOWN_LINE bytes is shown whole.
        if d.file.longest_line <= MAX_SHOWN_LINE
            || !text.split('\n').any(|l| l.len() > MAX_SHOWN_LINE)
        {
            return None;
        }
        let spans: Vec<usize> = std::iter::once(d.span.start)
            .chain(d.local_notes().map(|n| n.span.start))
            .collect();
        let mut v = View {
            text: String::new(),
            segs: Vec::new(),
        };
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.len();
            let content = line.trim_end_matches(['\n', '\r']).len();
            if content <= MAX_SHOWN_LINE {
                v.keep(text, start..end);
            } else {
                let cend = start + content;
                let anchor = spans
                    .iter()
                    .copied()
                    .filter(|&o| o >= start && o <= cend)
                    .min()
                    .unwrap_or(start);
                let a = floor_char_boundary(text, anchor.saturating_sub(WINDOW / 3).max(start));
                let b = ceil_char_boundary(text, (a + WINDOW).min(cend));
                if a > start {
                    v.text.push('…');
                }
                v.keep(text, a..b);
                if b < cend {
                    v.text.push('…');
                }
                v.keep(text, cend..end);
            }
            start = end;
        }
        Some(v)
    }

    fn keep(&mut self, text: &str, r: Range<usize>) {
        let shown = self.text.len();
        self.text.push_str(text.get(r.clone()).unwrap_or(""));
        match self.segs.last_mut() {
            Some(last) if last.orig.end == r.start && last.shown + last.orig.len() == shown => {
                last.orig.end = r.end;
            }
            _ => self.segs.push(Seg { orig: r, shown }),
        }
    }

    /// Where a file offset is shown (the nearest edge of a window when it was cut out).
    fn shown(&self, orig: usize) -> usize {
        let i = self.segs.partition_point(|s| s.orig.start <= orig);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            Some(s) => s.shown + (orig.min(s.orig.end) - s.orig.start),
            None => self.segs.first().map_or(0, |s| s.shown),
        }
    }

    /// The file offset of a place in the view.
    fn orig(&self, shown: usize) -> usize {
        let i = self.segs.partition_point(|s| s.shown <= shown);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            Some(s) => (s.orig.start + (shown - s.shown)).min(s.orig.end),
            None => 0,
        }
    }
}

/// A diagnostic as miette sees it: the file as shown, and the notes in other files as related
/// reports (each with its own snippet). A note's report has no code and is shown as advice.
struct Report<'a> {
    d: std::borrow::Cow<'a, Diagnostic>,
    view: Option<View>,
    note: bool,
    related: Vec<Report<'a>>,
}

impl<'a> Report<'a> {
    fn of(d: &'a Diagnostic) -> Self {
        let related = d
            .foreign_notes()
            .map(|n| {
                let nd = n.as_diagnostic();
                Report {
                    view: View::of(&nd),
                    d: std::borrow::Cow::Owned(nd),
                    note: true,
                    related: Vec::new(),
                }
            })
            .collect();
        Report {
            d: std::borrow::Cow::Borrowed(d),
            view: View::of(d),
            note: false,
            related,
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.note).then(|| Box::new(self.d.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            _ if self.note => miette::Severity::Advice,
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let len = self.d.file.text.len();
        let view = self.view.as_ref();
        let clamp = move |s: &Span| {
            let start = s.start.min(len);
            let end = s.end.clamp(start, len);
            let (start, end) = match view {
                Some(v) => {
                    let a = v.shown(start);
                    (a, v.shown(end).max(a))
                }
                None => (start, end),
            };
            miette::SourceSpan::from(start..end)
        };
        let main = miette::LabeledSpan::new_primary_with_span(
            Some(self.d.label.clone()),
            clamp(&self.d.span),
        );
        let notes = self.d.local_notes().map(move |n| {
            miette::LabeledSpan::new_with_span(Some(n.label.clone()), clamp(&n.span))
        });
        Some(Box::new(std::iter::once(main).chain(notes)))
    }
}

impl miette::SourceCode for Report<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let Some(view) = &self.view else {
            // Only the lines shown are handed to miette, which reads from the start of what it
            // is given: the whole file each time made many diagnostics quadratic.
            let file = &self.d.file;
            let text: &'a str = &file.text;
            let starts = &file.line_starts;
            let start = span.offset().min(text.len());
            let end = (start + span.len()).min(text.len());
            let first = starts
                .partition_point(|&s| s <= start)
                .saturating_sub(4 + before);
            let last = starts.partition_point(|&s| s <= end.saturating_sub(1).max(start));
            let from = starts.get(first).copied().unwrap_or(0);
            // A few lines more on each side than asked: miette then lays the labels out as it
            // does on the whole file (found by the UI snapshots).
            let to = starts.get(last + after + 3).copied().unwrap_or(text.len());
            let region = &text[from..to.max(from)];
            let local = miette::SourceSpan::from(start - from..end - from);
            let inner = region.read_span(&local, before, after)?;
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                file.path.clone(),
                inner.data(),
                miette::SourceSpan::from(
                    inner.span().offset() + from..inner.span().offset() + from + inner.span().len(),
                ),
                inner.line() + first,
                // In characters, as `line_col` and `to_json` count (miette counts bytes).
                file.line_col(start).1 - 1,
                inner.line_count(),
            )));
        };
        let text: &'a str = &view.text;
        let inner = text.read_span(span, before, after)?;
        // The view keeps every line: only the column needs to come from the file.
        let orig = view.orig(inner.span().offset());
        let file: &str = &self.d.file.text;
        let line_start = file
            .get(..orig)
            .and_then(|b| b.rfind('\n'))
            .map_or(0, |i| i + 1);
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.d.file.path.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            orig - line_start,
            inner.line_count(),
        )))
    }
}

/// The order diagnostics are shown in: by file, then position, errors before warnings at the
/// same place.
pub fn compare(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    (
        a.file.path.as_str(),
        a.span.start,
        std::cmp::Reverse(a.severity),
        a.code,
    )
        .cmp(&(
            b.file.path.as_str(),
            b.span.start,
            std::cmp::Reverse(b.severity),
            b.code,
        ))
}

/// Sorts diagnostics in [`compare`] order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(compare);
}

/// The closest candidate to `name`, if close enough to be a likely typo: the runtime's rule
/// ([`guide_runtime::suggest::did_you_mean`]), so that the compiler and the runtime's record
/// errors suggest alike.
pub use guide_runtime::suggest::did_you_mean;
