//! Why each scene plays: the conditions on the way to every scene of the storyboard, written out
//! from the IR, with the decisions the VM took for one recipient and the attribute values they
//! read.
//!
//! The runtime's timeline says *which* scenes play and records every decision it took on the way
//! (its decision trace, the one the variant id hashes); this module says *why*, for the
//! preview's panel. It runs the recipient through the VM ([`Program::evaluate`]), then walks
//! [`ir::Campaign::story`] and reads each `if` arm, `match` and scene `when` off the trace, by
//! its decision point ([`Program::decision_points`]: an `if` arm and a `match` by their span,
//! a scene by its id). Nothing is re-evaluated, so the panel cannot disagree with the VM, except
//! in one place kept on the old path and marked (`legacy`): which half of an included scene's
//! `include … when A` + `when B` was false, since the VM decides `A and B` as one.
//! Conditions are printed from the IR ([`show`]), so an `include`'s condition, written in
//! another file than the scene, reads the same as any other.

mod legacy;
pub mod show;

use std::collections::HashMap;

use guide_compiler::diagnostic::Span;
use guide_compiler::ir::{self, ExprKind, Node, Ty};
use guide_runtime::bytecode::DecisionKind;
use guide_runtime::{Outcome, Program, Record};
use serde::Serialize;

pub use show::{attr_name, print, read_attr, show_value, V};

/// One condition on the way to a scene, as the VM decided it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    /// `when`, `if`, `else if`, `else`, `match`, `include`, `requires`.
    pub kind: &'static str,
    /// The condition as written out from the IR: `eta >= 55 and not contatti_aggiornati`, or for
    /// a match `modalita_pagamento in (bonifico)`.
    pub condition: String,
    /// Whether it holds for this recipient, as the VM decided; `None` when the VM did not get
    /// there (an earlier condition on the way already failed, the recipient is not eligible)
    /// or could not evaluate the record (arithmetic out of range).
    pub holds: Option<bool>,
    /// The attributes it reads, with this recipient's values: `("eta", "57")`.
    pub values: Vec<(String, String)>,
    /// `file:line` where the condition (or the branch) is written.
    pub at: String,
}

/// One scene of the storyboard, whether it plays and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SceneWhy {
    /// The scene id.
    pub id: String,
    /// Whether every condition on the way holds.
    pub plays: bool,
    /// `file:line` of the scene.
    pub at: String,
    /// The conditions, outermost first; empty for a scene that always plays.
    pub reasons: Vec<Reason>,
}

/// The explanation of a whole storyboard for one recipient.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    /// The campaign's `requires`, if it has one.
    pub requires: Option<Reason>,
    /// Every scene of the storyboard in order, the ending last.
    pub scenes: Vec<SceneWhy>,
}

/// Explains which scenes of `c` play for `record` (already checked against `c.schema`), from
/// the decisions `program` (the bytecode of `c`) takes for it.
pub fn explain(c: &ir::Campaign, program: &Program, record: &Record) -> Explanation {
    explain_at(c, program, record, crate::engine::today())
}

/// [`explain`] with the campaign's `today` reading `as_of`.
pub fn explain_at(
    c: &ir::Campaign,
    program: &Program,
    record: &Record,
    as_of: guide_runtime::Date,
) -> Explanation {
    let run = Run::of(program, record, as_of);
    let ex = Explainer {
        c,
        record,
        points: Points::of(program),
        run: &run,
    };
    let requires = c.requires.as_ref().map(|r| {
        let mut reason = ex.reason("requires", r, run.eligible);
        reason.at = ex.at(0, &r.span);
        reason
    });
    let mut scenes = Vec::new();
    let mut path = Vec::new();
    let active = run.eligible == Some(true);
    ex.nodes(&c.story, &mut path, active, &mut scenes);
    ex.scene(&c.ending, &mut path, active, &mut scenes);
    Explanation { requires, scenes }
}

/// What the VM decided for one recipient.
struct Run {
    /// Whether `requires` held; `None` when evaluation failed.
    eligible: Option<bool>,
    /// The outcome of each decision point taken (the first time: story decisions are taken once).
    outcomes: HashMap<u16, u16>,
}

