//! Encoding a [`Module`] into `.guidec` bytes. The compiler is the only producer; the writer
//! lives in the runtime so that both sides share one definition of the layout.

use super::format::{self, fmt, op, section, ty};
use super::{AvailabilityRule, FmtKind, Module, Op, NO_STRING};
use crate::schema::{Bound, Fields, Schema, Type};

/// Appends little-endian primitives to a buffer.
#[derive(Debug, Default)]
pub struct Buf {
    /// The bytes written so far.
    pub bytes: Vec<u8>,
}

impl Buf {
    /// Appends a byte.
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    /// Appends a `u16`.
    pub fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `u32`.
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `u64`.
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends an `i32`.
    pub fn i32(&mut self, v: i32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends an `i64`.
    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends an `f64` (IEEE 754 bits).
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    /// Appends a length (`u32`), saturating: a length beyond `u32::MAX` cannot be loaded anyway.
    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    /// Appends an inline string: length (`u32`) and UTF-8 bytes.
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }
}

/// Encodes a module into a complete `.guidec` file (header, then sections).
pub fn encode(m: &Module) -> Vec<u8> {
    let mut payload = Buf::default();
    let mut sec = |tag: [u8; 4], body: Buf| {
        payload.bytes.extend_from_slice(&tag);
        payload.len(body.bytes.len());
        payload.bytes.extend_from_slice(&body.bytes);
    };

    let mut b = Buf::default();
    b.len(m.strings.len());
    for s in &m.strings {
        b.str(s);
    }
    sec(section::STRINGS, b);

    let mut b = Buf::default();
    b.u32(m.meta.id);
    b.u32(m.meta.title);
    b.u32(m.meta.locale);
    b.u32(m.meta.rate_wpm);
    let (has, (min, max)) = match m.meta.length {
        Some(l) => (1, l),
        None => (0, (0, 0)),
    };
    b.u8(has);
    b.u64(min);
    b.u64(max);
    match m.meta.availability {
        AvailabilityRule::Always => {
            b.u8(0);
            b.i32(0);
            b.i32(0);
            b.u32(NO_STRING);
        }
        AvailabilityRule::Until { expr } => {
            b.u8(1);
            b.i32(0);
            b.i32(0);
            b.u32(expr);
        }
        AvailabilityRule::For { period, from } => {
            b.u8(2);
            b.i32(period.months());
            b.i32(period.days());
            b.u32(from);
        }
    }
    b.u32(m.meta.requires.unwrap_or(NO_STRING));
    b.u64(m.meta.schema_fingerprint);
    sec(section::META, b);

    sec(
        section::SCHEMA,
        Buf {
            bytes: encode_schema(&m.schema),
        },
    );

    let mut b = Buf::default();
    b.len(m.paths.len());
    for p in &m.paths {
        b.u16(u16::try_from(p.len()).unwrap_or(u16::MAX));
        for &s in p {
            b.u16(s);
        }
    }
    sec(section::PATHS, b);

    let mut b = Buf::default();
    b.len(m.files.len());
    for &f in &m.files {
        b.u32(f);
    }
    b.len(m.spans.len());
    for s in &m.spans {
        b.u16(s.file);
        b.u32(s.start);
        b.u32(s.end);
        b.u32(s.line);
        b.u32(s.col);
    }
    sec(section::SPANS, b);

    let mut b = Buf::default();
    b.len(m.decisions.len());
    for d in &m.decisions {
        b.u8(d.kind as u8);
        b.u32(d.span);
        b.u32(d.label);
        b.u16(d.outcomes);
    }
    sec(section::DECISIONS, b);

    let mut b = Buf::default();
    b.len(m.scenes.len());
    for s in &m.scenes {
        b.u32(s.id);
        b.u32(s.span);
        b.u32(s.visual);
        b.u64(s.duration_ms);
        let (has, (lo, hi)) = match s.rating {
            Some(r) => (1, r),
            None => (0, (0, 0)),
        };
        b.u8(has);
        b.u8(lo);
        b.u8(hi);
    }
    sec(section::SCENES, b);

    let mut b = Buf::default();
    b.len(m.popups.len());
    for p in &m.popups {
        b.u32(p.id);
        b.u32(p.span);
    }
    sec(section::POPUPS, b);

    let mut b = Buf::default();
    b.len(m.services.len());
    for s in &m.services {
        b.u32(s.id);
        b.u32(s.label);
        b.u32(s.url);
    }
    sec(section::SERVICES, b);

    let mut b = Buf::default();
    b.len(m.buttons.len());
    for x in &m.buttons {
        b.u16(x.service);
        b.u32(x.label);
        b.u32(x.span);
    }
    sec(section::BUTTONS, b);

    let mut b = Buf::default();
    b.len(m.jump_tables.len());
    for t in &m.jump_tables {
        b.len(t.len());
        for a in t {
            b.u16(a.arm);
            b.u32(a.target);
        }
    }
    sec(section::JUMPS, b);

    let mut b = Buf::default();
    b.len(m.code.len());
    for o in &m.code {
        encode_op(&mut b, o);
    }
    sec(section::CODE, b);

    let mut b = Buf::default();
    b.len(m.lines.len());
    for &(pc, span) in &m.lines {
        b.u32(pc);
        b.u32(span);
    }
    sec(section::LINES, b);

    let mut b = Buf::default();
    b.len(m.scenes.len());
    for s in &m.scenes {
        b.u32(s.alt);
    }
    sec(section::ALTS, b);

    let mut out = Vec::with_capacity(format::HEADER_LEN + payload.bytes.len());
    out.extend_from_slice(&format::MAGIC);
    out.extend_from_slice(&format::MAJOR.to_le_bytes());
    out.extend_from_slice(&minor_needed(m).to_le_bytes());
    let len = u32::try_from(payload.bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crate::checksum::crc32(&payload.bytes).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&payload.bytes);
    out
}

