//! Every bad input an editor can produce gets one clear diagnostic at the offending value
//! (file, line and column as the JSON report gives them) and exit 1, or exit 2 for usage
//! and I/O problems; never a panic. Warnings leave the exit code at 0.

use crate::support::{ARTICLE, Site};

const TOPIC: &str = "content/topics/main.yaml";

/// A file's text from its lines (one string per line), so tests can count lines.
fn lines(lines: &[&str]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The main topic with one claim, `eight`, whose citations are `citations`: the first
/// citation's `- source:` is line 6 (value at column 17), its `quote:` line 7 (column 16).
fn citing(citations: &[&str]) -> String {
    let mut all = vec![
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: Eight children were reunited.",
        "    citations:",
    ];
    all.extend_from_slice(citations);
    lines(&all)
}

/// The main topic citing `quote` from `source` (value at line 7, column 16).
fn quoting(source: &str, quote: &str) -> String {
    citing(&[
        &format!("      - source: {source}"),
        &format!("        quote: {quote}"),
    ])
}

/// `check --format json` on `site`, asserting exit 1 and the one diagnostic `code` at
/// `line`:`column` of the main topic.
fn error_in_topic(site: &Site, code: &str, line: u64, column: u64) -> serde_json::Value {
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column(code, TOPIC, line, column);
    assert_eq!(d["severity"], "error", "{d}");
    d
}

/// `check --format json` on `site`: exit 0, no errors, and the one warning `code` at
/// `file`:`line`:`column`.
fn warning(site: &Site, code: &str, file: &str, line: u64, column: u64) -> serde_json::Value {
    let run = site.check_json();
    run.assert_code(0);
    assert_eq!(run.json()["errors"], 0, "{}", run.stdout);
    let d = run.assert_at_column(code, file, line, column);
    assert_eq!(d["severity"], "warning", "{d}");
    d
}

fn help(d: &serde_json::Value) -> &str {
    d["help"]
        .as_str()
        .unwrap_or_else(|| panic!("a help in {d}"))
}

// ---------------------------------------------------------------------------------------
// YAML syntax

#[test]
fn bad_indentation_is_a_yaml_syntax_error_at_the_misplaced_key() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: Eight children were reunited.",
        "   citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let d = error_in_topic(&site, "yaml-syntax", 5, 4);
    assert!(help(&d).contains("indentation"), "{d}");
}

#[test]
fn unclosed_quote_points_at_the_opening_quote() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: \"Eight children were reunited.",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let d = error_in_topic(&site, "yaml-syntax", 4, 16);
    assert!(help(&d).contains("quoted"), "{d}");
}

#[test]
fn unclosed_quote_at_the_end_of_the_file_points_at_the_opening_quote() {
    let site = Site::new().topic(&quoting("article", "\"eight children"));
    error_in_topic(&site, "yaml-syntax", 7, 16);
}

#[test]
fn tab_indentation_is_a_yaml_syntax_error_with_help() {
    let site = Site::new().topic("title: Main\nclaims:\n\t- id: eight\n");
    let d = error_in_topic(&site, "yaml-syntax", 3, 2);
    assert!(help(&d).contains("spaces"), "{d}");
}

#[test]
fn duplicate_key_is_reported_at_the_second_one() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "title: Again",
        "claims:",
        "  - id: eight",
    ]));
    let d = error_in_topic(&site, "duplicate-key", 2, 1);
    assert!(d["message"].as_str().unwrap().contains("title"), "{d}");
}

// ---------------------------------------------------------------------------------------
// The shape of the YAML

#[test]
fn topic_that_is_a_list_is_a_wrong_type_at_line_1() {
    let site = Site::new().topic("- title: Main\n- claims: []\n");
    let d = error_in_topic(&site, "wrong-type", 1, 1);
    assert!(help(&d).contains("title:"), "{d}");
}

#[test]
fn topic_that_is_a_scalar_is_a_wrong_type_at_line_1() {
    let site = Site::new().topic("Just some text about the topic.\n");
    error_in_topic(&site, "wrong-type", 1, 1);
}

