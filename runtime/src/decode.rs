//! Streaming decoding of a JSON record straight from its text (the `json` feature).
//!
//! [`Record::from_json`] first needs a whole `serde_json::Value` tree: a map allocated per
//! object, a `String` per key and per string. Batch rendering decodes millions of records, so
//! the common case takes a fast path here: a small JSON reader driven by the schema, which
//! matches each key against the schema's fields as it reads it and converts each value to its
//! [`Value`] in place, with no intermediate tree and no allocation but the strings kept (and
//! not even those when the previous record's string in the same place has the same length:
//! its allocation is reused, as are the slots of the previous record's values).
//!
//! The fast path only ever *accepts* what serde_json accepts, with the same result; anything it
//! is not sure about (a syntax error, an unknown key, a value of the wrong type, a missing
//! attribute, but also a lone `\u` surrogate, a number with an exponent or more than 15
//! digits) sends the text to the slow path: `serde_json::Value` then [`Record::from_json`]. So
//! errors are exactly the ones [`Record::from_json`] reports, with their paths, suggestions and
//! redaction of personal values, and every record decodes to the same values either way (the
//! last of repeated keys wins, as in `serde_json::Value`).
//!
//! Numbers: serde_json reads a decimal number with at most 15 digits and no exponent as its
//! digits (an integer below 2^53, an exact double) divided by a power of ten (at most 10^15,
//! exact too): the correctly rounded double, which is what [`str::parse`] gives and what the
//! fast path computes the same way. The shortest decimal form of that double is the number as
//! written, so an amount of money is converted to cents from its digits exactly as
//! [`crate::format::money_from_f64`] would.

use crate::date::Date;
use crate::record::{check_range, parse_money, Record, RecordError, RecordErrorKind, Value};
use crate::schema::{Fields, Schema, Type};
use crate::write::first_escape;
use std::borrow::Cow;

/// The fast path cannot decide: the slow path will.
#[derive(Debug)]
struct Fail;

type R<T> = Result<T, Fail>;

/// What the fast path knows in advance of a schema's top-level attributes: the JSON text of
/// the names and enum values that are plain words (letters, digits, `_`, `-`), whose JSON
/// string is the word between quotes, so that the text is compared with it directly.
/// Computed once per program.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Per top-level attribute, in schema order.
    fields: Vec<Planned>,
}

/// What [`Plan`] knows of one attribute.
#[derive(Debug, Clone, Default)]
struct Planned {
    /// `"name":` when the name is plain.
    key: Option<Box<[u8]>>,
    /// When the attribute is an enum (or optional enum) whose values are all plain: each
    /// value between quotes, in declaration order.
    values: Option<Box<[Box<[u8]>]>>,
}

fn plain(w: &str) -> bool {
    w.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// `"w"`: the JSON string of a plain word.
fn quoted(w: &str) -> Box<[u8]> {
    let mut q = Vec::with_capacity(w.len() + 2);
    q.push(b'"');
    q.extend_from_slice(w.as_bytes());
    q.push(b'"');
    q.into_boxed_slice()
}

impl Plan {
    /// The plan of a schema.
    pub(crate) fn new(schema: &Schema) -> Plan {
        let mut p = Plan::default();
        for (name, attr) in schema.attributes.iter() {
            let mut ty = &attr.ty;
            while let Type::Optional(inner) = ty {
                ty = inner;
            }
            p.fields.push(Planned {
                key: plain(name).then(|| {
                    let mut k = quoted(name).into_vec();
                    k.push(b':');
                    k.into_boxed_slice()
                }),
                values: match ty {
                    Type::Enum(v) if v.iter().all(|x| plain(x)) => {
                        Some(v.iter().map(|x| quoted(x)).collect())
                    }
                    _ => None,
                },
            });
        }
        p
    }
}

/// Decodes `text` (the UTF-8 text of one JSON object) against `schema` into `out`, reusing its
/// allocation (and, on the fast path, that of the strings and nested records already there
/// when they can be overwritten). `plan`, when given, is [`Plan::new`] of `schema`.
pub(crate) fn decode_into(
    schema: &Schema,
    plan: Option<&Plan>,
    text: &[u8],
    out: &mut Vec<Value>,
) -> Result<(), RecordError> {
    let mut p = Parser { b: text, i: 0 };
    if p.top(&schema.attributes, plan, out).is_ok() {
        return Ok(());
    }
    slow(schema, text, out)
}

/// The slow path: through `serde_json::Value`, for the exact error.
#[cold]
#[inline(never)]
fn slow(schema: &Schema, text: &[u8], out: &mut Vec<Value>) -> Result<(), RecordError> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| RecordError {
        path: String::new(),
        kind: RecordErrorKind::Syntax {
            message: e.to_string(),
        },
    })?;
    let record = Record::from_json(schema, &value)?;
    *out = record.into_values();
    Ok(())
}

