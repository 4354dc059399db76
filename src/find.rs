//! `factsheet find`: where a phrase occurs across the sources, under the same
//! normalisation as quote verification, with a ready-to-paste citation for each place;
//! when it occurs nowhere, the closest passages. Sources are searched on every core,
//! the places listed in source order.

use rayon::prelude::*;

use crate::diagnostics::render::terminal::acts_on_terminal;
use crate::model::{Site, Source};
use crate::verify::closest::closest_passage;
use crate::verify::normalize::NormalizedText;
use crate::verify::quote::{self, Quote};

/// How many characters of context to show on each side of a match.
const CONTEXT_CHARS: usize = 60;

/// One place a phrase occurs (or, for near misses, the closest passage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub source: String,
    pub file: String,
    /// 1-based line of the passage's start.
    pub line: usize,
    pub before: String,
    /// The passage exactly as the source has it, white space folded.
    pub passage: String,
    pub after: String,
    /// A quote that anchors at exactly this place: the passage, widened by a few words
    /// when it also occurs earlier in the source (a quote anchors at its first occurrence).
    pub quote: String,
}

/// What `find` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Exact(Vec<Place>),
    /// Nothing matched exactly: the closest passage of each source, best first.
    Closest(Vec<Place>),
    /// The phrase has no words to look for.
    EmptyPhrase,
}

/// Looks `phrase` up in every source of `site`.
pub fn find(site: &Site, phrase: &str) -> Found {
    let Ok(quote) = Quote::parse(phrase) else {
        return Found::EmptyPhrase;
    };
    let normalized: Vec<(&Source, NormalizedText)> = site
        .sources
        .par_iter()
        .map(|source| (source, NormalizedText::new(&source.text)))
        .collect();
    let exact: Vec<Place> = normalized
        .par_iter()
        .flat_map_iter(|(source, text)| {
            quote::find_all(text, &quote)
                .into_iter()
                .map(|found| place(source, text, found.range, Some(&quote)))
        })
        .collect();
    if !exact.is_empty() {
        return Found::Exact(exact);
    }
    let mut closest: Vec<(usize, Place)> = normalized
        .par_iter()
        .filter_map(|(source, text)| {
            let range = closest_passage(text, &quote)?;
            let place = place(source, text, range, None);
            let distance = strsim::levenshtein(
                &place.passage.to_lowercase(),
                &quote.normalized().to_lowercase(),
            );
            Some((distance, place))
        })
        .collect();
    closest.sort_by_key(|(distance, _)| *distance);
    Found::Closest(
        closest
            .into_iter()
            .take(3)
            .map(|(_, place)| place)
            .collect(),
    )
}

/// The place of `range` in `source`; `found` is the phrase when it matched there.
fn place(
    source: &Source,
    text: &NormalizedText,
    range: std::ops::Range<usize>,
    found: Option<&Quote>,
) -> Place {
    let original = &source.text;
    let quote = offered_quote(original, text, range.clone(), found);
    let bytes = text.original_range(range);
    Place {
        quote,
        source: source.id.to_string(),
        file: source.file.to_string(),
        line: original[..bytes.start].matches('\n').count() + 1,
        before: fold(tail_chars(&original[..bytes.start], CONTEXT_CHARS)),
        passage: fold(&original[bytes.clone()]),
        after: fold(head_chars(&original[bytes.end..], CONTEXT_CHARS)),
    }
}

/// The quote to offer for the place at the normalised `range`: the text of its narrowest
/// widening that anchors there ([`anchored_range`]), or, when none does, of `range`.
///
/// That text is the source's own words, unless they say more than the range. A character
/// NFKC expands into several (`…` into `...`) maps back whole, so a phrase matching part
/// of its expansion would get it all, which may not even be a quote (`…` alone is an
/// ellipsis); the normalised text is offered instead.
///
/// The text of a range an elided phrase matched can itself read as different ellipses
/// (fragments `..` and `]` match `....[ ... ]`, which is nothing but ellipses): when it
/// does not verify, the phrase `found`, which did, is offered.
fn offered_quote(
    original: &str,
    text: &NormalizedText,
    range: std::ops::Range<usize>,
    found: Option<&Quote>,
) -> String {
    let range = match (anchored_range(text, range.clone()), found) {
        // It anchors, so it verifies.
        (Some(anchored), _) => anchored,
        (None, Some(phrase)) if first_match(text, &text.as_str()[range.clone()]).is_none() => {
            return phrase.normalized().to_string();
        }
        (None, _) => range,
    };
    let verbatim = fold(&original[text.original_range(range.clone())]);
    let matched = &text.as_str()[range];
    match Quote::parse(&verbatim) {
        Ok(quote) if quote.normalized() == matched => verbatim,
        _ => matched.to_string(),
    }
}