#[test]
fn number_where_text_belongs_is_a_wrong_type_with_help_to_quote_it() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: 12",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let d = error_in_topic(&site, "wrong-type", 4, 16);
    assert!(help(&d).contains(r#"`statement: "12"`"#), "{d}");
}

#[test]
fn the_help_to_quote_a_value_repeats_it_as_written() {
    // YAML reads `yes` as true and `007` as 7: the fix must quote what the editor typed.
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: 007",
        "    note: yes",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let run = site.check_json();
    run.assert_code(1);
    let wrong: Vec<serde_json::Value> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "wrong-type")
        .collect();
    assert_eq!(wrong.len(), 2, "{}", run.stdout);
    assert_eq!(
        (wrong[0]["line"].as_u64(), wrong[0]["column"].as_u64()),
        (Some(4), Some(16))
    );
    assert!(
        help(&wrong[0]).contains(r#"`statement: "007"`"#),
        "{}",
        wrong[0]
    );
    assert_eq!(
        (wrong[1]["line"].as_u64(), wrong[1]["column"].as_u64()),
        (Some(5), Some(11))
    );
    assert!(help(&wrong[1]).contains(r#"`note: "yes"`"#), "{}", wrong[1]);
}

#[test]
fn map_where_a_list_belongs_is_a_wrong_type() {
    let site = Site::new().topic("title: Main\nclaims: {a: 1}\n");
    let d = error_in_topic(&site, "wrong-type", 2, 9);
    assert!(help(&d).contains("- "), "{d}");
}

#[test]
fn a_claim_that_is_text_is_a_wrong_type_at_the_claim() {
    let site = Site::new().topic("title: Main\nclaims:\n  - Eight children were reunited.\n");
    let d = error_in_topic(&site, "wrong-type", 3, 5);
    assert!(help(&d).contains("key: value"), "{d}");
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statment: Eight children were reunited.",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let d = error_in_topic(&site, "unknown-key", 4, 5);
    assert_eq!(help(&d), "did you mean `statement`?");
}

#[test]
fn unknown_key_in_site_yaml_suggests_the_right_one() {
    let site = Site::new().file("content/site.yaml", "titel: Test site\n");
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("unknown-key", "content/site.yaml", 1, 1);
    assert_eq!(help(&d), "did you mean `title`?");
}

#[test]
fn invalid_date_in_source_metadata_is_located_at_the_date() {
    let site = Site::new().file(
        "content/sources/article.yaml",
        "title: The article\npublished: 10/10/2025\n",
    );
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at_column("invalid-date", "content/sources/article.yaml", 2, 12);
}

// ---------------------------------------------------------------------------------------
// Missing and empty values

/// A missing required field: `missing-field` naming it, at the map that lacks it.
fn assert_missing(yaml: &str, field: &str, line: u64, column: u64) {
    let site = Site::new().topic(yaml);
    let d = error_in_topic(&site, "missing-field", line, column);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains(&format!("`{field}`")), "{d}");
    assert!(help(&d).contains(field), "{d}");
}

#[test]
fn missing_title() {
    let yaml = quoting("article", "eight children").replace("title: Main\n", "");
    assert_missing(&yaml, "title", 1, 1);
}

#[test]
fn missing_claims() {
    assert_missing("title: Main\nsummary: Nothing yet.\n", "claims", 1, 1);
}

#[test]
fn missing_claim_id() {
    let yaml = quoting("article", "eight children")
        .replace("  - id: eight\n    statement", "  - statement");
    assert_missing(&yaml, "id", 3, 5);
}

#[test]
fn missing_statement() {
    let yaml = quoting("article", "eight children")
        .replace("    statement: Eight children were reunited.\n", "");
    assert_missing(&yaml, "statement", 3, 5);
}

#[test]
fn missing_citations() {
    let yaml = lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: Eight children were reunited.",
    ]);
    assert_missing(&yaml, "citations", 3, 5);
}

#[test]
fn missing_source() {
    assert_missing(&citing(&["      - quote: eight children"]), "source", 6, 9);
}

#[test]
fn missing_quote() {
    assert_missing(&citing(&["      - source: article"]), "quote", 6, 9);
}

#[test]
fn key_without_a_value_is_an_empty_value_at_the_key() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement:",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    let d = error_in_topic(&site, "empty-value", 4, 5);
    assert!(d["message"].as_str().unwrap().contains("statement"), "{d}");
}

