//! One serve session's builds: the same load → verify → render pipeline as `build`, kept
//! warm between saves. The site is held in memory, not written: a good build replaces
//! only the pages its change touched (see `plan`), a broken one leaves the last good site
//! in place and reports its problems. A good build serves its pages first and its data
//! files (`claims.json`, the sitemap, the feed) right after, in [`Session::complete`]:
//! no open page shows them, and for a large site they take longer than the pages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::live::Problems;
use super::plan::{Change, Plan, plan};
use crate::diagnostics::{Diagnostics, Files};
use crate::error::ToolResult;
use crate::pipeline::{self, CheckCache, Timings};
use crate::render::{self, OutputFile, Templates};
use crate::verify::VerifiedSite;

/// The served site: output paths (`topics/letter/index.html`) to their bytes.
pub type SiteFiles = BTreeMap<String, Bytes>;

/// What a rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// The site is served anew.
    Built(Built),
    /// The content, the templates or the tool failed: the last good site stays.
    Broken(Broken),
}

#[derive(Debug)]
pub struct Built {
    /// The output paths whose bytes changed, appeared or went away.
    pub changed: Vec<String>,
    /// How many pages were rendered.
    pub rendered: usize,
    pub timings: Timings,
    pub total: Duration,
    pub claims: usize,
    pub citations: usize,
    /// Warnings of the content (the build had no error).
    pub diagnostics: Diagnostics,
    pub files: Files,
}

#[derive(Debug)]
pub struct Broken {
    pub problems: Problems,
    /// For the terminal: the diagnostics and their files (empty for a tool failure).
    pub diagnostics: Diagnostics,
    pub files: Files,
    pub tool_error: Option<String>,
}

/// What a good build rendered: its pages, and the static files when it read them.
struct Rendering {
    pages: Vec<OutputFile>,
    statics: Option<Vec<OutputFile>>,
}

/// The builds of one `serve` run.
pub struct Session {
    root: PathBuf,
    /// The content as last loaded and verified, to do again only what a save changed.
    cache: CheckCache,
    /// Whether the data files of the last good site are still to be rendered.
    data_due: bool,
    templates: Option<Templates>,
    /// The last site that built without errors, and its output.
    good: Option<VerifiedSite>,
    /// What the pipeline rendered, and the static files; served together, a static file
    /// winning over a page of the same path, as in `build`'s output.
    pages: SiteFiles,
    statics: SiteFiles,
    output: Arc<SiteFiles>,
}

impl Session {
    pub fn new(root: PathBuf) -> Session {
        Session {
            root,
            cache: CheckCache::default(),
            data_due: false,
            templates: None,
            good: None,
            pages: SiteFiles::new(),
            statics: SiteFiles::new(),
            output: Arc::default(),
        }
    }

    /// The site as last built without errors (empty before the first good build).
    pub fn output(&self) -> Arc<SiteFiles> {
        Arc::clone(&self.output)
    }

    pub fn has_built(&self) -> bool {
        self.good.is_some()
    }

    /// Builds again after `change`.
    pub fn rebuild(&mut self, change: Change) -> Outcome {
        let started = Instant::now();
        match self.try_rebuild(change) {
            Ok(Ok(mut built)) => {
                built.total = started.elapsed();
                Outcome::Built(built)
            }
            Ok(Err(broken)) => Outcome::Broken(broken),
            Err(error) => Outcome::Broken(Broken {
                problems: Problems::from_tool_error(&error),
                diagnostics: Diagnostics::default(),
                files: Files::default(),
                tool_error: Some(format!("error[{}]: {error}", error.code())),
            }),
        }
    }

