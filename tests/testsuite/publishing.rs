//! What the open web reads from the built pages: the schema.org `ClaimReview` JSON-LD of
//! every claim (parsed from the page and checked field by field, and safe against a
//! hostile statement), the metadata for sharing (description, canonical URL, Open Graph,
//! Twitter card, `lang`), and the text-fragment links into the original articles (their
//! encoding, their context, and chromium following them to the right paragraph).

use serde_json::Value;

use crate::support::{ARTICLE, Site};

const SCRIPT_OPEN: &str = r#"<script type="application/ld+json">"#;

/// A second source, without a `url`, contradicting the first.
const OTHER: &str = "Only six children were reunited, the ministry said.\n";

/// A site with a `base_url`, a publisher, a language, source metadata, review dates and
/// a correction: everything the structured data can carry.
fn full_site() -> Site {
    Site::new()
        .file(
            "content/site.yaml",
            "title: Facts & figures\n\
             description: \"A *fact sheet* on the [reunions](https://example.org/) of children, checked word for word against five reports from October, every claim with its sources, stances and passages, and notes on where they disagree.\"\n\
             base_url: https://facts.example.org/sheet/\n\
             language: en-GB\n\
             publisher: Example Desk\n",
        )
        .file(
            "content/sources/article.yaml",
            "title: Children reunited\npublisher: Daily Example\npublished: 2025-10-10\nurl: https://news.example.com/story?id=7#top\nlanguage: en\n",
        )
        .file("content/sources/other.txt", OTHER)
        .topic(
            "title: Main\n\
             summary: The **reunions**, as reported.\n\
             reviewed: 2025-10-11\n\
             claims:\n\
             \x20 - id: eight\n\
             \x20   statement: Eight *children* were reunited.\n\
             \x20   reviewed: 2025-10-14\n\
             \x20   corrections:\n\
             \x20     - date: 2025-10-20\n\
             \x20       note: Fixed the count.\n\
             \x20     - date: 2025-10-12\n\
             \x20       note: Fixed a typo.\n\
             \x20   citations:\n\
             \x20     - source: article\n\
             \x20       quote: eight children were reunited\n\
             \x20     - source: other\n\
             \x20       quote: six children were reunited\n\
             \x20       stance: contradicts\n\
             \x20 - id: breakthrough\n\
             \x20   statement: Officials called it a breakthrough.\n\
             \x20   citations:\n\
             \x20     - source: article\n\
             \x20       quote: \"“a breakthrough” — officials said\"\n",
        )
}

/// Every JSON-LD block of `page`, parsed. Each must parse as a whole: a block that ended
/// early (a `</script>` inside) would not.
fn json_ld(page: &str) -> Vec<Value> {
    page.split(SCRIPT_OPEN)
        .skip(1)
        .map(|rest| {
            let json = &rest[..rest.find("</script>").expect("the script element ends")];
            serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {json}"))
        })
        .collect()
}