#[test]
fn empty_claims_list() {
    let site = Site::new().topic("title: Main\nclaims: []\n");
    error_in_topic(&site, "empty-list", 2, 9);
}

#[test]
fn empty_citations_list() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statement: Eight children were reunited.",
        "    citations: []",
    ]));
    error_in_topic(&site, "empty-list", 5, 16);
}

// ---------------------------------------------------------------------------------------
// Quotes that cannot be searched for

#[test]
fn empty_quote() {
    let site = Site::new().topic(&quoting("article", "\"\""));
    let d = error_in_topic(&site, "empty-quote", 7, 16);
    assert_eq!(
        (d["claim"].as_str(), d["source"].as_str()),
        (Some("eight"), Some("article"))
    );
}

#[test]
fn whitespace_only_quote() {
    let site = Site::new().topic(&quoting("article", "\"   \""));
    error_in_topic(&site, "empty-quote", 7, 16);
}

#[test]
fn quote_key_without_a_value_is_an_empty_quote() {
    let site = Site::new().topic(&citing(&["      - source: article", "        quote:"]));
    error_in_topic(&site, "empty-quote", 7, 9);
}

#[test]
fn quote_of_three_dots_is_ellipsis_only() {
    let site = Site::new().topic(&quoting("article", "\"...\""));
    error_in_topic(&site, "ellipsis-only-quote", 7, 16);
}

#[test]
fn quote_of_an_ellipsis_character_is_ellipsis_only() {
    let site = Site::new().topic(&quoting("article", "\"…\""));
    error_in_topic(&site, "ellipsis-only-quote", 7, 16);
}

#[test]
fn quote_of_a_bracketed_ellipsis_is_ellipsis_only() {
    let site = Site::new().topic(&quoting("article", "\"[...]\""));
    error_in_topic(&site, "ellipsis-only-quote", 7, 16);
}

// ---------------------------------------------------------------------------------------
// Stances and identifiers

#[test]
fn unknown_stance_suggests_the_right_one() {
    let site = Site::new().topic(&citing(&[
        "      - source: article",
        "        quote: eight children",
        "        stance: suports",
    ]));
    let d = error_in_topic(&site, "unknown-stance", 8, 17);
    assert_eq!(help(&d), "did you mean `supports`?");
}

#[test]
fn claim_id_with_capitals_and_a_space_is_invalid() {
    let site = Site::new()
        .topic(&quoting("article", "eight children").replace("id: eight", "id: Open Channel"));
    let d = error_in_topic(&site, "invalid-id", 3, 9);
    assert!(help(&d).contains("`open-channel`"), "{d}");
}

#[test]
fn topic_file_name_that_is_not_a_slug_is_invalid() {
    let site = Site::new().file(
        "content/topics/Bad Name.yaml",
        &quoting("article", "were reunited"),
    );
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("invalid-slug", "content/topics/Bad Name.yaml", 1);
    assert!(help(&d).contains("bad-name.yaml"), "{d}");
}

#[test]
fn source_file_name_that_is_not_an_id_is_invalid() {
    let site = Site::new().file("content/sources/Bad.txt", "Some text.\n");
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("invalid-id", "content/sources/Bad.txt", 1);
    assert!(help(&d).contains("bad.txt"), "{d}");
}

#[test]
fn duplicate_claim_id_in_one_file_names_the_first() {
    let site = Site::new().topic(&citing(&[
        "      - source: article",
        "        quote: eight children",
        "  - id: eight",
        "    statement: The same id again.",
        "    citations:",
        "      - source: article",
        "        quote: were reunited",
    ]));
    let d = error_in_topic(&site, "duplicate-claim-id", 8, 9);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("content/topics/main.yaml:3:9"),
        "{d}"
    );
    assert_eq!(d["claim"], "eight");
    let human = site.run(&["check"]);
    assert!(human.stdout.contains("first used here"), "{}", human.stdout);
}