/// Where `candidate`, read as a quote, anchors in `text`; `None` when it does not verify.
fn first_match(text: &NormalizedText, candidate: &str) -> Option<quote::QuoteMatch> {
    let quote = Quote::parse(candidate).ok()?;
    quote::find_first(text, &quote).ok()
}

/// The narrowest widening of `range` (by whole words, after then before; none at all
/// when `range` itself does) whose text anchors at its own start; `None` when none does.
fn anchored_range(
    text: &NormalizedText,
    range: std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    let normalized = text.as_str();
    let anchors_here = |candidate: &std::ops::Range<usize>| {
        first_match(text, &normalized[candidate.clone()])
            .is_some_and(|found| found.range.start == candidate.start)
    };
    for words in 0..=12 {
        let wider = range.start..word_end(normalized, range.end, words);
        if anchors_here(&wider) {
            return Some(wider);
        }
        let wider = word_start(normalized, range.start, words)..range.end;
        if anchors_here(&wider) {
            return Some(wider);
        }
    }
    None
}

/// The end of the `words`-th word after `from` in normalised text (words are separated by single spaces).
fn word_end(text: &str, from: usize, words: usize) -> usize {
    let mut end = from;
    for _ in 0..words {
        let rest = &text[end..];
        let skip = rest.len() - rest.trim_start().len();
        match rest[skip..].find(' ') {
            Some(space) => end += skip + space,
            None => return text.len(),
        }
    }
    end
}

/// The start of the `words`-th word before `from`.
fn word_start(text: &str, from: usize, words: usize) -> usize {
    let mut start = from;
    for _ in 0..words {
        let before = text[..start].trim_end();
        start = before.rfind(' ').map_or(0, |space| space + 1);
    }
    start
}

