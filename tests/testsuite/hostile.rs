//! Hostile content: the payloads of `tests/fixtures/hostile/payloads.txt` (script tags,
//! event handlers, `javascript:` links, `</script>` for the JSON-LD, comments, CSS, template
//! syntax, bidi overrides, zero-width characters, terminal escapes) in every field an editor
//! or a source can write, and hostile YAML, file names and ids.
//!
//! - The site builds, and its data files parse and keep every payload as text.
//! - No page holds an element, attribute or URL that could run script (read from the HTML),
//!   and in headless chromium no payload runs, sets a style or opens a dialog on any page
//!   type, nor in the search results.
//! - Metadata URLs must be web addresses; Markdown keeps only http(s), mailto and relative
//!   links.
//! - Illegal ids and file names are refused, and what they contain reaches the terminal
//!   escaped (`\u{1b}`), never as control characters.
//! - Deep nesting, alias bombs and megabyte lines end quickly, within bounded memory.
//!
//! The chromium tests follow the browser tests' rule: without chromium they print a notice
//! and pass, except where `CI` is set.

#![cfg(unix)]

use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::harness::{Browser, StaticHost, Tools, cdp, eval, wait_until};
use crate::support::{Run, Site};

/// The payload corpus, one a line (see the file's header).
const CORPUS: &str = include_str!("../fixtures/hostile/payloads.txt");

/// The payloads of the corpus, with `\u{XXXX}` decoded.
fn payloads() -> Vec<String> {
    CORPUS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(decode)
        .collect()
}

