//! Provenance: each source page shows the file, its SHA-256, its word count and its
//! metadata; `claims.json` records the hashes; `check` and `build` warn when a source's
//! text changed since the build that recorded them.

use sha2::{Digest, Sha256};

use crate::support::{ARTICLE, Site};

const CHANGED: &str = "The First Lady said eight children were reunited with their families.\n\
It was “a breakthrough” — officials said — after weeks of talks.\n\
Eighteen other cases remain open.\n";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn source_changed(site: &Site) -> Vec<serde_json::Value> {
    let run = site.check_json();
    run.assert_code(0);
    run.diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "source-changed")
        .collect()
}

#[test]
fn the_source_page_shows_file_hash_words_and_metadata() {
    let site = Site::new().file(
        "content/sources/article.yaml",
        "title: \"Children <b>home</b>\"\npublisher: The Daily & Co\npublished: 2025-10-10\nurl: https://example.org/a?x=1&y=2\nlanguage: en\ntranslated_from: uk\nnote: Checked against the *print* edition.\n",
    );
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/sources/article/index.html");
    for shown in [
        "article.txt",
        &sha256(ARTICLE),
        "26 words",
        "Children &lt;b&gt;home&lt;",
        "The Daily &amp; Co",
        r#"<time datetime="2025-10-10">2025-10-10</time>"#,
        r#"href="https://example.org/a?x=1&amp;y=2""#,
        "<dd>en</dd>",
        "<dd>uk</dd>",
        "Checked against the <em>print</em> edition.",
    ] {
        assert!(page.contains(shown), "`{shown}` on the page:\n{page}");
    }
    assert!(!page.contains("<b>home"));
}

#[test]
fn claims_json_records_each_source_hash_and_word_count() {
    let site = Site::new().file("content/sources/other.txt", "One two — three.\n");
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let sources = data["sources"].as_array().unwrap();
    assert_eq!(sources[0]["id"], "article");
    assert_eq!(sources[0]["sha256"], sha256(ARTICLE));
    assert_eq!(sources[0]["word_count"], 26);
    assert_eq!(sources[1]["id"], "other");
    assert_eq!(sources[1]["sha256"], sha256("One two — three.\n"));
    assert_eq!(sources[1]["word_count"], 3);
}

#[test]
fn check_warns_when_a_source_changed_since_the_last_build() {
    let site = Site::new();
    assert!(
        source_changed(&site).is_empty(),
        "no build yet, nothing to compare"
    );
    site.run(&["build"]).assert_code(0);
    assert!(source_changed(&site).is_empty(), "unchanged");

    let site = site.file("content/sources/article.txt", CHANGED);
    let found = source_changed(&site);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["file"], "content/sources/article.txt");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(d["source"], "article");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains(&sha256(ARTICLE)[..12]), "{message}");
    assert!(message.contains(&sha256(CHANGED)[..12]), "{message}");
    assert!(d["help"].as_str().unwrap().contains("`eight`"), "{d}");
}

#[test]
fn build_warns_once_and_records_the_new_text() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let site = site.file("content/sources/article.txt", CHANGED);
    let run = site.run(&["build"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("warning[source-changed]")
            && run.stderr.contains("--> content/sources/article.txt:1:1"),
        "{}",
        run.stderr
    );
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    assert_eq!(data["sources"][0]["sha256"], sha256(CHANGED));
    assert!(source_changed(&site).is_empty(), "recorded by that build");
    let again = site.run(&["build"]);
    assert!(!again.stderr.contains("source-changed"), "{}", again.stderr);
}

#[test]
fn build_compares_with_its_own_output_directory() {
    let site = Site::new();
    site.run(&["build", "--output", "site"]).assert_code(0);
    let site = site.file("content/sources/article.txt", CHANGED);
    assert!(
        source_changed(&site).is_empty(),
        "check reads ROOT/public only"
    );
    let run = site.run(&["build", "--output", "site"]);
    assert!(
        run.stderr.contains("warning[source-changed]"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_sources_and_unreadable_records_are_not_compared() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let site = site.file("content/sources/new.txt", "A new text.\n");
    assert!(source_changed(&site).is_empty());
    let site = site
        .file("public/claims.json", "{not json")
        .file("content/sources/article.txt", CHANGED);
    assert!(source_changed(&site).is_empty());
}
