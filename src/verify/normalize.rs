//! Text after FORMAT.md normalisation, with a map back to the original.
//!
//! This module owns the normalisation rules of "Quote verification" in
//! FORMAT.md (typographic folding, NFKC, white-space collapsing) and the
//! offset map that lets a passage found in normalised text be shown, linked
//! and counted in the verbatim source.
//!
//! NFKC is applied chunk by chunk so that every output character can be
//! traced to the original characters that produced it. A chunk starts before
//! a character whose compatibility decomposition begins with a starter
//! (canonical combining class 0) that NFKC leaves alone and that never
//! combines with what precedes it (NFKC_Quick_Check = Yes). Nothing can
//! compose or reorder across such a boundary (UAX #15, "stable code points"),
//! so the concatenation of the chunks' NFKC equals the NFKC of the whole
//! text: Hangul jamo that compose into a syllable, and the few starters that
//! decompose into non-starters, simply stay in one chunk with their
//! neighbours. A chunk is usually one character, or a letter with its
//! combining marks.

use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// A letter or digit, for word boundaries (char::is_alphanumeric).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The normalised form of any string (quotes use this); equals
/// `NormalizedText::new(s).as_str()`.
pub fn normalize(s: &str) -> String {
    NormalizedText::new(s).text
}

/// Step 1 of the normalisation (and the folding again in step 2) for one
/// character: `None` when the character is invisible and is removed.
fn fold(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => Some('"'),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => Some('-'),
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        other => Some(other),
    }
}

/// Whether NFKC maps `c` to itself and never combines it with what precedes.
fn is_stable(c: char) -> bool {
    c.is_ascii()
        || (canonical_combining_class(c) == 0
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// Whether NFKC can be restarted before `c`: its full decomposition begins
/// with a stable character, so nothing before `c` can compose with it or be
/// reordered past it. This holds for `ﬁ` or `½` too, which keeps their
/// chunks from swallowing the preceding character.
fn is_chunk_boundary(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let mut first = None;
    unicode_normalization::char::decompose_compatible(c, |d| {
        first.get_or_insert(d);
    });
    first.is_some_and(is_stable)
}

/// White space as `char::is_whitespace` has it, for an ASCII byte (which, unlike
/// `u8::is_ascii_whitespace`, counts the vertical tab).
fn is_space(byte: u8) -> bool {
    char::from(byte).is_whitespace()
}

/// Where the text from `at` (not white space) stops being plain: visible characters
/// with single spaces between them, which normalisation leaves as they are. A space
/// ending the text is not plain: white space may follow it.
fn plain_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = bytes.get(at) {
        if !is_space(byte) {
            at += 1;
        } else if byte == b' ' && bytes.get(at + 1).is_some_and(|&next| !is_space(next)) {
            at += 2;
        } else {
            break;
        }
    }
    at
}

/// A run of normalised bytes `norm..` (up to the next span) and the
/// original bytes they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    norm: usize,
    orig: usize,
    orig_end: usize,
    /// Byte for byte: each normalised character came from exactly one
    /// original character of the same UTF-8 length, contiguously, so offsets
    /// inside the span translate by a constant. Otherwise every normalised
    /// character of the span came from the whole original range.
    identity: bool,
}

/// Text after FORMAT.md normalisation, with a map back to the original.
///
/// The map is a list of spans rather than an entry per byte: plain text
/// stays in a few identity spans, so keeping thousands of sources in memory
/// costs little more than their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    text: String,
    spans: Vec<Span>,
}

impl NormalizedText {
    pub fn new(original: &str) -> Self {
        let mut builder = Builder::with_capacity(original.len());
        let bytes = original.as_bytes();
        let mut at = 0;
        while at < original.len() {
            let ascii = bytes[at..]
                .iter()
                .position(|b| !b.is_ascii())
                .map_or(original.len(), |run| at + run);
            // The last ASCII character before a non-ASCII one goes the general way: it may
            // take a combining mark that follows.
            let fast_end = if ascii == original.len() {
                ascii
            } else {
                ascii.saturating_sub(1)
            };
            if fast_end > at {
                builder.push_ascii(&original[at..fast_end], at);
                at = fast_end;
            }
            if let Some(c) = original[at..].chars().next() {
                if let Some(folded) = fold(c) {
                    builder.push_folded(folded, at..at + c.len_utf8());
                }
                at += c.len_utf8();
            }
        }
        builder.finish()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The byte range of the ORIGINAL text that produced the normalised
    /// byte range `range`.
    ///
    /// The result lies on char boundaries of the original and covers exactly
    /// the original characters that produced the normalised ones: white space
    /// collapsed into a space inside the range is included, an invisible
    /// character removed inside the range is included, one just outside is
    /// not. An empty range maps to an empty range at the corresponding
    /// position. Ends beyond the text are clamped, and ends that are not char
    /// boundaries are widened to the enclosing characters.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.floor_boundary(range.start);
        let end = self.ceil_boundary(range.end).max(start);
        if start == end {
            let at = self.original_position(start);
            return at..at;
        }
        let first = self.original_char_start(start);
        let last = self.original_char_end(end);
        first..last.max(first)
    }

