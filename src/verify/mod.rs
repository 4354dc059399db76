//! Checking the loaded site against its sources: every quote is found in its source
//! (anchored at its first occurrence, mapped back to offsets in the original text),
//! every cited source exists, claim ids are unique, and each claim gets its status.
//! Problems become diagnostics; what verified becomes the `VerifiedSite` that `render`
//! shows.

pub mod cache;
pub mod closest;
pub mod normalize;
pub mod prepared;
pub mod quote;
pub mod verdict;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, closest_name};
use crate::model::{
    Citation, Claim, ClaimId, Located, RelPath, Review, Site, SiteConfig, Slug, Source, SourceId,
    Span, Stance, Status, Topic,
};
pub use cache::{Cache, Work};
use cache::{Entry, Judged, News};
use prepared::Prepared;
use quote::{Quote, QuoteProblem};
use verdict::{Closest, Missing, Verdict};

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
    /// Shared: `serve` reuses the verified form of a topic that did not change.
    pub topics: Vec<Arc<VerifiedTopic>>,
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

/// Verifies every citation of `site` against the sources.
pub fn verify(site: Site) -> Verified {
    run(site, None)
}

/// [`verify`], reusing what `cache` kept of earlier runs (for the sources whose text is
/// the same, their preparation and the verdicts on their quotes), and keeping what this
/// run prepared and judged. The result is the same as [`verify`]'s.
pub fn verify_cached(site: Site, cache: &mut Cache) -> Verified {
    run(site, Some(cache))
}

fn run(site: Site, cache: Option<&mut Cache>) -> Verified {
    let Site {
        config,
        sources,
        unloadable_sources,
        topics,
    } = site;
    let checked = check(&sources, &unloadable_sources, topics, cache.as_deref());
    if let (Some(cache), Some(news)) = (cache, checked.news) {
        cache.update(&sources, &unloadable_sources, news);
    }
    Verified {
        site: VerifiedSite {
            config,
            sources,
            topics: checked.topics,
        },
        diagnostics: checked.diagnostics,
    }
}

/// What checking the topics found, and what is new for the cache (when there is one).
struct Checked {
    topics: Vec<Arc<VerifiedTopic>>,
    diagnostics: Diagnostics,
    news: Option<News>,
}

/// Checks every claim of `topics` against `sources`, with what `previous` kept.
fn check(
    sources: &[Source],
    unloadable: &BTreeSet<String>,
    topics: Vec<Arc<Topic>>,
    previous: Option<&Cache>,
) -> Checked {
    // A topic verifies as it did last time when it is the very topic checked then and
    // no source changed: its verdicts, diagnostics and citations are taken as they are.
    let reusable = previous.filter(|cache| cache.same_sources(sources, unloadable));
    let cached: Vec<Option<&Entry>> = sources
        .iter()
        .map(|source| previous.and_then(|cache| cache.get(source)))
        .collect();
    let prepared: Vec<Arc<Prepared>> = sources
        .par_iter()
        .zip(&cached)
        .map(|(source, cached)| match cached {
            Some(cached) => cached.prepared(),
            None => Arc::new(Prepared::new(&source.text)),
        })
        .collect();
    let checker = Checker {
        sources,
        by_id: sources
            .iter()
            .enumerate()
            .map(|(index, source)| (source.id.as_str(), index))
            .collect(),
        unloadable,
        prepared: &prepared,
        cached: &cached,
        keeping: previous.is_some(),
    };
    // Unique ids are checked across the whole site before the claims are checked one by
    // one (and taken apart into what they verify to).
    let mut diagnostics = checker.unique_claim_ids(&topics);
    let checked: Vec<(Option<Arc<Topic>>, TopicCheck)> = topics
        .into_par_iter()
        .map(|topic| {
            if let Some(reused) = reusable.and_then(|cache| cache.topic(&topic)) {
                return (Some(topic), reused);
            }
            // Without a cache the topic is not shared, and its claims move rather than copy.
            let keep = previous.is_some().then(|| Arc::clone(&topic));
            (keep, checker.topic(Arc::unwrap_or_clone(topic)))
        })
        .collect();
    let mut judged = Vec::new();
    // How many citations name each source (a citation of an unknown source names none).
    let mut citations = vec![0; sources.len()];
    let mut verified = Vec::with_capacity(checked.len());
    let mut kept = Vec::new();
    for (topic, mut check) in checked {
        judged.append(&mut check.judged);
        for &index in &check.cited {
            citations[index] += 1;
        }
        verified.push(Arc::clone(&check.verified));
        match topic {
            Some(topic) => {
                diagnostics.extend(check.diagnostics.clone());
                kept.push(check.kept(topic));
            }
            None => diagnostics.extend(check.diagnostics),
        }
    }
    diagnostics.extend(checker.unused_sources(&citations));
    let news = previous.is_some().then(|| News {
        prepared: cached
            .iter()
            .zip(prepared)
            .map(|(cached, prepared)| cached.is_none().then_some(prepared))
            .collect(),
        judged,
        citations,
        topics: kept,
    });
    Checked {
        topics: verified,
        diagnostics,
        news,
    }
}