#[test]
fn duplicate_claim_id_across_files_mentions_both_places() {
    let site = Site::new().file(
        "content/topics/other.yaml",
        &quoting("article", "were reunited").replace("title: Main", "title: Other"),
    );
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("duplicate-claim-id", "content/topics/other.yaml", 3, 9);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("content/topics/main.yaml:3:9"),
        "{d}"
    );
    let human = site.run(&["check"]);
    human.assert_code(1);
    assert!(
        human.stdout.contains("content/topics/other.yaml:3:9"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("content/topics/main.yaml:3:9: first used here"),
        "{}",
        human.stdout
    );
}

// ---------------------------------------------------------------------------------------
// Citations and quotes that do not verify

#[test]
fn unknown_source_suggests_the_closest_id_at_the_id() {
    let site = Site::new().topic(&quoting("artcle", "eight children"));
    let d = error_in_topic(&site, "unknown-source", 6, 17);
    assert_eq!(help(&d), "did you mean `article`?");
    assert_eq!(d["source"], "artcle");
    assert_eq!(d["claim"], "eight");
}

#[test]
fn changed_word_suggests_the_real_passage() {
    let site = Site::new().topic(&quoting("article", "\"nine children were reunited\""));
    let d = error_in_topic(&site, "quote-not-found", 7, 16);
    assert_eq!(d["suggestion"], "eight children were reunited");
    assert_eq!(
        (d["claim"].as_str(), d["source"].as_str()),
        (Some("eight"), Some("article"))
    );
}

#[test]
fn quote_found_in_another_source_names_it() {
    let site = Site::new()
        .file(
            "content/sources/weather.txt",
            "Rain is expected on Tuesday.\n",
        )
        .topic(&quoting("weather", "\"eight children were reunited\""));
    let d = error_in_topic(&site, "quote-not-found", 7, 16);
    let named = format!("{} {}", help(&d), d["suggestion"].as_str().unwrap_or(""));
    assert!(named.contains("`article`"), "{d}");
}

#[test]
fn quote_matching_only_inside_a_word_is_refused() {
    let site = Site::new()
        .file(
            "content/sources/count.txt",
            "There were eighteen of them.\n",
        )
        .topic(&quoting("count", "eight"));
    let d = error_in_topic(&site, "quote-inside-word", 7, 16);
    assert_eq!(d["suggestion"], "eighteen");
}

#[test]
fn ellipsis_fragments_out_of_order() {
    let site = Site::new().topic(&quoting(
        "article",
        "\"were reunited ... The First Lady said\"",
    ));
    error_in_topic(&site, "quote-fragments-out-of-order", 7, 16);
}

#[test]
fn ellipsis_fragments_too_far_apart() {
    let long = format!(
        "It began here. {}It ended there.\n",
        "Filler words go on and on. ".repeat(50)
    );
    let site = Site::new()
        .file("content/sources/long.txt", &long)
        .topic(&quoting("long", "\"It began here ... It ended there\""));
    error_in_topic(&site, "quote-fragments-too-far-apart", 7, 16);
}

// ---------------------------------------------------------------------------------------
// Source files

#[test]
fn source_that_is_not_utf8_names_the_byte_offset() {
    let site = Site::new().bytes("content/sources/latin.txt", b"Hello\nwor\xffld\n");
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("source-not-utf8", "content/sources/latin.txt", 2, 4);
    assert!(
        d["message"].as_str().unwrap().contains("byte offset 9"),
        "{d}"
    );
}

#[test]
fn a_cited_source_that_cannot_be_loaded_is_reported_once_on_its_file() {
    for (bytes, code) in [
        (
            &b"eight children were\xff reunited\n"[..],
            "source-not-utf8",
        ),
        (&b" \n"[..], "source-empty"),
    ] {
        let site = Site::new().bytes("content/sources/article.txt", bytes);
        let run = site.check_json();
        run.assert_code(1);
        run.assert_at(code, "content/sources/article.txt", 1);
        let codes: Vec<_> = run
            .diagnostics()
            .iter()
            .map(|d| d["code"].clone())
            .collect();
        assert_eq!(codes, [code], "no `unknown-source` for the claim citing it");
    }
}

#[test]
fn source_metadata_without_its_text_is_an_orphan() {
    let site = Site::new().file("content/sources/ghost.yaml", "title: A ghost\n");
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("orphan-source-metadata", "content/sources/ghost.yaml", 1);
    assert!(help(&d).contains("ghost.txt"), "{d}");
}

