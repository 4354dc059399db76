//! What each template sees: small, per-page contexts built from the verified site.
//!
//! Conventions for template authors (also in `docs/templates.md`):
//! - every page gets `site`, `root` (the relative path back to the site root, e.g.
//!   `../../`, so links work from `file://` and under any `base_url`), `page`, `nav` and
//!   `nav_compact` (see [`NAV_MAX_TOPICS`]);
//! - fields ending in `_html` are already-safe HTML (rendered Markdown, escaped): print
//!   them with `| safe`; every other string is raw text and is escaped by Tera.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use serde::Serialize;

use super::fragment::{self, Searchable};
use super::jsonld::{self, CitedPassage};
use super::markdown::{markdown_block, markdown_inline};
use super::passages::{Paragraph, source_paragraphs};
use crate::model::{Correction, Review, Source, Stance, Status};
use crate::verify::{VerifiedCitation, VerifiedClaim, VerifiedSite, VerifiedTopic};

/// The site settings as templates see them.
#[derive(Debug, Clone, Serialize)]
pub struct SiteContext {
    pub title: String,
    pub description_html: Option<String>,
    pub base_url: Option<String>,
    pub language: String,
    pub publisher: Option<String>,
    pub generator: String,
    /// The language as an Open Graph locale (`en_GB` for `en-GB`).
    pub locale: String,
    /// The Atom feed's path from the site root (`feed.xml`), when the site has one.
    pub feed: Option<String>,
    /// Whether the site has a search index (`search` in `site.yaml`).
    pub search: bool,
    /// How many topics the site has (the header names them all only up to
    /// [`NAV_MAX_TOPICS`]).
    pub topic_count: usize,
}

/// The page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext {
    /// `index`, `topic` or `source`.
    pub kind: &'static str,
    pub title: String,
    /// Output path relative to the site root, e.g. `topics/letter/index.html`.
    pub path: String,
    /// Absolute URL of the page when `base_url` is set.
    pub permalink: Option<String>,
    /// Plain text for `<meta name="description">` and link previews, at most 160
    /// characters: the topic's summary, the source's title, or the site's description.
    pub description: String,
}

/// Links for the site navigation, relative to the current page.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    pub status: Status,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusInfo {
    pub status: Status,
    pub label: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct StanceInfo {
    pub stance: Stance,
    pub label: &'static str,
    pub symbol: &'static str,
}

/// A topic in lists (index).
#[derive(Debug, Clone, Serialize)]
pub struct TopicSummary {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub summary_html: Option<String>,
    pub claim_count: usize,
    pub statuses: Vec<StatusCount>,
}

/// A source in lists (index) and as the subject of its page.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub id: String,
    pub url: String,
    /// The file name, e.g. `000_4e0fe4cb89eab73e.txt`.
    pub file: String,
    /// The headline if known, else the id.
    pub display_title: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub original_url: Option<String>,
    pub language: Option<String>,
    pub translated_from: Option<String>,
    pub note_html: Option<String>,
    pub sha256: String,
    pub word_count: usize,
    pub citation_count: usize,
    pub claim_count: usize,
}

/// One citation of a claim on its topic page.
#[derive(Debug, Clone, Serialize)]
pub struct CitationContext {
    pub source: String,
    pub source_title: String,
    pub source_publisher: Option<String>,
    pub source_published: Option<String>,
    /// The source page.
    pub source_url: String,
    /// The highlighted passage on the source page.
    pub passage_url: String,
    /// The original article, when the source has a `url`.
    pub original_url: Option<String>,
    /// The passage in the original article: `original_url` with a text fragment
    /// (`#:~:text=…`) that browsers scroll to and highlight; null without a `url`, or
    /// when no text fragment singles the passage out.
    pub original_passage_url: Option<String>,
    pub stance: Stance,
    pub stance_label: &'static str,
    pub stance_symbol: &'static str,
    /// The quote as the editor wrote it.
    pub quote: String,
    /// The passage as the source has it (fragments joined by ` […] `).
    pub passage: String,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub note_html: Option<String>,
}

