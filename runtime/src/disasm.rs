//! A stable, readable listing of a program: metadata, schema, tables, decision points and the
//! instructions with their source locations. `guide disasm` prints it; the snapshots under
//! `snapshots/disasm/` are made of it.

use crate::bytecode::{AvailabilityRule, FmtKind, Op, Program, NO_DECISION, NO_STRING};
use crate::schema::{Fields, Type};
use std::fmt::Write as _;

/// The listing of `p`.
pub fn disassemble(p: &Program) -> String {
    let mut o = String::new();
    let m = &p.m;
    let s = |i: u32| p.str(i);
    let meta = p.metadata();
    let _ = writeln!(o, "; guide bytecode {}.{}", meta.version.0, meta.version.1);
    let _ = writeln!(o, "campaign   {}", meta.id);
    let _ = writeln!(o, "title      {:?}", meta.title);
    let _ = writeln!(o, "locale     {}", meta.locale);
    let _ = writeln!(o, "rate       {} wpm", meta.rate_wpm);
    match meta.length_ms {
        Some((a, b)) => {
            let _ = writeln!(o, "length     {a} ms to {b} ms");
        }
        None => {
            let _ = writeln!(o, "length     -");
        }
    }
    match m.meta.availability {
        AvailabilityRule::Always => {
            let _ = writeln!(o, "available  always");
        }
        AvailabilityRule::Until { expr } => {
            let _ = writeln!(o, "available  until {}", s(expr));
        }
        AvailabilityRule::For { period, from } => {
            let _ = writeln!(
                o,
                "available  for {} month(s) {} day(s) from {}",
                period.months(),
                period.days(),
                s(from)
            );
        }
    }
    let _ = writeln!(o, "requires   {}", meta.requires.unwrap_or("-"));
    let _ = writeln!(o, "strings    {}", m.strings.len());

    let _ = writeln!(o, "\nschema (fingerprint {:016x})", meta.schema_fingerprint);
    if let Some(k) = &m.schema.key {
        let _ = writeln!(o, "  key {k}");
    }
    if let Some(g) = &m.schema.gender {
        let _ = writeln!(
            o,
            "  gender {} (masculine {}, feminine {})",
            g.attribute, g.masculine, g.feminine
        );
    }
    schema_fields(&mut o, &m.schema.attributes, 1);

    let _ = writeln!(o, "\nfiles");
    for (i, &f) in m.files.iter().enumerate() {
        let _ = writeln!(o, "  f{i} {}", s(f));
    }

    let _ = writeln!(o, "\nscenes");
    for (i, sc) in m.scenes.iter().enumerate() {
        let _ = write!(o, "  s{i} {} at {}", s(sc.id), p.span_location(sc.span));
        if sc.visual != NO_STRING {
            let _ = write!(o, " visual {:?}", s(sc.visual));
        }
        if sc.alt != NO_STRING {
            let _ = write!(o, " alt {:?}", s(sc.alt));
        }
        if sc.duration_ms > 0 {
            let _ = write!(o, " duration {} ms", sc.duration_ms);
        }
        if let Some((a, b)) = sc.rating {
            let _ = write!(o, " rating {a} to {b}");
        }
        o.push('\n');
    }
    if !m.popups.is_empty() {
        let _ = writeln!(o, "\npopups");
        for (i, x) in m.popups.iter().enumerate() {
            let _ = writeln!(o, "  p{i} {} at {}", s(x.id), p.span_location(x.span));
        }
    }
    if !m.services.is_empty() {
        let _ = writeln!(o, "\nservices");
        for (i, x) in m.services.iter().enumerate() {
            let _ = writeln!(o, "  v{i} {} {:?} {}", s(x.id), s(x.label), s(x.url));
        }
    }
    if !m.buttons.is_empty() {
        let _ = writeln!(o, "\nbuttons");
        for (i, x) in m.buttons.iter().enumerate() {
            let svc = m
                .services
                .get(usize::from(x.service))
                .map_or("?", |v| s(v.id));
            let _ = writeln!(
                o,
                "  b{i} {svc} {:?} at {}",
                s(x.label),
                p.span_location(x.span)
            );
        }
    }
    if !m.decisions.is_empty() {
        let _ = writeln!(o, "\ndecisions");
        for (i, d) in m.decisions.iter().enumerate() {
            let n = if d.outcomes == 0 {
                "n".to_string()
            } else {
                d.outcomes.to_string()
            };
            let _ = writeln!(
                o,
                "  d{i} {} ({n}) at {}: {}",
                d.kind.name(),
                p.span_location(d.span),
                s(d.label)
            );
        }
    }

    let _ = writeln!(o, "\ncode");
    let mut last_span = None;
    for (pc, op) in m.code.iter().enumerate() {
        let span = p.span_of(pc);
        if span != last_span {
            if let Some(sp) = span {
                let _ = writeln!(o, "       ; {}", p.span_location(sp));
            }
            last_span = span;
        }
        let _ = writeln!(o, "  {pc:04} {}", instruction(p, op));
    }
    o
}

fn schema_fields(o: &mut String, f: &Fields, depth: usize) {
    for (name, a) in f.iter() {
        let _ = write!(o, "{:w$}{name}: {}", "", a.ty.describe(), w = depth * 2);
        if a.personal {
            o.push_str(" (personal)");
        }
        o.push('\n');
        let mut t = &a.ty;
        while let Type::Optional(inner) = t {
            t = inner;
        }
        if let Type::Record(f) | Type::List(f) = t {
            schema_fields(o, f, depth + 1);
        }
    }
}

