//! Completion, from the text before the cursor (so that it works on a half-typed line the
//! parser cannot read): formatters after `|`, services after `button`, shared scenes after
//! `include`, enum values after `==`, `!=`, `in` and in `case`, `alt` and `decorative` after
//! `visual "…"`, the statements of a `notify` block at the start of its lines, fields after `a.`,
//! otherwise attributes, functions, `today` and keywords. A statement continued on the next line
//! (after `and`, `==`, `,`, an open `[` or `(`, ...) is read from where it starts.

use crate::hover::{describe, FORMATTERS};
use crate::lookup;
use guide_compiler::check::{FUNCTIONS, TODAY};
use guide_compiler::index::{self, SymbolKind};
use guide_compiler::project::Project;
use guide_compiler::syntax::keywords::{KEYWORDS, NOTIFY_STARTERS};
use guide_runtime::schema::Fields;
use lsp_types::{CompletionItem, CompletionItemKind};

/// The completions at byte `offset` of `text`, the first file of `project`.
pub fn complete(project: &Project, text: &str, offset: usize) -> Vec<CompletionItem> {
    let offset = floor(text, offset);
    let line_start = statement_start(text, text[..offset].rfind('\n').map_or(0, |i| i + 1));
    let joined = joined(&text[line_start..offset]);
    let line = joined.as_str();
    // The whole statement, up to the end of the cursor's line (for a `for x in list` binder).
    let statement = &text[line_start..text[offset..].find('\n').map_or(text.len(), |i| offset + i)];
    let word_start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name(*c) || *c == '.')
        .last()
        .map_or(line.len(), |(i, _)| i);
    let word = &line[word_start..];
    let before = line[..word_start].trim_end();
    let schema = project.schema.as_ref().map(|(_, s)| &s.attributes);

    if let Some(hole) = open_hole(line) {
        return match hole.rfind('|') {
            Some(_) => formatters(),
            None => {
                let mut items = paths(schema, word, statement);
                if !word.contains('.') {
                    items.extend(functions());
                }
                items
            }
        };
    }
    if inside_string(line) {
        return Vec::new();
    }
    let first = line.trim_start();
    let starts = |kw: &str| {
        first
            .strip_prefix(kw)
            .is_some_and(|rest| rest.starts_with(' ') && !rest.trim_start().starts_with('"'))
    };
    if starts("button") && before.split_whitespace().count() == 1 {
        return symbols(project, SymbolKind::Service, false);
    }
    if starts("include") && before.split_whitespace().count() == 1 {
        return symbols(project, SymbolKind::Scene, true);
    }
    if after_visual(before) {
        return keywords(&["alt", "decorative"]);
    }
    if before.is_empty() && in_notify(text, line_start) {
        return keywords(NOTIFY_STARTERS);
    }
    if starts("case") {
        let subject = enclosing_match(text, line_start);
        return subject.map_or_else(Vec::new, |s| enum_values(schema, &s));
    }
    let operand = before
        .strip_suffix("==")
        .or_else(|| before.strip_suffix("!="))
        .or_else(|| before.strip_suffix(" in"))
        .or_else(|| in_list(before));
    if let Some(lhs) = operand {
        let lhs = lhs.trim_end();
        let path: String = lhs
            .chars()
            .rev()
            .take_while(|c| is_name(*c) || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let values = enum_values(schema, &path);
        if !values.is_empty() {
            return values;
        }
    }
    let mut items = paths(schema, word, statement);
    if !word.contains('.') {
        items.extend(functions());
        items.extend(keywords(KEYWORDS));
    }
    items
}

/// Where the statement whose line starts at `line_start` starts: further up while the line
/// before ends in the middle of an expression or a list, or the line itself starts with an
/// operator (`and`, `==`, `in`, ...) that continues the line before. Blank lines and lines
/// holding only a comment in between are skipped.
fn statement_start(text: &str, mut line_start: usize) -> usize {
    while line_start > 0 {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        // The nearest line before with code on it.
        let mut prev_start = line_start;
        let prev = loop {
            if prev_start == 0 {
                return line_start;
            }
            let end = prev_start - 1;
            prev_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            let prev = code(&text[prev_start..end]);
            if !prev.trim().is_empty() {
                break prev;
            }
        };
        if !continues(prev) && !continuation(code(&text[line_start..line_end])) {
            break;
        }
        line_start = prev_start;
    }
    line_start
}

