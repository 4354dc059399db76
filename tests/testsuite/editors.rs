//! The editor's tools: `find`, `init`, and the schema lines of the bundled content.

use crate::support::{Site, repo_root};

#[test]
fn find_lists_every_source_with_the_phrase_and_paste_ready_yaml() {
    let site = Site::empty();
    let run = site.run(&[
        "find",
        "open channel",
        "--root",
        repo_root().to_str().unwrap(),
    ]);
    run.assert_code(0);
    for id in [
        "000_4e0fe4cb89eab73e",
        "001_8aaae1f506dad48b",
        "002_1b4bef1872f9c1a3",
        "004_fe16e8dfe30d3c42",
    ] {
        assert!(
            run.stdout.contains(&format!("content/sources/{id}.txt:")),
            "{id} listed:\n{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains(&format!("      - source: {id}\n        quote: \"")),
            "{id} paste block"
        );
    }
    assert!(
        !run.stdout.contains("003_7b575e8ba85b23dd"),
        "003 has no open channel"
    );
}

#[test]
fn find_pasted_citations_verify_at_the_place_shown() {
    let site = Site::new().file(
        "content/sources/article.txt",
        "An open channel first.\nThen an open channel again.\n",
    );
    let run = site.run(&["find", "open channel"]);
    run.assert_code(0);
    let second = run
        .stdout
        .split("content/sources/article.txt:2")
        .nth(1)
        .expect("second place");
    let quote_line = second
        .lines()
        .find(|l| l.trim_start().starts_with("quote:"))
        .unwrap();
    let site = site.topic(&topic_with_one_claim(&format!(
        "      - source: article\n{quote_line}\n"
    )));
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    assert_eq!(
        data["topics"][0]["claims"][0]["citations"][0]["line"], 2,
        "anchored on line 2"
    );
}

/// A source whose id YAML reads as a number when plain: the pasted block must still check.
#[test]
fn a_pasted_citation_of_a_numeric_looking_id_checks() {
    let site = Site::empty().file("content/site.yaml", "title: S\n").file(
        "content/sources/2024_0815.txt",
        "The council met on Monday and agreed the plan.\n",
    );
    let run = site.run(&["find", "agreed the plan"]);
    run.assert_code(0);
    let block = run
        .stdout
        .split_once("\n\n")
        .and_then(|(_, rest)| rest.split_once("      - source:"))
        .map(|(_, block)| format!("      - source:{block}"))
        .expect("a paste block");
    assert!(block.contains("source: \"2024_0815\""), "{block}");
    site.topic(&topic_with_one_claim(&block))
        .run(&["check"])
        .assert_code(0);
}

/// A topic of one claim whose citations are `citations`, pasted as `find` prints them.
fn topic_with_one_claim(citations: &str) -> String {
    format!("title: T\nclaims:\n  - id: a\n    statement: S.\n    citations:\n{citations}")
}

#[test]
fn find_without_a_match_shows_the_closest_passage_and_exits_1() {
    let site = Site::new();
    let run = site.run(&["find", "nine children were reunited"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("eight children were reunited"),
        "{}",
        run.stdout
    );
}

#[test]
fn init_creates_a_site_that_checks_and_builds() {
    let site = Site::empty();
    site.run(&["init", "new"]).assert_code(0);
    let root = site.path().join("new");
    let root = root.to_str().unwrap();
    site.run(&["check", "--root", root]).assert_code(0);
    site.run(&["build", "--root", root]).assert_code(0);
    assert!(site.exists("new/public/topics/library/index.html"));
    assert!(site.exists("new/templates/base.html") && site.exists("new/schema/topic.schema.json"));
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let site = Site::empty().file("taken/notes.txt", "mine");
    let run = site.run(&["init", "taken"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(site.read("taken/notes.txt"), "mine");
}

#[test]
fn bundled_content_files_name_their_schema() {
    let content = repo_root().join("content");
    let mut files = vec![content.join("site.yaml")];
    for dir in ["sources", "topics"] {
        for entry in std::fs::read_dir(content.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("# yaml-language-server: $schema="),
            "{}",
            path.display()
        );
        let schema = first.split("$schema=").nth(1).unwrap();
        assert!(
            path.parent().unwrap().join(schema).is_file(),
            "{} points at an existing schema",
            path.display()
        );
    }
}