/// What checking one topic found.
struct TopicCheck {
    verified: Arc<VerifiedTopic>,
    /// Its claims' diagnostics, in order.
    diagnostics: Diagnostics,
    /// The verdicts judged now, for the cache (when there is one).
    judged: Vec<Judged>,
    /// The sources its citations name, by index, once per citation.
    cited: Vec<usize>,
}

impl TopicCheck {
    /// What the cache keeps of this check of `topic` (its verdicts are kept by source).
    fn kept(self, topic: Arc<Topic>) -> cache::KeptTopic {
        cache::KeptTopic {
            topic,
            verified: self.verified,
            diagnostics: self.diagnostics,
            cited: self.cited,
        }
    }
}

/// A topic without its claims, which are checked on their own.
struct TopicHeader {
    slug: Slug,
    file: RelPath,
    title: String,
    summary: Option<String>,
    review: Review,
}

impl TopicHeader {
    fn split(topic: Topic) -> (TopicHeader, Vec<Claim>) {
        let header = TopicHeader {
            slug: topic.slug,
            file: topic.file,
            title: topic.title,
            summary: topic.summary,
            review: topic.review,
        };
        (header, topic.claims)
    }

    fn with_claims(self, claims: Vec<VerifiedClaim>) -> VerifiedTopic {
        VerifiedTopic {
            slug: self.slug,
            file: self.file,
            title: self.title,
            summary: self.summary,
            claims,
            review: self.review,
        }
    }
}

/// What checking one claim found.
struct ClaimCheck {
    verified: VerifiedClaim,
    diagnostics: Diagnostics,
    /// The verdicts judged now, for the cache (when there is one).
    judged: Vec<Judged>,
    /// The sources its citations name, by index.
    cited: Vec<usize>,
}

/// Checks claims against the prepared sources; shared by every core.
struct Checker<'a> {
    sources: &'a [Source],
    /// Source ids to their index in `sources` (and in the two lists below).
    by_id: HashMap<&'a str, usize>,
    /// Sources whose files could not be loaded (see [`Site::unloadable_sources`]).
    unloadable: &'a BTreeSet<String>,
    prepared: &'a [Arc<Prepared>],
    /// What the cache holds about each source, if its text is the same.
    cached: &'a [Option<&'a Entry>],
    /// Whether there is a cache to keep new verdicts in.
    keeping: bool,
}

