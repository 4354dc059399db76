//! A cited quote: its parsed fragments and where it occurs in a source.
//!
//! This module owns the matching rules of "Quote verification" in FORMAT.md:
//! ellipses split a quote into fragments; each fragment must occur exactly,
//! on word boundaries, in order, without overlapping, and all of them within
//! one span of at most 1,000 normalised characters; the first match is the
//! anchor. It also explains a failure, but only once there is one.

use std::ops::Range;

use memchr::memmem::Finder;
use unicode_normalization::char::canonical_combining_class;

use super::normalize::{NormalizedText, is_word_char, normalize};

/// How long, in normalised characters, the span of an elided quote may be,
/// from its first fragment's start to its last fragment's end.
const MAX_SPAN_CHARS: usize = 1000;

/// A character is at most this many bytes in UTF-8, which bounds the bytes
/// of a span without counting its characters.
const MAX_CHAR_BYTES: usize = 4;

/// Why a quote cannot be used at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteProblem {
    /// Nothing but white space (or invisible characters).
    Empty,
    /// Nothing but ellipses.
    OnlyEllipsis,
}

/// A quote after normalisation, split on its ellipses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    normalized: String,
    fragments: Vec<String>,
    has_ellipsis: bool,
}

impl Quote {
    /// Normalises `raw` and splits it on `[...]` and `...` (after
    /// normalisation, so `…` and `[…]` count). A run of three or more dots is
    /// one ellipsis (a sentence's full stop followed by an ellipsis is
    /// common), and `[ ... ]` with spaces inside the brackets counts too.
    /// Fragments are trimmed; empty ones, and so leading and trailing
    /// ellipses, are dropped.
    pub fn parse(raw: &str) -> Result<Quote, QuoteProblem> {
        let normalized = normalize(raw);
        if normalized.is_empty() {
            return Err(QuoteProblem::Empty);
        }
        let (parts, has_ellipsis) = split_on_ellipses(&normalized);
        let fragments: Vec<String> = parts
            .into_iter()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect();
        if fragments.is_empty() {
            return Err(QuoteProblem::OnlyEllipsis);
        }
        Ok(Quote {
            normalized,
            fragments,
            has_ellipsis,
        })
    }

    /// The normalised text between the ellipses, in order; never empty.
    pub fn fragments(&self) -> &[String] {
        &self.fragments
    }

    /// The whole normalised quote, ellipses included.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether the quote contains an ellipsis anywhere, leading and trailing
    /// ones included (`fragments().len() > 1` tells whether it elides text
    /// in the middle).
    pub fn has_ellipsis(&self) -> bool {
        self.has_ellipsis
    }
}

/// Splits normalised text on its ellipses; also says whether there was one.
fn split_on_ellipses(text: &str) -> (Vec<&str>, bool) {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut part_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes.get(at..).and_then(ellipsis_len) {
            Some(len) => {
                // Ellipses are ASCII, so both ends are char boundaries.
                parts.push(text.get(part_start..at).unwrap_or_default());
                at += len;
                part_start = at;
            }
            None => at += 1,
        }
    }
    let found = !parts.is_empty();
    parts.push(text.get(part_start..).unwrap_or_default());
    (parts, found)
}

/// The length of the ellipsis `bytes` starts with, if any.
fn ellipsis_len(bytes: &[u8]) -> Option<usize> {
    match bytes.first()? {
        b'.' => Some(dots_len(bytes)).filter(|&dots| dots >= 3),
        b'[' => bracketed_ellipsis_len(bytes),
        _ => None,
    }
}

fn dots_len(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| b == b'.').count()
}

/// `[...]`, also with a space inside either bracket.
fn bracketed_ellipsis_len(bytes: &[u8]) -> Option<usize> {
    let mut at = 1;
    at += usize::from(bytes.get(at) == Some(&b' '));
    let dots = dots_len(bytes.get(at..)?);
    if dots < 3 {
        return None;
    }
    at += dots;
    at += usize::from(bytes.get(at) == Some(&b' '));
    (bytes.get(at) == Some(&b']')).then_some(at + 1)
}

