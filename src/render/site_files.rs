//! The files a published site needs besides its pages: `sitemap.xml` and `robots.txt` for
//! search engines, and `feed.xml`, an Atom feed of the reviewed claims. Also the review
//! dates pages and these files show (a claim without its own `reviewed` shares its
//! topic's).
//!
//! Sitemaps and Atom need absolute URLs, so without `base_url` only `robots.txt` is written
//! (and `build` warns); the feed also needs at least one dated claim. Dates come from the
//! content only, never from the clock, so a build is the same for the same content. The
//! XML is a few fixed elements, written here with every text escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::OutputFile;
use super::context::{source_path, topic_path};
use super::markdown::plain_text;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{RelPath, Span};
use crate::verify::{VerifiedClaim, VerifiedSite, VerifiedTopic};

pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";
pub const FEED: &str = "feed.xml";

/// `robots.txt`, and `sitemap.xml` and `feed.xml` when the site can have them.
pub fn site_files(site: &VerifiedSite) -> Vec<OutputFile> {
    let file = |path: &str, text: String| OutputFile {
        path: path.to_string(),
        bytes: text.into_bytes(),
    };
    let mut files = vec![file(ROBOTS, robots_txt(site))];
    if let Some(base) = base_url(site) {
        files.push(file(SITEMAP, sitemap_xml(site, &base)));
        if let Some(feed) = feed_xml(site, &base) {
            files.push(file(FEED, feed));
        }
    }
    files
}

/// Every path [`site_files`] may write, so a rebuild can drop those no longer written.
pub const PATHS: [&str; 3] = [ROBOTS, SITEMAP, FEED];

/// Whether the site gets a feed: it has a `base_url` and at least one dated claim.
pub fn has_feed(site: &VerifiedSite) -> bool {
    site.config.base_url.is_some() && !feed_entries(site).is_empty()
}

/// What `build` should tell the editor about these files.
pub fn build_warnings(site: &VerifiedSite) -> Diagnostics {
    let mut warnings = Diagnostics::default();
    if site.config.base_url.is_none() {
        warnings.push(
            Diagnostic::warning(
                Code::NoBaseUrl,
                "`sitemap.xml` and `feed.xml` are not written: the site has no `base_url`",
            )
            .at(Span::file_start(RelPath::from_slash("content/site.yaml")))
            .label("no `base_url` in this file")
            .help("sitemaps and feeds need absolute addresses: add `base_url: https://…/` with the address the site is published under"),
        );
    }
    warnings
}

/// The latest review date on a topic's page: the topic's own or any of its claims'.
pub fn last_reviewed(topic: &VerifiedTopic) -> Option<&str> {
    topic
        .claims
        .iter()
        .filter_map(|claim| claim.review.reviewed.as_deref())
        .chain(topic.review.reviewed.as_deref())
        .max()
}

/// A claim's review date: its own, else its topic's.
fn claim_reviewed<'a>(topic: &'a VerifiedTopic, claim: &'a VerifiedClaim) -> Option<&'a str> {
    claim.review.reviewed_or(&topic.review)
}

/// For each source, the latest review date of the claims citing it (what its page shows).
fn source_dates(site: &VerifiedSite) -> BTreeMap<&str, &str> {
    let mut dates: BTreeMap<&str, &str> = BTreeMap::new();
    for topic in &site.topics {
        for claim in &topic.claims {
            let Some(date) = claim_reviewed(topic, claim) else {
                continue;
            };
            for citation in &claim.citations {
                let latest = dates.entry(citation.source.as_str()).or_insert(date);
                *latest = (*latest).max(date);
            }
        }
    }
    dates
}

/// Characters a URL in a sitemap or feed may not hold as they are: controls, white space
/// and (always, by `utf8_percent_encode`) anything beyond ASCII.
const URL_UNSAFE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>');

/// The site's `base_url`, percent-encoded (it ends with `/`).
fn base_url(site: &VerifiedSite) -> Option<String> {
    let base = site.config.base_url.as_deref()?;
    Some(utf8_percent_encode(base, URL_UNSAFE).to_string())
}

/// The absolute URL of the page at `path`, as canonical links write it (no `index.html`).
fn page_url(base: &str, path: &str) -> String {
    format!("{base}{}", path.trim_end_matches("index.html"))
}

fn robots_txt(site: &VerifiedSite) -> String {
    let mut text = String::from("User-agent: *\nDisallow:\n");
    if let Some(base) = base_url(site) {
        let _ = write!(text, "\nSitemap: {base}{SITEMAP}\n");
    }
    text
}

