//! The one pipeline every command runs: load → verify → render → check links → write.
//! `check` is its load-and-verify half (plus, when the content verifies, the render and the
//! link check of the pages the site can break, chosen by `scope`); `build` runs it all;
//! `serve` runs it again on every change.

mod scope;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::diagnostics::{Code, Diagnostics, Files};
use crate::error::{ToolError, ToolResult};
use crate::links::{self, LinkCheck, Origins};
use crate::render::{self, OutputFile, PageJob, Templates};
use crate::verify::{self, VerifiedSite};
use crate::{load, output};
use scope::Scope;

/// What load and verify found.
#[derive(Debug)]
pub struct Checked {
    pub site: VerifiedSite,
    pub files: Files,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// How long each phase took (for `--timings` and benchmarks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub load: Duration,
    pub verify: Duration,
    pub render: Duration,
    /// Checking the internal links of the rendered files.
    pub links: Duration,
    /// Indexing the rendered pages for search (`build` only). It runs beside the link
    /// check and the writing: the phases add up to more than the build's time.
    pub search: Duration,
    pub write: Duration,
}

/// Loads and verifies the site under `root`, collecting every problem.
pub fn check(root: &Path) -> ToolResult<Checked> {
    check_with(root, None)
}

/// What [`check_cached`] keeps from one run to the next: the content as loaded, file by
/// file, and the sources as prepared and the quotes as verified, source by source.
#[derive(Debug, Default)]
pub struct CheckCache {
    pub load: load::Cache,
    pub verify: verify::Cache,
}

/// [`check`] for a site checked before (as `serve` does on every save): reads, parses
/// and verifies again only what changed since `cache` was kept. The result is the same.
pub fn check_cached(root: &Path, cache: &mut CheckCache) -> ToolResult<Checked> {
    check_with(root, Some(cache))
}

fn check_with(root: &Path, cache: Option<&mut CheckCache>) -> ToolResult<Checked> {
    let started = Instant::now();
    let (loaded, verify_cache) = match cache {
        Some(cache) => (
            load::load_cached(root, &mut cache.load)?,
            Some(&mut cache.verify),
        ),
        None => (load::load(root)?, None),
    };
    let load_time = started.elapsed();
    let started = Instant::now();
    let verified = match verify_cache {
        Some(cache) => verify::verify_cached(loaded.site, cache),
        None => verify::verify(loaded.site),
    };
    let mut diagnostics = loaded.diagnostics;
    let mut found = verified.diagnostics;
    if diagnostics.has_errors() {
        // Claims that could not be loaded may cite any source: "cited by no claim" would
        // be a guess, and a wrong one sends the editor after a problem that is not there.
        found.retain(|d| d.code != Code::UnusedSource);
    }
    diagnostics.extend(found);
    Ok(Checked {
        site: verified.site,
        files: loaded.files,
        diagnostics,
        timings: Timings {
            load: load_time,
            verify: started.elapsed(),
            ..Timings::default()
        },
    })
}

/// Where to build from and to.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub files: Files,
    pub diagnostics: Diagnostics,
    /// The files written; empty when errors stopped the build.
    pub written: Vec<String>,
    pub timings: Timings,
    pub claims: usize,
    pub citations: usize,
}

/// Verifies, renders and writes the site; writes nothing when anything has an error.
pub fn build(options: &BuildOptions) -> ToolResult<BuildReport> {
    output::check_output_dir(&options.root, &options.output).map_err(|problem| {
        ToolError::InvalidOutput {
            path: options.output.clone(),
            problem,
        }
    })?;
    let mut checked = check(&options.root)?;
    // Before the new output replaces the one whose `claims.json` recorded the hashes.
    let changed = crate::provenance::changed_sources(&checked.site, &options.output);
    checked.diagnostics.extend(changed);
    let mut report = BuildReport {
        claims: checked.site.claim_count(),
        citations: checked.site.citation_count(),
        files: Files::default(),
        diagnostics: Diagnostics::default(),
        written: Vec::new(),
        timings: checked.timings,
    };
    if !checked.diagnostics.has_errors() {
        let target = Target {
            root: &options.root,
            output: &options.output,
            site: &checked.site,
        };
        match publish(&target, &mut checked.files, &mut report.timings)? {
            Ok(written) => {
                report.written = written;
                let skipped = render::site_files::build_warnings(&checked.site);
                checked.diagnostics.extend(skipped);
            }
            Err(problems) => checked.diagnostics.extend(problems),
        }
    }
    report.files = checked.files;
    report.diagnostics = checked.diagnostics;
    Ok(report)
}

