//! Turning the verified site into files: HTML pages through Tera templates (built-in ones
//! embedded from `templates/`, overridden by name by the site's own), `claims.json`, and
//! the static files. Nothing is written here; `output` writes what this returns.

pub mod context;
pub mod data;
pub mod fragment;
pub mod jsonld;
pub mod markdown;
pub mod passages;
pub mod search;
pub mod sharing;
pub mod site_files;
pub mod templates;

use std::path::Path;

use rayon::prelude::*;
use tera::Context;

use crate::diagnostics::{Diagnostics, Files};
use crate::error::ToolResult;
use crate::verify::VerifiedSite;
use context::{ContextBuilder, source_path, topic_path};
pub use templates::Templates;

/// One file of the output, by its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Everything a build writes, or the template problems that stopped it.
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub diagnostics: Diagnostics,
}

/// Renders every page of `site` with `templates`, plus the data files (`claims.json`, the
/// sitemap, the feed, `robots.txt`) and the static files.
pub fn render(
    site: &VerifiedSite,
    templates: &Templates,
    root: &Path,
    files: &mut Files,
) -> ToolResult<Rendered> {
    // The data files need no template: made on one core while the pages take the others.
    let (mut rendered, data) = rayon::join(
        || render_pages(site, templates, &page_jobs(site), files),
        || data_files(site),
    );
    rendered.files.extend(data);
    rendered.files.extend(templates::static_files(root)?);
    Ok(rendered)
}

/// Renders the pages of `jobs` only (`serve` re-renders just what a change touched), on
/// every core. The files and the diagnostics come in the order of `jobs`, whatever order
/// the pages were rendered in, so the output does not depend on the machine.
pub fn render_pages(
    site: &VerifiedSite,
    templates: &Templates,
    jobs: &[PageJob],
    files: &mut Files,
) -> Rendered {
    let kept = render_each(site, templates, jobs, files, |mut page| {
        // Held in memory with every other page: without the spare room that growing the
        // buffer left, up to half of it.
        page.bytes.shrink_to_fit();
        Ok(page)
    });
    let (files, diagnostics) = kept.expect("keeping a page cannot fail");
    Rendered { files, diagnostics }
}

/// Renders the pages of `jobs` on every core and hands each to `each` as soon as it is
/// rendered, on the core that rendered it (`build` writes it there and then, and keeps
/// only what `each` returns). What `each` returns comes in the order of `jobs`, and the
/// template problems in that order too; an error of `each` (the first, in that order) is
/// the result.
pub fn render_each<T: Send>(
    site: &VerifiedSite,
    templates: &Templates,
    jobs: &[PageJob],
    files: &mut Files,
    each: impl Fn(OutputFile) -> ToolResult<T> + Sync,
) -> ToolResult<(Vec<T>, Diagnostics)> {
    let builder = ContextBuilder::new(site);
    let pages: Vec<ToolResult<tera::TeraResult<T>>> = jobs
        .par_iter()
        .map(|job| match render_page(&builder, templates, job) {
            Ok(page) => each(page).map(Ok),
            Err(error) => Ok(Err(error)),
        })
        .collect();
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        match page? {
            Ok(kept) => out.push(kept),
            Err(error) => diagnostics.push(templates.diagnose(&error, files)),
        }
    }
    Ok((out, diagnostics))
}

/// One page: its context, through its template.
fn render_page(
    builder: &ContextBuilder,
    templates: &Templates,
    job: &PageJob,
) -> tera::TeraResult<OutputFile> {
    let mut bytes = Vec::new();
    templates.render_into(job.template, &page_context(builder, job), &mut bytes)?;
    Ok(OutputFile {
        path: job.path.clone(),
        bytes,
    })
}

/// Where the data of every claim goes.
pub const CLAIMS_JSON: &str = "claims.json";

