//! Decoding `.guidec` bytes into a [`Module`], checking the header, the version, the checksum and
//! the shape of every section. [`super::Program::from_bytes`] then validates the module's
//! indices, jumps, stack discipline and types.

use super::format::{self, fmt, op, section, ty};
use super::{
    ArithOp, AvailabilityRule, ButtonDef, CmpOp, DecisionKind, DecisionPoint, FmtKind, MatchArm,
    Meta, Module, Op, PopupDef, SceneDef, ServiceDef, Span, Target, NO_STRING,
};
use crate::date::{Date, Period};
use crate::schema::{Attribute, Bound, Fields, Gender, Range, Schema, Type};
use std::fmt as sfmt;

/// Why a `.guidec` file cannot be loaded. Every way a file can be damaged or forged ends here:
/// loading never panics and a loaded program never fails on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file does not start with the `.guidec` magic bytes.
    NotBytecode,
    /// The file ends before the end of something.
    Truncated {
        /// What was being read: `header`, `payload`, or a section name.
        what: &'static str,
    },
    /// The file's major version is not the one this runtime reads.
    UnsupportedVersion {
        /// The file's major version.
        major: u16,
        /// The file's minor version.
        minor: u16,
    },
    /// The checksum over the payload does not match: the file is corrupted.
    Checksum {
        /// The checksum the header declares.
        declared: u32,
        /// The checksum of the bytes found.
        computed: u32,
    },
    /// There are bytes after the payload the header declares.
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// Something is not encoded as the format says (unknown opcode, bad UTF-8, missing or
    /// repeated section...).
    Malformed {
        /// The section (or `header`).
        section: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An index refers past the end of its table.
    OutOfRange {
        /// What kind of index: `string`, `scene`, `jump target`...
        what: &'static str,
        /// The index found.
        index: u64,
        /// The table's length.
        len: u64,
        /// Where it was found: `instruction 12`, `scene 3`...
        at: String,
    },
    /// The code breaks a rule of the machine at an instruction: stack underflow, inconsistent
    /// stacks where paths join, a type mismatch, an instruction out of place...
    InvalidCode {
        /// The instruction.
        pc: u32,
        /// What is wrong.
        reason: String,
    },
    /// The embedded schema does not match the fingerprint in the metadata.
    SchemaFingerprint {
        /// The fingerprint in the metadata.
        declared: u64,
        /// The fingerprint of the embedded schema.
        computed: u64,
    },
    /// The embedded schema cannot be used (an enum of more than 65,535 values, a set of more
    /// than 64, a gender declaration naming no enum attribute...).
    InvalidSchema {
        /// Why.
        reason: String,
    },
}

