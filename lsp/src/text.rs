//! Byte offsets (the compiler's spans) to LSP positions (lines and UTF-16 columns) and back.

use lsp_types::{Position, Range};
use std::ops::Range as Span;

/// The line starts of a text, to convert positions both ways.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, rounded down to a character).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(col))
    }

    /// The byte offset of a position (clamped to its line, and to the text).
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(self.text.len(), |&e| e.saturating_sub(1));
        let mut units = 0usize;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// The range of a span.
    pub fn range(&self, span: &Span<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_columns_in_utf16_and_round_trips() {
        let text = "scene è {\n  text \"𝄞 è\"\n}";
        let idx = LineIndex::new(text);
        let quote = text.find('𝄞').expect("in the text");
        assert_eq!(idx.position(quote), Position::new(1, 8));
        let after = quote + '𝄞'.len_utf8();
        assert_eq!(idx.position(after), Position::new(1, 10));
        for (i, _) in text.char_indices() {
            assert_eq!(idx.offset(idx.position(i)), i);
        }
        assert_eq!(
            idx.offset(Position::new(0, 99)),
            text.find('\n').expect("a line")
        );
        assert_eq!(idx.offset(Position::new(9, 0)), text.len());
    }
}