/// `claims.json`: every claim with its citations, for other tools.
pub fn claims_file(site: &VerifiedSite) -> OutputFile {
    OutputFile {
        path: CLAIMS_JSON.to_string(),
        bytes: data::claims_json(site),
    }
}

/// The files made from the site's data rather than templates: `claims.json`, and
/// `robots.txt`, `sitemap.xml` and `feed.xml` where the site can have them.
pub fn data_files(site: &VerifiedSite) -> Vec<OutputFile> {
    let mut files = vec![claims_file(site)];
    files.extend(site_files::site_files(site));
    files
}

/// A page to render: which template, where, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageJob {
    pub template: &'static str,
    pub path: String,
    pub subject: Subject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Index,
    Topic(usize),
    Source(usize),
    /// `404.html`, which a web server sends for any address the site does not have.
    NotFound,
}

/// Every page of the site.
pub fn page_jobs(site: &VerifiedSite) -> Vec<PageJob> {
    let mut jobs = vec![PageJob {
        template: "index.html",
        path: "index.html".to_string(),
        subject: Subject::Index,
    }];
    jobs.extend(
        site.topics
            .iter()
            .enumerate()
            .map(|(index, topic)| PageJob {
                template: "topic.html",
                path: topic_path(topic.slug.as_str()),
                subject: Subject::Topic(index),
            }),
    );
    jobs.extend(
        site.sources
            .iter()
            .enumerate()
            .map(|(index, source)| PageJob {
                template: "source.html",
                path: source_path(source.id.as_str()),
                subject: Subject::Source(index),
            }),
    );
    jobs.push(PageJob {
        template: "404.html",
        path: NOT_FOUND.to_string(),
        subject: Subject::NotFound,
    });
    jobs
}

/// The page web servers send for a missing address.
pub const NOT_FOUND: &str = "404.html";

/// The way back to the site root from `404.html`: a server sends it for any missing
/// address, at any depth, so relative links cannot work; the absolute `base_url` does,
/// and without it the root of the host is the best guess.
fn not_found_root(site: &VerifiedSite) -> &str {
    site.config.base_url.as_deref().unwrap_or("/")
}

