//! "Did you mean": the one rule, shared by the runtime's record errors and the compiler's
//! diagnostics, for proposing a known name in place of a mistyped one.
//!
//! ```
//! use guide_runtime::suggest::did_you_mean;
//! let values = ["bonifico", "ufficio_postale"];
//! assert_eq!(did_you_mean("bonifco", values), Some("bonifico")); // one edit in 8 letters
//! assert_eq!(did_you_mean(" Bonifico ", values), Some("bonifico")); // case and spaces
//! assert_eq!(did_you_mean("posta", values), None); // too far from both
//! ```

/// The edit distance (Levenshtein) between two strings, in characters: the fewest insertions,
/// deletions and substitutions of one character that turn `a` into `b`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let del = prev.get(j + 1).map_or(usize::MAX, |d| d.saturating_add(1));
            let ins = cur.get(j).map_or(usize::MAX, |d| d.saturating_add(1));
            let sub = prev.get(j).map_or(usize::MAX, |d| d.saturating_add(cost));
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The candidate `given` was most likely meant to be, if any.
///
/// The rule: `given` without its surrounding spaces and a candidate are compared ignoring
/// case; the candidate qualifies when their [`levenshtein`] distance is at most a third of the
/// length of the longer of the two, in characters (rounded down: one edit from 3 characters,
/// two from 6, three from 9; none below 3 characters, where only case and spaces may differ).
/// The closest qualifying candidate is returned, the first of them on a tie.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given = given.trim().to_lowercase();
    let len = given.chars().count();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&given, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= len.max(c.chars().count()) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("età", "eta"), 1);
    }

    #[test]
    fn the_threshold_is_a_third_of_the_longer_name() {
        assert_eq!(did_you_mean("eta", ["età"]), Some("età"));
        assert_eq!(did_you_mean("ab", ["ac"]), None);
        assert_eq!(did_you_mean("AB", ["ab"]), Some("ab"));
        assert_eq!(did_you_mean("nomee", ["nome"]), Some("nome"));
        assert_eq!(
            did_you_mean("imprto_msile", ["importo_mensile"]),
            Some("importo_mensile")
        );
        assert_eq!(did_you_mean("xyz", ["abc"]), None);
        // The closest wins; the first on a tie.
        assert_eq!(did_you_mean("cas", ["casa", "cast", "cas"]), Some("cas"));
        assert_eq!(did_you_mean("cas", ["casa", "cast"]), Some("casa"));
    }
}