/// A claim on its topic page.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimContext {
    pub id: String,
    pub statement_html: String,
    /// The statement as plain text (for titles and attributes).
    pub statement_text: String,
    pub note_html: Option<String>,
    pub status: Status,
    pub status_label: &'static str,
    /// The claim on its topic page, relative to the current page.
    pub url: String,
    /// The claim's schema.org `ClaimReview` in a `<script type="application/ld+json">`
    /// element, escaped for the page: print it with `| safe`.
    pub jsonld_html: String,
    pub citations: Vec<CitationContext>,
    /// Counts per stance, for the claim's summary line.
    pub supporting: usize,
    pub contradicting: usize,
    pub context: usize,
    /// ISO date of the claim's last review: its own `reviewed`, else its topic's.
    pub reviewed: Option<String>,
    /// The claim's corrections log, oldest first.
    pub corrections: Vec<CorrectionContext>,
}

/// One entry of a corrections log.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionContext {
    /// ISO date.
    pub date: String,
    pub note_html: String,
}

/// A claim on a source page: which claims cite this source, and how.
#[derive(Debug, Clone, Serialize)]
pub struct CitingClaim {
    pub id: String,
    pub statement_html: String,
    pub status: Status,
    pub status_label: &'static str,
    pub url: String,
    pub topic_title: String,
    pub stances: Vec<StanceInfo>,
    /// Links to this claim's passages on the current page.
    pub passages: Vec<String>,
}

/// One row of the claims × sources overview.
#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    pub id: String,
    pub statement_text: String,
    pub url: String,
    pub status: Status,
    pub status_label: &'static str,
    /// One cell per source, in the order of `grid.sources`.
    pub cells: Vec<GridCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridCell {
    pub source: String,
    /// Empty when the claim does not cite this source.
    pub stances: Vec<StanceInfo>,
    /// The first passage cited, when any.
    pub passage_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridTopic {
    pub title: String,
    pub url: String,
    pub rows: Vec<GridRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    pub sources: Vec<SourceSummary>,
    pub topics: Vec<GridTopic>,
}

/// `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexPage {
    pub topics: Vec<TopicSummary>,
    pub sources: Vec<SourceSummary>,
    /// The claims × sources overview; absent above [`GRID_MAX_SOURCES`] sources, where a
    /// table of claims times sources stops being readable (and grows quadratically).
    pub grid: Option<Grid>,
    pub statuses: Vec<StatusInfo>,
    pub stances: Vec<StanceInfo>,
    pub claim_count: usize,
    pub citation_count: usize,
}

/// `topics/<slug>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct TopicPage {
    pub slug: String,
    pub title: String,
    pub summary_html: Option<String>,
    pub claims: Vec<ClaimContext>,
    pub statuses: Vec<StatusCount>,
    pub previous: Option<NavItem>,
    pub next: Option<NavItem>,
    /// ISO date of the topic's `reviewed`, as written.
    pub reviewed: Option<String>,
    /// The latest review date on the page: the topic's or any of its claims'.
    pub last_reviewed: Option<String>,
    /// The topic's corrections log, oldest first.
    pub corrections: Vec<CorrectionContext>,
}

/// `sources/<id>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct SourcePage {
    pub source: SourceSummary,
    pub paragraphs: Vec<Paragraph>,
    pub claims: Vec<CitingClaim>,
}

/// The most sources the index's claims × sources overview shows.
pub const GRID_MAX_SOURCES: usize = 24;

/// The most topics the header of every page lists. Beyond that a row of links stops being
/// a navigation anyone reads, and it costs every page its size times the topics: the
/// header then links to the index's list of every topic and names only the current topic.
pub const NAV_MAX_TOPICS: usize = 12;

/// Where pages live, relative to the site root.
pub fn topic_path(slug: &str) -> String {
    format!("topics/{slug}/index.html")
}

pub fn source_path(id: &str) -> String {
    format!("sources/{id}/index.html")
}

/// The id of the highlighted passage starting at character `start` of a source.
pub fn passage_anchor(start: usize) -> String {
    format!("passage-{start}")
}

pub fn stance_info(stance: Stance) -> StanceInfo {
    let (label, symbol) = match stance {
        Stance::Supports => ("Supports", "✓"),
        Stance::Contradicts => ("Contradicts", "✗"),
        Stance::Context => ("Context", "ℹ"),
    };
    StanceInfo {
        stance,
        label,
        symbol,
    }
}