/// A reader over the text of a record.
struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// Bytes of the text as a string, or `Fail` when they are not UTF-8.
#[inline]
fn utf8(b: &[u8]) -> R<&str> {
    std::str::from_utf8(b).map_err(|_| Fail)
}

/// Eight bytes of `s` from `k`, as a word.
#[inline]
fn word8(s: &[u8], k: usize) -> Option<u64> {
    let w: [u8; 8] = s.get(k..k + 8)?.try_into().ok()?;
    Some(u64::from_ne_bytes(w))
}

/// Four bytes of `s` from `k`, as a word.
#[inline]
fn word4(s: &[u8], k: usize) -> Option<u32> {
    let w: [u8; 4] = s.get(k..k + 4)?.try_into().ok()?;
    Some(u32::from_ne_bytes(w))
}

/// Two bytes of `s` from `k`, as a word.
#[inline]
fn word2(s: &[u8], k: usize) -> Option<u16> {
    let w: [u8; 2] = s.get(k..k + 2)?.try_into().ok()?;
    Some(u16::from_ne_bytes(w))
}

/// `a == b` for short slices (names, enum values), a word at a time (the last word
/// overlapping the one before) rather than through a call to `memcmp`.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut k = 0;
        while k + 8 < n {
            if word8(a, k) != word8(b, k) {
                return false;
            }
            k += 8;
        }
        word8(a, n - 8) == word8(b, n - 8)
    } else if n >= 4 {
        word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4)
    } else if n >= 2 {
        word2(a, 0) == word2(b, 0) && word2(a, n - 2) == word2(b, n - 2)
    } else {
        a.first() == b.first()
    }
}

/// Stores `Value::$variant(x)` in `$slot`: in place when the slot already holds a
/// `$variant` (as it does when records of one schema are decoded one after the other into
/// the same values), which spares dropping the old value.
macro_rules! put {
    ($slot:expr, $variant:ident, $x:expr) => {{
        let x = $x;
        match $slot {
            Value::$variant(old) => *old = x,
            other => *other = Value::$variant(x),
        }
    }};
}

/// Stores the string `s` (checked here to be UTF-8) in `slot`, reusing the allocation of the
/// string already there when it has the same length.
#[inline]
fn put_str(slot: &mut Value, s: &[u8]) -> R<()> {
    if !s.is_ascii() {
        *slot = Value::Str(utf8(s)?.into());
        return Ok(());
    }
    // ASCII: copied character by character, which needs no UTF-8 validation.
    let mut out = match slot {
        Value::Str(old) if old.len() == s.len() => {
            let mut out = std::mem::take(old).into_string();
            out.clear();
            out
        }
        _ => String::with_capacity(s.len()),
    };
    // The mask changes no ASCII byte; it tells the compiler that each is a one-byte character.
    out.extend(s.iter().map(|&c| char::from(c & 0x7f)));
    put!(slot, Str, out.into_boxed_str());
    Ok(())
}

