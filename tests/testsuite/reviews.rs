//! `reviewed` dates and `corrections` logs on topics and claims: loaded with located
//! diagnostics, shown on the topic page, carried in `claims.json`; optional, so every
//! existing file stays valid.

use crate::support::Site;

const TOPIC: &str = "content/topics/main.yaml";

/// The main topic with `topic` after its title and `claim` after the claim's statement.
fn reviewed(topic: &str, claim: &str) -> String {
    format!(
        "title: Main\n{topic}claims:\n  - id: eight\n    statement: Eight children were reunited.\n{claim}    citations:\n      - source: article\n        quote: eight children were reunited\n  - id: talks\n    statement: There were talks.\n    citations:\n      - source: article\n        quote: after months of talks\n"
    )
}

#[test]
fn the_topic_page_shows_review_dates_and_corrections() {
    let site = Site::new().topic(&reviewed(
        "reviewed: 2025-10-11\ncorrections:\n  - date: 2025-10-12\n    note: \"Renamed the topic <script>x</script>.\"\n",
        "    reviewed: 2025-10-14\n    corrections:\n      - date: 2025-10-14\n        note: Said *nine*.\n      - date: 2025-10-13\n        note: Said ten.\n",
    ));
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/topics/main/index.html");
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` in:\n{page}"))
    };
    // The page's date is the latest on it; a claim without its own date has its topic's.
    at(r#"Last reviewed <time datetime="2025-10-14">2025-10-14</time>"#);
    let eight = at(r#"id="eight""#);
    let talks = at(r#"id="talks""#);
    let eight_date = at(r#"Reviewed <time datetime="2025-10-14">"#);
    let talks_date = at(r#"Reviewed <time datetime="2025-10-11">"#);
    assert!(eight < eight_date && eight_date < talks && talks < talks_date);
    // The claim's log inside the claim, oldest first, Markdown rendered.
    let ten =
        at(r#"<time datetime="2025-10-13">2025-10-13</time> <div class="prose"><p>Said ten.</p>"#);
    let nine = at("<p>Said <em>nine</em>.</p>");
    assert!(eight < ten && ten < nine && nine < talks);
    // The topic's log after the claims, its note escaped.
    let log = at("Corrections to this topic");
    assert!(log > talks_date);
    at("Renamed the topic &lt;script&gt;x&lt;");
    assert!(!page.contains("<script>x"));
}

#[test]
fn pages_without_dates_show_none() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let page = site.read("public/topics/main/index.html");
    for absent in [
        "Last reviewed",
        "Reviewed <time",
        "corrections",
        "Correction",
    ] {
        assert!(!page.contains(absent), "`{absent}` in:\n{page}");
    }
}

#[test]
fn claims_json_carries_the_dates_as_written() {
    let site = Site::new().topic(&reviewed(
        "reviewed: 2025-10-11\n",
        "    corrections:\n      - date: 2025-10-12\n        note: Said *nine*.\n",
    ));
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let topic = &data["topics"][0];
    assert_eq!(topic["reviewed"], "2025-10-11");
    assert!(topic.get("corrections").is_none(), "{topic}");
    let eight = &topic["claims"][0];
    assert!(eight.get("reviewed").is_none(), "as written: {eight}");
    assert_eq!(
        eight["corrections"],
        serde_json::json!([{"date": "2025-10-12", "note": "Said *nine*."}])
    );
}

#[test]
fn claims_json_of_a_file_without_dates_has_no_new_fields() {
    let site = Site::new();
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let keys = |value: &serde_json::Value| -> Vec<String> {
        value.as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(keys(&data["topics"][0]), ["claims", "slug", "title", "url"]);
    assert_eq!(
        keys(&data["topics"][0]["claims"][0]),
        ["citations", "id", "statement", "status", "url"]
    );
}

#[test]
fn an_impossible_date_is_reported_at_the_value() {
    let site = Site::new().topic(&reviewed("reviewed: 2025-13-40\n", ""));
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("invalid-date", TOPIC, 2, 11);
    assert!(d["message"].as_str().unwrap().contains("2025-13-40"), "{d}");
    assert!(d["help"].as_str().unwrap().contains("2025-10-10"), "{d}");
}

#[test]
fn a_number_where_a_date_belongs_is_an_invalid_date() {
    let site = Site::new().topic(&reviewed("", "    reviewed: 20251010\n"));
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("invalid-date", TOPIC, 5, 15);
    assert!(d["message"].as_str().unwrap().contains("20251010"), "{d}");
}

#[test]
fn a_correction_without_a_date_is_reported_at_the_correction() {
    let site = Site::new().topic(&reviewed("corrections: [{note: x}]\n", ""));
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("missing-field", TOPIC, 2, 15);
    assert!(d["message"].as_str().unwrap().contains("`date`"), "{d}");
}

#[test]
fn bad_corrections_of_a_claim_are_each_located() {
    let site = Site::new().topic(&reviewed(
        "",
        "    corrections:\n      - date: 2025-02-30\n        note: x\n      - date: 2025-02-03\n        note:\n",
    ));
    let run = site.check_json();
    run.assert_code(1);
    run.assert_at_column("invalid-date", TOPIC, 6, 15);
    run.assert_at_column("empty-value", TOPIC, 9, 9);
    assert_eq!(run.diagnostics().len(), 2, "{}", run.stdout);
}

#[test]
fn an_unknown_key_in_a_correction_is_refused() {
    let site = Site::new().topic(&reviewed(
        "corrections:\n  - date: 2025-02-03\n    note: x\n    by: me\n",
        "",
    ));
    let run = site.check_json();
    run.assert_code(1);
    let d = run.assert_at_column("unknown-key", TOPIC, 5, 5);
    assert!(d["help"].as_str().unwrap().contains("date, note"), "{d}");
}

#[test]
fn empty_corrections_mean_none() {
    let site = Site::new().topic(&reviewed("corrections:\n", "    corrections: []\n"));
    let run = site.check_json();
    run.assert_code(0);
    assert!(run.diagnostics().is_empty(), "{}", run.stdout);
}