#[test]
fn empty_source_is_an_error() {
    let site = Site::new().file("content/sources/blank.txt", "");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("source-empty", "content/sources/blank.txt", 1);
}

#[test]
fn whitespace_only_source_is_an_error() {
    let site = Site::new().file("content/sources/blank.txt", " \n\r\n\t\n");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("source-empty", "content/sources/blank.txt", 1);
}

// ---------------------------------------------------------------------------------------
// BOM and CRLF

#[test]
fn bom_and_crlf_simply_work() {
    let crlf = |text: &str| format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let source = "The First Lady said eight children\nwere reunited with their families.\n";
    let site = Site::new()
        .file("content/site.yaml", &crlf("title: Test site\n"))
        .file("content/sources/article.txt", &crlf(source))
        .topic(&crlf(&citing(&[
            "      - source: article",
            "        quote: eight children were reunited",
            "      - source: article",
            "        quote: \"with their families\"",
        ])));
    let run = site.check_json();
    run.assert_code(0);
    assert!(run.diagnostics().is_empty(), "{}", run.stdout);
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let original: Vec<char> = crlf(source).chars().collect();
    let passage = |citation: &serde_json::Value| -> String {
        let start = citation["start"].as_u64().unwrap() as usize;
        let end = citation["end"].as_u64().unwrap() as usize;
        original[start..end].iter().collect()
    };
    let citations = &data["topics"][0]["claims"][0]["citations"];
    assert_eq!(passage(&citations[0]), "eight children\r\nwere reunited");
    assert_eq!(citations[0]["line"], 1);
    assert_eq!(passage(&citations[1]), "with their families");
    assert_eq!(citations[1]["line"], 2);
}

#[test]
fn bom_and_crlf_keep_diagnostics_in_place() {
    let topic = format!(
        "\u{feff}{}",
        quoting("artcle", "eight children").replace('\n', "\r\n")
    );
    let site = Site::new().topic(&topic);
    error_in_topic(&site, "unknown-source", 6, 17);
    let human = site.run(&["check"]);
    assert!(
        human.stdout.contains("content/topics/main.yaml:6:17"),
        "{}",
        human.stdout
    );
}

#[test]
fn bom_does_not_count_as_a_column() {
    let site = Site::new().topic("\u{feff}title: [Main]\nclaims: []\n");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at_column("wrong-type", TOPIC, 1, 8);
    let human = site.run(&["check"]);
    assert!(
        human.stdout.contains("content/topics/main.yaml:1:8"),
        "{}",
        human.stdout
    );
}

// ---------------------------------------------------------------------------------------
// The site layout

#[test]
fn missing_content_directory() {
    let site = Site::empty();
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("missing-content", "content", 1);
    assert!(help(&d).contains("--root"), "{d}");
}

#[test]
fn missing_site_yaml() {
    let site = Site::new().remove("content/site.yaml");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("missing-site-yaml", "content/site.yaml", 1);
}

#[test]
fn root_that_does_not_exist_is_a_usage_error() {
    let site = Site::empty();
    let missing = site.path().join("no-such-site");
    let run = site.run(&[
        "check",
        "--format",
        "json",
        "--root",
        missing.to_str().unwrap(),
    ]);
    run.assert_code(2);
    assert_eq!(run.diagnostics()[0]["code"], "usage", "{}", run.stdout);
}