/// The lowest minor version that can hold `m`: the newest of its instructions, and 1.1 when a
/// scene has an alternative text (section `ALTS`, which a 1.0 runtime skips).
pub fn minor_needed(m: &Module) -> u16 {
    let alts = u16::from(m.scenes.iter().any(|s| s.alt != super::NO_STRING));
    m.code
        .iter()
        .map(|op| op.since_minor())
        .fold(alts, u16::max)
}

/// Encodes one instruction: its opcode, then its operands.
pub fn encode_op(b: &mut Buf, o: &Op) {
    match *o {
        Op::PushBool(v) => {
            b.u8(op::PUSH_BOOL);
            b.u8(u8::from(v));
        }
        Op::PushInt(v) => {
            b.u8(op::PUSH_INT);
            b.i64(v);
        }
        Op::PushDec(v) => {
            b.u8(op::PUSH_DEC);
            b.f64(v);
        }
        Op::PushMoney(v) => {
            b.u8(op::PUSH_MONEY);
            b.i64(v);
        }
        Op::PushDate(d) => {
            b.u8(op::PUSH_DATE);
            b.u16(u16::try_from(d.year()).unwrap_or(0));
            b.u8(d.month());
            b.u8(d.day());
        }
        Op::PushPeriod(p) => {
            b.u8(op::PUSH_PERIOD);
            b.i32(p.months());
            b.i32(p.days());
        }
        Op::PushStr(s) => {
            b.u8(op::PUSH_STR);
            b.u32(s);
        }
        Op::PushEnum { enum_id, value } => {
            b.u8(op::PUSH_ENUM);
            b.u16(enum_id);
            b.u16(value);
        }
        Op::Attr(p) => {
            b.u8(op::ATTR);
            b.u32(p);
        }
        Op::Local { depth, path } => {
            b.u8(op::LOCAL);
            b.u8(depth);
            b.u32(path);
        }
        Op::Not => b.u8(op::NOT),
        Op::Neg => b.u8(op::NEG),
        Op::Cmp(c) => {
            b.u8(op::CMP);
            b.u8(c as u8);
        }
        Op::In { negated } => {
            b.u8(op::IN);
            b.u8(u8::from(negated));
        }
        Op::Today => b.u8(op::TODAY),
        Op::Arith(a) => {
            b.u8(op::ARITH);
            b.u8(a as u8);
        }
        Op::Present { negated } => {
            b.u8(op::PRESENT);
            b.u8(u8::from(negated));
        }
        Op::Unwrap => b.u8(op::UNWRAP),
        Op::Coalesce(t) => {
            b.u8(op::COALESCE);
            b.u32(t);
        }
        Op::Count => b.u8(op::COUNT),
        Op::ToDec => b.u8(op::TO_DEC),
        Op::Jump(t) => {
            b.u8(op::JUMP);
            b.u32(t);
        }
        Op::JumpIfFalseOrPop(t) => {
            b.u8(op::JUMP_IF_FALSE_OR_POP);
            b.u32(t);
        }
        Op::JumpIfTrueOrPop(t) => {
            b.u8(op::JUMP_IF_TRUE_OR_POP);
            b.u32(t);
        }
        Op::JumpIfFalse(t) => {
            b.u8(op::JUMP_IF_FALSE);
            b.u32(t);
        }
        Op::Branch { decision, target } => {
            b.u8(op::BRANCH);
            b.u16(decision);
            b.u32(target);
        }
        Op::Match { decision, table } => {
            b.u8(op::MATCH);
            b.u16(decision);
            b.u32(table);
        }
        Op::IterBegin { decision } => {
            b.u8(op::ITER_BEGIN);
            b.u16(decision);
        }
        Op::IterNext(t) => {
            b.u8(op::ITER_NEXT);
            b.u32(t);
        }
        Op::IterEnd => b.u8(op::ITER_END),
        Op::Pop => b.u8(op::POP),
        Op::Require => b.u8(op::REQUIRE),
        Op::AvailableUntil => b.u8(op::AVAILABLE_UNTIL),
        Op::AvailableFor(p) => {
            b.u8(op::AVAILABLE_FOR);
            b.i32(p.months());
            b.i32(p.days());
        }
        Op::Scene(s) => {
            b.u8(op::SCENE);
            b.u16(s);
        }
        Op::EndScene => b.u8(op::END_SCENE),
        Op::Line(t) => {
            b.u8(op::LINE);
            b.u8(t as u8);
        }
        Op::Lit(s) => {
            b.u8(op::LIT);
            b.u32(s);
        }
        Op::Fmt(k) => {
            b.u8(op::FMT);
            let (code, words) = match k {
                FmtKind::Str => (fmt::STR, None),
                FmtKind::Money => (fmt::MONEY, None),
                FmtKind::Date => (fmt::DATE, None),
                FmtKind::ShortDate => (fmt::SHORT_DATE, None),
                FmtKind::Int => (fmt::INT, None),
                FmtKind::Decimal => (fmt::DECIMAL, None),
                FmtKind::Bool => (fmt::BOOL, None),
                FmtKind::Upper => (fmt::UPPER, None),
                FmtKind::Lower => (fmt::LOWER, None),
                FmtKind::Capitalize => (fmt::CAPITALIZE, None),
                FmtKind::Count(s, p) => (fmt::COUNT, Some((s, p))),
                FmtKind::Plural(s, p) => (fmt::PLURAL, Some((s, p))),
            };
            b.u8(code);
            if let Some((s, p)) = words {
                b.u32(s);
                b.u32(p);
            }
        }
        Op::Gender {
            decision,
            masculine,
            feminine,
        } => {
            b.u8(op::GENDER);
            b.u16(decision);
            b.u32(masculine);
            b.u32(feminine);
        }
        Op::EndLine => b.u8(op::END_LINE),
        Op::StaticLine { target, text } => {
            b.u8(op::STATIC_LINE);
            b.u8(target as u8);
            b.u32(text);
        }
        Op::Popup(p) => {
            b.u8(op::POPUP);
            b.u16(p);
        }
        Op::EndPopup => b.u8(op::END_POPUP),
        Op::Button(x) => {
            b.u8(op::BUTTON);
            b.u16(x);
        }
        Op::Halt => b.u8(op::HALT),
    }
}

