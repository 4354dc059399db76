//! What one quote, as written, says about one source's text: where it is anchored, how
//! often it occurs and which negation its ellipsis leaves out, or why it is not there and
//! which passage comes closest. A verdict depends on those two texts only, not on the
//! claim citing them nor on the other sources, so it can be judged on any core and kept
//! between builds for as long as both texts stay the same.

use std::ops::Range;

use super::Anchor;
use super::closest;
use super::normalize::{self, NormalizedText};
use super::prepared::Prepared;
use super::quote::{self, MatchFailure, Quote, QuoteMatch, QuoteProblem};
use crate::diagnostics::DiffWord;

/// Words whose elision can invert a passage's meaning.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "without", "cannot",
];

/// The outcome of looking a quote up in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The quote has no words to look for.
    Unusable(QuoteProblem),
    Found(Found),
    Missing(Missing),
}

/// A quote that occurs in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where its first occurrence is.
    pub anchor: Anchor,
    /// How many times it occurs, without overlapping: at least one.
    pub occurrences: usize,
    /// A negation among the words the anchored occurrence's ellipses leave out.
    pub elided_negation: Option<String>,
}

/// Why a quote does not verify against its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A fragment occurs nowhere. The quote is kept to look for it in other sources.
    NotFound {
        quote: Quote,
        closest: Option<Closest>,
    },
    /// The text occurs only inside a longer word: that word.
    InsideWord {
        word: String,
    },
    OutOfOrder,
    TooFarApart,
}

/// The passage of the source nearest to a quote that is not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closest {
    /// In normalised text.
    pub passage: String,
    /// Quote against passage, word by word.
    pub diff: Vec<DiffWord>,
}

/// Looks `quote` up in the source `original`, prepared as `prepared`.
pub fn judge(original: &str, prepared: &Prepared, quote: &str) -> Verdict {
    let quote = match Quote::parse(quote) {
        Ok(quote) => quote,
        Err(problem) => return Verdict::Unusable(problem),
    };
    let normalized = prepared.normalized();
    // One search gives the anchor (the first match) and how many there are; the
    // first-match search runs again only to explain a failure.
    let mut matches = quote::find_all(normalized, &quote).into_iter();
    let anchored = match matches.next() {
        Some(first) => Ok(first),
        None => quote::find_first(normalized, &quote),
    };
    match anchored {
        Ok(found) => Verdict::Found(Found {
            anchor: prepared.anchor(original, &found),
            occurrences: 1 + matches.len(),
            elided_negation: elided_negation(normalized, &found),
        }),
        Err(failure) => Verdict::Missing(missing(normalized, quote, failure)),
    }
}

fn missing(normalized: &NormalizedText, quote: Quote, failure: MatchFailure) -> Missing {
    match failure {
        MatchFailure::NotFound => Missing::NotFound {
            closest: closest(normalized, &quote),
            quote,
        },
        MatchFailure::OnlyInsideWord { at } => Missing::InsideWord {
            word: word_around(normalized.as_str(), at),
        },
        MatchFailure::OutOfOrder => Missing::OutOfOrder,
        MatchFailure::TooFarApart => Missing::TooFarApart,
    }
}

fn closest(normalized: &NormalizedText, quote: &Quote) -> Option<Closest> {
    let range = closest::closest_passage(normalized, quote)?;
    let passage = &normalized.as_str()[range];
    let diff = closest::word_diff(quote.normalized(), passage)
        .into_iter()
        .map(|word| match word {
            closest::WordDiff::Same(w) => DiffWord::Same(w.to_string()),
            closest::WordDiff::Removed(w) => DiffWord::Removed(w.to_string()),
            closest::WordDiff::Added(w) => DiffWord::Added(w.to_string()),
        })
        .collect();
    Some(Closest {
        passage: passage.to_string(),
        diff,
    })
}

fn elided_negation(normalized: &NormalizedText, found: &QuoteMatch) -> Option<String> {
    let text = normalized.as_str();
    found
        .fragments
        .windows(2)
        .filter_map(|pair| text.get(pair[0].end..pair[1].start))
        .find_map(negation_in)
}

/// The whole word(s) around a partial-word match, for "did you mean".
fn word_around(text: &str, at: Range<usize>) -> String {
    let start = text[..at.start]
        .rfind(|c: char| !normalize::is_word_char(c))
        .map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
    let end = text[at.end..]
        .find(|c: char| !normalize::is_word_char(c))
        .map_or(text.len(), |i| at.end + i);
    text[start..end].to_string()
}

fn negation_in(elided: &str) -> Option<String> {
    elided
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .find(|word| {
            let lower = word.to_lowercase();
            NEGATIONS.contains(&lower.as_str()) || lower.ends_with("n't")
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(source: &str, quote: &str) -> Verdict {
        judge(source, &Prepared::new(source), quote)
    }

    #[test]
    fn negations_are_found_in_elided_text() {
        assert_eq!(negation_in(" has not yet "), Some("not".to_string()));
        assert_eq!(negation_in(" didn't "), Some("didn't".to_string()));
        assert_eq!(negation_in(" notably "), None);
    }

    #[test]
    fn whole_word_around_a_partial_match() {
        let text = "about eighteen children";
        let at = text.find("eight").unwrap();
        assert_eq!(word_around(text, at..at + 5), "eighteen");
    }

    #[test]
    fn a_found_quote_has_its_anchor_count_and_elided_negation() {
        let source = "She said no. He said it was not over. It was over.";
        let Verdict::Found(found) = judged(source, "it was ... over") else {
            panic!("the quote is in the source");
        };
        assert_eq!(&source[found.anchor.bytes.clone()], "it was not over");
        assert_eq!(found.occurrences, 1);
        assert_eq!(found.elided_negation.as_deref(), Some("not"));
        let Verdict::Found(found) = judged(source, "said") else {
            panic!("the quote is in the source");
        };
        assert_eq!(found.occurrences, 2);
    }

    #[test]
    fn a_missing_quote_says_why() {
        let source = "about eighteen children were reunited";
        assert_eq!(
            judged(source, "eight"),
            Verdict::Missing(Missing::InsideWord {
                word: "eighteen".to_string()
            })
        );
        let Verdict::Missing(Missing::NotFound { closest, .. }) =
            judged(source, "eighteen kids were reunited")
        else {
            panic!("the quote is not in the source");
        };
        assert_eq!(
            closest.map(|c| c.passage).as_deref(),
            Some("eighteen children were reunited")
        );
        assert_eq!(
            judged(source, " ... "),
            Verdict::Unusable(QuoteProblem::OnlyEllipsis)
        );
    }
}
