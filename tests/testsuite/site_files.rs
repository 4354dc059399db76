//! The files a published site needs besides its pages: `sitemap.xml`, `feed.xml` (Atom),
//! `robots.txt`, `404.html` and the favicon. The XML files are parsed and checked field
//! by field.

use crate::support::Site;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// A published site: a `base_url`, two topics, dated claims and one without a date.
fn dated_site() -> Site {
    Site::new()
        .file(
            "content/site.yaml",
            "title: Facts & <Figures>\nbase_url: https://example.org/facts\npublisher: The Desk\nlanguage: fr\n",
        )
        .topic(
            "title: Main\norder: 1\nreviewed: 2025-10-11\nclaims:\n  - id: eight\n    statement: Eight *children* were reunited.\n    reviewed: 2025-10-13\n    citations:\n      - source: article\n        quote: eight children were reunited\n  - id: breakthrough\n    statement: It was a breakthrough.\n    corrections:\n      - date: 2025-10-12\n        note: Said *deal*; the source says breakthrough.\n    citations:\n      - source: article\n        quote: a breakthrough\n",
        )
        .file(
            "content/topics/other.yaml",
            "title: Other\norder: 2\nclaims:\n  - id: cases\n    statement: \"Cases remain </title> & open\"\n    reviewed: 2025-10-13\n    citations:\n      - source: article\n        quote: Eighteen other cases remain open\n  - id: undated\n    statement: Officials spoke.\n    citations:\n      - source: article\n        quote: officials said\n",
        )
        .file("content/sources/unused.txt", "Nothing cites this text.\n")
}

fn parse(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML ({e}):\n{text}"))
}

/// The text of the child `name` of `node`.
fn child<'a>(node: roxmltree::Node<'a, '_>, ns: &str, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name((ns, name)))
        .map(|c| c.text().unwrap_or(""))
}

fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(move |c| c.has_tag_name((ns, name)))
}

#[test]
fn the_sitemap_lists_every_page_with_its_review_date() {
    let site = dated_site();
    site.run(&["build"]).assert_code(0);
    let text = site.read("public/sitemap.xml");
    let doc = parse(&text);
    let urlset = doc.root_element();
    assert!(urlset.has_tag_name((SITEMAP, "urlset")), "{text}");
    let urls: Vec<(String, Option<String>)> = children(urlset, SITEMAP, "url")
        .map(|url| {
            (
                child(url, SITEMAP, "loc").unwrap().to_string(),
                child(url, SITEMAP, "lastmod").map(str::to_string),
            )
        })
        .collect();
    let day = |d: &str| Some(d.to_string());
    assert_eq!(
        urls,
        [
            ("https://example.org/facts/".to_string(), day("2025-10-13")),
            (
                "https://example.org/facts/topics/main/".to_string(),
                day("2025-10-13")
            ),
            (
                "https://example.org/facts/topics/other/".to_string(),
                day("2025-10-13")
            ),
            (
                "https://example.org/facts/sources/article/".to_string(),
                day("2025-10-13")
            ),
            (
                "https://example.org/facts/sources/unused/".to_string(),
                None
            ),
        ],
        "{text}"
    );
    assert!(!text.contains("404"), "the 404 page is not listed: {text}");
}

