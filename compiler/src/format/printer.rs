//! The printer: walks the pest tree of a file that parsed without errors and writes it in the
//! canonical layout, interleaving the comments at the place they had among the tokens.
//!
//! Each grammar rule is one match arm of [`Printer::node`]; a rule without one is refused
//! ([`FormatError::Unsupported`]), so a construct added to the grammar is never dropped.

use pest::iterators::Pair;

use super::tokens::{is_verbatim, Comment};
use super::FormatError;
use crate::syntax::parser::Rule;

/// One indentation level.
const INDENT: &str = "    ";

pub(super) struct Printer<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    /// The next comment to place.
    next: usize,
    /// Finished lines (without their newline).
    lines: Vec<String>,
    /// Block depth.
    depth: usize,
    /// The next token starts a new line (a new statement).
    new_line: bool,
    /// The current line was ended by a comment: the next token of the same statement continues
    /// on a new, further indented line.
    broken: bool,
    /// The next token follows without a space (after `(`, `-`).
    glue: bool,
    /// Where the last token or comment ended in the source (for blank lines).
    last_end: usize,
    /// The last line opened a block: no blank line after it.
    after_open: bool,
    /// Lines that end with a trailing comment: (line index, byte length of the code before it).
    trailing: Vec<(usize, usize)>,
}

type Res = Result<(), FormatError>;

impl<'a> Printer<'a> {
    pub(super) fn new(src: &'a str, comments: Vec<Comment>) -> Self {
        Printer {
            src,
            comments,
            next: 0,
            lines: Vec::new(),
            depth: 0,
            new_line: true,
            broken: false,
            glue: false,
            last_end: 0,
            after_open: true,
            trailing: Vec::new(),
        }
    }

    /// The formatted text: the remaining comments placed, one newline at the end.
    pub(super) fn finish(mut self) -> String {
        self.new_line = true;
        self.flush_comments(self.src.len());
        self.align_trailing();
        let mut out = self.lines.join("\n");
        while out.ends_with('\n') {
            out.pop();
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    /// Aligns the trailing comments of consecutive lines one space after the longest code.
    fn align_trailing(&mut self) {
        let mut start = 0;
        while start < self.trailing.len() {
            let mut end = start + 1;
            while self
                .trailing
                .get(end)
                .zip(self.trailing.get(end - 1))
                .is_some_and(|(b, a)| b.0 == a.0 + 1)
            {
                end += 1;
            }
            let run = self.trailing.get(start..end).unwrap_or_default();
            let width = run
                .iter()
                .filter_map(|&(i, len)| Some(self.lines.get(i)?.get(..len)?.chars().count()))
                .max()
                .unwrap_or(0);
            for &(i, len) in run {
                if let Some(line) = self.lines.get_mut(i) {
                    let (code, comment) = line.split_at(len.min(line.len()));
                    let pad = width.saturating_sub(code.chars().count());
                    *line = format!("{code}{}{comment}", " ".repeat(pad));
                }
            }
            start = end;
        }
    }

    /// A blank line in the source between the last thing printed and `pos`.
    fn blank_before(&self, pos: usize) -> bool {
        let from = self.last_end.min(pos);
        self.src[from..pos].matches('\n').count() >= 2
    }

    /// Places every comment that starts before `pos`.
    fn flush_comments(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            let c = c.clone();
            self.next += 1;
            let index = self.lines.len().saturating_sub(1);
            match self.lines.last_mut() {
                Some(last) if c.trailing => {
                    self.trailing.push((index, last.len()));
                    last.push(' ');
                    last.push_str(&c.text);
                }
                _ => {
                    if c.blank_before && !self.after_open && !self.lines.is_empty() {
                        self.lines.push(String::new());
                    }
                    let extra = usize::from(!self.new_line);
                    self.lines
                        .push(format!("{}{}", INDENT.repeat(self.depth + extra), c.text));
                }
            }
            self.after_open = false;
            self.last_end = c.start + c.text.len();
            if !self.new_line {
                self.broken = true;
            }
        }
    }

    /// Writes a token of the source that starts at `pos`.
    fn token(&mut self, pos: usize, text: &str) {
        self.flush_comments(pos);
        if self.new_line {
            if self.blank_before(pos) && !self.after_open && !self.lines.is_empty() {
                self.lines.push(String::new());
            }
            self.lines.push(INDENT.repeat(self.depth));
            self.new_line = false;
            self.broken = false;
        } else if self.broken {
            self.lines.push(INDENT.repeat(self.depth + 1));
            self.broken = false;
        } else if !self.glue {
            if let Some(last) = self.lines.last_mut() {
                last.push(' ');
            }
        }
        if let Some(last) = self.lines.last_mut() {
            last.push_str(text);
        }
        self.glue = false;
        self.after_open = false;
        self.last_end = pos + text.len();
    }

    /// Writes punctuation that has no token of its own (`(`, `)`, `,`, `:`), glued to what
    /// precedes it unless `space`.
    fn punct(&mut self, text: &str, space: bool) {
        if self.broken {
            self.lines.push(INDENT.repeat(self.depth + 1));
            self.broken = false;
        } else if space && !self.glue {
            if let Some(last) = self.lines.last_mut() {
                last.push(' ');
            }
        }
        if let Some(last) = self.lines.last_mut() {
            last.push_str(text);
        }
        self.glue = false;
    }

    /// Opens a block: ` {` at the end of the line, statements one level further in.
    fn open(&mut self) {
        self.punct("{", true);
        self.depth += 1;
        self.new_line = true;
        self.after_open = true;
    }

    /// Closes the block of `parent`: comments before its `}` stay inside.
    fn close(&mut self, parent_end: usize) {
        // The last statement is over: comments before the `}` stand on their own lines.
        self.new_line = true;
        self.broken = false;
        self.flush_comments(parent_end.saturating_sub(1));
        self.depth = self.depth.saturating_sub(1);
        self.lines.push(format!("{}}}", INDENT.repeat(self.depth)));
        self.last_end = parent_end;
        self.after_open = false;
        self.new_line = true;
    }

    /// Starts a new statement.
    fn line(&mut self) {
        self.new_line = true;
    }

    fn unsupported(pair: &Pair<'_, Rule>) -> FormatError {
        FormatError::Unsupported {
            rule: format!("{:?}", pair.as_rule()),
            span: pair.as_span().start()..pair.as_span().end(),
        }
    }

    /// The whole file.
    pub(super) fn file(&mut self, file: Pair<'_, Rule>) -> Res {
        for item in file.into_inner() {
            match item.as_rule() {
                Rule::EOI => {}
                _ => {
                    self.line();
                    self.node(item)?;
                }
            }
        }
        Ok(())
    }

    /// Statements of a block body, each on its own line, then the closing `}`.
    fn body<'i>(&mut self, stmts: impl Iterator<Item = Pair<'i, Rule>>, end: usize) -> Res {
        self.open();
        for stmt in stmts {
            self.line();
            self.node(stmt)?;
        }
        self.close(end);
        Ok(())
    }