impl<'a> Parser<'a> {
    /// The fast path: `Err` means "ask the slow path". The text is not validated as UTF-8 as
    /// a whole: only the strings kept are (keys and enum values are compared as bytes with the
    /// schema's names).
    fn top(&mut self, fields: &Fields, plan: Option<&Plan>, out: &mut Vec<Value>) -> R<()> {
        self.object(fields, plan, out)?;
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(Fail)
        }
    }

    /// Skips white space.
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            // Usually the next byte is a token's: a single comparison.
            if c > b' ' || !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.i += 1;
        }
    }

    /// The next byte after white space, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Fail)
        }
    }

    /// Whether the text goes on (without white space first) with `word`, consumed if so.
    #[inline]
    fn at(&mut self, word: &[u8]) -> bool {
        let end = self.i + word.len();
        match self.b.get(self.i..end) {
            Some(s) if same(s, word) => {
                self.i = end;
                true
            }
            _ => false,
        }
    }

    /// Whether the next value is `null` (consumed if so).
    #[inline]
    fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.at(b"null")
    }

    /// A string without escapes: its bytes (not yet checked to be UTF-8), consumed with its
    /// quotes. `None` when it has an escape or a control character: the reader is then just
    /// after the opening quote, for [`Parser::escaped`].
    #[inline]
    fn unescaped(&mut self) -> R<Option<&'a [u8]>> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..).ok_or(Fail)?;
        let stop = first_escape(rest).ok_or(Fail)?;
        if rest.get(stop) == Some(&b'"') {
            self.i += stop + 1;
            rest.get(..stop).ok_or(Fail).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The rest of a string with escapes, from just after its opening quote.
    #[inline(never)]
    fn escaped(&mut self) -> R<String> {
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(utf8(self.b.get(run..self.i).ok_or(Fail)?)?);
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let e = *self.b.get(self.i + 1).ok_or(Fail)?;
                    self.i += 2;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return Err(Fail),
                    });
                }
                _ => return Err(Fail),
            }
        }
    }

    /// A string's bytes, borrowed from the text unless it has escapes (not yet checked to be
    /// UTF-8 when borrowed).
    #[inline]
    fn string(&mut self) -> R<Cow<'a, [u8]>> {
        Ok(match self.unescaped()? {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.escaped()?.into_bytes()),
        })
    }

    /// A string, checked to be UTF-8.
    fn str(&mut self) -> R<Cow<'a, str>> {
        Ok(match self.unescaped()? {
            Some(s) => Cow::Borrowed(utf8(s)?),
            None => Cow::Owned(self.escaped()?),
        })
    }

    /// The character of a `\uXXXX` escape (after the `u`), a surrogate pair included.
    fn unicode(&mut self) -> R<char> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                return Err(Fail);
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(Fail);
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or(Fail)
    }

    fn hex4(&mut self) -> R<u32> {
        let h = self.b.get(self.i..self.i + 4).ok_or(Fail)?;
        self.i += 4;
        h.iter().try_fold(0u32, |acc, &c| {
            let d = char::from(c).to_digit(16).ok_or(Fail)?;
            Ok(acc * 16 + d)
        })
    }

    /// A number, read from its digits. Exponents, more than 15 digits and invalid numbers are
    /// left to the slow path.
    #[inline]
    fn number(&mut self) -> R<Num> {
        self.ws();
        let b = self.b;
        let mut i = self.i;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let int = i;
        // Wrapping: beyond 15 digits the value is not used.
        let mut digits = 0i64;
        while let Some(d) = digit(b.get(i)) {
            digits = digits.wrapping_mul(10).wrapping_add(d);
            i += 1;
        }
        let int_len = i - int;
        if int_len == 0 || (int_len > 1 && b.get(int) == Some(&b'0')) {
            return Err(Fail);
        }
        let mut frac = None;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let f = i;
            while let Some(d) = digit(b.get(i)) {
                digits = digits.wrapping_mul(10).wrapping_add(d);
                i += 1;
            }
            if i == f {
                return Err(Fail);
            }
            frac = Some(i - f);
        }
        if matches!(b.get(i), Some(b'e' | b'E')) || int_len + frac.unwrap_or(0) > 15 {
            return Err(Fail);
        }
        self.i = i;
        Ok(Num { neg, digits, frac })
    }

    /// An object of `fields` into `out` (its previous values replaced).
    fn object(&mut self, fields: &Fields, plan: Option<&Plan>, out: &mut Vec<Value>) -> R<()> {
        let n = fields.len();
        if out.len() != n {
            out.clear();
            out.resize(n, Value::Absent);
        }
        let mut seen = Seen::new(n);
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            // Keys usually come in schema order: try the next field first, comparing the
            // text with `"name":` directly.
            let mut guess = 0usize;
            loop {
                self.ws();
                let planned = plan.and_then(|p| p.fields.get(guess));
                let key = planned.and_then(|f| f.key.as_deref());
                let i = match key {
                    // `"name":`, or `"name"` then white space.
                    Some(key) if self.at(key) => guess,
                    Some(key) if self.at(key.split_last().map_or(key, |(_, k)| k)) => {
                        self.eat(b':')?;
                        guess
                    }
                    _ => {
                        let key = self.string()?;
                        self.eat(b':')?;
                        fields
                            .0
                            .iter()
                            .position(|(name, _)| name.as_bytes() == &*key)
                            .ok_or(Fail)?
                    }
                };
                let planned = if i == guess {
                    planned
                } else {
                    plan.and_then(|p| p.fields.get(i))
                };
                guess = i + 1;
                let (_, attr) = fields.0.get(i).ok_or(Fail)?;
                let values = planned.and_then(|f| f.values.as_deref());
                let slot = out.get_mut(i).ok_or(Fail)?;
                self.value(&attr.ty, values, slot)?;
                // Out of range: the slow path says so.
                check_range(&attr.range, slot).map_err(|_| Fail)?;
                seen.set(i);
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(Fail),
                }
            }
        }
        if seen.all(n) {
            return Ok(());
        }
        // The values of a previous record may still be there: absent attributes are reset.
        for (i, (_, attr)) in fields.0.iter().enumerate() {
            if !seen.has(i) {
                if !matches!(attr.ty, Type::Optional(_)) {
                    return Err(Fail);
                }
                if let Some(slot) = out.get_mut(i) {
                    *slot = Value::Absent;
                }
            }
        }
        Ok(())
    }

    /// A value of type `ty` into `slot` (`plain`: the quoted values of an enum whose values
    /// are plain words, see [`Plan`]).
    #[inline]
    fn value(&mut self, ty: &Type, plain: Option<&[Box<[u8]>]>, slot: &mut Value) -> R<()> {
        let mut ty = ty;
        while let Type::Optional(inner) = ty {
            if self.null() {
                if !slot.is_absent() {
                    *slot = Value::Absent;
                }
                return Ok(());
            }
            ty = inner;
        }
        match ty {
            Type::Optional(_) => return Err(Fail),
            Type::String => {
                match self.unescaped()? {
                    Some(s) => put_str(slot, s)?,
                    None => *slot = Value::Str(self.escaped()?.into_boxed_str()),
                };
            }
            Type::Bool => {
                let v = match self.peek() {
                    Some(b't') if self.at(b"true") => true,
                    Some(b'f') if self.at(b"false") => false,
                    _ => return Err(Fail),
                };
                put!(slot, Bool, v);
            }
            Type::Int => put!(slot, Int, self.number()?.int()?),
            Type::Decimal => put!(slot, Decimal, self.number()?.float()?),
            Type::Money => {
                let cents = if self.peek() == Some(b'"') {
                    parse_money(&self.str()?).map_err(|_| Fail)?
                } else {
                    self.number()?.cents()?
                };
                put!(slot, Money, cents);
            }
            Type::Date => {
                // `"YYYY-MM-DD"` is twelve bytes without escapes.
                self.ws();
                let at = self.i;
                let date = match (
                    self.b.get(at),
                    self.b.get(at + 11),
                    self.b.get(at + 1..at + 11),
                ) {
                    (Some(b'"'), Some(b'"'), Some(d)) => {
                        self.i = at + 12;
                        iso_date(d)
                    }
                    _ => Date::parse_iso_bytes(&self.string()?),
                };
                put!(slot, Date, date.ok_or(Fail)?);
            }
            Type::Enum(values) => {
                let hit = match plain {
                    Some(quoted) if self.peek() == Some(b'"') => {
                        quoted.iter().position(|q| self.at(q))
                    }
                    _ => None,
                };
                let index = match hit {
                    Some(i) => u16::try_from(i).map_err(|_| Fail)?,
                    None => enum_index(values, &self.string()?)?,
                };
                put!(slot, Enum, index);
            }
            Type::Set(values) => put!(slot, Set, self.set(values)?),
            Type::Record(fields) => self.record(fields, slot)?,
            Type::List(fields) => self.list(fields, slot)?,
        }
        Ok(())
    }

    /// A set of `values` (at most 64), as its mask.
    fn set(&mut self, values: &[String]) -> R<u64> {
        if values.len() > 64 {
            return Err(Fail);
        }
        let mut mask = 0u64;
        self.eat(b'[')?;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(mask);
        }
        loop {
            mask |= 1u64 << (enum_index(values, &self.string()?)? & 63);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(mask);
                }
                _ => return Err(Fail),
            }
        }
    }

    /// A nested record of `fields` into `slot`, reusing the record already there.
    #[inline(never)]
    fn record(&mut self, fields: &Fields, slot: &mut Value) -> R<()> {
        if let Value::Record(values) = slot {
            return self.object(fields, None, values);
        }
        let mut values = Vec::new();
        self.object(fields, None, &mut values)?;
        *slot = Value::Record(values);
        Ok(())
    }

    /// A list of records of `fields` into `slot`, reusing the rows already there.
    #[inline(never)]
    fn list(&mut self, fields: &Fields, slot: &mut Value) -> R<()> {
        let mut rows = match slot {
            Value::List(rows) => std::mem::take(rows),
            _ => Vec::new(),
        };
        let mut k = 0;
        self.eat(b'[')?;
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                if k == rows.len() {
                    rows.push(Vec::new());
                }
                self.object(fields, None, rows.get_mut(k).ok_or(Fail)?)?;
                k += 1;
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(Fail),
                }
            }
        }
        rows.truncate(k);
        *slot = Value::List(rows);
        Ok(())
    }
}