    fn try_rebuild(&mut self, change: Change) -> ToolResult<Result<Built, Broken>> {
        let checked = pipeline::check_cached(&self.root, &mut self.cache)?;
        let (site, mut files, mut diagnostics) = (checked.site, checked.files, checked.diagnostics);
        let mut timings = checked.timings;
        let reloaded = change.templates || self.templates.is_none();
        if reloaded {
            self.templates = match Templates::load(&self.root, &mut files)? {
                Ok(templates) => Some(templates),
                Err(problem) => {
                    diagnostics.push(problem);
                    None
                }
            };
        }
        if self.templates.is_none() || diagnostics.has_errors() {
            return Ok(Err(broken(diagnostics, files)));
        }
        let change = Change {
            templates: reloaded,
            statics: change.statics || self.good.is_none(),
            ..change
        };
        let plan = plan(self.good.as_ref(), &site, change);
        let started = Instant::now();
        let rendering = match self.render(&site, &plan, &mut files)? {
            Ok(rendered) => rendered,
            Err(problems) => {
                diagnostics.extend(problems);
                return Ok(Err(broken(diagnostics, files)));
            }
        };
        timings.render = started.elapsed();
        let (claims, citations) = (site.claim_count(), site.citation_count());
        let changed = self.commit(rendering.pages, rendering.statics, &plan.removed);
        // Data files left due by a build that was never completed are due still.
        self.data_due |= plan.data;
        if let Some(replaced) = self.good.replace(site) {
            // Freeing every claim of a large site takes a while: not before the reload.
            rayon::spawn(move || drop(replaced));
        }
        Ok(Ok(Built {
            changed,
            rendered: plan.pages.len(),
            timings,
            total: Duration::ZERO,
            claims,
            citations,
            diagnostics,
            files,
        }))
    }

    /// The pages `plan` asks for and, if it does, the static files, read side by side;
    /// or the template problems.
    fn render(
        &self,
        site: &VerifiedSite,
        plan: &Plan,
        files: &mut Files,
    ) -> ToolResult<Result<Rendering, Diagnostics>> {
        let templates = self.templates.as_ref().expect("loaded before rendering");
        let (rendered, statics) = rayon::join(
            || render::render_pages(site, templates, &plan.pages, files),
            || {
                plan.statics
                    .then(|| render::templates::static_files(&self.root))
                    .transpose()
            },
        );
        let statics = statics?;
        if rendered.diagnostics.has_errors() {
            return Ok(Err(rendered.diagnostics));
        }
        Ok(Ok(Rendering {
            pages: rendered.files,
            statics,
        }))
    }

    /// Renders and serves the data files the last good build left due; returns the paths
    /// that changed (none when nothing was due).
    pub fn complete(&mut self) -> Vec<String> {
        let Some(site) = self.good.as_ref().filter(|_| self.data_due) else {
            return Vec::new();
        };
        let data = render::data_files(site);
        // The sitemap and feed come and go with `base_url` and the review dates.
        let removed: Vec<String> = render::site_files::PATHS
            .iter()
            .filter(|path| !data.iter().any(|file| file.path == **path))
            .map(|path| path.to_string())
            .collect();
        self.data_due = false;
        self.commit(data, None, &removed)
    }

    /// Applies a good build to the served site; returns the paths that changed.
    fn commit(
        &mut self,
        updates: Vec<OutputFile>,
        statics: Option<Vec<OutputFile>>,
        removed: &[String],
    ) -> Vec<String> {
        let mut touched: BTreeSet<String> = removed.iter().cloned().collect();
        for path in removed {
            self.pages.remove(path);
        }
        for file in updates {
            touched.insert(file.path.clone());
            self.pages.insert(file.path, Bytes::from(file.bytes));
        }
        if let Some(statics) = statics {
            touched.extend(self.statics.keys().cloned());
            self.statics = statics
                .into_iter()
                .map(|file| (file.path, Bytes::from(file.bytes)))
                .collect();
            touched.extend(self.statics.keys().cloned());
        }
        let mut output = self.pages.clone();
        output.extend(self.statics.iter().map(|(k, v)| (k.clone(), v.clone())));
        let changed = touched
            .into_iter()
            .filter(|path| self.output.get(path) != output.get(path))
            .collect();
        self.output = Arc::new(output);
        changed
    }
}

