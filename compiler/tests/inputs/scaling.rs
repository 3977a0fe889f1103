//! Inputs of any size for the parser's scaling: shared by `compiler/tests/parse_linear.rs`,
//! which counts the parser's rule calls on them, and `bench/examples/check_scaling.rs`, which
//! times `guide check` on them. Every input is deterministic.

/// The real campaign the valid inputs are grown from.
pub const NASPI: &str = include_str!("../../../campaigns/naspi/naspi.guide");

/// The families of inputs, by name.
pub const FAMILIES: &[&str] = &[
    "valid",
    "unclosed if",
    "unclosed match/case",
    "unclosed scene",
    "unclosed popup",
    "unclosed text {",
    "unclosed ( and [",
    "garbage",
];

/// An input of `family` of about `size` bytes (at least `size`, at most one unit more).
pub fn input(family: &str, size: usize) -> String {
    match family {
        "valid" => valid(size),
        "unclosed if" => chain("if a {\n", 60, size),
        "unclosed match/case" => chain("match m {\ncase a {\n", 30, size),
        "unclosed scene" => chain("    scene s {\n", 60, size),
        "unclosed popup" => format!(
            "{HEAD}scene s {{\n{}",
            &chain("    popup p {\n", 60, size)[HEAD.len()..]
        ),
        "unclosed text {" => chain("    text \"{\n", 60, size),
        "unclosed ( and [" => chain("scene s when ((((( [ [ {\n", 7, size),
        _ => garbage(size),
    }
}

/// The campaign header the error families start with.
pub const HEAD: &str = "campaign c {\n    title \"T\"\n    schema \"schema.ron\"\n}\n\n";

/// The naspi campaign with its story repeated (scenes and pop-ups renamed) until `size`.
fn valid(size: usize) -> String {
    let story_at = NASPI.find("\nscene intro").unwrap_or(0);
    let ending_at = NASPI.find("\nending").unwrap_or(NASPI.len());
    let (head, story, ending) = (
        &NASPI[..story_at],
        &NASPI[story_at..ending_at],
        &NASPI[ending_at..],
    );
    let mut out = head.to_string();
    let mut copy = 0;
    while out.len() + ending.len() < size || copy == 0 {
        for line in story.lines() {
            let t = line.trim_start();
            if copy > 0 && t.starts_with("include ") {
                continue;
            }
            let renamed = ["scene ", "popup "].iter().find_map(|kw| {
                let rest = t.strip_prefix(kw)?;
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
                let indent = &line[..line.len() - t.len()];
                Some(format!(
                    "{indent}{kw}{}_{copy}{}",
                    &rest[..end],
                    &rest[end..]
                ))
            });
            out.push_str(renamed.as_deref().unwrap_or(line));
            out.push('\n');
        }
        copy += 1;
    }
    out.push_str(ending);
    out
}

/// `opener` `depth` times (the compiler refuses more than 64 open brackets), then scenes
/// until `size`: everything after the openers is read inside blocks that never close.
fn chain(opener: &str, depth: usize, size: usize) -> String {
    let mut out = HEAD.to_string();
    out.push_str(&opener.repeat(depth));
    let scene =
        "    scene x {\n        text \"Ciao {nome}\" when eta > 3\n        say \"Ciao\"\n    }\n";
    while out.len() < size {
        out.push_str(scene);
    }
    out
}

/// Words, brackets, quotes and newlines drawn by a fixed linear congruential generator, with
/// more closing brackets than opening ones so that the nesting limit is rarely reached.
fn garbage(size: usize) -> String {
    const TOKENS: &[&str] = &[
        "scene", "if", "match", "case", "popup", "text", "when", "{", "}", "}", "(", ")", ")", "[",
        "]", "]", "\"", "\"{", "\n", "\n", "\n", "a", "eta", "==", "and", "ending", "x|y", "// c",
        "€", "3s", ",", "else", "include",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = HEAD.to_string();
    while out.len() < size {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let t = TOKENS[(state >> 33) as usize % TOKENS.len()];
        out.push_str(t);
        out.push(if state & 0x300 == 0 { '\n' } else { ' ' });
    }
    out
}
