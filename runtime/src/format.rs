//! Italian formatting of the values that fill text-template holes (see "Text templates" in
//! language-spec/language.md).
//!
//! Every formatter appends to a caller-owned `String` and allocates nothing of its own. Numbers
//! use `.` as the thousands separator and `,` as the decimal separator; amounts of money are
//! written `€ 1.234,56`; dates are written in words, `29 febbraio 2024`.

use crate::date::Date;
use std::fmt::{self, Write as _};

/// Italian month names, January first.
const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// The Italian name of `month` (1 to 12), lower case; an empty string for a month out of range.
pub fn month_name(month: u8) -> &'static str {
    usize::from(month)
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("")
}

/// Writes an amount of money held in cents: `€ 1.234,56`, `-€ 12,00`, `€ 0,00`.
pub fn money(out: &mut String, cents: i64) {
    if cents < 0 {
        out.push('-');
    }
    out.push_str("€ ");
    let abs = cents.unsigned_abs();
    push_grouped(out, abs / 100);
    out.push(',');
    push_two_digits(out, abs % 100);
}

/// Converts an amount of euros to cents, rounding half away from zero on the shortest decimal
/// form of `euros` (so `1.005` is 101 cents, as written, even though the nearest double is a
/// little less). `None` for NaN, infinities and amounts whose cents do not fit an `i64`.
pub fn money_from_f64(euros: f64) -> Option<i64> {
    let d = Shortest::of(euros)?;
    // 10^17 euros are more cents than an i64 holds; stop before the sum could grow large.
    if d.exp >= 17 {
        return None;
    }
    let mut cents: i128 = 0;
    let mut w = d.exp.max(0);
    while w >= -2 {
        cents = cents * 10 + i128::from(d.digit_at(w));
        w -= 1;
    }
    if d.digit_at(-3) >= 5 {
        cents += 1;
    }
    if euros.is_sign_negative() {
        cents = -cents;
    }
    i64::try_from(cents).ok()
}

/// Writes an integer with `.` as the thousands separator: `999`, `1.234`, `-1.234.567`.
pub fn int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_grouped(out, n.unsigned_abs());
}

/// Writes a decimal number with a comma, rounded half away from zero to at most two decimals,
/// trailing zeros dropped, thousands grouped: `0,75`, `1.234,5`, `3`, `-0,1`.
///
/// Rounding works on the shortest decimal form of `x` (`1.005` gives `1,01`). A value that rounds
/// to zero is written `0`, without a sign.
///
/// A NaN or an infinity cannot come from a valid record, only from arithmetic gone wrong (a
/// division by zero): nothing is written and `false` is returned so the caller can report it.
/// Otherwise returns `true`.
#[must_use = "false means nothing was written because the value is not a finite number"]
pub fn decimal(out: &mut String, x: f64) -> bool {
    let Some(d) = Shortest::of(x) else {
        return false;
    };
    // Digits of |x| rounded to hundredths, from 10^top down to 10^-2, most significant first,
    // with one extra leading place for a carry. f64 exponents are at most 308.
    let top = d.exp.max(0);
    let mut digits = [0u8; 312];
    let mut len = 0usize;
    let mut w = top;
    while w >= -2 {
        if let Some(slot) = digits.get_mut(len + 1) {
            *slot = d.digit_at(w);
        }
        len += 1;
        w -= 1;
    }
    let mut len = len + 1; // Including the carry place at index 0.
    len = len.min(digits.len());
    if d.digit_at(-3) >= 5 {
        // Add one hundredth, carrying leftwards.
        for slot in digits.iter_mut().take(len).rev() {
            if *slot == 9 {
                *slot = 0;
            } else {
                *slot += 1;
                break;
            }
        }
    }
    let Some((int_digits, frac)) = digits.get(..len).and_then(|s| s.split_at_checked(len - 2))
    else {
        return false;
    };
    let first_nonzero = int_digits.iter().position(|&c| c != 0);
    let frac_len = match frac {
        [_, b] if *b != 0 => 2,
        [a, _] if *a != 0 => 1,
        _ => 0,
    };
    if x.is_sign_negative() && (first_nonzero.is_some() || frac_len > 0) {
        out.push('-');
    }
    match first_nonzero {
        None => out.push('0'),
        Some(start) => {
            let significant = int_digits.get(start..).unwrap_or(&[]);
            for (i, &c) in significant.iter().enumerate() {
                if i > 0 && (significant.len() - i) % 3 == 0 {
                    out.push('.');
                }
                out.push(char::from(b'0' + c));
            }
        }
    }
    if frac_len > 0 {
        out.push(',');
        for &c in frac.iter().take(frac_len) {
            out.push(char::from(b'0' + c));
        }
    }
    true
}

