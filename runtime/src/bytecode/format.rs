//! Constants of the `.guidec` layout (see `language-spec/bytecode.md`, which this module
//! follows byte for byte). Every integer is little-endian.

/// The first 8 bytes of every `.guidec` file.
pub const MAGIC: [u8; 8] = *b"\x7fGUIDEC\n";
/// The format's major version: a runtime reads only files of its own major.
pub const MAJOR: u16 = 1;
/// The format's highest minor version: a runtime reads every minor of its major up to its own
/// (minors add sections, which older runtimes skip, and instructions, which they refuse). A
/// writer declares the lowest minor the module needs ([`super::Op::since_minor`]): 1.1 added
/// `Today` and the period and date-span operators.
pub const MINOR: u16 = 1;
/// Length of the header: magic (8), major (2), minor (2), payload length (4), CRC-32 of the
/// payload (4), reserved (4, zero).
pub const HEADER_LEN: usize = 24;

/// Section tags, in the order a writer emits them. Each section is `tag (4) | length (4) |
/// body`.
pub mod section {
    /// The string pool.
    pub const STRINGS: [u8; 4] = *b"STRS";
    /// Campaign metadata.
    pub const META: [u8; 4] = *b"META";
    /// The recipient schema.
    pub const SCHEMA: [u8; 4] = *b"SCHM";
    /// Attribute paths.
    pub const PATHS: [u8; 4] = *b"PATH";
    /// Source files and spans.
    pub const SPANS: [u8; 4] = *b"SPAN";
    /// Decision points.
    pub const DECISIONS: [u8; 4] = *b"DECI";
    /// Scenes.
    pub const SCENES: [u8; 4] = *b"SCEN";
    /// Pop-ups.
    pub const POPUPS: [u8; 4] = *b"POPU";
    /// Services.
    pub const SERVICES: [u8; 4] = *b"SERV";
    /// Buttons.
    pub const BUTTONS: [u8; 4] = *b"BUTN";
    /// Match jump tables.
    pub const JUMPS: [u8; 4] = *b"JUMP";
    /// Instructions.
    pub const CODE: [u8; 4] = *b"CODE";
    /// The line table (instruction -> span).
    pub const LINES: [u8; 4] = *b"LINE";
    /// The visuals' alternative texts (minor 1; optional: absent, no scene has one).
    pub const ALTS: [u8; 4] = *b"ALTS";
    /// Every section of this version, in order.
    pub const ALL: [[u8; 4]; 14] = [
        STRINGS, META, SCHEMA, PATHS, SPANS, DECISIONS, SCENES, POPUPS, SERVICES, BUTTONS, JUMPS,
        CODE, LINES, ALTS,
    ];
}

