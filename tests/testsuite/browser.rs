//! `factsheet serve` in a real browser (headless Debian chromium through chromedriver): a
//! save shows in the open page by itself; a save that breaks the site shows every problem
//! over the page at its `file:line:column`, to pages opened later too, until a good save
//! removes it; and nothing from the content or from an error message runs as script.
//!
//! Without chromium and chromedriver these tests print a notice and pass, except where `CI`
//! is set: there they fail. The plumbing is in `harness`.

#![cfg(unix)]

pub(crate) mod harness;

use std::time::Instant;

use harness::{Live, OVERLAY};
use serde_json::Value;

use crate::support::{Site, bundled_copy, repo_root};

/// A topic of the bundled site, and one of its claims (the element with this id).
const LETTER: &str = "content/topics/letter.yaml";
const LETTER_PAGE: &str = "/topics/letter/";
const CLAIM: &str = "#letter-photo-fox-news";
const STATEMENT: &str = "One report says Fox News later published a photo of the letter.";
const QUOTE: &str = "quote: \"Later, Fox News published a photo of the letter.\"";

/// The bundled site served, with the letter page open and showing its claim.
async fn letter_page_open(test: &str, site: &Site) -> Option<Live> {
    let live = Live::start(test, site.path()).await?;
    live.open(LETTER_PAGE).await;
    live.wait_for_text("the claim as first built", CLAIM, STATEMENT)
        .await;
    Some(live)
}