#[cfg(unix)]
mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;

    fn secret() -> Site {
        Site::empty().file("secret.txt", "A secret outside the site.\n")
    }

    #[test]
    fn file_linked_from_outside_the_root_is_refused() {
        let outside = secret();
        let site = Site::new();
        symlink(
            outside.path().join("secret.txt"),
            site.path().join("content/sources/linked.txt"),
        )
        .unwrap();
        let run = site.check_json();
        run.assert_code(1);
        run.assert_at("symlink-outside-root", "content/sources/linked.txt", 1);
        assert!(!run.stdout.contains("A secret"), "{}", run.stdout);
    }

    #[test]
    fn directory_linked_from_outside_the_root_is_refused() {
        let outside = secret();
        let site = Site::new().remove("content/sources");
        symlink(outside.path(), site.path().join("content/sources")).unwrap();
        let run = site.check_json();
        run.assert_code(1);
        run.assert_at("symlink-outside-root", "content/sources", 1);
    }

    #[test]
    fn site_yaml_linked_from_outside_the_root_is_refused() {
        let outside = secret();
        let site = Site::new().remove("content/site.yaml");
        symlink(
            outside.path().join("secret.txt"),
            site.path().join("content/site.yaml"),
        )
        .unwrap();
        let run = site.check_json();
        run.assert_code(1);
        run.assert_at("symlink-outside-root", "content/site.yaml", 1);
        let human = site.run(&["check"]);
        assert!(!human.stdout.contains("A secret"), "{}", human.stdout);
    }

    #[test]
    fn link_inside_the_root_is_fine() {
        let site = Site::new().file("elsewhere/copy.txt", "Kept elsewhere in the site.\n");
        symlink(
            site.path().join("elsewhere/copy.txt"),
            site.path().join("content/sources/copy.txt"),
        )
        .unwrap();
        let run = site.check_json();
        run.assert_code(0);
        run.diagnostic("unused-source");
    }
}

// ---------------------------------------------------------------------------------------
// Templates and the output directory

const TEMPLATE: &str = "templates/index.html";

#[test]
fn template_syntax_error_points_into_the_template() {
    let site = Site::new().file(
        TEMPLATE,
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ site.title }</p>\n{% endblock %}\n",
    );
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at_column("template-syntax", TEMPLATE, 3, 18);
    let build = site.run(&["build"]);
    build.assert_code(1);
    assert!(
        build.stderr.contains("templates/index.html:3:18"),
        "{}",
        build.stderr
    );
    assert!(!site.exists("public"), "nothing written");
}

#[test]
fn template_unknown_variable_points_at_the_variable() {
    let site = Site::new().file(
        TEMPLATE,
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ site.title }}</h1>\n<p>{{ nope.value }}</p>\n{% endblock %}\n",
    );
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("template-render", TEMPLATE, 4, 7);
    assert!(d["message"].as_str().unwrap().contains("nope"), "{d}");
}