impl sfmt::Display for LoadError {
    fn fmt(&self, f: &mut sfmt::Formatter<'_>) -> sfmt::Result {
        match self {
            LoadError::NotBytecode => f.write_str("not a compiled guide (.guidec): wrong magic bytes"),
            LoadError::Truncated { what } => write!(f, "the file is truncated: it ends inside the {what}"),
            LoadError::UnsupportedVersion { major, minor } => write!(
                f,
                "bytecode version {major}.{minor} is not supported: this runtime reads version {}.x (up to {}.{}); {}",
                format::MAJOR,
                format::MAJOR,
                format::MINOR,
                if *major > format::MAJOR {
                    "use a newer runtime"
                } else {
                    "recompile the campaign with a current compiler"
                }
            ),
            LoadError::Checksum { declared, computed } => write!(
                f,
                "the file is corrupted: checksum {computed:08x} does not match the declared {declared:08x}"
            ),
            LoadError::TrailingBytes { extra } => {
                write!(f, "the file has {extra} unexpected byte(s) after its payload")
            }
            LoadError::Malformed { section, reason } => {
                write!(f, "malformed {section} section: {reason}")
            }
            LoadError::OutOfRange { what, index, len, at } => write!(
                f,
                "{at}: {what} index {index} is out of range (there are {len})"
            ),
            LoadError::InvalidCode { pc, reason } => {
                write!(f, "invalid code at instruction {pc}: {reason}")
            }
            LoadError::SchemaFingerprint { declared, computed } => write!(
                f,
                "the embedded schema's fingerprint {computed:016x} does not match the declared {declared:016x}"
            ),
            LoadError::InvalidSchema { reason } => write!(f, "the embedded schema cannot be used: {reason}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// The readable name of a section tag.
pub fn section_name(tag: [u8; 4]) -> &'static str {
    match &tag {
        b"STRS" => "strings",
        b"META" => "metadata",
        b"SCHM" => "schema",
        b"PATH" => "paths",
        b"SPAN" => "spans",
        b"DECI" => "decisions",
        b"SCEN" => "scenes",
        b"POPU" => "pop-ups",
        b"SERV" => "services",
        b"BUTN" => "buttons",
        b"JUMP" => "jump tables",
        b"CODE" => "code",
        b"LINE" => "line table",
        _ => "unknown",
    }
}

/// A cursor over little-endian bytes.
struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8], what: &'static str) -> Self {
        Cur { b, pos: 0, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(LoadError::Truncated { what: self.what })?;
        let s = self
            .b
            .get(self.pos..end)
            .ok_or(LoadError::Truncated { what: self.what })?;
        self.pos = end;
        Ok(s)
    }

    fn arr<const N: usize>(&mut self) -> Result<[u8; N], LoadError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, LoadError> {
        Ok(u8::from_le_bytes(self.arr()?))
    }
    fn u16(&mut self) -> Result<u16, LoadError> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Result<u32, LoadError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> Result<u64, LoadError> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    fn i32(&mut self) -> Result<i32, LoadError> {
        Ok(i32::from_le_bytes(self.arr()?))
    }
    fn i64(&mut self) -> Result<i64, LoadError> {
        Ok(i64::from_le_bytes(self.arr()?))
    }
    fn f64(&mut self) -> Result<f64, LoadError> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn bool(&mut self) -> Result<bool, LoadError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(self.malformed(format!("{b} is not a boolean (0 or 1)"))),
        }
    }

    /// A count of elements of at least `min_size` bytes each, checked against the bytes left
    /// so that a forged count cannot make the loader allocate more than the file's size.
    fn count(&mut self, min_size: usize) -> Result<usize, LoadError> {
        let n = self.u32()? as usize;
        let left = self.b.len().saturating_sub(self.pos);
        if n.saturating_mul(min_size.max(1)) > left {
            return Err(LoadError::Truncated { what: self.what });
        }
        Ok(n)
    }

    fn str(&mut self) -> Result<String, LoadError> {
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| self.malformed(format!("a string is not valid UTF-8 ({e})")))
    }

    fn malformed(&self, reason: String) -> LoadError {
        LoadError::Malformed {
            section: self.what,
            reason,
        }
    }

    fn end(&self) -> Result<(), LoadError> {
        if self.pos == self.b.len() {
            Ok(())
        } else {
            Err(self.malformed(format!(
                "{} unexpected byte(s) at its end",
                self.b.len() - self.pos
            )))
        }
    }
}

