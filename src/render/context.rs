//! What each template sees: small, per-page contexts built from the verified site.
//!
//! Conventions for template authors (also in `docs/templates.md`):
//! - every page gets `site`, `root` (the relative path back to the site root, e.g.
//!   `../../`, so links work from `file://` and under any `base_url`), `page`, `nav` and
//!   `nav_compact` (see [`NAV_MAX_TOPICS`]);
//! - fields ending in `_html` are already-safe HTML (rendered Markdown, escaped): print
//!   them with `| safe`; every other string is raw text and is escaped by Tera.
//!
//! Pages are rendered in parallel, and a large site has thousands: a context borrows what
//! it shows from the site rather than copying it, and what several pages show (the site
//! settings, a statement rendered from Markdown, a source's summary) is made once, by
//! whichever page needs it first, and shared.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use serde::{Serialize, Serializer};

use super::fragment::{self, Searchable};
use super::jsonld::{self, CitedPassage};
use super::markdown::{markdown_block, markdown_inline, plain_text};
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
pub struct NavItem<'a> {
    pub title: &'a str,
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

/// Some of the stances, in their order (supports, contradicts, context); templates see
/// a list of [`StanceInfo`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StanceSet(u8);

impl StanceSet {
    fn bit(stance: Stance) -> u8 {
        match stance {
            Stance::Supports => 1,
            Stance::Contradicts => 2,
            Stance::Context => 4,
        }
    }

    pub fn insert(&mut self, stance: Stance) {
        self.0 |= Self::bit(stance);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Stance> {
        Stance::ALL
            .into_iter()
            .filter(move |&stance| self.0 & Self::bit(stance) != 0)
    }

    /// The stances' names, space-separated (`supports contradicts`): CSS classes.
    pub fn classes(self) -> &'static str {
        const CLASSES: [&str; 8] = [
            "",
            "supports",
            "contradicts",
            "supports contradicts",
            "context",
            "supports context",
            "contradicts context",
            "supports contradicts context",
        ];
        CLASSES[usize::from(self.0)]
    }
}

impl FromIterator<Stance> for StanceSet {
    fn from_iter<I: IntoIterator<Item = Stance>>(stances: I) -> Self {
        let mut set = StanceSet::default();
        stances.into_iter().for_each(|stance| set.insert(stance));
        set
    }
}

impl Serialize for StanceSet {
    /// As the list of [`StanceInfo`]. There are eight sets, and source pages show one on
    /// every highlighted passage: each is made into a template value once, and a page's
    /// context shares it rather than building it again.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        static VALUES: LazyLock<Vec<tera::Value>> = LazyLock::new(|| {
            (0..8)
                .map(|bits| {
                    let infos: Vec<StanceInfo> = StanceSet(bits).iter().map(stance_info).collect();
                    tera::Value::from_serializable(&infos)
                })
                .collect()
        });
        VALUES[usize::from(self.0)].serialize(serializer)
    }
}

/// A topic in lists (index).
#[derive(Debug, Clone, Serialize)]
pub struct TopicSummary<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: String,
    pub summary_html: Option<String>,
    pub claim_count: usize,
    pub statuses: Vec<StatusCount>,
}

/// A source in lists (index) and as the subject of its page.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary<'a> {
    pub id: &'a str,
    pub url: String,
    /// The file name, e.g. `000_4e0fe4cb89eab73e.txt`.
    pub file: &'a str,
    /// The headline if known, else the id.
    pub display_title: &'a str,
    pub title: Option<&'a str>,
    pub publisher: Option<&'a str>,
    pub published: Option<&'a str>,
    pub original_url: Option<&'a str>,
    pub language: Option<&'a str>,
    pub translated_from: Option<&'a str>,
    pub note_html: Option<&'a str>,
    pub sha256: &'a str,
    pub word_count: usize,
    pub citation_count: usize,
    pub claim_count: usize,
}

