//! Deep links into the originals: URL text fragments (`#:~:text=…`, the WICG Text
//! Fragments spec) that make a browser scroll to and highlight a cited passage in the
//! publisher's article.
//!
//! A browser selects the *first* place in the page that matches a directive, comparing
//! at the collation "primary level" (case and accents ignored), only on word boundaries
//! (UAX #29), with each term inside one block of text. We cannot see the publisher's page,
//! only the source text, which is the article's text; so a directive is built to select
//! the passage when the spec's search runs over the source text, with each line taken as
//! a block. [`Searchable`] runs that search; [`Searchable::directive`] tries directives
//! from the shortest up (the whole passage, or its first and last words when it is long
//! or spans lines), adding `prefix-` and `-suffix` context words until the first match is
//! the passage itself, following the spec's advice for generated links: exact text below
//! 300 characters, context only where the passage is ambiguous or three words or fewer.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_segmentation::UnicodeSegmentation;

/// Bytes a directive term carries as they are: the spec's `TextDirectiveExplicitChar`.
/// Everything else is UTF-8 percent-encoded: `-`, `&` and `,` (the directive's own
/// syntax), `%`, `#`, white space, and every non-ASCII character.
const EXPLICIT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b'.')
    .remove(b'/')
    .remove(b':')
    .remove(b';')
    .remove(b'=')
    .remove(b'?')
    .remove(b'@')
    .remove(b'_')
    .remove(b'~');

/// Passages up to this many characters are quoted whole; longer ones as `start,end`
/// (the spec's recommendation for generated links).
const EXACT_MAX_CHARS: usize = 300;
/// Words at each end of a `start,end` directive: the first try, and the most.
const RANGE_WORDS: Range<usize> = 3..11;
/// The most words of context on each side.
const MAX_CONTEXT_WORDS: usize = 8;
/// Passages of at most this many words get context even when unique in the source: the
/// publisher's page holds more than the article (headlines, links), where a short phrase
/// may occur first.
const SHORT_PASSAGE_WORDS: usize = 3;

/// A text directive: `text=[prefix-,]start[,end][,-suffix]`, its terms as the source
/// has them (white space folded to single spaces), not yet encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDirective {
    pub prefix: Option<String>,
    pub start: String,
    pub end: Option<String>,
    pub suffix: Option<String>,
}

impl fmt::Display for TextDirective {
    /// The directive as it goes in a URL, each term percent-encoded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text=")?;
        if let Some(prefix) = &self.prefix {
            write!(f, "{}-,", encode(prefix))?;
        }
        write!(f, "{}", encode(&self.start))?;
        if let Some(end) = &self.end {
            write!(f, ",{}", encode(end))?;
        }
        if let Some(suffix) = &self.suffix {
            write!(f, ",-{}", encode(suffix))?;
        }
        Ok(())
    }
}

fn encode(term: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(term, EXPLICIT)
}

/// `url` with `directive` in its fragment. An element id already in the fragment stays
/// (browsers fall back to it when the text is not found); a directive already there is
/// replaced.
pub fn deep_link(url: &str, directive: &TextDirective) -> String {
    let (base, fragment) = url.split_once('#').unwrap_or((url, ""));
    let id = fragment.split(":~:").next().unwrap_or_default();
    format!("{base}#{id}:~:{directive}")
}

/// The directive selecting the passage that spans `fragments` (byte ranges of `text`,
/// in order; an elided quote has several and its directive covers them all), or `None`
/// when no directive selects exactly that passage.
pub fn text_directive(text: &str, fragments: &[Range<usize>]) -> Option<TextDirective> {
    Searchable::new(text).directive(fragments)
}

