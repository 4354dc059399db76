//! Accessibility and look of the built site, in headless chromium, on the bundled site (with
//! an original URL, review dates and corrections added) as `factsheet build` writes it, put on
//! a plain static host (without `factsheet serve`'s script): every page type, and the search
//! results, pass axe-core with no serious or critical violation in the light and the dark
//! colour scheme, and keep their contrast when printed; the keyboard reaches every link and
//! control, each with a visible focus, starting with a skip link; the print stylesheet hides
//! the navigation, prints where links go and keeps the highlighted passages apart in black and
//! white.
//!
//! axe-core is not in the repository: `.ci/run` installs npm's `axe-core` into `target/axe`,
//! or `FACTSHEET_AXE` names an `axe.min.js`. Without it, or without chromium, these tests
//! print a notice and pass, except where `CI` is set: there they fail. With
//! `FACTSHEET_SCREENSHOTS=DIR`, the axe test also saves the README's screenshots there.

#![cfg(unix)]

use std::env;
use std::fs;
use std::path::PathBuf;

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::harness::{Browser, POLL, StaticHost, TIMEOUT, Tools, cdp, save_screenshot};
use crate::support::{Site, bundled_copy, repo_root};

/// Where `.ci/run` installs axe-core, below the repository.
const AXE_DEFAULT: &str = "target/axe/node_modules/axe-core/axe.min.js";

/// The violations that fail a page; `moderate` and `minor` ones are printed only.
const FAILING_IMPACTS: &[&str] = &["serious", "critical"];