#[test]
fn the_feed_is_atom_with_dated_claims_newest_first() {
    let site = dated_site();
    site.run(&["build"]).assert_code(0);
    let text = site.read("public/feed.xml");
    let doc = parse(&text);
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "{text}");
    assert_eq!(
        feed.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("fr")
    );
    assert_eq!(child(feed, ATOM, "title"), Some("Facts & <Figures>"));
    assert_eq!(
        child(feed, ATOM, "id"),
        Some("https://example.org/facts/feed.xml")
    );
    assert_eq!(child(feed, ATOM, "updated"), Some("2025-10-13T00:00:00Z"));
    let author = children(feed, ATOM, "author").next().unwrap();
    assert_eq!(child(author, ATOM, "name"), Some("The Desk"));
    let links: Vec<(Option<&str>, Option<&str>)> = children(feed, ATOM, "link")
        .map(|l| (l.attribute("rel"), l.attribute("href")))
        .collect();
    assert_eq!(
        links,
        [
            (Some("self"), Some("https://example.org/facts/feed.xml")),
            (Some("alternate"), Some("https://example.org/facts/"))
        ]
    );

    let entries: Vec<roxmltree::Node> = children(feed, ATOM, "entry").collect();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                child(*e, ATOM, "id").unwrap(),
                child(*e, ATOM, "updated").unwrap(),
                child(*e, ATOM, "title").unwrap(),
            )
        })
        .collect();
    // Newest first; `eight` and `cases` share a day and keep the site's order (not the
    // ids'); `breakthrough` has its topic's date; `undated` (no date of its own or from its
    // topic) is left out.
    assert_eq!(
        summary,
        [
            (
                "https://example.org/facts/topics/main/#eight",
                "2025-10-13T00:00:00Z",
                "Eight children were reunited."
            ),
            (
                "https://example.org/facts/topics/other/#cases",
                "2025-10-13T00:00:00Z",
                "Cases remain </title> & open"
            ),
            (
                "https://example.org/facts/topics/main/#breakthrough",
                "2025-10-11T00:00:00Z",
                "It was a breakthrough."
            ),
        ],
        "{text}"
    );
    let eight = entries[0];
    let link = children(eight, ATOM, "link").next().unwrap();
    assert_eq!(link.attribute("rel"), Some("alternate"));
    assert_eq!(
        link.attribute("href"),
        Some("https://example.org/facts/topics/main/#eight")
    );
    let category = children(eight, ATOM, "category").next().unwrap();
    assert_eq!(category.attribute("term"), Some("single-source"));
    assert_eq!(category.attribute("label"), Some("Single source"));
    assert_eq!(
        child(entries[2], ATOM, "summary"),
        Some(
            "Single source. Topic: Main. Corrections: 2025-10-12 — Said deal; the source says breakthrough."
        )
    );

    for page in [
        "index.html",
        "topics/main/index.html",
        "sources/article/index.html",
    ] {
        let html = site.read(&format!("public/{page}"));
        let root = if page == "index.html" { "" } else { "../../" };
        assert!(
            html.contains(&format!(
                r#"<link rel="alternate" type="application/atom+xml" title="Facts &amp; &lt;Figures&gt;" href="{root}feed.xml">"#
            )),
            "{page} links the feed"
        );
    }
}

#[test]
fn markup_and_control_characters_in_claims_keep_the_xml_well_formed() {
    let site = Site::new()
        .file(
            "content/site.yaml",
            "title: \"]]> <x>\"\nbase_url: https://example.org/?a=1&b=2\n",
        )
        .topic(
            "title: \"Main\\u0007\"\nreviewed: 2025-01-02\nclaims:\n  - id: eight\n    statement: \"<script>alert('x')</script> & \\u0001 eight\"\n    citations:\n      - source: article\n        quote: eight children\n",
        );
    site.run(&["build"]).assert_code(0);
    let feed = site.read("public/feed.xml");
    let doc = parse(&feed);
    let entry = children(doc.root_element(), ATOM, "entry").next().unwrap();
    assert_eq!(
        child(entry, ATOM, "title"),
        // U+0001 is not allowed in XML 1.0 at all: left out.
        Some("<script>alert('x')</script> &  eight")
    );
    assert_eq!(
        child(entry, ATOM, "id"),
        Some("https://example.org/?a=1&b=2/topics/main/#eight")
    );
    assert!(!feed.contains("<script>"), "{feed}");
    let sitemap = site.read("public/sitemap.xml");
    let doc = parse(&sitemap);
    let first = children(doc.root_element(), SITEMAP, "url").next().unwrap();
    assert_eq!(
        child(first, SITEMAP, "loc"),
        Some("https://example.org/?a=1&b=2/")
    );
}

#[test]
fn robots_txt_points_at_the_sitemap() {
    let site = dated_site();
    site.run(&["build"]).assert_code(0);
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nDisallow:\n\nSitemap: https://example.org/facts/sitemap.xml\n"
    );
}