/// One citation of a claim on its topic page.
#[derive(Debug, Clone, Serialize)]
pub struct CitationContext<'a> {
    pub source: &'a str,
    pub source_title: &'a str,
    pub source_publisher: Option<&'a str>,
    pub source_published: Option<&'a str>,
    /// The source page.
    pub source_url: String,
    /// The highlighted passage on the source page.
    pub passage_url: String,
    /// The original article, when the source has a `url`.
    pub original_url: Option<&'a str>,
    /// The passage in the original article: `original_url` with a text fragment
    /// (`#:~:text=…`) that browsers scroll to and highlight; null without a `url`, or
    /// when no text fragment singles the passage out.
    pub original_passage_url: Option<String>,
    pub stance: Stance,
    pub stance_label: &'static str,
    pub stance_symbol: &'static str,
    /// The quote as the editor wrote it.
    pub quote: &'a str,
    /// The passage as the source has it (fragments joined by ` […] `).
    pub passage: Cow<'a, str>,
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub note_html: Option<String>,
}

/// A claim on its topic page.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimContext<'a> {
    pub id: &'a str,
    pub statement_html: &'a str,
    /// The statement as plain text (for titles and attributes).
    pub statement_text: &'a str,
    pub note_html: Option<String>,
    pub status: Status,
    pub status_label: &'static str,
    /// The claim on its topic page, relative to the current page.
    pub url: String,
    /// The claim's schema.org `ClaimReview` in a `<script type="application/ld+json">`
    /// element, escaped for the page: print it with `| safe`.
    pub jsonld_html: String,
    pub citations: Vec<CitationContext<'a>>,
    /// Counts per stance, for the claim's summary line.
    pub supporting: usize,
    pub contradicting: usize,
    pub context: usize,
    /// ISO date of the claim's last review: its own `reviewed`, else its topic's.
    pub reviewed: Option<&'a str>,
    /// The claim's corrections log, oldest first.
    pub corrections: Vec<CorrectionContext<'a>>,
}

/// One entry of a corrections log.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionContext<'a> {
    /// ISO date.
    pub date: &'a str,
    pub note_html: String,
}

/// A claim on a source page: which claims cite this source, and how.
#[derive(Debug, Clone, Serialize)]
pub struct CitingClaim<'a> {
    pub id: &'a str,
    pub statement_html: &'a str,
    pub status: Status,
    pub status_label: &'static str,
    pub url: String,
    pub topic_title: &'a str,
    pub stances: StanceSet,
    /// Links to this claim's passages on the current page.
    pub passages: Vec<String>,
}

/// One row of the claims × sources overview.
#[derive(Debug, Clone, Serialize)]
pub struct GridRow<'a> {
    pub id: &'a str,
    pub statement_text: &'a str,
    pub url: String,
    pub status: Status,
    pub status_label: &'static str,
    /// One cell per source, in the order of `grid.sources`.
    pub cells: Vec<GridCell<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridCell<'a> {
    pub source: &'a str,
    /// Empty when the claim does not cite this source.
    pub stances: StanceSet,
    /// The first passage cited, when any.
    pub passage_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridTopic<'a> {
    pub title: &'a str,
    pub url: String,
    pub rows: Vec<GridRow<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grid<'a> {
    pub sources: Vec<SourceSummary<'a>>,
    pub topics: Vec<GridTopic<'a>>,
}

/// `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexPage<'a> {
    pub topics: Vec<TopicSummary<'a>>,
    pub sources: Vec<SourceSummary<'a>>,
    /// The claims × sources overview; absent above [`GRID_MAX_SOURCES`] sources, where a
    /// table of claims times sources stops being readable (and grows quadratically).
    pub grid: Option<Grid<'a>>,
    pub statuses: Vec<StatusInfo>,
    pub stances: Vec<StanceInfo>,
    pub claim_count: usize,
    pub citation_count: usize,
}

/// `topics/<slug>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct TopicPage<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary_html: Option<String>,
    pub claims: Vec<ClaimContext<'a>>,
    pub statuses: Vec<StatusCount>,
    pub previous: Option<NavItem<'a>>,
    pub next: Option<NavItem<'a>>,
    /// ISO date of the topic's `reviewed`, as written.
    pub reviewed: Option<&'a str>,
    /// The latest review date on the page: the topic's or any of its claims'.
    pub last_reviewed: Option<&'a str>,
    /// The topic's corrections log, oldest first.
    pub corrections: Vec<CorrectionContext<'a>>,
}