impl Checker<'_> {
    /// Checks every claim of `topic`, on every core.
    fn topic(&self, topic: Topic) -> TopicCheck {
        let (header, claims) = TopicHeader::split(topic);
        let claims: Vec<ClaimCheck> = claims
            .into_par_iter()
            .map(|claim| self.claim(claim))
            .collect();
        let mut diagnostics = Diagnostics::default();
        let (mut judged, mut cited) = (Vec::new(), Vec::new());
        let mut verified = Vec::with_capacity(claims.len());
        for claim in claims {
            diagnostics.extend(claim.diagnostics);
            judged.extend(claim.judged);
            cited.extend(claim.cited);
            verified.push(claim.verified);
        }
        TopicCheck {
            verified: Arc::new(header.with_claims(verified)),
            diagnostics,
            judged,
            cited,
        }
    }

    fn unique_claim_ids(&self, topics: &[Arc<Topic>]) -> Diagnostics {
        let mut diagnostics = Diagnostics::default();
        let mut first_seen: HashMap<&ClaimId, &Span> = HashMap::new();
        for claim in topics.iter().flat_map(|topic| &topic.claims) {
            match first_seen.get(&claim.id.value) {
                Some(first) => diagnostics.push(
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
        diagnostics
    }

    /// The sources no citation names.
    fn unused_sources(&self, citations: &[usize]) -> Diagnostics {
        self.sources
            .iter()
            .zip(citations)
            .filter(|(_, citations)| **citations == 0)
            .map(|(source, _)| {
                Diagnostic::warning(Code::UnusedSource, format!("no claim cites the source `{}`", source.id))
                    .at(Span::file_start(source.file.clone()))
                    .source(&source.id)
                    .help(format!("cite it from a claim (`factsheet find PHRASE` gives ready-made citations), or remove `{}`", source.file))
            })
            .collect()
    }

    fn claim(&self, claim: Claim) -> ClaimCheck {
        let status = status_of(&claim.citations);
        let context_only = claim.citations.iter().all(|c| c.stance == Stance::Context);
        let mut check = ClaimCheck {
            verified: VerifiedClaim {
                id: claim.id.value.clone(),
                statement: claim.statement,
                note: claim.note,
                status,
                citations: Vec::new(),
                review: claim.review,
            },
            diagnostics: Diagnostics::default(),
            judged: Vec::new(),
            cited: Vec::new(),
        };
        // Where the citations of known sources were written, for the duplicate warnings.
        let mut written = Vec::new();
        for citation in claim.citations {
            let id = citation.source.value.trim();
            let Some(&index) = self.by_id.get(id) else {
                // A source that could not be loaded has its error on its own file.
                if !self.unloadable.contains(id) {
                    let unknown = self.unknown_source(&claim.id.value, &citation);
                    check.diagnostics.push(unknown);
                }
                continue;
            };
            check.cited.push(index);
            written.push(citation.quote.span.clone());
            if let Some(verified) = self.citation(&claim.id, index, citation, &mut check) {
                check.verified.citations.push(verified);
            }
        }
        warn_duplicate_citations(&claim.id.value, &written, &mut check);
        if context_only {
            check.diagnostics.push(
                Diagnostic::warning(
                    Code::ContextOnlyClaim,
                    format!("claim `{}` has only `context` citations, so nothing supports or contradicts it", claim.id.value),
                )
                .at(claim.id.span.clone())
                .claim(&claim.id.value)
                .help("cite a passage that supports or contradicts the statement, or rephrase it as context"),
            );
        }
        check
    }

    /// Checks `citation` of `claim` against the source at `index`.
    fn citation(
        &self,
        claim: &Located<ClaimId>,
        index: usize,
        citation: Citation,
        check: &mut ClaimCheck,
    ) -> Option<VerifiedCitation> {
        let source = &self.sources[index];
        let (verdict, fresh) = self.verdict(index, &citation.quote.value);
        if fresh && self.keeping {
            check.judged.push(Judged {
                source: index,
                quote: citation.quote.value.clone(),
                verdict: Arc::clone(&verdict),
            });
        }
        match &*verdict {
            Verdict::Unusable(problem) => {
                check
                    .diagnostics
                    .push(bad_quote(&claim.value, &citation, *problem));
                None
            }
            Verdict::Found(found) => {
                check
                    .diagnostics
                    .extend(found_warnings(&claim.value, &citation, source, found));
                Some(VerifiedCitation {
                    source: source.id.clone(),
                    quote: citation.quote.value,
                    stance: citation.stance,
                    note: citation.note,
                    anchor: found.anchor.clone(),
                })
            }
            Verdict::Missing(missing) => {
                let failed = self.quote_failed(&claim.value, &citation, index, missing);
                check.diagnostics.push(failed);
                None
            }
        }
    }

    /// The verdict on `quote` in the source at `index`: the previous run's, or judged now
    /// (then `true`).
    fn verdict(&self, index: usize, quote: &str) -> (Arc<Verdict>, bool) {
        match self.cached[index].and_then(|cached| cached.verdict(quote)) {
            Some(verdict) => (verdict, false),
            None => {
                let source = &self.sources[index];
                let judged = verdict::judge(&source.text, &self.prepared[index], quote);
                (Arc::new(judged), true)
            }
        }
    }

    fn unknown_source(&self, claim: &ClaimId, citation: &Citation) -> Diagnostic {
        let ids = self.sources.iter().map(|s| s.id.as_str());
        let help = match closest_name(citation.source.value.trim(), ids) {
            Some(id) => format!("did you mean `{id}`?"),
            None => {
                "a citation's source is the file name of a text in content/sources/, without `.txt`"
                    .to_string()
            }
        };
        Diagnostic::error(
            Code::UnknownSource,
            format!(
                "claim `{claim}` cites an unknown source `{}`",
                citation.source.value
            ),
        )
        .at(citation.source.span.clone())
        .label("no such source")
        .claim(claim)
        .source(citation.source.value.trim())
        .help(help)
    }

    fn quote_failed(
        &self,
        claim: &ClaimId,
        citation: &Citation,
        index: usize,
        missing: &Missing,
    ) -> Diagnostic {
        let source = &self.sources[index];
        let base = |code, message: String| {
            Diagnostic::error(code, message)
                .at(citation.quote.span.clone())
                .claim(claim)
                .source(&source.id)
        };
        match missing {
            Missing::NotFound { quote, closest } => self.not_found(base(
                Code::QuoteNotFound,
                format!("claim `{claim}`: the quote is not in source `{}`", source.id),
            ), index, quote, closest.as_ref()),
            Missing::InsideWord { word } => base(
                Code::QuoteInsideWord,
                format!("claim `{claim}`: the quote occurs in source `{}` only inside a longer word", source.id),
            )
            .label("matches only part of a word")
            .suggestion(word.clone())
            .help("a quote must start and end on whole words: quote the full word"),
            Missing::OutOfOrder => base(
                Code::QuoteFragmentsOutOfOrder,
                format!("claim `{claim}`: the parts of the quote around `...` occur in source `{}`, but not in this order", source.id),
            )
            .label("fragments out of order")
            .help("an ellipsis only elides words: keep the fragments in the order the source has them"),
            Missing::TooFarApart => base(
                Code::QuoteFragmentsTooFarApart,
                format!("claim `{claim}`: the parts of the quote around `...` are more than 1,000 characters apart in source `{}`", source.id),
            )
            .label("fragments too far apart")
            .help("quote the passages separately, as two citations"),
        }
    }

    /// A quote that is not in its source: the closest passage, the word diff, and any other
    /// source that has the quote word for word.
    fn not_found(
        &self,
        diagnostic: Diagnostic,
        index: usize,
        quote: &Quote,
        closest: Option<&Closest>,
    ) -> Diagnostic {
        let mut diagnostic = diagnostic.label("not found in the source");
        // The one check that reads other sources: never kept, so never out of date.
        let elsewhere: Vec<&str> = self
            .sources
            .iter()
            .zip(self.prepared)
            .enumerate()
            .filter(|(other, _)| *other != index)
            .filter(|(_, (_, prepared))| quote::find_first(prepared.normalized(), quote).is_ok())
            .map(|(_, (other, _))| other.id.as_str())
            .collect();
        if let Some(closest) = closest {
            diagnostic = diagnostic
                .suggestion(closest.passage.clone())
                .diff(closest.diff.clone());
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
}

/// Warns of citations of the same passage twice; `written` are where the citations of
/// known sources were written, paired in order with the verified citations.
fn warn_duplicate_citations(claim: &ClaimId, written: &[Span], check: &mut ClaimCheck) {
    let mut seen = BTreeSet::new();
    for (citation, quote) in check.verified.citations.iter().zip(written) {
        if !seen.insert((
            &citation.source,
            citation.anchor.bytes.start,
            citation.anchor.bytes.end,
        )) {
            check.diagnostics.push(
                Diagnostic::warning(
                    Code::DuplicateCitation,
                    format!(
                        "claim `{claim}` cites the same passage of `{}` twice",
                        citation.source
                    ),
                )
                .at(quote.clone())
                .label("cited again")
                .claim(claim)
                .source(&citation.source)
                .help("remove one of the two citations"),
            );
        }
    }
}

fn bad_quote(claim: &ClaimId, citation: &Citation, problem: QuoteProblem) -> Diagnostic {
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
    Diagnostic::error(code, format!("claim `{claim}`: {message}"))
        .at(citation.quote.span.clone())
        .label("no words to find")
        .claim(claim)
        .source(citation.source.value.trim())
        .help(help)
}

/// The warnings a quote that verified may still deserve: it occurs more than once, or
/// its ellipsis leaves out a negation.
fn found_warnings(
    claim: &ClaimId,
    citation: &Citation,
    source: &Source,
    found: &verdict::Found,
) -> Diagnostics {
    let mut warnings = Diagnostics::default();
    if found.occurrences > 1 {
        warnings.push(
            Diagnostic::warning(
                Code::AmbiguousQuote,
                format!("claim `{claim}`: the quote occurs {} times in source `{}`; it is anchored at the first", found.occurrences, source.id),
            )
            .at(citation.quote.span.clone())
            .label("occurs more than once")
            .claim(claim)
            .source(&source.id)
            .help("quote a few more words to pick the passage you mean"),
        );
    }
    if let Some(word) = &found.elided_negation {
        warnings.push(
            Diagnostic::warning(
                Code::ElidedNegation,
                format!("claim `{claim}`: the ellipsis leaves out `{word}`, which can invert the passage's meaning"),
            )
            .at(citation.quote.span.clone())
            .label("elides a negation")
            .claim(claim)
            .source(citation.source.value.trim())
            .help("check that the quote still says what the source says, or quote the passage whole"),
        );
    }
    warnings
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
    use crate::load;

    /// A site on disk: sources by id, and one topic whose claims each cite
    /// `(source, quote)` pairs.
    struct Fixture {
        dir: tempfile::TempDir,
    }

    impl Fixture {
        fn new(sources: &[(&str, &str)], claims: &[(&str, &[(&str, &str)])]) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            std::fs::create_dir_all(content.join("sources")).unwrap();
            std::fs::create_dir_all(content.join("topics")).unwrap();
            std::fs::write(content.join("site.yaml"), "title: S\n").unwrap();
            let fixture = Fixture { dir };
            for (id, text) in sources {
                fixture.source(id, text);
            }
            fixture.topic(claims);
            fixture
        }

        fn source(&self, id: &str, text: &str) {
            let path = self.dir.path().join(format!("content/sources/{id}.txt"));
            std::fs::write(path, text).unwrap();
        }

        fn topic(&self, claims: &[(&str, &[(&str, &str)])]) {
            self.topic_named("t", claims);
        }

        fn topic_named(&self, slug: &str, claims: &[(&str, &[(&str, &str)])]) {
            let mut yaml = String::from("title: T\nclaims:\n");
            for (id, citations) in claims {
                yaml += &format!("  - id: {id}\n    statement: S.\n    citations:\n");
                for (source, quote) in *citations {
                    yaml += &format!("      - source: {source}\n        quote: \"{quote}\"\n");
                }
            }
            let path = format!("content/topics/{slug}.yaml");
            std::fs::write(self.dir.path().join(path), yaml).unwrap();
        }

        fn site(&self) -> Site {
            load::load(self.dir.path()).unwrap().site
        }
    }

    fn both_ways(fixture: &Fixture, cache: &mut Cache) -> Verified {
        let cold = verify(fixture.site());
        let cached = verify_cached(fixture.site(), cache);
        assert_eq!(cached.site, cold.site);
        assert_eq!(
            cached.diagnostics.iter().collect::<Vec<_>>(),
            cold.diagnostics.iter().collect::<Vec<_>>()
        );
        cached
    }

    /// Loads through `loads` as `serve` does (an unchanged topic is the same one again),
    /// verifies with `cache`, and checks the result against a cold run.
    fn served(fixture: &Fixture, loads: &mut load::Cache, cache: &mut Cache) -> Verified {
        let site = load::load_cached(fixture.dir.path(), loads).unwrap().site;
        let cached = verify_cached(site, cache);
        let cold = verify(fixture.site());
        assert_eq!(cached.site, cold.site);
        assert_eq!(
            cached.diagnostics.iter().collect::<Vec<_>>(),
            cold.diagnostics.iter().collect::<Vec<_>>()
        );
        cached
    }

    /// Which topics (by slug) of `after` are the very ones of `before`, not checked again.
    fn reused(before: &Verified, after: &Verified) -> Vec<String> {
        after
            .site
            .topics
            .iter()
            .filter(|topic| before.site.topics.iter().any(|t| Arc::ptr_eq(t, topic)))
            .map(|topic| topic.slug.to_string())
            .collect()
    }

    fn codes(verified: &Verified) -> Vec<Code> {
        verified.diagnostics.iter().map(|d| d.code).collect()
    }

    const A: &str = "The minister said the plan was not ready, and the plan was late. About eighteen were there.";
    const B: &str = "Elsewhere, the budget was cut.";

    #[test]
    fn a_cached_run_gives_what_a_cold_run_gives_and_judges_nothing_again() {
        let fixture = Fixture::new(
            &[("a", A), ("b", B), ("unused", "Nobody cites this.")],
            &[
                ("found", &[("a", "The minister said")]),
                ("ambiguous", &[("a", "the plan")]),
                ("negation", &[("a", "the plan was ... ready")]),
                ("missing", &[("a", "the budget was cut")]),
                ("inside", &[("a", "eight")]),
                ("unknown", &[("nosuch", "x")]),
                ("empty", &[("a", " ... ")]),
                ("twice", &[("a", "About eighteen"), ("a", "About eighteen")]),
                ("found", &[("b", "the budget")]),
            ],
        );
        let mut cache = Cache::default();
        let first = both_ways(&fixture, &mut cache);
        assert!(codes(&first).contains(&Code::QuoteNotFound));
        assert_eq!(
            cache.last,
            Work {
                prepared: 3,
                judged: 9
            }
        );
        both_ways(&fixture, &mut cache);
        assert_eq!(
            cache.last,
            Work {
                prepared: 0,
                judged: 0
            }
        );
    }

    #[test]
    fn an_unchanged_topic_verifies_as_before_while_no_source_changes() {
        let fixture = Fixture::new(&[("a", A), ("b", B)], &[("one", &[("a", "the plan was")])]);
        // Its diagnostics (an error and a warning) must come back when it is reused.
        fixture.topic_named(
            "u",
            &[
                ("two", &[("b", "the budget"), ("b", "the budget")]),
                ("three", &[("b", "not in it")]),
            ],
        );
        let mut loads = load::Cache::with_settle(std::time::Duration::ZERO);
        let mut cache = Cache::default();
        let first = served(&fixture, &mut loads, &mut cache);
        assert!(codes(&first).contains(&Code::QuoteNotFound));
        let again = served(&fixture, &mut loads, &mut cache);
        assert_eq!(reused(&first, &again), ["t", "u"]);
        assert_eq!(codes(&again), codes(&first));

        fixture.topic(&[("one", &[("a", "the plan was not")])]);
        let edited = served(&fixture, &mut loads, &mut cache);
        assert_eq!(reused(&again, &edited), ["u"]);
        assert_eq!(cache.last.judged, 1);

        // Any source changed: every topic is checked again (its verdicts still cached).
        fixture.source("a", &format!("{A} More."));
        let changed = served(&fixture, &mut loads, &mut cache);
        assert!(reused(&edited, &changed).is_empty());
        // And a source that appears, which a citation may have named before.
        fixture.source("c", "New.");
        let added = served(&fixture, &mut loads, &mut cache);
        assert!(reused(&changed, &added).is_empty());
    }

    #[test]
    fn a_changed_source_or_quote_is_judged_again_and_nothing_else() {
        let claims: &[(&str, &[(&str, &str)])] = &[
            ("one", &[("a", "the plan was")]),
            ("two", &[("b", "the budget")]),
        ];
        let fixture = Fixture::new(&[("a", A), ("b", B)], claims);
        let mut cache = Cache::default();
        both_ways(&fixture, &mut cache);
        fixture.source("b", "Elsewhere, the budget was cut again.");
        both_ways(&fixture, &mut cache);
        assert_eq!(
            cache.last,
            Work {
                prepared: 1,
                judged: 1
            }
        );
        fixture.topic(&[("one", &[("a", "the plan was not")]), claims[1]]);
        let changed = both_ways(&fixture, &mut cache);
        assert_eq!(
            cache.last,
            Work {
                prepared: 0,
                judged: 1
            }
        );
        assert_eq!(
            changed.site.topics[0].claims[0].citations[0].quote,
            "the plan was not"
        );
    }

    #[test]
    fn verdicts_on_quotes_edited_away_are_dropped_in_time() {
        let fixture = Fixture::new(&[("a", A)], &[("c", &[("a", "the plan")])]);
        let mut cache = Cache::default();
        // One citation: at most twice its count, the slack and the one just judged.
        let most = 2 + cache::SLACK + 1;
        for edit in 0..3 * most {
            fixture.topic(&[("c", &[("a", &format!("the plan {edit}"))])]);
            both_ways(&fixture, &mut cache);
            assert!(cache.verdicts() <= most, "{}", cache.verdicts());
        }
    }

    #[test]
    fn where_else_a_missing_quote_occurs_follows_the_other_sources() {
        let fixture = Fixture::new(&[("a", A), ("b", B)], &[("c", &[("a", "the budget")])]);
        let mut cache = Cache::default();
        let help = |verified: &Verified| verified.diagnostics.iter().next().unwrap().help.clone();
        let before = both_ways(&fixture, &mut cache);
        assert!(help(&before).unwrap().contains("`b`"));
        fixture.source("b", "Elsewhere, nothing.");
        let after = both_ways(&fixture, &mut cache);
        assert!(!help(&after).unwrap().contains("`b`"));
    }
}
