//! Internal links checked at build: a link of the output that names no written file, or
//! an anchor its page lacks, is a `broken-link` error naming the page and the template,
//! and nothing is written.

use std::collections::BTreeSet;
use std::fs;

use crate::support::{Site, bundled_copy, repo_root};

/// The built-in template `name` with `html` put before `before` (which it holds once).
pub fn builtin_with(name: &str, before: &str, html: &str) -> String {
    let text = fs::read_to_string(repo_root().join("templates").join(name)).unwrap();
    assert_eq!(text.matches(before).count(), 1, "`{before}` once in {name}");
    text.replacen(before, &format!("{html}\n{before}"), 1)
}

/// A site whose `topic.html` is the site's own: the built-in one with `html` added.
fn with_topic_template(html: &str) -> Site {
    Site::new().file(
        "templates/topic.html",
        &builtin_with("topic.html", "{% endblock content %}", html),
    )
}

#[test]
fn a_link_to_a_missing_file_stops_the_build_and_names_page_and_template() {
    let site = with_topic_template(r#"<p><a href="nope.html">Elsewhere</a></p>"#);
    let run = site.run(&["build"]);
    run.assert_code(1);
    assert!(
        !site.exists("public"),
        "nothing is written when a link is broken"
    );
    assert!(run.stderr.contains("error[broken-link]"), "{}", run.stderr);
    let location = site.location("templates/topic.html", "nope.html");
    assert!(
        run.stderr.contains(&location),
        "{location} in {}",
        run.stderr
    );

    let check = site.check_json();
    check.assert_code(1);
    let d = check.diagnostic("broken-link");
    assert_eq!(
        format!(
            "{}:{}:{}",
            d["file"].as_str().unwrap(),
            d["line"],
            d["column"]
        ),
        location
    );
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("`nope.html`"), "{message}");
    assert!(message.contains("`topics/main/index.html`"), "{message}");
    assert!(
        message.contains("template `templates/topic.html`"),
        "{message}"
    );
    assert!(message.contains("`topics/main/nope.html`"), "{message}");
    assert_eq!(d["suggestion"], "did you mean `index.html`?", "{d}");
}

#[test]
fn a_missing_anchor_on_the_same_page_is_broken() {
    let site = with_topic_template(
        r##"<h2 id="title">Claims</h2><a href="#titel">Up</a> <a href="#title">Up</a>"##,
    );
    let check = site.check_json();
    check.assert_code(1);
    let d = check.diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("`#titel`"), "{message}");
    assert!(
        message.contains("`topics/main/index.html` has no element with id `titel`"),
        "{message}"
    );
    assert_eq!(d["suggestion"], "did you mean `#title`?", "{d}");
    assert_eq!(d["file"], "templates/topic.html");
}

#[test]
fn a_link_to_an_unknown_source_page_suggests_the_closest() {
    let site = with_topic_template(r#"<a href="../../sources/articel/index.html">Source</a>"#);
    let d = site.check_json().diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("there is no `sources/articel/index.html` in the output"),
        "{message}"
    );
    assert_eq!(
        d["suggestion"], "did you mean `../../sources/article/index.html`?",
        "{d}"
    );
}

#[test]
fn a_link_climbing_above_the_root_is_broken() {
    let site = with_topic_template(r#"<a href="../../../index.html">Out</a>"#);
    let d = site.check_json().diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("climbs above the site's root"),
        "{message}"
    );
}

#[test]
fn the_same_broken_link_on_many_pages_is_reported_once() {
    let site = with_topic_template(r#"<a href="../../sources/unknown/index.html">x</a>"#).file(
        "content/topics/other.yaml",
        "title: Other\nclaims:\n  - id: open\n    statement: Cases remain open.\n    citations:\n      - source: article\n        quote: \"Eighteen other cases remain open\"\n",
    );
    let check = site.check_json();
    let d = check.diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("also on 1 other page"), "{message}");
}

#[test]
fn a_broken_link_in_the_base_template_names_each_page_kind() {
    let site = Site::new().file(
        "templates/base.html",
        &builtin_with("base.html", "<main", r##"<a href="#nowhere">x</a>"##),
    );
    let check = site.check_json();
    check.assert_code(1);
    let messages: Vec<String> = check
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "broken-link")
        .map(|d| {
            assert_eq!(d["file"], "templates/base.html", "{d}");
            d["message"].as_str().unwrap().to_string()
        })
        .collect();
    // One per page kind (and per other page with a template of its own, such as a 404).
    for template in ["index.html", "source.html", "topic.html"] {
        let named = format!("built-in template `{template}`");
        let found = messages.iter().filter(|m| m.contains(&named)).count();
        assert_eq!(found, 1, "{named} in {messages:#?}");
    }
}

#[test]
fn a_relative_markdown_link_is_located_in_the_content() {
    let site = Site::new().topic(
        "title: Main\nsummary: See [the other topic](other.html).\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n",
    );
    let check = site.check_json();
    check.assert_code(1);
    // The summary shows on the index and on the topic's page: broken on both.
    let broken: Vec<serde_json::Value> = check
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "broken-link")
        .collect();
    assert_eq!(broken.len(), 2, "{}", check.stdout);
    for d in broken {
        assert_eq!(d["file"], "content/topics/main.yaml", "{d}");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(2), Some(32)),
            "{d}"
        );
        let help = d["help"].as_str().unwrap();
        assert!(help.contains("Markdown"), "{help}");
    }
}

