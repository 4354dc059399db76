//! `factsheet build`: the pages, their hooks, claims.json, and never a half-written output.

use crate::support::{ARTICLE, Site};

#[test]
fn builds_every_page_with_the_hooks() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    for page in [
        "public/index.html",
        "public/topics/main/index.html",
        "public/sources/article/index.html",
        "public/claims.json",
        "public/style.css",
    ] {
        assert!(site.exists(page), "{page} is written");
    }
    let topic = site.read("public/topics/main/index.html");
    assert!(topic.contains(r#"id="eight""#), "{topic}");
    assert!(topic.contains(r#"data-claim="eight""#));
    assert!(topic.contains(r#"data-status="single-source""#));
    assert!(topic.contains(r#"data-source="article""#));
    assert!(topic.contains(r#"data-stance="supports""#));
    let source = site.read("public/sources/article/index.html");
    let start = ARTICLE.find("eight children").unwrap();
    let anchor = format!(r#"<mark id="passage-{start}" data-claims="eight""#);
    assert!(source.contains(&anchor), "{source}");
    assert!(topic.contains(&format!("sources/article/index.html#passage-{start}")));
}

#[test]
fn claims_json_has_offsets_into_the_original_text() {
    let site = Site::new().topic(
        "title: Main\nclaims:\n  - id: breakthrough\n    statement: It was called a breakthrough.\n    citations:\n      - source: article\n        quote: '\"a breakthrough\" - officials said'\n        stance: context\n",
    );
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let citation = &data["topics"][0]["claims"][0]["citations"][0];
    let (start, end) = (
        citation["start"].as_u64().unwrap() as usize,
        citation["end"].as_u64().unwrap() as usize,
    );
    let passage: String = ARTICLE.chars().skip(start).take(end - start).collect();
    assert_eq!(passage, "“a breakthrough” — officials said");
    assert_eq!(citation["line"], 2);
    assert_eq!(citation["stance"], "context");
    assert_eq!(data["topics"][0]["claims"][0]["status"], "unsupported");
    assert_eq!(data["sources"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_changed_word_fails_the_build_and_keeps_the_previous_output() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let before = site.read("public/topics/main/index.html");
    let site = site.topic(
        "title: Main\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    citations:\n      - source: article\n        quote: \"nine children were reunited\"\n",
    );
    let run = site.run(&["build"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/topics/main.yaml:7:16"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("eight"),
        "names the claim: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("article"),
        "names the source: {}",
        run.stderr
    );
    assert_eq!(
        site.read("public/topics/main/index.html"),
        before,
        "previous output untouched"
    );
}

#[test]
fn refuses_to_replace_a_directory_it_did_not_write() {
    let site = Site::new().file("mine/notes.txt", "keep me");
    let run = site.run(&["build", "--output", "mine"]);
    run.assert_code(2);
    assert!(run.stderr.contains("invalid-output-dir"), "{}", run.stderr);
    assert_eq!(site.read("mine/notes.txt"), "keep me");
    site.run(&["build", "--output", "."]).assert_code(2);
    site.run(&["build", "--output", "content"]).assert_code(2);
    assert!(site.exists("content/site.yaml"));
}

#[test]
fn markup_in_claims_is_escaped() {
    let site = Site::new().topic(
        "title: <b>Main</b>\nclaims:\n  - id: eight\n    statement: \"<script>alert(1)</script> eight\"\n    note: \"[x](javascript:alert(2))\"\n    citations:\n      - source: article\n        quote: \"eight children\"\n",
    );
    site.run(&["build"]).assert_code(0);
    let topic = site.read("public/topics/main/index.html");
    assert!(!topic.contains("<script>alert"), "{topic}");
    assert!(topic.contains("&lt;script&gt;"));
    assert!(!topic.contains("javascript:"));
    assert!(!topic.contains("<b>Main</b>"));
}

#[test]
fn a_site_template_overrides_the_built_in_one_by_name() {
    let site = Site::new().file(
        "templates/topic.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ topic.title }}</h1>{% for claim in topic.claims %}<p id=\"{{ claim.id }}\">{{ claim.statement_text }}</p>{% endfor %}{% endblock content %}",
    );
    site.run(&["build"]).assert_code(0);
    let topic = site.read("public/topics/main/index.html");
    assert!(topic.contains(r#"<h1 class="custom">Main</h1>"#), "{topic}");
    assert!(
        topic.contains("<!doctype html>"),
        "still extends the built-in base.html"
    );
    let index = site.read("public/index.html");
    assert!(
        index.contains(r#"data-status="single-source""#) || index.contains("single-source"),
        "other pages keep the built-in templates"
    );
}

#[test]
fn static_files_are_copied_and_may_replace_the_stylesheet() {
    let site = Site::new()
        .file("static/style.css", "body{}")
        .file("static/img/logo.svg", "<svg/>");
    site.run(&["build"]).assert_code(0);
    assert_eq!(site.read("public/style.css"), "body{}");
    assert_eq!(site.read("public/img/logo.svg"), "<svg/>");
}

#[test]
fn a_static_page_takes_the_place_of_the_page_at_its_path_and_its_links_are_checked() {
    let ours = "<!doctype html><title>Ours</title><p id=\"eight\"><a href=\"../../index.html\">Home</a></p>\n";
    let site = Site::new().file("static/topics/main/index.html", ours);
    site.run(&["build"]).assert_code(0);
    assert_eq!(site.read("public/topics/main/index.html"), ours);

    // The source page links to the claim's anchor, which the site's page must keep.
    let site = site.file(
        "static/topics/main/index.html",
        "<!doctype html><title>Ours</title><a href=\"../../gone.html\">Gone</a>\n",
    );
    let run = site.run(&["build"]);
    run.assert_code(1);
    for expected in [
        "`../../gone.html` in `topics/main/index.html`",
        "has no element with id `eight`",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    assert_eq!(
        site.read("public/topics/main/index.html"),
        ours,
        "the last good output stays"
    );
}

/// The rendered pages of a small site, reviewed on purpose when the theme changes.
#[test]
fn html_of_topic_and_source_pages() {
    let site = Site::new().topic(
        "title: Main\nclaims:\n  - id: eight\n    statement: Eight *children* were reunited.\n    note: Only one source.\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n      - source: article\n        quote: \"a breakthrough ... officials said\"\n        stance: context\n",
    );
    site.run(&["build"]).assert_code(0);
    insta::assert_snapshot!("topic_page", site.read("public/topics/main/index.html"));
    insta::assert_snapshot!(
        "source_page",
        site.read("public/sources/article/index.html")
    );
}

#[test]
fn timings_are_one_parseable_line_with_the_peak_memory() {
    let site = Site::new();
    let run = site.run(&["build", "--timings"]);
    run.assert_code(0);
    let line = run
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("timings: "))
        .unwrap_or_else(|| panic!("a timings line in {}", run.stderr));
    let pairs: Vec<(&str, f64, &str)> = line
        .split(", ")
        .map(|pair| {
            let (rest, unit) = pair.rsplit_once(' ').unwrap();
            let (name, value) = rest.rsplit_once(' ').unwrap();
            (name, value.parse().unwrap(), unit)
        })
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(name, _, _)| *name).collect();
    let mut expected = vec!["load", "verify", "render", "links", "search", "write"];
    if cfg!(target_os = "linux") {
        expected.push("peak memory");
    }
    assert_eq!(names, expected, "{line}");
    for (name, value, unit) in pairs {
        let (want, least) = match name {
            // A process holds at least its own binary in memory.
            "peak memory" => ("MB", 1.0),
            _ => ("ms", 0.0),
        };
        assert_eq!(unit, want, "{line}");
        assert!(value >= least, "{line}");
    }
}