/// `sources/<id>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct SourcePage<'a> {
    pub source: SourceSummary<'a>,
    pub paragraphs: Vec<Paragraph<'a>>,
    pub claims: Vec<CitingClaim<'a>>,
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

/// A claim's statement, rendered once whatever the number of pages that show it: its
/// topic page, its JSON-LD, its topic's description and the page of every source it cites.
pub struct Statement {
    /// Inline Markdown as HTML.
    pub html: String,
    /// Plain text.
    pub text: String,
}

/// What the pages of a source say about it besides its metadata, made on first use.
struct SourceFacts {
    word_count: usize,
    note_html: Option<String>,
}

/// Builds page contexts; holds what several pages share: the site settings, the claims'
/// statements and the sources' summaries (each made once, by the first page that shows
/// it), and which claims cite each source, so a source page does not search every claim
/// of the site. Shared by the threads rendering pages.
pub struct ContextBuilder<'a> {
    pub site: &'a VerifiedSite,
    /// [`SiteContext`] as a template value: every page shows the same one.
    site_value: tera::Value,
    /// Each source's position in `site.sources`, by id.
    source_index: HashMap<&'a str, usize>,
    /// For each source (by position), its citations, and the claims citing it as (topic
    /// index, claim index), in site order.
    citations: Vec<usize>,
    citing: Vec<Vec<(usize, usize)>>,
    facts: Vec<OnceLock<SourceFacts>>,
    /// For each topic, each claim's statement.
    statements: Vec<Vec<OnceLock<Statement>>>,
    /// The sources with a `url`, prepared on first use for building text fragments.
    searchable: Vec<Option<OnceLock<Searchable<'a>>>>,
}

impl<'a> ContextBuilder<'a> {
    pub fn new(site: &'a VerifiedSite) -> Self {
        let source_index: HashMap<&str, usize> = site
            .sources
            .iter()
            .enumerate()
            .map(|(index, source)| (source.id.as_str(), index))
            .collect();
        let mut citations = vec![0; site.sources.len()];
        let mut citing: Vec<Vec<(usize, usize)>> = vec![Vec::new(); site.sources.len()];
        for (t, topic) in site.topics.iter().enumerate() {
            for (c, claim) in topic.claims.iter().enumerate() {
                for citation in &claim.citations {
                    let Some(&s) = source_index.get(citation.source.as_str()) else {
                        continue;
                    };
                    citations[s] += 1;
                    // A claim's citations come together: once listed, it is the last.
                    if citing[s].last() != Some(&(t, c)) {
                        citing[s].push((t, c));
                    }
                }
            }
        }
        let site_value = tera::Value::from_serializable(&site_context(site));
        ContextBuilder {
            site,
            site_value,
            source_index,
            citations,
            citing,
            facts: site.sources.iter().map(|_| OnceLock::new()).collect(),
            statements: site
                .topics
                .iter()
                .map(|topic| topic.claims.iter().map(|_| OnceLock::new()).collect())
                .collect(),
            searchable: site
                .sources
                .iter()
                .map(|source| source.meta.url.as_ref().map(|_| OnceLock::new()))
                .collect(),
        }
    }

    pub fn site_context(&self) -> SiteContext {
        site_context(self.site)
    }

    /// [`Self::site_context`] as a template value, shared by every page.
    pub fn site_value(&self) -> tera::Value {
        self.site_value.clone()
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
    pub fn nav(&self, root: &str, current: Option<usize>) -> Vec<NavItem<'a>> {
        let item = |index: usize| NavItem {
            current: current == Some(index),
            ..self.topic_link(index, root)
        };
        if self.nav_compact() {
            current.map(item).into_iter().collect()
        } else {
            (0..self.site.topics.len()).map(item).collect()
        }
    }

