//! The one pipeline every command runs: load → verify → render → check links → write.
//! `check` is its load-and-verify half (plus, when the content verifies, the render and the
//! link check of the pages the site can break, chosen by `scope`); `build` runs it all;
//! `serve` runs it again on every change.

mod scope;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::diagnostics::{Code, Diagnostics, Files};
use crate::error::{ToolError, ToolResult};
use crate::links::{self, LinkCheck, Origins, PageLinks};
use crate::render::search::IndexedPage;
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
    /// `build` renders, reads the links of and writes each page at once, on every core:
    /// that pass's wall time is split among `render`, `links` and `write` by the share of
    /// the threads' time each took, so the phases add up to the build's time.
    pub render: Duration,
    /// Reading and checking the internal links of the rendered files.
    pub links: Duration,
    /// Indexing the written pages for search (`build` only).
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
/// paths written, or the problems that stopped it (then the output stays as it was).
///
/// The pages go straight into a staging directory: each is rendered, read for its links
/// and written on one core, then dropped, so a large site is never whole in memory. Only
/// once every link resolves does the search index read them back (Pagefind reads the
/// pages of an index one at a time; a large site's index is made in two parts, on two
/// cores), and only once that is written does the new output take the old one's place.
fn publish(
    target: &Target<'_>,
    files: &mut Files,
    timings: &mut Timings,
) -> ToolResult<Result<Vec<String>, Diagnostics>> {
    let templates = match Templates::load(target.root, files)? {
        Ok(templates) => templates,
        Err(problem) => return Ok(Err([problem].into_iter().collect())),
    };
    let staging = output::Staging::new(target.output)?;
    let written = match write_files(target, &templates, &staging, files, timings)? {
        Ok(written) => written,
        Err(problems) => return Ok(Err(problems)),
    };
    let started = Instant::now();
    let problems = written_links_problems(
        target.site,
        &templates,
        written.links,
        &written.paths,
        files,
    );
    timings.links += started.elapsed();
    if problems.has_errors() {
        return Ok(Err(problems));
    }
    let started = Instant::now();
    let index = search_index(target.site, &written.indexed, &written.paths, &staging)?;
    timings.search = started.elapsed();
    let started = Instant::now();
    staging.write(&index)?;
    staging.finish()?;
    timings.write += started.elapsed();
    let mut paths: Vec<String> = written.paths.into_iter().collect();
    paths.extend(index.into_iter().map(|file| file.path));
    Ok(Ok(paths))
}

/// What `build` wrote into the staging directory before the links are checked.
struct Written {
    /// Every file of the output but the search index.
    paths: BTreeSet<String>,
    /// The anchors and links of its HTML pages.
    links: Vec<PageLinks>,
    /// Its pages to index, in their order.
    indexed: Vec<IndexedPage>,
}

/// Writes the pages (see [`write_pages`]), then the data files and the site's static
/// files, or returns the template problems.
fn write_files(
    target: &Target<'_>,
    templates: &Templates,
    staging: &output::Staging,
    files: &mut Files,
    timings: &mut Timings,
) -> ToolResult<Result<Written, Diagnostics>> {
    let started = Instant::now();
    let statics = render::templates::static_files(target.root)?;
    let jobs = render::page_jobs(target.site);
    let (pages, data) = rayon::join(
        || write_pages(target, templates, &jobs, &statics, staging, files),
        || render::data_files(target.site),
    );
    let (pages, pass) = match pages? {
        Ok(written) => written,
        Err(problems) => return Ok(Err(problems)),
    };
    let pages_time = started.elapsed();
    let started = Instant::now();
    // The site's own static files last: of a page and a static file at one path, the
    // static file is the one kept.
    let rest: Vec<OutputFile> = data.into_iter().chain(statics).collect();
    staging.write(&rest)?;
    pass.add_to(timings, pages_time);
    timings.write += started.elapsed();
    let mut written = Written {
        paths: (jobs.into_iter().map(|job| job.path))
            .chain(rest.iter().map(|file| file.path.clone()))
            .collect(),
        links: Vec::with_capacity(pages.len()),
        indexed: Vec::new(),
    };
    let statics_read = rest.iter().map(|file| WrittenPage::read(target.site, file));
    for page in pages.into_iter().chain(statics_read) {
        written.links.extend(page.links);
        written.indexed.extend(page.indexed);
    }
    Ok(Ok(written))
}

/// The broken links among the `links` of the written pages, in an output of `paths`. What
/// the check holds (every anchor of the site) is gone when it returns, before the index
/// is made.
fn written_links_problems(
    site: &VerifiedSite,
    templates: &Templates,
    links: Vec<PageLinks>,
    paths: &BTreeSet<String>,
    files: &mut Files,
) -> Diagnostics {
    let check = LinkCheck::of_pages(links, paths.iter().cloned(), base_url(site));
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    link_diagnostics(&check, site, templates, &paths, files)
}