/// What `build` makes, and where.
struct Target<'a> {
    root: &'a Path,
    output: &'a Path,
    site: &'a VerifiedSite,
}

/// Renders the site, checks its links and writes it with its search index, returning the
/// paths written, or the problems that stopped it (then nothing is written).
///
/// Pagefind reads the pages of an index one at a time, on one core (a large site's index
/// is made in two parts, on two): the index is made from the rendered pages beside the
/// link check and the writing, and stopped if a link is broken. The index holds no pages
/// of its own to check.
fn publish(
    target: &Target<'_>,
    files: &mut Files,
    timings: &mut Timings,
) -> ToolResult<Result<Vec<String>, Diagnostics>> {
    let started = Instant::now();
    let templates = match Templates::load(target.root, files)? {
        Ok(templates) => templates,
        Err(problem) => return Ok(Err([problem].into_iter().collect())),
    };
    let rendered = render::render(target.site, &templates, target.root, files)?;
    timings.render = started.elapsed();
    if rendered.diagnostics.has_errors() {
        return Ok(Err(rendered.diagnostics));
    }
    let pages = rendered.files;
    let config = &target.site.config;
    let stop = AtomicBool::new(false);
    let (staged, search) = std::thread::scope(|scope| {
        let search = config.search.then(|| {
            scope.spawn(|| {
                let started = Instant::now();
                let index = render::search::index(&pages, &config.language, &stop);
                (index, started.elapsed())
            })
        });
        let staged = check_and_stage(target, &templates, &pages, files, timings);
        if !matches!(staged, Ok(Ok(_))) {
            stop.store(true, Ordering::Relaxed);
        }
        let search = search.map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (staged, search)
    });
    let staging = match staged? {
        Ok(staging) => staging,
        Err(problems) => return Ok(Err(problems)),
    };
    let index = match search {
        Some((index, time)) => {
            timings.search = time;
            index?.unwrap_or_default()
        }
        None => Vec::new(),
    };
    let started = Instant::now();
    staging.write(&index)?;
    staging.finish()?;
    timings.write += started.elapsed();
    Ok(Ok(pages
        .into_iter()
        .chain(index)
        .map(|file| file.path)
        .collect()))
}

/// Checks the links of the rendered `pages` and writes them into a staging directory
/// beside the output, or returns the broken links.
fn check_and_stage(
    target: &Target<'_>,
    templates: &Templates,
    pages: &[OutputFile],
    files: &mut Files,
    timings: &mut Timings,
) -> ToolResult<Result<output::Staging, Diagnostics>> {
    let started = Instant::now();
    let check = LinkCheck::run(pages, base_url(target.site));
    let problems = link_diagnostics(&check, target.site, templates, pages, files);
    timings.links = started.elapsed();
    if problems.has_errors() {
        return Ok(Err(problems));
    }
    let started = Instant::now();
    let staging = output::Staging::new(target.output)?;
    staging.write(pages)?;
    timings.write = started.elapsed();
    Ok(Ok(staging))
}

/// The templates' problems: whether they compile, and when `render` is set (the content
/// verified, so there is something to show) whether the pages the site can break render
/// and their internal links resolve (chosen by `scope`; `build` checks every page).
pub fn check_templates(
    root: &Path,
    site: &VerifiedSite,
    render: bool,
    files: &mut Files,
) -> ToolResult<Diagnostics> {
    let templates = match Templates::load(root, files)? {
        Ok(templates) => templates,
        Err(problem) => return Ok([problem].into_iter().collect()),
    };
    if !render {
        return Ok(Diagnostics::default());
    }
    let statics = render::templates::static_files(root)?;
    let jobs = match scope::scope(site, &templates, &statics) {
        Scope::Everything => {
            let rendered = render_all(root, site, &templates, files)?;
            return Ok(rendered.err().unwrap_or_default());
        }
        Scope::Pages(jobs) => jobs,
    };
    if jobs.is_empty() && !statics.iter().any(|file| links::is_html(&file.path)) {
        // Nothing the site can break: the usual case, and the one to answer at once.
        return Ok(Diagnostics::default());
    }
    let rendered = render::render_pages(site, &templates, &jobs, files);
    if rendered.diagnostics.has_errors() {
        return Ok(rendered.diagnostics);
    }
    let mut checked = rendered.files;
    checked.extend(statics);
    let elsewhere = unrendered_paths(site, &checked);
    let mut problems = Diagnostics::default();
    let check = LinkCheck::run_on(&checked, &elsewhere, base_url(site), |paths| {
        // Pages outside the scope, named by a link's `#fragment`: rendered for their ids.
        let jobs: Vec<PageJob> = render::page_jobs(site)
            .into_iter()
            .filter(|job| paths.contains(&job.path))
            .collect();
        let rendered = render::render_pages(site, &templates, &jobs, files);
        problems.extend(rendered.diagnostics);
        rendered.files
    });
    problems.extend(link_diagnostics(&check, site, &templates, &checked, files));
    Ok(problems)
}