/// `line` with every `\u{XXXX}` replaced by its character.
fn decode(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after.find('}').expect("`\\u{` is closed");
        let code = u32::from_str_radix(&after[..end], 16).expect("hexadecimal");
        out.push(char::from_u32(code).expect("a character"));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `text` as a YAML double-quoted scalar: control characters, line and paragraph separators
/// and the BOM as escapes, everything else (bidi controls included) as it is.
fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                write!(out, "\\u{:04x}", c as u32).unwrap();
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A URL with every character an attribute or a script could trip on, which is still a
/// web address: it must be written escaped everywhere.
const HOSTILE_URL: &str =
    "https://news.example/a\"b'c<d>e&f/?q=\"><script>window.__pwned='url'</script>#\"x";
const BASE_URL: &str = "https://example.org/f&a\"c't<s>/";
const SOURCE: &str = "hostile";
const TOPIC: &str = "hostile";

/// A site with every payload in every field: the site's title, description and publisher;
/// a topic's title, summary and corrections; each claim (one a payload) with its statement,
/// note, corrections, and a citation whose note is the payload and whose quote is that
/// payload in the source text; the source's text (a payload a line) and metadata. A plain
/// topic and source beside them, and a static file with a hostile name (ids and slugs
/// allow none: see [`ids_and_file_names_outside_the_rule_are_refused_and_reported_as_text`]).
fn hostile_site() -> Site {
    let payloads = payloads();
    let inline = payloads.join(" ");
    let blocks = payloads.join("\n\n");
    let mut topic = format!(
        "title: {}\nsummary: {}\nreviewed: 2025-10-12\ncorrections:\n  - date: 2025-10-11\n    \
         note: {}\nclaims:\n",
        yaml(&inline),
        yaml(&blocks),
        yaml(&blocks)
    );
    for (i, payload) in payloads.iter().enumerate() {
        let p = yaml(payload);
        write!(
            topic,
            "  - id: payload-{i:02}\n    statement: {p}\n    note: {p}\n    corrections:\n      \
             - date: 2025-10-12\n        note: {p}\n    citations:\n      - source: {SOURCE}\n        \
             quote: {p}\n        note: {p}\n"
        )
        .unwrap();
    }
    let text = format!("Hostile text, a payload a line.\n{}\n", payloads.join("\n"));
    Site::empty()
        .file(
            "content/site.yaml",
            &format!(
                "title: {}\ndescription: {}\npublisher: {}\nbase_url: {}\nlanguage: en\n",
                yaml(&inline),
                yaml(&blocks),
                yaml(&inline),
                yaml(BASE_URL)
            ),
        )
        .file(&format!("content/sources/{SOURCE}.txt"), &text)
        .file(
            &format!("content/sources/{SOURCE}.yaml"),
            &format!(
                "title: {}\npublisher: {}\npublished: 2025-10-10\nurl: {}\nlanguage: en\n\
                 translated_from: uk\nnote: {}\n",
                yaml(&inline),
                yaml(&inline),
                yaml(HOSTILE_URL),
                yaml(&blocks)
            ),
        )
        .file(&format!("content/topics/{TOPIC}.yaml"), &topic)
        .file("static/\"><img src=x onerror=alert(1)>\u{1b}[2J.txt", "static\n")
        .file("content/sources/plain.txt", crate::support::ARTICLE)
        .file(
            "content/topics/plain.yaml",
            "title: Plain\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    \
             citations:\n      - source: plain\n        quote: \"eight children were reunited\"\n",
        )
}

/// [`hostile_site`], built.
fn built() -> Site {
    let site = hostile_site();
    site.run(&["build"]).assert_code(0);
    site
}

/// The HTML pages of the output, by path below `public/`.
fn html_pages(site: &Site) -> Vec<(String, String)> {
    let public = site.path().join("public");
    let mut pages: Vec<(String, String)> = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "html"))
        .map(|entry| {
            let path = entry.path().strip_prefix(&public).unwrap();
            let html = std::fs::read_to_string(entry.path()).unwrap();
            (path.to_string_lossy().into_owned(), html)
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn the_corpus_covers_what_the_issue_lists() {
    let all = payloads().join("\n");
    for needle in [
        "<script>",
        "onerror=",
        "javascript:",
        "<svg",
        "</script>",
        "<!--",
        "--pwned",
        "\u{202e}",
        "\u{200b}",
        "\u{1b}[",
        "{{",
    ] {
        assert!(all.contains(needle), "a payload with `{needle}`");
    }
    assert!(payloads().len() >= 50, "{} payloads", payloads().len());
}

#[test]
fn every_field_keeps_its_payloads_as_text_in_the_data_files() {
    let site = built();
    let payloads = payloads();
    let data: Value = serde_json::from_str(&site.read("public/claims.json")).expect("JSON");
    assert_eq!(data["site"]["title"], json!(payloads.join(" ")));
    let source = &data["sources"][0];
    assert_eq!(source["id"], json!(SOURCE));
    assert_eq!(source["title"], json!(payloads.join(" ")));
    assert_eq!(source["url"], json!(HOSTILE_URL));
    let topic = data["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == json!(TOPIC))
        .unwrap();
    assert_eq!(topic["title"], json!(payloads.join(" ")));
    let claims = topic["claims"].as_array().unwrap();
    assert_eq!(claims.len(), payloads.len());
    for (claim, payload) in claims.iter().zip(&payloads) {
        assert_eq!(claim["statement"], json!(payload));
        assert_eq!(claim["citations"][0]["quote"], json!(payload), "verified");
        assert_eq!(claim["corrections"][0]["note"], json!(payload));
    }

    // XML 1.0 allows no C0 control but tab and line breaks, even as a reference.
    for file in ["public/sitemap.xml", "public/feed.xml"] {
        let xml = site.read(file);
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let feed = site.read("public/feed.xml");
    let feed = roxmltree::Document::parse(&feed).unwrap();
    let titles: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|entry| entry.children().find(|n| n.has_tag_name("title")))
        .filter_map(|title| title.text())
        .collect();
    assert_eq!(titles.len(), payloads.len(), "an entry per claim");
    assert!(
        titles.iter().any(|t| t.contains("</script>")),
        "markup is text in the feed: {titles:?}"
    );
}

#[test]
fn template_syntax_in_the_content_is_shown_not_evaluated() {
    let site = built();
    for (path, html) in html_pages(&site) {
        assert!(
            !html.contains("tera-evaluated"),
            "{path} evaluated `{{{{ }}}}`"
        );
    }
    let topic = site.read(&format!("public/topics/{TOPIC}/index.html"));
    assert!(
        topic.contains("{% if true %}tera-block-evaluated{% endif %} {# tera-comment #}"),
        "the template syntax is shown as written"
    );
}

#[test]
fn the_json_ld_scripts_parse_and_no_payload_ends_them() {
    let site = built();
    let html = site.read(&format!("public/topics/{TOPIC}/index.html"));
    const OPEN: &str = r#"<script type="application/ld+json">"#;
    let mut reviewed = Vec::new();
    for block in html.split(OPEN).skip(1) {
        let body = &block[..block.find("</script>").expect("closed")];
        let lower = body.to_ascii_lowercase();
        assert!(
            !lower.contains("</script") && !lower.contains("<!--"),
            "{body}"
        );
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
        reviewed.push(value["claimReviewed"].as_str().unwrap().to_string());
    }
    assert_eq!(reviewed.len(), payloads().len(), "one ClaimReview a claim");
    assert!(
        reviewed.iter().any(|r| r.contains("jsonld-break")),
        "{reviewed:?}"
    );
}

/// Elements that would load or run something, or restyle the page, were they content.
const ACTIVE_ELEMENTS: &[&str] = &[
    "iframe", "object", "embed", "base", "style", "svg", "math", "img", "video", "audio", "source",
    "textarea", "frame", "frameset", "applet",
];

/// The attributes that hold a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "xlink:href",
    "srcset",
];

/// The scheme of `url` as a browser reads it (tabs and line breaks removed, leading and
/// trailing controls and spaces trimmed), lowercase; `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// What in `html` could run script or restyle the page, one line a finding: an element of
/// [`ACTIVE_ELEMENTS`], a `<meta http-equiv>`, a script other than JSON-LD or the site's
/// `search.js`, an event handler or style attribute, a URL with another scheme than http(s)
/// or mailto.
fn active_content(html: &str) -> Vec<String> {
    use lol_html::{HtmlRewriter, Settings, element};
    let found = std::cell::RefCell::new(Vec::new());
    let note = |what: String| found.borrow_mut().push(what);
    let settings = Settings::new()
        .with_strict(false)
        .append_element_content_handler(element!("*", |el| {
            let tag = el.tag_name();
            if ACTIVE_ELEMENTS.contains(&tag.as_str()) {
                note(format!("<{tag}>"));
            }
            if tag == "meta" && el.has_attribute("http-equiv") {
                note("<meta http-equiv>".into());
            }
            if tag == "script" {
                let json_ld = el.get_attribute("type").as_deref() == Some("application/ld+json");
                let search = el
                    .get_attribute("src")
                    .is_some_and(|s| s.ends_with("search.js"));
                if !json_ld && !search {
                    note(format!(
                        "a script: {:?}",
                        el.attributes().iter().map(|a| a.name()).collect::<Vec<_>>()
                    ));
                }
            }
            for attribute in el.attributes() {
                let name = attribute.name();
                // As the browser reads it: `&#9;` is a tab, which URLs drop.
                let value = html_escape::decode_html_entities(&attribute.value()).into_owned();
                if name.starts_with("on") || name == "style" || name == "srcdoc" {
                    note(format!("<{tag} {name}>"));
                }
                if URL_ATTRIBUTES.contains(&name.as_str())
                    && scheme(&value)
                        .is_some_and(|s| !matches!(s.as_str(), "http" | "https" | "mailto"))
                {
                    note(format!("<{tag} {name}={value:?}>"));
                }
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(html.as_bytes()).unwrap();
    rewriter.end().unwrap();
    found.into_inner()
}

#[test]
fn no_page_holds_anything_that_could_run() {
    let site = built();
    let pages = html_pages(&site);
    assert!(
        pages.len() >= 6,
        "index, 404, two topics, two sources: {pages:?}"
    );
    for (path, html) in &pages {
        let found = active_content(html);
        assert!(found.is_empty(), "{path}: {found:#?}");
    }
    // The detector itself finds what it looks for.
    let control = r#"<img src=x onerror=y><a href=" JaVa&#9;Script:x">a</a><script>x</script>"#;
    assert_eq!(
        active_content(control).len(),
        4,
        "{:?}",
        active_content(control)
    );
}

#[test]
fn markdown_keeps_only_web_mail_and_relative_links() {
    let site = built();
    let topic = site.read(&format!("public/topics/{TOPIC}/index.html"));
    for allowed in [
        r#"href="https://example.org/allowed""#,
        r#"href="mailto:desk@example.org""#,
        r##"href="#top""##,
    ] {
        assert!(topic.contains(allowed), "the topic page keeps {allowed}");
    }
    // The text of a dropped link stays, as text.
    for text in [
        "markdown-javascript",
        "markdown-data",
        "markdown-vbscript",
        "markdown-reference",
    ] {
        assert!(topic.contains(text), "`{text}` still shown");
        assert!(
            !topic.contains(&format!(">{text}</a>")),
            "`{text}` is no link"
        );
    }
}

/// A source `meta-N` with `url: URL` for each URL, and the topic citing them all.
fn site_with_urls(urls: &[&str]) -> Site {
    let mut site = Site::new();
    let mut citations = String::new();
    for (i, url) in urls.iter().enumerate() {
        site = site
            .file(
                &format!("content/sources/meta-{i}.txt"),
                crate::support::ARTICLE,
            )
            .file(
                &format!("content/sources/meta-{i}.yaml"),
                &format!("url: {}\n", yaml(url)),
            );
        write!(
            citations,
            "      - source: meta-{i}\n        quote: \"eight children were reunited\"\n"
        )
        .unwrap();
    }
    site.topic(&format!(
        "title: Main\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    \
         citations:\n      - source: article\n        quote: \"eight children were reunited\"\n{citations}"
    ))
}

#[test]
fn a_metadata_url_that_is_no_web_address_is_refused_at_the_value() {
    let urls = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "https:javascript:alert(1)",
        "https://exa\u{1b}[2Jmple.org/",
    ];
    let run = site_with_urls(&urls).check_json();
    run.assert_code(1);
    let refused: Vec<Value> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "invalid-url")
        .collect();
    for (i, url) in urls.iter().enumerate() {
        let file = format!("content/sources/meta-{i}.yaml");
        let d = refused
            .iter()
            .find(|d| d["file"] == json!(file))
            .unwrap_or_else(|| panic!("`{url}` refused: {}", run.stdout));
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(1), Some(6)),
            "{d}"
        );
    }
    let base = Site::new().file(
        "content/site.yaml",
        "title: T\nbase_url: \"javascript:alert(1)//\"\n",
    );
    base.check_json()
        .assert_at("invalid-url", "content/site.yaml", 2);
}

#[test]
fn a_language_that_is_no_language_tag_is_refused_at_the_value() {
    // The site's language names the search index's files: it once failed the build as a
    // tool error (exit 2) instead of a located content error.
    let site = Site::new()
        .file(
            "content/site.yaml",
            "title: T\nlanguage: \"../../evil<script>\"\n",
        )
        .file(
            "content/sources/article.yaml",
            "language: en_GB\ntranslated_from: \"uk\\u001b[2J\"\n",
        );
    let run = site.run(&["build"]);
    run.assert_code(1);
    let run = site.check_json();
    let refused: Vec<(String, u64)> = run
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "invalid-language")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("content/site.yaml".to_string(), 2),
            ("content/sources/article.yaml".to_string(), 1),
            ("content/sources/article.yaml".to_string(), 2),
        ],
        "{}",
        run.stdout
    );
    let en_gb = run
        .diagnostics()
        .into_iter()
        .find(|d| d["message"].as_str().unwrap().contains("en_GB"))
        .unwrap();
    assert_eq!(en_gb["help"], "did you mean `en-GB`?");
}