/// The `content` of `<meta {attribute}="{name}" …>`, unescaped.
fn meta(page: &str, attribute: &str, name: &str) -> Option<String> {
    let start = format!(r#"<meta {attribute}="{name}" content=""#);
    let at = page.find(&start)? + start.len();
    Some(unescape(&page[at..at + page[at..].find('"')?]))
}

/// The `href` of the link whose text is `text`, unescaped.
fn link(page: &str, text: &str) -> Option<String> {
    let end = page.find(&format!(">{text}</a>"))?;
    let tag = &page[page[..end].rfind("<a ")?..end];
    let at = tag.find(r#"href=""#)? + 6;
    Some(unescape(&tag[at..at + tag[at..].find('"')?]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn built(site: &Site, page: &str) -> String {
    site.run(&["build"]).assert_code(0);
    site.read(page)
}

// --- Structured data: ClaimReview -----------------------------------------------------

#[test]
fn every_claim_has_one_claim_review_in_the_head() {
    let page = built(&full_site(), "public/topics/main/index.html");
    let reviews = json_ld(&page);
    assert_eq!(reviews.len(), 2, "one per claim");
    let head = &page[..page.find("</head>").unwrap()];
    assert_eq!(head.matches(SCRIPT_OPEN).count(), 2, "in the head");
    for (id, review) in ["eight", "breakthrough"].iter().zip(&reviews) {
        assert_eq!(review["@context"], "https://schema.org");
        assert_eq!(review["@type"], "ClaimReview");
        let url = review["url"].as_str().unwrap();
        assert!(url.ends_with(&format!("#{id}")), "in claim order: {url}");
    }
    for page in ["public/index.html", "public/sources/article/index.html"] {
        assert!(json_ld(&built(&full_site(), page)).is_empty(), "{page}");
    }
}

#[test]
fn the_claim_review_carries_every_field() {
    let page = built(&full_site(), "public/topics/main/index.html");
    let review = &json_ld(&page)[0];
    // The claim's permalink: base_url, the topic's directory, the claim's anchor.
    assert_eq!(
        review["url"],
        "https://facts.example.org/sheet/topics/main/#eight"
    );
    assert_eq!(review["claimReviewed"], "Eight children were reunited.");
    assert_eq!(review["inLanguage"], "en-GB");

    // One source supports, one contradicts: disputed, 2 on the scale of 1 to 5.
    let rating = &review["reviewRating"];
    assert_eq!(rating["@type"], "Rating");
    assert_eq!(rating["alternateName"], "Disputed");
    assert_eq!(rating["ratingValue"], 2);
    assert_eq!(rating["bestRating"], 5);
    assert_eq!(rating["worstRating"], 1);
    assert_eq!(
        rating["ratingExplanation"],
        "sources support it and sources contradict it"
    );

    for role in ["author", "publisher"] {
        assert_eq!(review[role]["@type"], "Organization", "{role}");
        assert_eq!(review[role]["name"], "Example Desk", "{role}");
        assert_eq!(
            review[role]["url"], "https://facts.example.org/sheet/",
            "{role}"
        );
    }
    // Published when last reviewed; modified by the latest correction.
    assert_eq!(review["datePublished"], "2025-10-14");
    assert_eq!(review["dateModified"], "2025-10-20");

    let claim = &review["itemReviewed"];
    assert_eq!(claim["@type"], "Claim");
    let appearance = claim["appearance"].as_array().unwrap();
    assert_eq!(appearance.len(), 2);
    // A source with a `url` appears there, with its metadata ...
    assert_eq!(appearance[0]["@type"], "CreativeWork");
    assert_eq!(
        appearance[0]["url"],
        "https://news.example.com/story?id=7#top"
    );
    assert_eq!(appearance[0]["headline"], "Children reunited");
    assert_eq!(appearance[0]["publisher"]["name"], "Daily Example");
    assert_eq!(appearance[0]["datePublished"], "2025-10-10");
    assert_eq!(appearance[0]["inLanguage"], "en");
    // ... one without, on its page of this site.
    assert_eq!(
        appearance[1]["url"],
        "https://facts.example.org/sheet/sources/other/"
    );
    assert!(appearance[1].get("headline").is_none());

    let citations = claim["citation"].as_array().unwrap();
    assert_eq!(citations.len(), 2);
    assert_eq!(citations[0]["@type"], "Quotation");
    assert_eq!(citations[0]["text"], "eight children were reunited");
    assert_eq!(citations[0]["description"], "supports the claim");
    assert_eq!(
        citations[0]["url"],
        "https://news.example.com/story?id=7#top:~:text=eight%20children%20were%20reunited"
    );
    assert_eq!(
        citations[0]["isPartOf"]["url"],
        "https://news.example.com/story?id=7#top"
    );
    assert_eq!(citations[1]["text"], "six children were reunited");
    assert_eq!(citations[1]["description"], "contradicts the claim");
    let start = OTHER.find("six").unwrap();
    assert_eq!(
        citations[1]["url"],
        format!("https://facts.example.org/sheet/sources/other/#passage-{start}")
    );

    // The second claim has no date of its own: its topic's.
    let second = &json_ld(&page)[1];
    assert_eq!(second["datePublished"], "2025-10-11");
    assert_eq!(second["dateModified"], "2025-10-11");
    assert_eq!(second["reviewRating"]["alternateName"], "Single source");
    assert_eq!(second["reviewRating"]["ratingValue"], 4);
}

#[test]
fn without_base_url_urls_are_relative_and_without_reviews_there_are_no_dates() {
    let page = built(&Site::new(), "public/topics/main/index.html");
    let review = &json_ld(&page)[0];
    // Relative URLs resolve against the topic page, as JSON-LD does.
    assert_eq!(review["url"], "#eight");
    let claim = &review["itemReviewed"];
    assert_eq!(
        claim["appearance"][0]["url"],
        "../../sources/article/index.html"
    );
    let start = ARTICLE.find("eight children").unwrap();
    assert_eq!(
        claim["citation"][0]["url"],
        format!("../../sources/article/index.html#passage-{start}")
    );
    // No publisher: the site's title; no base_url: no organisation URL.
    assert_eq!(review["author"]["name"], "Test site");
    assert!(review["author"].get("url").is_none());
    // Never the build's time: no `reviewed`, no dates.
    assert!(review.get("datePublished").is_none(), "{review}");
    assert!(review.get("dateModified").is_none(), "{review}");
    assert_eq!(review["inLanguage"], "en");
    assert_eq!(review["reviewRating"]["alternateName"], "Single source");
}

#[test]
fn every_status_has_its_place_on_the_scale() {
    // supports / contradicts per claim: corroborated, contradicted, context only.
    let site = Site::new()
        .file("content/sources/other.txt", OTHER)
        .topic(
            "title: Main\nclaims:\n\
             \x20 - id: two\n    statement: Two.\n    citations:\n      - source: article\n        quote: eight children were reunited\n      - source: other\n        quote: children were reunited\n\
             \x20 - id: against\n    statement: Against.\n    citations:\n      - source: other\n        quote: Only six children\n        stance: contradicts\n\
             \x20 - id: context\n    statement: Context.\n    citations:\n      - source: article\n        quote: after months of talks\n        stance: context\n",
        );
    let page = built(&site, "public/topics/main/index.html");
    let ratings: Vec<(String, u64)> = json_ld(&page)
        .iter()
        .map(|r| {
            let rating = &r["reviewRating"];
            (
                rating["alternateName"].as_str().unwrap().to_string(),
                rating["ratingValue"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Corroborated", 5),
        ("Contradicted", 1),
        ("Context only", 3),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    assert_eq!(ratings, expected);
}

#[test]
fn a_hostile_statement_cannot_break_out_of_the_script() {
    let statement =
        "Eight </script><script>alert(1)</script> <!-- children & </SCRIPT > were reunited.";
    let site = Site::new()
        .file(
            "content/sources/article.yaml",
            "title: \"Hostile </script><script>alert(2)</script>\\u2028line\\u2029 <!--\"\nurl: https://news.example.com/a\n",
        )
        .topic(&format!(
            "title: Main\nclaims:\n  - id: eight\n    statement: '{statement}'\n    citations:\n      - source: article\n        quote: eight children were reunited\n"
        ));
    let page = built(&site, "public/topics/main/index.html");
    assert!(!page.contains("<script>alert"), "{page}");
    let script = &page[page.find(SCRIPT_OPEN).unwrap() + SCRIPT_OPEN.len()..];
    let script = &script[..script.find("</script>").unwrap()];
    for raw in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
        assert!(!script.contains(raw), "{raw:?} unescaped in {script}");
    }
    // And yet the data is intact (the statement as plain text: Markdown's smart
    // punctuation makes `--` a dash).
    let review = &json_ld(&page)[0];
    assert_eq!(review["claimReviewed"], statement.replace("--", "–"));
    assert_eq!(
        review["itemReviewed"]["appearance"][0]["headline"],
        "Hostile </script><script>alert(2)</script>\u{2028}line\u{2029} <!--"
    );
}

#[test]
fn markup_characters_are_json_escapes_in_the_script() {
    let site = Site::new().topic(
        "title: Main\nclaims:\n  - id: eight\n    statement: 'a < b & c > d'\n    citations:\n      - source: article\n        quote: eight children were reunited\n",
    );
    let page = built(&site, "public/topics/main/index.html");
    assert!(
        page.contains(r#""claimReviewed":"a \u003c b \u0026 c \u003e d""#),
        "{page}"
    );
}

// --- Metadata for sharing ---------------------------------------------------------------

#[test]
fn pages_carry_their_description_canonical_url_and_cards() {
    let site = full_site();
    let topic = built(&site, "public/topics/main/index.html");
    assert!(
        topic.starts_with("<!doctype html>\n<html lang=\"en-GB\">"),
        "lang"
    );
    assert!(
        topic.contains("<title>Main — Facts &amp; figures</title>"),
        "title"
    );
    // The summary as plain text (no Markdown).
    let description = "The reunions, as reported.";
    assert_eq!(
        meta(&topic, "name", "description").as_deref(),
        Some(description)
    );
    assert!(
        topic.contains(
            r#"<link rel="canonical" href="https://facts.example.org/sheet/topics/main/">"#
        )
    );
    let og = |name| meta(&topic, "property", name);
    assert_eq!(og("og:type").as_deref(), Some("article"));
    assert_eq!(og("og:title").as_deref(), Some("Main"));
    assert_eq!(og("og:description").as_deref(), Some(description));
    assert_eq!(og("og:site_name").as_deref(), Some("Facts & figures"));
    assert_eq!(og("og:locale").as_deref(), Some("en_GB"));
    assert_eq!(
        og("og:url").as_deref(),
        Some("https://facts.example.org/sheet/topics/main/")
    );
    let twitter = |name| meta(&topic, "name", name);
    assert_eq!(twitter("twitter:card").as_deref(), Some("summary"));
    assert_eq!(twitter("twitter:title").as_deref(), Some("Main"));
    assert_eq!(twitter("twitter:description").as_deref(), Some(description));

    // The index: the site's description, Markdown stripped, cut at a word to 160.
    let index = site.read("public/index.html");
    let description = meta(&index, "name", "description").unwrap();
    assert!(
        description.starts_with("A fact sheet on the reunions of children, checked"),
        "{description}"
    );
    assert!(description.ends_with('…') && description.chars().count() <= 160);
    assert!(!description.contains('*') && !description.contains("]("));
    assert_eq!(
        meta(&index, "property", "og:type").as_deref(),
        Some("website")
    );
    assert_eq!(
        meta(&index, "property", "og:url").as_deref(),
        Some("https://facts.example.org/sheet/")
    );

    // A source: its title, publisher and date.
    let source = site.read("public/sources/article/index.html");
    assert_eq!(
        meta(&source, "name", "description").as_deref(),
        Some("Children reunited, Daily Example, 2025-10-10")
    );
    assert_eq!(
        meta(&source, "property", "og:title").as_deref(),
        Some("Children reunited")
    );
}

#[test]
fn without_base_url_there_is_no_canonical_or_og_url() {
    let site = Site::new();
    let topic = built(&site, "public/topics/main/index.html");
    assert!(!topic.contains(r#"rel="canonical""#));
    assert_eq!(meta(&topic, "property", "og:url"), None);
    // No summary: the statements.
    assert_eq!(
        meta(&topic, "name", "description").as_deref(),
        Some("Eight children were reunited.")
    );
    assert_eq!(meta(&topic, "property", "og:locale").as_deref(), Some("en"));
    // No description: the site's title.
    let index = site.read("public/index.html");
    assert_eq!(
        meta(&index, "name", "description").as_deref(),
        Some("Test site")
    );
}

#[test]
fn metadata_is_escaped() {
    let site = Site::new()
        .file("content/site.yaml", "title: 'A \"quoted\" <b>site</b>'\n")
        .topic(
            "title: '\"><script>alert(1)</script>'\nsummary: '\"><img src=x onerror=alert(1)>'\nclaims:\n  - id: eight\n    statement: Eight.\n    citations:\n      - source: article\n        quote: eight children were reunited\n",
        );
    let page = built(&site, "public/topics/main/index.html");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert_eq!(
        meta(&page, "property", "og:title").as_deref(),
        Some("\"><script>alert(1)</script>")
    );
    assert_eq!(
        meta(&page, "name", "description").as_deref(),
        Some("“><img src=x onerror=alert(1)>")
    );
}

// --- Deep links into the originals ----------------------------------------------------------

#[test]
fn citations_link_to_the_passage_in_the_original() {
    let page = built(&full_site(), "public/topics/main/index.html");
    assert_eq!(
        link(&page, "in the original").as_deref(),
        Some("https://news.example.com/story?id=7#top:~:text=eight%20children%20were%20reunited")
    );
    // Curly quotes and dashes are percent-encoded UTF-8.
    let breakthrough = &page[page.find(r#"id="breakthrough""#).unwrap()..];
    assert_eq!(
        link(breakthrough, "in the original").as_deref(),
        Some(
            "https://news.example.com/story?id=7#top:~:text=%E2%80%9Ca%20breakthrough%E2%80%9D%20%E2%80%94%20officials%20said"
        )
    );
    // The source without a `url` has no such link; its citation is the second of `eight`.
    let eight = &page[..page.find(r#"id="breakthrough""#).unwrap()];
    assert_eq!(eight.matches(">in the original</a>").count(), 1);
}

#[test]
fn syntax_characters_in_a_passage_are_percent_encoded() {
    let text = "Talks went on. Months later - and after a summit, in Zürich & Bern - they ended.\n";
    let site = Site::new()
        .file("content/sources/article.txt", text)
        .file("content/sources/article.yaml", "url: https://news.example.com/b\n")
        .topic(
            "title: Main\nclaims:\n  - id: dash\n    statement: After a summit.\n    citations:\n      - source: article\n        quote: later - and after a summit, in Zürich & Bern\n",
        );
    let page = built(&site, "public/topics/main/index.html");
    assert_eq!(
        link(&page, "in the original").as_deref(),
        Some(
            "https://news.example.com/b#:~:text=later%20%2D%20and%20after%20a%20summit%2C%20in%20Z%C3%BCrich%20%26%20Bern"
        )
    );
}

#[test]
fn a_passage_a_browser_would_find_elsewhere_first_gets_context() {
    // Quotes match case-sensitively, browsers do not: the first match a browser finds
    // for the quoted words is the headline, so the link says what precedes the passage.
    // A short quote gets context even where it is unique.
    let text = "OFFICIALS SAID THE TALKS WENT ON\nLater, officials said the talks went on.\nIt ended, they said.\n";
    let site = Site::new()
        .file("content/sources/article.txt", text)
        .file("content/sources/article.yaml", "url: https://news.example.com/c\n")
        .topic(
            "title: Main\nclaims:\n  - id: more\n    statement: The talks went on.\n    citations:\n      - source: article\n        quote: officials said the talks went on\n      - source: article\n        quote: they said\n",
        );
    let page = built(&site, "public/topics/main/index.html");
    let links: Vec<String> = page
        .split(r#"<a href=""#)
        .skip(1)
        .map(|rest| unescape(&rest[..rest.find('"').unwrap()]))
        .filter(|href| href.contains(":~:"))
        .collect();
    assert_eq!(
        links,
        [
            "https://news.example.com/c#:~:text=Later%2C-,officials%20said%20the%20talks%20went%20on",
            "https://news.example.com/c#:~:text=ended%2C-,they%20said",
        ]
    );
}

/// Chromium follows the links: each text fragment scrolls the publisher's page to the
/// paragraph of its passage, where the bare passage would scroll elsewhere or nowhere.
/// The "publisher's page" holds the source's lines as paragraphs far apart, on a static
/// host; skipped without chromium, as the other browser tests.
#[cfg(unix)]
#[tokio::test]
async fn chromium_scrolls_to_the_passage_each_link_names() {
    use crate::browser::harness::{Browser, StaticHost, Tools};
    const TEST: &str = "chromium_scrolls_to_the_passage_each_link_names";
    let Some(tools) = Tools::find(TEST) else {
        return;
    };
    let text = "OFFICIALS SAID THE TALKS WENT ON\n\
                Later, officials said the talks went on.\n\
                The children's home was closed, officials said.\n";
    let paragraphs: String = text
        .lines()
        .map(|line| {
            format!(
                "<p>{}</p>\n",
                line.replace('&', "&amp;").replace('<', "&lt;")
            )
        })
        .collect();
    let publisher = tempfile::tempdir().unwrap();
    std::fs::write(
        publisher.path().join("article.html"),
        format!(
            "<!doctype html><meta charset=utf-8><title>Article</title>\
             <style>p {{ margin: 3000px 0 }}</style>\n{paragraphs}"
        ),
    )
    .unwrap();
    let host = StaticHost::start(publisher.path());
    let article = host.url("/article.html");
    let site = Site::new()
        .file("content/sources/article.txt", text)
        .file("content/sources/article.yaml", &format!("url: {article}\n"))
        .topic(
            "title: Main\nclaims:\n  - id: talks\n    statement: The talks went on.\n    citations:\n      - source: article\n        quote: officials said the talks went on\n      - source: article\n        quote: children\n        stance: context\n",
        );
    let page = built(&site, "public/topics/main/index.html");
    let links: Vec<String> = page
        .split(r#"<a href=""#)
        .skip(1)
        .map(|rest| unescape(&rest[..rest.find('"').unwrap()]))
        .filter(|href| href.contains(":~:"))
        .collect();
    assert_eq!(
        links,
        [
            format!("{article}#:~:text=Later%2C-,officials%20said%20the%20talks%20went%20on"),
            format!("{article}#:~:text=children,-'s"),
        ]
    );

    let browser = Browser::start(&tools).await;
    // The paragraph (0-based) a fresh load of `url` shows, or `None` when it stays on top.
    let shown = async |url: &str| -> Option<u64> {
        let client = &browser.client;
        client.goto("about:blank").await.unwrap();
        client.goto(url).await.unwrap();
        let script = "const ps = [...document.querySelectorAll('p')];\
                      if (document.readyState !== 'complete' || scrollY === 0) return null;\
                      return ps.findIndex(p => { const r = p.getBoundingClientRect();\
                      return r.top < innerHeight && r.bottom > 0; });";
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            let value = client.execute(script, vec![]).await.unwrap();
            if let Some(index) = value.as_u64() {
                return Some(index);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    };
    assert_eq!(shown(&links[0]).await, Some(1), "{}", links[0]);
    assert_eq!(shown(&links[1]).await, Some(2), "{}", links[1]);
    // Without their context: the headline, and nothing (no word ends inside "children's").
    let bare = format!("{article}#:~:text=officials%20said%20the%20talks%20went%20on");
    assert_eq!(shown(&bare).await, Some(0), "{bare}");
    let bare = format!("{article}#:~:text=children");
    assert_eq!(shown(&bare).await, None, "{bare}");
}