fn on_ci() -> bool {
    env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The source of axe-core, or `None` (with a notice) to skip; on CI, missing fails.
fn axe_source(test: &str) -> Option<String> {
    let path = env::var_os("FACTSHEET_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(AXE_DEFAULT));
    match fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if on_ci() => panic!(
            "axe-core at {}: {e}; CI is set, so this fails instead of skipping \
             (.ci/run installs it with npm)",
            path.display()
        ),
        Err(_) => {
            eprintln!(
                "skipping {test}: no axe-core at {} (`.ci/run` installs it with npm, or set \
                 FACTSHEET_AXE to an axe.min.js)",
                path.display()
            );
            None
        }
    }
}

/// A source of the bundled site, given the URL of its original article.
const SOURCE_WITH_URL: &str = "content/sources/000_4e0fe4cb89eab73e.yaml";
const ORIGINAL: &str = "https://example.org/news/2025/10/first-lady?page=1&ref=print";
const LETTER: &str = "content/topics/letter.yaml";

/// The bundled site with what publishers use and it does not: the URL of an original
/// article (so citations link to it, also by text fragment), review dates and corrections
/// (on the letter topic and its first claim).
fn publishable_site() -> Site {
    let site = bundled_copy();
    let yaml = site.read(SOURCE_WITH_URL);
    let site = site.file(SOURCE_WITH_URL, &format!("{yaml}url: {ORIGINAL}\n"));
    site.edit(
        LETTER,
        "order: 20\n",
        "order: 20\nreviewed: 2025-10-20\ncorrections:\n  - date: 2025-10-18\n    \
         note: The summary gave the wrong month.\n",
    );
    site.edit(
        LETTER,
        "  - id: letter-august-2025\n",
        "  - id: letter-august-2025\n    reviewed: 2025-10-19\n    corrections:\n      \
         - date: 2025-10-19\n        note: \"The statement said *July*; it is August.\"\n",
    );
    site
}

/// A site built by `factsheet build` and put on a plain static host.
struct Published {
    site: Site,
    host: StaticHost,
}

impl Published {
    fn new(site: Site) -> Published {
        site.run(&["build"]).assert_code(0);
        let host = StaticHost::start(&site.path().join("public"));
        Published { site, host }
    }

    /// The URL path of each source page.
    fn source_pages(&self) -> Vec<String> {
        let dir = self.site.path().join("public/sources");
        let mut ids: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        ids.sort();
        ids.iter().map(|id| format!("/sources/{id}/")).collect()
    }

    /// One page of each type: `(name, URL path)`. The 404 page is asked for at an address
    /// that is no page, below the root, as a host answers a stale link.
    fn page_types(&self) -> Vec<(&'static str, String)> {
        assert!(
            self.site.exists("public/404.html"),
            "the build wrote 404.html"
        );
        let source = self
            .source_pages()
            .into_iter()
            .next()
            .expect("a source page");
        vec![
            ("index", "/".to_string()),
            ("topic", "/topics/letter/".to_string()),
            ("source", source),
            ("404", "/topics/no-such-topic/".to_string()),
        ]
    }

    /// Opens the page at `path` in the current tab.
    async fn open(&self, client: &Client, path: &str) {
        let url = self.host.url(path);
        client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }
}

/// The value of a JavaScript function body run in the page with `args`.
async fn eval(client: &Client, body: &str, args: Vec<Value>) -> Value {
    client
        .execute(body, args)
        .await
        .unwrap_or_else(|e| panic!("running `{body}`: {e}"))
}

/// Emulates the media type (`""` for the screen, or `"print"`) and colour scheme, and checks
/// the page sees them.
async fn emulate(client: &Client, media: &str, scheme: &str) {
    cdp(
        client,
        "Emulation.setEmulatedMedia",
        json!({
            "media": media,
            "features": [{"name": "prefers-color-scheme", "value": scheme}],
        }),
    )
    .await;
    // Two frames, so that what is decided at a rendering update (the content of a closed
    // `<details>`, say) follows too.
    client
        .execute_async(
            "requestAnimationFrame(() => requestAnimationFrame(arguments[0]))",
            vec![],
        )
        .await
        .expect("two animation frames");
    let media = if media.is_empty() { "screen" } else { media };
    let query = format!("{media} and (prefers-color-scheme: {scheme})");
    let seen = eval(
        client,
        "return matchMedia(arguments[0]).matches",
        vec![json!(query)],
    )
    .await;
    assert_eq!(seen, json!(true), "the page matches {query} once emulated");
}

/// Runs axe-core in the current page (injecting it first if needed) with `options`, and
/// returns its violations, each as `{id, impact, help, nodes: [{target, summary}]}`. Prints
/// the rules it could not decide.
async fn axe_violations(client: &Client, axe: &str, options: Value) -> Vec<Value> {
    let inject = "if (!window.axe) { const s = document.createElement('script'); \
                  s.textContent = arguments[0]; document.head.append(s); } \
                  return typeof window.axe;";
    let loaded = eval(client, inject, vec![json!(axe)]).await;
    assert_eq!(loaded, json!("object"), "axe-core loaded into the page");
    let run = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, arguments[0]).then(
          r => done({
            violations: r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary })),
            })),
            incomplete: r.incomplete.map(v => `${v.id} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`),
          }),
          e => done({ error: String(e) }));
    "#;
    let result = client
        .execute_async(run, vec![options])
        .await
        .unwrap_or_else(|e| panic!("running axe-core: {e}"));
    let Some(violations) = result["violations"].as_array() else {
        panic!("axe-core failed: {result}");
    };
    // What axe could not decide (text over a gradient, say) is printed, not failed.
    if let Some(undecided) = result["incomplete"].as_array().filter(|u| !u.is_empty()) {
        eprintln!("axe: left for a person to review: {undecided:?}");
    }
    violations.clone()
}