/// A source text prepared for the browser's search: folded for comparison, with the way
/// back to the original.
pub struct Searchable<'a> {
    original: &'a str,
    /// Lower case, without combining marks; every run of white space is one ` `, or one
    /// `\n` when it holds a line break (a block boundary no term may cross).
    folded: String,
    /// For each byte of `folded` and its end: the original byte offset of the character
    /// it comes from.
    origin: Vec<usize>,
    /// For each byte of `folded` and its end: whether an original character's folding
    /// starts there (a match may start or end only there).
    edges: Vec<bool>,
    /// Where each line of the original starts: the text between line breaks.
    lines: Vec<usize>,
    /// The word boundaries (UAX #29) of each line, found when a match first needs them.
    /// Segmenting a whole text costs more than the rest of preparing it, and most of the
    /// places a search looks at are decided by the two characters around them (see
    /// [`Searchable::is_word_boundary`]). Every line break is a boundary on both sides
    /// (rules WB3a and WB3b), so lines can be segmented one by one.
    boundaries: Vec<OnceLock<Vec<usize>>>,
}

/// The terms of a directive, folded, as the search compares them.
#[derive(Debug, Clone, Copy)]
struct Query<'q> {
    prefix: Option<&'q str>,
    start: &'q str,
    end: Option<&'q str>,
    suffix: Option<&'q str>,
}

/// The terms of a directive as byte ranges of the folded text.
#[derive(Debug, Clone)]
struct Terms {
    prefix: Option<Range<usize>>,
    start: Range<usize>,
    end: Option<Range<usize>>,
    suffix: Option<Range<usize>>,
}