/// Where a quote occurs in a source, as normalised byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteMatch {
    /// From the first fragment's start to the last fragment's end.
    pub range: Range<usize>,
    /// Each fragment's occurrence; the gaps between them are the elided text.
    pub fragments: Vec<Range<usize>>,
}

/// Why a quote does not verify against a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchFailure {
    /// Some fragment does not occur at all.
    NotFound,
    /// The text occurs, but only inside a longer word (e.g. `eight` in
    /// `eighteen`); `at` is its first occurrence.
    OnlyInsideWord { at: Range<usize> },
    /// Each fragment occurs, but not in the quoted order (or only overlapping).
    OutOfOrder,
    /// In order, but never within 1,000 normalised characters.
    TooFarApart,
}

/// The first (leftmost-starting) match: the anchor.
pub fn find_first(source: &NormalizedText, quote: &Quote) -> Result<QuoteMatch, MatchFailure> {
    let text = source.as_str();
    let mut matcher = Matcher::new(quote);
    matcher
        .next_match(text, 0)
        .ok_or_else(|| classify_failure(text, quote))
}

/// Every match, leftmost first; each starts after the previous one ends, so
/// matches never overlap. Empty when there is none.
pub fn find_all(source: &NormalizedText, quote: &Quote) -> Vec<QuoteMatch> {
    let text = source.as_str();
    let mut matcher = Matcher::new(quote);
    let mut matches = Vec::new();
    let mut from = 0;
    while let Some(found) = matcher.next_match(text, from) {
        from = found.range.end.max(found.range.start + 1);
        matches.push(found);
    }
    matches
}

/// Searches a quote's fragments in one source.
struct Matcher<'q> {
    fragments: Vec<FragmentSearch<'q>>,
}

impl<'q> Matcher<'q> {
    fn new(quote: &'q Quote) -> Self {
        Matcher {
            fragments: quote
                .fragments
                .iter()
                .map(|f| FragmentSearch::new(f))
                .collect(),
        }
    }

    /// The first match whose first fragment starts at or after `from`.
    fn next_match(&mut self, text: &str, from: usize) -> Option<QuoteMatch> {
        let mut from = from;
        loop {
            let start = self.fragments.first_mut()?.next_valid(text, from)?;
            // When a later fragment never occurs after this start, it never
            // occurs after a later one either.
            let ranges = self.chain_from(text, start)?;
            if ranges.len() == 1 || within_span(text, &ranges) {
                return Some(QuoteMatch::from_fragments(ranges));
            }
            from = start + self.fragments.first().map_or(1, |f| f.step);
        }
    }

    /// The earliest occurrence of each fragment after the previous one, given
    /// where the first fragment starts. Taking the earliest each time gives
    /// the shortest span, so no other choice can fit where this one does not.
    fn chain_from(&mut self, text: &str, start: usize) -> Option<Vec<Range<usize>>> {
        let mut ranges = Vec::with_capacity(self.fragments.len());
        let mut at = start;
        for (index, fragment) in self.fragments.iter_mut().enumerate() {
            if index > 0 {
                at = fragment.next_valid(text, at)?;
            }
            let end = at + fragment.needle.len();
            ranges.push(at..end);
            at = end;
        }
        Some(ranges)
    }
}

impl QuoteMatch {
    fn from_fragments(fragments: Vec<Range<usize>>) -> Self {
        let start = fragments.first().map_or(0, |r| r.start);
        let end = fragments.last().map_or(start, |r| r.end);
        QuoteMatch {
            range: start..end,
            fragments,
        }
    }
}

