//! Quote normalisation and matching for any quote and any source: never a panic;
//! normalising twice gives what normalising once gives; the map from normalised offsets
//! back to the original is monotone and lands on char boundaries of the original; a
//! verified quote's anchor and fragments slice the ORIGINAL text, and those slices,
//! normalised, hold what the quote's fragments say.

use std::ops::Range;

use super::{slices, split_pair};
use crate::verify::Anchor;
use crate::verify::normalize::{NormalizedText, normalize};
use crate::verify::prepared::Prepared;
use crate::verify::quote::Quote;
use crate::verify::verdict::{self, Missing, Verdict};

/// How many normalised characters the slices checked by [`slices_normalise_back`] span.
const SLICE_CHARS: [usize; 3] = [1, 3, 8];

/// At how many places of a text [`slices_normalise_back`] starts slices, at most: every
/// place of a short text, evenly spread ones of a long text, which keeps a fuzzer's input
/// of a few KB fast to check.
const SLICE_STARTS: usize = 64;

/// Every check of this module on an input holding a quote, a NUL byte, then a source.
pub fn check(bytes: &[u8]) {
    let (quote, source) = split_pair(bytes);
    check_pair(&quote, &source);
}

/// Every check of this module on `quote` looked up in `source`.
pub fn check_pair(quote: &str, source: &str) {
    check_normalization(quote);
    check_normalization(source);
    check_quote(quote);
    check_verdict(quote, source);
}

/// Normalisation of `text` is idempotent and keeps a sound map back to `text`.
pub fn check_normalization(text: &str) {
    let normalized = NormalizedText::new(text);
    let once = normalized.as_str();
    assert_eq!(
        normalize(once),
        once,
        "normalising twice differs from normalising once: {text:?}"
    );
    assert_eq!(normalize(text), once, "normalize and NormalizedText differ");
    map_is_monotone(text, &normalized);
    slices_normalise_back(text, &normalized);
}

/// Each normalised character maps to a non-empty slice of the original, and the slices
/// (and the positions between characters) never move backwards.
fn map_is_monotone(text: &str, normalized: &NormalizedText) {
    let norm = normalized.as_str();
    let mut last_position = 0;
    let mut last_range = 0..0;
    for (at, c) in norm.char_indices().chain([(norm.len(), ' ')]) {
        let position = normalized.original_range(at..at);
        assert!(
            position.is_empty() && slices(text, &position) && position.start >= last_position,
            "position {at} maps to {position:?}, after {last_position}: {text:?}"
        );
        last_position = position.start;
        if at == norm.len() {
            break;
        }
        let range = normalized.original_range(at..at + c.len_utf8());
        assert!(
            !range.is_empty()
                && slices(text, &range)
                && range.start >= last_range.start
                && range.end >= last_range.end,
            "character {c:?} at {at} maps to {range:?}, after {last_range:?}: {text:?}"
        );
        last_range = range;
    }
    let whole = normalized.original_range(0..norm.len());
    assert!(slices(text, &whole), "the whole text maps to {whole:?}");
}

/// A slice of the normalised text (starting and ending on a visible character) maps to
/// an original slice that normalises to text holding it. Holding, not equal: a
/// character NFKC expands (`ﬁ`, `½`) or composes with its neighbours maps whole.
fn slices_normalise_back(text: &str, normalized: &NormalizedText) {
    let norm = normalized.as_str();
    let starts: Vec<usize> = norm.char_indices().map(|(at, _)| at).collect();
    let step = starts.len().div_ceil(SLICE_STARTS).max(1);
    for (index, &start) in starts.iter().enumerate().step_by(step) {
        for chars in SLICE_CHARS {
            let end = starts.get(index + chars).copied().unwrap_or(norm.len());
            let slice = norm[start..end].trim();
            if slice.is_empty() || !norm[start..].starts_with(slice) {
                continue;
            }
            let range = normalized.original_range(start..start + slice.len());
            let back = normalize(&text[range.clone()]);
            assert!(
                back.contains(slice),
                "{slice:?} maps to {range:?}, which normalises to {back:?}: {text:?}"
            );
        }
    }
}

/// A parsed quote's fragments are trimmed, non-empty pieces of its normalised text.
fn check_quote(raw: &str) {
    let Ok(quote) = Quote::parse(raw) else {
        return;
    };
    assert!(!quote.fragments().is_empty(), "no fragments: {raw:?}");
    let mut rest = quote.normalized();
    for fragment in quote.fragments() {
        assert!(
            !fragment.is_empty() && fragment.trim() == fragment,
            "fragment {fragment:?} of {raw:?}"
        );
        let at = rest
            .find(fragment.as_str())
            .unwrap_or_else(|| panic!("fragment {fragment:?} is not in {rest:?}"));
        rest = &rest[at + fragment.len()..];
    }
}

/// What the verdict on `quote` in `source` says holds in the texts.
fn check_verdict(quote: &str, source: &str) {
    let prepared = Prepared::new(source);
    let norm = prepared.normalized().as_str();
    match verdict::judge(source, &prepared, quote) {
        Verdict::Found(found) => {
            assert!(found.occurrences >= 1);
            let quote = Quote::parse(quote).expect("a found quote parses");
            anchor_slices_the_original(source, &found.anchor, &quote);
        }
        Verdict::Missing(Missing::NotFound {
            closest: Some(closest),
            ..
        }) => assert!(
            norm.contains(&closest.passage),
            "the closest passage {:?} is not in the source",
            closest.passage
        ),
        Verdict::Missing(Missing::InsideWord { word }) => assert!(
            !word.is_empty() && norm.contains(&word),
            "the word {word:?} is not in the source"
        ),
        Verdict::Missing(_) | Verdict::Unusable(_) => {}
    }
}

/// The anchor's ranges slice `source` in order, its line and characters count the text
/// before it, and each fragment's slice normalises to text holding that fragment.
///
/// In order, not apart: two fragments may be anchored in one character that NFKC
/// expands (`. … .` finds both its dots in the `...` of one `…`), and both then map to
/// that whole character.
fn anchor_slices_the_original(source: &str, anchor: &Anchor, quote: &Quote) {
    let context = || format!("anchor {anchor:?} of {quote:?} in {source:?}");
    assert!(slices(source, &anchor.bytes), "{}", context());
    let before = &source[..anchor.bytes.start];
    let start = before.chars().count();
    let len = source[anchor.bytes.clone()].chars().count();
    assert_eq!(anchor.chars, start..start + len, "{}", context());
    assert_eq!(
        anchor.line,
        before.matches('\n').count() + 1,
        "{}",
        context()
    );
    assert_eq!(
        anchor.fragments.len(),
        quote.fragments().len(),
        "{}",
        context()
    );
    let mut last = anchor.bytes.start..anchor.bytes.start;
    for (range, fragment) in anchor.fragments.iter().zip(quote.fragments()) {
        assert!(
            slices(source, range)
                && within(range, &anchor.bytes)
                && range.start >= last.start
                && range.end >= last.end,
            "fragment range {range:?}: {}",
            context()
        );
        last = range.clone();
        let back = normalize(&source[range.clone()]);
        assert!(
            back.contains(fragment.as_str()),
            "fragment {fragment:?} anchored at {range:?} normalises to {back:?}: {}",
            context()
        );
    }
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typographic_quotes_pass_every_check() {
        check_pair(
            "\u{201C}it was\u{201D} \u{2026} over",
            "She said: \"It was\u{00A0}not\r\nover\" \u{FB01}ne \u{00BD} e\u{0301}",
        );
    }
}
