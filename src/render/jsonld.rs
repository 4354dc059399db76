//! Structured data for fact-check aggregators and search engines: one schema.org
//! `ClaimReview` per claim, as JSON-LD, and the `<script>` element that carries it safely
//! inside a page.
//!
//! The rating scale (documented in `docs/format.md`): a claim's computed status, from 1
//! (`contradicted`) to 5 (`corroborated`), says how the cited sources bear on the
//! statement, not whether it is true. URLs are absolute under `base_url`; without it they
//! are relative to the topic page, which JSON-LD resolves against the page's own address.

use std::borrow::Cow;

use serde::Serialize;

use super::context::{CitationContext, passage_anchor, source_path, topic_path};
use crate::model::{SiteConfig, Source, Stance, Status};
use crate::verify::{VerifiedClaim, VerifiedTopic};

/// The best and worst `ratingValue` of the scale.
pub const BEST_RATING: u8 = 5;
pub const WORST_RATING: u8 = 1;

/// Where a status sits on the rating scale: the more the sources support the statement
/// and the less they contradict it, the higher.
pub fn rating_value(status: Status) -> u8 {
    match status {
        Status::Contradicted => 1,
        Status::Disputed => 2,
        Status::Unsupported => 3,
        Status::SingleSource => 4,
        Status::Corroborated => 5,
    }
}

/// One cited passage of the claim, with its source.
pub struct CitedPassage<'a> {
    pub source: &'a Source,
    pub citation: &'a CitationContext<'a>,
}

// The JSON-LD borrows the texts it holds from the site and the claim's context: a topic
// page has one per claim, and a large site tens of thousands.

#[derive(Serialize)]
struct ClaimReview<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
    #[serde(rename = "claimReviewed")]
    claim_reviewed: &'a str,
    #[serde(rename = "reviewRating")]
    review_rating: Rating,
    #[serde(rename = "itemReviewed")]
    item_reviewed: Claim<'a>,
    author: Organization<'a>,
    publisher: Organization<'a>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<&'a str>,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
}

#[derive(Serialize)]
struct Rating {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "ratingValue")]
    rating_value: u8,
    #[serde(rename = "bestRating")]
    best_rating: u8,
    #[serde(rename = "worstRating")]
    worst_rating: u8,
    #[serde(rename = "alternateName")]
    alternate_name: &'static str,
    #[serde(rename = "ratingExplanation")]
    rating_explanation: &'static str,
}

#[derive(Serialize)]
struct Claim<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    appearance: Vec<Appearance<'a>>,
    citation: Vec<Quotation<'a>>,
}

/// A cited source, where the claim (or what bears on it) appears.
#[derive(Serialize)]
struct Appearance<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<Organization<'a>>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    #[serde(rename = "inLanguage", skip_serializing_if = "Option::is_none")]
    in_language: Option<&'a str>,
}

/// A cited passage.
#[derive(Serialize)]
struct Quotation<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
    url: Cow<'a, str>,
    description: &'static str,
    #[serde(rename = "isPartOf")]
    is_part_of: PartOf<'a>,
}

#[derive(Serialize)]
struct PartOf<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: Cow<'a, str>,
}

#[derive(Clone, Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The `ClaimReview` of `claim` (whose statement reads `statement` as plain text) on
/// `topic`'s page, as compact JSON.
pub fn claim_review(
    config: &SiteConfig,
    topic: &VerifiedTopic,
    claim: &VerifiedClaim,
    statement: &str,
    cited: &[CitedPassage],
) -> String {
    let urls = Urls { config };
    let organization = Organization {
        kind: "Organization",
        name: config.publisher.as_deref().unwrap_or(&config.title),
        url: config.base_url.as_deref(),
    };
    let published = claim.review.reviewed_or(&topic.review);
    let review = ClaimReview {
        context: "https://schema.org",
        kind: "ClaimReview",
        url: urls.claim(topic, claim),
        claim_reviewed: statement,
        review_rating: rating(claim.status),
        item_reviewed: Claim {
            kind: "Claim",
            appearance: appearances(&urls, cited),
            citation: cited.iter().map(|c| quotation(&urls, c)).collect(),
        },
        author: organization.clone(),
        publisher: organization,
        date_published: published,
        date_modified: published.map(|date| last_modified(date, claim)),
        in_language: &config.language,
    };
    // Room for a claim with a few citations, which is most of them.
    let mut json = Vec::with_capacity(4096);
    match serde_json::to_writer(&mut json, &review) {
        Ok(()) => String::from_utf8(json).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// `json` in a `<script type="application/ld+json">` element. `<`, `>` and `&` are
/// written as JSON escapes, so no text in it (`</script>`, `<!--`) can end the element
/// or open a comment, and U+2028/U+2029 too, for scripts that read it as JavaScript.
pub fn script_html(json: &str) -> String {
    const OPEN: &str = r#"<script type="application/ld+json">"#;
    const CLOSE: &str = "</script>";
    let mut out = String::with_capacity(OPEN.len() + json.len() + CLOSE.len() + 32);
    out.push_str(OPEN);
    // Copied a run at a time, between the characters to escape; the separators are
    // rare, and only looked for character by character where the text has some.
    let separators = json.contains('\u{2028}') || json.contains('\u{2029}');
    let mut copied = 0;
    while let Some(found) = if separators {
        json[copied..].find(['<', '>', '&', '\u{2028}', '\u{2029}'])
    } else {
        memchr::memchr3(b'<', b'>', b'&', &json.as_bytes()[copied..])
    } {
        let at = copied + found;
        let c = json[at..].chars().next().unwrap_or_default();
        out.push_str(&json[copied..at]);
        out.push_str(match c {
            '<' => r"\u003c",
            '>' => r"\u003e",
            '&' => r"\u0026",
            '\u{2028}' => r"\u2028",
            _ => r"\u2029",
        });
        copied = at + c.len_utf8();
    }
    out.push_str(&json[copied..]);
    out.push_str(CLOSE);
    out
}

fn rating(status: Status) -> Rating {
    Rating {
        kind: "Rating",
        rating_value: rating_value(status),
        best_rating: BEST_RATING,
        worst_rating: WORST_RATING,
        alternate_name: status.label(),
        rating_explanation: super::context::status_description(status),
    }
}

/// The later of the review date and the claim's corrections (ISO dates sort as text).
fn last_modified<'a>(reviewed: &'a str, claim: &'a VerifiedClaim) -> &'a str {
    claim
        .review
        .corrections
        .iter()
        .map(|c| c.date.as_str())
        .fold(reviewed, |latest, date| latest.max(date))
}

/// Every cited source once, in the order first cited.
fn appearances<'a>(urls: &Urls, cited: &[CitedPassage<'a>]) -> Vec<Appearance<'a>> {
    let mut seen: Vec<&str> = Vec::with_capacity(cited.len());
    cited
        .iter()
        .filter(|c| {
            let id = c.source.id.as_str();
            let first = !seen.contains(&id);
            if first {
                seen.push(id);
            }
            first
        })
        .map(|c| {
            let meta = &c.source.meta;
            Appearance {
                kind: "CreativeWork",
                url: urls.source(c.source),
                headline: meta.title.as_deref(),
                publisher: meta.publisher.as_deref().map(|name| Organization {
                    kind: "Organization",
                    name,
                    url: None,
                }),
                date_published: meta.published.as_deref(),
                in_language: meta.language.as_deref(),
            }
        })
        .collect()
}