/// [`Date::parse_iso_bytes`] (exactly `YYYY-MM-DD`, an existing date), unrolled.
#[inline]
fn iso_date(b: &[u8]) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b else {
        return None;
    };
    let d = |c: u8| {
        let v = c.wrapping_sub(b'0');
        (v < 10).then_some(v)
    };
    let year = i32::from(d(y0)?) * 1000
        + i32::from(d(y1)?) * 100
        + i32::from(d(y2)?) * 10
        + i32::from(d(y3)?);
    Date::new(year, d(m0)? * 10 + d(m1)?, d(d0)? * 10 + d(d1)?)
}

/// The value of a decimal digit.
#[inline]
fn digit(c: Option<&u8>) -> Option<i64> {
    let d = c?.wrapping_sub(b'0');
    (d < 10).then_some(i64::from(d))
}

/// Powers of ten up to 10^15, exact.
const POW10: [i64; 16] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
];

/// A number as written: at most 15 digits, no exponent.
struct Num {
    neg: bool,
    /// Its digits, integer part and fraction, as one integer (below 10^15).
    digits: i64,
    /// How many digits the fraction has (`None`: no fraction).
    frac: Option<usize>,
}

impl Num {
    /// An integer (`-0` is a float for serde_json: left to the slow path).
    #[inline]
    fn int(&self) -> R<i64> {
        if self.frac.is_some() || (self.neg && self.digits == 0) {
            return Err(Fail);
        }
        Ok(if self.neg { -self.digits } else { self.digits })
    }