fn page_context(builder: &ContextBuilder, job: &PageJob) -> Context {
    let mut context = Context::new();
    let site = builder.site;
    let (root, title, kind) = match &job.subject {
        Subject::Index => ("", site.config.title.as_str(), "index"),
        Subject::Topic(index) => ("../../", site.topics[*index].title.as_str(), "topic"),
        Subject::Source(index) => {
            let source = &site.sources[*index];
            let title = source.meta.title.as_deref();
            ("../../", title.unwrap_or(source.id.as_str()), "source")
        }
        Subject::NotFound => (not_found_root(site), "Page not found", "not-found"),
    };
    let current = match &job.subject {
        Subject::Topic(index) => Some(*index),
        _ => None,
    };
    context.insert_value("site", builder.site_value());
    context.insert("root", root);
    let description = sharing::description(site, &job.subject, |topic, claim| {
        builder.statement(topic, claim).text.as_str()
    });
    let mut page = builder.page(kind, title, &job.path, description);
    if job.subject == Subject::NotFound {
        // Not a page of its own address: no canonical URL.
        page.permalink = None;
    }
    context.insert("page", &page);
    context.insert("nav", &builder.nav(root, current));
    context.insert("nav_compact", &builder.nav_compact());
    match &job.subject {
        Subject::Index => context.insert("index", &builder.index()),
        Subject::Topic(index) => context.insert("topic", &builder.topic(*index)),
        Subject::Source(index) => context.insert("source_page", &builder.source(*index)),
        Subject::NotFound => {}
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled site, verified.
    fn bundled() -> VerifiedSite {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::pipeline::check(root).expect("the bundled site loads");
        assert!(!checked.diagnostics.has_errors());
        checked.site
    }

    fn builtin_templates() -> Templates {
        let empty = tempfile::tempdir().unwrap();
        Templates::load(empty.path(), &mut Files::default())
            .unwrap()
            .expect("the built-in templates compile")
    }

    /// `jobs` rendered on a pool of `threads` threads.
    fn rendered_on(
        threads: usize,
        site: &VerifiedSite,
        templates: &Templates,
        jobs: &[PageJob],
    ) -> Rendered {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| render_pages(site, templates, jobs, &mut Files::default()))
    }

    #[test]
    fn pages_rendered_in_parallel_are_those_rendered_one_by_one_in_job_order() {
        let site = bundled();
        let templates = builtin_templates();
        let jobs = page_jobs(&site);
        let parallel = rendered_on(4, &site, &templates, &jobs);
        let one_by_one: Vec<OutputFile> = jobs
            .iter()
            .flat_map(|job| rendered_on(1, &site, &templates, std::slice::from_ref(job)).files)
            .collect();
        assert!(parallel.diagnostics.is_empty());
        assert_eq!(parallel.files.len(), jobs.len());
        assert!(
            parallel
                .files
                .iter()
                .map(|f| &f.path)
                .eq(jobs.iter().map(|j| &j.path))
        );
        assert!(parallel.files == one_by_one, "the same bytes, page by page");
    }

    #[test]
    fn each_page_is_handed_over_as_rendered_and_kept_in_job_order() {
        let site = bundled();
        let templates = builtin_templates();
        let jobs = page_jobs(&site);
        let whole = rendered_on(4, &site, &templates, &jobs).files;
        let handed = std::sync::Mutex::new(Vec::new());
        let (kept, problems) =
            render_each(&site, &templates, &jobs, &mut Files::default(), |page| {
                handed.lock().unwrap().push(page.path.clone());
                Ok(page.bytes.len())
            })
            .unwrap();
        assert!(problems.is_empty());
        let mut handed = handed.into_inner().unwrap();
        handed.sort();
        let mut paths: Vec<String> = jobs.iter().map(|job| job.path.clone()).collect();
        paths.sort();
        assert_eq!(handed, paths, "every page once");
        assert!(
            kept.into_iter()
                .eq(whole.iter().map(|page| page.bytes.len()))
        );

        let failing = render_each(&site, &templates, &jobs, &mut Files::default(), |page| {
            if page.path.starts_with("sources/") {
                return Err(crate::error::ToolError::Usage(page.path));
            }
            Ok(())
        });
        let first_source = jobs.iter().find(|job| job.path.starts_with("sources/"));
        match failing {
            Err(crate::error::ToolError::Usage(path)) => {
                assert_eq!(Some(&path), first_source.map(|job| &job.path));
            }
            other => panic!("the first error in job order, not {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn template_errors_are_reported_in_job_order() {
        let site = bundled();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("templates")).unwrap();
        let first = site.topics[0].slug.to_string();
        std::fs::write(
            root.path().join("templates/topic.html"),
            format!("{{% if topic.slug == \"{first}\" %}}{{{{ first_missing }}}}{{% else %}}{{{{ other_missing }}}}{{% endif %}}"),
        )
        .unwrap();
        let templates = Templates::load(root.path(), &mut Files::default())
            .unwrap()
            .unwrap();
        let topics: Vec<PageJob> = page_jobs(&site)
            .into_iter()
            .filter(|job| matches!(job.subject, Subject::Topic(_)))
            .collect();
        let messages = |jobs: &[PageJob]| -> Vec<bool> {
            rendered_on(4, &site, &templates, jobs)
                .diagnostics
                .iter()
                .map(|d| d.message.contains("first_missing"))
                .collect()
        };
        let mut expected = vec![false; topics.len()];
        expected[0] = true;
        assert_eq!(messages(&topics), expected);
        let reversed: Vec<PageJob> = topics.iter().rev().cloned().collect();
        expected.reverse();
        assert_eq!(messages(&reversed), expected);
    }
}
