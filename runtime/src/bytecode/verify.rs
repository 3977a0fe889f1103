//! Validation of a decoded [`Module`]: every index in range, every jump target inside the code,
//! and an abstract interpretation of the code that checks stack discipline, the types of every
//! operand and the structure of the output (lines inside scenes, three lines per pop-up, one
//! ending, an empty stack at `Halt`). After it, the machine cannot meet an ill-typed value, an
//! out-of-range index or an out-of-place instruction, whatever the recipient.

use super::format::limits;
use super::reader::LoadError;
use super::{
    enum_table, schema_fingerprint, ArithOp, AvailabilityRule, CmpOp, DecisionKind, FmtKind,
    Module, Op, Target, NO_DECISION, NO_STRING,
};
use crate::schema::{Fields, Type};

/// What validation derives, for the machine.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    /// For each instruction that loads a value (`Attr`, `Local`), the enum of an enum or set
    /// value it loads (so the machine can name enum values); [`NO_ENUM`] otherwise.
    pub load_enum: Vec<u16>,
    /// The values of each enum, by enum id.
    pub enums: Vec<Vec<String>>,
    /// The gender attribute: its top-level slot and the masculine and feminine value indices.
    pub gender: Option<(usize, u16, u16)>,
}

/// "Not an enum" in [`Verified::load_enum`].
pub(crate) const NO_ENUM: u16 = u16::MAX;

/// The kinds of value the machine handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Bool,
    Int,
    Dec,
    Money,
    Date,
    Period,
    Str,
    Enum(u16),
    Set(u16),
    Record(u16),
    List(u16),
}

/// A value's type: its kind and whether it may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct T {
    k: K,
    opt: bool,
}

const fn t(k: K) -> T {
    T { k, opt: false }
}

/// What the machine is building at an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Between scenes.
    Top,
    /// Inside a scene.
    Scene(u16),
    /// Inside a line of a scene (popup stage when inside a pop-up).
    Line(u16, Target),
    /// Inside a pop-up, after `stage` of its three lines.
    Popup(u16, u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    stack: Vec<T>,
    frames: Vec<u16>,
    ctx: Ctx,
    ended: bool,
}

/// Types of the schema: the fields of each record type (0 is the top level) and the enums.
struct Types {
    fields: Vec<Vec<T>>,
    enum_sizes: Vec<usize>,
}

fn schema_err(reason: impl Into<String>) -> LoadError {
    LoadError::InvalidSchema {
        reason: reason.into(),
    }
}

fn build_types(m: &Module) -> Result<(Types, Vec<Vec<String>>), LoadError> {
    let enums: Vec<Vec<String>> = enum_table(&m.schema)
        .into_iter()
        .map(<[String]>::to_vec)
        .collect();
    if enums.len() >= usize::from(u16::MAX) {
        return Err(schema_err("more than 65,534 enums"));
    }
    let mut types = Types {
        fields: Vec::new(),
        enum_sizes: enums.iter().map(Vec::len).collect(),
    };
    fn add(f: &Fields, types: &mut Types, enums: &[Vec<String>]) -> Result<u16, LoadError> {
        let id = types.fields.len();
        let id16 = u16::try_from(id).map_err(|_| schema_err("too many record types"))?;
        types.fields.push(Vec::new());
        let mut list = Vec::with_capacity(f.len());
        for (name, a) in f.iter() {
            list.push(ty(&a.ty, false, types, enums).map_err(|e| match e {
                LoadError::InvalidSchema { reason } => {
                    schema_err(format!("attribute {name:?}: {reason}"))
                }
                other => other,
            })?);
        }
        if list.len() > usize::from(u16::MAX) {
            return Err(schema_err("a record has more than 65,535 fields"));
        }
        if let Some(slot) = types.fields.get_mut(id) {
            *slot = list;
        }
        Ok(id16)
    }
    fn ty(t0: &Type, opt: bool, types: &mut Types, enums: &[Vec<String>]) -> Result<T, LoadError> {
        let find = |v: &[String]| -> Result<u16, LoadError> {
            let i = enums
                .iter()
                .position(|e| e.as_slice() == v)
                .ok_or_else(|| schema_err("an enum is missing from the enum table"))?;
            u16::try_from(i).map_err(|_| schema_err("too many enums"))
        };
        Ok(match t0 {
            Type::String => T { k: K::Str, opt },
            Type::Bool => T { k: K::Bool, opt },
            Type::Int => T { k: K::Int, opt },
            Type::Decimal => T { k: K::Dec, opt },
            Type::Money => T { k: K::Money, opt },
            Type::Date => T { k: K::Date, opt },
            Type::Enum(v) => {
                if v.len() >= usize::from(u16::MAX) {
                    return Err(schema_err("an enum has more than 65,534 values"));
                }
                T {
                    k: K::Enum(find(v)?),
                    opt,
                }
            }
            Type::Set(v) => {
                if v.len() > 64 {
                    return Err(schema_err("a set has more than 64 values"));
                }
                T {
                    k: K::Set(find(v)?),
                    opt,
                }
            }
            Type::Optional(inner) => ty(inner, true, types, enums)?,
            Type::Record(f) => T {
                k: K::Record(add(f, types, enums)?),
                opt,
            },
            Type::List(f) => T {
                k: K::List(add(f, types, enums)?),
                opt,
            },
        })
    }
    add(&m.schema.attributes, &mut types, &enums)?;
    Ok((types, enums))
}