/// `text` with white space collapsed and without backticks, to compare a diagnostic's
/// words with what the overlay shows (which may set code in its own elements).
fn plain(text: &str) -> String {
    text.replace('`', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that the overlay's text shows the diagnostic `code` as `check` reports it: its
/// location written `file:line:column`, its message, its suggestion if any, and its help.
fn assert_overlay_shows(overlay: &str, site: &Site, code: &str, location: &str) {
    let (file, position) = location.split_once(':').unwrap();
    let (line, column) = position.split_once(':').unwrap();
    let diagnostic = site.check_json().assert_at_column(
        code,
        file,
        line.parse().unwrap(),
        column.parse().unwrap(),
    );
    assert!(
        overlay.contains(location),
        "the overlay shows `{location}`:\n{overlay}"
    );
    let shown = plain(overlay);
    for field in ["message", "suggestion", "help"] {
        if let Value::String(text) = &diagnostic[field] {
            assert!(
                shown.contains(&plain(text)),
                "the overlay shows the {field} of `{code}` ({text}):\n{overlay}"
            );
        }
    }
}

#[tokio::test]
async fn a_saved_statement_shows_in_the_open_page_by_itself() {
    let site = bundled_copy();
    let before = site.tree();
    let Some(mut live) =
        letter_page_open("a_saved_statement_shows_in_the_open_page_by_itself", &site).await
    else {
        return;
    };
    // A second page, which the save does not change, open in another tab.
    let letter = live.tab().await;
    let other = live.open_tab("/topics/open-channel/").await;
    live.mark().await;
    live.switch_to(&letter).await;
    live.mark().await;

    // The test does nothing but save the file.
    let new = "One report says Fox News later printed a photo of the letter (saved live).";
    let saved = Instant::now();
    site.edit(LETTER, STATEMENT, new);
    live.wait_for_text("the saved statement in the open page", CLAIM, new)
        .await;
    let elapsed = saved.elapsed();
    let how = if live.reloaded().await {
        "reloaded"
    } else {
        "updated in place"
    };
    eprintln!("serve: save to visible in the open page took {elapsed:.2?} ({how})");
    live.switch_to(&other).await;
    assert!(
        !live.reloaded().await,
        "a page the save did not change is not reloaded"
    );
    live.switch_to(&letter).await;
    assert_eq!(
        live.eval(&format!("document.querySelector('{OVERLAY}')"))
            .await,
        Value::Null,
        "no overlay after a good save"
    );
    assert_eq!(
        live.client().current_url().await.unwrap().as_str(),
        live.serve.url(LETTER_PAGE),
        "still the same page"
    );

    let status = live.serve.interrupt().await;
    assert_eq!(
        status.code(),
        Some(0),
        "Ctrl-C stops serve with 0; it printed:\n{}",
        live.serve.output()
    );
    assert_eq!(site.tree(), before, "serve writes nothing into the site");
}

#[tokio::test]
async fn broken_yaml_shows_the_overlay_at_its_line_until_a_fix_removes_it() {
    let site = bundled_copy();
    let Some(live) = letter_page_open(
        "broken_yaml_shows_the_overlay_at_its_line_until_a_fix_removes_it",
        &site,
    )
    .await
    else {
        return;
    };

    // A statement whose quote is never closed.
    let unclosed = "\"One report says Fox News later published a photo of the letter, then fixed.";
    site.edit(LETTER, &format!("\"{STATEMENT}\""), unclosed);
    let location = site.location(LETTER, unclosed);
    let overlay = live
        .wait_for_overlay("the overlay for the broken YAML")
        .await;
    assert_overlay_shows(&overlay, &site, "yaml-syntax", &location);
    assert_eq!(
        live.eval(&format!(
            "document.querySelector('{OVERLAY}').getAttribute('role')"
        ))
        .await,
        "alert"
    );
    live.screenshot("overlay-yaml-syntax").await;
    live.wait_for_text("the last good page still shown", CLAIM, STATEMENT)
        .await;

    site.edit(LETTER, unclosed, &format!("{unclosed}\""));
    live.wait_for_no_overlay("the overlay gone after the fix")
        .await;
    live.wait_for_text("the fixed statement", CLAIM, "the letter, then fixed.")
        .await;
}

#[tokio::test]
async fn a_missing_quote_is_shown_to_open_pages_and_to_pages_opened_later() {
    let site = bundled_copy();
    let Some(live) = letter_page_open(
        "a_missing_quote_is_shown_to_open_pages_and_to_pages_opened_later",
        &site,
    )
    .await
    else {
        return;
    };
    let letter_tab = live.tab().await;

    let missing = "quote: \"Later, CNN published a photo of the letter.\"";
    site.edit(LETTER, QUOTE, missing);
    let location = site.location(LETTER, "\"Later, CNN");
    let overlay = live.wait_for_overlay("the overlay in the open page").await;
    assert!(overlay.contains("quote-not-found"), "{overlay}");
    assert_overlay_shows(&overlay, &site, "quote-not-found", &location);
    live.screenshot("overlay-quote-not-found").await;

    // A page opened after the break: the server tells it the current problems.
    live.open_tab("/topics/open-channel/index.html").await;
    let overlay = live
        .wait_for_overlay("the overlay in a page opened after the break")
        .await;
    assert_overlay_shows(&overlay, &site, "quote-not-found", &location);

    site.edit(LETTER, missing, QUOTE);
    live.wait_for_no_overlay("the overlay gone from the late page")
        .await;
    live.switch_to(&letter_tab).await;
    live.wait_for_no_overlay("the overlay gone from the first page")
        .await;
    live.wait_for_text("the claim again", CLAIM, STATEMENT)
        .await;
}

#[tokio::test]
async fn markup_in_content_and_in_errors_is_shown_as_text_never_run() {
    let site = bundled_copy();
    let Some(live) = letter_page_open(
        "markup_in_content_and_in_errors_is_shown_as_text_never_run",
        &site,
    )
    .await
    else {
        return;
    };
    let nothing_ran = format!(
        "typeof window.__pwned === 'undefined' && document.querySelectorAll(\
         '[onerror], {CLAIM} script, {OVERLAY} script').length === 0"
    );

    let statement =
        r#"<script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned=2">"#;
    site.edit(
        LETTER,
        &format!("\"{STATEMENT}\""),
        &format!("'{statement}'"),
    );
    live.wait_for_text("the markup shown as text", CLAIM, statement)
        .await;
    assert_eq!(live.eval(&nothing_ran).await, true, "nothing of it ran");

    // A quote and a source id that carry markup, neither found: their text is in the
    // error messages.
    let payload = r#"<img src=x onerror="window.__pwned=4">"#;
    site.edit(
        LETTER,
        QUOTE,
        &format!(
            "quote: '<img src=x onerror=\"window.__pwned=3\"> published'\n      \
             - source: '{payload}'\n        quote: \"Later\""
        ),
    );
    let overlay = live.wait_for_overlay("the overlay for the markup").await;
    assert_overlay_shows(
        &overlay,
        &site,
        "unknown-source",
        &site.location(LETTER, &format!("'{payload}'")),
    );
    assert!(
        overlay.contains(payload),
        "the markup shown as text:\n{overlay}"
    );
    live.screenshot("overlay-markup").await;
    assert_eq!(
        live.eval(&nothing_ran).await,
        true,
        "nothing of the error messages ran"
    );
}

#[tokio::test]
async fn a_template_error_points_at_the_template() {
    const TEMPLATE: &str = "templates/topic.html";
    let site = bundled_copy().file(
        TEMPLATE,
        &std::fs::read_to_string(repo_root().join(TEMPLATE)).unwrap(),
    );
    let Some(live) = letter_page_open("a_template_error_points_at_the_template", &site).await
    else {
        return;
    };

    let title = "<h1>{{ topic.title }}</h1>";
    let broken = "<h1>{{ topic.title }</h1>";
    site.edit(TEMPLATE, title, broken);
    let location = site.location(TEMPLATE, "}</h1>");
    let overlay = live.wait_for_overlay("the overlay for the template").await;
    assert_overlay_shows(&overlay, &site, "template-syntax", &location);
    live.screenshot("overlay-template-syntax").await;

    site.edit(TEMPLATE, broken, "<h1>{{ topic.title }} (edited)</h1>");
    live.wait_for_no_overlay("the overlay gone after the fix")
        .await;
    live.wait_for_text("the edited template", "h1", "(edited)")
        .await;
}

#[tokio::test]
async fn a_site_that_never_built_says_so_and_shows_once_fixed() {
    let site = bundled_copy();
    site.edit(LETTER, "claims:", "claims: [");
    let test = "a_site_that_never_built_says_so_and_shows_once_fixed";
    let Some(live) = Live::start(test, site.path()).await else {
        return;
    };
    live.open(LETTER_PAGE).await;
    let overlay = live.wait_for_overlay("the overlay before any build").await;
    assert!(
        overlay.contains("Nothing has built yet"),
        "no last good version is promised:\n{overlay}"
    );
    assert!(!overlay.contains("last good version"), "{overlay}");

    site.edit(LETTER, "claims: [", "claims:");
    live.wait_for_text("the page once the site builds", CLAIM, STATEMENT)
        .await;
    live.wait_for_no_overlay("the overlay gone").await;
}
