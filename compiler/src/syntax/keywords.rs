//! The language's words, listed once. The grammar (`guide.pest`) spells them again in its
//! `keyword` and `kw_*` rules, since pest cannot read a Rust table; the tests at the bottom of
//! this file check that the two agree, and that every word that starts a line in some place is
//! read there by the rule that explains broken lines (see [`super::parser::Context`]).

/// Reserved words: they cannot name an attribute, a scene, a service or a pop-up.
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "present",
    "absent",
    "true",
    "false",
    "any",
    "when",
    "for",
    "if",
    "else",
    "match",
    "case",
    "from",
    "to",
    "campaign",
    "title",
    "locale",
    "schema",
    "available",
    "until",
    "requires",
    "length",
    "speaking",
    "import",
    "include",
    "scene",
    "ending",
    "visual",
    "duration",
    "text",
    "say",
    "popup",
    "button",
    "body",
    "rating",
    "service",
    "label",
    "url",
    "notify",
];

/// Reserved words that are values and have no `kw_*` rule of their own.
pub const LITERALS: &[&str] = &["true", "false"];

/// Words with a `kw_*` rule that stay free as names: they only mean something after `speaking`
/// (`rate`, `wpm`), after `visual "…"` (`alt`, `decorative`) or in a `notify` block (`subject`,
/// `html`, `segments`).
pub const CONTEXTUAL: &[&str] = &[
    "rate",
    "wpm",
    "alt",
    "decorative",
    "subject",
    "html",
    "segments",
];

/// Words that start a line at the top level of a file.
pub const FILE_STARTERS: &[&str] = &[
    "campaign", "import", "service", "scene", "include", "if", "match", "ending", "notify",
];
/// Words that start a line in the body of an `if` or `match` arm.
pub const BLOCK_STARTERS: &[&str] = &["scene", "include", "if", "match"];
/// Words that start a line among the arms of a `match`.
pub const MATCH_STARTERS: &[&str] = &["case", "else"];
/// Words that start a line in the campaign header.
pub const HEADER_STARTERS: &[&str] = &[
    "title",
    "locale",
    "schema",
    "available",
    "requires",
    "length",
    "speaking",
];
/// Words that start a line in a scene or ending.
pub const SCENE_STARTERS: &[&str] = &[
    "text", "say", "visual", "duration", "popup", "button", "rating",
];
/// Words that start a line in a pop-up.
pub const POPUP_STARTERS: &[&str] = &["button", "title", "body"];
/// Words that start a line in a service.
pub const SERVICE_STARTERS: &[&str] = &["label", "url"];
/// Words that start a line in a notification (`subject`, `html` and `segments` are contextual).
pub const NOTIFY_STARTERS: &[&str] = &[
    "to", "segments", "subject", "body", "text", "html", "button",
];

/// Words that, at the left margin, start a top-level item: a block still open there ends before
/// them (the grammar's `item_line`).
pub const ITEM_LINE_STARTERS: &[&str] =
    &["campaign", "service", "import", "ending", "scene", "notify"];

#[cfg(test)]
mod tests {
    use super::super::parser::{Context, GuideParser, Rule};
    use super::*;
    use pest::Parser as _;
    use std::collections::BTreeSet;

    /// Whether `rule` reads all of `text`.
    fn reads(rule: Rule, text: &str) -> bool {
        GuideParser::parse(rule, text).is_ok_and(|mut p| {
            p.next()
                .is_some_and(|pair| pair.as_span().end() == text.len())
        })
    }

    /// The words a rule of the grammar names: quoted, or as `kw_WORD`.
    fn grammar_words(rule: &str) -> BTreeSet<String> {
        let grammar = include_str!("guide.pest");
        let start = grammar
            .find(&format!("\n{rule}"))
            .expect("the rule is in the grammar");
        let body = &grammar[start + rule.len() + 1..];
        let body = &body[..body.find(" }").expect("a rule ends with ` }`")];
        let quoted = body.split('"').skip(1).step_by(2).map(str::to_owned);
        let named = body.split("kw_").skip(1).map(|w| {
            w.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        });
        quoted.chain(named).collect()
    }

    #[test]
    fn the_keyword_rule_lists_exactly_the_keywords() {
        let listed: BTreeSet<String> = KEYWORDS.iter().map(|w| w.to_string()).collect();
        assert_eq!(grammar_words("keyword "), listed);
        for w in KEYWORDS {
            assert!(reads(Rule::keyword, w), "`keyword` does not read {w}");
            assert!(!reads(Rule::ident, w), "{w} is read as a name");
            assert!(reads(Rule::ident, &format!("{w}x")), "{w}x is not a name");
        }
        for w in CONTEXTUAL {
            assert!(!reads(Rule::keyword, w), "{w} is reserved");
            assert!(reads(Rule::ident, w), "{w} is not a name");
        }
    }

    #[test]
    fn every_kw_rule_reads_its_word_and_every_word_has_one() {
        let mut words = BTreeSet::new();
        for rule in Rule::all_rules() {
            let name = format!("{rule:?}");
            let Some(word) = name.strip_prefix("kw_") else {
                continue;
            };
            assert!(reads(*rule, word), "{name} does not read `{word}`");
            assert!(!reads(*rule, &format!("{word}x")), "{name} reads `{word}x`");
            assert_eq!(
                grammar_words(&format!("{name} ")),
                BTreeSet::from([word.to_string()])
            );
            words.insert(word.to_string());
        }
        let expected: BTreeSet<String> = KEYWORDS
            .iter()
            .chain(CONTEXTUAL)
            .filter(|w| !LITERALS.contains(w))
            .map(|w| w.to_string())
            .collect();
        assert_eq!(words, expected);
    }

    #[test]
    fn the_grammar_stops_blocks_at_the_item_line_starters() {
        let mut listed: BTreeSet<String> =
            ITEM_LINE_STARTERS.iter().map(|w| w.to_string()).collect();
        listed.insert("\\n".to_string());
        assert_eq!(grammar_words("item_line "), listed);
    }

    /// Every starter is a keyword, and the rule that explains a broken line in each place reads
    /// exactly that place's starters (at the top level and in `if` arms, also the items that
    /// are valid elsewhere, so as to say "not allowed here").
    #[test]
    fn starters_agree_with_the_rules_that_explain_broken_lines() {
        let contexts = [
            Context::File,
            Context::Block,
            Context::Match,
            Context::Header,
            Context::Scene,
            Context::Popup,
            Context::Service,
            Context::Notify,
        ];
        for ctx in contexts {
            for w in ctx.starters() {
                assert!(
                    KEYWORDS.contains(w) || CONTEXTUAL.contains(w),
                    "{w} starts a line but is not a keyword"
                );
            }
            let read: BTreeSet<&str> = KEYWORDS
                .iter()
                .copied()
                .filter(|w| match GuideParser::parse(ctx.entry(), w) {
                    Ok(_) => true,
                    Err(e) => match e.location {
                        pest::error::InputLocation::Pos(p) => p > 0,
                        pest::error::InputLocation::Span((s, _)) => s > 0,
                    },
                })
                .collect();
            let mut expected: BTreeSet<&str> = ctx
                .starters()
                .iter()
                .copied()
                .filter(|w| KEYWORDS.contains(w))
                .collect();
            if ctx == Context::Block {
                expected.extend(FILE_STARTERS);
            }
            assert_eq!(read, expected, "{ctx:?}");
        }
    }
}