    /// The number as the nearest double: the digits and the power of ten dividing them are
    /// exact doubles (below 2^53), so their quotient is correctly rounded, as
    /// [`str::parse`] and serde_json round.
    #[inline]
    fn float(&self) -> R<f64> {
        let scale = POW10.get(self.frac.unwrap_or(0)).ok_or(Fail)?;
        let x = self.digits as f64 / *scale as f64;
        Ok(if self.neg { -x } else { x })
    }

    /// An amount of euros in cents, rounded as [`crate::format::money_from_f64`] rounds: the
    /// digits up to the cents, plus one if the next digit is 5 or more.
    #[inline]
    fn cents(&self) -> R<i64> {
        let c = match self.frac {
            None => self.digits * 100,
            Some(k) if k <= 2 => self.digits * POW10.get(2 - k).ok_or(Fail)?,
            Some(k) => {
                let mils = self.digits / POW10.get(k - 3).ok_or(Fail)?;
                mils / 10 + i64::from(mils % 10 >= 5)
            }
        };
        Ok(if self.neg { -c } else { c })
    }
}

/// The index of `v` among an enum's values (at most 65,535 values).
fn enum_index(values: &[String], v: &[u8]) -> R<u16> {
    values
        .iter()
        .position(|x| x.as_bytes() == v)
        .and_then(|i| u16::try_from(i).ok())
        .ok_or(Fail)
}

/// Which fields of an object have been seen: a bit per field.
struct Seen {
    small: u64,
    large: Vec<bool>,
}

impl Seen {
    #[inline]
    fn new(n: usize) -> Seen {
        Seen {
            small: 0,
            large: if n > 64 { vec![false; n] } else { Vec::new() },
        }
    }

    #[inline]
    fn set(&mut self, i: usize) {
        if self.large.is_empty() {
            self.small |= 1u64 << (i & 63);
        } else if let Some(b) = self.large.get_mut(i) {
            *b = true;
        }
    }

    fn has(&self, i: usize) -> bool {
        if self.large.is_empty() {
            self.small & (1u64 << (i & 63)) != 0
        } else {
            self.large.get(i).copied().unwrap_or(false)
        }
    }

