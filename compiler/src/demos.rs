//! The demo recipients (`demo/*.json`) checked against the schema, as every reader of records
//! checks a record: a demo that does not read is an error (E0621) at the value it is about,
//! with its file, its JSON path and its line, so `guide check` finds it before `guide run` or
//! the preview does.

use crate::diagnostic::{Diagnostic, Span};
use crate::project::Project;
use guide_runtime::schema::Schema;
use guide_runtime::Record;

/// Every problem of the project's demo recipients: files that are not JSON, and records the
/// schema refuses (E0621 each, at most one per file: the first problem, as a reader reports
/// it).
pub fn check(project: &Project, schema: &Schema) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, (name, value)) in project.demos.iter().enumerate() {
        let Some(file) = project.demo_files.get(i) else {
            continue;
        };
        let title = format!("demo recipient `{name}` does not fit the schema");
        match value {
            Err(message) => {
                let span = at_line_column(&file.text, message).unwrap_or(0..0);
                out.push(
                    Diagnostic::error("E0621", title, file, span, format!("not JSON: {message}"))
                        .with_help("a demo recipient is one JSON object, as a line of JSON Lines"),
                );
            }
            Ok(v) => {
                if let Err(e) = Record::from_json(schema, v) {
                    let span = locate(&file.text, &e.path);
                    out.push(
                        Diagnostic::error("E0621", title, file, span, e.to_string()).with_help(
                            format!(
                                "correct `{}` in {}, or the schema",
                                if e.path.is_empty() {
                                    "the record"
                                } else {
                                    &e.path
                                },
                                file.path
                            ),
                        ),
                    );
                }
            }
        }
    }
    out
}

/// The span at serde_json's "line L column C" in `message`.
fn at_line_column(text: &str, message: &str) -> Option<Span> {
    let rest = &message[message.rfind(" at line ")? + " at line ".len()..];
    let (line, column) = rest.split_once(" column ")?;
    let line: usize = line.trim().parse().ok()?;
    let column: usize = column.trim().parse().ok()?;
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let at = (start + column.saturating_sub(1)).min(text.len());
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Some(at..end)
}

/// One step of a record error's path: `figli[1].eta` is `figli`, `1`, `eta`.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key.to_owned()));
        }
        for i in indices.split('[') {
            if let Ok(n) = i.trim_end_matches(']').parse() {
                out.push(Step::Index(n));
            }
        }
    }
    out
}

/// Where the value at `path` is written in the JSON `text`; for a key that is not there (a
/// missing attribute), its object's opening brace; the whole text's start if it cannot tell.
pub fn locate(text: &str, path: &str) -> Span {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    let mut here = s.i..s.i + 1;
    for step in steps(path) {
        s.ws();
        let open = s.i;
        let found = match step {
            Step::Key(k) => s.key(&k),
            Step::Index(n) => s.index(n),
        };
        if found.is_none() {
            return open..(open + 1).min(text.len());
        }
        let start = s.i;
        let mut end = s.clone();
        if end.value().is_none() {
            return start..start;
        }
        here = start..end.i;
        s.i = start;
    }
    here.end = here.end.min(text.len());
    here
}

/// A minimal JSON scanner: enough to find a value by its path (the text already parsed).
#[derive(Clone)]
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string's raw content (escapes kept).
    fn string(&mut self) -> Option<&[u8]> {
        self.eat(b'"')?;
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return self.b.get(start..self.i - 1);
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
        None
    }

    /// Skips one value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.b.get(self.i)? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                None
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// Moves to the value of `key` in the object here.
    fn key(&mut self, key: &str) -> Option<()> {
        self.eat(b'{')?;
        loop {
            let k = self.string()?;
            let hit = k == key.as_bytes();
            self.eat(b':')?;
            self.ws();
            if hit {
                return Some(());
            }
            self.value()?;
            self.eat(b',')?;
        }
    }

    /// Moves to element `n` of the array here.
    fn index(&mut self, n: usize) -> Option<()> {
        self.eat(b'[')?;
        for _ in 0..n {
            self.value()?;
            self.eat(b',')?;
        }
        self.ws();
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_their_path() {
        let text = "{\n  \"nome\": \"Maria\",\n  \"figli\": [\n    {\"eta\": 3},\n    {\"nome\": \"B\", \"eta\": -1}\n  ],\n  \"s\": \"a\\\"b\"\n}\n";
        let at = |p: &str| &text[locate(text, p)];
        assert_eq!(at("nome"), "\"Maria\"");
        assert_eq!(at("figli[1].eta"), "-1");
        assert_eq!(at("figli[0]"), "{\"eta\": 3}");
        assert_eq!(at("s"), "\"a\\\"b\"");
        // A key that is not there: its object's brace.
        assert_eq!(at("figli[0].nome"), "{");
        assert_eq!(at("assente"), "{");
        assert_eq!(
            steps("a.b[2][3].c"),
            [
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(2),
                Step::Index(3),
                Step::Key("c".into())
            ]
        );
        let t = "{\n  \"a\": ,\n}";
        let span = at_line_column(t, "expected value at line 2 column 8").expect("span");
        assert_eq!(&t[span], ",");
    }
}