/// Whether a line's code starts with what can only continue the line before: a binary operator,
/// a comma, a closing bracket (no statement starts with one of them).
fn continuation(code: &str) -> bool {
    const OPERATORS: &[&str] = &["and", "or", "in"];
    let code = code.trim_start();
    if code.starts_with([
        ',', ']', ')', '=', '!', '<', '>', '+', '-', '*', '/', '?', '|',
    ]) {
        return true;
    }
    code.split(|c: char| !is_name(c))
        .next()
        .is_some_and(|first| OPERATORS.contains(&first))
}

/// Whether a line's code ends in the middle of a statement.
fn continues(code: &str) -> bool {
    const OPEN: &[&str] = &[
        "and", "or", "not", "in", "when", "if", "case", "button", "include",
    ];
    let code = code.trim_end();
    if code.ends_with([',', '[', '(', '=', '<', '>', '+', '-', '*', '/', '?', '|']) {
        return true;
    }
    code.rsplit(|c: char| !is_name(c))
        .next()
        .is_some_and(|last| OPEN.contains(&last))
}

/// A line without its `//` comment (the first `//` outside a string).
fn code(line: &str) -> &str {
    line.match_indices("//")
        .find(|(i, _)| !inside_string(&line[..*i]))
        .map_or(line, |(i, _)| &line[..i])
}

/// The statement's text up to the cursor, on one line: the earlier lines without their
/// comments, joined by spaces.
fn joined(statement: &str) -> String {
    let mut lines: Vec<&str> = statement.split('\n').collect();
    let last = lines.pop().unwrap_or_default();
    let mut out = String::new();
    for l in lines {
        out.push_str(code(l).trim_end_matches('\r'));
        out.push(' ');
    }
    out.push_str(last);
    out
}

fn keywords(words: &[&str]) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|k| CompletionItem {
            label: (*k).to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        })
        .collect()
}

/// The functions of expressions (`years_between(a, b)`, ...) and the reference date `today`.
fn functions() -> Vec<CompletionItem> {
    let calls = FUNCTIONS.iter().map(|(name, n)| CompletionItem {
        label: (*name).to_string(),
        kind: Some(CompletionItemKind::FUNCTION),
        detail: Some(match n {
            1 => "a function of one argument".to_string(),
            n => format!("a function of {n} arguments"),
        }),
        ..CompletionItem::default()
    });
    let today = CompletionItem {
        label: TODAY.to_string(),
        kind: Some(CompletionItemKind::CONSTANT),
        detail: Some("the reference date".to_string()),
        ..CompletionItem::default()
    };
    calls.chain(std::iter::once(today)).collect()
}

/// `visual "asset"`: what may follow is `alt "…"` or `decorative`.
fn after_visual(before: &str) -> bool {
    before
        .trim_start()
        .strip_prefix("visual")
        .map(str::trim_start)
        .is_some_and(|rest| {
            rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"') && !inside_string(rest)
        })
}

/// Whether the line at `line_start` is in a `notify` block: the last line before it at the left
/// margin (not a comment) opens one and leaves it open.
fn in_notify(text: &str, line_start: usize) -> bool {
    text[..line_start]
        .lines()
        .rev()
        .find(|l| l.starts_with(|c: char| !c.is_whitespace()) && !l.starts_with("//"))
        .is_some_and(|l| {
            let code = l.split("//").next().unwrap_or(l).trim_end();
            l.strip_prefix("notify")
                .is_some_and(|r| r.starts_with([' ', '\t']))
                && code.ends_with('{')
        })
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn is_name(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether the cursor is inside a string literal of this line.
fn inside_string(line: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if inside && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => inside = !inside,
            _ => {}
        }
        escaped = false;
    }
    inside
}

/// The text of a template hole still open at the end of `line` (after its `{`).
fn open_hole(line: &str) -> Option<&str> {
    let mut in_string = false;
    let mut hole: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' if hole.is_none() => in_string = !in_string,
            '{' if in_string && hole.is_none() => hole = Some(i + 1),
            '}' if hole.is_some() => hole = None,
            _ => {}
        }
    }
    hole.map(|start| &line[start..])
}