    /// Whether all of the `n` fields have been seen (the common case: one test).
    #[inline]
    fn all(&self, n: usize) -> bool {
        if self.large.is_empty() {
            n == 0 || self.small == u64::MAX >> (64 - n.min(64))
        } else {
            self.large.iter().all(|&b| b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;

    fn attr(ty: Type) -> Attribute {
        Attribute {
            ty,
            description: None,
            personal: false,
            range: Default::default(),
        }
    }

    fn schema() -> Schema {
        let opt = |t: Type| Type::Optional(Box::new(t));
        let row = Fields(vec![
            ("nome".into(), attr(Type::String)),
            ("eta".into(), attr(Type::Int)),
        ]);
        Schema {
            key: Some("id".into()),
            gender: None,
            attributes: Fields(vec![
                ("id".into(), attr(Type::Int)),
                ("nome".into(), attr(Type::String)),
                ("ok".into(), attr(Type::Bool)),
                ("x".into(), attr(Type::Decimal)),
                ("m".into(), attr(Type::Money)),
                ("d".into(), attr(opt(Type::Date))),
                ("e".into(), attr(Type::Enum(vec!["a".into(), "b".into()]))),
                ("s".into(), attr(Type::Set(vec!["a".into(), "b".into()]))),
                (
                    "r".into(),
                    attr(opt(Type::Record(Fields(vec![(
                        "c".into(),
                        attr(opt(Type::String)),
                    )])))),
                ),
                ("l".into(), attr(Type::List(row))),
            ]),
        }
    }

    /// The reference: serde_json::Value, then Record::from_json.
    fn reference(s: &Schema, text: &str) -> Result<Record, RecordError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| RecordError {
            path: String::new(),
            kind: RecordErrorKind::Syntax {
                message: e.to_string(),
            },
        })?;
        Record::from_json(s, &v)
    }

    #[test]
    fn same_as_serde_value() {
        let s = schema();
        let base = r#""nome":"Anna","ok":true,"x":0.75,"m":1234.56,"d":"2024-02-29","e":"a","s":["a","b","a"],"r":{"c":null},"l":[{"nome":"L","eta":3}]"#;
        let mut texts: Vec<String> = vec![
            format!("{{\"id\":1,{base}}}"),
            format!(" {{ \"id\" : -7 , {base} }} \r\n"),
            format!("{{{base},\"id\":1}}"),
            format!("{{\"id\":1,{base},\"id\":2}}"),
            format!("{{\"id\":1,{base},\"id\":\"x\"}}"),
            format!("{{\"id\":\"x\",{base},\"id\":3}}"),
            format!("{{\"id\":1.0,{base}}}"),
            format!("{{\"id\":-0,{base}}}"),
            format!("{{\"id\":01,{base}}}"),
            format!("{{\"id\":1e2,{base}}}"),
            format!("{{\"id\":9223372036854775807,{base}}}"),
            format!("{{\"id\":9223372036854775808,{base}}}"),
            format!("{{\"id\":1,{base}}} x"),
            format!("{{\"id\":1,{base},}}"),
            format!("{{\"id\":1,{base},\"zz\":1}}"),
            format!("{{\"id\":1,{base}"),
            "[]".into(),
            "".into(),
            "{}".into(),
            "{\"id\":1}".into(),
        ];
        let swaps = [
            ("\"Anna\"", "\"A\\\"n\\\\n\\/a\\u00e8\\ud83d\\ude00\\n\""),
            ("\"Anna\"", "\"\\ud800\""),
            ("\"Anna\"", "\"\\q\""),
            ("\"Anna\"", "\"tab\tinside\""),
            ("\"Anna\"", "null"),
            ("\"Anna\"", "5"),
            ("true", "tru"),
            ("true", "1"),
            ("0.75", "-0.0"),
            ("0.75", "3"),
            ("0.75", "1e-3"),
            ("0.75", "0.1234567890123456789"),
            ("0.75", "1."),
            ("0.75", "\"0.75\""),
            ("1234.56", "1.005"),
            ("1234.56", "-0.125"),
            ("1234.56", "0.0049"),
            ("1234.56", "12"),
            ("1234.56", "-0"),
            ("1234.56", "\"1234.5\""),
            ("1234.56", "\"1.234,5\""),
            ("1234.56", "1.00499999999999999999"),
            ("1234.56", "99999999999999.99"),
            ("1234.56", "1e20"),
            ("1234.56", "92233720368547758"),
            ("\"2024-02-29\"", "null"),
            ("\"2024-02-29\"", "\"2023-02-29\""),
            ("\"a\",\"s\"", "\"c\",\"s\""),
            ("[\"a\",\"b\",\"a\"]", "[]"),
            ("[\"a\",\"b\",\"a\"]", "[\"a\",3]"),
            ("{\"c\":null}", "null"),
            ("{\"c\":null}", "{}"),
            ("{\"c\":null}", "{\"c\":\"x\",\"d\":1}"),
            ("[{\"nome\":\"L\",\"eta\":3}]", "[]"),
            ("[{\"nome\":\"L\",\"eta\":3}]", "[{\"nome\":\"L\"}]"),
            (
                "[{\"nome\":\"L\",\"eta\":3}]",
                "[{\"nome\":\"L\",\"eta\":3},]",
            ),
        ];
        for (from, to) in swaps {
            texts.push(format!("{{\"id\":1,{}}}", base.replacen(from, to, 1)));
        }
        for text in &texts {
            let fast = Record::from_json_str(&s, text);
            let slow = reference(&s, text);
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                _ => panic!("{text}: {fast:?} vs {slow:?}"),
            }
        }
        // The fast path is taken for ordinary records (decoded without the slow path).
        let mut out = Vec::new();
        let plan = Plan::new(&s);
        for text in &texts {
            // With or without the plan, the same result.
            let mut with = Record::empty();
            let a = with.decode_json_slice(&s, text.as_bytes());
            let mut values = Vec::new();
            let b = decode_into(&s, Some(&plan), text.as_bytes(), &mut values);
            assert_eq!(a.is_ok(), b.is_ok(), "{text}");
            if a.is_ok() {
                assert_eq!(with.values(), &values[..], "{text}");
            }
        }
        let first = texts.first().map_or(&b""[..], |t| t.as_bytes());
        assert!(Parser { b: first, i: 0 }
            .top(&s.attributes, Some(&plan), &mut out)
            .is_ok());
    }

    /// Decodes `text` into `values` on the fast path alone (`None`: left to the slow path).
    fn fast(s: &Schema, plan: Option<&Plan>, text: &str, values: &mut Vec<Value>) -> Option<()> {
        Parser {
            b: text.as_bytes(),
            i: 0,
        }
        .top(&s.attributes, plan, values)
        .ok()
    }

