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
];

/// Reserved words that are values and have no `kw_*` rule of their own.
pub const LITERALS: &[&str] = &["true", "false"];

/// Words with a `kw_*` rule that stay free as names: they only mean something after `speaking`.
pub const CONTEXTUAL: &[&str] = &["rate", "wpm"];

/// Words that start a line at the top level of a file.
pub const FILE_STARTERS: &[&str] = &[
    "campaign", "import", "service", "scene", "include", "if", "match", "ending",
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

/// Words that, at the left margin, start a top-level item: a block still open there ends before
/// them (the grammar's `item_line`).
pub const ITEM_LINE_STARTERS: &[&str] = &["campaign", "service", "import", "ending", "scene"];