/// Characters that must never reach a terminal as they are: C0 and C1 controls but the
/// line feed, DEL, and the bidi embeddings, overrides and isolates.
fn is_raw_control(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A site whose errors carry control characters and markup in ids, file names and values.
fn site_with_hostile_errors() -> Site {
    let claim = |id: &str, source: &str, quote: &str, stance: &str| {
        format!(
            "  - id: {}\n    statement: s\n    citations:\n      - source: {}\n        \
             quote: {}\n        stance: {}\n",
            yaml(id),
            yaml(source),
            yaml(quote),
            yaml(stance)
        )
    };
    let claims = [
        claim(
            "\u{1b}[31m<b>red</b>\u{202e}",
            "article",
            "eight children",
            "supports",
        ),
        claim("blink", "\u{1b}[5mblink", "q", "supports"),
        claim("bold", "article", "eight children", "\u{1b}[1mbold"),
        claim("red", "escapes", "the red text was", "supports"),
    ];
    Site::new()
        .file("content/sources/\u{1b}[2Jwipe.txt", "Some text.\n")
        .file("content/sources/<svg onload=alert(1)>.txt", "Some text.\n")
        .file("content/sources/line\nbreak.txt", "Some text.\n")
        .file("content/topics/\u{1b}]0;title\u{7}.yaml", "title: T\n")
        .file("content/topics/\u{202e}lmth.yaml", "title: T\n")
        .file(
            "content/sources/escapes.txt",
            "The \u{9b}31mred\u{1b}[0m text was here.\n",
        )
        .file(
            "content/topics/keys.yaml",
            &format!("title: Keys\n{}: x\n", yaml("\u{1b}[8mkey")),
        )
        .topic(&format!("title: Main\nclaims:\n{}", claims.concat()))
}

#[test]
fn ids_and_file_names_outside_the_rule_are_refused_and_reported_as_text() {
    let site = site_with_hostile_errors();
    let json = site.check_json();
    json.assert_code(1);
    let messages: Vec<String> = json
        .diagnostics()
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    for (code, text) in [
        ("invalid-id", "\u{1b}[2Jwipe"),
        ("invalid-id", "<svg onload=alert(1)>"),
        ("invalid-id", "line\nbreak"),
        ("invalid-slug", "\u{1b}]0;title\u{7}"),
        ("invalid-slug", "\u{202e}lmth"),
        ("invalid-id", "\u{1b}[31m<b>red</b>\u{202e}"),
        ("unknown-source", "\u{1b}[5mblink"),
        ("unknown-stance", "\u{1b}[1mbold"),
        // serde-saphyr writes the key it did not expect escaped.
        ("unknown-key", "\\u{1b}[8mkey"),
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(code) && m.contains(text)),
            "a `{code}` naming {text:?}, as written, in the JSON: {messages:#?}"
        );
    }

    let human = site.run(&["check"]);
    human.assert_code(1);
    let raw: Vec<(usize, char)> = human
        .stdout
        .char_indices()
        .filter(|(_, c)| is_raw_control(*c))
        .collect();
    assert!(
        raw.is_empty(),
        "raw control characters {raw:?} in:\n{}",
        human.stdout
    );
    for shown in [
        "\\u{1b}[2Jwipe",
        "<svg onload=alert(1)>",
        "line\\nbreak",
        "\\u{1b}]0;title\\u{7}",
        "\\u{202e}lmth",
        "\\u{1b}[5mblink",
        "{+\\u{9b}31mred\\u{1b}[0m+}",
    ] {
        assert!(
            human.stdout.contains(shown),
            "`{shown}` in:\n{}",
            human.stdout
        );
    }
}