    /// Words of a line, each separated by one space.
    fn words<'i>(&mut self, parts: impl Iterator<Item = Pair<'i, Rule>>) -> Res {
        for part in parts {
            self.node(part)?;
        }
        Ok(())
    }

    /// A block statement: its head words (up to the first statement), then its body.
    fn block_stmt(&mut self, pair: Pair<'_, Rule>, is_head: fn(Rule) -> bool) -> Res {
        let end = pair.as_span().end();
        let mut inner = pair.into_inner().peekable();
        while let Some(p) = inner.next_if(|p| is_head(p.as_rule())) {
            self.node(p)?;
        }
        self.body(inner, end)
    }

    /// One node of the tree: the one place that knows every rule.
    fn node(&mut self, pair: Pair<'_, Rule>) -> Res {
        let rule = pair.as_rule();
        if is_verbatim(rule) {
            let span = pair.as_span();
            self.token(span.start(), span.as_str());
            return Ok(());
        }
        match rule {
            // Keywords and operators without inner tokens: as written (they have one spelling).
            r if is_keyword(r) => {
                self.token(pair.as_span().start(), pair.as_str());
            }
            Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_default => {
                self.token(pair.as_span().start(), pair.as_str());
            }
            Rule::op_or
            | Rule::op_and
            | Rule::op_in
            | Rule::op_not_in
            | Rule::op_not
            | Rule::op_present
            | Rule::op_absent => self.words(pair.into_inner())?,
            Rule::op_neg => {
                self.token(pair.as_span().start(), "-");
                self.glue = true;
            }

            // ---------------------------------------------------------------- blocks
            Rule::campaign => {
                self.block_stmt(pair, |r| matches!(r, Rule::kw_campaign | Rule::ident))?
            }
            Rule::scene | Rule::ending | Rule::popup => self.block_stmt(pair, |r| {
                matches!(
                    r,
                    Rule::kw_scene | Rule::kw_ending | Rule::kw_popup | Rule::ident | Rule::when
                )
            })?,
            Rule::service => {
                self.block_stmt(pair, |r| matches!(r, Rule::kw_service | Rule::ident))?
            }
            Rule::notify => self.block_stmt(pair, |r| {
                matches!(r, Rule::kw_notify | Rule::ident | Rule::when)
            })?,
            Rule::match_block => {
                self.block_stmt(pair, |r| matches!(r, Rule::kw_match | Rule::expr))?
            }
            Rule::block => {
                let end = pair.as_span().end();
                self.body(pair.into_inner(), end)?;
            }
            Rule::if_block | Rule::else_if | Rule::else_block => {
                for part in pair.into_inner() {
                    if matches!(part.as_rule(), Rule::else_if | Rule::else_block) {
                        // `} else {` on the line of the `}`.
                        self.new_line = false;
                    }
                    self.node(part)?;
                }
            }
            Rule::case_arm => {
                let mut first_value = true;
                for part in pair.into_inner() {
                    if part.as_rule() == Rule::case_value {
                        if !first_value {
                            self.punct(",", false);
                        }
                        first_value = false;
                    }
                    self.node(part)?;
                }
            }
            Rule::case_value => self.words(pair.into_inner())?,

            // ---------------------------------------------------------------- lines
            Rule::h_title
            | Rule::h_locale
            | Rule::h_schema
            | Rule::h_available
            | Rule::avail_until
            | Rule::avail_for
            | Rule::h_requires
            | Rule::h_length
            | Rule::h_rate
            | Rule::import
            | Rule::include
            | Rule::s_visual
            | Rule::s_duration
            | Rule::s_text
            | Rule::s_say
            | Rule::for_each
            | Rule::when
            | Rule::p_button
            | Rule::p_title
            | Rule::p_body
            | Rule::button
            | Rule::rating
            | Rule::sv_label
            | Rule::sv_url
            | Rule::v_alt
            | Rule::v_decorative
            | Rule::n_to
            | Rule::n_segments
            | Rule::n_subject
            | Rule::n_body
            | Rule::n_text
            | Rule::n_html
            | Rule::n_button => self.words(pair.into_inner())?,

            // ---------------------------------------------------------------- expressions
            Rule::expr => self.words(pair.into_inner())?,
            Rule::paren => {
                self.punct("(", true);
                self.glue = true;
                self.words(pair.into_inner())?;
                self.punct(")", false);
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                if let Some(name) = inner.next() {
                    self.node(name)?;
                }
                self.punct("(", false);
                self.glue = true;
                for (i, arg) in inner.enumerate() {
                    if i > 0 {
                        self.punct(",", false);
                    }
                    self.node(arg)?;
                }
                self.punct(")", false);
            }
            Rule::any_expr => {
                for part in pair.into_inner() {
                    if part.as_rule() == Rule::expr {
                        self.punct(":", false);
                    }
                    self.node(part)?;
                }
            }
            _ => return Err(Self::unsupported(&pair)),
        }
        Ok(())
    }
}