#[test]
fn output_equal_to_the_root_is_refused() {
    let site = Site::new();
    let run = site.run(&["build", "--output", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("invalid-output-dir"), "{}", run.stderr);
    assert_eq!(site.read("content/sources/article.txt"), ARTICLE);
    assert!(site.exists("content/topics/main.yaml"));
}

#[test]
fn output_equal_to_content_is_refused() {
    let site = Site::new();
    let run = site.run(&["build", "--output", "content"]);
    run.assert_code(2);
    assert!(run.stderr.contains("invalid-output-dir"), "{}", run.stderr);
    assert_eq!(site.read("content/sources/article.txt"), ARTICLE);
    assert!(site.exists("content/site.yaml"));
}

#[test]
fn output_directory_not_written_by_factsheet_is_refused() {
    let site = Site::new().file("mine/notes.txt", "keep me");
    let run = site.run(&["build", "--output", "mine"]);
    run.assert_code(2);
    assert!(run.stderr.contains("invalid-output-dir"), "{}", run.stderr);
    assert_eq!(site.read("mine/notes.txt"), "keep me");
}

// ---------------------------------------------------------------------------------------
// Warnings

#[test]
fn source_cited_by_no_claim_is_unused() {
    let site = Site::new().file("content/sources/spare.txt", "Nobody cites this.\n");
    let d = warning(&site, "unused-source", "content/sources/spare.txt", 1, 1);
    assert_eq!(d["source"], "spare");
}

#[test]
fn quote_occurring_twice_is_ambiguous() {
    // "said" is in the article twice.
    let site = Site::new().topic(&quoting("article", "said"));
    let d = warning(&site, "ambiguous-quote", TOPIC, 7, 16);
    assert_eq!(
        (d["claim"].as_str(), d["source"].as_str()),
        (Some("eight"), Some("article"))
    );
}

#[test]
fn same_passage_twice_in_one_claim_is_a_duplicate_citation() {
    let site = Site::new().topic(&citing(&[
        "      - source: article",
        "        quote: eight children",
        "      - source: article",
        "        quote: \"eight  children\"",
    ]));
    let d = warning(&site, "duplicate-citation", TOPIC, 9, 16);
    assert_eq!(d["claim"], "eight");
}

#[test]
fn claim_with_only_context_citations() {
    let site = Site::new().topic(&citing(&[
        "      - source: article",
        "        quote: eight children",
        "        stance: context",
    ]));
    let d = warning(&site, "context-only-claim", TOPIC, 3, 9);
    assert_eq!(d["claim"], "eight");
}

#[test]
fn ellipsis_eliding_a_negation() {
    let site = Site::new()
        .file(
            "content/sources/talks.txt",
            "The talks did not fail, officials said.\n",
        )
        .topic(&quoting("talks", "\"The talks did ... fail\""));
    let d = warning(&site, "elided-negation", TOPIC, 7, 16);
    assert!(d["message"].as_str().unwrap().contains("`not`"), "{d}");
}

#[test]
fn ellipsis_eliding_a_contracted_negation() {
    let site = Site::new()
        .file(
            "content/sources/talks.txt",
            "The talks didn't fail, officials said.\n",
        )
        .topic(&quoting("talks", "\"The talks ... fail\""));
    let d = warning(&site, "elided-negation", TOPIC, 7, 16);
    assert!(d["message"].as_str().unwrap().contains("`didn't`"), "{d}");
}

// ---------------------------------------------------------------------------------------
// One run reports everything; the human format

#[test]
fn problems_in_different_files_are_all_reported_in_one_run() {
    let site = Site::new()
        .file(
            "content/site.yaml",
            "title: Test site\nbase_url: ftp://example.org\n",
        )
        .file("content/sources/ghost.yaml", "title: A ghost\n")
        .bytes("content/sources/latin.txt", b"caf\xe9\n")
        .topic(&quoting("artcle", "eight children"))
        .file(
            "content/topics/other.yaml",
            &quoting("article", "eight children").replace("    statement:", "    statment:"),
        );
    let run = site.check_json();
    run.assert_code(1);
    assert_eq!(run.json()["errors"], 5, "{}", run.stdout);
    run.assert_at("invalid-url", "content/site.yaml", 2);
    run.assert_at("orphan-source-metadata", "content/sources/ghost.yaml", 1);
    run.assert_at("source-not-utf8", "content/sources/latin.txt", 1);
    run.assert_at("unknown-source", TOPIC, 6);
    run.assert_at("unknown-key", "content/topics/other.yaml", 4);
}

#[test]
fn human_format_shows_location_code_frame_and_help() {
    let site = Site::new().topic(&quoting("article", "\"nine children were reunited\""));
    let run = site.run(&["check"]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(out.contains("error[quote-not-found]"), "{out}");
    assert!(out.contains("--> content/topics/main.yaml:7:16"), "{out}");
    assert!(
        out.contains("7 |         quote: \"nine children were reunited\""),
        "{out}"
    );
    assert!(
        out.contains("^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ not found in the source"),
        "{out}"
    );
    assert!(
        out.contains("[-nine-] {+eight+} children were reunited"),
        "{out}"
    );
    assert!(out.contains("help: "), "{out}");
    assert!(out.contains("check: 1 error, 0 warnings"), "{out}");
}

/// The human report of `check`, with the temporary root hidden.
fn human(site: &Site) -> String {
    let run = site.run(&["check"]);
    run.assert_code(1);
    site.redact(&run.stdout)
}

#[test]
fn snapshot_unknown_key() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        "    statment: Eight children were reunited.",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    insta::assert_snapshot!("human_unknown_key", human(&site));
}

#[test]
fn snapshot_unknown_source() {
    let site = Site::new().topic(&quoting("artcle", "eight children"));
    insta::assert_snapshot!("human_unknown_source", human(&site));
}

#[test]
fn snapshot_quote_not_found() {
    let site = Site::new().topic(&quoting(
        "article",
        "\"the First Lady said nine children were reunited\"",
    ));
    insta::assert_snapshot!("human_quote_not_found", human(&site));
}

// ---------------------------------------------------------------------------------------
// Nasty inputs: exit 1 with a diagnostic, never a panic (101)

#[test]
fn deeply_nested_flow_collections() {
    let site = Site::new().topic(&format!("title: Main\nclaims: {}\n", "[".repeat(100_000)));
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("yaml-syntax", TOPIC, 2);
}

#[test]
fn deeply_nested_block_lists() {
    let nested: String = (0..3_000)
        .map(|depth| format!("{}- \n", "  ".repeat(depth + 1)))
        .collect();
    let site = Site::new().topic(&format!("title: Main\nclaims:\n{nested}"));
    let run = site.check_json();
    run.assert_code(1);
    assert!(
        run.json()["errors"].as_u64().unwrap() >= 1,
        "{}",
        run.stdout
    );
}

#[test]
fn two_megabyte_line() {
    let site = Site::new().topic(&lines(&[
        "title: Main",
        "claims:",
        "  - id: eight",
        &format!("    statement: {}", "word ".repeat(400_000)),
        "    statment: typo",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
    ]));
    error_in_topic(&site, "unknown-key", 5, 5);
    let human = site.run(&["check"]);
    assert!(
        human.stdout.len() < 10_000,
        "the report stays short: {} bytes",
        human.stdout.len()
    );
}

#[test]
fn two_megabyte_unclosed_quote() {
    let long = format!("\"{}", "word ".repeat(400_000));
    let site = Site::new().topic(&quoting("article", &long));
    error_in_topic(&site, "yaml-syntax", 7, 16);
}

#[test]
fn long_quote_that_is_not_found_keeps_the_report_short() {
    let site = Site::new().topic(&quoting("article", &"twelve cats ".repeat(5_000)));
    error_in_topic(&site, "quote-not-found", 7, 16);
    let human = site.run(&["check"]);
    assert!(
        human.stdout.len() < 20_000,
        "the report stays short: {} bytes",
        human.stdout.len()
    );
}

#[test]
fn binary_garbage_in_a_topic_file() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(7919) % 251) as u8)
        .collect();
    let site = Site::new().bytes(TOPIC, &garbage);
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("file-not-utf8", TOPIC, 1);
    assert!(
        d["message"].as_str().unwrap().contains("byte offset"),
        "{d}"
    );
}