#[test]
fn find_shows_a_source_with_terminal_escapes_escaped() {
    let site = Site::new().file(
        "content/sources/escapes.txt",
        "Before \u{1b}]0;owned\u{7}\u{1b}[2J the children came home \u{202e}after.\n",
    );
    let run = site.run(&["find", "the children came home"]);
    run.assert_code(0);
    assert!(
        !run.stdout.chars().any(is_raw_control),
        "raw control characters in:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\\u{1b}]0;owned\\u{7}\\u{1b}[2J [the children came home] \\u{202e}after."),
        "{}",
        run.stdout
    );
}

/// Runs `factsheet check` on `site` in at most `memory` bytes of address space, and
/// returns the run and how long it took.
fn check_bounded(site: &Site, memory: u64) -> (Run, Duration) {
    let mut command = Command::cargo_bin("factsheet").unwrap();
    command
        .args(["check", "--format", "json", "--root"])
        .arg(site.path())
        .env("NO_COLOR", "1");
    let limit = libc::rlimit {
        rlim_cur: memory,
        rlim_max: memory,
    };
    // SAFETY: setrlimit is async-signal-safe, and `limit` is plain data.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let start = Instant::now();
    let run = Run::of(command);
    (run, start.elapsed())
}

const GIB: u64 = 1 << 30;
/// Far more than any of these takes, even unoptimised on a busy machine.
const QUICKLY: Duration = Duration::from_secs(20);