fn quotation<'a>(urls: &Urls, cited: &CitedPassage<'a>) -> Quotation<'a> {
    let citation = cited.citation;
    Quotation {
        kind: "Quotation",
        text: &citation.passage,
        url: match &citation.original_passage_url {
            Some(url) => Cow::Borrowed(url),
            None => Cow::Owned(urls.passage(cited.source, citation.start)),
        },
        description: match citation.stance {
            Stance::Supports => "supports the claim",
            Stance::Contradicts => "contradicts the claim",
            Stance::Context => "gives context to the claim",
        },
        is_part_of: PartOf {
            kind: "CreativeWork",
            url: urls.source(cited.source),
        },
    }
}

/// URLs as seen from a topic page: absolute under `base_url`, else relative.
struct Urls<'a> {
    config: &'a SiteConfig,
}

impl Urls<'_> {
    /// A page of the site, by its output path (`…/index.html`), with an optional anchor.
    fn page(&self, path: &str, anchor: Option<&str>) -> String {
        let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
        match &self.config.base_url {
            Some(base) => format!("{base}{}{anchor}", path.trim_end_matches("index.html")),
            None => format!("../../{path}{anchor}"),
        }
    }

    fn claim(&self, topic: &VerifiedTopic, claim: &VerifiedClaim) -> String {
        match &self.config.base_url {
            Some(_) => self.page(&topic_path(topic.slug.as_str()), Some(claim.id.as_str())),
            None => format!("#{}", claim.id),
        }
    }

    /// The original article when known, else the source's page.
    fn source<'s>(&self, source: &'s Source) -> Cow<'s, str> {
        match &source.meta.url {
            Some(url) => Cow::Borrowed(url),
            None => Cow::Owned(self.page(&source_path(source.id.as_str()), None)),
        }
    }

    fn passage(&self, source: &Source, start: usize) -> String {
        self.page(
            &source_path(source.id.as_str()),
            Some(&passage_anchor(start)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_element_cannot_be_broken_out_of() {
        let json = serde_json::to_string(&serde_json::json!({
            "a": "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029} >"
        }))
        .unwrap();
        let html = script_html(&json);
        let inner = html
            .strip_prefix(r#"<script type="application/ld+json">"#)
            .and_then(|rest| rest.strip_suffix("</script>"))
            .unwrap();
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!inner.contains(bad), "{bad:?} in {inner}");
        }
        let back: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(
            back["a"],
            "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029} >"
        );
    }

    #[test]
    fn the_script_keeps_every_other_character_as_it_is() {
        let json = "{\"a\":\"“quoted” – \u{2028}é\u{2029}\u{e2}<\"}";
        assert_eq!(
            script_html(json),
            "<script type=\"application/ld+json\">{\"a\":\"“quoted” – \\u2028é\\u2029\u{e2}\\u003c\"}</script>"
        );
        assert_eq!(
            script_html(""),
            "<script type=\"application/ld+json\"></script>"
        );
        // Without line or paragraph separators.
        assert_eq!(
            script_html("“</a>&”"),
            "<script type=\"application/ld+json\">“\\u003c/a\\u003e\\u0026”</script>"
        );
    }

    #[test]
    fn the_rating_scale_orders_the_statuses() {
        let order = [
            Status::Contradicted,
            Status::Disputed,
            Status::Unsupported,
            Status::SingleSource,
            Status::Corroborated,
        ];
        let values: Vec<u8> = order.into_iter().map(rating_value).collect();
        assert_eq!(values, [1, 2, 3, 4, 5]);
        assert_eq!(rating_value(Status::Contradicted), WORST_RATING);
        assert_eq!(rating_value(Status::Corroborated), BEST_RATING);
    }
}