    /// Decodes `texts` one after the other into the same values, with the plan and without:
    /// each must be decoded as the reference decodes it alone, and (`fast_only`) on the fast
    /// path.
    fn in_sequence(s: &Schema, texts: &[String], fast_only: bool) {
        let plan = Plan::new(s);
        for plan in [Some(&plan), None] {
            let mut values = Vec::new();
            for text in texts {
                let slow = reference(s, text);
                if fast_only {
                    assert!(fast(s, plan, text, &mut values).is_some(), "{text}");
                    let r = slow.unwrap_or_else(|e| panic!("{text}: {e}"));
                    assert_eq!(&values[..], r.values(), "{text}");
                    continue;
                }
                match (decode_into(s, plan, text.as_bytes(), &mut values), slow) {
                    (Ok(()), Ok(r)) => assert_eq!(&values[..], r.values(), "{text}"),
                    (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                    (a, b) => panic!("{text}: {a:?} vs {b:?}"),
                }
            }
        }
    }

    fn record(id: &str, nome: &str, x: &str, m: &str, rest: &str) -> String {
        format!(
            r#"{{"id":{id},"nome":{nome},"ok":true,"x":{x},"m":{m},"d":"2024-02-29","e":"b","s":["a"],"r":{{"c":"y"}},"l":[{{"nome":"L","eta":3}},{{"nome":"M","eta":4}}]{rest}}}"#
        )
    }

    #[test]
    fn string_slots_are_replaced() {
        let s = schema();
        let names = [
            r#""Anna""#,
            r#""Bice""#,
            r#""Annamaria""#,
            r#""Al""#,
            r#""Niccolò""#,
            r#""Nicola""#,
            r#""""#,
            r#""Zoë""#,
            r#""A\"b\\c\u00e8\ud83d\ude00""#,
            r#""Anna""#,
            r#""a very long name, longer than a word or two""#,
            r#""Anna""#,
        ];
        let texts: Vec<String> = names
            .iter()
            .map(|n| record("1", n, "0.5", "1.5", ""))
            .collect();
        in_sequence(&s, &texts, true);
        // Nested records and lists reuse their values too: fewer rows, then more, then none.
        let texts = [
            record("1", r#""A""#, "1", "1", ""),
            record("2", r#""B""#, "1", "1", "").replace(r#",{"nome":"M","eta":4}"#, ""),
            record("3", r#""C""#, "1", "1", "").replace(r#"{"c":"y"}"#, "{}"),
            record("4", r#""D""#, "1", "1", ""),
            record("5", r#""E""#, "1", "1", "")
                .replace(r#"[{"nome":"L","eta":3},{"nome":"M","eta":4}]"#, "[]"),
            record("6", r#""F""#, "1", "1", "").replace(r#"{"c":"y"}"#, "null"),
            record("7", r#""G""#, "1", "1", ""),
        ];
        in_sequence(&s, &texts, true);
        // Records left to the slow path between fast ones (the values are then replaced).
        let texts = [
            record("1", r#""Anna""#, "1", "1", ""),
            record("1", "5", "1", "1", ""),
            record("2", r#""Anna""#, "1", "1", ""),
            record("1", r#""\ud800""#, "1", "1", ""),
            record("3", r#""Bice""#, "1", "1", r#","zz":1"#),
            record("4", r#""Bice""#, "1", "1", ""),
            record("1", "\"Anna\u{1}\"", "1", "1", ""),
            record("5", r#""Carla""#, "1", "1", ""),
        ];
        in_sequence(&s, &texts, false);
    }

    #[test]
    fn keys_and_white_space() {
        let s = schema();
        let base = record("1", r#""Anna""#, "0.5", "1.5", "");
        let texts: Vec<String> = vec![
            base.clone(),
            base.replace(r#""id":"#, r#""id" :"#),
            base.replace(r#""id":"#, "\"id\"\t:\n"),
            base.replace(':', ": ").replace(',', ", "),
            base.replace(':', " : ").replace(',', " , "),
            base.replace(r#""nome":"#, r#""\u006eome":"#),
            base.replace(r#""e":"b""#, r#""e":"\u0062""#),
            base.replace(r#""e":"b""#, r#""e" : "a""#),
            base.replace(r#""d":"2024-02-29""#, r#""d":"2024-02-2\u0039""#),
            base.replace(r#""d":"2024-02-29""#, r#""d": "2024-02-29""#),
            // Out of order, repeated, optional attributes missing after being present.
            base.replace(r#"{"id":1,"nome":"Anna","#, r#"{"nome":"Anna","id":1,"#),
            base.replace(r#""ok":true"#, r#""ok":false,"ok":true,"x":7"#),
            base.replace(r#","d":"2024-02-29""#, ""),
            base.replace(r#","r":{"c":"y"}"#, ""),
            base.clone(),
        ];
        in_sequence(&s, &texts, true);
        let wrong: Vec<String> = vec![
            base.replace(r#""id":"#, r#""id""#),
            base.replace(r#""id":"#, r#""id"::"#),
            base.replace(r#""id":"#, r#""iD":"#),
            base.replace(r#""id":"#, r#""idx":"#),
            base.replace(r#""id":"#, r#""i":"#),
            base.replace(r#""e":"b""#, r#""e":"bb""#),
            base.replace(r#""e":"b""#, r#""e":"B""#),
            base.replace(r#""ok":true"#, r#""ok":truex"#),
            base.replace(r#""ok":true"#, r#""ok":fals"#),
            base.replace(r#","nome":"Anna""#, ""),
            base.replace(r#""d":"2024-02-29""#, r#""d":"2024-2-29""#),
            base.replace(r#""d":"2024-02-29""#, r#""d":"0000-01-01""#),
            base.replace(r#""d":"2024-02-29""#, r#""d":"2024-13-01""#),
            base.replace(r#""d":"2024-02-29""#, r#""d":"2024-02-29x""#),
            base.clone(),
        ];
        in_sequence(&s, &wrong, false);
    }

    #[test]
    fn numbers_at_the_edges() {
        let s = schema();
        let ints = [
            "0",
            "-1",
            "7",
            "999999999999999",
            "-999999999999999",
            "1000000000000000",
            "-1000000000000000",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-0",
            "00",
            "01",
            "1.0",
            "1e0",
            "1E0",
            "-",
            "+1",
            ".5",
            "1.",
            "0x1",
        ];
        let decimals = [
            "0",
            "-0",
            "-0.0",
            "0.1",
            "0.3",
            "-0.75",
            "123456789012345",
            "12345678901234.5",
            "1.23456789012345",
            "0.00000000000001",
            "0.000000000000001",
            "0.1234567890123456",
            "9007199254740993",
            "999999999999999",
            "1e5",
            "1.5e-3",
            "01.5",
            "-.5",
            "1.5.5",
        ];
        let money = [
            "0",
            "-0",
            "0.0",
            "1296.28",
            "1.005",
            "2.675",
            "0.125",
            "-0.125",
            "0.0049",
            "0.005",
            "-0.005",
            "0.995",
            "99.999",
            "1.1",
            "1.10",
            "1.1000000",
            "12",
            "-12",
            "999999999999999",
            "9999999999999.99",
            "999999999999.995",
            "99999999999999.99",
            "1.00499999999999",
            "1.004999999999999",
            "1e2",
            "\"12.5\"",
            "\"-0.01\"",
        ];
        let mut texts = Vec::new();
        for i in ints {
            texts.push(record(i, r#""A""#, "1", "1", ""));
        }
        for x in decimals {
            texts.push(record("1", r#""A""#, x, "1", ""));
        }
        for m in money {
            texts.push(record("1", r#""A""#, "1", m, ""));
        }
        in_sequence(&s, &texts, false);
        // Decimals to the bit (`-0.0` included): digits over a power of ten, as serde_json.
        let plan = Plan::new(&s);
        let mut values = Vec::new();
        for x in decimals {
            let text = record("1", r#""A""#, x, "1", "");
            let (Some(()), Ok(r)) = (
                fast(&s, Some(&plan), &text, &mut values),
                reference(&s, &text),
            ) else {
                continue;
            };
            match (values.get(3), r.get(3)) {
                (Some(Value::Decimal(a)), Value::Decimal(b)) => {
                    assert_eq!(a.to_bits(), b.to_bits(), "{x}");
                }
                other => panic!("{x}: {other:?}"),
            }
        }
    }

    #[test]
    fn same_bytes() {
        let a: Vec<u8> = (0..24u8).map(|k| b'a' + k).collect();
        for n in 0..a.len() {
            let x = a.get(..n).unwrap_or_default();
            assert!(same(x, x));
            assert!(!same(x, a.get(..n + 1).unwrap_or_default()));
            for k in 0..n {
                let mut y = x.to_vec();
                if let Some(c) = y.get_mut(k) {
                    *c ^= 0x20;
                }
                assert!(!same(x, &y), "{n} {k}");
            }
        }
    }

    #[test]
    fn many_numbers_as_serde_json() {
        let s = schema();
        let plan = Plan::new(&s);
        let mut values = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let digits = 1 + next() % 15;
            let mut n = String::new();
            if next() % 4 == 0 {
                n.push('-');
            }
            // A point before digit `point` (none if 0), no leading zero but for `0.x`.
            let point = next() % digits;
            let int_len = if point == 0 { digits } else { point };
            for k in 0..digits {
                if k == point && k > 0 {
                    n.push('.');
                }
                let mut d = next() % 10;
                if k == 0 && int_len > 1 && d == 0 {
                    d = 1;
                }
                n.push(char::from(b"0123456789"[(d % 10) as usize]));
            }
            let text = record("1", r#""A""#, &n, &n, "");
            assert!(fast(&s, Some(&plan), &text, &mut values).is_some(), "{n}");
            let r = reference(&s, &text).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(&values[..], r.values(), "{n}");
            if let (Some(Value::Decimal(a)), Value::Decimal(b)) = (values.get(3), r.get(3)) {
                assert_eq!(a.to_bits(), b.to_bits(), "{n}");
            }
        }
    }
}