/// A topic file whose title holds `value`.
fn topic_with_title(value: &str) -> Site {
    Site::new().topic(&format!(
        "title: {value}\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    \
         citations:\n      - source: article\n        quote: \"eight children were reunited\"\n"
    ))
}

#[test]
fn deep_nesting_and_alias_bombs_stop_quickly_at_a_located_error() {
    let deep = 10_000;
    let laughs: String = (1..10)
        .map(|i| {
            format!(
                "  - &l{i} [{}]\n",
                vec![format!("*l{}", i - 1); 10].join(", ")
            )
        })
        .collect();
    let big = "x".repeat(1 << 20);
    let cases = [
        (
            "nested lists",
            format!("{}{}", "[".repeat(deep), "]".repeat(deep)),
            "nested",
        ),
        (
            "nested maps",
            format!("{}x{}", "{a: ".repeat(deep), "}".repeat(deep)),
            "nested",
        ),
        (
            "nested block lists",
            format!("\n  {}x", "- ".repeat(deep)),
            "nested",
        ),
        (
            "a billion laughs",
            format!("\n  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n{laughs}"),
            "repeat",
        ),
        (
            "a megabyte repeated",
            format!(
                "\n  - &big {big}\n{}",
                "  - [*big, *big, *big, *big]\n".repeat(100)
            ),
            "repeat",
        ),
    ];
    for (what, title, says) in cases {
        let site = topic_with_title(&title);
        let (run, took) = check_bounded(&site, GIB);
        assert_eq!(
            run.code, 1,
            "{what}: exit code\n{}\n{}",
            run.stdout, run.stderr
        );
        assert!(took < QUICKLY, "{what}: took {took:?}");
        let d = run.diagnostic("yaml-syntax");
        assert_eq!(d["file"], "content/topics/main.yaml", "{what}: {d}");
        assert!(d["line"].as_u64().is_some(), "{what}: located: {d}");
        let text = format!("{} {}", d["message"], d["help"]).to_lowercase();
        assert!(text.contains(says), "{what}: the message says why: {d}");
    }
}