/// The `kw_*` rules.
fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// Every rule the printer knows, by name: each is printed by an arm of [`Printer::node`], is
/// copied whole ([`is_verbatim`]), or never reaches the printer (silent, recovery or entry-point
/// rules; a file with a recovery rule has syntax errors and is refused before printing).
#[cfg(test)]
pub(super) fn known(rule: Rule) -> bool {
    use Rule::*;
    is_verbatim(rule)
        || is_keyword(rule)
        || matches!(
            rule,
            EOI | WHITESPACE
                | COMMENT
                | file
                | item_line
                | scene_line
                | end_block
                | unclosed
                | item
                | story_item
                | campaign
                | header_stmt
                | h_title
                | h_locale
                | h_schema
                | h_available
                | avail_until
                | avail_for
                | h_requires
                | h_length
                | h_rate
                | import
                | include
                | scene
                | ending
                | scene_stmt
                | s_visual
                | v_alt
                | v_decorative
                | s_duration
                | s_text
                | s_say
                | for_each
                | when
                | popup
                | popup_stmt
                | p_button
                | p_title
                | p_body
                | button
                | rating
                | service
                | service_stmt
                | sv_label
                | sv_url
                | notify
                | notify_stmt
                | n_to
                | n_segments
                | n_subject
                | n_body
                | n_text
                | n_html
                | n_button
                | block
                | if_block
                | else_if
                | else_block
                | match_block
                | case_arm
                | case_value
                | expr
                | infix
                | prefix
                | postfix
                | op_or
                | op_and
                | op_eq
                | op_ne
                | op_le
                | op_ge
                | op_lt
                | op_gt
                | op_in
                | op_not_in
                | op_add
                | op_sub
                | op_mul
                | op_div
                | op_default
                | op_not
                | op_neg
                | op_present
                | op_absent
                | primary
                | paren
                | call
                | any_expr
                | money_amount
                | period_count
                | period_unit
                | string_inner
                | string_escape
                | tpl_text
                | tpl_escape
                | tpl_hole
                | formatter
                | tpl_agree
                | agree_form
                | ident_char
                | keyword
                | bad_stmt
                | bad_item
                | closing
                | balanced
                | raw_string
                | line_header
                | header_stmt_strict
                | line_scene
                | scene_stmt_strict
                | popup_strict
                | line_popup
                | popup_stmt_strict
                | line_service
                | line_notify
                | notify_stmt_strict
                | notify_strict
                | line_item
                | line_match
                | item_strict
                | campaign_strict
                | scene_strict
                | ending_strict
                | block_strict
                | if_strict
                | match_strict
        )
}