pub fn status_infos() -> Vec<StatusInfo> {
    Status::ALL
        .into_iter()
        .map(|status| StatusInfo {
            status,
            label: status.label(),
            description: status_description(status),
        })
        .collect()
}

/// What a status means, in a few words (the index's legend, the JSON-LD's explanation).
pub fn status_description(status: Status) -> &'static str {
    match status {
        Status::Corroborated => "two or more sources support it, none contradicts it",
        Status::SingleSource => "one source supports it, none contradicts it",
        Status::Disputed => "sources support it and sources contradict it",
        Status::Contradicted => "sources contradict it, none supports it",
        Status::Unsupported => "sources only give context",
    }
}

/// Builds page contexts; holds what several pages share (source summaries, and which
/// claims cite each source, so a source page does not search every claim of the site).
pub struct ContextBuilder<'a> {
    pub site: &'a VerifiedSite,
    summaries: BTreeMap<&'a str, SourceSummary>,
    sources: HashMap<&'a str, &'a Source>,
    /// For each source, the claims citing it as (topic index, claim index), in site order.
    citing: HashMap<&'a str, Vec<(usize, usize)>>,
    has_feed: bool,
    /// The sources with a `url`, prepared on first use for building text fragments.
    searchable: HashMap<&'a str, OnceLock<Searchable<'a>>>,
}

impl<'a> ContextBuilder<'a> {
    pub fn new(site: &'a VerifiedSite) -> Self {
        let mut usage: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
        let mut citing: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (t, topic) in site.topics.iter().enumerate() {
            for (c, claim) in topic.claims.iter().enumerate() {
                for citation in &claim.citations {
                    let entry = usage.entry(citation.source.as_str()).or_default();
                    entry.0 += 1;
                    entry.1.insert(claim.id.as_str());
                    let claims = citing.entry(citation.source.as_str()).or_default();
                    if claims.last() != Some(&(t, c)) {
                        claims.push((t, c));
                    }
                }
            }
        }
        let summaries = site
            .sources
            .iter()
            .map(|source| {
                let (citations, claims) = usage
                    .get(source.id.as_str())
                    .map_or((0, 0), |(n, claims)| (*n, claims.len()));
                (
                    source.id.as_str(),
                    source_summary(source, citations, claims),
                )
            })
            .collect();
        let sources = site.sources.iter().map(|s| (s.id.as_str(), s)).collect();
        ContextBuilder {
            site,
            summaries,
            sources,
            citing,
            has_feed: super::site_files::has_feed(site),
            searchable: site
                .sources
                .iter()
                .filter(|source| source.meta.url.is_some())
                .map(|source| (source.id.as_str(), OnceLock::new()))
                .collect(),
        }
    }

    pub fn site_context(&self) -> SiteContext {
        let config = &self.site.config;
        SiteContext {
            title: config.title.clone(),
            description_html: config.description.as_deref().map(markdown_block),
            base_url: config.base_url.clone(),
            language: config.language.clone(),
            publisher: config.publisher.clone(),
            generator: format!("factsheet {}", env!("CARGO_PKG_VERSION")),
            locale: super::sharing::og_locale(&config.language),
            feed: self.has_feed.then(|| super::site_files::FEED.to_string()),
            search: config.search,
            topic_count: self.site.topics.len(),
        }
    }

    pub fn page(
        &self,
        kind: &'static str,
        title: &str,
        path: &str,
        description: String,
    ) -> PageContext {
        PageContext {
            kind,
            title: title.to_string(),
            path: path.to_string(),
            description,
            permalink: self
                .site
                .config
                .base_url
                .as_ref()
                .map(|base| format!("{base}{}", path.trim_end_matches("index.html"))),
        }
    }

    /// Whether the header leaves topics out: above [`NAV_MAX_TOPICS`] topics it links to
    /// the index's list of them instead.
    pub fn nav_compact(&self) -> bool {
        self.site.topics.len() > NAV_MAX_TOPICS
    }

