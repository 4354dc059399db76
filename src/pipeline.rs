//! The one pipeline every command runs: load → verify → render → write. `check` is its
//! load-and-verify half; `build` runs it all; `serve` runs it again on every change.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::{Code, Diagnostics, Files};
use crate::error::{ToolError, ToolResult};
use crate::render::{self, OutputFile, Templates};
use crate::verify::{self, VerifiedSite};
use crate::{load, output};

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
    pub write: Duration,
}

/// Loads and verifies the site under `root`, collecting every problem.
pub fn check(root: &Path) -> ToolResult<Checked> {
    let started = Instant::now();
    let loaded = load::load(root)?;
    let load_time = started.elapsed();
    let started = Instant::now();
    let verified = verify::verify(loaded.site);
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
    let mut report = BuildReport {
        claims: checked.site.claim_count(),
        citations: checked.site.citation_count(),
        files: Files::default(),
        diagnostics: Diagnostics::default(),
        written: Vec::new(),
        timings: checked.timings,
    };
    if !checked.diagnostics.has_errors() {
        let started = Instant::now();
        let rendered = render_site(&options.root, &checked.site, &mut checked.files)?;
        report.timings.render = started.elapsed();
        match rendered {
            Ok(files) => {
                let started = Instant::now();
                output::write_site(&options.output, &files)?;
                report.timings.write = started.elapsed();
                report.written = files.into_iter().map(|file| file.path).collect();
            }
            Err(problems) => checked.diagnostics.extend(problems),
        }
    }
    report.files = checked.files;
    report.diagnostics = checked.diagnostics;
    Ok(report)
}

/// The templates' problems: whether they compile, and when `render` is set (the content
/// verified, so there is something to show) whether every page renders.
pub fn check_templates(
    root: &Path,
    site: &VerifiedSite,
    render: bool,
    files: &mut Files,
) -> ToolResult<Diagnostics> {
    if render {
        return Ok(render_site(root, site, files)?.err().unwrap_or_default());
    }
    Ok(match Templates::load(root, files)? {
        Ok(_) => Diagnostics::default(),
        Err(problem) => [problem].into_iter().collect(),
    })
}

/// Renders every output file, or returns the template problems.
pub fn render_site(
    root: &Path,
    site: &VerifiedSite,
    files: &mut Files,
) -> ToolResult<Result<Vec<OutputFile>, Diagnostics>> {
    let templates = match Templates::load(root, files)? {
        Ok(templates) => templates,
        Err(problem) => return Ok(Err([problem].into_iter().collect())),
    };
    let rendered = render::render(site, &templates, root, files)?;
    if rendered.diagnostics.has_errors() {
        return Ok(Err(rendered.diagnostics));
    }
    Ok(Ok(rendered.files))
}
