//! Which pages `check` renders and link-checks: those the site itself can break.
//!
//! `build` renders every page and checks every link. `check` must answer at once on a
//! large site, and a page that only the built-in templates render, from content that
//! verified, can have neither a template error nor a broken link: the built-in templates
//! are tested over the bundled site and over generated corpora. So `check` renders, and
//! checks the links of, only:
//! - the pages whose template, or a template it extends or includes, is the site's own:
//!   a file of `templates/` that differs from the built-in template of its name (a copy
//!   of the built-in one, as `init` writes, is the built-in one);
//! - the pages that show content able to make a link the check follows: Markdown linking
//!   into the site, or any text holding the site's `base_url` (such text may become a
//!   `<meta content>`, which is checked when it starts with `base_url`). A topic shows on
//!   its own page, the index and the pages of the sources it cites; a source on its own
//!   page, the index and the pages of the topics citing it; the site's settings on every
//!   page;
//! - every page, when a file of `static/` takes the place of one (the links into it would
//!   then have to name that file's anchors).
//!
//! The site's static HTML pages are checked too (they are read, not rendered), and a page
//! outside the scope that a checked link names with a `#fragment` is rendered for its
//! anchors.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use memchr::memmem;
use rayon::prelude::*;

use crate::links;
use crate::model::{Review, Source};
use crate::render::context::{source_path, topic_path};
use crate::render::markdown::{link_targets, plain_text};
use crate::render::templates::BUILTIN_TEMPLATES;
use crate::render::{OutputFile, PageJob, Subject, Templates, page_jobs};
use crate::verify::{VerifiedSite, VerifiedTopic};

/// The pages `check` renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every page, as `build` does.
    Everything,
    /// These pages only, in the order `build` renders them.
    Pages(Vec<PageJob>),
}

/// The pages of `site` that `check` must render, with the site's `templates` and the
/// files of its `static/` directory.
pub fn scope(site: &VerifiedSite, templates: &Templates, statics: &[OutputFile]) -> Scope {
    let jobs = page_jobs(site);
    let static_paths: HashSet<&str> = statics.iter().map(|file| file.path.as_str()).collect();
    if jobs
        .iter()
        .any(|job| static_paths.contains(job.path.as_str()))
    {
        return Scope::Everything;
    }
    let Some(mut shown) = pages_showing_links(site) else {
        return Scope::Everything;
    };
    if !shown.is_empty() {
        // The index shows every topic and every source.
        shown.extend(
            jobs.iter()
                .filter(|job| job.subject == Subject::Index)
                .map(|job| job.path.clone()),
        );
    }
    let own = site_templates(templates);
    // A few page templates for many pages: each judged once.
    let mut builtin_pages: BTreeMap<&str, bool> = BTreeMap::new();
    for job in &jobs {
        builtin_pages
            .entry(job.template)
            .or_insert_with(|| is_builtin_chain(job.template, &own));
    }
    let all = jobs.len();
    let pages: Vec<PageJob> = jobs
        .into_iter()
        .filter(|job| shown.contains(&job.path) || !builtin_pages[job.template])
        .collect();
    if pages.len() == all {
        Scope::Everything
    } else {
        Scope::Pages(pages)
    }
}

/// The templates of `templates` that are the site's own: their text is not the built-in
/// template of their name (or there is none of that name).
fn site_templates(templates: &Templates) -> BTreeSet<&str> {
    templates
        .sources()
        .filter(|(name, _, text)| builtin(name) != Some(*text))
        .map(|(name, _, _)| name)
        .collect()
}

fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN_TEMPLATES
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .map(|(_, text)| *text)
}

/// Whether the template `name` and every template it extends or includes, however
/// deeply, are built-in ones that the site left as they are.
fn is_builtin_chain(name: &str, own: &BTreeSet<&str>) -> bool {
    let mut pending = vec![name];
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(text) = builtin(name) else {
            return false;
        };
        if own.contains(name) {
            return false;
        }
        pending.extend(references(text));
    }
    true
}