    /// The topics the header lists, `current` (a topic's index) marked: every topic, or
    /// when the header is compact only the current one.
    pub fn nav(&self, root: &str, current: Option<usize>) -> Vec<NavItem> {
        let item = |index: usize| {
            let topic = &self.site.topics[index];
            NavItem {
                title: topic.title.clone(),
                url: format!("{root}{}", topic_path(topic.slug.as_str())),
                current: current == Some(index),
            }
        };
        if self.nav_compact() {
            current.map(item).into_iter().collect()
        } else {
            (0..self.site.topics.len()).map(item).collect()
        }
    }

    fn summary(&self, id: &str, root: &str) -> SourceSummary {
        let mut summary = self.summaries[id].clone();
        summary.url = format!("{root}{}", summary.url);
        summary
    }

    pub fn index(&self) -> IndexPage {
        let root = "";
        let sources: Vec<SourceSummary> = self
            .site
            .sources
            .iter()
            .map(|s| self.summary(s.id.as_str(), root))
            .collect();
        IndexPage {
            topics: self
                .site
                .topics
                .iter()
                .map(|topic| topic_summary(topic, root))
                .collect(),
            grid: (sources.len() <= GRID_MAX_SOURCES).then(|| Grid {
                sources: sources.clone(),
                topics: self
                    .site
                    .topics
                    .iter()
                    .map(|topic| self.grid_topic(topic, root))
                    .collect(),
            }),
            sources,
            statuses: status_infos(),
            stances: Stance::ALL.into_iter().map(stance_info).collect(),
            claim_count: self.site.claim_count(),
            citation_count: self.site.citation_count(),
        }
    }