impl Run {
    fn of(program: &Program, record: &Record, as_of: guide_runtime::Date) -> Run {
        let mut outcomes = HashMap::new();
        let eligible = match program.evaluate_at(record, as_of) {
            Ok(Outcome::Eligible(t)) => {
                for d in t.decisions() {
                    outcomes.entry(d.point).or_insert(d.outcome);
                }
                Some(true)
            }
            Ok(Outcome::NotEligible) => Some(false),
            Err(_) => None,
        };
        Run { eligible, outcomes }
    }
}

/// The decision points of the program, found from the IR.
struct Points {
    /// `if` arms and `match`es by kind, file and span of the condition (or subject).
    by_span: HashMap<(u8, u16, u32, u32), u16>,
    /// Scene `when`s by scene id.
    scenes: HashMap<String, u16>,
}

impl Points {
    fn of(program: &Program) -> Points {
        let spans = &program.module().spans;
        let mut by_span = HashMap::new();
        let mut scenes = HashMap::new();
        for (i, p) in program.decision_points().iter().enumerate() {
            let Ok(i) = u16::try_from(i) else { break };
            match p.kind {
                DecisionKind::If | DecisionKind::Match => {
                    if let Some(s) = spans.get(p.span as usize) {
                        by_span
                            .entry((p.kind as u8, s.file, s.start, s.end))
                            .or_insert(i);
                    }
                }
                DecisionKind::Scene => {
                    // The label is `scene ID when CONDITION`.
                    let label = program.decision_label(i);
                    if let Some(id) = label
                        .strip_prefix("scene ")
                        .and_then(|l| l.split_once(" when "))
                        .map(|(id, _)| id)
                    {
                        scenes.entry(id.to_string()).or_insert(i);
                    }
                }
                _ => {}
            }
        }
        Points { by_span, scenes }
    }

    fn at(&self, kind: DecisionKind, file: usize, span: &Span) -> Option<u16> {
        let key = (
            kind as u8,
            u16::try_from(file).ok()?,
            u32::try_from(span.start).ok()?,
            u32::try_from(span.end).ok()?,
        );
        self.by_span.get(&key).copied()
    }
}

struct Explainer<'a> {
    c: &'a ir::Campaign,
    record: &'a Record,
    points: Points,
    run: &'a Run,
}