struct V<'m> {
    m: &'m Module,
    types: Types,
    load_enum: Vec<u16>,
    has_gender: bool,
}

fn range(
    what: &'static str,
    index: u64,
    len: usize,
    at: impl Fn() -> String,
) -> Result<(), LoadError> {
    if index < len as u64 {
        Ok(())
    } else {
        Err(LoadError::OutOfRange {
            what,
            index,
            len: len as u64,
            at: at(),
        })
    }
}

/// Validates a decoded module.
pub(crate) fn verify(m: &Module) -> Result<Verified, LoadError> {
    let computed = schema_fingerprint(&m.schema);
    if computed != m.meta.schema_fingerprint {
        return Err(LoadError::SchemaFingerprint {
            declared: m.meta.schema_fingerprint,
            computed,
        });
    }
    let (types, enums) = build_types(m)?;

    let gender = match &m.schema.gender {
        None => None,
        Some(g) => {
            let (slot, a) = m.schema.attributes.get(&g.attribute).ok_or_else(|| {
                schema_err(format!(
                    "the gender attribute {:?} is not declared",
                    g.attribute
                ))
            })?;
            let mut ty = &a.ty;
            while let Type::Optional(inner) = ty {
                ty = inner;
            }
            let Type::Enum(values) = ty else {
                return Err(schema_err("the gender attribute is not an enum"));
            };
            let pos = |v: &str| {
                values
                    .iter()
                    .position(|x| x == v)
                    .and_then(|i| u16::try_from(i).ok())
                    .ok_or_else(|| {
                        schema_err(format!(
                            "the gender value {v:?} is not a value of the gender attribute"
                        ))
                    })
            };
            Some((slot, pos(&g.masculine)?, pos(&g.feminine)?))
        }
    };

    let ns = m.strings.len();
    let s = |what: &'static str, i: u32, at: &dyn Fn() -> String| range(what, u64::from(i), ns, at);
    let meta = &m.meta;
    for i in [meta.id, meta.title, meta.locale] {
        s("string", i, &|| "metadata".into())?;
    }
    match meta.availability {
        AvailabilityRule::Always => {}
        AvailabilityRule::Until { expr: i } | AvailabilityRule::For { from: i, .. } => {
            s("string", i, &|| "metadata".into())?
        }
    }
    if let Some(r) = meta.requires {
        s("string", r, &|| "metadata".into())?;
    }
    if meta.rate_wpm == 0 {
        return Err(LoadError::Malformed {
            section: "metadata",
            reason: "the speaking rate is 0 words per minute".into(),
        });
    }
    for (i, &f) in m.files.iter().enumerate() {
        s("string", f, &|| format!("file {i}"))?;
    }
    for (i, sp) in m.spans.iter().enumerate() {
        range("file", u64::from(sp.file), m.files.len(), || {
            format!("span {i}")
        })?;
    }
    let nspans = m.spans.len();
    for (i, d) in m.decisions.iter().enumerate() {
        let at = || format!("decision {i}");
        range("span", u64::from(d.span), nspans, at)?;
        s("string", d.label, &at)?;
    }
    if m.decisions.len() >= usize::from(NO_DECISION) {
        return Err(LoadError::Malformed {
            section: "decisions",
            reason: "more than 65,534 decision points".into(),
        });
    }
    if m.scenes.is_empty() {
        return Err(LoadError::Malformed {
            section: "scenes",
            reason: "there is no scene (the ending is required)".into(),
        });
    }
    let last = m.scenes.len() - 1;
    for (i, sc) in m.scenes.iter().enumerate() {
        let at = || format!("scene {i}");
        s("string", sc.id, &at)?;
        range("span", u64::from(sc.span), nspans, at)?;
        if sc.visual != NO_STRING {
            s("string", sc.visual, &at)?;
        }
        if sc.alt != NO_STRING {
            s("string", sc.alt, &at)?;
            if sc.visual == NO_STRING {
                return Err(LoadError::Malformed {
                    section: "alternative texts",
                    reason: format!("scene {i} has an alternative text but no visual"),
                });
            }
        }
        if let Some((lo, hi)) = sc.rating {
            if i != last || lo > hi {
                return Err(LoadError::Malformed {
                    section: "scenes",
                    reason: format!("scene {i} has an invalid rating scale {lo} to {hi}"),
                });
            }
        }
    }
    if m.scenes.len() > usize::from(u16::MAX) {
        return Err(LoadError::Malformed {
            section: "scenes",
            reason: "more than 65,535 scenes".into(),
        });
    }
    for (i, p) in m.popups.iter().enumerate() {
        let at = || format!("pop-up {i}");
        s("string", p.id, &at)?;
        range("span", u64::from(p.span), nspans, at)?;
    }
    for (i, x) in m.services.iter().enumerate() {
        let at = || format!("service {i}");
        for j in [x.id, x.label, x.url] {
            s("string", j, &at)?;
        }
    }
    for (i, b) in m.buttons.iter().enumerate() {
        let at = || format!("button {i}");
        range("service", u64::from(b.service), m.services.len(), at)?;
        s("string", b.label, &at)?;
        range("span", u64::from(b.span), nspans, at)?;
    }
    let ncode = m.code.len();
    if ncode == 0 || ncode > u32::MAX as usize {
        return Err(LoadError::Malformed {
            section: "code",
            reason: "the code is empty".into(),
        });
    }
    for (i, t) in m.jump_tables.iter().enumerate() {
        for a in t {
            range("jump target", u64::from(a.target), ncode, || {
                format!("jump table {i}")
            })?;
        }
    }
    let mut prev = None;
    for (i, &(pc, span)) in m.lines.iter().enumerate() {
        let at = || format!("line table entry {i}");
        range("instruction", u64::from(pc), ncode, at)?;
        range("span", u64::from(span), nspans, at)?;
        if prev.is_some_and(|p| p >= pc) {
            return Err(LoadError::Malformed {
                section: "line table",
                reason: "instructions are not in increasing order".into(),
            });
        }
        prev = Some(pc);
    }

    let mut v = V {
        m,
        types,
        load_enum: vec![NO_ENUM; ncode],
        has_gender: gender.is_some(),
    };
    v.code()?;
    Ok(Verified {
        load_enum: v.load_enum,
        enums,
        gender,
    })
}

