//! `claims.json`: every topic, claim and resolved citation as data, in the shape the
//! format contract fixes. Paths are relative to the site root, like the pages'. Also
//! reads back what a previous build recorded there (the sources' hashes), for provenance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::{passage_anchor, source_path, topic_path};
use crate::model::{Correction, Review, Stance, Status};
use crate::verify::VerifiedSite;

#[derive(Serialize)]
struct ClaimsFile<'a> {
    site: SiteData<'a>,
    sources: Vec<SourceData<'a>>,
    topics: Vec<TopicData<'a>>,
}

#[derive(Serialize)]
struct SiteData<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
}

#[derive(Serialize)]
struct SourceData<'a> {
    id: &'a str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    translated_from: Option<&'a str>,
    sha256: &'a str,
    word_count: usize,
}

/// `reviewed` and `corrections` as written, each left out when absent or empty.
#[derive(Serialize)]
struct ReviewData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reviewed: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    corrections: &'a [Correction],
}

impl<'a> From<&'a Review> for ReviewData<'a> {
    fn from(review: &'a Review) -> Self {
        ReviewData {
            reviewed: review.reviewed.as_deref(),
            corrections: &review.corrections,
        }
    }
}

#[derive(Serialize)]
struct TopicData<'a> {
    slug: &'a str,
    title: &'a str,
    url: String,
    #[serde(flatten)]
    review: ReviewData<'a>,
    claims: Vec<ClaimData<'a>>,
}

#[derive(Serialize)]
struct ClaimData<'a> {
    id: &'a str,
    statement: &'a str,
    status: Status,
    url: String,
    #[serde(flatten)]
    review: ReviewData<'a>,
    citations: Vec<CitationData<'a>>,
}

#[derive(Serialize)]
struct CitationData<'a> {
    source: &'a str,
    stance: Stance,
    quote: &'a str,
    start: usize,
    end: usize,
    line: usize,
    url: String,
}

/// The bytes of `claims.json` (pretty-printed, ending in a newline).
pub fn claims_json(site: &VerifiedSite) -> Vec<u8> {
    let config = &site.config;
    let file = ClaimsFile {
        site: SiteData {
            title: &config.title,
            description: config.description.as_deref(),
            base_url: config.base_url.as_deref(),
            language: &config.language,
            publisher: config.publisher.as_deref(),
        },
        sources: site
            .sources
            .iter()
            .map(|source| SourceData {
                id: source.id.as_str(),
                file: source.file.as_str(),
                title: source.meta.title.as_deref(),
                publisher: source.meta.publisher.as_deref(),
                published: source.meta.published.as_deref(),
                url: source.meta.url.as_deref(),
                language: source.meta.language.as_deref(),
                translated_from: source.meta.translated_from.as_deref(),
                sha256: &source.sha256,
                word_count: source.word_count(),
            })
            .collect(),
        topics: site
            .topics
            .iter()
            .map(|topic| {
                let url = topic_path(topic.slug.as_str());
                TopicData {
                    slug: topic.slug.as_str(),
                    title: &topic.title,
                    review: (&topic.review).into(),
                    claims: topic
                        .claims
                        .iter()
                        .map(|claim| ClaimData {
                            id: claim.id.as_str(),
                            statement: &claim.statement,
                            status: claim.status,
                            url: format!("{url}#{}", claim.id),
                            review: (&claim.review).into(),
                            citations: claim
                                .citations
                                .iter()
                                .map(|citation| CitationData {
                                    source: citation.source.as_str(),
                                    stance: citation.stance,
                                    quote: &citation.quote,
                                    start: citation.anchor.chars.start,
                                    end: citation.anchor.chars.end,
                                    line: citation.anchor.line,
                                    url: format!(
                                        "{}#{}",
                                        source_path(citation.source.as_str()),
                                        passage_anchor(citation.anchor.chars.start)
                                    ),
                                })
                                .collect(),
                        })
                        .collect(),
                    url,
                }
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).expect("claims data always serialises");
    bytes.push(b'\n');
    bytes
}

/// What [`recorded_hashes`] reads of a previous `claims.json`: each source's id and hash.
#[derive(Deserialize)]
struct RecordedSource {
    id: String,
    sha256: String,
}

/// The SHA-256 of each source, by id, as a previous build recorded it in `claims.json`;
/// `None` when `file` is not such a file.
///
/// Reading stops at the end of `sources`, which `claims_json` writes before the topics:
/// the claims after it are most of the file (13 MB for 1,000 sources) and are not even
/// read from `file` (buffer it: the JSON reader reads a byte at a time).
pub fn recorded_hashes(file: impl std::io::Read) -> Option<BTreeMap<String, String>> {
    let mut sources = None;
    let mut reader = serde_json::Deserializer::from_reader(file);
    // Stopping early leaves the object open, which the reader reports as an error once
    // `sources` is read; only `sources` tells whether the file was one of ours.
    let _ = serde::Deserializer::deserialize_map(&mut reader, SourcesOnly(&mut sources));
    Some(
        sources?
            .into_iter()
            .map(|source| (source.id, source.sha256))
            .collect(),
    )
}

/// Reads the keys of `claims.json` up to `sources`, and that key's value.
struct SourcesOnly<'a>(&'a mut Option<Vec<RecordedSource>>);

impl<'de> serde::de::Visitor<'de> for SourcesOnly<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("the object of a `claims.json`")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "sources" {
                *self.0 = Some(map.next_value()?);
                return Ok(());
            }
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = r#"{"site": {"title": "S", "sources": "not these"},
        "sources": [{"id": "a", "file": "content/sources/a.txt", "sha256": "aa", "word_count": 1},
                    {"id": "b", "sha256": "bb"}],
        "topics": [{"slug": "t", "claims": []}]}"#;

    #[test]
    fn recorded_hashes_are_read_from_sources_alone() {
        let hashes = recorded_hashes(RECORDED.as_bytes()).unwrap();
        assert_eq!(
            hashes.into_iter().collect::<Vec<_>>(),
            [("a".into(), "aa".into()), ("b".into(), "bb".into())]
        );
        // What follows `sources` is not read: a broken rest does not matter.
        let cut = &RECORDED[..RECORDED.find("\"topics\"").unwrap()];
        assert_eq!(recorded_hashes(cut.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn anything_but_a_claims_json_records_nothing() {
        for other in [
            "",
            "[]",
            "not json",
            r#"{"site": {}, "topics": []}"#,
            r#"{"sources": [{"id": "a"}]}"#,
            r#"{"site": {"#,
        ] {
            assert_eq!(recorded_hashes(other.as_bytes()), None, "{other:?}");
        }
    }
}