impl Explainer<'_> {
    fn at(&self, file: usize, span: &Span) -> String {
        match self.c.files.get(file) {
            Some(f) => format!("{}:{}", f.path, f.line_col(span.start).0),
            None => String::new(),
        }
    }

    /// The outcome the VM took at a decision point, if it got there.
    fn decided(&self, point: Option<u16>) -> Option<u16> {
        point.and_then(|p| self.run.outcomes.get(&p).copied())
    }

    fn reason(&self, kind: &'static str, e: &ir::Expr, holds: Option<bool>) -> Reason {
        Reason {
            kind,
            condition: print(e, &self.c.schema),
            holds,
            values: self.values(e),
            at: String::new(),
        }
    }

    /// The attributes `e` reads, with their values, in order of first appearance.
    fn values(&self, e: &ir::Expr) -> Vec<(String, String)> {
        let mut paths = Vec::new();
        show::attrs(e, &mut paths);
        paths
            .into_iter()
            .map(|p| {
                let (name, ty) = attr_name(&self.c.schema.attributes, &p);
                let value = read_attr(self.record, &p)
                    .map(|v| show_value(&v, ty.as_ref()))
                    .unwrap_or_else(|| "?".into());
                (name, value)
            })
            .collect()
    }

    fn nodes(&self, nodes: &[Node], path: &mut Vec<Reason>, active: bool, out: &mut Vec<SceneWhy>) {
        for n in nodes {
            match n {
                Node::Scene(s) => self.scene(s, path, active, out),
                Node::If {
                    arms,
                    otherwise,
                    span,
                    file,
                } => {
                    let mut taken = false;
                    let mut before = Vec::new();
                    for (i, (cond, body)) in arms.iter().enumerate() {
                        let arm_active = active && !taken;
                        let point = self.points.at(DecisionKind::If, *file, &cond.span);
                        let holds = if arm_active {
                            self.decided(point).map(|o| o == 1)
                        } else {
                            None
                        };
                        let mut r = self.reason(if i == 0 { "if" } else { "else if" }, cond, holds);
                        r.at = self.at(*file, &cond.span);
                        let depth = path.len();
                        path.extend(before.iter().cloned());
                        path.push(r.clone());
                        let holds = holds == Some(true);
                        self.nodes(body, path, arm_active && holds, out);
                        path.truncate(depth);
                        taken |= holds;
                        // Later arms play only when this one is false: say so on their way.
                        let mut negated = r;
                        negated.kind = "else";
                        negated.holds = negated.holds.map(|h| !h);
                        negated.condition = format!("not ({})", negated.condition);
                        before.push(negated);
                    }
                    if !otherwise.is_empty() {
                        let depth = path.len();
                        path.extend(before.iter().cloned());
                        if before.is_empty() {
                            path.push(Reason {
                                kind: "else",
                                condition: String::new(),
                                holds: active.then_some(!taken),
                                values: Vec::new(),
                                at: self.at(*file, span),
                            });
                        }
                        self.nodes(otherwise, path, active && !taken, out);
                        path.truncate(depth);
                    }
                }
                Node::Match {
                    subject,
                    arms,
                    otherwise,
                    file,
                    ..
                } => {
                    let names = match &subject.ty {
                        Ty::Enum(v) => v.clone(),
                        _ => Vec::new(),
                    };
                    // The arm the VM took (the `else` is the last outcome).
                    let point = self.points.at(DecisionKind::Match, *file, &subject.span);
                    let arm = if active { self.decided(point) } else { None };
                    let subject_text = print(subject, &self.c.schema);
                    let values = self.values(subject);
                    let at = self.at(*file, &subject.span);
                    let mut covered = Vec::new();
                    for (k, (idx, body)) in arms.iter().enumerate() {
                        covered.extend(idx.iter().copied());
                        let listed: Vec<&str> = idx
                            .iter()
                            .filter_map(|&i| names.get(usize::from(i)).map(String::as_str))
                            .collect();
                        let holds = arm.map(|a| usize::from(a) == k);
                        path.push(Reason {
                            kind: "match",
                            condition: format!("{subject_text} in ({})", listed.join(", ")),
                            holds,
                            values: values.clone(),
                            at: at.clone(),
                        });
                        self.nodes(body, path, active && holds == Some(true), out);
                        path.pop();
                    }
                    if !otherwise.is_empty() {
                        let rest: Vec<&str> = names
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| !covered.iter().any(|&c| usize::from(c) == *i))
                            .map(|(_, n)| n.as_str())
                            .collect();
                        let holds = arm.map(|a| usize::from(a) == arms.len());
                        path.push(Reason {
                            kind: "match",
                            condition: format!("{subject_text} in ({})", rest.join(", ")),
                            holds,
                            values: values.clone(),
                            at: at.clone(),
                        });
                        self.nodes(otherwise, path, active && holds == Some(true), out);
                        path.pop();
                    }
                }
            }
        }
    }

    fn scene(&self, s: &ir::Scene, path: &mut [Reason], active: bool, out: &mut Vec<SceneWhy>) {
        let mut reasons = path.to_vec();
        // An included scene's `when` is `And(include's, own)`: explain each where it is written.
        let (include, own) = match (&s.include, &s.when) {
            (Some(site), Some(w)) => match &site.when {
                Some(iw) => {
                    let own = match &w.kind {
                        ExprKind::And(a, b) if a.span == iw.span && w.span != iw.span => {
                            Some(b.as_ref())
                        }
                        _ => None,
                    };
                    (Some((iw, site)), own)
                }
                None => (None, Some(w)),
            },
            (_, w) => (None, w.as_ref()),
        };
        // The VM's one decision for the scene's whole condition.
        let decided = if active && s.when.is_some() {
            self.decided(self.points.scenes.get(&s.id).copied())
                .map(|o| o == 1)
        } else {
            None
        };
        let plays = active && (s.when.is_none() || decided == Some(true));
        let (include_holds, own_holds) = match (include, own) {
            // Both true when their conjunction is; when it is false, which one failed is the
            // one answer the trace does not hold (see `legacy`).
            (Some((iw, _)), Some(w)) if decided == Some(false) => {
                let first = legacy::holds(iw, self.record);
                let second = if first == Some(true) {
                    legacy::holds(w, self.record)
                } else {
                    None
                };
                (first, second)
            }
            _ => (decided, decided),
        };
        if let Some((iw, site)) = include {
            let mut r = self.reason("include", iw, include_holds);
            r.at = self.at(site.file, &site.span);
            reasons.push(r);
        }
        if let Some(w) = own {
            let mut r = self.reason("when", w, own_holds);
            r.at = self.at(s.file, &s.span);
            reasons.push(r);
        }
        out.push(SceneWhy {
            id: s.id.clone(),
            plays,
            at: self.at(s.file, &s.span),
            reasons,
        });
    }
}