/// Writes a date in words as INPS writes it: `29 febbraio 2024`, `1° ottobre 2025` (the first
/// of the month as an ordinal, every other day as a number without a leading zero). Speech is
/// not written from this text: SSML marks the date up, and a voice reads the 1st "primo".
pub fn date_words(out: &mut String, date: Date) {
    push_number(out, u64::from(date.day()));
    if date.day() == 1 {
        out.push('°');
    }
    out.push(' ');
    out.push_str(month_name(date.month()));
    out.push(' ');
    push_number(out, u64::try_from(date.year()).unwrap_or(0));
}

/// Writes a date as `dd/mm/yyyy`: `29/02/2024`.
pub fn short_date(out: &mut String, date: Date) {
    let _ = write!(
        out,
        "{:02}/{:02}/{:04}",
        date.day(),
        date.month(),
        date.year()
    );
}

/// The word agreeing with `n`: `singular` for 1 and -1, `plural` for everything else, 0 included
/// (Italian says `0 settimane`).
pub fn plural_word<'a>(n: i64, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 || n == -1 {
        singular
    } else {
        plural
    }
}

/// Writes `n` (grouped as by [`int`]) and the word agreeing with it: `1 settimana`,
/// `20 settimane`, `1.000 settimane`.
pub fn count(out: &mut String, n: i64, singular: &str, plural: &str) {
    int(out, n);
    out.push(' ');
    out.push_str(plural_word(n, singular, plural));
}

/// Writes `s` in upper case (Unicode, character by character: `è` becomes `È`).
pub fn upper(out: &mut String, s: &str) {
    out.extend(s.chars().flat_map(char::to_uppercase));
}

/// Writes `s` in lower case (Unicode, character by character).
pub fn lower(out: &mut String, s: &str) {
    out.extend(s.chars().flat_map(char::to_lowercase));
}

/// Writes `s` with its first character in upper case and the rest unchanged: `èstate` becomes
/// `Èstate`, `l'INPS` becomes `L'INPS`.
pub fn capitalize(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Number of words in `text`, for deriving a scene's duration from its narration: the
/// whitespace-separated tokens with at least one letter or digit (`-` or `—` alone do not count).
pub fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .count()
}

/// Writes `n` in decimal digits, with `.` every three digits from the right.
fn push_grouped(out: &mut String, n: u64) {
    // 20 digits and 6 dots at most, written from the right by groups of three.
    let mut buf = [0u8; 27];
    let mut i = buf.len();
    let mut n = n;
    while n >= 1000 {
        let g = (n % 1000) as usize;
        n /= 1000;
        i -= 4;
        if let Some(d) = buf.get_mut(i..i + 4) {
            d.copy_from_slice(&[b'.', digit(g / 100), digit(g / 10), digit(g)]);
        }
    }
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = digit(n as usize);
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    push_ascii(out, buf.get(i..).unwrap_or(&[]));
}

/// The ASCII digit of `n % 10`.
fn digit(n: usize) -> u8 {
    b'0' + (n % 10) as u8
}

/// Writes `n` in decimal digits, without grouping.
fn push_number(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    push_ascii(out, buf.get(i..).unwrap_or(&[]));
}

/// Appends ASCII digits and dots.
fn push_ascii(out: &mut String, b: &[u8]) {
    out.reserve(b.len());
    for &c in b {
        // Only ASCII digits and dots are ever passed here: one byte each.
        out.push(char::from(c));
    }
}

/// Writes `n` (below 100) as two digits.
fn push_two_digits(out: &mut String, n: u64) {
    push_ascii(out, &[b'0' + ((n / 10) % 10) as u8, b'0' + (n % 10) as u8]);
}

/// The shortest decimal form of a finite double's magnitude: `digits[0].digits[1..]` × 10^`exp`.
struct Shortest {
    /// Significant digits (values 0 to 9); a double never needs more than 17.
    digits: [u8; 17],
    /// How many of `digits` are used.
    len: usize,
    /// The power of ten of `digits[0]`.
    exp: i32,
}