#[test]
fn a_megabyte_on_one_line_works() {
    let words: String = (0..250_000).map(|i| format!("w{} ", i % 1000)).collect();
    assert!(words.len() > 1 << 20);
    let line = format!("{words}and at the very end the passage.");
    let statement = format!("A long statement: {}", "word ".repeat(220_000));
    let site = Site::new()
        .file("content/site.yaml", "title: Test site\nsearch: false\n")
        .file("content/sources/long.txt", &format!("{line}\n"))
        .topic(&format!(
            "title: Main\nclaims:\n  - id: long\n    statement: {}\n    citations:\n      \
             - source: long\n        quote: \"at the very end the passage\"\n  - id: eight\n    \
             statement: s\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n",
            yaml(statement.trim_end())
        ));
    let (run, took) = check_bounded(&site, 2 * GIB);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(took < QUICKLY, "check took {took:?}");
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/sources/long/index.html");
    assert!(
        page.contains("the very end the passage</mark>"),
        "highlighted"
    );

    // A quote that is not there: the closest passage is looked for in the whole line.
    site.edit(
        "content/topics/main.yaml",
        "at the very end the passage",
        "at the very end the message",
    );
    let (run, took) = check_bounded(&site, 2 * GIB);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.diagnostic("quote-not-found");
    assert!(took < QUICKLY, "check of a missing quote took {took:?}");
}