fn fold(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = folded;
    if text.starts_with(char::is_whitespace) {
        out.insert(0, ' ');
    }
    if text.ends_with(char::is_whitespace) && !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn tail_chars(text: &str, n: usize) -> &str {
    let start = text
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &text[start..]
}

fn head_chars(text: &str, n: usize) -> &str {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// A citation block to paste under a claim's `citations:`.
pub fn citation_yaml(place: &Place) -> String {
    format!(
        "      - source: {}\n        quote: {}\n        stance: supports\n",
        yaml_id(&place.source),
        yaml_double_quoted(&place.quote)
    )
}

/// A source id as YAML reads it back: plain, unless YAML would read it as something
/// other than that text (`2024_0815` is the number 20240815 to YAML), then quoted.
fn yaml_id(id: &str) -> String {
    if crate::load::yaml::reads_as_text(id) {
        id.to_string()
    } else {
        yaml_double_quoted(id)
    }
}

/// A YAML double-quoted scalar that reads back as `text`. Characters that act on a
/// terminal or reorder the text shown around them (controls, bidi overrides, line
/// separators) are written as escapes: the block is printed, then pasted into an editor.
pub fn yaml_double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if must_escape_in_yaml(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `c` is written as an escape in a YAML double-quoted scalar: controls and the
/// noncharacters U+FFFE and U+FFFF are not printable in YAML and refused by the parser;
/// U+2028 and U+2029 break lines in YAML 1.1 and in some editors; bidi controls reorder
/// the text shown around them in the terminal and the editor.
fn must_escape_in_yaml(c: char) -> bool {
    acts_on_terminal(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RelPath, SourceId};

    fn site(texts: &[(&str, &str)]) -> Site {
        Site {
            sources: texts
                .iter()
                .map(|(id, text)| {
                    Source::new(
                        SourceId::parse(id).unwrap(),
                        RelPath::from_slash(&format!("content/sources/{id}.txt")),
                        text.to_string(),
                        Default::default(),
                    )
                })
                .collect(),
            ..Site::default()
        }
    }

    #[test]
    fn finds_every_place_with_context_and_line() {
        let site = site(&[
            ("a", "One ‘open\nchannel’ here.\nAn open channel there."),
            ("b", "nothing"),
        ]);
        let Found::Exact(places) = find(&site, "open channel") else {
            panic!("expected matches")
        };
        assert_eq!(places.len(), 2);
        assert_eq!(
            (places[0].line, places[0].passage.as_str()),
            (1, "open channel")
        );
        assert_eq!(places[0].before, "One ‘");
        assert_eq!(places[1].line, 3);
    }

    #[test]
    fn a_later_occurrence_gets_a_quote_that_anchors_there() {
        let site = site(&[("a", "An open channel first. Then an open channel again.")]);
        let Found::Exact(places) = find(&site, "open channel") else {
            panic!()
        };
        assert_eq!(places[0].quote, "open channel");
        assert_eq!(places[1].quote, "open channel again.");
    }

    #[test]
    fn a_match_inside_an_expanded_character_offers_the_matched_text() {
        // `…` normalises to `...`: the phrase matches a third of it, and `…` itself,
        // the verbatim text, would be an ellipsis, not a quote.
        let site = site(&[("a", "Wait\u{2026} now")]);
        let Found::Exact(places) = find(&site, ".") else {
            panic!("expected matches")
        };
        let quotes: Vec<&str> = places.iter().map(|place| place.quote.as_str()).collect();
        assert_eq!(quotes, [".", "Wait..", ". now"]);
        let Found::Exact(places) = find(&site, "Wait") else {
            panic!("expected matches")
        };
        assert_eq!(places[0].quote, "Wait");
    }

    #[test]
    fn a_passage_that_reads_as_other_ellipses_offers_the_phrase() {
        // The fragments `..` and `]` match all of `....[ ... ]`, which as a quote is
        // nothing but two ellipses.
        let site = site(&[("a", "....[ \u{2026} ]")]);
        let Found::Exact(places) = find(&site, ".. \u{2026} ]") else {
            panic!("expected a match")
        };
        assert_eq!(places[0].passage, "....[ \u{2026} ]");
        assert_eq!(places[0].quote, ".. ... ]");
    }

    #[test]
    fn suggests_the_closest_passage_when_nothing_matches() {
        let site = site(&[(
            "a",
            "Eight children have been reunited with their families.",
        )]);
        let Found::Closest(places) = find(&site, "nine children have been reunited") else {
            panic!()
        };
        assert!(
            places[0].passage.contains("children have been reunited"),
            "{places:?}"
        );
    }

    #[test]
    fn citation_yaml_reads_back_as_the_passage() {
        let place = Place {
            source: "a".into(),
            file: String::new(),
            line: 1,
            before: String::new(),
            passage: String::new(),
            after: String::new(),
            quote: "she said \"yes\" \\ no".into(),
        };
        let yaml = citation_yaml(&place);
        assert!(
            yaml.contains(r#"quote: "she said \"yes\" \\ no""#),
            "{yaml}"
        );
        let hidden = "abc\u{202e}fed\u{1b}[2J\u{2028}";
        let quoted = yaml_double_quoted(hidden);
        assert_eq!(quoted, r#""abc\u202Efed\u001B[2J\u2028""#);
        let read: String = serde_saphyr::from_str(&quoted).unwrap();
        assert_eq!(read, hidden);
        assert_eq!(find(&Site::default(), " ... "), Found::EmptyPhrase);
    }

    /// Ids that YAML reads as numbers or booleans when plain are quoted; the rest stay plain.
    #[test]
    fn source_ids_read_back_as_the_same_text() {
        for (id, written) in [
            ("000_4e0fe4cb89eab73e", "000_4e0fe4cb89eab73e"),
            ("open-channel", "open-channel"),
            ("2024-08-15", "2024-08-15"),
            ("2024_0815", "\"2024_0815\""),
            ("12", "\"12\""),
            ("1e5", "\"1e5\""),
            ("0x1f", "\"0x1f\""),
            ("true", "\"true\""),
            ("no", "\"no\""),
            ("null", "\"null\""),
        ] {
            assert_eq!(yaml_id(id), written, "{id}");
            let read: crate::load::raw::Scalar = serde_saphyr::from_str(&yaml_id(id)).unwrap();
            assert_eq!(read, crate::load::raw::Scalar::Text(id.into()), "{id}");
        }
    }

    #[test]
    fn quotes_with_characters_yaml_does_not_print_read_back() {
        for quote in [
            "a\u{FFFF}b",
            "a\u{FFFE}b",
            "a\u{2028}b\u{2029}",
            "a\u{0}\u{85}\u{7F}b",
        ] {
            let written = yaml_double_quoted(quote);
            let read: String = serde_saphyr::from_str(&written).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read, quote, "{written}");
        }
    }
}