impl Shortest {
    /// Decomposes `x`; `None` for NaN and infinities.
    fn of(x: f64) -> Option<Shortest> {
        if !x.is_finite() {
            return None;
        }
        let mut parser = ExpParser {
            out: Shortest {
                digits: [0; 17],
                len: 0,
                exp: 0,
            },
            in_exponent: false,
            exp_negative: false,
        };
        // `{:e}` writes the shortest representation that round-trips, e.g. `1.2345e3`.
        write!(parser, "{:e}", x.abs()).ok()?;
        let mut d = parser.out;
        if parser.exp_negative {
            d.exp = -d.exp;
        }
        Some(d)
    }

    /// The digit of weight 10^`w` (0 outside the significant digits).
    fn digit_at(&self, w: i32) -> u8 {
        let Some(i) = self.exp.checked_sub(w) else {
            return 0;
        };
        usize::try_from(i)
            .ok()
            .filter(|&i| i < self.len)
            .and_then(|i| self.digits.get(i).copied())
            .unwrap_or(0)
    }
}

/// Parses the output of `{:e}` as it is written.
struct ExpParser {
    out: Shortest,
    in_exponent: bool,
    exp_negative: bool,
}

impl fmt::Write for ExpParser {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            match b {
                b'e' | b'E' => self.in_exponent = true,
                b'-' if self.in_exponent => self.exp_negative = true,
                b'.' | b'+' => {}
                b'0'..=b'9' if self.in_exponent => {
                    self.out.exp = self
                        .out
                        .exp
                        .checked_mul(10)
                        .and_then(|e| e.checked_add(i32::from(b - b'0')))
                        .ok_or(fmt::Error)?;
                }
                b'0'..=b'9' => {
                    let slot = self.out.digits.get_mut(self.out.len).ok_or(fmt::Error)?;
                    *slot = b - b'0';
                    self.out.len += 1;
                }
                _ => return Err(fmt::Error),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    fn dec(x: f64) -> String {
        with(|s| assert!(decimal(s, x)))
    }