/// Opcodes: the first byte of each instruction. Operands follow, fixed per opcode.
pub mod op {
    /// `PushBool b:u8`.
    pub const PUSH_BOOL: u8 = 0x01;
    /// `PushInt i:i64`.
    pub const PUSH_INT: u8 = 0x02;
    /// `PushDec f:f64`.
    pub const PUSH_DEC: u8 = 0x03;
    /// `PushMoney cents:i64`.
    pub const PUSH_MONEY: u8 = 0x04;
    /// `PushDate year:u16 month:u8 day:u8`.
    pub const PUSH_DATE: u8 = 0x05;
    /// `PushPeriod months:i32 days:i32`.
    pub const PUSH_PERIOD: u8 = 0x06;
    /// `PushStr s:u32`.
    pub const PUSH_STR: u8 = 0x07;
    /// `PushEnum enum:u16 value:u16`.
    pub const PUSH_ENUM: u8 = 0x08;
    /// `Today` (since 1.1).
    pub const TODAY: u8 = 0x09;
    /// `Attr path:u32`.
    pub const ATTR: u8 = 0x10;
    /// `Local depth:u8 path:u32`.
    pub const LOCAL: u8 = 0x11;
    /// `Not`.
    pub const NOT: u8 = 0x20;
    /// `Neg`.
    pub const NEG: u8 = 0x21;
    /// `Cmp op:u8`.
    pub const CMP: u8 = 0x22;
    /// `In negated:u8`.
    pub const IN: u8 = 0x23;
    /// `Arith op:u8`.
    pub const ARITH: u8 = 0x24;
    /// `Present negated:u8`.
    pub const PRESENT: u8 = 0x25;
    /// `Unwrap`.
    pub const UNWRAP: u8 = 0x26;
    /// `Coalesce target:u32`.
    pub const COALESCE: u8 = 0x27;
    /// `Count`.
    pub const COUNT: u8 = 0x28;
    /// `ToDec`.
    pub const TO_DEC: u8 = 0x29;
    /// `Jump target:u32`.
    pub const JUMP: u8 = 0x30;
    /// `JumpIfFalseOrPop target:u32`.
    pub const JUMP_IF_FALSE_OR_POP: u8 = 0x31;
    /// `JumpIfTrueOrPop target:u32`.
    pub const JUMP_IF_TRUE_OR_POP: u8 = 0x32;
    /// `JumpIfFalse target:u32`.
    pub const JUMP_IF_FALSE: u8 = 0x33;
    /// `Branch decision:u16 target:u32`.
    pub const BRANCH: u8 = 0x34;
    /// `Match decision:u16 table:u32`.
    pub const MATCH: u8 = 0x35;
    /// `IterBegin decision:u16` (0xFFFF: none).
    pub const ITER_BEGIN: u8 = 0x36;
    /// `IterNext exit:u32`.
    pub const ITER_NEXT: u8 = 0x37;
    /// `IterEnd`.
    pub const ITER_END: u8 = 0x38;
    /// `Pop`.
    pub const POP: u8 = 0x39;
    /// `Require`.
    pub const REQUIRE: u8 = 0x40;
    /// `AvailableUntil`.
    pub const AVAILABLE_UNTIL: u8 = 0x41;
    /// `AvailableFor months:i32 days:i32`.
    pub const AVAILABLE_FOR: u8 = 0x42;
    /// `Scene scene:u16`.
    pub const SCENE: u8 = 0x50;
    /// `EndScene`.
    pub const END_SCENE: u8 = 0x51;
    /// `Line target:u8`.
    pub const LINE: u8 = 0x52;
    /// `Lit s:u32`.
    pub const LIT: u8 = 0x53;
    /// `Fmt kind:u8 [singular:u32 plural:u32 for count and plural]`.
    pub const FMT: u8 = 0x54;
    /// `Gender decision:u16 masculine:u32 feminine:u32`.
    pub const GENDER: u8 = 0x55;
    /// `EndLine`.
    pub const END_LINE: u8 = 0x56;
    /// `StaticLine target:u8 s:u32`.
    pub const STATIC_LINE: u8 = 0x57;
    /// `Popup popup:u16`.
    pub const POPUP: u8 = 0x58;
    /// `EndPopup`.
    pub const END_POPUP: u8 = 0x59;
    /// `Button button:u16`.
    pub const BUTTON: u8 = 0x5A;
    /// `Halt`.
    pub const HALT: u8 = 0xFF;
}

/// Bytes of [`super::FmtKind`] in `Fmt`.
pub mod fmt {
    /// `Str`.
    pub const STR: u8 = 0;
    /// `Money`.
    pub const MONEY: u8 = 1;
    /// `Date`.
    pub const DATE: u8 = 2;
    /// `ShortDate`.
    pub const SHORT_DATE: u8 = 3;
    /// `Int`.
    pub const INT: u8 = 4;
    /// `Decimal`.
    pub const DECIMAL: u8 = 5;
    /// `Bool`.
    pub const BOOL: u8 = 6;
    /// `Upper`.
    pub const UPPER: u8 = 7;
    /// `Lower`.
    pub const LOWER: u8 = 8;
    /// `Capitalize`.
    pub const CAPITALIZE: u8 = 9;
    /// `Count singular plural`.
    pub const COUNT: u8 = 10;
    /// `Plural singular plural`.
    pub const PLURAL: u8 = 11;
}

/// Bytes of schema types in the `SCHM` section.
pub mod ty {
    /// `String`.
    pub const STRING: u8 = 0;
    /// `Bool`.
    pub const BOOL: u8 = 1;
    /// `Int`.
    pub const INT: u8 = 2;
    /// `Decimal`.
    pub const DECIMAL: u8 = 3;
    /// `Money`.
    pub const MONEY: u8 = 4;
    /// `Date`.
    pub const DATE: u8 = 5;
    /// `Enum count:u32 values:str*`.
    pub const ENUM: u8 = 6;
    /// `Set count:u32 values:str*`.
    pub const SET: u8 = 7;
    /// `Optional inner`.
    pub const OPTIONAL: u8 = 8;
    /// `Record fields`.
    pub const RECORD: u8 = 9;
    /// `List fields`.
    pub const LIST: u8 = 10;
}

/// Limits a valid file respects (the loader rejects anything beyond them).
pub mod limits {
    /// Maximum depth of the value stack.
    pub const MAX_STACK: usize = 256;
    /// Maximum nesting of iterations.
    pub const MAX_FRAMES: usize = 16;
    /// Maximum nesting of types in the schema.
    pub const MAX_TYPE_DEPTH: usize = 32;
}