/// Checks the header and the checksum, and decodes every section into a [`Module`]. Indices
/// are not checked here (see [`super::Program::from_module`]).
pub fn decode(bytes: &[u8]) -> Result<Module, LoadError> {
    let magic = bytes.get(..format::MAGIC.len());
    match magic {
        Some(m) if m == format::MAGIC => {}
        Some(_) => return Err(LoadError::NotBytecode),
        None if format::MAGIC.starts_with(bytes) && !bytes.is_empty() => {
            return Err(LoadError::Truncated { what: "header" })
        }
        None => return Err(LoadError::NotBytecode),
    }
    let mut h = Cur::new(bytes, "header");
    h.take(format::MAGIC.len())?;
    let major = h.u16()?;
    let minor = h.u16()?;
    if major != format::MAJOR {
        return Err(LoadError::UnsupportedVersion { major, minor });
    }
    let len = h.u32()? as usize;
    let declared = h.u32()?;
    let _reserved = h.u32()?;
    let rest = bytes.get(format::HEADER_LEN..).unwrap_or(&[]);
    let payload = rest
        .get(..len)
        .ok_or(LoadError::Truncated { what: "payload" })?;
    if rest.len() > len {
        return Err(LoadError::TrailingBytes {
            extra: rest.len() - len,
        });
    }
    let computed = crate::checksum::crc32(payload);
    if computed != declared {
        return Err(LoadError::Checksum { declared, computed });
    }

    // Split into sections; unknown tags (from a newer minor) are skipped.
    let mut found: [Option<&[u8]>; 13] = [None; 13];
    let mut c = Cur::new(payload, "payload");
    while c.pos < payload.len() {
        let tag = c.arr::<4>()?;
        let n = c.u32()? as usize;
        let body = c.take(n)?;
        if let Some(i) = section::ALL.iter().position(|t| *t == tag) {
            let slot = found
                .get_mut(i)
                .ok_or(LoadError::Truncated { what: "payload" })?;
            if slot.is_some() {
                return Err(LoadError::Malformed {
                    section: section_name(tag),
                    reason: "the section appears twice".into(),
                });
            }
            *slot = Some(body);
        }
    }
    let get = |i: usize| -> Result<Cur<'_>, LoadError> {
        let tag = section::ALL.get(i).copied().unwrap_or(*b"????");
        let what = section_name(tag);
        match found.get(i).copied().flatten() {
            Some(b) => Ok(Cur::new(b, what)),
            None => Err(LoadError::Malformed {
                section: what,
                reason: "the section is missing".into(),
            }),
        }
    };

    let mut m = Module::default();

    let mut c = get(0)?;
    let n = c.count(4)?;
    for _ in 0..n {
        m.strings.push(c.str()?);
    }
    c.end()?;

    let mut c = get(1)?;
    m.meta = meta(&mut c)?;
    c.end()?;

    let mut c = get(2)?;
    m.schema = schema(&mut c)?;
    c.end()?;

    let mut c = get(3)?;
    let n = c.count(2)?;
    for _ in 0..n {
        let k = usize::from(c.u16()?);
        let mut p = Vec::with_capacity(k.min(64));
        for _ in 0..k {
            p.push(c.u16()?);
        }
        m.paths.push(p);
    }
    c.end()?;

    let mut c = get(4)?;
    let n = c.count(4)?;
    for _ in 0..n {
        m.files.push(c.u32()?);
    }
    let n = c.count(18)?;
    for _ in 0..n {
        m.spans.push(Span {
            file: c.u16()?,
            start: c.u32()?,
            end: c.u32()?,
            line: c.u32()?,
            col: c.u32()?,
        });
    }
    c.end()?;

    let mut c = get(5)?;
    let n = c.count(11)?;
    for _ in 0..n {
        let k = c.u8()?;
        let kind = DecisionKind::from_u8(k)
            .ok_or_else(|| c.malformed(format!("unknown decision kind {k}")))?;
        m.decisions.push(DecisionPoint {
            kind,
            span: c.u32()?,
            label: c.u32()?,
            outcomes: c.u16()?,
        });
    }
    c.end()?;

    let mut c = get(6)?;
    let n = c.count(23)?;
    for _ in 0..n {
        let id = c.u32()?;
        let span = c.u32()?;
        let visual = c.u32()?;
        let duration_ms = c.u64()?;
        let has = c.bool()?;
        let lo = c.u8()?;
        let hi = c.u8()?;
        m.scenes.push(SceneDef {
            id,
            span,
            visual,
            duration_ms,
            rating: has.then_some((lo, hi)),
        });
    }
    c.end()?;

    let mut c = get(7)?;
    let n = c.count(8)?;
    for _ in 0..n {
        m.popups.push(PopupDef {
            id: c.u32()?,
            span: c.u32()?,
        });
    }
    c.end()?;

    let mut c = get(8)?;
    let n = c.count(12)?;
    for _ in 0..n {
        m.services.push(ServiceDef {
            id: c.u32()?,
            label: c.u32()?,
            url: c.u32()?,
        });
    }
    c.end()?;

    let mut c = get(9)?;
    let n = c.count(10)?;
    for _ in 0..n {
        m.buttons.push(ButtonDef {
            service: c.u16()?,
            label: c.u32()?,
            span: c.u32()?,
        });
    }
    c.end()?;

    let mut c = get(10)?;
    let n = c.count(4)?;
    for _ in 0..n {
        let k = c.count(6)?;
        let mut t = Vec::with_capacity(k);
        for _ in 0..k {
            t.push(MatchArm {
                arm: c.u16()?,
                target: c.u32()?,
            });
        }
        m.jump_tables.push(t);
    }
    c.end()?;

    let mut c = get(11)?;
    let n = c.count(1)?;
    m.code.reserve(n);
    for _ in 0..n {
        m.code.push(decode_op(&mut c)?);
    }
    c.end()?;

    let mut c = get(12)?;
    let n = c.count(8)?;
    for _ in 0..n {
        m.lines.push((c.u32()?, c.u32()?));
    }
    c.end()?;

    Ok(m)
}