#[test]
fn links_to_static_files_resolve_and_static_pages_are_checked_too() {
    let site = Site::new()
        .file("static/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file(
            "static/about/index.html",
            "<!doctype html><title>About</title><img src=\"../logo.svg\" alt=\"\"><a href=\"../index.html#main\">Home</a><a href=\"../gone.html\">Gone</a>\n",
        );
    let d = site.check_json().diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("`../gone.html`"), "{message}");
    assert!(message.contains("in `about/index.html`"), "{message}");
    assert!(!message.contains("template"), "{message}");
}

#[test]
fn external_links_are_not_checked() {
    let site = with_topic_template(
        r#"<a href="https://example.org/nope.html#nothing">x</a> <a href="mailto:desk@example.org">y</a>"#,
    );
    site.run(&["build"]).assert_code(0);
}

#[test]
fn the_bundled_site_has_no_broken_link() {
    let site = bundled_copy();
    let check = site.check_json();
    assert!(
        check
            .diagnostics()
            .iter()
            .all(|d| d["code"] != "broken-link"),
        "{}",
        check.stdout
    );
}

#[test]
fn check_renders_the_page_a_link_names_an_anchor_of() {
    // `check` renders the topic page (its template is the site's) but not the source page,
    // which only the built-in template renders: it is rendered for its anchors all the same.
    let start = crate::support::ARTICLE.find("eight children").unwrap();
    let good = format!("../../sources/article/index.html#passage-{start}");
    let site = with_topic_template(&format!(
        r#"<a href="{good}">Good</a> <a href="../../sources/article/index.html#passage-9999">Bad</a>"#
    ));
    let check = site.check_json();
    check.assert_code(1);
    let d = check.diagnostic("broken-link");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("`sources/article/index.html` has no element with id `passage-9999`"),
        "{message}"
    );
    assert_eq!(d["suggestion"], format!("did you mean `{good}`?"), "{d}");
    assert_eq!(d["file"], "templates/topic.html");
}

/// The `broken-link` messages of a run: from `check`'s JSON, or `build`'s human report.
fn broken_links(site: &Site, command: &str) -> BTreeSet<String> {
    if command == "check" {
        let check = site.check_json();
        check.assert_code(1);
        return check
            .diagnostics()
            .iter()
            .filter(|d| d["code"] == "broken-link")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect();
    }
    let build = site.run(&["build"]);
    build.assert_code(1);
    build
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("error[broken-link]: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn check_finds_the_broken_links_of_the_content_that_build_finds() {
    // A broken link from every kind of Markdown field, and an address under `base_url`
    // in a plain one; each shows on its own set of pages. The quiet topic has none, but
    // cites the source that has some.
    let topic = |slug: &str, extra: &str| {
        format!(
            "title: {slug}\nsummary: \"[s](s-{slug}.html)\"\ncorrections:\n  - date: 2025-01-01\n    note: \"[tc](#tc-{slug})\"\nclaims:\n  - id: c-{slug}\n    statement: \"[st](st-{slug}.html) eight\"\n    note: \"[n](../n-{slug}/)\"\n    corrections:\n      - date: 2025-01-02\n        note: \"[cc](/cc-{slug}.html)\"\n    citations:\n      - source: {extra}\n        quote: \"eight children were reunited\"\n        note: \"[cn](https://facts.example.org/sheet/cn-{slug}.html)\"\n"
        )
    };
    let site = Site::new()
        .file(
            "content/site.yaml",
            "title: Test site\nbase_url: https://facts.example.org/sheet/\n",
        )
        .file("content/topics/main.yaml", &topic("main", "article"))
        .file("content/topics/other.yaml", &topic("other", "second"))
        .file("content/topics/quiet.yaml", "title: Quiet\nclaims:\n  - id: quiet\n    statement: Eight children.\n    citations:\n      - source: third\n        quote: \"eight children were reunited\"\n")
        .file("content/sources/second.txt", crate::support::ARTICLE)
        .file("content/sources/third.txt", crate::support::ARTICLE)
        .file(
            "content/sources/third.yaml",
            "title: https://facts.example.org/sheet/gone/\nnote: \"[sn](#sn)\"\n",
        );
    let from_check = broken_links(&site, "check");
    let from_build = broken_links(&site, "build");
    assert!(from_build.len() >= 14, "{from_build:#?}");
    assert_eq!(from_check, from_build);
}

#[test]
fn check_finds_the_broken_links_of_a_site_template_that_build_finds() {
    let site = Site::new()
        .file(
            "templates/base.html",
            &builtin_with(
                "base.html",
                "<main",
                r#"<a href="{{ root }}gone.html">x</a>"#,
            ),
        )
        .file(
            "templates/source.html",
            &builtin_with(
                "source.html",
                "{% endblock content %}",
                r##"<a href="#gone">x</a>"##,
            ),
        );
    let from_check = broken_links(&site, "check");
    assert_eq!(from_check.len(), 5, "{from_check:#?}");
    assert_eq!(from_check, broken_links(&site, "build"));
}
