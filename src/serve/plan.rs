//! The decisions `serve` makes on each change, as pure functions: which files a batch of
//! file-system events touched, and which pages of the site must be rendered again.
//!
//! The rule behind `plan`: a page is rendered again when something it shows may have
//! changed. A topic page shows its topic, the sources it cites (titles, passages) and the
//! site's navigation; a source page shows its source and every claim citing it (so an
//! edited topic renders the pages of the sources whose citing claims it changed, not of
//! every source it cites); the index shows everything. Anything that every page shows
//! (the site settings, the topic list of the navigation, the templates) renders every
//! page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::render::context::{source_path, topic_path};
use crate::render::{PageJob, page_jobs};
use crate::verify::{VerifiedClaim, VerifiedSite, VerifiedTopic};

/// The directories `serve` watches, below the site root.
pub const WATCHED_DIRS: [&str; 3] = ["content", "templates", "static"];

/// What a batch of file-system events touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    pub content: bool,
    pub templates: bool,
    pub statics: bool,
    /// A watched directory itself appeared or went away: watch again.
    pub layout: bool,
}

impl Change {
    /// Everything, as on the first build.
    pub const ALL: Change = Change {
        content: true,
        templates: true,
        statics: true,
        layout: true,
    };

    /// A content file, and nothing else.
    pub const CONTENT: Change = Change {
        content: true,
        templates: false,
        statics: false,
        layout: false,
    };

    pub fn is_empty(&self) -> bool {
        *self == Change::default()
    }

    pub fn merge(&mut self, other: Change) {
        self.content |= other.content;
        self.templates |= other.templates;
        self.statics |= other.statics;
        self.layout |= other.layout;
    }
}

/// Sorts the paths of a batch of events into the kinds of input they belong to. Paths
/// outside the watched directories (the output, `.git`, …) and editors' scratch files
/// change nothing.
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> Change {
    let mut change = Change::default();
    for path in paths {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let parts: Vec<&str> = relative
            .components()
            .filter_map(|c| match c {
                Component::Normal(part) => part.to_str(),
                _ => None,
            })
            .collect();
        let Some((&top, rest)) = parts.split_first() else {
            continue;
        };
        if rest.is_empty() {
            change.layout |= WATCHED_DIRS.contains(&top);
            // A watched directory created or removed whole: its files changed too.
            change.merge(kind_of(top));
            continue;
        }
        if rest.iter().any(|part| is_scratch_file(part)) {
            continue;
        }
        change.merge(kind_of(top));
    }
    change
}

fn kind_of(top: &str) -> Change {
    match top {
        "content" => Change {
            content: true,
            ..Change::default()
        },
        "templates" => Change {
            templates: true,
            ..Change::default()
        },
        "static" => Change {
            statics: true,
            ..Change::default()
        },
        _ => Change::default(),
    }
}

/// Files editors write beside the one being edited: swap, backup and lock files, and
/// Vim's write test (`4913`). Hidden files are the site's own choice to skip, too.
pub fn is_scratch_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// The watched directories that exist under `root`.
pub fn dirs_to_watch(root: &Path) -> Vec<PathBuf> {
    WATCHED_DIRS
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
        .collect()
}

/// What to render after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The pages to render again.
    pub pages: Vec<PageJob>,
    /// Whether `claims.json` changes.
    pub data: bool,
    /// Whether to read the static files again.
    pub statics: bool,
    /// Pages of the previous build that no longer exist.
    pub removed: Vec<String>,
}

/// Which pages `next` needs rendered, given the last good build `previous` and what
/// changed on disk. Without a previous build, or when templates or something every page
/// shows changed, that is every page.
pub fn plan(previous: Option<&VerifiedSite>, next: &VerifiedSite, change: Change) -> Plan {
    let all = page_jobs(next);
    let removed = previous
        .map(|previous| removed_pages(previous, next))
        .unwrap_or_default();
    let Some(previous) = previous.filter(|p| !change.templates && same_frame(p, next)) else {
        return Plan {
            pages: all,
            data: true,
            statics: change.statics,
            removed,
        };
    };
    let changed_sources = changed_sources(previous, next);
    let changed_topics = changed_topics(previous, next);
    let mut topics: BTreeSet<&str> = changed_topics.keys().copied().collect();
    let mut sources: BTreeSet<&str> = changed_sources.iter().copied().collect();
    // A source lists the claims citing it: those of an edited topic may have changed.
    for (before, after) in changed_topics.values() {
        sources.extend(recited_sources(*before, *after));
    }
    // A topic shows its sources' titles and passages.
    for site in [previous, next] {
        for topic in &site.topics {
            if cited_sources(topic).any(|id| changed_sources.contains(id)) {
                topics.insert(topic.slug.as_str());
            }
        }
    }
    let anything = !topics.is_empty() || !sources.is_empty() || !removed.is_empty();
    let wanted: BTreeSet<String> = topics
        .iter()
        .map(|slug| topic_path(slug))
        .chain(sources.iter().map(|id| source_path(id)))
        .collect();
    Plan {
        pages: all
            .into_iter()
            .filter(|job| {
                wanted.contains(&job.path)
                    || (anything && job.subject == crate::render::Subject::Index)
            })
            .collect(),
        data: anything,
        statics: change.statics,
        removed,
    }
}

/// What every page shows: the site settings and the navigation (topics in order, with
/// their titles). When it changes, every page changes.
fn same_frame(previous: &VerifiedSite, next: &VerifiedSite) -> bool {
    let frame = |site: &VerifiedSite| -> Vec<(String, String)> {
        site.topics
            .iter()
            .map(|t| (t.slug.to_string(), t.title.clone()))
            .collect()
    };
    previous.config == next.config && frame(previous) == frame(next)
}