fn meta(c: &mut Cur<'_>) -> Result<Meta, LoadError> {
    let id = c.u32()?;
    let title = c.u32()?;
    let locale = c.u32()?;
    let rate_wpm = c.u32()?;
    let has_length = c.bool()?;
    let min = c.u64()?;
    let max = c.u64()?;
    let kind = c.u8()?;
    let months = c.i32()?;
    let days = c.i32()?;
    let expr = c.u32()?;
    let availability = match kind {
        0 => AvailabilityRule::Always,
        1 => AvailabilityRule::Until { expr },
        2 => AvailabilityRule::For {
            period: Period::new(months, days),
            from: expr,
        },
        k => return Err(c.malformed(format!("unknown availability kind {k}"))),
    };
    let requires = c.u32()?;
    let schema_fingerprint = c.u64()?;
    Ok(Meta {
        id,
        title,
        locale,
        rate_wpm,
        length: has_length.then_some((min, max)),
        availability,
        requires: (requires != NO_STRING).then_some(requires),
        schema_fingerprint,
    })
}

fn schema(c: &mut Cur<'_>) -> Result<Schema, LoadError> {
    let key = if c.bool()? { Some(c.str()?) } else { None };
    let gender = if c.bool()? {
        Some(Gender {
            attribute: c.str()?,
            masculine: c.str()?,
            feminine: c.str()?,
        })
    } else {
        None
    };
    let attributes = fields(c, 0)?;
    Ok(Schema {
        key,
        gender,
        attributes,
    })
}

fn fields(c: &mut Cur<'_>, depth: usize) -> Result<Fields, LoadError> {
    if depth > format::limits::MAX_TYPE_DEPTH {
        return Err(c.malformed("types are nested too deeply".into()));
    }
    let n = c.count(7)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let name = c.str()?;
        let description = if c.bool()? { Some(c.str()?) } else { None };
        let flags = c.u8()?;
        if flags > 0b1111 {
            return Err(c.malformed(format!("unknown attribute flags {flags:#x}")));
        }
        let personal = flags & 1 != 0;
        let min = if flags & 2 != 0 {
            Some(bound(c)?)
        } else {
            None
        };
        let max = if flags & 4 != 0 {
            Some(bound(c)?)
        } else {
            None
        };
        let max_length = if flags & 8 != 0 { Some(c.u32()?) } else { None };
        let range = Range {
            min,
            max,
            max_length,
        };
        let ty = typ(c, depth + 1)?;
        if !range.fits(&ty) {
            return Err(c.malformed(format!(
                "the range of attribute {name:?} does not fit its type"
            )));
        }
        out.push((
            name,
            Attribute {
                ty,
                description,
                personal,
                range,
            },
        ));
    }
    Ok(Fields(out))
}

/// One bound of a range: its kind, then its value.
fn bound(c: &mut Cur<'_>) -> Result<Bound, LoadError> {
    Ok(match c.u8()? {
        0 => Bound::Int(c.i64()?),
        1 => Bound::Cents(c.i64()?),
        2 => Bound::Decimal(c.f64()?),
        k => return Err(c.malformed(format!("unknown bound kind {k}"))),
    })
}

fn typ(c: &mut Cur<'_>, depth: usize) -> Result<Type, LoadError> {
    if depth > format::limits::MAX_TYPE_DEPTH {
        return Err(c.malformed("types are nested too deeply".into()));
    }
    let t = c.u8()?;
    Ok(match t {
        ty::STRING => Type::String,
        ty::BOOL => Type::Bool,
        ty::INT => Type::Int,
        ty::DECIMAL => Type::Decimal,
        ty::MONEY => Type::Money,
        ty::DATE => Type::Date,
        ty::ENUM | ty::SET => {
            let n = c.count(4)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(c.str()?);
            }
            if t == ty::ENUM {
                Type::Enum(v)
            } else {
                Type::Set(v)
            }
        }
        ty::OPTIONAL => Type::Optional(Box::new(typ(c, depth + 1)?)),
        ty::RECORD => Type::Record(fields(c, depth + 1)?),
        ty::LIST => Type::List(fields(c, depth + 1)?),
        other => return Err(c.malformed(format!("unknown type tag {other}"))),
    })
}

