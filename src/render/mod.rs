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
    let mut rendered = render_pages(site, templates, &page_jobs(site), files);
    rendered.files.extend(data_files(site));
    rendered.files.extend(templates::static_files(root)?);
    Ok(rendered)
}

/// Renders the pages of `jobs` only (`serve` re-renders just what a change touched).
pub fn render_pages(
    site: &VerifiedSite,
    templates: &Templates,
    jobs: &[PageJob],
    files: &mut Files,
) -> Rendered {
    let builder = ContextBuilder::new(site);
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let context = page_context(&builder, job);
        match templates.render(job.template, &context) {
            Ok(html) => out.push(OutputFile {
                path: job.path.clone(),
                bytes: html.into_bytes(),
            }),
            Err(error) => diagnostics.push(templates.diagnose(&error, files)),
        }
    }
    Rendered {
        files: out,
        diagnostics,
    }
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
        Subject::Index => ("", site.config.title.clone(), "index"),
        Subject::Topic(index) => ("../../", site.topics[*index].title.clone(), "topic"),
        Subject::Source(index) => {
            let source = &site.sources[*index];
            (
                "../../",
                source
                    .meta
                    .title
                    .clone()
                    .unwrap_or_else(|| source.id.to_string()),
                "source",
            )
        }
        Subject::NotFound => (
            not_found_root(site),
            "Page not found".to_string(),
            "not-found",
        ),
    };
    let current = match &job.subject {
        Subject::Topic(index) => Some(site.topics[*index].slug.as_str()),
        _ => None,
    };
    context.insert("site", &builder.site_context());
    context.insert("root", root);
    let description = sharing::description(site, &job.subject);
    let mut page = builder.page(kind, &title, &job.path, description);
    if job.subject == Subject::NotFound {
        // Not a page of its own address: no canonical URL.
        page.permalink = None;
    }
    context.insert("page", &page);
    context.insert("nav", &builder.nav(root, current));
    match &job.subject {
        Subject::Index => context.insert("index", &builder.index()),
        Subject::Topic(index) => context.insert("topic", &builder.topic(*index)),
        Subject::Source(index) => {
            context.insert("source_page", &builder.source(&site.sources[*index]))
        }
        Subject::NotFound => {}
    }
    context
}