/// The topics that differ, each as it was and as it is (`None` where it is missing).
type TopicChanges<'a> = BTreeMap<&'a str, (Option<&'a VerifiedTopic>, Option<&'a VerifiedTopic>)>;

fn changed_topics<'a>(previous: &'a VerifiedSite, next: &'a VerifiedSite) -> TopicChanges<'a> {
    let by_slug = |site: &'a VerifiedSite| -> BTreeMap<&'a str, Shared<'a>> {
        site.topics
            .iter()
            .map(|t| (t.slug.as_str(), Shared(t)))
            .collect()
    };
    let (before, after) = (by_slug(previous), by_slug(next));
    differing_keys(&before, &after)
        .into_iter()
        .map(|slug| {
            let versions = (
                before.get(slug).map(|t| &**t.0),
                after.get(slug).map(|t| &**t.0),
            );
            (slug, versions)
        })
        .collect()
}

/// A verified topic compared by value, and at once when both sides share it (a topic
/// that did not change since the last build is the same one: see `verify::Cache`).
struct Shared<'a>(&'a Arc<VerifiedTopic>);

impl PartialEq for Shared<'_> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(self.0, other.0) || self.0 == other.0
    }
}

/// The sources for which the claims of a topic citing them differ between two versions
/// of the topic.
fn recited_sources<'a>(
    before: Option<&'a VerifiedTopic>,
    after: Option<&'a VerifiedTopic>,
) -> BTreeSet<&'a str> {
    let citing = |topic: Option<&'a VerifiedTopic>| {
        let mut by_source: BTreeMap<&str, Vec<&VerifiedClaim>> = BTreeMap::new();
        for claim in topic.iter().flat_map(|topic| &topic.claims) {
            let cited: BTreeSet<&str> = claim.citations.iter().map(|c| c.source.as_str()).collect();
            for source in cited {
                by_source.entry(source).or_default().push(claim);
            }
        }
        by_source
    };
    differing_keys(&citing(before), &citing(after))
}

fn changed_sources<'a>(previous: &'a VerifiedSite, next: &'a VerifiedSite) -> BTreeSet<&'a str> {
    // A source's text by its hash: comparing megabytes of text on every save costs more.
    let versions = |site: &'a VerifiedSite| -> BTreeMap<&'a str, _> {
        site.sources
            .iter()
            .map(|s| (s.id.as_str(), (&s.file, &s.sha256, &s.meta)))
            .collect()
    };
    differing_keys(&versions(previous), &versions(next))
}

/// Keys present on one side only, or with different values.
fn differing_keys<'a, V: PartialEq>(
    before: &BTreeMap<&'a str, V>,
    after: &BTreeMap<&'a str, V>,
) -> BTreeSet<&'a str> {
    before
        .keys()
        .chain(after.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .copied()
        .collect()
}

fn cited_sources(topic: &VerifiedTopic) -> impl Iterator<Item = &str> {
    topic
        .claims
        .iter()
        .flat_map(|claim| &claim.citations)
        .map(|citation| citation.source.as_str())
}

fn removed_pages(previous: &VerifiedSite, next: &VerifiedSite) -> Vec<String> {
    let kept: BTreeSet<String> = page_jobs(next).into_iter().map(|job| job.path).collect();
    page_jobs(previous)
        .into_iter()
        .map(|job| job.path)
        .filter(|path| !kept.contains(path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(paths: &[&str]) -> Change {
        let root = Path::new("/site");
        let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, paths.iter().map(PathBuf::as_path))
    }

    const CONTENT: Change = Change::CONTENT;

    #[test]
    fn edits_are_sorted_by_the_directory_they_are_in() {
        assert_eq!(change(&["content/topics/letter.yaml"]), CONTENT);
        assert_eq!(change(&["content/site.yaml"]), CONTENT);
        let both = change(&["templates/topic.html", "static/img/logo.svg"]);
        assert!(both.templates && both.statics && !both.content && !both.layout);
    }

    #[test]
    fn the_output_and_other_directories_change_nothing() {
        for path in [
            "public/index.html",
            ".git/index",
            "README.md",
            "public",
            ".public.new-123/index.html",
        ] {
            assert!(change(&[path]).is_empty(), "{path}");
        }
        let outside = classify(Path::new("/site"), [Path::new("/elsewhere/content/x.yaml")]);
        assert!(outside.is_empty());
    }

    #[test]
    fn editors_scratch_files_change_nothing() {
        for path in [
            "content/topics/.letter.yaml.swp",
            "content/topics/letter.yaml~",
            "content/topics/#letter.yaml#",
            "content/topics/4913",
            "content/topics/.#letter.yaml",
            "templates/topic.html.tmp",
        ] {
            assert!(change(&[path]).is_empty(), "{path}");
        }
    }

    #[test]
    fn a_watched_directory_appearing_or_going_is_a_layout_change() {
        let created = change(&["templates"]);
        assert!(created.layout && created.templates);
        assert_eq!(
            change(&["content"]),
            Change {
                layout: true,
                ..CONTENT
            }
        );
    }

    #[test]
    fn only_existing_input_directories_are_watched() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("content")).unwrap();
        std::fs::create_dir(site.path().join("public")).unwrap();
        assert_eq!(
            dirs_to_watch(site.path()),
            vec![site.path().join("content")]
        );
    }
}
