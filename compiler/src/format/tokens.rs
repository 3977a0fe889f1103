//! The tokens and comments of a parsed file, in source order: what the printer interleaves, and
//! what the self-check compares before and after formatting.

use pest::iterators::Pair;

use crate::syntax::parser::Rule;

/// A `//` comment, found in the text between two tokens (the grammar drops comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment {
    /// Byte offset of its `//`.
    pub start: usize,
    /// Its text from `//`, trailing whitespace removed.
    pub text: String,
    /// Code stands before it on its line (`text "…" // note`).
    pub trailing: bool,
    /// A blank line stands between it and what comes before it.
    pub blank_before: bool,
}

/// Rules whose text is copied whole, never looked into: literals, names, strings and templates
/// (a template's holes are kept exactly as written, so a long template stays whole).
pub(super) fn is_verbatim(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::string
            | Rule::template
            | Rule::path
            | Rule::ident
            | Rule::field
            | Rule::boolean
            | Rule::int
            | Rule::decimal
            | Rule::money
            | Rule::date
            | Rule::duration
            | Rule::period
    )
}

/// The leaves of a tree in source order: verbatim rules, and pairs without children (keywords,
/// operators). Each is (rule, start, end).
pub(super) fn leaves(pair: Pair<'_, Rule>, out: &mut Vec<(Rule, usize, usize)>) {
    let rule = pair.as_rule();
    let span = pair.as_span();
    let mut inner = pair.into_inner().peekable();
    if is_verbatim(rule) || inner.peek().is_none() {
        out.push((rule, span.start(), span.end()));
        return;
    }
    for child in inner {
        leaves(child, out);
    }
}

/// The shape of a tree: every pair's rule and depth, in source order. Two texts with the same
/// shape and the same leaves have the same syntax tree (the leaves alone would not see a pair of
/// parentheses dropped).
pub(super) fn shape(pair: Pair<'_, Rule>, depth: usize, out: &mut Vec<(Rule, usize)>) {
    out.push((pair.as_rule(), depth));
    if is_verbatim(pair.as_rule()) {
        return;
    }
    for child in pair.into_inner() {
        shape(child, depth + 1, out);
    }
}

/// Every comment of `source`, given its leaves: between two leaves there is only white space,
/// punctuation (`{ } ( ) , :`) and comments, and no punctuation contains `/`.
pub(super) fn comments(source: &str, leaves: &[(Rule, usize, usize)]) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut gap_start = 0;
    let ends = leaves
        .iter()
        .map(|&(_, start, end)| (start, end))
        .chain([(source.len(), source.len())]);
    for (start, end) in ends {
        let mut pos = gap_start;
        // Text since the last code or comment, to tell trailing comments and blank lines.
        let mut since = gap_start;
        let mut code_on_line = gap_start > 0;
        while pos < start {
            let rest = &source[pos..start];
            let Some(i) = rest.find("//") else { break };
            let at = pos + i;
            let before = &source[since..at];
            if before.contains('\n') {
                code_on_line = before
                    .rsplit('\n')
                    .next()
                    .is_some_and(|l| !l.trim().is_empty());
            } else if !before.trim().is_empty() {
                code_on_line = true;
            }
            let line_end = source[at..start].find('\n').map_or(start, |n| at + n);
            out.push(Comment {
                start: at,
                text: source[at..line_end].trim_end().to_string(),
                trailing: code_on_line,
                blank_before: before.matches('\n').count() >= 2,
            });
            pos = line_end;
            since = line_end;
            code_on_line = false;
        }
        gap_start = end;
    }
    out
}