/// The canonical encoding of a schema: the body of the `SCHM` section, and what
/// [`super::schema_fingerprint`] hashes.
pub fn encode_schema(s: &Schema) -> Vec<u8> {
    let mut b = Buf::default();
    match &s.key {
        Some(k) => {
            b.u8(1);
            b.str(k);
        }
        None => b.u8(0),
    }
    match &s.gender {
        Some(g) => {
            b.u8(1);
            b.str(&g.attribute);
            b.str(&g.masculine);
            b.str(&g.feminine);
        }
        None => b.u8(0),
    }
    fields(&mut b, &s.attributes);
    b.bytes
}

fn fields(b: &mut Buf, f: &Fields) {
    b.len(f.len());
    for (name, a) in f.iter() {
        b.str(name);
        match &a.description {
            Some(d) => {
                b.u8(1);
                b.str(d);
            }
            None => b.u8(0),
        }
        let r = &a.range;
        let flags = u8::from(a.personal)
            | u8::from(r.min.is_some()) << 1
            | u8::from(r.max.is_some()) << 2
            | u8::from(r.max_length.is_some()) << 3;
        b.u8(flags);
        for bound in [r.min, r.max].into_iter().flatten() {
            match bound {
                Bound::Int(v) => {
                    b.u8(0);
                    b.i64(v);
                }
                Bound::Cents(v) => {
                    b.u8(1);
                    b.i64(v);
                }
                Bound::Decimal(v) => {
                    b.u8(2);
                    b.f64(v);
                }
            }
        }
        if let Some(n) = r.max_length {
            b.u32(n);
        }
        typ(b, &a.ty);
    }
}

fn typ(b: &mut Buf, t: &Type) {
    match t {
        Type::String => b.u8(ty::STRING),
        Type::Bool => b.u8(ty::BOOL),
        Type::Int => b.u8(ty::INT),
        Type::Decimal => b.u8(ty::DECIMAL),
        Type::Money => b.u8(ty::MONEY),
        Type::Date => b.u8(ty::DATE),
        Type::Enum(v) | Type::Set(v) => {
            b.u8(if matches!(t, Type::Enum(_)) {
                ty::ENUM
            } else {
                ty::SET
            });
            b.len(v.len());
            for s in v {
                b.str(s);
            }
        }
        Type::Optional(inner) => {
            b.u8(ty::OPTIONAL);
            typ(b, inner);
        }
        Type::Record(f) => {
            b.u8(ty::RECORD);
            fields(b, f);
        }
        Type::List(f) => {
            b.u8(ty::LIST);
            fields(b, f);
        }
    }
}