fn bad(pc: usize, reason: impl Into<String>) -> LoadError {
    LoadError::InvalidCode {
        pc: u32::try_from(pc).unwrap_or(u32::MAX),
        reason: reason.into(),
    }
}

fn describe(x: T) -> String {
    let k = match x.k {
        K::Bool => "bool",
        K::Int => "int",
        K::Dec => "decimal",
        K::Money => "money",
        K::Date => "date",
        K::Period => "period",
        K::Str => "string",
        K::Enum(_) => "enum",
        K::Set(_) => "set",
        K::Record(_) => "record",
        K::List(_) => "list",
    };
    if x.opt {
        format!("optional {k}")
    } else {
        k.to_owned()
    }
}

impl V<'_> {
    fn code(&mut self) -> Result<(), LoadError> {
        let n = self.m.code.len();
        let mut states: Vec<Option<State>> = vec![None; n];
        let mut work = vec![0usize];
        if let Some(s) = states.get_mut(0) {
            *s = Some(State {
                stack: Vec::new(),
                frames: Vec::new(),
                ctx: Ctx::Top,
                ended: false,
            });
        }
        let mut succ: Vec<(usize, State)> = Vec::new();
        while let Some(pc) = work.pop() {
            let Some(Some(st)) = states.get(pc).cloned() else {
                continue;
            };
            succ.clear();
            self.step(pc, st, &mut succ)?;
            for (to, s) in succ.drain(..) {
                if s.stack.len() > limits::MAX_STACK {
                    return Err(bad(pc, "the value stack grows beyond 256 values"));
                }
                let slot = states.get_mut(to).ok_or_else(|| {
                    if to == n {
                        bad(pc, "execution runs past the end of the code")
                    } else {
                        LoadError::OutOfRange {
                            what: "jump target",
                            index: to as u64,
                            len: n as u64,
                            at: format!("instruction {pc}"),
                        }
                    }
                })?;
                match slot {
                    None => {
                        *slot = Some(s);
                        work.push(to);
                    }
                    Some(prev) if *prev == s => {}
                    Some(prev) => {
                        return Err(bad(
                            to,
                            format!(
                                "paths join with different states (stack {} vs {}, {} vs {} iteration(s), {:?} vs {:?})",
                                prev.stack.len(),
                                s.stack.len(),
                                prev.frames.len(),
                                s.frames.len(),
                                prev.ctx,
                                s.ctx
                            ),
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    fn string(&self, pc: usize, i: u32) -> Result<(), LoadError> {
        range("string", u64::from(i), self.m.strings.len(), || {
            format!("instruction {pc}")
        })
    }

    fn decision(&self, pc: usize, d: u16, kinds: &[DecisionKind]) -> Result<u16, LoadError> {
        let dp = self
            .m
            .decisions
            .get(usize::from(d))
            .ok_or(LoadError::OutOfRange {
                what: "decision point",
                index: u64::from(d),
                len: self.m.decisions.len() as u64,
                at: format!("instruction {pc}"),
            })?;
        if !kinds.contains(&dp.kind) {
            return Err(bad(
                pc,
                format!(
                    "decision point {d} is a {} decision, not one this instruction takes",
                    dp.kind.name()
                ),
            ));
        }
        Ok(dp.outcomes)
    }

    fn path(&self, pc: usize, root: u16, p: u32) -> Result<T, LoadError> {
        let path = self.m.paths.get(p as usize).ok_or(LoadError::OutOfRange {
            what: "path",
            index: u64::from(p),
            len: self.m.paths.len() as u64,
            at: format!("instruction {pc}"),
        })?;
        let mut fid = root;
        let mut cur = t(K::Record(root));
        for (i, &slot) in path.iter().enumerate() {
            let fields = self
                .types
                .fields
                .get(usize::from(fid))
                .ok_or_else(|| bad(pc, "a path names an unknown record type"))?;
            cur = *fields.get(usize::from(slot)).ok_or(LoadError::OutOfRange {
                what: "field",
                index: u64::from(slot),
                len: fields.len() as u64,
                at: format!("instruction {pc}"),
            })?;
            if i + 1 < path.len() {
                match cur.k {
                    K::Record(f) => fid = f,
                    _ => return Err(bad(pc, "a path steps into a value that is not a record")),
                }
            }
        }
        Ok(cur)
    }

    fn step(
        &mut self,
        pc: usize,
        mut st: State,
        out: &mut Vec<(usize, State)>,
    ) -> Result<(), LoadError> {
        let op = self
            .m
            .code
            .get(pc)
            .copied()
            .ok_or_else(|| bad(pc, "no instruction"))?;
        let pop = |st: &mut State| {
            st.stack
                .pop()
                .ok_or_else(|| bad(pc, "the value stack is empty"))
        };
        let want = |st: &mut State, k: K, what: &str| -> Result<(), LoadError> {
            let x = pop(st)?;
            if x != t(k) {
                return Err(bad(
                    pc,
                    format!("{what} expects {}, found {}", describe(t(k)), describe(x)),
                ));
            }
            Ok(())
        };
        let target = |to: u32| to as usize;
        let line_ctx = |st: &State| -> Result<(), LoadError> {
            match st.ctx {
                Ctx::Line(..) => Ok(()),
                _ => Err(bad(pc, "text is appended outside a line")),
            }
        };
        let last = self.m.scenes.len().saturating_sub(1);
        let is_ending = |s: u16| usize::from(s) == last;
        // Where a line to `target` may start, and the context after it.
        let line_start = |st: &State, tg: Target| -> Result<Ctx, LoadError> {
            match (st.ctx, tg) {
                (Ctx::Scene(s), Target::Text | Target::Say) => Ok(Ctx::Scene(s)),
                (Ctx::Scene(s), Target::Rating)
                    if is_ending(s)
                        && self
                            .m
                            .scenes
                            .get(usize::from(s))
                            .is_some_and(|x| x.rating.is_some()) =>
                {
                    Ok(Ctx::Scene(s))
                }
                (Ctx::Popup(s, 0), Target::PopupButton) => Ok(Ctx::Popup(s, 1)),
                (Ctx::Popup(s, 1), Target::PopupTitle) => Ok(Ctx::Popup(s, 2)),
                (Ctx::Popup(s, 2), Target::PopupBody) => Ok(Ctx::Popup(s, 3)),
                _ => Err(bad(
                    pc,
                    format!("a {} line is out of place here", tg.name()),
                )),
            }
        };
        match op {
            Op::PushBool(_) => st.stack.push(t(K::Bool)),
            Op::PushInt(_) => st.stack.push(t(K::Int)),
            Op::PushDec(_) => st.stack.push(t(K::Dec)),
            Op::PushMoney(_) => st.stack.push(t(K::Money)),
            Op::PushDate(_) | Op::Today => st.stack.push(t(K::Date)),
            Op::PushPeriod(_) => st.stack.push(t(K::Period)),
            Op::PushStr(s) => {
                self.string(pc, s)?;
                st.stack.push(t(K::Str));
            }
            Op::PushEnum { enum_id, value } => {
                let size = self
                    .types
                    .enum_sizes
                    .get(usize::from(enum_id))
                    .copied()
                    .ok_or(LoadError::OutOfRange {
                        what: "enum",
                        index: u64::from(enum_id),
                        len: self.types.enum_sizes.len() as u64,
                        at: format!("instruction {pc}"),
                    })?;
                range("enum value", u64::from(value), size, || {
                    format!("instruction {pc}")
                })?;
                st.stack.push(t(K::Enum(enum_id)));
            }
            Op::Attr(p) | Op::Local { path: p, .. } => {
                let root = match op {
                    Op::Local { depth, .. } => *st
                        .frames
                        .get(usize::from(depth))
                        .ok_or_else(|| bad(pc, format!("no iteration at depth {depth}")))?,
                    _ => 0,
                };
                if matches!(op, Op::Attr(_))
                    && self.m.paths.get(p as usize).is_some_and(Vec::is_empty)
                {
                    return Err(bad(pc, "an attribute path is empty"));
                }
                let x = self.path(pc, root, p)?;
                if let K::Enum(e) | K::Set(e) = x.k {
                    if let Some(slot) = self.load_enum.get_mut(pc) {
                        *slot = e;
                    }
                }
                st.stack.push(x);
            }
            Op::Not => {
                want(&mut st, K::Bool, "not")?;
                st.stack.push(t(K::Bool));
            }
            Op::Neg => {
                let x = pop(&mut st)?;
                if x.opt || !matches!(x.k, K::Int | K::Dec | K::Money) {
                    return Err(bad(pc, format!("negation of {}", describe(x))));
                }
                st.stack.push(x);
            }
            Op::Cmp(c) => {
                let b = pop(&mut st)?;
                let a = pop(&mut st)?;
                let ordered = matches!(a.k, K::Int | K::Dec | K::Money | K::Date);
                let eq = matches!(c, CmpOp::Eq | CmpOp::Ne)
                    && matches!(a.k, K::Bool | K::Str | K::Enum(_));
                if a != b || a.opt || !(ordered || eq) {
                    return Err(bad(
                        pc,
                        format!(
                            "cannot compare {} {} {}",
                            describe(a),
                            c.symbol(),
                            describe(b)
                        ),
                    ));
                }
                st.stack.push(t(K::Bool));
            }
            Op::In { .. } => {
                let set = pop(&mut st)?;
                let el = pop(&mut st)?;
                match (el, set) {
                    (
                        T {
                            k: K::Enum(a),
                            opt: false,
                        },
                        T {
                            k: K::Set(b),
                            opt: false,
                        },
                    ) if a == b => {}
                    _ => {
                        return Err(bad(
                            pc,
                            format!("`in` on {} and {}", describe(el), describe(set)),
                        ))
                    }
                }
                st.stack.push(t(K::Bool));
            }
            Op::Arith(a) => {
                use ArithOp::*;
                let (l, r, res) = match a {
                    AddInt | SubInt | MulInt => (K::Int, K::Int, K::Int),
                    AddDec | SubDec | MulDec | DivDec => (K::Dec, K::Dec, K::Dec),
                    AddMoney | SubMoney => (K::Money, K::Money, K::Money),
                    MulMoney | DivMoney => (K::Money, K::Dec, K::Money),
                    AddPeriod | SubPeriod => (K::Date, K::Period, K::Date),
                    AddPeriods | SubPeriods => (K::Period, K::Period, K::Period),
                    YearsBetween | MonthsBetween | DaysBetween => (K::Date, K::Date, K::Int),
                };
                want(&mut st, r, a.name())?;
                want(&mut st, l, a.name())?;
                st.stack.push(t(res));
            }
            Op::Present { .. } => {
                let x = pop(&mut st)?;
                if !x.opt {
                    return Err(bad(
                        pc,
                        format!("presence test of {}, which is never absent", describe(x)),
                    ));
                }
                st.stack.push(t(K::Bool));
            }
            Op::Unwrap => {
                let x = pop(&mut st)?;
                if !x.opt {
                    return Err(bad(
                        pc,
                        format!("unwrap of {}, which is never absent", describe(x)),
                    ));
                }
                st.stack.push(t(x.k));
            }
            Op::Coalesce(to) => {
                let x = pop(&mut st)?;
                if !x.opt {
                    return Err(bad(
                        pc,
                        format!("`??` on {}, which is never absent", describe(x)),
                    ));
                }
                let mut j = st.clone();
                j.stack.push(t(x.k));
                out.push((target(to), j));
                out.push((pc + 1, st));
                return Ok(());
            }
            Op::Count => {
                let x = pop(&mut st)?;
                if x.opt || !matches!(x.k, K::List(_) | K::Set(_)) {
                    return Err(bad(pc, format!("count of {}", describe(x))));
                }
                st.stack.push(t(K::Int));
            }
            Op::ToDec => {
                want(&mut st, K::Int, "to-decimal")?;
                st.stack.push(t(K::Dec));
            }
            Op::Jump(to) => {
                out.push((target(to), st));
                return Ok(());
            }
            Op::JumpIfFalseOrPop(to) | Op::JumpIfTrueOrPop(to) => {
                want(&mut st, K::Bool, "a conditional jump")?;
                let mut j = st.clone();
                j.stack.push(t(K::Bool));
                out.push((target(to), j));
                out.push((pc + 1, st));
                return Ok(());
            }
            Op::JumpIfFalse(to) => {
                want(&mut st, K::Bool, "a conditional jump")?;
                out.push((target(to), st.clone()));
                out.push((pc + 1, st));
                return Ok(());
            }
            Op::Branch {
                decision,
                target: to,
            } => {
                use DecisionKind::*;
                let n = self.decision(pc, decision, &[Scene, Text, Say, Popup, Button, If])?;
                if n != 2 {
                    return Err(bad(pc, "a condition's decision point must have 2 outcomes"));
                }
                want(&mut st, K::Bool, "a branch")?;
                out.push((target(to), st.clone()));
                out.push((pc + 1, st));
                return Ok(());
            }
            Op::Match { decision, table } => {
                let n = self.decision(pc, decision, &[DecisionKind::Match])?;
                let x = pop(&mut st)?;
                let K::Enum(e) = x.k else {
                    return Err(bad(pc, format!("match on {}", describe(x))));
                };
                if x.opt {
                    return Err(bad(pc, "match on an optional value"));
                }
                let arms = self
                    .m
                    .jump_tables
                    .get(table as usize)
                    .ok_or(LoadError::OutOfRange {
                        what: "jump table",
                        index: u64::from(table),
                        len: self.m.jump_tables.len() as u64,
                        at: format!("instruction {pc}"),
                    })?;
                if Some(&arms.len()) != self.types.enum_sizes.get(usize::from(e)) {
                    return Err(bad(
                        pc,
                        "the jump table does not have one entry per enum value",
                    ));
                }
                for a in arms {
                    if a.arm >= n {
                        return Err(bad(
                            pc,
                            format!("arm {} of a match with {n} outcomes", a.arm),
                        ));
                    }
                    out.push((target(a.target), st.clone()));
                }
                return Ok(());
            }
            Op::IterBegin { decision } => {
                if decision != NO_DECISION {
                    self.decision(pc, decision, &[DecisionKind::ForEach])?;
                }
                let x = pop(&mut st)?;
                let K::List(f) = x.k else {
                    return Err(bad(pc, format!("iteration over {}", describe(x))));
                };
                if x.opt {
                    return Err(bad(pc, "iteration over an optional list"));
                }
                if st.frames.len() >= limits::MAX_FRAMES {
                    return Err(bad(pc, "iterations are nested too deeply"));
                }
                st.frames.push(f);
            }
            Op::IterNext(to) => {
                if st.frames.is_empty() {
                    return Err(bad(pc, "no iteration to advance"));
                }
                let mut j = st.clone();
                j.frames.pop();
                out.push((target(to), j));
            }
            Op::IterEnd => {
                st.frames
                    .pop()
                    .ok_or_else(|| bad(pc, "no iteration to end"))?;
            }
            Op::Pop => {
                pop(&mut st)?;
            }
            Op::Require | Op::AvailableUntil | Op::AvailableFor(_) => {
                if st.ctx != Ctx::Top {
                    return Err(bad(pc, "a campaign-level instruction inside a scene"));
                }
                let k = if op == Op::Require { K::Bool } else { K::Date };
                want(&mut st, k, "a campaign-level instruction")?;
            }
            Op::Scene(s) => {
                range("scene", u64::from(s), self.m.scenes.len(), || {
                    format!("instruction {pc}")
                })?;
                if st.ctx != Ctx::Top || st.ended {
                    return Err(bad(
                        pc,
                        "a scene starts inside another scene or after the ending",
                    ));
                }
                st.ctx = Ctx::Scene(s);
            }
            Op::EndScene => {
                let Ctx::Scene(s) = st.ctx else {
                    return Err(bad(pc, "no scene to end"));
                };
                st.ended = is_ending(s);
                st.ctx = Ctx::Top;
            }
            Op::Line(tg) => {
                line_start(&st, tg)?;
                let s = match st.ctx {
                    Ctx::Scene(s) | Ctx::Popup(s, _) => s,
                    _ => 0,
                };
                st.ctx = Ctx::Line(s, tg);
                // Remember where the line returns: popup stage or scene, re-derived at EndLine.
            }
            Op::Lit(s) => {
                line_ctx(&st)?;
                self.string(pc, s)?;
            }
            Op::Fmt(k) => {
                line_ctx(&st)?;
                let x = pop(&mut st)?;
                let ok = !x.opt
                    && match k {
                        FmtKind::Str | FmtKind::Upper | FmtKind::Lower | FmtKind::Capitalize => {
                            matches!(x.k, K::Str | K::Enum(_))
                        }
                        FmtKind::Money => x.k == K::Money,
                        FmtKind::Date | FmtKind::ShortDate => x.k == K::Date,
                        FmtKind::Int => x.k == K::Int,
                        FmtKind::Decimal => x.k == K::Dec,
                        FmtKind::Bool => x.k == K::Bool,
                        FmtKind::Count(a, b) | FmtKind::Plural(a, b) => {
                            self.string(pc, a)?;
                            self.string(pc, b)?;
                            x.k == K::Int
                        }
                    };
                if !ok {
                    return Err(bad(pc, format!("format {} of {}", k.name(), describe(x))));
                }
            }
            Op::Gender {
                decision,
                masculine,
                feminine,
            } => {
                line_ctx(&st)?;
                if !self.has_gender {
                    return Err(bad(
                        pc,
                        "gender agreement without a gender attribute in the schema",
                    ));
                }
                if self.decision(pc, decision, &[DecisionKind::Gender])? != 3 {
                    return Err(bad(pc, "a gender decision point must have 3 outcomes"));
                }
                self.string(pc, masculine)?;
                self.string(pc, feminine)?;
            }
            Op::EndLine => {
                let Ctx::Line(s, tg) = st.ctx else {
                    return Err(bad(pc, "no line to end"));
                };
                st.ctx = match tg {
                    Target::PopupButton => Ctx::Popup(s, 1),
                    Target::PopupTitle => Ctx::Popup(s, 2),
                    Target::PopupBody => Ctx::Popup(s, 3),
                    _ => Ctx::Scene(s),
                };
            }
            Op::StaticLine { target: tg, text } => {
                self.string(pc, text)?;
                st.ctx = line_start(&st, tg)?;
            }
            Op::Popup(p) => {
                range("pop-up", u64::from(p), self.m.popups.len(), || {
                    format!("instruction {pc}")
                })?;
                let Ctx::Scene(s) = st.ctx else {
                    return Err(bad(pc, "a pop-up outside a scene"));
                };
                st.ctx = Ctx::Popup(s, 0);
            }
            Op::EndPopup => {
                let Ctx::Popup(s, 3) = st.ctx else {
                    return Err(bad(
                        pc,
                        "a pop-up ends before its button label, title and body",
                    ));
                };
                st.ctx = Ctx::Scene(s);
            }
            Op::Button(b) => {
                range("button", u64::from(b), self.m.buttons.len(), || {
                    format!("instruction {pc}")
                })?;
                if !matches!(st.ctx, Ctx::Scene(_)) {
                    return Err(bad(pc, "a button outside a scene"));
                }
            }
            Op::Halt => {
                if !st.stack.is_empty() || !st.frames.is_empty() || st.ctx != Ctx::Top {
                    return Err(bad(
                        pc,
                        "halt with values on the stack, an open iteration or an open scene",
                    ));
                }
                if !st.ended {
                    return Err(bad(pc, "halt before the ending"));
                }
                return Ok(());
            }
        }
        out.push((pc + 1, st));
        Ok(())
    }
}