#[test]
fn without_base_url_there_is_no_sitemap_or_feed_and_build_says_so() {
    let site = Site::new().topic(
        "title: Main\nreviewed: 2025-10-11\nclaims:\n  - id: eight\n    statement: Eight.\n    citations:\n      - source: article\n        quote: eight children\n",
    );
    let run = site.run(&["build"]);
    run.assert_code(0);
    assert!(!site.exists("public/sitemap.xml"));
    assert!(!site.exists("public/feed.xml"));
    assert_eq!(site.read("public/robots.txt"), "User-agent: *\nDisallow:\n");
    assert!(
        run.stderr.contains("warning[no-base-url]")
            && run.stderr.contains("--> content/site.yaml:1:1"),
        "{}",
        run.stderr
    );
    assert!(!site.read("public/index.html").contains("feed.xml"));
    // `check` is about the content: it does not warn about what `build` writes.
    let check = site.check_json();
    check.assert_code(0);
    assert!(check.diagnostics().is_empty(), "{}", check.stdout);
}

#[test]
fn without_any_review_date_there_is_no_feed() {
    let site = Site::new().file(
        "content/site.yaml",
        "title: Test site\nbase_url: https://example.org/\n",
    );
    let run = site.run(&["build"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(!site.exists("public/feed.xml"));
    assert!(!site.read("public/index.html").contains("feed.xml"));
    let sitemap = site.read("public/sitemap.xml");
    let doc = parse(&sitemap);
    assert_eq!(children(doc.root_element(), SITEMAP, "url").count(), 3);
    assert!(
        !sitemap.contains("lastmod"),
        "no date, no lastmod: {sitemap}"
    );
}

#[test]
fn the_404_page_extends_base_and_links_from_base_url() {
    let site = dated_site();
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/404.html");
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("<title>Page not found — Facts &amp; &lt;Figures&gt;</title>"));
    assert!(page.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(page.contains(r#"class="page-not-found""#));
    assert!(!page.contains(r#"rel="canonical""#), "{page}");
    assert!(page.contains(r#"href="https://example.org/facts/style.css""#));
    assert!(page.contains(r#"href="https://example.org/facts/topics/main/index.html""#));
    assert!(page.contains(r#"href="https://example.org/facts/favicon.svg""#));
}

#[test]
fn without_base_url_the_404_page_links_from_the_host_root() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/404.html");
    assert!(page.contains(r#"href="/style.css""#), "{page}");
    assert!(page.contains(r#"href="/topics/main/index.html""#), "{page}");
}

#[test]
fn a_site_template_replaces_the_404_page() {
    let site = Site::new().file(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"lost\">Lost: {{ page.kind }}</h1>{% endblock content %}",
    );
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/404.html");
    assert!(
        page.contains(r#"<h1 class="lost">Lost: not-found</h1>"#),
        "{page}"
    );
    assert!(page.contains("<!doctype html>"), "still extends base.html");
}

#[test]
fn every_page_links_the_favicon_and_a_site_may_replace_it() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let icon = site.read("public/favicon.svg");
    assert!(icon.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    parse(&icon);
    for (page, root) in [
        ("index.html", ""),
        ("topics/main/index.html", "../../"),
        ("sources/article/index.html", "../../"),
    ] {
        let html = site.read(&format!("public/{page}"));
        let link = format!(r#"<link rel="icon" href="{root}favicon.svg" type="image/svg+xml">"#);
        assert!(html.contains(&link), "{page}: {html}");
    }
    let site = site.file("static/favicon.svg", "<svg/>");
    site.run(&["build"]).assert_code(0);
    assert_eq!(site.read("public/favicon.svg"), "<svg/>");
}

#[test]
fn site_files_are_the_same_on_every_build() {
    let site = dated_site();
    site.run(&["build"]).assert_code(0);
    site.run(&["build", "--output", "again"]).assert_code(0);
    for file in [
        "sitemap.xml",
        "feed.xml",
        "robots.txt",
        "404.html",
        "claims.json",
    ] {
        assert_eq!(
            site.read(&format!("public/{file}")),
            site.read(&format!("again/{file}")),
            "{file}"
        );
    }
}