/// The names of the templates that `text` extends, includes or imports: the quoted
/// names in its `{% extends %}`, `{% include %}` and `{% import %}` tags.
fn references(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for tag in text.split("{%").skip(1) {
        let tag = tag.split("%}").next().unwrap_or_default();
        let tag = tag.trim_start_matches(['-', '+']).trim_start();
        let keyword = tag.split_whitespace().next().unwrap_or_default();
        if !matches!(keyword, "extends" | "include" | "import" | "from") {
            continue;
        }
        // Every second piece between quotes is a quoted name.
        for quote in ['"', '\''] {
            names.extend(tag.split(quote).skip(1).step_by(2));
        }
    }
    names
}

/// The paths of the pages that show content able to make a link the check follows (the
/// index aside); `None` when that content shows on every page.
fn pages_showing_links(site: &VerifiedSite) -> Option<BTreeSet<String>> {
    let finder = LinkFinder::new(site.config.base_url.as_deref());
    let config = &site.config;
    let settings = [
        (Some(&config.title), false),
        (config.description.as_ref(), true),
        (config.publisher.as_ref(), false),
    ];
    let may_link = |(text, markdown): (Option<&String>, bool)| {
        text.is_some_and(|text| finder.may_link(text, markdown))
    };
    if settings.into_iter().any(may_link) {
        return None;
    }
    // Every text of the site is read here, all the sources' included: on every core.
    let linking_topics: Vec<bool> = (site.topics.par_iter())
        .map(|topic| topic_may_link(topic, &finder))
        .collect();
    let linking_sources: HashSet<&str> = (site.sources.par_iter())
        .filter(|source| source_may_link(source, &finder))
        .map(|source| source.id.as_str())
        .collect();
    let mut topics: BTreeSet<&str> = BTreeSet::new();
    let mut sources: BTreeSet<&str> = linking_sources.iter().copied().collect();
    if linking_topics.contains(&true) || !linking_sources.is_empty() {
        for (topic, linking) in site.topics.iter().zip(linking_topics) {
            let slug = topic.slug.as_str();
            if linking {
                topics.insert(slug);
            }
            for citation in topic.claims.iter().flat_map(|claim| &claim.citations) {
                let source = citation.source.as_str();
                if linking {
                    sources.insert(source);
                }
                if linking_sources.contains(source) {
                    topics.insert(slug);
                }
            }
        }
    }
    let topics = topics.into_iter().map(topic_path);
    Some(topics.chain(sources.into_iter().map(source_path)).collect())
}

/// Whether any text of `topic` may make a link the check follows.
fn topic_may_link(topic: &VerifiedTopic, finder: &LinkFinder) -> bool {
    let corrections = |review: &Review| {
        review
            .corrections
            .iter()
            .any(|correction| finder.may_link(&correction.note, true))
    };
    let markdown =
        |text: &Option<String>| text.as_deref().is_some_and(|t| finder.may_link(t, true));
    if finder.may_link(&topic.title, false)
        || markdown(&topic.summary)
        || corrections(&topic.review)
    {
        return true;
    }
    topic.claims.iter().any(|claim| {
        finder.may_link(&claim.statement, true)
            || markdown(&claim.note)
            || corrections(&claim.review)
            || claim
                .citations
                .iter()
                .any(|citation| finder.may_link(&citation.quote, false) || markdown(&citation.note))
    })
}

/// Whether any text of `source`, its own included, may make a link the check follows.
fn source_may_link(source: &Source, finder: &LinkFinder) -> bool {
    let meta = &source.meta;
    let plain = [
        Some(&*source.text),
        meta.title.as_deref(),
        meta.publisher.as_deref(),
        meta.published.as_deref(),
        meta.url.as_deref(),
        meta.language.as_deref(),
        meta.translated_from.as_deref(),
    ];
    plain
        .into_iter()
        .flatten()
        .any(|text| finder.may_link(text, false))
        || meta
            .note
            .as_deref()
            .is_some_and(|note| finder.may_link(note, true))
}