fn broken(diagnostics: Diagnostics, files: Files) -> Broken {
    Broken {
        problems: Problems::from_diagnostics(&diagnostics, &files),
        diagnostics,
        files,
        tool_error: None,
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::render::Subject;

    /// A copy of the bundled site in a temporary directory.
    fn bundled() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir
                .path()
                .join("content")
                .join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&to).unwrap();
            } else {
                fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    fn edit(root: &Path, file: &str, from: &str, to: &str) {
        let path = root.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no `{from}`");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// What `build` would write for the site as it is on disk now.
    fn full_output(root: &Path) -> SiteFiles {
        let mut checked = pipeline::check(root).unwrap();
        assert!(!checked.diagnostics.has_errors());
        pipeline::render_site(root, &checked.site, &mut checked.files)
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|file| (file.path, Bytes::from(file.bytes)))
            .collect()
    }

    /// A good build after `change`, completed: its changed paths include the data files'.
    fn rebuilt(session: &mut Session, change: Change) -> Built {
        match session.rebuild(change) {
            Outcome::Built(mut built) => {
                built.changed.extend(session.complete());
                built
            }
            Outcome::Broken(broken) => panic!("broken: {:#?}", broken.problems),
        }
    }

    fn assert_serves_what_build_writes(session: &Session, root: &Path) {
        let served = session.output();
        let expected = full_output(root);
        let differing: Vec<&String> = expected
            .keys()
            .chain(served.keys())
            .filter(|path| served.get(*path) != expected.get(*path))
            .collect();
        assert!(
            differing.is_empty(),
            "served differs from a full build: {differing:?}"
        );
    }

    const CONTENT: Change = Change::CONTENT;

    fn cited_by(claims: &[crate::verify::VerifiedClaim]) -> BTreeSet<&str> {
        claims
            .iter()
            .flat_map(|c| &c.citations)
            .map(|c| c.source.as_str())
            .collect()
    }

    #[test]
    fn the_first_build_serves_what_build_writes() {
        let site = bundled();
        let mut session = Session::new(site.path().to_path_buf());
        let first = rebuilt(&mut session, Change::ALL);
        // The index, 8 topics, 5 sources and `404.html`.
        assert_eq!(first.rendered, 15);
        assert_eq!(first.changed.len(), session.output().len());
        assert_serves_what_build_writes(&session, site.path());
    }

    /// The sitemap and feed appear with `base_url` and a review date, follow the dates,
    /// and go away with `base_url`, as in a full build.
    #[test]
    fn site_files_follow_base_url_and_review_dates() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        assert!(session.output().get("sitemap.xml").is_none());
        let base = "\nbase_url: https://example.org/";
        let site_yaml = "content/site.yaml";
        edit(
            root,
            site_yaml,
            "language: en",
            &format!("language: en{base}"),
        );
        let letter = "content/topics/letter.yaml";
        edit(root, letter, "title: ", "reviewed: 2025-10-20\ntitle: ");
        let added = rebuilt(&mut session, CONTENT);
        assert!(added.changed.iter().any(|path| path == "feed.xml"));
        assert_serves_what_build_writes(&session, root);
        edit(root, letter, "2025-10-20", "2025-10-21");
        let redated = rebuilt(&mut session, CONTENT);
        for file in ["feed.xml", "sitemap.xml"] {
            assert!(redated.changed.iter().any(|path| path == file), "{file}");
        }
        assert_serves_what_build_writes(&session, root);
        edit(root, site_yaml, base, "");
        let removed = rebuilt(&mut session, CONTENT);
        assert!(removed.changed.iter().any(|path| path == "sitemap.xml"));
        assert!(session.output().get("feed.xml").is_none());
        assert_serves_what_build_writes(&session, root);
    }

    #[test]
    fn an_edited_claim_renders_its_topic_the_sources_it_cites_and_the_index_only() {
        let site = bundled();
        let mut session = Session::new(site.path().to_path_buf());
        rebuilt(&mut session, Change::ALL);
        // The first claim of the topic, which cites fewer sources than the topic does.
        edit(
            site.path(),
            "content/topics/alaska-and-peace-talks.yaml",
            "statement: \"",
            "statement: \"Edited: ",
        );
        let next = pipeline::check(site.path()).unwrap().site;
        let plan = plan(session.good.as_ref(), &next, CONTENT);
        let topics: Vec<&str> = plan
            .pages
            .iter()
            .filter(|job| matches!(job.subject, Subject::Topic(_)))
            .map(|job| job.path.as_str())
            .collect();
        assert_eq!(topics, ["topics/alaska-and-peace-talks/index.html"]);
        let sources: BTreeSet<&str> = plan
            .pages
            .iter()
            .filter_map(|job| match job.subject {
                Subject::Source(index) => Some(next.sources[index].id.as_str()),
                _ => None,
            })
            .collect();
        let topic = next
            .topics
            .iter()
            .find(|t| t.slug.as_str() == "alaska-and-peace-talks")
            .unwrap();
        assert_eq!(sources, cited_by(&topic.claims[..1]));
        assert!(
            sources.len() < cited_by(&topic.claims).len(),
            "the fixture's topic must cite a source its first claim does not"
        );
        let rebuilt = rebuilt(&mut session, CONTENT);
        assert_eq!(rebuilt.rendered, 1 + sources.len() + 1);
        assert!(
            rebuilt
                .changed
                .contains(&"topics/alaska-and-peace-talks/index.html".to_string())
        );
        assert!(rebuilt.changed.contains(&"claims.json".to_string()));
        assert_serves_what_build_writes(&session, site.path());
    }

    #[test]
    fn the_data_files_follow_the_pages_even_a_build_later() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        let claims = |session: &Session| session.output()[render::CLAIMS_JSON].clone();
        let before = claims(&session);
        let topic = "content/topics/letter.yaml";
        edit(root, topic, "statement: \"", "statement: \"New: ");
        let Outcome::Built(pages) = session.rebuild(CONTENT) else {
            panic!("a good save builds");
        };
        assert!(
            pages
                .changed
                .contains(&"topics/letter/index.html".to_string())
        );
        assert_eq!(claims(&session), before, "claims.json waits for complete");
        // Not completed, and the next save changes nothing: the data files are due still.
        rebuilt(&mut session, CONTENT);
        assert_ne!(claims(&session), before);
        assert!(session.complete().is_empty());
        assert_serves_what_build_writes(&session, root);
    }

    #[test]
    fn a_save_that_changes_nothing_renders_nothing() {
        let site = bundled();
        let mut session = Session::new(site.path().to_path_buf());
        rebuilt(&mut session, Change::ALL);
        let again = rebuilt(&mut session, CONTENT);
        assert_eq!((again.rendered, again.changed.len()), (0, 0));
    }

    #[test]
    fn incremental_builds_match_full_builds_edit_after_edit() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        let topic = "content/topics/letter.yaml";
        let source = "content/sources/003_7b575e8ba85b23dd";
        type Step<'a> = (&'a str, Box<dyn Fn(&Path) + 'a>, Change);
        let steps: Vec<Step> = vec![
            (
                "a statement",
                Box::new(|r| edit(r, topic, "statement: \"", "statement: \"New: ")),
                CONTENT,
            ),
            (
                "a quote, and so its passage on the source's page",
                Box::new(|r| {
                    edit(
                        r,
                        topic,
                        "letter she wrote to Putin in August 2024",
                        "letter she wrote to Putin",
                    )
                }),
                CONTENT,
            ),
            (
                "a topic title",
                Box::new(|r| edit(r, topic, "title: ", "title: Renamed ")),
                CONTENT,
            ),
            (
                "a source's metadata",
                Box::new(|r| {
                    edit(
                        r,
                        &format!("{source}.yaml"),
                        "language: en",
                        "language: en-GB",
                    )
                }),
                CONTENT,
            ),
            (
                "a source's text",
                Box::new(|r| {
                    let path = r.join(format!("{source}.txt"));
                    let mut text = fs::read_to_string(&path).unwrap();
                    text.insert_str(0, "A new first paragraph.\n\n");
                    fs::write(path, text).unwrap();
                }),
                CONTENT,
            ),
            (
                "a new topic",
                Box::new(|r| {
                    fs::write(
                    r.join("content/topics/extra.yaml"),
                    "title: Extra\nclaims:\n  - id: extra-one\n    statement: Another claim.\n    citations:\n      - source: 004_fe16e8dfe30d3c42\n        quote: \"Melania Trump\"\n",
                )
                .unwrap();
                }),
                CONTENT,
            ),
            (
                "a removed topic",
                Box::new(|r| fs::remove_file(r.join("content/topics/young-adults.yaml")).unwrap()),
                CONTENT,
            ),
            (
                "a site setting",
                Box::new(|r| edit(r, "content/site.yaml", "title: \"", "title: \"The ")),
                CONTENT,
            ),
            (
                "a static file",
                Box::new(|r| {
                    fs::create_dir_all(r.join("static")).unwrap();
                    fs::write(r.join("static/extra.css"), "p { color: red }").unwrap();
                }),
                Change {
                    statics: true,
                    ..Change::default()
                },
            ),
            (
                "a static file shadowing the stylesheet, then gone",
                Box::new(|r| {
                    fs::write(r.join("static/style.css"), "body {}").unwrap();
                }),
                Change {
                    statics: true,
                    ..Change::default()
                },
            ),
            (
                "the shadow removed",
                Box::new(|r| fs::remove_file(r.join("static/style.css")).unwrap()),
                Change {
                    statics: true,
                    ..Change::default()
                },
            ),
            (
                "a template",
                Box::new(|r| {
                    fs::create_dir_all(r.join("templates")).unwrap();
                    let base = crate::render::templates::BUILTIN_TEMPLATES[0].1;
                    fs::write(
                        r.join("templates/base.html"),
                        base.replace("<main", "<!-- custom --><main"),
                    )
                    .unwrap();
                }),
                Change {
                    templates: true,
                    ..Change::default()
                },
            ),
        ];
        for (what, apply, change) in steps {
            apply(root);
            rebuilt(&mut session, change);
            let served = session.output();
            let expected = full_output(root);
            assert_eq!(
                served.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "after {what}"
            );
            for (path, bytes) in expected.iter() {
                assert_eq!(&served[path], bytes, "{path} after {what}");
            }
        }
    }

    #[test]
    fn a_broken_save_keeps_the_last_good_site_and_reports_where() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        let good = session.output();
        edit(root, "content/topics/letter.yaml", "claims:", "claims: [");
        let Outcome::Broken(broken) = session.rebuild(CONTENT) else {
            panic!("a YAML error must not build");
        };
        let problem = &broken.problems.diagnostics[0];
        assert_eq!(problem.text("code"), Some("yaml-syntax"));
        assert_eq!(problem.text("file"), Some("content/topics/letter.yaml"));
        assert!(problem.fields["line"].is_u64());
        assert!(Arc::ptr_eq(&good, &session.output()));
        edit(root, "content/topics/letter.yaml", "claims: [", "claims:");
        let fixed = rebuilt(&mut session, CONTENT);
        assert!(fixed.changed.is_empty());
        assert_serves_what_build_writes(&session, root);
    }

    #[test]
    fn a_template_error_is_a_problem_until_the_template_is_fixed() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        fs::create_dir_all(root.join("templates")).unwrap();
        fs::write(root.join("templates/topic.html"), "{% if %}").unwrap();
        let templates = Change {
            templates: true,
            ..Change::default()
        };
        let Outcome::Broken(broken) = session.rebuild(templates) else {
            panic!("a template syntax error must not build");
        };
        let problem = &broken.problems.diagnostics[0];
        assert_eq!(problem.text("code"), Some("template-syntax"));
        assert_eq!(problem.text("file"), Some("templates/topic.html"));
        // A content save while the template is still broken is still broken.
        assert!(matches!(session.rebuild(CONTENT), Outcome::Broken(_)));
        fs::remove_file(root.join("templates/topic.html")).unwrap();
        rebuilt(&mut session, templates);
        assert_serves_what_build_writes(&session, root);
    }

    #[test]
    fn a_missing_content_directory_is_a_problem_not_a_crash() {
        let site = bundled();
        let root = site.path();
        let mut session = Session::new(root.to_path_buf());
        rebuilt(&mut session, Change::ALL);
        fs::rename(root.join("content"), root.join("moved")).unwrap();
        assert!(matches!(session.rebuild(Change::ALL), Outcome::Broken(_)));
        fs::rename(root.join("moved"), root.join("content")).unwrap();
        rebuilt(&mut session, Change::ALL);
        assert_serves_what_build_writes(&session, root);
    }
}