    #[test]
    fn digits_written_equal_the_plain_rule() {
        // The plain rule: digits from the right, a dot every three.
        fn grouped(n: u64) -> String {
            let d = n.to_string();
            let mut o = String::new();
            for (i, c) in d.chars().enumerate() {
                if i > 0 && (d.len() - i).is_multiple_of(3) {
                    o.push('.');
                }
                o.push(c);
            }
            o
        }
        let edges = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1]
        });
        for n in (0..=200_000).chain(edges).chain([u64::MAX - 1, u64::MAX]) {
            assert_eq!(with(|s| push_grouped(s, n)), grouped(n), "{n}");
            assert_eq!(with(|s| push_number(s, n)), n.to_string(), "{n}");
        }
        for n in 0..100 {
            assert_eq!(with(|s| push_two_digits(s, n)), format!("{n:02}"));
        }
    }

    #[test]
    fn money_amounts() {
        assert_eq!(with(|s| money(s, 123_456)), "€ 1.234,56");
        assert_eq!(with(|s| money(s, -1200)), "-€ 12,00");
        assert_eq!(with(|s| money(s, 0)), "€ 0,00");
        assert_eq!(with(|s| money(s, 1)), "€ 0,01");
        assert_eq!(with(|s| money(s, -1)), "-€ 0,01");
        assert_eq!(with(|s| money(s, 10)), "€ 0,10");
        assert_eq!(with(|s| money(s, 99_999)), "€ 999,99");
        assert_eq!(with(|s| money(s, 100_000)), "€ 1.000,00");
        assert_eq!(with(|s| money(s, 100_000_000)), "€ 1.000.000,00");
        assert_eq!(with(|s| money(s, i64::MAX)), "€ 92.233.720.368.547.758,07");
        assert_eq!(with(|s| money(s, i64::MIN)), "-€ 92.233.720.368.547.758,08");
        // Appends, does not replace.
        let mut s = String::from("Importo: ");
        money(&mut s, 50_000);
        assert_eq!(s, "Importo: € 500,00");
    }

    #[test]
    fn money_rounding() {
        assert_eq!(money_from_f64(1234.5), Some(123_450));
        assert_eq!(money_from_f64(1234.56), Some(123_456));
        assert_eq!(money_from_f64(0.005), Some(1));
        assert_eq!(money_from_f64(0.004), Some(0));
        assert_eq!(money_from_f64(0.0049), Some(0));
        assert_eq!(money_from_f64(-0.005), Some(-1));
        assert_eq!(money_from_f64(1.005), Some(101));
        assert_eq!(money_from_f64(2.675), Some(268));
        assert_eq!(money_from_f64(0.125), Some(13));
        assert_eq!(money_from_f64(-0.125), Some(-13));
        assert_eq!(money_from_f64(0.1 + 0.2), Some(30));
        assert_eq!(money_from_f64(0.0), Some(0));
        assert_eq!(money_from_f64(-0.0), Some(0));
        assert_eq!(money_from_f64(500.0), Some(50_000));
        assert_eq!(money_from_f64(-12.0), Some(-1200));
        assert_eq!(money_from_f64(1e-300), Some(0));
        assert_eq!(money_from_f64(5e-324), Some(0));
        assert_eq!(money_from_f64(9.99999), Some(1000));
        assert_eq!(money_from_f64(1e15), Some(100_000_000_000_000_000));
        assert_eq!(money_from_f64(9.2e16), Some(9_200_000_000_000_000_000));
        assert_eq!(money_from_f64(9.3e16), None);
        assert_eq!(money_from_f64(-9.3e16), None);
        assert_eq!(money_from_f64(1e17), None);
        assert_eq!(money_from_f64(1e300), None);
        assert_eq!(money_from_f64(f64::MAX), None);
        assert_eq!(money_from_f64(f64::NAN), None);
        assert_eq!(money_from_f64(f64::INFINITY), None);
        assert_eq!(money_from_f64(f64::NEG_INFINITY), None);
    }

    #[test]
    fn integers() {
        assert_eq!(with(|s| int(s, 0)), "0");
        assert_eq!(with(|s| int(s, 7)), "7");
        assert_eq!(with(|s| int(s, 999)), "999");
        assert_eq!(with(|s| int(s, 1000)), "1.000");
        assert_eq!(with(|s| int(s, 1234)), "1.234");
        assert_eq!(with(|s| int(s, 12_345)), "12.345");
        assert_eq!(with(|s| int(s, 123_456)), "123.456");
        assert_eq!(with(|s| int(s, -999)), "-999");
        assert_eq!(with(|s| int(s, -1234)), "-1.234");
        assert_eq!(with(|s| int(s, -1_234_567)), "-1.234.567");
        assert_eq!(with(|s| int(s, i64::MAX)), "9.223.372.036.854.775.807");
        assert_eq!(with(|s| int(s, i64::MIN)), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn decimals() {
        assert_eq!(dec(0.75), "0,75");
        assert_eq!(dec(1234.5), "1.234,5");
        assert_eq!(dec(3.0), "3");
        assert_eq!(dec(0.0), "0");
        assert_eq!(dec(-0.0), "0");
        assert_eq!(dec(-0.001), "0");
        assert_eq!(dec(-0.1), "-0,1");
        assert_eq!(dec(0.1 + 0.2), "0,3");
        assert_eq!(dec(1.005), "1,01");
        assert_eq!(dec(0.125), "0,13");
        assert_eq!(dec(-0.125), "-0,13");
        assert_eq!(dec(0.004), "0");
        assert_eq!(dec(0.005), "0,01");
        assert_eq!(dec(2.5), "2,5");
        assert_eq!(dec(2.50), "2,5");
        assert_eq!(dec(1.1), "1,1");
        assert_eq!(dec(1.10001), "1,1");
        assert_eq!(dec(9.995), "10");
        assert_eq!(dec(999.999), "1.000");
        assert_eq!(dec(-999_999.996), "-1.000.000");
        assert_eq!(dec(1_000_000.25), "1.000.000,25");
        assert_eq!(dec(1e-300), "0");
        assert_eq!(dec(5e-324), "0");
        assert_eq!(dec(1e15), "1.000.000.000.000.000");
        assert_eq!(dec(1e21), "1.000.000.000.000.000.000.000");
        let max = dec(f64::MAX);
        assert!(max.starts_with("179.769.313.486.231.570"));
        assert_eq!(max.len(), 309 + 102);
        assert_eq!(dec(-f64::MAX).len(), 309 + 102 + 1);
    }

    #[test]
    fn decimals_not_finite() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut s = String::from("x");
            assert!(!decimal(&mut s, x));
            assert_eq!(s, "x");
        }
    }

    #[test]
    fn dates() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(with(|s| date_words(s, d(2024, 2, 29))), "29 febbraio 2024");
        assert_eq!(with(|s| date_words(s, d(2025, 10, 1))), "1° ottobre 2025");
        assert_eq!(with(|s| date_words(s, d(2025, 3, 2))), "2 marzo 2025");
        assert_eq!(with(|s| date_words(s, d(2025, 3, 31))), "31 marzo 2025");
        assert_eq!(with(|s| date_words(s, d(1, 1, 1))), "1° gennaio 1");
        assert_eq!(with(|s| short_date(s, d(2024, 2, 29))), "29/02/2024");
        assert_eq!(with(|s| short_date(s, d(2025, 10, 1))), "01/10/2025");
        assert_eq!(with(|s| short_date(s, d(7, 1, 1))), "01/01/0007");
        let names = [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ];
        for (m, name) in (1u8..=12).zip(names) {
            assert_eq!(month_name(m), name);
            assert_eq!(
                with(|s| date_words(s, d(2024, m, 15))),
                format!("15 {name} 2024")
            );
        }
        assert_eq!(month_name(0), "");
        assert_eq!(month_name(13), "");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural_word(1, "settimana", "settimane"), "settimana");
        assert_eq!(plural_word(-1, "settimana", "settimane"), "settimana");
        assert_eq!(plural_word(0, "settimana", "settimane"), "settimane");
        assert_eq!(plural_word(2, "figlio", "figli"), "figli");
        assert_eq!(plural_word(-2, "figlio", "figli"), "figli");
        assert_eq!(plural_word(11, "figlio", "figli"), "figli");
        assert_eq!(plural_word(21, "mese", "mesi"), "mesi");
        assert_eq!(plural_word(i64::MIN, "mese", "mesi"), "mesi");
        assert_eq!(plural_word(i64::MAX, "mese", "mesi"), "mesi");
        // Invariable words and gendered pairs are the author's choice of strings.
        assert_eq!(plural_word(3, "città", "città"), "città");
        assert_eq!(plural_word(1, "figlia", "figlie"), "figlia");
        assert_eq!(plural_word(2, "uovo", "uova"), "uova");
        assert_eq!(
            with(|s| count(s, 1, "settimana", "settimane")),
            "1 settimana"
        );
        assert_eq!(
            with(|s| count(s, 20, "settimana", "settimane")),
            "20 settimane"
        );
        assert_eq!(with(|s| count(s, 0, "figlio", "figli")), "0 figli");
        assert_eq!(
            with(|s| count(s, 1000, "settimana", "settimane")),
            "1.000 settimane"
        );
        assert_eq!(with(|s| count(s, -1, "giorno", "giorni")), "-1 giorno");
        assert_eq!(with(|s| count(s, 2, "", "")), "2 ");
    }

    #[test]
    fn cases() {
        assert_eq!(with(|s| upper(s, "perché è così")), "PERCHÉ È COSÌ");
        assert_eq!(with(|s| lower(s, "NASpI ÀÈÌÒÙ")), "naspi àèìòù");
        assert_eq!(with(|s| upper(s, "straße")), "STRASSE");
        assert_eq!(with(|s| capitalize(s, "èstate")), "Èstate");
        assert_eq!(with(|s| capitalize(s, "l'INPS")), "L'INPS");
        assert_eq!(with(|s| capitalize(s, "mario rossi")), "Mario rossi");
        assert_eq!(with(|s| capitalize(s, "")), "");
        assert_eq!(with(|s| capitalize(s, "1 euro")), "1 euro");
        assert_eq!(with(|s| capitalize(s, "ßa")), "SSa");
        assert_eq!(with(|s| upper(s, "")), "");
    }

    #[test]
    fn word_count() {
        assert_eq!(words(""), 0);
        assert_eq!(words("   "), 0);
        assert_eq!(words("Benvenuta Anna, la tua domanda è stata accolta."), 8);
        assert_eq!(words("uno - due — tre"), 3);
        assert_eq!(words("€ 1.234,56 al mese"), 3);
        assert_eq!(words("l'importo\tè\ncalcolato"), 3);
        assert_eq!(words("... !!! ?"), 0);
        assert_eq!(words("però già"), 2);
    }
}