/// Every page but `404.html`, in the order of the site, with its review date when known.
fn sitemap_xml(site: &VerifiedSite, base: &str) -> String {
    let mut pages: Vec<(String, Option<&str>)> = vec![(
        page_url(base, ""),
        site.topics
            .iter()
            .filter_map(|topic| last_reviewed(topic))
            .max(),
    )];
    pages.extend(site.topics.iter().map(|topic| {
        (
            page_url(base, &topic_path(topic.slug.as_str())),
            last_reviewed(topic),
        )
    }));
    let source_dates = source_dates(site);
    pages.extend(site.sources.iter().map(|source| {
        (
            page_url(base, &source_path(source.id.as_str())),
            source_dates.get(source.id.as_str()).copied(),
        )
    }));
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in pages {
        let _ = write!(xml, "  <url>\n    <loc>{}</loc>\n", escape(&url));
        if let Some(date) = lastmod {
            let _ = writeln!(xml, "    <lastmod>{}</lastmod>", escape(date));
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// A claim in the feed.
struct Entry<'a> {
    date: &'a str,
    topic: &'a VerifiedTopic,
    claim: &'a VerifiedClaim,
}

/// The dated claims, newest first; claims of the same day in site order (topics as on the
/// index, claims as in their file). Claims with no date are left out: Atom needs one,
/// and inventing it would change with every build.
fn feed_entries(site: &VerifiedSite) -> Vec<Entry<'_>> {
    let mut entries: Vec<Entry> = site
        .topics
        .iter()
        .flat_map(|topic| topic.claims.iter().map(move |claim| (topic, claim)))
        .filter_map(|(topic, claim)| {
            claim_reviewed(topic, claim).map(|date| Entry { date, topic, claim })
        })
        .collect();
    // A stable sort keeps site order among equal dates.
    entries.sort_by(|a, b| b.date.cmp(a.date));
    entries
}

/// The Atom feed (RFC 4287), or `None` when no claim has a date.
fn feed_xml(site: &VerifiedSite, base: &str) -> Option<String> {
    let entries = feed_entries(site);
    let newest = entries.first()?.date;
    let config = &site.config;
    let author = config.publisher.as_deref().unwrap_or(&config.title);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    );
    let _ = writeln!(xml, "  <title>{}</title>", escape(&config.title));
    if let Some(description) = &config.description {
        let _ = writeln!(
            xml,
            "  <subtitle>{}</subtitle>",
            escape(&plain_text(description))
        );
    }
    let _ = writeln!(xml, "  <id>{}</id>", escape(&format!("{base}{FEED}")));
    let _ = writeln!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&format!("{base}{FEED}"))
    );
    let _ = writeln!(
        xml,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(base)
    );
    let _ = writeln!(xml, "  <updated>{}</updated>", timestamp(newest));
    let _ = writeln!(
        xml,
        "  <author>\n    <name>{}</name>\n  </author>",
        escape(author)
    );
    let _ = writeln!(
        xml,
        "  <generator version=\"{}\">factsheet</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for entry in &entries {
        feed_entry(&mut xml, base, entry);
    }
    xml.push_str("</feed>\n");
    Some(xml)
}

fn feed_entry(xml: &mut String, base: &str, entry: &Entry) {
    let Entry { date, topic, claim } = entry;
    let url = format!(
        "{}#{}",
        page_url(base, &topic_path(topic.slug.as_str())),
        claim.id
    );
    let mut summary = format!(
        "{}. Topic: {}.",
        claim.status.label(),
        plain_text(&topic.title)
    );
    let corrections: Vec<String> = claim
        .review
        .corrections
        .iter()
        .map(|fix| format!("{} — {}", fix.date, plain_text(&fix.note)))
        .collect();
    if !corrections.is_empty() {
        let _ = write!(summary, " Corrections: {}", corrections.join("; "));
    }
    let _ = write!(
        xml,
        "  <entry>\n    <title>{title}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n    <id>{url}</id>\n    <updated>{updated}</updated>\n    <category term=\"{status}\" label=\"{label}\"/>\n    <summary>{summary}</summary>\n  </entry>\n",
        title = escape(&plain_text(&claim.statement)),
        url = escape(&url),
        updated = timestamp(date),
        status = claim.status.as_str(),
        label = escape(claim.status.label()),
        summary = escape(&summary),
    );
}

/// An ISO date as the RFC 3339 time Atom requires: the start of that day, in UTC.
fn timestamp(date: &str) -> String {
    format!("{}T00:00:00Z", escape(date))
}

/// Text for XML content or a quoted attribute: the five special characters escaped, and
/// the characters XML 1.0 does not allow at all (most control characters) left out.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// The `Char` production of XML 1.0.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_xml_well_formed() {
        assert_eq!(
            escape("a < b & \"c\" > 'd'"),
            "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;"
        );
        assert_eq!(escape("bell\u{7} tab\t \u{FFFE}é"), "bell tab\t é");
    }

    #[test]
    fn page_urls_drop_index_html() {
        assert_eq!(
            page_url("https://x.org/f/", "topics/a/index.html"),
            "https://x.org/f/topics/a/"
        );
        assert_eq!(page_url("https://x.org/f/", ""), "https://x.org/f/");
    }

    #[test]
    fn base_urls_are_percent_encoded() {
        let mut site = VerifiedSite {
            config: Default::default(),
            sources: Vec::new(),
            topics: Vec::new(),
        };
        site.config.base_url = Some("https://x.org/faits vérifiés/".to_string());
        assert_eq!(
            base_url(&site).unwrap(),
            "https://x.org/faits%20v%C3%A9rifi%C3%A9s/"
        );
    }
}