/// Prints every violation, node by node, and returns those of a failing impact, one line a
/// rule: how many nodes, the first few of them and why the first one fails.
fn failing(page: &str, mode: &str, violations: &[Value]) -> Vec<String> {
    let mut failing = Vec::new();
    for v in violations {
        let impact = v["impact"].as_str().unwrap_or("unknown");
        let rule = format!(
            "{page} ({mode}): {impact} {}: {}",
            v["id"].as_str().unwrap_or_default(),
            v["help"].as_str().unwrap_or_default()
        );
        let nodes = v["nodes"].as_array().cloned().unwrap_or_default();
        let summary = |node: &Value| {
            let text = node["summary"].as_str().unwrap_or_default();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for node in &nodes {
            eprintln!(
                "axe: {rule} at `{}`: {}",
                node["target"].as_str().unwrap_or_default(),
                summary(node)
            );
        }
        if FAILING_IMPACTS.contains(&impact) {
            let targets: Vec<&str> = nodes
                .iter()
                .take(3)
                .filter_map(|n| n["target"].as_str())
                .collect();
            failing.push(format!(
                "{rule}: {} node(s), e.g. `{}`: {}",
                nodes.len(),
                targets.join("`, `"),
                nodes.first().map(summary).unwrap_or_default()
            ));
        }
    }
    failing
}

#[tokio::test]
async fn every_page_type_passes_axe_core_in_light_and_dark() {
    let test = "every_page_type_passes_axe_core_in_light_and_dark";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    let Some(axe) = axe_source(test) else { return };
    let site = Published::new(publishable_site());
    let browser = Browser::start(&tools).await;
    let client = &browser.client;

    let all = json!({"resultTypes": ["violations"]});
    // The colour scheme and print media change colours only (not what is shown, nor the
    // layout), so those runs check only the rules about colour, which saves time.
    let colours = json!({
        "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
        "resultTypes": ["violations"],
    });
    let mut failures = Vec::new();
    for (name, page) in site.page_types() {
        site.open(client, &page).await;
        for (mode, media, scheme, options) in [
            ("light", "", "light", &all),
            ("dark", "", "dark", &colours),
            // Printed from a system set to dark: dark text on white paper all the same.
            ("print", "print", "dark", &colours),
        ] {
            emulate(client, media, scheme).await;
            let violations = axe_violations(client, &axe, options.clone()).await;
            failures.extend(failing(name, mode, &violations));
        }
    }
    // The search's results, which only show once a query is typed.
    site.open(client, "/").await;
    emulate(client, "", "light").await;
    show_search_results(client, "letter").await;
    for (scheme, options) in [("light", &all), ("dark", &colours)] {
        emulate(client, "", scheme).await;
        let violations = axe_violations(client, &axe, options.clone()).await;
        failures.extend(failing("search results", scheme, &violations));
    }
    assert!(
        failures.is_empty(),
        "axe-core found {} serious or critical violations:\n{}",
        failures.len(),
        failures.join("\n")
    );

    if env::var_os("FACTSHEET_SCREENSHOTS").is_some() {
        readme_screenshots(client, &site).await;
    }
}

/// Types `query` into the header's search box (once its script has shown it) and waits for
/// the results.
async fn show_search_results(client: &Client, query: &str) {
    let shown = "const input = document.querySelector('[data-search] input[type=search]'); \
                 return !!input && input.checkVisibility();";
    wait_for(client, "the search box", shown).await;
    let input = client
        .find(fantoccini::Locator::Css("[data-search] input[type=search]"))
        .await
        .expect("the search box");
    input.send_keys(query).await.expect("typing a query");
    let results = "const panel = document.querySelector('[data-search-results]'); \
                   return !!panel && panel.checkVisibility() && !!panel.querySelector('a[href]');";
    wait_for(client, "search results", results).await;
}

/// Polls the function body `condition` until it returns `true`.
async fn wait_for(client: &Client, what: &str, condition: &str) {
    let start = std::time::Instant::now();
    while eval(client, condition, vec![]).await != json!(true) {
        assert!(start.elapsed() < TIMEOUT, "no {what} after {TIMEOUT:?}");
        tokio::time::sleep(POLL).await;
    }
}

/// The README's screenshots of the topic page: light and dark at 1200 × 1500, and a phone
/// (390 CSS pixels wide, at twice the density).
async fn readme_screenshots(client: &Client, site: &Published) {
    for (name, scheme, width, height, scale, mobile) in [
        ("topic", "light", 1200, 1500, 1, false),
        ("topic-dark", "dark", 1200, 1500, 1, false),
        ("topic-phone", "light", 390, 844, 2, true),
    ] {
        cdp(
            client,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile}),
        )
        .await;
        cdp(
            client,
            "Emulation.setScrollbarsHidden",
            json!({"hidden": true}),
        )
        .await;
        site.open(client, "/topics/letter/").await;
        emulate(client, "", scheme).await;
        let png = client.screenshot().await.expect("a screenshot");
        save_screenshot(name, &png);
    }
}

/// Records, on every focus, what the focused element is and how its focus shows.
const FOCUS_LOG: &str = r#"
    window.__focusLog = [];
    document.addEventListener('focusin', e => {
      const el = e.target, s = getComputedStyle(el), r = el.getBoundingClientRect();
      window.__focusLog.push({
        index: window.__tabbables.indexOf(el),
        what: `${el.tagName.toLowerCase()}.${el.className} “${(el.getAttribute('aria-label') || el.textContent).trim().slice(0, 50)}”`,
        focusVisible: el.matches(':focus-visible'),
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
        shadow: s.boxShadow !== 'none',
        size: r.width > 0 && r.height > 0,
        inView: r.bottom > 0 && r.top < innerHeight,
      });
    });
