//! Checking the loaded site against its sources: every quote is found in its source
//! (anchored at its first occurrence, mapped back to offsets in the original text),
//! every cited source exists, claim ids are unique, and each claim gets its status.
//! Problems become diagnostics; what verified becomes the `VerifiedSite` that `render`
//! shows.

pub mod closest;
pub mod normalize;
pub mod quote;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, DiffWord, closest_name};
use crate::model::{
    Citation, Claim, ClaimId, RelPath, Review, Site, SiteConfig, Slug, Source, SourceId, Span,
    Stance, Status,
};
use normalize::NormalizedText;
use quote::{MatchFailure, Quote, QuoteMatch, QuoteProblem};

/// Where a verified quote sits in its source's original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// Byte range of the whole passage (first fragment to last) in the original text.
    pub bytes: Range<usize>,
    /// The same range in characters (Unicode scalar values), end exclusive.
    pub chars: Range<usize>,
    /// 1-based line of the passage's first character.
    pub line: usize,
    /// Byte ranges of the quoted fragments (one unless the quote elides words).
    pub fragments: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCitation {
    pub source: SourceId,
    pub quote: String,
    pub stance: Stance,
    pub note: Option<String>,
    pub anchor: Anchor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedClaim {
    pub id: ClaimId,
    pub statement: String,
    pub note: Option<String>,
    pub status: Status,
    pub citations: Vec<VerifiedCitation>,
    pub review: Review,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTopic {
    pub slug: Slug,
    pub file: RelPath,
    pub title: String,
    pub summary: Option<String>,
    pub claims: Vec<VerifiedClaim>,
    pub review: Review,
}

/// The site with every quote anchored in its source: what `render` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSite {
    pub config: SiteConfig,
    pub sources: Vec<Source>,
    pub topics: Vec<VerifiedTopic>,
}

impl VerifiedSite {
    pub fn claim_count(&self) -> usize {
        self.topics.iter().map(|topic| topic.claims.len()).sum()
    }

    pub fn citation_count(&self) -> usize {
        self.topics
            .iter()
            .flat_map(|topic| &topic.claims)
            .map(|claim| claim.citations.len())
            .sum()
    }
}

/// The outcome of verification: the verified part of the site and every problem.
#[derive(Debug)]
pub struct Verified {
    pub site: VerifiedSite,
    pub diagnostics: Diagnostics,
}

/// Words whose elision can invert a passage's meaning.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "without", "cannot",
];

/// Verifies every citation of `site` against the sources.
pub fn verify(site: Site) -> Verified {
    let normalized: HashMap<&SourceId, NormalizedText> = site
        .sources
        .iter()
        .map(|source| (&source.id, NormalizedText::new(&source.text)))
        .collect();
    let mut checker = Checker {
        site: &site,
        normalized: &normalized,
        diagnostics: Diagnostics::default(),
        cited: BTreeSet::new(),
    };
    checker.check_unique_claim_ids();
    let topics: Vec<VerifiedTopic> = site
        .topics
        .iter()
        .map(|topic| VerifiedTopic {
            slug: topic.slug.clone(),
            file: topic.file.clone(),
            title: topic.title.clone(),
            summary: topic.summary.clone(),
            claims: topic
                .claims
                .iter()
                .map(|claim| checker.claim(claim))
                .collect(),
            review: topic.review.clone(),
        })
        .collect();
    checker.warn_unused_sources();
    let diagnostics = checker.diagnostics;
    drop(normalized);
    Verified {
        site: VerifiedSite {
            config: site.config,
            sources: site.sources,
            topics,
        },
        diagnostics,
    }
}

struct Checker<'a> {
    site: &'a Site,
    normalized: &'a HashMap<&'a SourceId, NormalizedText>,
    diagnostics: Diagnostics,
    cited: BTreeSet<&'a str>,
}

