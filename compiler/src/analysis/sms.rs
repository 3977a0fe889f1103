//! SMS encodings and segments: GSM 03.38 (the 7-bit default alphabet and its extension table)
//! and UCS-2, as the gateways count them.

/// The GSM 03.38 default alphabet (one septet each), escape excluded.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table, reached through the escape: two septets each.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Characters per SMS: one GSM-7 segment alone, or each segment of a long (concatenated) one.
pub const GSM_SINGLE: usize = 160;
/// GSM-7 septets per segment of a concatenated SMS (the header takes the rest).
pub const GSM_MULTI: usize = 153;
/// UCS-2 units in an SMS alone.
pub const UCS2_SINGLE: usize = 70;
/// UCS-2 units per segment of a concatenated SMS.
pub const UCS2_MULTI: usize = 67;

/// How an SMS is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 7-bit default alphabet (with its extension table).
    Gsm7,
    /// UCS-2 (UTF-16 units), as soon as one character is outside GSM-7.
    Ucs2,
}

impl Encoding {
    /// The name the gateways use: `GSM-7`, `UCS-2`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }
}

/// The septets a character takes in GSM-7 (1, or 2 in the extension table), `None` outside it.
pub fn septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding of a text and its length in that encoding's units (septets or UTF-16 units).
pub fn measure(text: &str) -> (Encoding, usize) {
    let gsm: Option<usize> = text.chars().map(septets).sum();
    match gsm {
        Some(n) => (Encoding::Gsm7, n),
        None => (Encoding::Ucs2, text.encode_utf16().count()),
    }
}

/// The segments a text of `units` takes in `encoding`.
pub fn segments(encoding: Encoding, units: usize) -> usize {
    let (single, multi) = match encoding {
        Encoding::Gsm7 => (GSM_SINGLE, GSM_MULTI),
        Encoding::Ucs2 => (UCS2_SINGLE, UCS2_MULTI),
    };
    if units <= single {
        1
    } else {
        units.div_ceil(multi)
    }
}

/// The encoding, the units and the segments of a text.
pub fn count(text: &str) -> (Encoding, usize, usize) {
    let (e, n) = measure(text);
    (e, n, segments(e, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_have_the_standard_sizes() {
        // 128 positions, escape not a character.
        assert_eq!(GSM_BASIC.chars().count(), 127);
        assert_eq!(GSM_EXTENSION.chars().count(), 10);
    }

    #[test]
    fn counts_like_the_gateways() {
        assert_eq!(count(&"a".repeat(160)), (Encoding::Gsm7, 160, 1));
        assert_eq!(count(&"a".repeat(161)), (Encoding::Gsm7, 161, 2));
        assert_eq!(count(&"a".repeat(306)), (Encoding::Gsm7, 306, 2));
        assert_eq!(count(&"a".repeat(307)), (Encoding::Gsm7, 307, 3));
        // The euro sign is in the extension table: two septets.
        assert_eq!(count("€ 10,00"), (Encoding::Gsm7, 8, 1));
        // Accented lower-case vowels are GSM-7; a capital È or a curly apostrophe is not.
        assert_eq!(measure("perché è così").0, Encoding::Gsm7);
        assert_eq!(count("È"), (Encoding::Ucs2, 1, 1));
        assert_eq!(
            count(&format!("D’{}", "a".repeat(69))),
            (Encoding::Ucs2, 71, 2)
        );
        assert_eq!(count(&"é".repeat(70)).0, Encoding::Gsm7);
        // A character outside the BMP takes two UTF-16 units.
        assert_eq!(count("😀"), (Encoding::Ucs2, 2, 1));
        assert_eq!(count(&"😀".repeat(36)), (Encoding::Ucs2, 72, 2));
    }
}