fn decode_op(c: &mut Cur<'_>) -> Result<Op, LoadError> {
    let code = c.u8()?;
    Ok(match code {
        op::PUSH_BOOL => Op::PushBool(c.bool()?),
        op::PUSH_INT => Op::PushInt(c.i64()?),
        op::PUSH_DEC => {
            let v = c.f64()?;
            if !v.is_finite() {
                return Err(c.malformed("a decimal constant is not finite".into()));
            }
            Op::PushDec(v)
        }
        op::PUSH_MONEY => Op::PushMoney(c.i64()?),
        op::PUSH_DATE => {
            let y = c.u16()?;
            let m = c.u8()?;
            let d = c.u8()?;
            let date = Date::new(i32::from(y), m, d)
                .ok_or_else(|| c.malformed(format!("{y:04}-{m:02}-{d:02} is not a valid date")))?;
            Op::PushDate(date)
        }
        op::PUSH_PERIOD => Op::PushPeriod(Period::new(c.i32()?, c.i32()?)),
        op::PUSH_STR => Op::PushStr(c.u32()?),
        op::PUSH_ENUM => Op::PushEnum {
            enum_id: c.u16()?,
            value: c.u16()?,
        },
        op::ATTR => Op::Attr(c.u32()?),
        op::LOCAL => Op::Local {
            depth: c.u8()?,
            path: c.u32()?,
        },
        op::NOT => Op::Not,
        op::NEG => Op::Neg,
        op::CMP => {
            let b = c.u8()?;
            Op::Cmp(
                CmpOp::from_u8(b).ok_or_else(|| c.malformed(format!("unknown comparison {b}")))?,
            )
        }
        op::IN => Op::In { negated: c.bool()? },
        op::ARITH => {
            let b = c.u8()?;
            Op::Arith(
                ArithOp::from_u8(b)
                    .ok_or_else(|| c.malformed(format!("unknown arithmetic operator {b}")))?,
            )
        }
        op::PRESENT => Op::Present { negated: c.bool()? },
        op::UNWRAP => Op::Unwrap,
        op::COALESCE => Op::Coalesce(c.u32()?),
        op::COUNT => Op::Count,
        op::TO_DEC => Op::ToDec,
        op::JUMP => Op::Jump(c.u32()?),
        op::JUMP_IF_FALSE_OR_POP => Op::JumpIfFalseOrPop(c.u32()?),
        op::JUMP_IF_TRUE_OR_POP => Op::JumpIfTrueOrPop(c.u32()?),
        op::JUMP_IF_FALSE => Op::JumpIfFalse(c.u32()?),
        op::BRANCH => Op::Branch {
            decision: c.u16()?,
            target: c.u32()?,
        },
        op::MATCH => Op::Match {
            decision: c.u16()?,
            table: c.u32()?,
        },
        op::ITER_BEGIN => Op::IterBegin { decision: c.u16()? },
        op::ITER_NEXT => Op::IterNext(c.u32()?),
        op::ITER_END => Op::IterEnd,
        op::POP => Op::Pop,
        op::REQUIRE => Op::Require,
        op::AVAILABLE_UNTIL => Op::AvailableUntil,
        op::AVAILABLE_FOR => Op::AvailableFor(Period::new(c.i32()?, c.i32()?)),
        op::SCENE => Op::Scene(c.u16()?),
        op::END_SCENE => Op::EndScene,
        op::LINE => Op::Line(target(c)?),
        op::LIT => Op::Lit(c.u32()?),
        op::FMT => {
            let k = c.u8()?;
            Op::Fmt(match k {
                fmt::STR => FmtKind::Str,
                fmt::MONEY => FmtKind::Money,
                fmt::DATE => FmtKind::Date,
                fmt::SHORT_DATE => FmtKind::ShortDate,
                fmt::INT => FmtKind::Int,
                fmt::DECIMAL => FmtKind::Decimal,
                fmt::BOOL => FmtKind::Bool,
                fmt::UPPER => FmtKind::Upper,
                fmt::LOWER => FmtKind::Lower,
                fmt::CAPITALIZE => FmtKind::Capitalize,
                fmt::COUNT => FmtKind::Count(c.u32()?, c.u32()?),
                fmt::PLURAL => FmtKind::Plural(c.u32()?, c.u32()?),
                other => return Err(c.malformed(format!("unknown format {other}"))),
            })
        }
        op::GENDER => Op::Gender {
            decision: c.u16()?,
            masculine: c.u32()?,
            feminine: c.u32()?,
        },
        op::END_LINE => Op::EndLine,
        op::STATIC_LINE => Op::StaticLine {
            target: target(c)?,
            text: c.u32()?,
        },
        op::POPUP => Op::Popup(c.u16()?),
        op::END_POPUP => Op::EndPopup,
        op::BUTTON => Op::Button(c.u16()?),
        op::HALT => Op::Halt,
        other => return Err(c.malformed(format!("unknown opcode 0x{other:02x}"))),
    })
}

fn target(c: &mut Cur<'_>) -> Result<Target, LoadError> {
    let b = c.u8()?;
    Target::from_u8(b).ok_or_else(|| c.malformed(format!("unknown line target {b}")))
}
