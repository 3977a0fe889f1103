//! Streaming the recipients file in batches: JSON Lines cut at line ends, or CSV rows.
//!
//! Memory stays flat: the reader holds one batch of input at a time (plus the part of a line
//! that runs past the end of it), however large the file.

use std::io::{self, Read};

/// Bytes of input per JSON Lines batch (a batch ends at a line end, so it is a little more or
/// less). Small enough that the batches in flight stay small, large enough to amortise the
/// hand-over between threads.
pub const BATCH_BYTES: usize = 32 * 1024;
/// Rows per CSV batch.
pub const BATCH_ROWS: usize = 128;
/// A line longer than this is a rejected record, not a reason to hold the whole file.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// One unit of work: consecutive records, with their line numbers.
#[derive(Debug)]
pub struct Batch {
    /// Position in the input: output is written in this order.
    pub seq: u64,
    /// The records.
    pub items: Items,
    /// Input bytes consumed so far, including this batch (for the progress bar).
    pub bytes_done: u64,
}

/// The records of a batch.
#[derive(Debug)]
pub enum Items {
    /// Complete lines of JSON Lines; `first_line` is the number of the first (from 1).
    Jsonl {
        /// The bytes, ending with a line end (or the end of the file).
        data: Vec<u8>,
        /// The number of the first line.
        first_line: u64,
        /// Lines too long to hold, by number (rejected without being read).
        too_long: Vec<u64>,
    },
    /// CSV rows with the line numbers where they start.
    Csv(Vec<(u64, csv::ByteRecord)>),
}

/// Cuts a byte stream into batches of whole lines.
pub struct LineBatches<R> {
    src: R,
    /// Bytes read past the last line end of the previous batch.
    carry: Vec<u8>,
    next_line: u64,
    seq: u64,
    bytes: u64,
    eof: bool,
    first: bool,
}

impl<R: Read> LineBatches<R> {
    /// Batches of the lines of `src`.
    pub fn new(src: R) -> Self {
        LineBatches {
            src,
            carry: Vec::new(),
            next_line: 1,
            seq: 0,
            bytes: 0,
            eof: false,
            first: true,
        }
    }

    /// The next batch, `None` at the end of the input. `buf` is a recycled buffer.
    pub fn next_batch(&mut self, mut buf: Vec<u8>) -> io::Result<Option<Batch>> {
        buf.clear();
        buf.append(&mut self.carry);
        let first_line = self.next_line;
        loop {
            while !self.eof && buf.len() < BATCH_BYTES {
                self.fill(&mut buf)?;
            }
            if self.first {
                self.first = false;
                if buf.starts_with(b"\xEF\xBB\xBF") {
                    buf.drain(..3);
                }
            }
            if self.eof {
                break;
            }
            if let Some(end) = memchr::memrchr(b'\n', &buf) {
                self.carry
                    .extend_from_slice(buf.get(end + 1..).unwrap_or(&[]));
                buf.truncate(end + 1);
                break;
            }
            if buf.len() > MAX_LINE {
                // `buf` is the start of one enormous line (it begins at a line start and has
                // no line end): drop it to its end and report it by number.
                buf.clear();
                self.skip_line()?;
                self.next_line = first_line + 1;
                return Ok(Some(self.batch(buf, first_line, vec![first_line])));
            }
            self.fill(&mut buf)?;
        }
        if buf.is_empty() {
            return Ok(None);
        }
        let lines = count_lines(&buf) + u64::from(buf.last() != Some(&b'\n'));
        self.next_line = first_line + lines;
        Ok(Some(self.batch(buf, first_line, Vec::new())))
    }

    /// Reads up to [`BATCH_BYTES`] more into the end of `buf` (into its spare capacity: the
    /// bytes are not zeroed first).
    fn fill(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.reserve(BATCH_BYTES);
        let n = (&mut self.src).take(BATCH_BYTES as u64).read_to_end(buf)?;
        self.bytes += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    fn batch(&mut self, data: Vec<u8>, first_line: u64, too_long: Vec<u64>) -> Batch {
        let seq = self.seq;
        self.seq += 1;
        Batch {
            seq,
            items: Items::Jsonl {
                data,
                first_line,
                too_long,
            },
            bytes_done: self.bytes,
        }
    }

    /// Reads and drops input up to and including the next line end.
    fn skip_line(&mut self) -> io::Result<()> {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = read_some(&mut self.src, &mut chunk)?;
            self.bytes += n as u64;
            if n == 0 {
                self.eof = true;
                return Ok(());
            }
            let got = chunk.get(..n).unwrap_or(&[]);
            if let Some(p) = memchr::memchr(b'\n', got) {
                self.carry
                    .extend_from_slice(got.get(p + 1..).unwrap_or(&[]));
                return Ok(());
            }
        }
    }
}

/// Reads once, retrying on interruption.
fn read_some<R: Read>(src: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match src.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

fn count_lines(s: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', s).count() as u64
}

/// Calls `f(line_number, line)` for each line of a JSON Lines batch, without its line end
/// (`\n` or `\r\n`).
pub fn for_each_line(data: &[u8], first_line: u64, mut f: impl FnMut(u64, &[u8])) {
    let mut n = first_line;
    let mut start = 0;
    let mut emit = |s: usize, e: usize, n: u64| {
        let line = data.get(s..e).unwrap_or(&[]);
        f(n, line.strip_suffix(b"\r").unwrap_or(line));
    };
    for end in memchr::memchr_iter(b'\n', data) {
        emit(start, end, n);
        start = end + 1;
        n += 1;
    }
    if start < data.len() {
        emit(start, data.len(), n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(u64, String)> {
        let mut r = LineBatches::new(input);
        let mut out = Vec::new();
        while let Some(b) = r.next_batch(Vec::new()).expect("read") {
            if let Items::Jsonl {
                data, first_line, ..
            } = &b.items
            {
                for_each_line(data, *first_line, |n, l| {
                    out.push((n, String::from_utf8_lossy(l).into_owned()))
                });
            }
        }
        out
    }

    #[test]
    fn cuts_lines() {
        assert_eq!(
            lines(b"\xEF\xBB\xBFa\nb\r\n\nc"),
            [
                (1, "a".into()),
                (2, "b".into()),
                (3, "".into()),
                (4, "c".into())
            ]
        );
        assert!(lines(b"").is_empty());
        let big: Vec<u8> = (0..50_000)
            .flat_map(|i| format!("{{\"i\":{i}}}\n").into_bytes())
            .collect();
        let got = lines(&big);
        assert_eq!(got.len(), 50_000);
        assert!(got
            .iter()
            .enumerate()
            .all(|(i, (n, l))| *n == i as u64 + 1 && *l == format!("{{\"i\":{i}}}")));
    }
}