/// Every scene of the storyboard in order, in every branch, the ending last.
pub fn all_scenes(c: &ir::Campaign) -> Vec<&ir::Scene> {
    fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a ir::Scene>) {
        for n in nodes {
            match n {
                Node::Scene(s) => out.push(s),
                Node::If {
                    arms, otherwise, ..
                } => {
                    for (_, body) in arms {
                        walk(body, out);
                    }
                    walk(otherwise, out);
                }
                Node::Match {
                    arms, otherwise, ..
                } => {
                    for (_, body) in arms {
                        walk(body, out);
                    }
                    walk(otherwise, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&c.story, &mut out);
    out.push(&c.ending);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use guide_compiler::project::load_source;
    use std::path::Path;

    const SCHEMA: &str = r#"(
        gender: (attribute: "sesso", masculine: "M", feminine: "F"),
        attributes: {
            "sesso": (type: Enum(["M", "F"])),
            "eta": (type: Int),
            "modo": (type: Enum(["bonifico", "posta", "altro"])),
            "reddito": (type: Optional(Money)),
            "aggiornati": (type: Bool),
            "figli": (type: List({ "nome": (type: String), "eta": (type: Int) })),
        },
    )"#;

    const GUIDE: &str = r#"campaign t {
    title "T"
    schema "schema.ron"
}
import "lib.guide"
scene intro { text "Ciao" }
if eta >= 55 and not aggiornati {
    scene anziano { text "A" }
} else if reddito is present {
    scene reddito { text "R" }
} else {
    scene altro { text "B" }
}
match modo {
    case bonifico { scene b { text "b" } }
    case posta { scene p { text "p" } }
    else { scene o { text "o" } }
}
scene ricco when (reddito ?? € 0) > € 1000 { text "x" }
scene adulti when any f in figli: f.eta >= 18 { text "y" }
include condivisa when not aggiornati
ending { text "Fine" }
"#;

    fn campaign() -> ir::Campaign {
        let project = load_source(Path::new("t/t.guide"), GUIDE.into(), &mut |p| {
            if p.ends_with("schema.ron") {
                Ok(SCHEMA.into())
            } else if p.ends_with("lib.guide") {
                Ok("scene condivisa when eta > 40 { text \"L\" }\n".into())
            } else {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        });
        let checked = guide_compiler::check::check(&project);
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.render(false))
            .collect();
        checked
            .campaign
            .unwrap_or_else(|| panic!("{}", errors.join("\n")))
    }

    fn program(c: &ir::Campaign) -> Program {
        guide_compiler::codegen::program(c).unwrap_or_else(|e| panic!("{e}"))
    }

    fn record(c: &ir::Campaign, json: serde_json::Value) -> Record {
        Record::from_json(&c.schema, &json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn plays(x: &Explanation) -> Vec<&str> {
        x.scenes
            .iter()
            .filter(|s| s.plays)
            .map(|s| s.id.as_str())
            .collect()
    }

    #[test]
    fn walks_branches_like_the_vm() {
        let c = campaign();
        let r = record(
            &c,
            serde_json::json!({"sesso": "M", "eta": 60, "modo": "altro", "reddito": 2000, "aggiornati": false,
                "figli": [{"nome": "A", "eta": 3}, {"nome": "B", "eta": 19}]}),
        );
        let x = explain(&c, &program(&c), &r);
        assert_eq!(
            plays(&x),
            [
                "intro",
                "anziano",
                "o",
                "ricco",
                "adulti",
                "condivisa",
                "ending"
            ]
        );
        let shared = x
            .scenes
            .iter()
            .find(|s| s.id == "condivisa")
            .expect("condivisa");
        let kinds: Vec<(&str, &str, Option<bool>)> = shared
            .reasons
            .iter()
            .map(|r| (r.kind, r.condition.as_str(), r.holds))
            .collect();
        assert_eq!(
            kinds,
            [
                ("include", "not aggiornati", Some(true)),
                ("when", "eta > 40", Some(true))
            ]
        );
        assert!(shared.reasons[0].at.starts_with("t/t.guide:"));
        assert!(shared.reasons[1].at.starts_with("t/lib.guide:1"));
        let adulti = x.scenes.iter().find(|s| s.id == "adulti").expect("adulti");
        assert_eq!(
            adulti.reasons[0].condition,
            "any elemento in figli: elemento.eta >= 18"
        );
        assert_eq!(
            adulti.reasons[0].values,
            [("figli".to_string(), "[2 elementi]".to_string())]
        );
        let anziano = &x.scenes[1];
        assert_eq!(anziano.reasons.len(), 1);
        assert_eq!(anziano.reasons[0].condition, "eta >= 55 and not aggiornati");
        assert_eq!(anziano.reasons[0].holds, Some(true));
        assert_eq!(
            anziano.reasons[0].values,
            [
                ("eta".to_string(), "60".to_string()),
                ("aggiornati".to_string(), "false".to_string())
            ]
        );
        assert!(anziano.reasons[0].at.starts_with("t/t.guide:7"));
        // The second arm was not even evaluated: the first one was taken.
        let reddito = &x.scenes[2];
        assert!(!reddito.plays);
        assert_eq!(reddito.reasons.last().map(|r| r.holds), Some(None));
        let o = x.scenes.iter().find(|s| s.id == "o").expect("o");
        assert_eq!(o.reasons[0].condition, "modo in (altro)");
        assert_eq!(o.reasons[0].values[0].1, "altro");
        let ricco = x.scenes.iter().find(|s| s.id == "ricco").expect("ricco");
        assert_eq!(ricco.reasons[0].condition, "reddito ?? € 0.00 > € 1000.00");
        assert_eq!(ricco.reasons[0].values[0].1, "€ 2.000,00");
    }

    #[test]
    fn else_branch_and_absent_values() {
        let c = campaign();
        let r = record(
            &c,
            serde_json::json!({"sesso": "F", "eta": 30, "modo": "bonifico", "aggiornati": true, "figli": []}),
        );
        let x = explain(&c, &program(&c), &r);
        assert_eq!(plays(&x), ["intro", "altro", "b", "ending"]);
        let altro = x.scenes.iter().find(|s| s.id == "altro").expect("altro");
        assert_eq!(altro.reasons.len(), 2);
        assert_eq!(altro.reasons[1].condition, "not (reddito is present)");
        assert_eq!(altro.reasons[1].values[0].1, "assente");
        assert_eq!(altro.reasons[1].holds, Some(true));
    }

    fn holds<'x>(x: &'x Explanation, id: &str) -> Vec<(&'x str, Option<bool>)> {
        x.scenes
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reasons.iter().map(|r| (r.kind, r.holds)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_included_scene_says_which_half_failed() {
        let c = campaign();
        let p = program(&c);
        let base = serde_json::json!({"sesso": "F", "eta": 30, "modo": "posta", "aggiornati": false, "figli": []});
        let x = explain(&c, &p, &record(&c, base.clone()));
        assert_eq!(
            holds(&x, "condivisa"),
            [("include", Some(true)), ("when", Some(false))]
        );
        let mut updated = base;
        updated["aggiornati"] = true.into();
        let x = explain(&c, &p, &record(&c, updated));
        assert_eq!(
            holds(&x, "condivisa"),
            [("include", Some(false)), ("when", None)]
        );
        assert!(!plays(&x).contains(&"condivisa"));
    }
}