    fn floor_boundary(&self, at: usize) -> usize {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn ceil_boundary(&self, at: usize) -> usize {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    /// The span holding normalised byte `at` (which must be < text length).
    fn span_at(&self, at: usize) -> Option<&Span> {
        let index = self.spans.partition_point(|span| span.norm <= at);
        self.spans.get(index.checked_sub(1)?)
    }

    /// Where the original character behind the normalised character starting
    /// at `at` begins.
    fn original_char_start(&self, at: usize) -> usize {
        match self.span_at(at) {
            Some(span) if span.identity => span.orig + (at - span.norm),
            Some(span) => span.orig,
            None => 0,
        }
    }

    /// Where the original character behind the normalised character ending
    /// at `end` (exclusive, > 0) ends.
    fn original_char_end(&self, end: usize) -> usize {
        match self.span_at(end.saturating_sub(1)) {
            Some(span) if span.identity => span.orig + (end - span.norm),
            Some(span) => span.orig_end,
            None => 0,
        }
    }

    /// The original position of the normalised position `at`, for empty
    /// ranges: before the character there, or after the last one.
    fn original_position(&self, at: usize) -> usize {
        if at < self.text.len() {
            self.original_char_start(at)
        } else if at > 0 {
            self.original_char_end(at)
        } else {
            0
        }
    }
}

/// Collapsed white space waiting for the next visible character: it is
/// written only between two of them, which trims both ends.
struct PendingSpace {
    orig: Range<usize>,
    identity: bool,
}

/// Streams folded characters through NFKC, the second folding and the
/// white-space collapsing, recording spans as it writes.
struct Builder {
    text: String,
    spans: Vec<Span>,
    /// Folded characters (with their original ranges) not yet through NFKC.
    chunk: Vec<(char, Range<usize>)>,
    pending_space: Option<PendingSpace>,
    scratch: String,
}

impl Builder {
    fn with_capacity(capacity: usize) -> Self {
        Builder {
            text: String::with_capacity(capacity),
            spans: Vec::new(),
            chunk: Vec::new(),
            pending_space: None,
            scratch: String::new(),
        }
    }

    fn push_folded(&mut self, c: char, orig: Range<usize>) {
        if is_chunk_boundary(c) {
            self.flush_chunk();
        }
        self.chunk.push((c, orig));
    }

    /// ASCII text none of whose characters can combine with what follows (the next one
    /// starts a new chunk either way): the same as pushing its characters one by one,
    /// without the per-character work. ASCII needs no folding and NFKC leaves it alone.
    fn push_ascii(&mut self, text: &str, orig: usize) {
        self.flush_chunk();
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if is_space(bytes[at]) {
                self.add_to_pending_space(orig + at..orig + at + 1, true);
                at += 1;
            } else {
                let end = plain_end(bytes, at);
                self.push_visible_ascii(&text[at..end], orig + at);
                at = end;
            }
        }
    }

    /// ASCII text that normalisation leaves as it is (visible characters, single spaces
    /// between them), each character the same in the original.
    fn push_visible_ascii(&mut self, plain: &str, orig: usize) {
        self.write_pending_space();
        let norm = self.text.len();
        match self.spans.last_mut() {
            Some(last) if last.identity && last.orig_end == orig => last.orig_end += plain.len(),
            _ => self.spans.push(Span {
                norm,
                orig,
                orig_end: orig + plain.len(),
                identity: true,
            }),
        }
        self.text.push_str(plain);
    }

    fn finish(mut self) -> NormalizedText {
        self.flush_chunk();
        // Trailing white space is dropped with the pending space.
        NormalizedText {
            text: self.text,
            spans: self.spans,
        }
    }

    fn flush_chunk(&mut self) {
        if let [(c, orig)] = self.chunk.as_slice()
            && is_stable(*c)
        {
            // NFKC leaves it alone and folding already happened.
            let (c, orig) = (*c, orig.clone());
            self.chunk.clear();
            self.emit(c, orig, true);
            return;
        }
        self.normalize_chunk();
    }

    fn normalize_chunk(&mut self) {
        let (Some(first), Some(last)) = (self.chunk.first(), self.chunk.last()) else {
            return;
        };
        let orig = first.1.start..last.1.end;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend(self.chunk.iter().map(|(c, _)| *c).nfkc());
        let one_to_one = self.chunk.len() == 1 && scratch.chars().nth(1).is_none();
        self.chunk.clear();
        for c in scratch.chars().filter_map(fold) {
            self.emit(c, orig.clone(), one_to_one);
        }
        self.scratch = scratch;
    }

    /// Writes one character that came from `orig`; `one_to_one` says that it
    /// is the only character produced by the only character of `orig`.
    fn emit(&mut self, c: char, orig: Range<usize>, one_to_one: bool) {
        if c.is_whitespace() {
            self.add_to_pending_space(orig, one_to_one);
            return;
        }
        self.write_pending_space();
        let identity = one_to_one && orig.len() == c.len_utf8();
        self.push(c, orig, identity);
    }

    /// The space standing for collapsed white space, before a visible character (none
    /// starts the text).
    fn write_pending_space(&mut self) {
        if let Some(space) = self.pending_space.take()
            && !self.text.is_empty()
        {
            self.push(' ', space.orig, space.identity);
        }
    }

    fn add_to_pending_space(&mut self, orig: Range<usize>, one_to_one: bool) {
        self.pending_space = Some(match self.pending_space.take() {
            None => PendingSpace {
                identity: one_to_one && orig.len() == 1,
                orig,
            },
            Some(space) => PendingSpace {
                orig: space.orig.start..space.orig.end.max(orig.end),
                identity: false,
            },
        });
    }

    fn push(&mut self, c: char, orig: Range<usize>, identity: bool) {
        let norm = self.text.len();
        match self.spans.last_mut() {
            Some(last) if identity && last.identity && last.orig_end == orig.start => {
                last.orig_end = orig.end;
            }
            Some(last)
                if !identity
                    && !last.identity
                    && last.orig == orig.start
                    && last.orig_end == orig.end => {}
            _ => self.spans.push(Span {
                norm,
                orig: orig.start,
                orig_end: orig.end,
                identity,
            }),
        }
        self.text.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normalisation done the plain way, on whole strings, to check the
    /// chunked implementation against.
    fn reference(s: &str) -> String {
        let folded: String = s.chars().filter_map(fold).collect();
        let composed: String = folded.nfkc().filter_map(fold).collect();
        composed.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    use crate::verify::XorShift;

    /// Characters that exercise every rule, and the ways they interact.
    const TRICKY: &[&str] = &[
        "a",
        "e",
        "E",
        "x",
        "1",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "\u{A0}",
        "\u{3000}",
        "\u{2028}",
        "\u{0301}",
        "\u{0323}",
        "\u{0308}",
        "\u{00E9}",
        "\u{2019}",
        "\u{201C}",
        "\u{00B4}",
        "\u{2033}",
        "\u{2034}",
        "\u{2014}",
        "\u{2212}",
        "\u{00AD}",
        "\u{200B}",
        "\u{200D}",
        "\u{FEFF}",
        "\u{2026}",
        "\u{FB01}",
        "\u{FF21}",
        "\u{00BD}",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "\u{AC00}",
        "\u{0F73}",
        "\u{0F71}",
        "\u{0B47}",
        "\u{0B3E}",
        "\u{1FFD}",
        "\u{FE58}",
        "\u{FE31}",
        "\u{212B}",
        "\u{0436}",
        "\u{1F600}",
        "\u{3099}",
        "\u{304B}",
        "\u{FF9E}",
        "\u{0345}",
        "\u{1FBE}",
        "\u{2126}",
        "\u{0149}",
    ];

    fn random_tricky(rng: &mut XorShift, len: usize) -> String {
        (0..len).map(|_| TRICKY[rng.below(TRICKY.len())]).collect()
    }

    /// The normalisation character by character, without the ASCII runs.
    fn char_by_char(original: &str) -> NormalizedText {
        let mut builder = Builder::with_capacity(original.len());
        for (start, c) in original.char_indices() {
            if let Some(folded) = fold(c) {
                builder.push_folded(folded, start..start + c.len_utf8());
            }
        }
        builder.finish()
    }

    #[test]
    fn ascii_runs_give_the_same_text_and_map_as_characters_one_by_one() {
        let mut rng = XorShift(0x5DEE_CE66_D1CE_4E5B);
        let pieces: Vec<&str> = TRICKY
            .iter()
            .copied()
            .chain([
                "word",
                "two words",
                "  ",
                " \t\n ",
                "\u{b}",
                "\u{7}",
                "e",
                ".",
                "x\u{0301}",
            ])
            .collect();
        for _ in 0..3000 {
            let s: String = (0..rng.below(16))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            assert_eq!(NormalizedText::new(&s), char_by_char(&s), "input {s:?}");
        }
    }

    #[test]
    fn folds_curly_quotes_and_apostrophes() {
        assert_eq!(
            normalize("\u{2018}a\u{2019} \u{201A}b\u{201B} c\u{2032} d\u{00B4}"),
            "'a' 'b' c' d'"
        );
        assert_eq!(
            normalize("\u{201C}a\u{201D} \u{201E}b\u{201F} 5\u{2033} \u{00AB}c\u{00BB}"),
            "\"a\" \"b\" 5\" \"c\""
        );
    }

    #[test]
    fn folds_every_dash() {
        assert_eq!(
            normalize("a\u{2010}b\u{2011}c\u{2012}d\u{2013}e\u{2014}f\u{2015}g\u{2212}h"),
            "a-b-c-d-e-f-g-h"
        );
    }

    #[test]
    fn removes_invisible_characters() {
        assert_eq!(
            normalize("\u{FEFF}re\u{00AD}uni\u{200B}fi\u{200C}e\u{200D}d\u{2060}"),
            "reunified"
        );
    }

    #[test]
    fn applies_nfkc() {
        assert_eq!(normalize("\u{FB01}ne"), "fine");
        assert_eq!(normalize("\u{FF21}\u{FF22}\u{FF23}"), "ABC");
        assert_eq!(normalize("a\u{00A0}b"), "a b");
        assert_eq!(normalize("\u{00BD}"), "1\u{2044}2");
        assert_eq!(normalize("wait\u{2026}"), "wait...");
        assert_eq!(normalize("e\u{0301}"), "\u{00E9}");
    }

    #[test]
    fn folds_again_after_nfkc() {
        // Small and vertical presentation forms decompose to real dashes.
        assert_eq!(normalize("a\u{FE58}b\u{FE31}c"), "a-b-c");
        // A triple prime decomposes to three primes.
        assert_eq!(normalize("6\u{2034}"), "6'''");
    }

    #[test]
    fn collapses_and_trims_white_space() {
        assert_eq!(normalize("  a \t\n b\r\nc\u{2028}d  "), "a b c d");
        assert_eq!(normalize(" \n\t "), "");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn word_chars_are_letters_and_digits() {
        assert!(is_word_char('a'));
        assert!(is_word_char('\u{0436}'));
        assert!(is_word_char('7'));
        assert!(!is_word_char('-'));
        assert!(!is_word_char('\''));
        assert!(!is_word_char(' '));
    }

    #[test]
    fn matches_whole_string_nfkc_on_tricky_input() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let len = rng.below(12);
            let s = random_tricky(&mut rng, len);
            assert_eq!(normalize(&s), reference(&s), "input {s:?}");
        }
    }

    #[test]
    fn is_idempotent_on_tricky_input() {
        let mut rng = XorShift(0xDEAD_BEEF_1234_5678);
        for _ in 0..3000 {
            let len = rng.below(12);
            let s = random_tricky(&mut rng, len);
            let once = normalize(&s);
            assert_eq!(normalize(&once), once, "input {s:?}");
        }
    }

    #[test]
    fn hangul_jamo_compose_across_characters() {
        // Leading and vowel jamo are both starters, yet compose into one
        // syllable: they must land in one chunk.
        let text = NormalizedText::new("x \u{1100}\u{1161}\u{11A8} y");
        assert_eq!(text.as_str(), "x \u{AC01} y");
        let syllable = 2..2 + '\u{AC01}'.len_utf8();
        assert_eq!(text.original_range(syllable), 2..11);
    }

    #[test]
    fn identity_text_maps_byte_for_byte() {
        let text = NormalizedText::new("plain text");
        assert_eq!(text.original_range(0..5), 0..5);
        assert_eq!(text.original_range(6..10), 6..10);
    }

    #[test]
    fn maps_through_folding_and_multibyte_characters() {
        let original = "\u{1F600} \u{0436}\u{2019}s e\u{0301}t\u{00E9} ok";
        let text = NormalizedText::new(original);
        assert_eq!(text.as_str(), "\u{1F600} \u{0436}'s \u{00E9}t\u{00E9} ok");
        let at = text.as_str().find("ok").expect("ok");
        let range = text.original_range(at..at + 2);
        assert_eq!(&original[range], "ok");
        let at = text.as_str().find('\'').expect("apostrophe");
        assert_eq!(&original[text.original_range(at..at + 2)], "\u{2019}s");
        let at = text.as_str().find("\u{00E9}t").expect("e acute");
        assert_eq!(&original[text.original_range(at..at + 3)], "e\u{0301}t");
    }

    #[test]
    fn collapsed_white_space_maps_to_the_whole_run() {
        let original = "one \r\n\t two";
        let text = NormalizedText::new(original);
        assert_eq!(text.as_str(), "one two");
        assert_eq!(&original[text.original_range(0..7)], original);
        assert_eq!(&original[text.original_range(3..4)], " \r\n\t ");
        assert_eq!(text.original_range(4..7), 8..11);
    }

    #[test]
    fn trimmed_white_space_is_outside_every_range() {
        let original = "\n  word \n";
        let text = NormalizedText::new(original);
        assert_eq!(text.original_range(0..4), 3..7);
    }

    #[test]
    fn invisible_characters_belong_to_ranges_that_enclose_them() {
        let original = "a\u{00AD}b";
        let text = NormalizedText::new(original);
        assert_eq!(text.as_str(), "ab");
        assert_eq!(text.original_range(0..2), 0..original.len());
        assert_eq!(text.original_range(0..1), 0..1);
        assert_eq!(text.original_range(1..2), 3..4);
    }

    #[test]
    fn compatibility_expansions_map_to_their_source_character() {
        let original = "the \u{FB01}ne \u{00BD}";
        let text = NormalizedText::new(original);
        assert_eq!(text.as_str(), "the fine 1\u{2044}2");
        assert_eq!(&original[text.original_range(4..8)], "\u{FB01}ne");
        assert_eq!(&original[text.original_range(5..8)], "\u{FB01}ne");
        let half = 9..text.as_str().len();
        assert_eq!(&original[text.original_range(half)], "\u{00BD}");
    }

    #[test]
    fn odd_ranges_do_not_panic() {
        let original = "\u{0436}\u{0436} \u{1F600}";
        let text = NormalizedText::new(original);
        let len = text.as_str().len();
        for start in 0..len + 3 {
            for end in 0..len + 3 {
                let range = text.original_range(start..end);
                assert!(range.start <= range.end && range.end <= original.len());
                assert!(original.is_char_boundary(range.start));
                assert!(original.is_char_boundary(range.end));
            }
        }
        assert_eq!(
            text.original_range(len..len),
            original.len()..original.len()
        );
        assert_eq!(NormalizedText::new("").original_range(0..4), 0..0);
        assert_eq!(NormalizedText::new(" ").original_range(0..0), 0..0);
    }

    #[test]
    fn every_character_round_trips_on_tricky_input() {
        let mut rng = XorShift(0x0123_4567_89AB_CDEF);
        for _ in 0..2000 {
            let len = rng.below(16);
            let original = random_tricky(&mut rng, len);
            let text = NormalizedText::new(&original);
            let norm = text.as_str();
            let mut previous_start = 0;
            for (at, c) in norm.char_indices() {
                let range = text.original_range(at..at + c.len_utf8());
                let slice = original.get(range.clone()).expect("char boundaries");
                // Ranges advance with the text (characters of one chunk share one).
                assert!(range.start >= previous_start, "{original:?}");
                previous_start = range.start;
                let produced = normalize(slice);
                if !c.is_whitespace() {
                    assert!(
                        produced.contains(c),
                        "{original:?}: {c:?} from {produced:?}"
                    );
                }
            }
            let whole = text.original_range(0..norm.len());
            assert_eq!(normalize(&original[whole]), norm, "{original:?}");
        }
    }
}