impl<'a> Searchable<'a> {
    pub fn new(original: &'a str) -> Self {
        let mut searchable = Searchable {
            original,
            folded: String::with_capacity(original.len()),
            origin: Vec::with_capacity(original.len() + 1),
            edges: Vec::with_capacity(original.len() + 1),
            lines: vec![0],
            boundaries: Vec::new(),
        };
        let mut chars = original.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let before = searchable.folded.len();
            if c.is_whitespace() {
                let mut line_break = is_line_break(c);
                let mut last = (at, c);
                while let Some(next) = chars.next_if(|(_, next)| next.is_whitespace()) {
                    line_break |= is_line_break(next.1);
                    searchable.line_after(last);
                    last = next;
                }
                searchable.line_after(last);
                searchable.folded.push(if line_break { '\n' } else { ' ' });
            } else {
                fold(c, &mut searchable.folded);
            }
            for byte in before..searchable.folded.len() {
                searchable.origin.push(at);
                searchable.edges.push(byte == before);
            }
        }
        searchable.origin.push(original.len());
        searchable.edges.push(true);
        searchable.boundaries = searchable.lines.iter().map(|_| OnceLock::new()).collect();
        searchable
    }

    /// Notes the line starting after `c` (at `at`), when `c` is a line break.
    fn line_after(&mut self, (at, c): (usize, char)) {
        if is_line_break(c) {
            self.lines.push(at + c.len_utf8());
        }
    }

    /// Whether the original text has a word boundary (UAX #29) at byte `at`.
    fn is_word_boundary(&self, at: usize) -> bool {
        let text = self.original;
        if at == 0 || at >= text.len() {
            return true; // WB1, WB2
        }
        let before = text[..at].chars().next_back();
        let after = text[at..].chars().next();
        match (before, after) {
            (Some('\r'), Some('\n')) => false,        // WB3
            (Some(c), _) if is_line_break(c) => true, // WB3a
            (_, Some(c)) if is_line_break(c) => true, // WB3b
            // Letters and digits hold together (WB5, WB8, WB9, WB10).
            (Some(b), Some(a)) if b.is_ascii_alphanumeric() && a.is_ascii_alphanumeric() => false,
            // A space parts from what is on either side of it unless that is a space too
            // (WB3d) or, after it, a character that extends it (WB4), which no ASCII
            // character is.
            (Some(b), Some(a)) if b.is_ascii() && a.is_ascii() && (b == ' ') != (a == ' ') => true,
            _ => {
                let line = self.lines.partition_point(|&start| start <= at) - 1;
                let start = self.lines[line];
                let boundaries = self.boundaries[line].get_or_init(|| {
                    let end = text[start..]
                        .find(is_line_break)
                        .map_or(text.len(), |end| start + end);
                    text[start..end]
                        .split_word_bound_indices()
                        .map(|(offset, _)| start + offset)
                        .collect()
                });
                boundaries.binary_search(&at).is_ok()
            }
        }
    }

    /// See [`text_directive`].
    pub fn directive(&self, fragments: &[Range<usize>]) -> Option<TextDirective> {
        let target = self.target(fragments)?;
        let words = self.folded[target.clone()].split([' ', '\n']).count();
        let min_context = usize::from(words <= SHORT_PASSAGE_WORDS);
        (min_context..=MAX_CONTEXT_WORDS)
            .chain((min_context > 0).then_some(0))
            .find_map(|context| self.with_context(&target, context))
            .map(|terms| self.directive_of(&terms))
    }

    /// The passage as a folded byte range, if `fragments` are valid and hold some text.
    fn target(&self, fragments: &[Range<usize>]) -> Option<Range<usize>> {
        let (first, last) = (fragments.first()?, fragments.last()?);
        let (start, end) = (first.start, last.end);
        if start >= end || !self.original.is_char_boundary(start) {
            return None;
        }
        self.original.get(start..end)?;
        let from = self.origin.partition_point(|&o| o < start);
        let to = self.origin.partition_point(|&o| o < end);
        let target = self.trim(from..to);
        (!target.is_empty() && self.edges[target.start]).then_some(target)
    }

    fn trim(&self, range: Range<usize>) -> Range<usize> {
        let text = &self.folded[range.clone()];
        let start = range.start + (text.len() - text.trim_start().len());
        let end = range.end - (text.len() - text.trim_end().len());
        start..end.max(start)
    }

    /// The first directive with `context` words of context (before, after, or both) that
    /// selects `target`.
    fn with_context(&self, target: &Range<usize>, context: usize) -> Option<Terms> {
        let prefix = (context > 0)
            .then(|| self.words_before(target.start, context))
            .flatten();
        let suffix = (context > 0)
            .then(|| self.words_after(target.end, context))
            .flatten();
        let sides = match (context, &prefix, &suffix) {
            (0, _, _) => vec![(None, None)],
            _ => vec![
                (prefix.clone(), None),
                (None, suffix.clone()),
                (prefix.clone(), suffix.clone()),
            ],
        };
        self.shapes(target)
            .into_iter()
            .flat_map(|(start, end)| {
                sides.iter().filter_map(move |(prefix, suffix)| {
                    let wanted = context == 0 || prefix.is_some() || suffix.is_some();
                    wanted.then(|| Terms {
                        prefix: prefix.clone(),
                        start: start.clone(),
                        end: end.clone(),
                        suffix: suffix.clone(),
                    })
                })
            })
            .find(|terms| self.select(terms).as_ref() == Some(target))
    }

    /// The ways to name `target`, shortest first: the whole passage when short and on one
    /// line, else its first and last words, more of them each time.
    fn shapes(&self, target: &Range<usize>) -> Vec<(Range<usize>, Option<Range<usize>>)> {
        let text = &self.folded[target.clone()];
        let one_line = !text.contains('\n');
        let exact = (target.clone(), None);
        if one_line && text.chars().count() <= EXACT_MAX_CHARS {
            return vec![exact];
        }
        let mut shapes = Vec::new();
        for words in RANGE_WORDS {
            let start = target.start..self.words_end(target.start, target.end, words);
            let end = self.words_start(target.end, target.start, words)..target.end;
            if one_line && start.end >= end.start {
                break;
            }
            shapes.push((start, Some(end)));
        }
        if one_line {
            shapes.push(exact);
        }
        shapes
    }

    /// Where the `words`-th word from `from` ends, on `from`'s line and before `limit`.
    fn words_end(&self, from: usize, limit: usize, words: usize) -> usize {
        let mut end = from;
        for (count, (at, byte)) in self.folded.as_bytes()[from..limit]
            .iter()
            .enumerate()
            .map(|(i, b)| (from + i, *b))
            .filter(|(_, b)| matches!(b, b' ' | b'\n'))
            .chain(std::iter::once((limit, b'\n')))
            .enumerate()
        {
            end = at;
            if count + 1 == words || byte == b'\n' {
                break;
            }
        }
        end
    }

    /// Where the `words`-th word before `to` starts, on `to`'s line and after `limit`.
    fn words_start(&self, to: usize, limit: usize, words: usize) -> usize {
        let bytes = self.folded.as_bytes();
        let mut start = to;
        let mut count = 0;
        for at in (limit..to).rev() {
            match bytes[at] {
                b'\n' => break,
                b' ' => {
                    count += 1;
                    if count == words {
                        break;
                    }
                }
                _ => start = at,
            }
        }
        start
    }

    /// Up to `words` words right before `at` (white space between them and `at`
    /// allowed), all on one line: a prefix.
    fn words_before(&self, at: usize, words: usize) -> Option<Range<usize>> {
        let end = self.folded[..at].trim_end().len();
        let start = self.words_start(end, 0, words);
        (start < end).then_some(start..end)
    }

    /// Up to `words` words right after `at`, all on one line: a suffix.
    fn words_after(&self, at: usize, words: usize) -> Option<Range<usize>> {
        let start = self.folded.len() - self.folded[at..].trim_start().len();
        let end = self.words_end(start, self.folded.len(), words);
        (start < end).then_some(start..end)
    }

    fn directive_of(&self, terms: &Terms) -> TextDirective {
        let text = |range: &Range<usize>| {
            let original = &self.original[self.origin[range.start]..self.origin[range.end]];
            original.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        TextDirective {
            prefix: terms.prefix.as_ref().map(text),
            start: text(&terms.start),
            end: terms.end.as_ref().map(text),
            suffix: terms.suffix.as_ref().map(text),
        }
    }

    /// The folded range `terms` select.
    fn select(&self, terms: &Terms) -> Option<Range<usize>> {
        let term = |range: &Range<usize>| &self.folded[range.clone()];
        self.find(&Query {
            prefix: terms.prefix.as_ref().map(term),
            start: term(&terms.start),
            end: terms.end.as_ref().map(term),
            suffix: terms.suffix.as_ref().map(term),
        })
    }

    /// The spec's "find a range from a text directive", over the source text: the folded
    /// range the browser would select.
    fn find(&self, query: &Query) -> Option<Range<usize>> {
        let Query {
            prefix,
            start,
            end,
            suffix,
        } = *query;
        let must_end_at_word = end.is_some() || suffix.is_none();
        let mut search = 0;
        loop {
            let mut matched = match prefix {
                Some(prefix) => {
                    let found = self.find_term(prefix, search, true, false)?;
                    search = found + 1;
                    let at = self.skip_space(found + prefix.len());
                    if at == self.folded.len() {
                        return None;
                    }
                    if !self.term_at(start, at, false, must_end_at_word) {
                        continue;
                    }
                    at..at + start.len()
                }
                None => {
                    let at = self.find_term(start, search, true, must_end_at_word)?;
                    search = at + 1;
                    at..at + start.len()
                }
            };
            // The spec gives up when the match ends the document; the publisher's page
            // always goes on after the article, so this search does not.
            loop {
                if let Some(end) = end {
                    let at = self.find_term(end, matched.end, true, suffix.is_none())?;
                    matched.end = at + end.len();
                }
                let Some(suffix) = suffix else {
                    return Some(matched);
                };
                if self.term_at(suffix, self.skip_space(matched.end), false, true) {
                    return Some(matched);
                }
                if end.is_none() {
                    break;
                }
            }
        }
    }

    /// The first place from `from` where `term` occurs, at character edges and, as asked,
    /// starting and ending on word boundaries.
    fn find_term(
        &self,
        term: &str,
        from: usize,
        start_word: bool,
        end_word: bool,
    ) -> Option<usize> {
        let haystack = self.folded.as_bytes().get(from..)?;
        memmem::find_iter(haystack, term.as_bytes())
            .map(|at| from + at)
            .find(|&at| self.term_at(term, at, start_word, end_word))
    }

    fn term_at(&self, term: &str, at: usize, start_word: bool, end_word: bool) -> bool {
        let end = at + term.len();
        let edge = |at: usize| self.edges.get(at).is_some_and(|&edge| edge);
        let word = |at: usize| self.is_word_boundary(self.origin[at]);
        self.folded.as_bytes().get(at..end) == Some(term.as_bytes())
            && edge(at)
            && edge(end)
            && (!start_word || word(at))
            && (!end_word || word(end))
    }

    fn skip_space(&self, mut at: usize) -> usize {
        let bytes = self.folded.as_bytes();
        while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\n')) {
            at += 1;
        }
        at
    }
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// `c` as the primary-level comparison sees it: lower case, accents and other combining
/// marks removed.
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        // Most of a news text; no decomposition to look up.
        out.push(c.to_ascii_lowercase());
        return;
    }
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            out.extend(d.to_lowercase());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Searchable<'_> {
        /// The original byte range a browser's search selects for `directive` here.
        fn selected_by(&self, directive: &TextDirective) -> Option<Range<usize>> {
            let fold_term = |term: &str| {
                let mut out = String::new();
                for c in term.chars() {
                    match c.is_whitespace() {
                        true => out.push(' '),
                        false => fold(c, &mut out),
                    }
                }
                out
            };
            let prefix = directive.prefix.as_deref().map(fold_term);
            let start = fold_term(&directive.start);
            let end = directive.end.as_deref().map(fold_term);
            let suffix = directive.suffix.as_deref().map(fold_term);
            let range = self.find(&Query {
                prefix: prefix.as_deref(),
                start: &start,
                end: end.as_deref(),
                suffix: suffix.as_deref(),
            })?;
            Some(self.origin[range.start]..self.origin[range.end])
        }
    }

    /// The directive (as in a URL) for the first occurrence of `passage` in `text`
    /// after `after`, checked to select exactly that passage.
    fn directive_after(text: &str, passage: &str, after: &str) -> Option<String> {
        let from = text.find(after).expect("`after` is in the text");
        let start = from
            + text[from..]
                .find(passage)
                .expect("the passage is in the text");
        let range = start..start + passage.len();
        let directive = text_directive(text, std::slice::from_ref(&range))?;
        let selected = Searchable::new(text).selected_by(&directive);
        assert_eq!(selected, Some(range), "what {directive} selects");
        Some(directive.to_string())
    }

    fn directive(text: &str, passage: &str) -> Option<String> {
        directive_after(text, passage, "")
    }

    const ARTICLE: &str = "The First Lady said eight children were reunited with their \
families after months of talks, officials said on Friday.\n\
Eighteen other cases remain open, officials said.\n";

    #[test]
    fn word_boundaries_found_near_or_line_by_line_are_those_of_the_whole_text() {
        let texts = [
            ARTICLE,
            "\u{feff}Don't stop: 3.5 per cent, U.S. e-mail_x a1b2 (“quoted”) — 10,000.\r\nnext\u{2028}line\u{0B}x\u{85}y\u{2029}z",
            "a\n\u{301}b \u{200d}c \u{301}d\r\n\r\n\u{1F1EB}\u{1F1F7}\u{1F1EB}\u{1F1F7} 👩\u{200d}💻 end\n",
            "\n\n  leading\t\tand trailing  \n",
            "Çà et là: l'été, 12h30, ½ ; naïve café’s 'x' \"y\" a.b a:b 1.2 1,2 a_b ..",
        ];
        for text in texts {
            let whole: Vec<usize> = text
                .split_word_bound_indices()
                .map(|(at, _)| at)
                .chain([text.len()])
                .collect();
            let searchable = Searchable::new(text);
            for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                assert_eq!(
                    searchable.is_word_boundary(at),
                    whole.contains(&at),
                    "at {at} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn a_unique_passage_is_quoted_whole() {
        assert_eq!(
            directive(
                ARTICLE,
                "reunited with their families after months of talks"
            )
            .as_deref(),
            Some("text=reunited%20with%20their%20families%20after%20months%20of%20talks")
        );
    }

    #[test]
    fn syntax_characters_white_space_and_non_ascii_are_percent_encoded() {
        let text = "Prices rose 5% – a “record”, said Smith-Jones & co. #1 (ok) in Zürich.";
        assert_eq!(
            directive(text, text).as_deref(),
            Some(
                "text=Prices%20rose%205%25%20%E2%80%93%20a%20%E2%80%9Crecord%E2%80%9D%2C%20\
said%20Smith%2DJones%20%26%20co.%20%231%20(ok)%20in%20Z%C3%BCrich."
            )
        );
        let every_term = TextDirective {
            prefix: Some("a-b".to_string()),
            start: "a!$'()*+./:;=?@_~z".to_string(),
            end: Some("x,y".to_string()),
            suffix: Some("p&q".to_string()),
        };
        assert_eq!(
            every_term.to_string(),
            "text=a%2Db-,a!$'()*+./:;=?@_~z,x%2Cy,-p%26q"
        );
    }

    #[test]
    fn an_ambiguous_passage_gets_the_context_that_tells_it_apart() {
        // "officials said" occurs twice; the second is told apart by what precedes it.
        assert_eq!(
            directive_after(ARTICLE, "officials said", "open").as_deref(),
            Some("text=open%2C-,officials%20said")
        );
        // The first needs no context, but is short: a little context all the same.
        assert_eq!(
            directive(ARTICLE, "officials said").as_deref(),
            Some("text=talks%2C-,officials%20said")
        );
    }

    #[test]
    fn a_suffix_tells_apart_what_a_prefix_cannot() {
        let text = "They said no to them. They said no again.";
        assert_eq!(
            directive_after(text, "said no", "them.").as_deref(),
            Some("text=said%20no,-again.")
        );
    }

    #[test]
    fn matching_ignores_case_and_accents_like_a_browser() {
        // "eighteen cases" first matches the upper-case line, so it needs a prefix.
        let text = "EIGHTEEN CASES. Café au lait.\nThe other eighteen cases remain.";
        assert_eq!(
            directive_after(text, "eighteen cases", "other").as_deref(),
            Some("text=other-,eighteen%20cases")
        );
        let text = "Cafe. The café opened today.";
        assert_eq!(
            directive(text, "The café opened today").as_deref(),
            Some("text=The%20caf%C3%A9%20opened%20today")
        );
        assert_eq!(
            directive_after(text, "café", "The").as_deref(),
            Some("text=The-,caf%C3%A9")
        );
    }

    #[test]
    fn word_boundaries_follow_uax29() {
        // "children" ends inside the word "children's" (UAX #29 keeps it whole): the
        // browser only matches it there with a suffix, which lifts the end boundary.
        let text = "The children's home was closed.";
        assert_eq!(
            directive(text, "children").as_deref(),
            Some("text=children,-'s")
        );
        // "19" inside "19,000" is no word either.
        let text = "Ukraine says 19,000 children were taken.";
        assert_eq!(directive(text, "19").as_deref(), Some("text=19,-%2C000"));
    }

    #[test]
    fn a_passage_across_lines_is_a_range_between_its_first_and_last_words() {
        let text =
            "Intro line here.\nThe talks went on for months and\nended in August with a deal.\n";
        assert_eq!(
            directive(text, "The talks went on for months and\nended in August").as_deref(),
            Some("text=The%20talks%20went,ended%20in%20August")
        );
        // The end term holds only words of the last line; three words get context.
        assert_eq!(
            directive(text, "months and\nended").as_deref(),
            Some("text=for-,months%20and,ended")
        );
    }

    #[test]
    fn a_long_passage_is_a_range() {
        let sentence = "word ".repeat(70) + "final words here";
        let text = format!("Start of it all {sentence} and more.");
        assert_eq!(
            directive(&text, &format!("Start of it all {sentence}")).as_deref(),
            Some("text=Start%20of%20it,final%20words%20here")
        );
        // When the end words repeat inside the passage, longer ends (or the whole
        // passage) are tried until the search selects the passage.
        let body = "the end ".repeat(40);
        let text = format!("Begin here now {body}tail.");
        let passage = format!("Begin here now {}", body.trim_end());
        let found = directive(&text, &passage).unwrap();
        assert!(found.starts_with("text=Begin%20here%20now"), "{found}");
    }

    #[test]
    fn an_elided_quote_spans_its_fragments() {
        let text = "Eight children, she said, were reunited with their families.";
        let first = 0..text.find(',').unwrap();
        let second_start = text.find("were").unwrap();
        let second = second_start..second_start + "were reunited".len();
        let d = text_directive(text, &[first, second]).unwrap();
        assert_eq!(d.start, "Eight children, she said, were reunited");
        assert_eq!(d.end, None);
    }

    #[test]
    fn a_passage_repeated_word_for_word_has_no_directive() {
        // Same words, same surroundings: nothing selects the second occurrence.
        let line = "a b c d e f g h i j k l m n o p q r s";
        let text = format!("{line}\n{line}");
        assert_eq!(directive_after(&text, "h i j", "s\n"), None);
    }

    #[test]
    fn bad_ranges_give_no_directive_and_no_panic() {
        let one =
            |text: &str, range: Range<usize>| text_directive(text, std::slice::from_ref(&range));
        let text = "Zürich is here.";
        assert_eq!(text_directive(text, &[]), None);
        assert_eq!(one(text, 2..2), None);
        assert_eq!(one(text, 2..3), None); // inside `ü`
        assert_eq!(one(text, 5..500), None);
        assert_eq!(one(text, Range { start: 9, end: 3 }), None);
        assert_eq!(one("   ", 0..3), None);
    }

    #[test]
    fn deep_links_keep_an_element_id_and_replace_an_old_directive() {
        let d = TextDirective {
            prefix: None,
            start: "a-b".to_string(),
            end: None,
            suffix: None,
        };
        assert_eq!(
            deep_link("https://x.org/a", &d),
            "https://x.org/a#:~:text=a%2Db"
        );
        assert_eq!(
            deep_link("https://x.org/a#sec", &d),
            "https://x.org/a#sec:~:text=a%2Db"
        );
        assert_eq!(
            deep_link("https://x.org/a#sec:~:text=old", &d),
            "https://x.org/a#sec:~:text=a%2Db"
        );
    }

    /// Every directive built for passages of real articles (the bundled sources: runs of
    /// 1 to 40 words, within and across lines) selects exactly its passage, and nearly
    /// every passage gets one.
    #[test]
    fn directives_select_their_passages_in_real_articles() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/sources");
        let (mut tried, mut built) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let searchable = Searchable::new(&text);
            let words: Vec<(usize, &str)> = text
                .split_word_bound_indices()
                .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
                .collect();
            for length in [1, 2, 3, 5, 12, 40] {
                for first in (0..words.len().saturating_sub(length)).step_by(7) {
                    let (start, _) = words[first];
                    let (last, word) = words[first + length - 1];
                    let range = start..last + word.len();
                    tried += 1;
                    let Some(d) = searchable.directive(std::slice::from_ref(&range)) else {
                        continue;
                    };
                    built += 1;
                    assert_eq!(searchable.selected_by(&d), Some(range), "{d} in {path:?}");
                }
            }
        }
        assert!(tried > 500, "{tried} passages tried");
        assert!(
            built * 100 >= tried * 95,
            "{built} directives for {tried} passages"
        );
    }

    #[test]
    fn the_simulated_search_follows_the_spec() {
        let text = "this is an example text fragment. here is an example text.";
        let s = Searchable::new(text);
        let at = |needle: &str| text.find(needle).unwrap();
        let find = |prefix, start, end, suffix| {
            s.find(&Query {
                prefix,
                start,
                end,
                suffix,
            })
        };
        // The spec's example: `this is-,an example,-text fragment` selects the first.
        let first = at("an example")..at("an example") + "an example".len();
        let found = find(Some("this is"), "an example", None, Some("text fragment"));
        assert_eq!(found, Some(first.clone()));
        // ... and `here is-,an example` the second.
        let second = text.rfind("an example").unwrap();
        let found = find(Some("here is"), "an example", None, None);
        assert_eq!(found, Some(second..second + "an example".len()));
        // `an example,text` runs from the first "an example" to the next "text".
        let found = find(None, "an example", Some("text"), None);
        assert_eq!(found, Some(first.start..at("text") + 4));
        // A prefix that never precedes the start selects nothing.
        assert_eq!(find(Some("fragment."), "an example", None, None), None);
        // "ample" does not start on a word boundary.
        assert_eq!(find(None, "ample", None, None), None);
        // A suffix may end a word in the middle of... nothing: it must end on one.
        assert_eq!(find(None, "an example", None, Some("tex")), None);
    }
}
