//! Turning the verified site into files: HTML pages through Tera templates (built-in ones
//! embedded from `templates/`, overridden by name by the site's own), `claims.json`, and
//! the static files. Nothing is written here; `output` writes what this returns.

pub mod context;
pub mod data;
pub mod markdown;
pub mod passages;
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

/// Renders every page of `site` with `templates`, plus `claims.json` and static files.
pub fn render(
    site: &VerifiedSite,
    templates: &Templates,
    root: &Path,
    files: &mut Files,
) -> ToolResult<Rendered> {
    let mut rendered = render_pages(site, templates, &page_jobs(site), files);
    rendered.files.push(claims_file(site));
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
    jobs
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
    };
    let current = match &job.subject {
        Subject::Topic(index) => Some(site.topics[*index].slug.as_str()),
        _ => None,
    };
    context.insert("site", &builder.site_context());
    context.insert("root", root);
    context.insert("page", &builder.page(kind, &title, &job.path));
    context.insert("nav", &builder.nav(root, current));
    match &job.subject {
        Subject::Index => context.insert("index", &builder.index()),
        Subject::Topic(index) => context.insert("topic", &builder.topic(*index)),
        Subject::Source(index) => {
            context.insert("source_page", &builder.source(&site.sources[*index]))
        }
    }
    context
}