    fn topic_link(&self, index: usize, root: &str) -> NavItem<'a> {
        let topic = &self.site.topics[index];
        NavItem {
            title: &topic.title,
            url: format!("{root}{}", topic_path(topic.slug.as_str())),
            current: false,
        }
    }

    /// The statement of claim `claim` of topic `topic`, rendered.
    pub fn statement(&self, topic: usize, claim: usize) -> &Statement {
        self.statements[topic][claim].get_or_init(|| {
            let statement = &self.site.topics[topic].claims[claim].statement;
            Statement {
                html: markdown_inline(statement),
                text: plain_text(statement),
            }
        })
    }

    /// The summary of the source at `index` in `site.sources`, its links from `root`.
    fn summary(&self, index: usize, root: &str) -> SourceSummary<'_> {
        let source = &self.site.sources[index];
        let facts = self.facts[index].get_or_init(|| SourceFacts {
            word_count: source.word_count(),
            note_html: source.meta.note.as_deref().map(markdown_block),
        });
        let meta = &source.meta;
        SourceSummary {
            id: source.id.as_str(),
            url: format!("{root}{}", source_path(source.id.as_str())),
            file: source.file.as_str().rsplit('/').next().unwrap_or_default(),
            display_title: meta.title.as_deref().unwrap_or(source.id.as_str()),
            title: meta.title.as_deref(),
            publisher: meta.publisher.as_deref(),
            published: meta.published.as_deref(),
            original_url: meta.url.as_deref(),
            language: meta.language.as_deref(),
            translated_from: meta.translated_from.as_deref(),
            note_html: facts.note_html.as_deref(),
            sha256: &source.sha256,
            word_count: facts.word_count,
            citation_count: self.citations[index],
            claim_count: self.citing[index].len(),
        }
    }

    pub fn index(&self) -> IndexPage<'_> {
        let root = "";
        let sources: Vec<SourceSummary> = (0..self.site.sources.len())
            .map(|index| self.summary(index, root))
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
                topics: (0..self.site.topics.len())
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

    fn grid_topic(&self, index: usize, root: &str) -> GridTopic<'_> {
        let topic = &self.site.topics[index];
        let topic_url = format!("{root}{}", topic_path(topic.slug.as_str()));
        GridTopic {
            title: &topic.title,
            rows: topic
                .claims
                .iter()
                .enumerate()
                .map(|(c, claim)| GridRow {
                    id: claim.id.as_str(),
                    statement_text: &self.statement(index, c).text,
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
            url: topic_url,
        }
    }

    pub fn topic(&self, index: usize) -> TopicPage<'_> {
        let root = "../../";
        let topic = &self.site.topics[index];
        let neighbour = |i: Option<usize>| {
            i.filter(|&i| i < self.site.topics.len())
                .map(|i| self.topic_link(i, root))
        };
        TopicPage {
            slug: topic.slug.as_str(),
            title: &topic.title,
            summary_html: topic.summary.as_deref().map(markdown_block),
            claims: (0..topic.claims.len())
                .map(|claim| self.claim(index, claim, root))
                .collect(),
            statuses: status_counts(&topic.claims),
            previous: neighbour(index.checked_sub(1)),
            next: neighbour(Some(index + 1)),
            reviewed: topic.review.reviewed.as_deref(),
            last_reviewed: super::site_files::last_reviewed(topic),
            corrections: corrections(&topic.review),
        }
    }

    fn claim(&self, t: usize, c: usize, root: &str) -> ClaimContext<'_> {
        let topic = &self.site.topics[t];
        let claim = &topic.claims[c];
        let statement = self.statement(t, c);
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
            .filter_map(|c| self.citation(c, root))
            .collect();
        let cited: Vec<CitedPassage> = citations
            .iter()
            .map(|citation| CitedPassage {
                source: &self.site.sources[self.source_index[citation.source]],
                citation,
            })
            .collect();
        let json = jsonld::claim_review(&self.site.config, topic, claim, &statement.text, &cited);
        ClaimContext {
            id: claim.id.as_str(),
            statement_html: &statement.html,
            statement_text: &statement.text,
            note_html: claim.note.as_deref().map(markdown_block),
            status: claim.status,
            status_label: claim.status.label(),
            url: format!("#{}", claim.id),
            jsonld_html: jsonld::script_html(&json),
            citations,
            supporting: count(Stance::Supports),
            contradicting: count(Stance::Contradicts),
            context: count(Stance::Context),
            reviewed: claim.review.reviewed_or(&topic.review),
            corrections: corrections(&claim.review),
        }
    }

    fn citation(&self, citation: &'a VerifiedCitation, root: &str) -> Option<CitationContext<'a>> {
        let index = *self.source_index.get(citation.source.as_str())?;
        let source = &self.site.sources[index];
        let meta = &source.meta;
        let info = stance_info(citation.stance);
        let page = source_path(source.id.as_str());
        Some(CitationContext {
            source: source.id.as_str(),
            source_title: meta.title.as_deref().unwrap_or(source.id.as_str()),
            source_publisher: meta.publisher.as_deref(),
            source_published: meta.published.as_deref(),
            passage_url: format!(
                "{root}{page}#{}",
                passage_anchor(citation.anchor.chars.start)
            ),
            source_url: format!("{root}{page}"),
            original_url: meta.url.as_deref(),
            original_passage_url: self.deep_link(index, citation),
            stance: citation.stance,
            stance_label: info.label,
            stance_symbol: info.symbol,
            quote: &citation.quote,
            passage: passage_text(&source.text, &citation.anchor.fragments),
            line: citation.anchor.line,
            start: citation.anchor.chars.start,
            end: citation.anchor.chars.end,
            note_html: citation.note.as_deref().map(markdown_block),
        })
    }

    /// The passage in the original article (a text fragment link), when the source (at
    /// `index`) has a `url` and a text fragment can single the passage out.
    fn deep_link(&self, index: usize, citation: &VerifiedCitation) -> Option<String> {
        let source = &self.site.sources[index];
        let url = source.meta.url.as_deref()?;
        let searchable = self.searchable[index]
            .as_ref()?
            .get_or_init(|| Searchable::new(&source.text));
        let directive = searchable.directive(&citation.anchor.fragments)?;
        Some(fragment::deep_link(url, &directive))
    }

    /// The page of the source at `index` in `site.sources`.
    pub fn source(&self, index: usize) -> SourcePage<'_> {
        let root = "../../";
        let source = &self.site.sources[index];
        let mut citing = Vec::new();
        let mut cited = Vec::new();
        for &(t, c) in &self.citing[index] {
            let topic = &self.site.topics[t];
            let claim = &topic.claims[c];
            let here: Vec<&VerifiedCitation> = claim
                .citations
                .iter()
                .filter(|c| c.source == source.id)
                .collect();
            let mut passages: Vec<String> = here
                .iter()
                .map(|c| format!("#{}", passage_anchor(c.anchor.chars.start)))
                .collect();
            passages.dedup();
            citing.push(CitingClaim {
                id: claim.id.as_str(),
                statement_html: &self.statement(t, c).html,
                status: claim.status,
                status_label: claim.status.label(),
                url: format!("{root}{}#{}", topic_path(topic.slug.as_str()), claim.id),
                topic_title: &topic.title,
                stances: here.iter().map(|c| c.stance).collect(),
                passages,
            });
            cited.extend(here.into_iter().map(|c| (c, &**topic, claim)));
        }
        SourcePage {
            source: self.summary(index, root),
            paragraphs: source_paragraphs(&source.text, &cited, root),
            claims: citing,
        }
    }
}