/// Finds the texts that can put a link the check follows on the pages showing them.
struct LinkFinder<'a> {
    base_url: Option<&'a str>,
    /// The site's `base_url`, ending in `/`, as the check matches it.
    base: Option<memmem::Finder<'static>>,
}

impl<'a> LinkFinder<'a> {
    fn new(base_url: Option<&'a str>) -> Self {
        let base = base_url.map(|url| {
            let base = format!("{}/", url.trim_end_matches('/'));
            memmem::Finder::new(base.as_bytes()).into_owned()
        });
        LinkFinder { base_url, base }
    }

    /// Whether `text` (Markdown when `markdown` is set) holds a Markdown link into the
    /// site or the site's `base_url`.
    fn may_link(&self, text: &str, markdown: bool) -> bool {
        if markdown
            && link_targets(text)
                .iter()
                .any(|target| links::is_followed(target, self.base_url))
        {
            return true;
        }
        let Some(base) = &self.base else {
            return false;
        };
        let holds = |text: &str| base.find(text.as_bytes()).is_some();
        // Markdown's character references and escapes can spell the address in the page.
        holds(text) || markdown && text.contains(['&', '\\']) && holds(&plain_text(text))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::diagnostics::Files;
    use crate::render::templates::static_files;

    const TEXT: &str = "Eight children were reunited with their families.\nTalks went on.\n";

    /// A site of two sources and two topics (`a` cites `one`, `b` cites `two`), with
    /// `extra` files written over it.
    fn site(extra: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("content/site.yaml", "title: Site\n".to_string()),
            ("content/sources/one.txt", TEXT.to_string()),
            ("content/sources/two.txt", TEXT.to_string()),
            ("content/topics/a.yaml", topic("one", "")),
            ("content/topics/b.yaml", topic("two", "")),
        ];
        let extra = extra.iter().map(|(path, text)| (*path, text.to_string()));
        for (path, text) in files.into_iter().chain(extra) {
            write(dir.path(), path, &text);
        }
        dir
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// The scope `check` takes of the site: `None` for every page, else the pages' paths.
    fn scope_of(extra: &[(&str, &str)]) -> Option<Vec<String>> {
        let dir = site(extra);
        let checked = crate::pipeline::check(dir.path()).unwrap();
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        let templates = Templates::load(dir.path(), &mut Files::default())
            .unwrap()
            .unwrap();
        let statics = static_files(dir.path()).unwrap();
        match scope(&checked.site, &templates, &statics) {
            Scope::Everything => None,
            Scope::Pages(jobs) => Some(jobs.into_iter().map(|job| job.path).collect()),
        }
    }

    /// A topic whose one claim cites `source`, with `field` (a line of YAML) added.
    fn topic(source: &str, field: &str) -> String {
        format!(
            "title: T\n{field}claims:\n  - id: c-{source}\n    statement: Children were reunited.\n    citations:\n      - source: {source}\n        quote: \"children were reunited\"\n"
        )
    }

    #[test]
    fn the_built_in_templates_over_plain_content_need_no_page() {
        assert_eq!(scope_of(&[]), Some(vec![]));
    }

    #[test]
    fn copies_of_the_built_in_templates_are_the_built_in_ones() {
        let copies: Vec<(String, &str)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (format!("templates/{name}"), *text))
            .collect();
        let copies: Vec<(&str, &str)> = copies.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        assert_eq!(scope_of(&copies), Some(vec![]));
    }

    #[test]
    fn a_page_template_of_the_site_renders_its_pages() {
        let topic = format!("{}\n", builtin("topic.html").unwrap());
        assert_eq!(
            scope_of(&[("templates/topic.html", &topic)]),
            Some(vec![
                "topics/a/index.html".to_string(),
                "topics/b/index.html".to_string()
            ])
        );
    }