impl<'a> Checker<'a> {
    fn check_unique_claim_ids(&mut self) {
        let mut first_seen: HashMap<&ClaimId, &Span> = HashMap::new();
        for claim in self.site.topics.iter().flat_map(|topic| &topic.claims) {
            match first_seen.get(&claim.id.value) {
                Some(first) => self.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateClaimId,
                        format!(
                            "the claim id `{}` is used twice (first at {first})",
                            claim.id.value
                        ),
                    )
                    .at(claim.id.span.clone())
                    .label("used again here")
                    .related((*first).clone(), "first used here")
                    .claim(&claim.id.value)
                    .help("claim ids are unique across the whole site: rename one of them"),
                ),
                None => {
                    first_seen.insert(&claim.id.value, &claim.id.span);
                }
            }
        }
    }

    fn claim(&mut self, claim: &'a Claim) -> VerifiedClaim {
        let citations: Vec<VerifiedCitation> = claim
            .citations
            .iter()
            .filter_map(|citation| self.citation(claim, citation))
            .collect();
        self.warn_duplicate_citations(claim, &citations);
        if claim.citations.iter().all(|c| c.stance == Stance::Context) {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::ContextOnlyClaim,
                    format!("claim `{}` has only `context` citations, so nothing supports or contradicts it", claim.id.value),
                )
                .at(claim.id.span.clone())
                .claim(&claim.id.value)
                .help("cite a passage that supports or contradicts the statement, or rephrase it as context"),
            );
        }
        VerifiedClaim {
            id: claim.id.value.clone(),
            statement: claim.statement.clone(),
            note: claim.note.clone(),
            status: status_of(&claim.citations),
            citations,
            review: claim.review.clone(),
        }
    }

    fn citation(&mut self, claim: &Claim, citation: &'a Citation) -> Option<VerifiedCitation> {
        let source_id = citation.source.value.trim();
        self.cited.insert(source_id);
        let Some(source) = self.site.source(source_id) else {
            self.unknown_source(claim, citation);
            return None;
        };
        let quote = match Quote::parse(&citation.quote.value) {
            Ok(quote) => quote,
            Err(problem) => {
                self.bad_quote(claim, citation, problem);
                return None;
            }
        };
        let normalized = &self.normalized[&source.id];
        // One search gives the anchor (the first match) and how many there are; the
        // first-match search runs again only to explain a failure.
        let mut matches = quote::find_all(normalized, &quote).into_iter();
        let anchored = match matches.next() {
            Some(first) => Ok(first),
            None => quote::find_first(normalized, &quote),
        };
        match anchored {
            Ok(found) => {
                self.warn_ambiguous(claim, citation, source, 1 + matches.len());
                self.warn_elided_negation(claim, citation, normalized, &found);
                Some(VerifiedCitation {
                    source: source.id.clone(),
                    quote: citation.quote.value.clone(),
                    stance: citation.stance,
                    note: citation.note.clone(),
                    anchor: anchor_in(&source.text, normalized, &found),
                })
            }
            Err(failure) => {
                self.quote_failed(claim, citation, source, &quote, failure);
                None
            }
        }
    }

    fn unknown_source(&mut self, claim: &Claim, citation: &Citation) {
        let ids = self.site.sources.iter().map(|s| s.id.as_str());
        let help = match closest_name(citation.source.value.trim(), ids) {
            Some(id) => format!("did you mean `{id}`?"),
            None => {
                "a citation's source is the file name of a text in content/sources/, without `.txt`"
                    .to_string()
            }
        };
        self.diagnostics.push(
            Diagnostic::error(
                Code::UnknownSource,
                format!(
                    "claim `{}` cites an unknown source `{}`",
                    claim.id.value, citation.source.value
                ),
            )
            .at(citation.source.span.clone())
            .label("no such source")
            .claim(&claim.id.value)
            .source(citation.source.value.trim())
            .help(help),
        );
    }

    fn bad_quote(&mut self, claim: &Claim, citation: &Citation, problem: QuoteProblem) {
        let (code, message, help) = match problem {
            QuoteProblem::Empty => (
                Code::EmptyQuote,
                "the quote is empty",
                "copy the passage of the source that the claim relies on",
            ),
            QuoteProblem::OnlyEllipsis => (
                Code::EllipsisOnlyQuote,
                "the quote is only an ellipsis",
                "an ellipsis elides words between quoted fragments; quote the words themselves",
            ),
        };
        self.diagnostics.push(
            Diagnostic::error(code, format!("claim `{}`: {message}", claim.id.value))
                .at(citation.quote.span.clone())
                .label("no words to find")
                .claim(&claim.id.value)
                .source(citation.source.value.trim())
                .help(help),
        );
    }

    fn quote_failed(
        &mut self,
        claim: &Claim,
        citation: &Citation,
        source: &Source,
        quote: &Quote,
        failure: MatchFailure,
    ) {
        let normalized = &self.normalized[&source.id];
        let base = |code, message: String| {
            Diagnostic::error(code, message)
                .at(citation.quote.span.clone())
                .claim(&claim.id.value)
                .source(&source.id)
        };
        let diagnostic = match failure {
            MatchFailure::NotFound => self.not_found(base(
                Code::QuoteNotFound,
                format!("claim `{}`: the quote is not in source `{}`", claim.id.value, source.id),
            ), source, normalized, quote),
            MatchFailure::OnlyInsideWord { at } => base(
                Code::QuoteInsideWord,
                format!("claim `{}`: the quote occurs in source `{}` only inside a longer word", claim.id.value, source.id),
            )
            .label("matches only part of a word")
            .suggestion(word_around(normalized.as_str(), at))
            .help("a quote must start and end on whole words: quote the full word"),
            MatchFailure::OutOfOrder => base(
                Code::QuoteFragmentsOutOfOrder,
                format!("claim `{}`: the parts of the quote around `...` occur in source `{}`, but not in this order", claim.id.value, source.id),
            )
            .label("fragments out of order")
            .help("an ellipsis only elides words: keep the fragments in the order the source has them"),
            MatchFailure::TooFarApart => base(
                Code::QuoteFragmentsTooFarApart,
                format!("claim `{}`: the parts of the quote around `...` are more than 1,000 characters apart in source `{}`", claim.id.value, source.id),
            )
            .label("fragments too far apart")
            .help("quote the passages separately, as two citations"),
        };
        self.diagnostics.push(diagnostic);
    }

    /// A quote that is not in its source: the closest passage, the word diff, and any other
    /// source that has the quote word for word.
    fn not_found(
        &self,
        diagnostic: Diagnostic,
        source: &Source,
        normalized: &NormalizedText,
        quote: &Quote,
    ) -> Diagnostic {
        let mut diagnostic = diagnostic.label("not found in the source");
        let elsewhere: Vec<&str> = self
            .site
            .sources
            .iter()
            .filter(|other| other.id != source.id)
            .filter(|other| quote::find_first(&self.normalized[&other.id], quote).is_ok())
            .map(|other| other.id.as_str())
            .collect();
        if let Some(range) = closest::closest_passage(normalized, quote) {
            let passage = &normalized.as_str()[range];
            let diff = closest::word_diff(quote.normalized(), passage)
                .into_iter()
                .map(|word| match word {
                    closest::WordDiff::Same(w) => DiffWord::Same(w.to_string()),
                    closest::WordDiff::Removed(w) => DiffWord::Removed(w.to_string()),
                    closest::WordDiff::Added(w) => DiffWord::Added(w.to_string()),
                })
                .collect();
            diagnostic = diagnostic.suggestion(passage.to_string()).diff(diff);
        }
        let help = match elsewhere.as_slice() {
            [] => "copy the passage exactly as the source has it (case and words must match)"
                .to_string(),
            ids => {
                if diagnostic.suggestion.is_none() {
                    diagnostic =
                        diagnostic.suggestion(format!("the quote occurs in {}", quoted_list(ids)));
                }
                format!(
                    "the quote occurs word for word in {}: is the citation's source right?",
                    quoted_list(ids)
                )
            }
        };
        diagnostic.help(help)
    }

    fn warn_ambiguous(
        &mut self,
        claim: &Claim,
        citation: &Citation,
        source: &Source,
        count: usize,
    ) {
        if count > 1 {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::AmbiguousQuote,
                    format!("claim `{}`: the quote occurs {count} times in source `{}`; it is anchored at the first", claim.id.value, source.id),
                )
                .at(citation.quote.span.clone())
                .label("occurs more than once")
                .claim(&claim.id.value)
                .source(&source.id)
                .help("quote a few more words to pick the passage you mean"),
            );
        }
    }

    fn warn_elided_negation(
        &mut self,
        claim: &Claim,
        citation: &Citation,
        normalized: &NormalizedText,
        found: &QuoteMatch,
    ) {
        let text = normalized.as_str();
        let elided = found
            .fragments
            .windows(2)
            .filter_map(|pair| text.get(pair[0].end..pair[1].start))
            .find_map(negation_in);
        if let Some(word) = elided {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::ElidedNegation,
                    format!("claim `{}`: the ellipsis leaves out `{word}`, which can invert the passage's meaning", claim.id.value),
                )
                .at(citation.quote.span.clone())
                .label("elides a negation")
                .claim(&claim.id.value)
                .source(citation.source.value.trim())
                .help("check that the quote still says what the source says, or quote the passage whole"),
            );
        }
    }

    fn warn_duplicate_citations(&mut self, claim: &Claim, citations: &[VerifiedCitation]) {
        let mut seen = BTreeSet::new();
        for (citation, written) in citations.iter().zip(
            claim
                .citations
                .iter()
                .filter(|c| self.site.source(c.source.value.trim()).is_some()),
        ) {
            if !seen.insert((
                &citation.source,
                citation.anchor.bytes.start,
                citation.anchor.bytes.end,
            )) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::DuplicateCitation,
                        format!(
                            "claim `{}` cites the same passage of `{}` twice",
                            claim.id.value, citation.source
                        ),
                    )
                    .at(written.quote.span.clone())
                    .label("cited again")
                    .claim(&claim.id.value)
                    .source(&citation.source)
                    .help("remove one of the two citations"),
                );
            }
        }
    }

    fn warn_unused_sources(&mut self) {
        for source in &self.site.sources {
            if !self.cited.contains(source.id.as_str()) {
                self.diagnostics.push(
                    Diagnostic::warning(Code::UnusedSource, format!("no claim cites the source `{}`", source.id))
                        .at(Span::file_start(source.file.clone()))
                        .source(&source.id)
                        .help(format!("cite it from a claim (`factsheet find PHRASE` gives ready-made citations), or remove `{}`", source.file)),
                );
            }
        }
    }
}

/// The claim's status from the distinct sources supporting and contradicting it.
pub fn status_of(citations: &[Citation]) -> Status {
    let distinct = |stance: Stance| {
        citations
            .iter()
            .filter(|c| c.stance == stance)
            .map(|c| c.source.value.trim())
            .collect::<BTreeSet<_>>()
            .len()
    };
    Status::from_counts(distinct(Stance::Supports), distinct(Stance::Contradicts))
}

/// The anchor of a match in the original text.
fn anchor_in(original: &str, normalized: &NormalizedText, found: &QuoteMatch) -> Anchor {
    let bytes = normalized.original_range(found.range.clone());
    let chars_before = original[..bytes.start].chars().count();
    let chars_within = original[bytes.clone()].chars().count();
    Anchor {
        line: original[..bytes.start].matches('\n').count() + 1,
        chars: chars_before..chars_before + chars_within,
        fragments: found
            .fragments
            .iter()
            .map(|fragment| normalized.original_range(fragment.clone()))
            .collect(),
        bytes,
    }
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

fn quoted_list(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A tiny deterministic generator for the randomised tests (no extra crate needed).
#[cfg(test)]
pub(crate) struct XorShift(pub u64);

#[cfg(test)]
impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