/// Whether the fragments fit in one span of at most 1,000 characters.
fn within_span(text: &str, ranges: &[Range<usize>]) -> bool {
    let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
        return true;
    };
    let bytes = last.end.saturating_sub(first.start);
    if bytes <= MAX_SPAN_CHARS {
        return true;
    }
    if bytes > MAX_SPAN_CHARS * MAX_CHAR_BYTES {
        return false;
    }
    text.get(first.start..last.end)
        .is_some_and(|span| span.chars().count() <= MAX_SPAN_CHARS)
}

/// Answers "the earliest valid occurrence at or after here" for one fragment.
struct FragmentSearch<'q> {
    needle: &'q str,
    finder: Finder<'q>,
    /// The first character's length: the step to the next possible start.
    step: usize,
    starts_with_word_char: bool,
    ends_with_word_char: bool,
    /// The last answer: the earliest valid occurrence at or after `from`.
    /// Queries mostly move forward, and any query between `from` and the
    /// answer has the same answer, which keeps repeated searches linear.
    last: Option<(usize, Option<usize>)>,
}

impl<'q> FragmentSearch<'q> {
    fn new(needle: &'q str) -> Self {
        let first = needle.chars().next();
        FragmentSearch {
            needle,
            finder: Finder::new(needle),
            step: first.map_or(1, char::len_utf8),
            starts_with_word_char: first.is_some_and(is_word_char),
            ends_with_word_char: needle.chars().next_back().is_some_and(is_word_char),
            last: None,
        }
    }

    fn next_valid(&mut self, text: &str, from: usize) -> Option<usize> {
        if let Some((last_from, answer)) = self.last
            && from >= last_from
            && answer.is_none_or(|at| from <= at)
        {
            return answer;
        }
        let answer = self.scan_valid(text, from);
        self.last = Some((from, answer));
        answer
    }

    fn scan_valid(&self, text: &str, from: usize) -> Option<usize> {
        let mut from = from;
        loop {
            let at = self.next_raw(text, from)?;
            if self.on_word_boundaries(text, at) {
                return Some(at);
            }
            from = at + self.step;
        }
    }

    /// The next occurrence of the bytes, boundaries aside. The needle is
    /// valid UTF-8, so any occurrence starts and ends on char boundaries.
    fn next_raw(&self, text: &str, from: usize) -> Option<usize> {
        let haystack = text.as_bytes().get(from..)?;
        self.finder.find(haystack).map(|at| from + at)
    }

    fn on_word_boundaries(&self, text: &str, at: usize) -> bool {
        let end = at + self.needle.len();
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(end..).and_then(|t| t.chars().next());
        let word_before = before.is_some_and(is_word_char);
        let word_after = after.is_some_and(is_word_char);
        // Cutting a character from its accents would not quote words exactly.
        let mark_after = after.is_some_and(|c| canonical_combining_class(c) != 0);
        let cuts_a_word =
            (self.starts_with_word_char && word_before) || (self.ends_with_word_char && word_after);
        !cuts_a_word && !mark_after
    }
}