/// The search index of the `indexed` pages, read back from `staging` (none when the
/// site turns search off); `taken` are the paths the site's files take already.
fn search_index(
    site: &VerifiedSite,
    indexed: &[IndexedPage],
    taken: &BTreeSet<String>,
    staging: &output::Staging,
) -> ToolResult<Vec<OutputFile>> {
    if !site.config.search {
        return Ok(Vec::new());
    }
    let read = |path: &str| staging.read(path);
    render::search::index_written(indexed, taken, &read, &site.config.language)
}

/// What `build` keeps of a file once written: the anchors and links of an HTML page, and
/// whether (and how) it goes to the search index.
#[derive(Default)]
struct WrittenPage {
    links: Option<PageLinks>,
    indexed: Option<IndexedPage>,
}

impl WrittenPage {
    /// Reads what `build` keeps of `file`, an output file of `site`.
    fn read(site: &VerifiedSite, file: &OutputFile) -> WrittenPage {
        if !links::is_html(&file.path) {
            return WrittenPage::default();
        }
        WrittenPage {
            links: Some(PageLinks::read(&file.path, &file.bytes, base_url(site))),
            indexed: site
                .config
                .search
                .then(|| IndexedPage::of(&file.path, &file.bytes))
                .flatten(),
        }
    }
}

/// The time the threads of the page pass spent on each of its parts.
#[derive(Default)]
struct PagePass {
    links: AtomicU64,
    write: AtomicU64,
}

impl PagePass {
    fn add(counter: &AtomicU64, since: Instant) {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        counter.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Splits the pass's wall time `wall` among the phases: the cores render, read links
    /// and write at once, so each phase gets its share of the threads' time.
    fn add_to(&self, timings: &mut Timings, wall: Duration) {
        let threads = rayon::current_num_threads().max(1) as u32;
        let share =
            |counter: &AtomicU64| Duration::from_nanos(counter.load(Ordering::Relaxed)) / threads;
        let links = share(&self.links).min(wall);
        let write = share(&self.write).min(wall - links);
        timings.links += links;
        timings.write += write;
        timings.render += wall - links - write;
    }
}

/// Renders every page into `staging`, reading each for its links (and whether it goes to
/// the search index) before it is dropped; or returns the template problems. A page at
/// the path of one of `statics` is rendered (its template's problems count) but not
/// written: the site's own file takes its place.
fn write_pages(
    target: &Target<'_>,
    templates: &Templates,
    jobs: &[PageJob],
    statics: &[OutputFile],
    staging: &output::Staging,
    files: &mut Files,
) -> ToolResult<Result<(Vec<WrittenPage>, PagePass), Diagnostics>> {
    let shadowed: BTreeSet<&str> = statics.iter().map(|file| file.path.as_str()).collect();
    let pass = PagePass::default();
    let (pages, problems) = render::render_each(target.site, templates, jobs, files, |page| {
        if shadowed.contains(page.path.as_str()) {
            return Ok(WrittenPage::default());
        }
        let started = Instant::now();
        let kept = WrittenPage::read(target.site, &page);
        PagePass::add(&pass.links, started);
        let started = Instant::now();
        staging.write_one(&page.path, &page.bytes)?;
        PagePass::add(&pass.write, started);
        Ok(kept)
    })?;
    if problems.has_errors() {
        return Ok(Err(problems));
    }
    Ok(Ok((pages, pass)))
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
    problems.extend(link_diagnostics(
        &check,
        site,
        &templates,
        &paths_of(&checked),
        files,
    ));
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
    let problems = link_diagnostics(&check, site, templates, &paths_of(&rendered.files), files);
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
    output: &[&str],
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

/// The template that rendered each HTML page among the paths of `output`: the page
/// kind's, or for a page outside the kinds (a `404.html`), the template of the same name
/// if there is one.
fn page_templates(
    site: &VerifiedSite,
    templates: &Templates,
    output: &[&str],
) -> BTreeMap<String, String> {
    let mut by_page: BTreeMap<String, String> = render::page_jobs(site)
        .into_iter()
        .map(|job| (job.path, job.template.to_string()))
        .collect();
    for &path in output.iter().filter(|path| links::is_html(path)) {
        let named = templates.sources().any(|(name, _, _)| name == path);
        if named && !by_page.contains_key(path) {
            by_page.insert(path.to_string(), path.to_string());
        }
    }
    by_page
}

/// The paths of `output`.
fn paths_of(output: &[OutputFile]) -> Vec<&str> {
    output.iter().map(|file| file.path.as_str()).collect()
}
