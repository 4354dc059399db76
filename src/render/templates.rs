//! The Tera templates and static files: the built-in ones embedded in the binary from the
//! project's `templates/` and `static/`, and a site's own, which override the built-in
//! ones by file name. Template errors become diagnostics pointing into the template.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use tera::{Context, ErrorKind, Tera};

use super::OutputFile;
use crate::diagnostics::{Code, Diagnostic, Files};
use crate::error::{ToolError, ToolResult};
use crate::model::{RelPath, Span};

/// The built-in templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("topic.html", include_str!("../../templates/topic.html")),
    ("source.html", include_str!("../../templates/source.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

/// The built-in static files, by path in the output.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    ("favicon.svg", include_bytes!("../../static/favicon.svg")),
    ("search.js", include_bytes!("../../static/search.js")),
];

/// Where a template came from, for diagnostics.
#[derive(Debug, Clone)]
struct TemplateSource {
    file: RelPath,
    text: String,
}

/// A compiled set of templates, ready to render pages. Compiled once, by [`Templates::load`]
/// (in a build, and in `serve` when a template changes), then shared by the threads that
/// render the pages: rendering a page compiles nothing.
pub struct Templates {
    tera: Tera,
    sources: BTreeMap<String, TemplateSource>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.sources.keys())
            .finish()
    }
}

impl Templates {
    /// The built-in templates, overridden by the files of `<root>/templates/`.
    /// A template that does not compile is a diagnostic (the file is the site's).
    pub fn load(root: &Path, files: &mut Files) -> ToolResult<Result<Templates, Diagnostic>> {
        let mut sources: BTreeMap<String, TemplateSource> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| {
                let file = RelPath::from_slash(&format!("templates/{name} (built-in)"));
                (
                    name.to_string(),
                    TemplateSource {
                        file,
                        text: text.to_string(),
                    },
                )
            })
            .collect();
        sources.extend(site_templates(root)?);
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let added = tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, source)| (name.as_str(), source.text.as_str())),
        );
        let templates = Templates { tera, sources };
        Ok(match added {
            Ok(()) => Ok(templates),
            Err(error) => Err(templates.diagnose(&error, files)),
        })
    }

    pub fn render(&self, name: &str, context: &Context) -> tera::TeraResult<String> {
        self.tera.render(name, context)
    }

    /// [`Self::render`] as bytes, written on the end of `out`: what a page's file holds,
    /// without the copy and the UTF-8 check of making a `String` first.
    pub fn render_into(
        &self,
        name: &str,
        context: &Context,
        out: &mut Vec<u8>,
    ) -> tera::TeraResult<()> {
        self.tera.render_to(name, context, out)
    }

    /// Every template's name, file and text, by name (to locate what a page came from).
    pub fn sources(&self) -> impl Iterator<Item = (&str, &RelPath, &str)> {
        self.sources
            .iter()
            .map(|(name, source)| (name.as_str(), &source.file, source.text.as_str()))
    }

    /// A Tera error as a diagnostic located in the template it comes from.
    pub fn diagnose(&self, error: &tera::Error, files: &mut Files) -> Diagnostic {
        let (code, report) = match error.kind() {
            ErrorKind::SyntaxError(report) => (Code::TemplateSyntax, Some(report)),
            ErrorKind::RenderingError(report) => (Code::TemplateRender, Some(report)),
            _ => (Code::TemplateRender, None),
        };
        let Some(report) = report else {
            return Diagnostic::error(
                code,
                format!("template error: {}", first_line(&error.to_string())),
            )
            .help("check the `extends` and `include` names of the site's templates");
        };
        let name = report.filename();
        let message = format!("template `{name}`: {}", report.message());
        let Some(source) = self.sources.get(name) else {
            return Diagnostic::error(code, message);
        };
        files.insert(source.file.clone(), source.text.clone());
        let span = report.span();
        let bytes = clamp(&source.text, span.range.clone());
        Diagnostic::error(code, message)
            .at(Span {
                file: source.file.clone(),
                line: span.start_line,
                column: span.start_col + 1,
                bytes,
            })
            .label("here")
            .help(match code {
                Code::TemplateSyntax => "fix the template syntax (see the Tera documentation)",
                _ => "templates may use only the variables listed in docs/templates.md",
            })
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn clamp(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let end = range.end.min(text.len());
    let start = range.start.min(end);
    if text.is_char_boundary(start) && text.is_char_boundary(end) {
        start..end
    } else {
        start..start
    }
}

/// The files of `<root>/templates/`, by their path below it.
fn site_templates(root: &Path) -> ToolResult<Vec<(String, TemplateSource)>> {
    let dir = root.join("templates");
    walk_files(&dir)?
        .into_iter()
        .map(|(name, path)| {
            let text = fs::read_to_string(&path).map_err(ToolError::read(&path))?;
            let file = RelPath::new(root, &path);
            Ok((name, TemplateSource { file, text }))
        })
        .collect()
}

/// Files below `dir` (recursively, links not followed), by their `/`-path below it.
fn walk_files(dir: &Path) -> ToolResult<Vec<(String, std::path::PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|error| ToolError::Read {
            path: error.path().unwrap_or(dir).to_path_buf(),
            source: error.into(),
        })?;
        if entry.file_type().is_file() {
            let name = RelPath::new(dir, entry.path()).to_string();
            files.push((name, entry.path().to_path_buf()));
        }
    }
    Ok(files)
}

/// The built-in static files, overridden and extended by `<root>/static/`.
pub fn static_files(root: &Path) -> ToolResult<Vec<OutputFile>> {
    let mut out: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
        .iter()
        .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
        .collect();
    for (name, path) in walk_files(&root.join("static"))? {
        out.insert(name, fs::read(&path).map_err(ToolError::read(&path))?);
    }
    Ok(out
        .into_iter()
        .map(|(path, bytes)| OutputFile { path, bytes })
        .collect())
}
