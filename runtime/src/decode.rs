//! Streaming decoding of a JSON record straight from its text (the `json` feature).
//!
//! [`Record::from_json`] first needs a whole `serde_json::Value` tree: a map allocated per
//! object, a `String` per key and per string. Batch rendering decodes millions of records, so
//! the common case takes a fast path here: a small JSON reader driven by the schema, which
//! matches each key against the schema's fields as it reads it and converts each value to its
//! [`Value`] in place, with no intermediate tree and no allocation but the strings kept.
//!
//! The fast path only ever *accepts* what serde_json accepts, with the same result; anything it
//! is not sure about (a syntax error, an unknown key, a value of the wrong type, a missing
//! attribute, but also a lone `\u` surrogate, a number with an exponent or more than 15
//! digits) sends the text to the slow path: `serde_json::Value` then [`Record::from_json`]. So
//! errors are exactly the ones [`Record::from_json`] reports, with their paths, suggestions and
//! redaction of personal values, and every record decodes to the same values either way (the
//! last of repeated keys wins, as in `serde_json::Value`).
//!
//! Numbers: serde_json reads a decimal number with at most 15 significant digits and no
//! exponent as the correctly rounded double, which is also what [`str::parse`] gives; and the
//! shortest decimal form of that double is the number as written, so an amount of money is
//! converted to cents from its digits exactly as [`crate::format::money_from_f64`] would.

use crate::date::Date;
use crate::record::{parse_money, Record, RecordError, RecordErrorKind, Value};
use crate::schema::{Fields, Schema, Type};
use crate::write::first_escape;
use std::borrow::Cow;

/// The fast path cannot decide: the slow path will.
#[derive(Debug)]
struct Fail;

type R<T> = Result<T, Fail>;

/// Which top-level names of a schema are plain words (letters, digits, `_`, `-`), whose JSON
/// string is the word between quotes: the fast path compares the text with them directly.
/// Computed once per program.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Per top-level attribute: its name is plain.
    keys: Vec<bool>,
    /// Per top-level attribute: it is an enum (or optional enum) whose values are all plain.
    values: Vec<bool>,
}

