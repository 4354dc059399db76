//! Search: `build` indexes the topic and source pages with Pagefind into `pagefind/`, only
//! what the templates mark for it; every page loads `search.js`, which finds the index
//! beside it; the index is the same bytes on every build. In headless chromium, on the site
//! as put on a plain static host, a word of a source's text finds that source's page; opened
//! from disk (file://), where browsers refuse the index, the search box stays hidden. An
//! index made in two parts (as a large site's is) finds a page of its second part.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::Path;

use factsheet::render::OutputFile;
use factsheet::render::search;

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::browser::harness::{Browser, StaticHost, Tools, eval, wait_until};
use crate::support::{Site, bundled_copy, files_below};

/// A source of the bundled site, and a word only its text has (a photographer's name).
const SOURCE: &str = "001_8aaae1f506dad48b";
const WORD: &str = "Scalzo";

fn built() -> Site {
    let site = bundled_copy();
    site.run(&["build"]).assert_code(0);
    site
}

/// The directory names below `public/DIR`, sorted.
fn entries(site: &Site, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site.path().join("public").join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every page record of the index: Pagefind's fragments, gzipped JSON after a marker.
fn fragments(site: &Site) -> Vec<Value> {
    fragments_in(site, "pagefind")
}

/// The page records of the index (or the part of it) in `public/DIR`.
fn fragments_in(site: &Site, dir: &str) -> Vec<Value> {
    let dir = format!("{dir}/fragment");
    entries(site, &dir)
        .iter()
        .map(|name| {
            let path = site.path().join("public").join(&dir).join(name);
            let mut text = String::new();
            flate2::read::GzDecoder::new(fs::File::open(&path).unwrap())
                .read_to_string(&mut text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let json = text
                .strip_prefix("pagefind_dcd")
                .unwrap_or_else(|| panic!("{name} starts with Pagefind's marker"));
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect()
}

#[test]
fn the_build_indexes_every_topic_and_source_page_under_pagefind() {
    let site = built();
    let topics = entries(&site, "topics");
    let sources = entries(&site, "sources");
    let entry: Value = serde_json::from_str(&site.read("public/pagefind/pagefind-entry.json"))
        .expect("pagefind-entry.json is JSON");
    assert_eq!(
        entry["languages"]["en"]["page_count"],
        json!(topics.len() + sources.len()),
        "one index, in the site's language, of every topic and source page: {entry}"
    );
    for file in ["pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"] {
        assert!(site.exists(&format!("public/pagefind/{file}")), "{file}");
    }
    // Pagefind's own UIs are left out: the site brings its own.
    assert!(!site.exists("public/pagefind/pagefind-ui.js"));

    let fragments = fragments(&site);
    let urls: BTreeSet<&str> = fragments.iter().filter_map(|f| f["url"].as_str()).collect();
    let expected: BTreeSet<String> = topics
        .iter()
        .map(|slug| format!("/topics/{slug}/index.html"))
        .chain(sources.iter().map(|id| format!("/sources/{id}/index.html")))
        .collect();
    assert_eq!(
        urls,
        expected.iter().map(String::as_str).collect(),
        "the topic and source pages, not the index or 404.html"
    );
    for fragment in &fragments {
        let url = fragment["url"].as_str().unwrap();
        let kind = if url.starts_with("/topics/") {
            "Topic"
        } else {
            "Source"
        };
        assert_eq!(fragment["meta"]["kind"], json!(kind), "{url}");
        let title = fragment["meta"]["title"].as_str().unwrap_or_default();
        assert!(!title.is_empty(), "{url} has a title");
        let content = fragment["content"].as_str().unwrap();
        for outside in [
            "Skip to main content",
            "claims.json",
            "See in source",
            "Reproduced verbatim",
        ] {
            assert!(
                !content.contains(outside),
                "{url}: `{outside}` is navigation, not content: {content}"
            );
        }
        assert!(
            !content
                .split_whitespace()
                .any(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit())),
            "{url}: the SHA-256 is not indexed"
        );
    }
    let source = fragments
        .iter()
        .find(|f| f["url"] == json!(format!("/sources/{SOURCE}/index.html")))
        .unwrap();
    assert!(source["content"].as_str().unwrap().contains(WORD));
    let page = site.read(&format!("public/sources/{SOURCE}/index.html"));
    let h1 = &page[page.find("<h1>").unwrap() + 4..page.find("</h1>").unwrap()];
    let h1 = html_escape::decode_html_entities(h1);
    assert_eq!(
        source["meta"]["title"].as_str(),
        Some(&*h1),
        "titled by its <h1>"
    );
}

#[test]
fn every_page_loads_the_search_script_beside_the_index() {
    let site = built();
    assert!(site.exists("public/search.js"));
    // search.js finds the bundle relative to its own address.
    assert!(site.exists("public/pagefind/pagefind.js"));
    let topic = format!("topics/{}/index.html", entries(&site, "topics")[0]);
    let source = format!("sources/{SOURCE}/index.html");
    for (page, root) in [
        ("index.html", ""),
        (topic.as_str(), "../../"),
        (source.as_str(), "../../"),
        // Sent for any missing address: from the host's root without a `base_url`.
        ("404.html", "/"),
    ] {
        let html = site.read(&format!("public/{page}"));
        let script = format!(r#"<script src="{root}search.js" defer></script>"#);
        assert!(html.contains(&script), "{page} has {script}");
        assert!(
            html.contains(r#"<div class="site-search" data-search hidden>"#),
            "{page}: the search box is hidden until search.js shows it"
        );
    }
}

#[test]
fn two_builds_write_the_same_index() {
    let site = built();
    site.run(&["build", "--output", "again"]).assert_code(0);
    let files = |dir: &str| -> Vec<(String, Vec<u8>)> {
        files_below(&site.path().join(dir).join("pagefind"))
            .into_iter()
            .collect()
    };
    let (first, second) = (files("public"), files("again"));
    assert!(!first.is_empty());
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(names(&first), names(&second));
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "pagefind/{name} differs between two builds");
    }
}

const BOX_SHOWN: &str = "!document.querySelector('[data-search]').hidden";
const RESULT_LINKS: &str =
    "[...document.querySelectorAll('.search-result-title a')].map(a => a.href)";

#[tokio::test]
async fn a_word_of_a_source_finds_its_page_on_a_static_host() {
    let test = "a_word_of_a_source_finds_its_page_on_a_static_host";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    finds_the_source_by_its_word(&tools, &built()).await;
}

/// The bundled site built, then its index made again in two parts, as a large site's is,
/// with the source of `WORD` in the second.
fn built_in_two_parts() -> Site {
    let site = built();
    let public = site.path().join("public");
    let mut pages: Vec<OutputFile> = files_below(&public)
        .into_iter()
        .filter(|(path, _)| !path.starts_with("pagefind/"))
        .map(|(path, bytes)| OutputFile { path, bytes })
        .collect();
    // The indexed pages are dealt out in turn: the second goes to the second part.
    let at = |pages: &[OutputFile], path: &str| pages.iter().position(|p| p.path == path);
    let source = pages.remove(at(&pages, &format!("sources/{SOURCE}/index.html")).unwrap());
    let first_topic = pages
        .iter()
        .position(|p| p.path.starts_with("topics/"))
        .unwrap();
    pages.insert(first_topic + 1, source);
    let files = search::index_in_parts(&pages, 2, "en").unwrap();
    fs::remove_dir_all(public.join("pagefind")).unwrap();
    for file in files {
        let path = public.join(&file.path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, file.bytes).unwrap();
    }
    site
}

#[test]
fn an_index_in_two_parts_lists_its_second_part_and_holds_each_page_once() {
    let site = built_in_two_parts();
    assert_eq!(site.read("public/pagefind/parts.json"), r#"["part-2/"]"#);
    let urls = |dir: &str| -> BTreeSet<String> {
        fragments_in(&site, dir)
            .iter()
            .map(|f| f["url"].as_str().unwrap().to_string())
            .collect()
    };
    let (first, second) = (urls("pagefind"), urls("pagefind/part-2"));
    let source = format!("/sources/{SOURCE}/index.html");
    assert!(second.contains(&source), "{second:?}");
    assert!(first.intersection(&second).next().is_none());
    let all = entries(&site, "topics").len() + entries(&site, "sources").len();
    assert_eq!(first.len() + second.len(), all);
    assert!(site.exists("public/pagefind/part-2/wasm.en.pagefind"));
    assert!(!site.exists("public/pagefind/part-2/pagefind.js"));
}

#[tokio::test]
async fn a_word_in_the_second_part_of_the_index_finds_its_page() {
    let test = "a_word_in_the_second_part_of_the_index_finds_its_page";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    // Indexing runs runtimes of its own, so not on this test's.
    let site = tokio::task::spawn_blocking(built_in_two_parts)
        .await
        .unwrap();
    finds_the_source_by_its_word(&tools, &site).await;
}

/// On `site` put on a static host, typing `WORD` in the search box of a topic page finds
/// the one source that has it, marked in the excerpt, and its link leads there.
async fn finds_the_source_by_its_word(tools: &Tools, site: &Site) {
    let host = StaticHost::start(&site.path().join("public"));
    let browser = Browser::start(tools).await;
    let client = &browser.client;

    let topic = entries(site, "topics")[0].clone();
    client
        .goto(&host.url(&format!("/topics/{topic}/index.html")))
        .await
        .expect("opening a topic page");
    wait_until(client, "the search box", BOX_SHOWN, |v| v == &json!(true)).await;
    let input = client
        .find(Locator::Css("#factsheet-search-input"))
        .await
        .expect("the search input");
    input.send_keys(WORD).await.expect("typing");
    let links = wait_until(client, "search results", RESULT_LINKS, |v| {
        v.as_array().is_some_and(|links| !links.is_empty())
    })
    .await;
    let expected = host.url(&format!("/sources/{SOURCE}/index.html"));
    assert_eq!(links, json!([expected]), "only the source with `{WORD}`");
    let status = eval(
        client,
        "document.querySelector('[data-search-announce]').textContent",
    )
    .await;
    assert_eq!(status, json!(format!("1 page found for “{WORD}”.")));
    let excerpt = eval(
        client,
        "document.querySelector('.search-result mark').textContent",
    )
    .await;
    // Pagefind marks the whole token the word is part of (here `Scalzo/EPA).`).
    assert!(
        excerpt.as_str().is_some_and(|marked| marked.contains(WORD)),
        "the word is marked in the excerpt: {excerpt}"
    );

    client
        .find(Locator::Css(".search-result-title a"))
        .await
        .unwrap()
        .click()
        .await
        .expect("following the result");
    wait_until(client, "the source page", "location.href", |v| {
        v == &json!(expected)
    })
    .await;
}

#[tokio::test]
async fn from_disk_the_search_box_stays_hidden() {
    let test = "from_disk_the_search_box_stays_hidden";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    let site = built();
    let browser = Browser::start(&tools).await;
    let client = &browser.client;
    let page = site.path().join("public/index.html");
    client
        .goto(&file_url(&page))
        .await
        .expect("opening the index from disk");
    wait_until(client, "the page", "document.readyState", |v| {
        v == &json!("complete")
    })
    .await;
    // search.js ran (it is loaded from disk like the stylesheet) and left the box hidden.
    let shown = eval(client, BOX_SHOWN).await;
    let styled = eval(
        client,
        "getComputedStyle(document.querySelector('.site-header')).borderBottomStyle",
    )
    .await;
    assert_eq!(
        styled,
        json!("solid"),
        "the page loaded its files from disk"
    );
    assert_eq!(shown, json!(false));
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

#[test]
fn search_false_in_site_yaml_builds_no_index_and_no_search_box() {
    let site = Site::new().file("content/site.yaml", "title: Test site\nsearch: false\n");
    site.run(&["build"]).assert_code(0);
    assert!(!site.exists("public/pagefind"), "no index is built");
    for page in ["public/index.html", "public/topics/main/index.html"] {
        let html = site.read(page);
        assert!(!html.contains("search.js"), "{page} loads no search script");
        assert!(!html.contains("data-search"), "{page} has no search box");
    }
    let on = Site::new();
    on.run(&["build"]).assert_code(0);
    assert!(
        on.exists("public/pagefind/pagefind.js"),
        "search is on by default"
    );
    assert!(on.read("public/index.html").contains("search.js"));
}

#[test]
fn a_search_setting_that_is_not_true_or_false_is_located() {
    let site = Site::new().file("content/site.yaml", "title: Test site\nsearch: \"no\"\n");
    let run = site.check_json();
    run.assert_code(1);
    let diagnostic = run.assert_at("wrong-type", "content/site.yaml", 2);
    assert!(
        diagnostic["help"]
            .as_str()
            .unwrap()
            .contains("search: false"),
        "{diagnostic}"
    );
}