    fn grid_topic(&self, topic: &VerifiedTopic, root: &str) -> GridTopic {
        let topic_url = format!("{root}{}", topic_path(topic.slug.as_str()));
        GridTopic {
            title: topic.title.clone(),
            url: topic_url.clone(),
            rows: topic
                .claims
                .iter()
                .map(|claim| GridRow {
                    id: claim.id.to_string(),
                    statement_text: super::markdown::plain_text(&claim.statement),
                    url: format!("{topic_url}#{}", claim.id),
                    status: claim.status,
                    status_label: claim.status.label(),
                    cells: self
                        .site
                        .sources
                        .iter()
                        .map(|source| grid_cell(claim, source, root))
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn topic(&self, index: usize) -> TopicPage {
        let root = "../../";
        let topic = &self.site.topics[index];
        let neighbour = |i: Option<usize>| {
            i.and_then(|i| self.site.topics.get(i)).map(|t| NavItem {
                title: t.title.clone(),
                url: format!("{root}{}", topic_path(t.slug.as_str())),
                current: false,
            })
        };
        TopicPage {
            slug: topic.slug.to_string(),
            title: topic.title.clone(),
            summary_html: topic.summary.as_deref().map(markdown_block),
            claims: topic
                .claims
                .iter()
                .map(|claim| self.claim(claim, topic, root))
                .collect(),
            statuses: status_counts(&topic.claims),
            previous: neighbour(index.checked_sub(1)),
            next: neighbour(Some(index + 1)),
            reviewed: topic.review.reviewed.clone(),
            last_reviewed: super::site_files::last_reviewed(topic).map(str::to_string),
            corrections: corrections(&topic.review),
        }
    }

    fn claim(&self, claim: &VerifiedClaim, topic: &VerifiedTopic, root: &str) -> ClaimContext {
        let count = |stance| {
            claim
                .citations
                .iter()
                .filter(|c| c.stance == stance)
                .count()
        };
        let citations: Vec<CitationContext> = claim
            .citations
            .iter()
            .map(|c| self.citation(c, root))
            .collect();
        let cited: Vec<CitedPassage> = citations
            .iter()
            .map(|citation| CitedPassage {
                source: self.sources[citation.source.as_str()],
                citation,
            })
            .collect();
        let json = jsonld::claim_review(&self.site.config, topic, claim, &cited);
        ClaimContext {
            id: claim.id.to_string(),
            statement_html: markdown_inline(&claim.statement),
            statement_text: super::markdown::plain_text(&claim.statement),
            note_html: claim.note.as_deref().map(markdown_block),
            status: claim.status,
            status_label: claim.status.label(),
            url: format!("#{}", claim.id),
            jsonld_html: jsonld::script_html(&json),
            citations,
            supporting: count(Stance::Supports),
            contradicting: count(Stance::Contradicts),
            context: count(Stance::Context),
            reviewed: claim.review.reviewed_or(&topic.review).map(str::to_string),
            corrections: corrections(&claim.review),
        }
    }

    fn citation(&self, citation: &VerifiedCitation, root: &str) -> CitationContext {
        let source = self.sources[citation.source.as_str()];
        let summary = &self.summaries[citation.source.as_str()];
        let info = stance_info(citation.stance);
        CitationContext {
            source: citation.source.to_string(),
            source_title: summary.display_title.clone(),
            source_publisher: summary.publisher.clone(),
            source_published: summary.published.clone(),
            source_url: format!("{root}{}", source_path(citation.source.as_str())),
            passage_url: format!(
                "{root}{}#{}",
                source_path(citation.source.as_str()),
                passage_anchor(citation.anchor.chars.start)
            ),
            original_url: summary.original_url.clone(),
            original_passage_url: self.deep_link(source, citation),
            stance: citation.stance,
            stance_label: info.label,
            stance_symbol: info.symbol,
            quote: citation.quote.clone(),
            passage: passage_text(&source.text, &citation.anchor.fragments),
            line: citation.anchor.line,
            start: citation.anchor.chars.start,
            end: citation.anchor.chars.end,
            note_html: citation.note.as_deref().map(markdown_block),
        }
    }

    /// The passage in the original article (a text fragment link), when the source has a
    /// `url` and a text fragment can single the passage out.
    fn deep_link(&self, source: &'a Source, citation: &VerifiedCitation) -> Option<String> {
        let url = source.meta.url.as_deref()?;
        let searchable = self
            .searchable
            .get(source.id.as_str())?
            .get_or_init(|| Searchable::new(&source.text));
        let directive = searchable.directive(&citation.anchor.fragments)?;
        Some(fragment::deep_link(url, &directive))
    }

    pub fn source(&self, source: &Source) -> SourcePage {
        let root = "../../";
        let mut citing = Vec::new();
        let mut cited = Vec::new();
        let claims = self
            .citing
            .get(source.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        for &(t, c) in claims {
            let topic = &self.site.topics[t];
            let claim = &topic.claims[c];
            let here: Vec<&VerifiedCitation> = claim
                .citations
                .iter()
                .filter(|c| c.source == source.id)
                .collect();
            if here.is_empty() {
                continue;
            }
            let stances: BTreeSet<Stance> = here.iter().map(|c| c.stance).collect();
            let mut passages: Vec<String> = here
                .iter()
                .map(|c| format!("#{}", passage_anchor(c.anchor.chars.start)))
                .collect();
            passages.dedup();
            citing.push(CitingClaim {
                id: claim.id.to_string(),
                statement_html: markdown_inline(&claim.statement),
                status: claim.status,
                status_label: claim.status.label(),
                url: format!("{root}{}#{}", topic_path(topic.slug.as_str()), claim.id),
                topic_title: topic.title.clone(),
                stances: stances.into_iter().map(stance_info).collect(),
                passages,
            });
            cited.extend(here.into_iter().map(|c| (c, topic, claim)));
        }
        SourcePage {
            source: self.summary(source.id.as_str(), root),
            paragraphs: source_paragraphs(&source.text, &cited, root),
            claims: citing,
        }
    }
}

fn source_summary(source: &Source, citation_count: usize, claim_count: usize) -> SourceSummary {
    let meta = &source.meta;
    SourceSummary {
        id: source.id.to_string(),
        url: source_path(source.id.as_str()),
        file: source
            .file
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        display_title: meta.title.clone().unwrap_or_else(|| source.id.to_string()),
        title: meta.title.clone(),
        publisher: meta.publisher.clone(),
        published: meta.published.clone(),
        original_url: meta.url.clone(),
        language: meta.language.clone(),
        translated_from: meta.translated_from.clone(),
        note_html: meta.note.as_deref().map(markdown_block),
        sha256: source.sha256.clone(),
        word_count: source.word_count(),
        citation_count,
        claim_count,
    }
}

fn corrections(review: &Review) -> Vec<CorrectionContext> {
    review
        .corrections
        .iter()
        .map(|Correction { date, note }| CorrectionContext {
            date: date.clone(),
            note_html: markdown_block(note),
        })
        .collect()
}

fn topic_summary(topic: &VerifiedTopic, root: &str) -> TopicSummary {
    TopicSummary {
        slug: topic.slug.to_string(),
        title: topic.title.clone(),
        url: format!("{root}{}", topic_path(topic.slug.as_str())),
        summary_html: topic.summary.as_deref().map(markdown_block),
        claim_count: topic.claims.len(),
        statuses: status_counts(&topic.claims),
    }
}

fn status_counts(claims: &[VerifiedClaim]) -> Vec<StatusCount> {
    Status::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            label: status.label(),
            count: claims.iter().filter(|c| c.status == status).count(),
        })
        .filter(|count| count.count > 0)
        .collect()
}

fn grid_cell(claim: &VerifiedClaim, source: &Source, root: &str) -> GridCell {
    let cited: Vec<&VerifiedCitation> = claim
        .citations
        .iter()
        .filter(|c| c.source == source.id)
        .collect();
    let stances: BTreeSet<Stance> = cited.iter().map(|c| c.stance).collect();
    GridCell {
        source: source.id.to_string(),
        stances: stances.into_iter().map(stance_info).collect(),
        passage_url: cited.first().map(|c| {
            format!(
                "{root}{}#{}",
                source_path(source.id.as_str()),
                passage_anchor(c.anchor.chars.start)
            )
        }),
    }
}

/// The cited passage as the source has it, white space folded, elisions shown as ` […] `.
fn passage_text(original: &str, fragments: &[std::ops::Range<usize>]) -> String {
    fragments
        .iter()
        .filter_map(|range| original.get(range.clone()))
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(" […] ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RelPath, Slug};

    /// A site of `count` topics without claims: `t0`, `t1`…
    fn site_with_topics(count: usize) -> VerifiedSite {
        VerifiedSite {
            config: Default::default(),
            sources: Vec::new(),
            topics: (0..count)
                .map(|i| VerifiedTopic {
                    slug: Slug::parse(&format!("t{i}")).unwrap(),
                    file: RelPath::from_slash(&format!("content/topics/t{i}.yaml")),
                    title: format!("Topic {i}"),
                    summary: None,
                    claims: Vec::new(),
                    review: Review::default(),
                })
                .collect(),
        }
    }

    fn titles(nav: &[NavItem]) -> Vec<(&str, &str, bool)> {
        nav.iter()
            .map(|item| (item.title.as_str(), item.url.as_str(), item.current))
            .collect()
    }

    #[test]
    fn up_to_the_limit_the_nav_lists_every_topic_and_marks_the_current_one() {
        let site = site_with_topics(NAV_MAX_TOPICS);
        let builder = ContextBuilder::new(&site);
        assert!(!builder.nav_compact());
        let nav = builder.nav("../../", Some(1));
        assert_eq!(nav.len(), NAV_MAX_TOPICS);
        assert_eq!(
            titles(&nav[..2]),
            [
                ("Topic 0", "../../topics/t0/index.html", false),
                ("Topic 1", "../../topics/t1/index.html", true),
            ]
        );
        assert_eq!(
            builder.nav("", None).iter().filter(|i| i.current).count(),
            0
        );
    }

    #[test]
    fn beyond_the_limit_the_nav_names_only_the_current_topic() {
        let site = site_with_topics(NAV_MAX_TOPICS + 1);
        let builder = ContextBuilder::new(&site);
        assert!(builder.nav_compact());
        assert_eq!(builder.site_context().topic_count, NAV_MAX_TOPICS + 1);
        assert_eq!(
            titles(&builder.nav("../../", Some(3))),
            [("Topic 3", "../../topics/t3/index.html", true)]
        );
        assert!(
            builder.nav("", None).is_empty(),
            "the index and the sources"
        );
    }

    #[test]
    fn the_compact_nav_does_not_grow_with_the_topics() {
        let small = site_with_topics(NAV_MAX_TOPICS + 1);
        let large = site_with_topics(10 * NAV_MAX_TOPICS);
        for current in [None, Some(0)] {
            let nav = |site| ContextBuilder::new(site).nav("../../", current).len();
            assert_eq!(nav(&small), nav(&large));
        }
    }
}