/// Why a quote that has no match does not verify. Runs only on failures.
fn classify_failure(text: &str, quote: &Quote) -> MatchFailure {
    let mut matcher = Matcher::new(quote);
    let mut inside_word = None;
    for fragment in &mut matcher.fragments {
        if fragment.next_valid(text, 0).is_some() {
            continue;
        }
        match fragment.next_raw(text, 0) {
            None => return MatchFailure::NotFound,
            Some(at) => {
                inside_word.get_or_insert(at..at + fragment.needle.len());
            }
        }
    }
    if let Some(at) = inside_word {
        return MatchFailure::OnlyInsideWord { at };
    }
    // Every fragment occurs; the earliest start has the earliest chain, so
    // if it has none, no order-respecting choice exists.
    let start = matcher
        .fragments
        .first_mut()
        .and_then(|first| first.next_valid(text, 0));
    match start.and_then(|start| matcher.chain_from(text, start)) {
        Some(_) => MatchFailure::TooFarApart,
        None => MatchFailure::OutOfOrder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(raw: &str) -> Quote {
        Quote::parse(raw).expect("a usable quote")
    }

    fn find(source: &str, raw: &str) -> Result<QuoteMatch, MatchFailure> {
        find_first(&NormalizedText::new(source), &quote(raw))
    }

    /// The original text of the first match.
    fn found<'s>(source: &'s str, raw: &str) -> Option<&'s str> {
        let text = NormalizedText::new(source);
        let found = find_first(&text, &quote(raw)).ok()?;
        source.get(text.original_range(found.range))
    }

    fn verifies(source: &str, raw: &str) -> bool {
        find(source, raw).is_ok()
    }

    #[test]
    fn parses_fragments() {
        let q = quote("  one  two ... three [...] four\u{2026}five  ");
        assert_eq!(q.fragments(), ["one two", "three", "four", "five"]);
        assert_eq!(q.normalized(), "one two ... three [...] four...five");
        assert!(q.has_ellipsis());
        let plain = quote("just \u{201C}words\u{201D}");
        assert_eq!(plain.fragments(), ["just \"words\""]);
        assert!(!plain.has_ellipsis());
    }

    #[test]
    fn parses_ellipsis_variants() {
        assert_eq!(quote("a [\u{2026}] b").fragments(), ["a", "b"]);
        assert_eq!(quote("a [ ... ] b").fragments(), ["a", "b"]);
        assert_eq!(quote("end.... Next").fragments(), ["end", "Next"]);
        assert_eq!(quote("a .. b").fragments(), ["a .. b"]);
        assert_eq!(quote("a [..] b").fragments(), ["a [..] b"]);
        assert_eq!(quote("a [... b").fragments(), ["a [", "b"]);
    }

    #[test]
    fn ignores_leading_and_trailing_ellipses() {
        let q = quote("... the middle part [...]");
        assert_eq!(q.fragments(), ["the middle part"]);
        assert!(q.has_ellipsis());
        assert_eq!(
            found("so the middle part ends", "\u{2026}the middle part\u{2026}"),
            Some("the middle part")
        );
    }

    #[test]
    fn rejects_empty_and_ellipsis_only_quotes() {
        assert_eq!(Quote::parse(""), Err(QuoteProblem::Empty));
        assert_eq!(Quote::parse(" \n\t\u{A0}"), Err(QuoteProblem::Empty));
        assert_eq!(Quote::parse("\u{00AD}\u{200B}"), Err(QuoteProblem::Empty));
        assert_eq!(Quote::parse("..."), Err(QuoteProblem::OnlyEllipsis));
        assert_eq!(
            Quote::parse(" [...] \u{2026} ... "),
            Err(QuoteProblem::OnlyEllipsis)
        );
    }

    #[test]
    fn curly_and_straight_quotes_match_both_ways() {
        let curly = "He said \u{201C}we\u{2019}ll see\u{201D} and left.";
        let straight = "He said \"we'll see\" and left.";
        assert_eq!(
            found(curly, "\"we'll see\""),
            Some("\u{201C}we\u{2019}ll see\u{201D}")
        );
        assert_eq!(
            found(straight, "\u{201C}we\u{2019}ll see\u{201D}"),
            Some("\"we'll see\"")
        );
        assert!(verifies(curly, "\u{00AB}we\u{2018}ll see\u{00BB}"));
        assert!(verifies("it\u{2032}s", "it\u{00B4}s"));
    }

    #[test]
    fn all_dashes_match() {
        for dash in [
            '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}',
        ] {
            let source = format!("pages 10{dash}12 only");
            assert!(verifies(&source, "10-12"), "{dash:?}");
            assert!(
                verifies("pages 10-12 only", &format!("10{dash}12")),
                "{dash:?}"
            );
        }
    }

    #[test]
    fn ellipsis_character_matches_three_dots() {
        assert!(verifies("and then\u{2026} nothing", "then... nothing"));
        assert!(verifies("and then... nothing", "then\u{2026} nothing"));
    }

    #[test]
    fn nfkc_forms_match() {
        assert_eq!(
            found("a \u{FB01}ne day", "fine day"),
            Some("\u{FB01}ne day")
        );
        assert_eq!(
            found("\u{FF34}\u{FF45}\u{FF58}\u{FF54} here", "Text"),
            Some("\u{FF34}\u{FF45}\u{FF58}\u{FF54}")
        );
        assert_eq!(found("100\u{00A0}km away", "100 km"), Some("100\u{00A0}km"));
        assert!(verifies("add \u{00BD} cup", "add 1\u{2044}2 cup"));
        assert!(verifies("add 1\u{2044}2 cup", "\u{00BD} cup"));
        assert!(verifies("caf\u{00E9} open", "cafe\u{0301} open"));
    }

    #[test]
    fn invisible_characters_are_ignored() {
        assert_eq!(
            found("were reuni\u{00AD}fied in", "reunified"),
            Some("reuni\u{00AD}fied")
        );
        assert!(verifies("were reunified in", "re\u{200B}unified"));
        assert!(verifies("\u{FEFF}Start here", "Start"));
    }

    #[test]
    fn white_space_runs_and_line_breaks_match_one_space() {
        let source = "the open\nchannel of\r\ncommunication  stays";
        assert_eq!(
            found(source, "open channel of communication"),
            Some("open\nchannel of\r\ncommunication")
        );
        assert!(verifies("open channel", "open \n\t channel"));
        assert!(verifies("line one\r\n\r\nline two", "one line"));
    }

    #[test]
    fn word_boundaries() {
        assert_eq!(
            find("eighteen soldiers", "eight"),
            Err(MatchFailure::OnlyInsideWord { at: 0..5 })
        );
        assert_eq!(
            find("weight", "eight"),
            Err(MatchFailure::OnlyInsideWord { at: 1..6 })
        );
        assert_eq!(found("there were eight, not nine", "eight"), Some("eight"));
        assert_eq!(found("a count (eight) of", "eight"), Some("eight"));
        assert_eq!(found("eighteen or eight", "eight"), Some("eight"));
        assert!(!verifies("x8", "8"));
        assert!(!verifies("\u{0436}word", "word"));
        // Quotes that begin or end with punctuation constrain only their
        // letter-or-digit ends.
        assert_eq!(found("the end.Next", ".Next"), Some(".Next"));
        assert_eq!(found("said:\"yes\"and", "\"yes\""), Some("\"yes\""));
        assert_eq!(found("(eight)", "(eight"), Some("(eight"));
    }

    #[test]
    fn a_match_does_not_cut_off_combining_marks() {
        // No precomposed form exists, so the mark stays separate.
        assert!(!verifies("q\u{0301} z", "q"));
        assert!(verifies("q\u{0301} z", "q\u{0301}"));
    }

    #[test]
    fn case_must_match() {
        assert_eq!(
            find("The Council met", "the council"),
            Err(MatchFailure::NotFound)
        );
        assert!(verifies("The Council met", "The Council"));
    }

    #[test]
    fn ellipsis_fragments_in_order() {
        let source = "The minister said the plan was ready, and that funding would follow.";
        let found = find(source, "the plan [...] funding would follow").expect("match");
        assert_eq!(found.fragments, vec![18..26, 47..67]);
        assert_eq!(found.range, 18..67);
        assert!(verifies(source, "The minister ... plan ... would follow."));
    }

    #[test]
    fn ellipsis_fragments_out_of_order() {
        let source = "The minister said the plan was ready.";
        assert_eq!(
            find(source, "the plan ... The minister"),
            Err(MatchFailure::OutOfOrder)
        );
        assert_eq!(
            find(source, "minister ... plan ... said"),
            Err(MatchFailure::OutOfOrder)
        );
        // Overlapping is not allowed either.
        assert_eq!(
            find(source, "said the ... the plan"),
            Err(MatchFailure::OutOfOrder)
        );
    }

    #[test]
    fn ellipsis_fragments_too_far_apart() {
        let filler = "word ".repeat(200);
        let source = format!("alpha {filler}omega");
        assert_eq!(
            find(&source, "alpha ... omega"),
            Err(MatchFailure::TooFarApart)
        );
        let near = format!("alpha {}omega", "word ".repeat(197));
        assert!(verifies(&near, "alpha ... omega"));
    }

    #[test]
    fn span_limit_counts_characters_not_bytes() {
        // Two-byte letters: the span is 1,000 characters but nearly 2,000 bytes.
        let source = format!("alpha {} omega", "\u{0436}".repeat(988));
        assert_eq!(source.chars().count(), MAX_SPAN_CHARS);
        assert!(verifies(&source, "alpha ... omega"));
        let source = format!("alpha {} omega", "\u{0436}".repeat(989));
        assert_eq!(
            find(&source, "alpha ... omega"),
            Err(MatchFailure::TooFarApart)
        );
    }

    #[test]
    fn later_start_can_fit_when_the_first_cannot() {
        let filler = "word ".repeat(300);
        let source = format!("alpha {filler}alpha beta omega");
        let found = find(&source, "alpha ... omega").expect("match");
        assert_eq!(&source[found.range], "alpha beta omega");
    }

    #[test]
    fn ellipsis_fragments_respect_word_boundaries() {
        assert_eq!(
            find("seventeen and eighteen", "seven ... eighteen"),
            Err(MatchFailure::OnlyInsideWord { at: 0..5 })
        );
        assert!(verifies("seven and eighteen", "seven ... eighteen"));
        assert!(!verifies("seven and eighteen", "seven ... eight"));
    }

    #[test]
    fn first_occurrence_is_the_anchor_and_find_all_finds_all() {
        let source = "Yes. Then yes, and yes again; eyes yes";
        let text = NormalizedText::new(source);
        let q = quote("yes");
        assert_eq!(find_first(&text, &q).map(|m| m.range), Ok(10..13));
        let all: Vec<_> = find_all(&text, &q).into_iter().map(|m| m.range).collect();
        assert_eq!(all, vec![10..13, 19..22, 35..38]);
        assert!(find_all(&text, &quote("no")).is_empty());
    }

    #[test]
    fn find_all_with_ellipses_does_not_overlap() {
        let text = NormalizedText::new("A x B A y B A z");
        let all: Vec<_> = find_all(&text, &quote("A ... B"))
            .into_iter()
            .map(|m| m.range)
            .collect();
        assert_eq!(all, vec![0..5, 6..11]);
    }

    #[test]
    fn overlapping_candidates_are_all_tried() {
        // The first raw occurrence fails its boundary; an overlapping one fits.
        assert_eq!(find("xa a a", "a a").map(|m| m.range), Ok(3..6));
    }

    #[test]
    fn multibyte_text_before_the_match_keeps_offsets_right() {
        let source = "\u{1F600}\u{1F4A9} \u{041F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442} e\u{0301}l\u{00E8}ve \u{2014} the quoted words here";
        assert_eq!(found(source, "the quoted words"), Some("the quoted words"));
        assert_eq!(
            found(source, "\u{00E9}l\u{00E8}ve - the"),
            Some("e\u{0301}l\u{00E8}ve \u{2014} the")
        );
        assert_eq!(
            found(source, "\u{041F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442}"),
            Some("\u{041F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442}")
        );
    }

    /// Checks that the match's original range slices cleanly and normalises
    /// back to the quote's fragments.
    fn assert_round_trip(source: &str, raw: &str) {
        let text = NormalizedText::new(source);
        let q = quote(raw);
        let found =
            find_first(&text, &q).unwrap_or_else(|e| panic!("{raw:?} in {source:?}: {e:?}"));
        let range = text.original_range(found.range.clone());
        let slice = source.get(range.clone()).expect("char boundaries");
        if let [only] = q.fragments() {
            assert_eq!(&normalize(slice), only, "{raw:?}");
        }
        for (fragment, at) in q.fragments().iter().zip(&found.fragments) {
            let piece = source
                .get(text.original_range(at.clone()))
                .expect("char boundaries");
            assert_eq!(&normalize(piece), fragment, "{raw:?} in {source:?}");
        }
    }

    #[test]
    fn original_ranges_round_trip() {
        let source = "\u{FEFF}  \u{201C}Well,\u{201D} she\u{00A0}said \u{2014} \u{2018}it\u{2019}s\r\n\
                      reuni\u{00AD}fied\u{2026}\u{201D} Then: \u{FB01}nal \u{FF21}\u{FF22} e\u{0301}t\u{00E9} \u{1F600}  end.\n";
        for raw in [
            "\"Well,\" she said",
            "Well",
            "she said - 'it's reunified...\"",
            "it's reunified",
            "reunified",
            "final AB",
            "\u{00E9}t\u{00E9}",
            "end.",
            "Well ... it's ... final",
            "said [...] Then:",
            "\u{1F600} end",
        ] {
            assert_round_trip(source, raw);
        }
    }

    use crate::verify::XorShift;

    const WORDS: &[&str] = &[
        "the",
        "council",
        "\u{2018}open\u{2019}",
        "\u{201C}channel\u{201D}",
        "of",
        "talks",
        "\u{041F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442}",
        "e\u{0301}te\u{0301}",
        "na\u{00EF}ve",
        "\u{2014}",
        "1\u{2013}2",
        "it\u{2019}s",
        "\u{1F600}",
        "re\u{00AD}set",
        "\u{FB01}x",
        "eight,",
        "(nine)",
        "end.",
        "\u{2026}",
    ];
    const GAPS: &[&str] = &[" ", " ", " ", "  ", "\n", "\r\n", " \t ", "\u{00A0}"];

    #[test]
    fn random_substrings_are_found_and_round_trip() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..400 {
            let mut source = String::new();
            let mut word_starts = Vec::new();
            let mut word_ends = Vec::new();
            for _ in 0..(5 + rng.below(40)) {
                if !source.is_empty() {
                    source.push_str(GAPS[rng.below(GAPS.len())]);
                }
                word_starts.push(source.len());
                source.push_str(WORDS[rng.below(WORDS.len())]);
                word_ends.push(source.len());
            }
            let first = rng.below(word_starts.len());
            let last = first + rng.below(word_starts.len() - first);
            let original = &source[word_starts[first]..word_ends[last]];
            let wanted = normalize(original);
            if wanted.is_empty() || wanted.chars().all(|c| c == '.' || c == ' ') {
                continue;
            }
            let text = NormalizedText::new(&source);
            let q = quote(original);
            let found = find_first(&text, &q)
                .unwrap_or_else(|e| panic!("{original:?} in {source:?}: {e:?}"));
            // The anchor is the first occurrence, which may precede ours
            // (whose leading ellipses, if any, are ignored).
            let ours = (first..=last)
                .map(|i| &source[word_starts[i]..word_ends[i]])
                .position(|word| word != "\u{2026}")
                .map_or(usize::MAX, |i| word_starts[first + i]);
            assert!(
                text.original_range(found.range.clone()).start <= ours,
                "{original:?} in {source:?}: {found:?}"
            );
            for (fragment, at) in q.fragments().iter().zip(&found.fragments) {
                let range = text.original_range(at.clone());
                let piece = source.get(range).expect("char boundaries");
                assert_eq!(&normalize(piece), fragment, "{original:?} in {source:?}");
            }
        }
    }
}