fn path_name(p: &Program, fields: &Fields, path: &[u16]) -> String {
    let mut out = String::new();
    let mut cur = Some(fields);
    for &slot in path {
        let field = cur.and_then(|f| f.0.get(usize::from(slot)));
        if !out.is_empty() {
            out.push('.');
        }
        match field {
            Some((name, a)) => {
                out.push_str(name);
                let mut t = &a.ty;
                while let Type::Optional(inner) = t {
                    t = inner;
                }
                cur = match t {
                    Type::Record(f) | Type::List(f) => Some(f),
                    _ => None,
                };
            }
            None => {
                let _ = write!(out, "#{slot}");
                cur = None;
            }
        }
    }
    let _ = p;
    out
}

fn instruction(p: &Program, op: &Op) -> String {
    let s = |i: u32| format!("{:?}", p.str(i));
    let jump = |t: u32| format!("-> {t:04}");
    let path = |i: u32| p.m.paths.get(i as usize).map_or(&[][..], Vec::as_slice);
    match *op {
        Op::PushBool(b) => format!("push.bool {b}"),
        Op::PushInt(i) => format!("push.int {i}"),
        Op::PushDec(x) => format!("push.dec {x:?}"),
        Op::PushMoney(c) => {
            let mut t = String::new();
            crate::format::money(&mut t, c);
            format!("push.money {t}")
        }
        Op::PushDate(d) => format!("push.date {d}"),
        Op::PushPeriod(x) => format!("push.period {}m{}d", x.months(), x.days()),
        Op::PushStr(i) => format!("push.str {}", s(i)),
        Op::PushEnum { enum_id, value } => {
            let name =
                p.v.enums
                    .get(usize::from(enum_id))
                    .and_then(|v| v.get(usize::from(value)))
                    .map_or("?", String::as_str);
            format!("push.enum e{enum_id}.{value} ({name})")
        }
        Op::Today => "today".into(),
        Op::Attr(i) => format!("attr {}", path_name(p, &p.m.schema.attributes, path(i))),
        Op::Local { depth, path: i } => {
            let slots: Vec<String> = path(i).iter().map(u16::to_string).collect();
            format!("local {depth} [{}]", slots.join(", "))
        }
        Op::Not => "not".into(),
        Op::Neg => "neg".into(),
        Op::Cmp(c) => format!("cmp {}", c.symbol()),
        Op::In { negated } => if negated { "not.in" } else { "in" }.into(),
        Op::Arith(a) => a.name().into(),
        Op::Present { negated } => if negated { "is.absent" } else { "is.present" }.into(),
        Op::Unwrap => "unwrap".into(),
        Op::Coalesce(t) => format!("coalesce {}", jump(t)),
        Op::Count => "count".into(),
        Op::ToDec => "to.dec".into(),
        Op::Jump(t) => format!("jump {}", jump(t)),
        Op::JumpIfFalseOrPop(t) => format!("jump.false.or.pop {}", jump(t)),
        Op::JumpIfTrueOrPop(t) => format!("jump.true.or.pop {}", jump(t)),
        Op::JumpIfFalse(t) => format!("jump.false {}", jump(t)),
        Op::Branch { decision, target } => format!("branch d{decision} else {}", jump(target)),
        Op::Match { decision, table } => {
            let arms: Vec<String> =
                p.m.jump_tables
                    .get(table as usize)
                    .map(|t| {
                        t.iter()
                            .enumerate()
                            .map(|(v, a)| format!("{v}: arm {} {}", a.arm, jump(a.target)))
                            .collect()
                    })
                    .unwrap_or_default();
            format!("match d{decision} [{}]", arms.join(", "))
        }
        Op::IterBegin { decision } => {
            if decision == NO_DECISION {
                "iter.begin".into()
            } else {
                format!("iter.begin d{decision}")
            }
        }
        Op::IterNext(t) => format!("iter.next else {}", jump(t)),
        Op::IterEnd => "iter.end".into(),
        Op::Pop => "pop".into(),
        Op::Require => "require".into(),
        Op::AvailableUntil => "available.until".into(),
        Op::AvailableFor(x) => format!("available.for {}m{}d", x.months(), x.days()),
        Op::Scene(i) => format!(
            "scene s{i} ({})",
            p.m.scenes.get(usize::from(i)).map_or("?", |x| p.str(x.id))
        ),
        Op::EndScene => "end.scene".into(),
        Op::Line(t) => format!("line {}", t.name()),
        Op::Lit(i) => format!("lit {}", s(i)),
        Op::Fmt(k) => match k {
            FmtKind::Count(a, b) | FmtKind::Plural(a, b) => {
                format!("fmt {} {} {}", k.name(), s(a), s(b))
            }
            _ => format!("fmt {}", k.name()),
        },
        Op::Gender {
            decision,
            masculine,
            feminine,
        } => format!("gender d{decision} {} {}", s(masculine), s(feminine)),
        Op::EndLine => "end.line".into(),
        Op::StaticLine { target, text } => format!("static.line {} {}", target.name(), s(text)),
        Op::Popup(i) => format!(
            "popup p{i} ({})",
            p.m.popups.get(usize::from(i)).map_or("?", |x| p.str(x.id))
        ),
        Op::EndPopup => "end.popup".into(),
        Op::Button(i) => format!("button b{i}"),
        Op::Halt => "halt".into(),
    }
}