fn plain(w: &str) -> bool {
    w.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

impl Plan {
    /// The plan of a schema.
    pub(crate) fn new(schema: &Schema) -> Plan {
        let mut p = Plan::default();
        for (name, attr) in schema.attributes.iter() {
            p.keys.push(plain(name));
            let mut ty = &attr.ty;
            while let Type::Optional(inner) = ty {
                ty = inner;
            }
            p.values
                .push(matches!(ty, Type::Enum(v) if v.iter().all(|x| plain(x))));
        }
        p
    }
}

/// Decodes `text` (the UTF-8 text of one JSON object) against `schema` into `out`, reusing its
/// allocation. `plan`, when given, is [`Plan::new`] of `schema`.
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
fn utf8(b: &[u8]) -> R<&str> {
    std::str::from_utf8(b).map_err(|_| Fail)
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

    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// The next byte after white space, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Fail)
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        self.ws();
        let end = self.i + word.len();
        if self.b.get(self.i..end) == Some(word) {
            self.i = end;
            Ok(())
        } else {
            Err(Fail)
        }
    }

    /// Whether the next value is `null` (consumed if so).
    fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.literal(b"null").is_ok()
    }

    /// A string's bytes, borrowed from the text unless it has escapes (not yet checked to be
    /// UTF-8).
    fn string(&mut self) -> R<Cow<'a, [u8]>> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..).ok_or(Fail)?;
        let stop = start + first_escape(rest).ok_or(Fail)?;
        self.i = stop;
        if self.b.get(stop) == Some(&b'"') {
            let s = self.b.get(start..stop).ok_or(Fail)?;
            self.i += 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::from(utf8(self.b.get(start..self.i).ok_or(Fail)?)?);
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
                    return Ok(Cow::Owned(out.into_bytes()));
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

    /// Whether the next token is the string `word` written plainly (`"word"`, no escape),
    /// consumed if so. Only for plain words ([`Plan`]), whose JSON string is the word between
    /// quotes.
    fn quoted(&mut self, word: &[u8]) -> bool {
        if self.peek() != Some(b'"') {
            return false;
        }
        let start = self.i + 1;
        let end = start + word.len();
        if self.b.get(start..end) == Some(word) && self.b.get(end) == Some(&b'"') {
            self.i = end + 1;
            true
        } else {
            false
        }
    }

    /// A string, checked to be UTF-8.
    fn str(&mut self) -> R<Cow<'a, str>> {
        Ok(match self.string()? {
            Cow::Borrowed(b) => Cow::Borrowed(utf8(b)?),
            Cow::Owned(v) => Cow::Owned(String::from_utf8(v).map_err(|_| Fail)?),
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

    /// A number: its sign, integer digits and fraction digits (`None`: no fraction), as
    /// written. Exponents, more than 15 digits and invalid numbers are left to the slow path.
    fn number(&mut self) -> R<Num<'a>> {
        self.ws();
        let start = self.i;
        let neg = self.b.get(self.i) == Some(&b'-');
        if neg {
            self.i += 1;
        }
        let int_start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let int = self.b.get(int_start..self.i).ok_or(Fail)?;
        if int.is_empty() || (int.len() > 1 && int.first() == Some(&b'0')) {
            return Err(Fail);
        }
        let mut frac = None;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            let f = self.i;
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            let digits = self.b.get(f..self.i).ok_or(Fail)?;
            if digits.is_empty() {
                return Err(Fail);
            }
            frac = Some(digits);
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            return Err(Fail);
        }
        if int.len() + frac.map_or(0, <[u8]>::len) > 15 {
            return Err(Fail);
        }
        Ok(Num {
            neg,
            int,
            frac,
            text: self.b.get(start..self.i).ok_or(Fail)?,
        })
    }

    /// An object of `fields` into `out` (its previous values replaced).
    fn object(&mut self, fields: &Fields, plan: Option<&Plan>, out: &mut Vec<Value>) -> R<()> {
        let plain_key = |i: usize| plan.is_some_and(|p| p.keys.get(i) == Some(&true));
        let plain_values = |i: usize| plan.is_some_and(|p| p.values.get(i) == Some(&true));
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
            // text with `"name"` directly.
            let mut guess = 0usize;
            loop {
                let i = match fields.0.get(guess) {
                    Some((name, _)) if plain_key(guess) && self.quoted(name.as_bytes()) => guess,
                    _ => {
                        let key = self.string()?;
                        fields
                            .0
                            .iter()
                            .position(|(name, _)| name.as_bytes() == &*key)
                            .ok_or(Fail)?
                    }
                };
                guess = i + 1;
                self.eat(b':')?;
                let (_, attr) = fields.0.get(i).ok_or(Fail)?;
                let v = self.value(&attr.ty, plain_values(i))?;
                *out.get_mut(i).ok_or(Fail)? = v;
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

    /// A value of type `ty` (`plain`: an enum whose values are plain words, see [`Plan`]).
    fn value(&mut self, ty: &Type, plain: bool) -> R<Value> {
        Ok(match ty {
            Type::Optional(inner) => {
                if self.null() {
                    Value::Absent
                } else {
                    self.value(inner, plain)?
                }
            }
            Type::String => Value::Str(self.str()?.into()),
            Type::Bool => match self.peek() {
                Some(b't') => {
                    self.literal(b"true")?;
                    Value::Bool(true)
                }
                Some(b'f') => {
                    self.literal(b"false")?;
                    Value::Bool(false)
                }
                _ => return Err(Fail),
            },
            Type::Int => {
                let n = self.number()?;
                if n.frac.is_some() {
                    return Err(Fail);
                }
                Value::Int(n.int()?)
            }
            Type::Decimal => {
                let n = self.number()?;
                Value::Decimal(utf8(n.text)?.parse::<f64>().map_err(|_| Fail)?)
            }
            Type::Money => {
                if self.peek() == Some(b'"') {
                    let s = self.str()?;
                    Value::Money(parse_money(&s).map_err(|_| Fail)?)
                } else {
                    Value::Money(self.number()?.cents()?)
                }
            }
            Type::Date => {
                // `"YYYY-MM-DD"` is twelve bytes without escapes.
                self.ws();
                let at = self.i;
                match (
                    self.b.get(at),
                    self.b.get(at + 11),
                    self.b.get(at + 1..at + 11),
                ) {
                    (Some(b'"'), Some(b'"'), Some(d)) => {
                        self.i = at + 12;
                        Value::Date(Date::parse_iso_bytes(d).ok_or(Fail)?)
                    }
                    _ => Value::Date(Date::parse_iso_bytes(&self.string()?).ok_or(Fail)?),
                }
            }
            Type::Enum(values) => {
                let hit = if plain {
                    values.iter().position(|v| self.quoted(v.as_bytes()))
                } else {
                    None
                };
                match hit {
                    Some(i) => Value::Enum(u16::try_from(i).map_err(|_| Fail)?),
                    None => Value::Enum(enum_index(values, &self.string()?)?),
                }
            }
            Type::Set(values) => {
                if values.len() > 64 {
                    return Err(Fail);
                }
                let mut mask = 0u64;
                self.eat(b'[')?;
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        mask |= 1u64 << (enum_index(values, &self.string()?)? & 63);
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
                Value::Set(mask)
            }
            Type::Record(fields) => {
                let mut out = Vec::new();
                self.object(fields, None, &mut out)?;
                Value::Record(out)
            }
            Type::List(fields) => {
                let mut rows = Vec::new();
                self.eat(b'[')?;
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        let mut row = Vec::new();
                        self.object(fields, None, &mut row)?;
                        rows.push(row);
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
                Value::List(rows)
            }
        })
    }
}

/// A number as written (at most 15 digits, no exponent).
struct Num<'a> {
    neg: bool,
    int: &'a [u8],
    frac: Option<&'a [u8]>,
    text: &'a [u8],
}

fn digits(d: &[u8]) -> i64 {
    d.iter()
        .fold(0i64, |acc, &c| acc * 10 + i64::from(c.wrapping_sub(b'0')))
}

impl Num<'_> {
    /// An integer (`-0` is a float for serde_json: left to the slow path).
    fn int(&self) -> R<i64> {
        let v = digits(self.int);
        if self.neg && v == 0 {
            return Err(Fail);
        }
        Ok(if self.neg { -v } else { v })
    }

    /// An amount of euros in cents, rounded as [`crate::format::money_from_f64`] rounds.
    fn cents(&self) -> R<i64> {
        let whole = digits(self.int);
        let frac = self.frac.unwrap_or(&[]);
        let d = |k: usize| i64::from(frac.get(k).map_or(0, |c| c.wrapping_sub(b'0')));
        let mut c = whole * 100 + d(0) * 10 + d(1);
        if d(2) >= 5 {
            c += 1;
        }
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
    fn new(n: usize) -> Seen {
        Seen {
            small: 0,
            large: if n > 64 { vec![false; n] } else { Vec::new() },
        }
    }

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
}