fn site_context(site: &VerifiedSite) -> SiteContext {
    let config = &site.config;
    SiteContext {
        title: config.title.clone(),
        description_html: config.description.as_deref().map(markdown_block),
        base_url: config.base_url.clone(),
        language: config.language.clone(),
        publisher: config.publisher.clone(),
        generator: format!("factsheet {}", env!("CARGO_PKG_VERSION")),
        locale: super::sharing::og_locale(&config.language),
        feed: super::site_files::has_feed(site).then(|| super::site_files::FEED.to_string()),
        search: config.search,
        topic_count: site.topics.len(),
    }
}

fn corrections(review: &Review) -> Vec<CorrectionContext<'_>> {
    review
        .corrections
        .iter()
        .map(|Correction { date, note }| CorrectionContext {
            date,
            note_html: markdown_block(note),
        })
        .collect()
}

fn topic_summary<'a>(topic: &'a VerifiedTopic, root: &str) -> TopicSummary<'a> {
    TopicSummary {
        slug: topic.slug.as_str(),
        title: &topic.title,
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

fn grid_cell<'a>(claim: &VerifiedClaim, source: &'a Source, root: &str) -> GridCell<'a> {
    let cited = claim.citations.iter().filter(|c| c.source == source.id);
    let first = cited.clone().next();
    GridCell {
        source: source.id.as_str(),
        stances: cited.map(|c| c.stance).collect(),
        passage_url: first.map(|c| {
            format!(
                "{root}{}#{}",
                source_path(source.id.as_str()),
                passage_anchor(c.anchor.chars.start)
            )
        }),
    }
}