/// `x in [a, b, ` → `x`.
fn in_list(before: &str) -> Option<&str> {
    let open = before.rfind('[')?;
    if before[open..].contains(']') {
        return None;
    }
    before[..open].trim_end().strip_suffix(" in")
}

/// The subject of the `match` a `case` line at `line_start` belongs to.
fn enclosing_match(text: &str, line_start: usize) -> Option<String> {
    text[..line_start].lines().rev().find_map(|l| {
        let rest = l.trim_start().strip_prefix("match ")?;
        Some(rest.trim_end().trim_end_matches('{').trim().to_string())
    })
}

fn enum_values(schema: Option<&Fields>, path: &str) -> Vec<CompletionItem> {
    let Some(fields) = schema else {
        return Vec::new();
    };
    let names: Vec<String> = path.split('.').map(str::to_string).collect();
    let schema = guide_runtime::schema::Schema {
        key: None,
        gender: None,
        attributes: fields.clone(),
    };
    let Some(a) = lookup::attribute(&schema, &names) else {
        return Vec::new();
    };
    lookup::values(&a.ty)
        .unwrap_or_default()
        .iter()
        .map(|v| CompletionItem {
            label: v.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(format!("a value of {path}")),
            ..CompletionItem::default()
        })
        .collect()
}

/// Attributes, or the fields after `a.b.`; a `for x in list` variable of this statement or an
/// enclosing `any` is followed to its list's fields.
fn paths(schema: Option<&Fields>, word: &str, statement: &str) -> Vec<CompletionItem> {
    let Some(top) = schema else {
        return Vec::new();
    };
    let mut fields = top;
    if let Some((head, _)) = word.rsplit_once('.') {
        let mut names: Vec<&str> = head.split('.').collect();
        if let Some(list) = binder(statement, names[0]) {
            let mut path: Vec<&str> = list.split('.').collect();
            path.extend(names.drain(1..));
            names = path;
        }
        for n in names {
            let Some(f) = fields.get(n).and_then(|(_, a)| lookup::nested(&a.ty)) else {
                return Vec::new();
            };
            fields = f;
        }
    }
    fields
        .iter()
        .map(|(name, a)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(describe(&a.ty)),
            documentation: a.description.clone().map(lsp_types::Documentation::String),
            ..CompletionItem::default()
        })
        .collect()
}

/// The list a name is bound to in a statement: `for x in list` or `any x in list`.
fn binder<'a>(line: &'a str, var: &str) -> Option<&'a str> {
    for kw in ["for ", "any "] {
        let mut rest = line;
        while let Some(i) = rest.find(kw) {
            rest = &rest[i + kw.len()..];
            let mut words = rest.split_whitespace();
            if words.next() == Some(var) && words.next() == Some("in") {
                let list = words.next()?;
                return Some(list.trim_end_matches(|c: char| !is_name(c)));
            }
        }
    }
    None
}

fn formatters() -> Vec<CompletionItem> {
    FORMATTERS
        .iter()
        .map(|(name, what, example)| CompletionItem {
            label: (*name).to_string(),
            kind: Some(CompletionItemKind::FUNCTION),
            detail: Some((*what).to_string()),
            documentation: Some(lsp_types::Documentation::String((*example).to_string())),
            ..CompletionItem::default()
        })
        .collect()
}

/// The services, or the scenes defined in imported files (`shared`).
fn symbols(project: &Project, kind: SymbolKind, shared: bool) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = index::occurrences(&project.asts)
        .into_iter()
        .filter(|o| o.kind == kind && o.is_definition() && (!shared || o.file != 0))
        .map(|o| CompletionItem {
            detail: project.files.get(o.file).map(|f| file_name(&f.path)),
            label: o.name,
            kind: Some(match kind {
                SymbolKind::Service => CompletionItemKind::MODULE,
                _ => CompletionItemKind::CLASS,
            }),
            ..CompletionItem::default()
        })
        .collect();
    items.dedup_by(|a, b| a.label == b.label);
    items
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().to_string())
}
