//! The topic navigation in the header of every page: every topic on a small site; above
//! twelve topics, a link to the index's list of every topic and the current topic only,
//! so that no page grows with the number of topics.

use crate::support::Site;

/// The most topics a header lists (`NAV_MAX_TOPICS`).
const NAV_MAX_TOPICS: usize = 12;

/// The minimal site with `count` topics, `topic-0`…, each with one claim citing `article`.
fn site_with_topics(count: usize) -> Site {
    let mut site = Site::new().remove("content/topics/main.yaml");
    for i in 0..count {
        site = site.file(
            &format!("content/topics/topic-{i}.yaml"),
            &format!(
                "title: Topic {i}\norder: {i}\nclaims:\n  - id: claim-{i}\n    statement: Eight children were reunited.\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n"
            ),
        );
    }
    site.run(&["build"]).assert_code(0);
    site
}

/// The `<li>` items of the header's topic navigation of the page at `path`.
fn nav_items(site: &Site, path: &str) -> Vec<String> {
    let page = site.read(path);
    let start = page
        .find(r#"<nav class="site-nav" aria-label="Topics">"#)
        .unwrap_or_else(|| panic!("a topic navigation in {path}"));
    let nav = &page[start..start + page[start..].find("</nav>").unwrap()];
    nav.split("<li>")
        .skip(1)
        .map(|item| item.split("</li>").next().unwrap().to_string())
        .collect()
}

#[test]
fn a_small_site_lists_every_topic_in_every_header() {
    let site = site_with_topics(NAV_MAX_TOPICS);
    for page in [
        "public/index.html",
        "public/topics/topic-3/index.html",
        "public/sources/article/index.html",
        "public/404.html",
    ] {
        let items = nav_items(&site, page);
        assert_eq!(items.len(), NAV_MAX_TOPICS, "{page}: {items:#?}");
        assert!(!items.iter().any(|item| item.contains("topics-heading")));
    }
    let items = nav_items(&site, "public/topics/topic-3/index.html");
    assert_eq!(
        items[3],
        r#"<a href="../../topics/topic-3/index.html" aria-current="page">Topic 3</a>"#
    );
}

#[test]
fn above_twelve_topics_a_header_links_to_the_list_and_names_the_current_topic() {
    let count = NAV_MAX_TOPICS + 1;
    let site = site_with_topics(count);
    let all =
        |root: &str| format!(r#"<a href="{root}index.html#topics-heading">All {count} topics</a>"#);
    assert_eq!(
        nav_items(&site, "public/topics/topic-3/index.html"),
        [
            all("../../"),
            r#"<a href="../../topics/topic-3/index.html" aria-current="page">Topic 3</a>"#
                .to_string()
        ]
    );
    assert_eq!(nav_items(&site, "public/index.html"), [all("")]);
    assert_eq!(
        nav_items(&site, "public/sources/article/index.html"),
        [all("../../")]
    );
    assert_eq!(nav_items(&site, "public/404.html"), [all("/")]);
    // The list the headers link to names every topic (and the build's link check found
    // its anchor).
    let index = site.read("public/index.html");
    assert!(index.contains(r#"<h2 id="topics-heading">Topics</h2>"#));
    for i in 0..count {
        assert!(
            index.contains(&format!(
                r#"<h3><a href="topics/topic-{i}/index.html">Topic {i}</a></h3>"#
            )),
            "topic {i} on the index"
        );
    }
}

#[test]
fn no_header_grows_with_the_topics_of_the_site() {
    let headers = |count: usize| {
        let site = site_with_topics(count);
        [
            "public/topics/topic-0/index.html",
            "public/sources/article/index.html",
        ]
        .map(|path| {
            let page = site.read(path);
            page[..page.find("<main").unwrap()]
                .replace(&format!("All {count} topics"), "All N topics")
        })
    };
    assert_eq!(headers(NAV_MAX_TOPICS + 1), headers(4 * NAV_MAX_TOPICS));
}