/// The cited passage as the source has it, white space folded, elisions shown as ` […] `;
/// borrowed from the source where it already reads so (one fragment, single spaces).
fn passage_text<'a>(original: &'a str, fragments: &[std::ops::Range<usize>]) -> Cow<'a, str> {
    let texts: Vec<&str> = fragments
        .iter()
        .filter_map(|range| original.get(range.clone()))
        .collect();
    if let [text] = texts[..]
        && is_folded(text)
    {
        return Cow::Borrowed(text);
    }
    let mut passage = String::new();
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            passage.push_str(" […] ");
        }
        for (j, word) in text.split_whitespace().enumerate() {
            if j > 0 {
                passage.push(' ');
            }
            passage.push_str(word);
        }
    }
    Cow::Owned(passage)
}

/// Whether `text` has its white space folded already: single spaces between words only.
fn is_folded(text: &str) -> bool {
    let mut after_space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || text.is_empty()
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
                .map(|i| {
                    std::sync::Arc::new(VerifiedTopic {
                        slug: Slug::parse(&format!("t{i}")).unwrap(),
                        file: RelPath::from_slash(&format!("content/topics/t{i}.yaml")),
                        title: format!("Topic {i}"),
                        summary: None,
                        claims: Vec::new(),
                        review: Review::default(),
                    })
                })
                .collect(),
        }
    }

    fn titles<'a>(nav: &'a [NavItem<'a>]) -> Vec<(&'a str, &'a str, bool)> {
        nav.iter()
            .map(|item| (item.title, item.url.as_str(), item.current))
            .collect()
    }

    #[test]
    fn a_passage_is_borrowed_when_its_white_space_is_folded_already() {
        let text = "One two\nthree  four five";
        assert!(matches!(
            passage_text(text, std::slice::from_ref(&(0..7))),
            Cow::Borrowed("One two")
        ));
        assert_eq!(
            passage_text(text, std::slice::from_ref(&(4..13))),
            "two three"
        );
        assert_eq!(passage_text(text, &[0..3, 14..24]), "One […] four five");
        for folded in ["", "a", "a b"] {
            assert!(is_folded(folded), "{folded:?}");
        }
        for unfolded in [" a", "a ", "a  b", "a\tb", "a\u{a0}b"] {
            assert!(!is_folded(unfolded), "{unfolded:?}");
        }
    }

    #[test]
    fn a_stance_set_is_seen_as_the_list_of_its_stances_in_order() {
        let set: StanceSet = [Stance::Context, Stance::Supports, Stance::Context]
            .into_iter()
            .collect();
        assert_eq!(set.classes(), "supports context");
        let as_list: Vec<StanceInfo> = set.iter().map(stance_info).collect();
        assert_eq!(
            tera::Value::from_serializable(&set),
            tera::Value::from_serializable(&as_list)
        );
        assert_eq!(
            serde_json::to_value(set).unwrap(),
            serde_json::to_value(&as_list).unwrap()
        );
        assert!(StanceSet::default().is_empty());
        assert_eq!(StanceSet::default().classes(), "");
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