/// The paths of the output that `checked` leaves out: the other pages and the data files.
fn unrendered_paths(site: &VerifiedSite, checked: &[OutputFile]) -> Vec<String> {
    let checked: BTreeSet<&str> = checked.iter().map(|file| file.path.as_str()).collect();
    let pages = render::page_jobs(site).into_iter().map(|job| job.path);
    // Only their paths matter, and `claims.json` is the costly one to make.
    let data = render::site_files::site_files(site)
        .into_iter()
        .map(|file| file.path)
        .chain([render::CLAIMS_JSON.to_string()]);
    pages
        .chain(data)
        .filter(|path| !checked.contains(path.as_str()))
        .collect()
}

fn base_url(site: &VerifiedSite) -> Option<&str> {
    site.config.base_url.as_deref()
}

/// Renders every output file and checks its internal links, or returns the problems
/// (template errors, broken links).
pub fn render_site(
    root: &Path,
    site: &VerifiedSite,
    files: &mut Files,
) -> ToolResult<Result<Vec<OutputFile>, Diagnostics>> {
    match Templates::load(root, files)? {
        Ok(templates) => render_all(root, site, &templates, files),
        Err(problem) => Ok(Err([problem].into_iter().collect())),
    }
}

/// [`render_site`] with the templates loaded.
fn render_all(
    root: &Path,
    site: &VerifiedSite,
    templates: &Templates,
    files: &mut Files,
) -> ToolResult<Result<Vec<OutputFile>, Diagnostics>> {
    let rendered = render::render(site, templates, root, files)?;
    if rendered.diagnostics.has_errors() {
        return Ok(Err(rendered.diagnostics));
    }
    // On the files as they will be written, whatever the render produced: a link is good
    // when it names one of them.
    let check = LinkCheck::run(&rendered.files, base_url(site));
    let problems = link_diagnostics(&check, site, templates, &rendered.files, files);
    if problems.has_errors() {
        return Ok(Err(problems));
    }
    Ok(Ok(rendered.files))
}

/// The broken internal links `check` found in `output`, as diagnostics naming the page and
/// its template.
fn link_diagnostics(
    check: &LinkCheck,
    site: &VerifiedSite,
    templates: &Templates,
    output: &[OutputFile],
    files: &mut Files,
) -> Diagnostics {
    if check.broken.is_empty() && check.unchecked.is_empty() {
        return Diagnostics::default();
    }
    let templates_by_page = page_templates(site, templates, output);
    let origins = Origins {
        templates_by_page: &templates_by_page,
        templates,
    };
    check.diagnostics(&origins, files)
}

/// The template that rendered each HTML page of `output`: the page kind's, or for a page
/// outside the kinds (a `404.html`), the template of the same name if there is one.
fn page_templates(
    site: &VerifiedSite,
    templates: &Templates,
    output: &[OutputFile],
) -> BTreeMap<String, String> {
    let mut by_page: BTreeMap<String, String> = render::page_jobs(site)
        .into_iter()
        .map(|job| (job.path, job.template.to_string()))
        .collect();
    for file in output.iter().filter(|file| links::is_html(&file.path)) {
        let named = templates.sources().any(|(name, _, _)| name == file.path);
        if named && !by_page.contains_key(&file.path) {
            by_page.insert(file.path.clone(), file.path.clone());
        }
    }
    by_page
}