"#;

/// The elements the Tab key should reach, in document order (the pages set no positive
/// `tabindex`), kept as `window.__tabbables`; returns how many.
const TABBABLES: &str = r#"
    const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), '
      + 'select:not([disabled]), textarea:not([disabled]), details > summary:first-of-type, '
      + '[tabindex]:not([tabindex="-1"])';
    window.__tabbables = [...document.querySelectorAll(selector)]
      .filter(el => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'));
    return window.__tabbables.length;
"#;

/// Presses Tab `count` times.
async fn press_tab(client: &Client, count: usize) {
    let tab: char = Key::Tab.into();
    let mut keys = KeyActions::new("keyboard".to_string());
    for _ in 0..count {
        keys = keys
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab });
    }
    client.perform_actions(keys).await.expect("pressing Tab");
}

#[tokio::test]
async fn the_keyboard_reaches_every_link_with_a_visible_focus() {
    let test = "the_keyboard_reaches_every_link_with_a_visible_focus";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    let site = Published::new(publishable_site());
    let browser = Browser::start(&tools).await;
    let client = &browser.client;
    let mut problems = Vec::new();
    for (name, page) in site.page_types() {
        site.open(client, &page).await;
        let count = eval(client, TABBABLES, vec![]).await.as_u64().unwrap() as usize;
        eval(client, FOCUS_LOG, vec![]).await;

        // The first Tab shows the skip link, which leads into the main content.
        press_tab(client, 1).await;
        let first = eval(client, "return window.__focusLog[0] || null", vec![]).await;
        assert_eq!(
            first["what"].as_str().map(|w| w.starts_with("a.skip-link")),
            Some(true),
            "{name}: the first Tab focuses the skip link: {first}"
        );
        assert_eq!(
            first["inView"],
            json!(true),
            "{name}: the focused skip link is in view: {first}"
        );
        press_tab(client, count - 1).await;

        let log = eval(client, "return window.__focusLog", vec![]).await;
        let log = log.as_array().unwrap();
        let reached: Vec<i64> = log.iter().map(|f| f["index"].as_i64().unwrap()).collect();
        let expected: Vec<i64> = (0..count as i64).collect();
        if reached != expected {
            problems.push(format!(
                "{name}: Tab reached the elements {reached:?}, not 0..{count} in order; log: {log:#?}"
            ));
        }
        for f in log {
            let visible = f["focusVisible"] == json!(true)
                && (f["outline"] == json!(true) || f["shadow"] == json!(true))
                && f["size"] == json!(true);
            if !visible {
                problems.push(format!("{name}: no visible focus on {f}"));
            }
        }
        // Enter on the skip link moves the focus to the main content.
        site.open(client, &page).await;
        press_tab(client, 1).await;
        let enter: char = Key::Enter.into();
        let keys = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value: enter })
            .then(KeyAction::Up { value: enter });
        client.perform_actions(keys).await.expect("pressing Enter");
        let focused = eval(client, "return document.activeElement.id", vec![]).await;
        assert_eq!(
            focused,
            json!("main"),
            "{name}: the skip link moves the focus to <main>"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the print stylesheet shows of the current page (emulated print media, from a system
/// set to dark): whether each selector is displayed, the text colour, and what follows each
/// external link.
const PRINTED: &str = r#"
    const shown = sel => [...document.querySelectorAll(sel)].map(el => getComputedStyle(el).display !== 'none');
    const after = [...document.querySelectorAll('main a[href^="http"]')]
      .filter(a => a.textContent.trim() !== a.getAttribute('href'))
      .map(a => ({ href: a.getAttribute('href'), after: getComputedStyle(a, '::after').content }));
    const notes = [...document.querySelectorAll('details > :not(summary)')]
      .map(el => el.checkVisibility({ contentVisibilityAuto: true }) && el.getBoundingClientRect().height > 0);
    const marks = {};
    for (const stance of ['supports', 'contradicts', 'context']) {
      const m = document.querySelector(`mark[class="${stance}"]`);
      if (m) {
        const s = getComputedStyle(m);
        marks[stance] = { line: s.textDecorationLine, style: s.textDecorationStyle, color: s.textDecorationColor };
      }
    }
    return {
      nav: shown('.site-nav'), skip: shown('.skip-link'), passages: shown('.passage'),
      color: getComputedStyle(document.body).color,
      background: getComputedStyle(document.body).backgroundColor,
      after, marks, notes,
    };
"#;

#[tokio::test]
async fn print_shows_quotes_and_link_targets_without_navigation_or_colour() {
    let test = "print_shows_quotes_and_link_targets_without_navigation_or_colour";
    let Some(tools) = Tools::find(test) else {
        return;
    };
    let site = Published::new(publishable_site());
    let browser = Browser::start(&tools).await;
    let client = &browser.client;

    // Printed from a system set to dark, as the darkest case.
    let mut printed = Vec::new();
    for (name, page) in site.page_types() {
        site.open(client, &page).await;
        emulate(client, "print", "dark").await;
        let shown = eval(client, PRINTED, vec![]).await;
        assert_eq!(
            shown["skip"],
            json!([false]),
            "{name}: no skip link on paper: {shown}"
        );
        assert!(
            shown["nav"].as_array().unwrap().iter().all(|n| n == false),
            "{name}: no navigation on paper: {shown}"
        );
        assert_eq!(
            shown["color"],
            json!("rgb(0, 0, 0)"),
            "{name}: black text: {shown}"
        );
        assert_eq!(
            shown["background"],
            json!("rgb(255, 255, 255)"),
            "{name}: on white: {shown}"
        );
        assert!(
            shown["notes"].as_array().unwrap().iter().all(|n| n == true),
            "{name}: closed notes printed open: {shown}"
        );
        printed.push((name, shown));
    }
    let shown = |page: &str| &printed.iter().find(|(name, _)| *name == page).unwrap().1;

    let topic = shown("topic");
    let passages = topic["passages"].as_array().unwrap();
    assert!(
        !passages.is_empty() && passages.iter().all(|p| p == true),
        "every quote printed: {topic}"
    );
    // Where each link to the open web leads is printed after it, except a deep link's
    // long text fragment (`#:~:text=…`): the plain link beside it says where.
    let links = topic["after"].as_array().unwrap();
    let (deep, plain): (Vec<&Value>, Vec<&Value>) = links
        .iter()
        .partition(|link| link["href"].as_str().unwrap().contains("#:~:"));
    for link in deep {
        assert_eq!(link["after"], "none", "no text fragment on paper: {link}");
    }
    assert!(
        plain.iter().any(|link| link["href"] == ORIGINAL),
        "the topic page links to the original article: {topic}"
    );
    for link in plain {
        let href = link["href"].as_str().unwrap();
        assert!(
            link["after"].as_str().unwrap().contains(href),
            "the target of {link} printed after it"
        );
    }
    assert!(
        shown("index")["notes"]
            .as_array()
            .is_some_and(|n| !n.is_empty()),
        "the index has closed notes: {}",
        shown("index")
    );

    // Each stance's highlighted passages keep an underline of their own style in black.
    let mut styles = serde_json::Map::new();
    for page in site.source_pages() {
        site.open(client, &page).await;
        emulate(client, "print", "dark").await;
        let marks = eval(client, PRINTED, vec![]).await["marks"].clone();
        for (stance, mark) in marks.as_object().unwrap() {
            assert_eq!(
                mark["line"],
                json!("underline"),
                "{stance} passages underlined: {mark}"
            );
            assert_eq!(
                mark["color"],
                json!("rgb(0, 0, 0)"),
                "{stance} underlined in black: {mark}"
            );
            styles.insert(stance.clone(), mark["style"].clone());
        }
    }
    let mut distinct: Vec<&Value> = styles.values().collect();
    distinct.sort_by_key(|v| v.to_string());
    distinct.dedup();
    assert_eq!(
        styles.len(),
        3,
        "passages of every stance on the source pages: {styles:?}"
    );
    assert_eq!(
        distinct.len(),
        3,
        "each stance has an underline of its own style: {styles:?}"
    );
}