    #[test]
    fn a_template_every_page_extends_renders_every_page() {
        let base = format!("{}\n", builtin("base.html").unwrap());
        assert_eq!(scope_of(&[("templates/base.html", &base)]), None);
    }

    #[test]
    fn a_template_no_page_uses_renders_none() {
        assert_eq!(
            scope_of(&[("templates/partials/unused.html", "<p>unused</p>")]),
            Some(vec![])
        );
    }

    #[test]
    fn markdown_linking_into_the_site_renders_the_pages_showing_it() {
        let summary = topic("one", "summary: See [the other](../b/index.html).\n");
        assert_eq!(
            scope_of(&[("content/topics/a.yaml", &summary)]),
            Some(vec![
                "index.html".to_string(),
                "topics/a/index.html".to_string(),
                "sources/one/index.html".to_string()
            ])
        );
        let note = "note: \"[Claims](#claims)\"\n";
        assert_eq!(
            scope_of(&[("content/sources/two.yaml", note)]),
            Some(vec![
                "index.html".to_string(),
                "topics/b/index.html".to_string(),
                "sources/two/index.html".to_string()
            ])
        );
    }

    #[test]
    fn links_elsewhere_and_link_like_text_render_nothing() {
        let summary = topic(
            "one",
            "summary: \"[Elsewhere](https://example.org/x.html), [mail](mailto:a@b.org), [words] (x.html) and <b>\"\n",
        );
        assert_eq!(
            scope_of(&[("content/topics/a.yaml", &summary)]),
            Some(vec![])
        );
    }

    #[test]
    fn text_holding_the_base_url_renders_the_pages_showing_it() {
        let settings = "title: Site\nbase_url: https://facts.example.org/sheet\n";
        let title = "title: https://facts.example.org/sheet/topics/gone/\n";
        assert_eq!(
            scope_of(&[
                ("content/site.yaml", settings),
                ("content/sources/one.yaml", title)
            ]),
            Some(vec![
                "index.html".to_string(),
                "topics/a/index.html".to_string(),
                "sources/one/index.html".to_string()
            ])
        );
        // Spelled with a character reference, it is the same address in the page.
        let statement = topic("two", "").replace(
            "statement: Children were reunited.",
            "statement: \"https&#58;//facts.example.org/sheet/gone\"",
        );
        assert_eq!(
            scope_of(&[
                ("content/site.yaml", settings),
                ("content/topics/b.yaml", &statement)
            ])
            .map(|pages| pages.len()),
            Some(3)
        );
    }

    #[test]
    fn a_link_in_the_site_settings_renders_every_page() {
        let settings = "title: Site\ndescription: \"[About](about.html)\"\n";
        assert_eq!(scope_of(&[("content/site.yaml", settings)]), None);
    }

    #[test]
    fn a_static_file_in_the_place_of_a_page_renders_every_page() {
        assert_eq!(
            scope_of(&[("static/topics/a/index.html", "<p>mine</p>")]),
            None
        );
        assert_eq!(
            scope_of(&[("static/about/index.html", "<p>mine</p>")]),
            Some(vec![])
        );
    }

    #[test]
    fn references_are_the_quoted_names_of_extends_include_and_import() {
        let text = r#"{% extends "base.html" %}{%- include 'partials/a.html' -%}
            {% import "macros.html" as m %}{% if x %}"not a name"{% endif %}{{ "nor this" }}"#;
        assert_eq!(
            references(text),
            ["base.html", "partials/a.html", "macros.html"]
        );
        for (name, text) in BUILTIN_TEMPLATES {
            let expected: &[&str] = if *name == "base.html" {
                &[]
            } else {
                &["base.html"]
            };
            assert_eq!(references(text), expected, "{name}");
        }
    }
}