#[test]
fn control_characters_in_a_topic_file() {
    let garbage: String = (0..2048u32)
        .map(|i| char::from_u32(1 + i * 13 % 31).unwrap())
        .collect();
    let site = Site::new().topic(&garbage);
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("yaml-syntax", TOPIC, 1);
}

#[test]
fn alias_bomb() {
    let mut yaml = String::from(
        "title: Main\nclaims:\n  - id: eight\n    note: {a0: &a0 [x, x, x, x, x, x, x, x, x]",
    );
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        yaml.push_str(&format!(", a{level}: &a{level} [{refs}]"));
    }
    yaml.push_str("}\n");
    let site = Site::new().topic(&yaml);
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at("yaml-syntax", TOPIC, 4);
    assert!(help(&d).contains("alias"), "{d}");
}

#[test]
fn alias_repeating_a_claim_is_a_duplicate_at_the_alias() {
    let site = Site::new().topic(&lines(&[
        "title: &title Main",
        "claims:",
        "  - &claim",
        "    id: eight",
        "    statement: *title",
        "    citations:",
        "      - source: article",
        "        quote: eight children",
        "  - *claim",
    ]));
    error_in_topic(&site, "duplicate-claim-id", 9, 5);
}

#[test]
fn alias_to_an_unknown_anchor() {
    let site = Site::new().topic("title: *nowhere\nclaims: []\n");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("yaml-syntax", TOPIC, 1);
}

#[test]
fn template_errors_are_reported_with_content_errors_in_one_run() {
    let site = Site::new()
        .file(
            "templates/index.html",
            "{% extends \"base.html\" %}\n{% block content %}{{ oops }\n{% endblock content %}\n",
        )
        .topic("title: Main\nclaims: []\n");
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at("empty-list", TOPIC, 2);
    run.assert_at("template-syntax", "templates/index.html", 2);
}

#[test]
fn no_unused_source_warning_when_a_topic_failed_to_load() {
    let site = Site::new().topic("title: Main\nclaims:\n  - id: eight\n    statment: x\n");
    let run = site.check_json();
    run.assert_code(1);
    assert!(
        run.diagnostics()
            .iter()
            .all(|d| d["code"] != "unused-source"),
        "{}",
        run.stdout
    );
}