/// Installed in every document before its own scripts: records the dialogs a page opens
/// (in the top window, from frames too) instead of opening them.
const GUARD: &str = r#"
  window.__factsheetGuard = true;
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => {
      let log;
      try { log = (window.top.__dialogs ||= []); } catch { log = (window.__dialogs ||= []); }
      log.push(`${name}(${args.join(", ")})`);
    };
  }
"#;

/// What ran or took effect in the current page: `{guard, pwned, dialogs, handlers, styled}`.
const REPORT: &str = r#"(() => {
  const all = [...document.querySelectorAll("*")];
  return {
    guard: window.__factsheetGuard === true,
    pwned: window.__pwned ?? null,
    dialogs: window.__dialogs ?? [],
    handlers: all.flatMap(e => [...e.attributes].filter(a => /^on/i.test(a.name))
      .map(a => `<${e.localName} ${a.name}>`)),
    styled: all.filter(e => getComputedStyle(e).getPropertyValue("--pwned") !== "")
      .map(e => e.localName).slice(0, 5),
  };
})()"#;

/// Opens `url` and returns [`REPORT`] once it has loaded and had time to run handlers.
async fn report_after_load(client: &Client, url: &str) -> Value {
    client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    wait_until(client, "the page loaded", "document.readyState", |v| {
        v == "complete"
    })
    .await;
    // Event handlers of failed images and the like run soon after the load.
    tokio::time::sleep(Duration::from_millis(300)).await;
    eval(client, REPORT).await
}

fn assert_clean(page: &str, report: &Value) {
    assert_eq!(report["guard"], json!(true), "{page}: the guard ran first");
    let clean = json!({"guard": true, "pwned": null, "dialogs": [], "handlers": [], "styled": []});
    assert_eq!(report, &clean, "{page}: something of the content ran");
}

#[tokio::test]
async fn no_payload_runs_on_any_page_in_chromium() {
    let test = "no_payload_runs_on_any_page_in_chromium";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    let site = built();
    // A page where the payloads do run: the report must see them.
    let control = payloads()[..12].join("\n");
    let site = site.file(
        "public/control.html",
        &format!("<!doctype html><body>{control}"),
    );
    let host = StaticHost::start(&site.path().join("public"));
    let browser = Browser::start(&tools).await;
    let client = &browser.client;
    cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": GUARD}),
    )
    .await;

    let control = report_after_load(client, &host.url("/control.html")).await;
    assert_eq!(control["guard"], json!(true), "{control}");
    assert!(
        control["pwned"].is_string(),
        "the control page's payloads ran: {control}"
    );
    assert!(
        !control["dialogs"].as_array().unwrap().is_empty(),
        "and opened dialogs: {control}"
    );

    let mut pages: Vec<String> = html_pages(&site)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| path != "control.html" && path != "404.html")
        .map(|path| format!("/{path}"))
        .collect();
    // The host answers an unknown address with 404.html, as web servers do.
    pages.push("/topics/no-such-topic/".to_string());
    for page in &pages {
        let report = report_after_load(client, &host.url(page)).await;
        assert_clean(page, &report);
    }

    // The search results show the payloads' words (every one says `pwned`).
    let topic = host.url(&format!("/topics/{TOPIC}/index.html"));
    report_after_load(client, &topic).await;
    let shown = "!document.querySelector('[data-search]').hidden";
    wait_until(client, "the search box", shown, |v| v == &json!(true)).await;
    let input = client
        .find(Locator::Css("#factsheet-search-input"))
        .await
        .expect("the search input");
    input.send_keys("pwned").await.expect("typing");
    let results = "document.querySelectorAll('.search-result').length";
    wait_until(client, "search results", results, |v| v.as_u64() > Some(0)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_clean("the search results", &eval(client, REPORT).await);
}
